package source

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/time/rate"

	"github.com/marsad/marsad/internal/netguard"
)

// FetchOptions are the politeness and safety rules of all collection.
type FetchOptions struct {
	// UserAgent is sent with every request.
	UserAgent string
	// Hosts, if not empty, is the only hosts fetched from (pages, feeds
	// and media alike).
	Hosts []string
	// PerHost is the steady request rate to one host; Burst its burst.
	PerHost rate.Limit
	Burst   int
	// Timeout bounds one request, from dial to the last byte.
	Timeout time.Duration
	// MaxPage bounds a feed or page body; MaxMedia a media file.
	MaxPage, MaxMedia int64
	// Guard refuses, at connect time, every address that is not public
	// unless its allow-list lets it through; nil allows public addresses
	// only.
	Guard *netguard.Guard
	// AllowAddrs are exact "ip:port" addresses the guard lets through
	// although they are private or loopback: only for tests and the
	// demo's own fixture server.
	AllowAddrs []string
	// IgnoreRobots skips robots.txt (tests of other rules only).
	IgnoreRobots bool
}

// DefaultUserAgent names marsad and where to read about it.
const DefaultUserAgent = "marsad/1 (+https://github.com/marsad/marsad)"

func (o *FetchOptions) defaults() {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.PerHost == 0 {
		o.PerHost = 1
	}
	if o.Burst <= 0 {
		o.Burst = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxPage <= 0 {
		o.MaxPage = 10 << 20
	}
	if o.MaxMedia <= 0 {
		o.MaxMedia = 25 << 20
	}
}

// Fetcher is the one HTTP client of collection. It applies the
// User-Agent, the host allow-list, per-host rate limits, robots.txt, body
// and time limits, and the SSRF guard.
type Fetcher struct {
	opt    FetchOptions
	client *http.Client

	mu      sync.Mutex
	limits  map[string]*rate.Limiter
	robots  map[string]*robotstxt.RobotsData
	robotAt map[string]time.Time
}

// ErrBlocked is why a request was refused by a safety rule.
var ErrBlocked = netguard.ErrBlocked

// NewFetcher returns a Fetcher with opt (zero fields take defaults).
func NewFetcher(opt FetchOptions) *Fetcher {
	opt.defaults()
	f := &Fetcher{opt: opt, limits: map[string]*rate.Limiter{}, robots: map[string]*robotstxt.RobotsData{}, robotAt: map[string]time.Time{}}
	// The guard runs at connect time on the address actually dialled,
	// after DNS and after every redirect, so neither can lead inside.
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           opt.Guard.DialContext(&net.Dialer{Timeout: 10 * time.Second}, opt.AllowAddrs...),
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opt.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	f.client = &http.Client{
		Transport: tr,
		Timeout:   opt.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return fmt.Errorf("more than 5 redirects")
			}
			return f.hostAllowed(req.URL)
		},
	}
	return f
}

func (f *Fetcher) hostAllowed(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q", ErrBlocked, u.Scheme)
	}
	if len(f.opt.Hosts) > 0 && !slices.Contains(f.opt.Hosts, strings.ToLower(u.Hostname())) {
		return fmt.Errorf("%w: host %q is not in the allow-list", ErrBlocked, u.Hostname())
	}
	return nil
}

func (f *Fetcher) limiter(host string) *rate.Limiter {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.limits[host]
	if l == nil {
		l = rate.NewLimiter(f.opt.PerHost, f.opt.Burst)
		f.limits[host] = l
	}
	return l
}

// Response is a fetched body with what was learned about it.
type Response struct {
	URL          string // after redirects
	Status       int
	Body         []byte
	Type         string // sniffed for media, declared for pages
	ETag         string
	LastModified string
	Header       http.Header
}

// Page fetches a feed or a page: robots.txt is respected and the body is
// bounded by MaxPage. A 304 answer has no body.
func (f *Fetcher) Page(ctx context.Context, raw string, header http.Header) (*Response, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", raw, err)
	}
	if err := f.hostAllowed(u); err != nil {
		return nil, err
	}
	if !f.opt.IgnoreRobots {
		ok, err := f.robotsAllow(ctx, u)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: robots.txt of %s disallows %s", ErrBlocked, u.Host, u.Path)
		}
	}
	return f.get(ctx, u, header, f.opt.MaxPage)
}

// API calls a platform's authenticated API: every rule of Page but
// robots.txt, which is for crawlers of pages, not for an API a token
// was issued for.
func (f *Fetcher) API(ctx context.Context, raw string, header http.Header) (*Response, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", raw, err)
	}
	if err := f.hostAllowed(u); err != nil {
		return nil, err
	}
	return f.get(ctx, u, header, f.opt.MaxPage)
}

// Media fetches an image or a video: bounded by MaxMedia and refused
// unless its bytes sniff as an image or a video.
func (f *Fetcher) Media(ctx context.Context, raw string) (*Response, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", raw, err)
	}
	if err := f.hostAllowed(u); err != nil {
		return nil, err
	}
	r, err := f.get(ctx, u, nil, f.opt.MaxMedia)
	if err != nil {
		return nil, err
	}
	if r.Status != http.StatusOK {
		return nil, fmt.Errorf("media %s: status %d", raw, r.Status)
	}
	r.Type = http.DetectContentType(r.Body)
	if !strings.HasPrefix(r.Type, "image/") && !strings.HasPrefix(r.Type, "video/") {
		return nil, fmt.Errorf("media %s: content is %s, not an image or a video", raw, r.Type)
	}
	return r, nil
}

func (f *Fetcher) get(ctx context.Context, u *url.URL, header http.Header, max int64) (*Response, error) {
	if err := f.limiter(u.Host).Wait(ctx); err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", f.opt.UserAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return nil, fmt.Errorf("get %s: body of %d bytes is over the limit of %d", u, resp.ContentLength, max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("get %s: read body: %w", u, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("get %s: body over the limit of %d bytes", u, max)
	}
	return &Response{URL: resp.Request.URL.String(), Status: resp.StatusCode, Body: body,
		Type: resp.Header.Get("Content-Type"), ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Header: resp.Header}, nil
}

// robotsAllow reads the host's robots.txt (kept for an hour) and asks it
// about u for marsad's user agent. A missing robots.txt allows all; one
// that cannot be read is an error, so a host is never fetched against its
// will by accident.
func (f *Fetcher) robotsAllow(ctx context.Context, u *url.URL) (bool, error) {
	key := u.Scheme + "://" + u.Host
	f.mu.Lock()
	rd, at := f.robots[key], f.robotAt[key]
	f.mu.Unlock()
	if rd == nil || time.Since(at) > time.Hour {
		ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
		r, err := f.get(ctx, ru, nil, 512<<10)
		if err != nil {
			return false, fmt.Errorf("robots.txt: %w", err)
		}
		rd, err = robotstxt.FromStatusAndBytes(r.Status, r.Body)
		if err != nil {
			return false, fmt.Errorf("robots.txt of %s: %w", u.Host, err)
		}
		f.mu.Lock()
		f.robots[key], f.robotAt[key] = rd, time.Now()
		f.mu.Unlock()
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return rd.TestAgent(path, "marsad"), nil
}
