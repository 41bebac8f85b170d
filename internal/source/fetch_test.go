package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestGuard(t *testing.T) {
	f := NewFetcher(FetchOptions{AllowAddrs: []string{"127.0.0.1:8470"}})
	for _, tt := range []struct {
		addr    string
		allowed bool
	}{
		{"93.184.215.14:443", true},
		{"[2606:4700::1111]:443", true},
		{"127.0.0.1:8470", true}, // the one address allowed by name
		{"127.0.0.1:80", false},
		{"127.9.9.9:8470", false},
		{"10.0.0.1:80", false},
		{"172.16.5.4:80", false},
		{"192.168.1.1:80", false},
		{"169.254.169.254:80", false}, // cloud metadata
		{"100.64.0.1:80", false},
		{"0.0.0.0:80", false},
		{"224.0.0.1:80", false},
		{"[::1]:80", false},
		{"[fe80::1]:80", false},
		{"[fd00::1]:80", false},
		{"[::ffff:127.0.0.1]:80", false},
		{"[::ffff:10.0.0.1]:80", false},
		{"[64:ff9b::a00:1]:80", false}, // NAT64 of 10.0.0.1
		{"[2002:a00:1::1]:80", false},  // 6to4 of 10.0.0.1
		{"255.255.255.255:80", false},
		{"198.18.0.1:80", false},
	} {
		err := f.guard("tcp", tt.addr, nil)
		if (err == nil) != tt.allowed {
			t.Errorf("%s: err %v, want allowed %v", tt.addr, err, tt.allowed)
		}
	}
	if !public(netip.MustParseAddr("8.8.8.8")) || public(netip.Addr{}) {
		t.Error("public")
	}
}

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
