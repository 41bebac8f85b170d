package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/netguard"
)

func TestFetcherRules(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.UserAgent()
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: marsad\nDisallow: /no\n"))
		case "/page.html":
			w.Write([]byte("<html><body>not an image</body></html>"))
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	own := []string{srv.Listener.Addr().String()}
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	for _, tt := range []struct {
		name string
		opt  FetchOptions
		url  string
		err  string
	}{
		{"allowed", FetchOptions{AllowAddrs: own, UserAgent: "unit-test/1"}, srv.URL + "/ok", ""},
		{"loopback by name", FetchOptions{}, "http://localhost" + port + "/ok", "is not a public address"},
		{"loopback by address", FetchOptions{}, srv.URL + "/ok", "is not a public address"},
		{"loopback, other range listed", FetchOptions{Guard: guard(t, "10.0.0.0/8, rss.unit.lan")}, srv.URL + "/ok", "is not a public address"},
		{"loopback listed by range", FetchOptions{Guard: guard(t, "127.0.0.0/8")}, srv.URL + "/ok", ""},
		{"loopback listed by address", FetchOptions{Guard: guard(t, "127.0.0.1")}, srv.URL + "/ok", ""},
		{"loopback listed by name", FetchOptions{Guard: guard(t, "localhost")}, "http://localhost" + port + "/ok", ""},
		{"name listed, address used", FetchOptions{Guard: guard(t, "localhost")}, srv.URL + "/ok", "is not a public address"},
		{"host not listed", FetchOptions{AllowAddrs: own, Hosts: []string{"example.org"}}, srv.URL + "/ok", "not in the allow-list"},
		{"robots", FetchOptions{AllowAddrs: own}, srv.URL + "/no/feed.xml", "robots.txt"},
		{"scheme", FetchOptions{AllowAddrs: own}, "file:///etc/passwd", `scheme "file"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFetcher(tt.opt).Page(ctx, tt.url, nil)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
		})
	}
	if ua != "unit-test/1" && ua != DefaultUserAgent {
		t.Errorf("user agent %q", ua)
	}
	_, err := NewFetcher(FetchOptions{AllowAddrs: own}).Media(ctx, srv.URL+"/page.html")
	if err == nil || !strings.Contains(err.Error(), "not an image or a video") {
		t.Errorf("html as media: %v", err)
	}
}

func TestFetcherRateLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	f := NewFetcher(FetchOptions{AllowAddrs: []string{srv.Listener.Addr().String()}, PerHost: 10, Burst: 1, IgnoreRobots: true})
	start := time.Now()
	for range 4 {
		if _, err := f.Page(context.Background(), srv.URL+"/x", nil); err != nil {
			t.Fatal(err)
		}
	}
	// Four requests at ten a second with no burst cannot take less than 0.3 s.
	if d := time.Since(start); d < 290*time.Millisecond {
		t.Errorf("4 requests in %s: the per-host limit was not applied", d)
	}
}

// guard is a Guard with the allow-list list.
func guard(t *testing.T, list string) *netguard.Guard {
	t.Helper()
	l, err := netguard.Parse(list)
	if err != nil {
		t.Fatal(err)
	}
	return netguard.New(l)
}
