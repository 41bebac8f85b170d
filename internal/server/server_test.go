package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/metrics"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/server"
	"github.com/marsad/marsad/internal/store/storetest"
)

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestHealthMetricsAndHeaders(t *testing.T) {
	s := storetest.SQLite(t)
	m := metrics.New()
	p := &pipeline.Pipeline{Store: s, Metrics: m}
	srv := httptest.NewServer((&server.Server{Store: s, API: &api.API{Store: s, Pipeline: p}, Metrics: m}).Handler())
	defer srv.Close()

	code, hdr, body := get(t, srv.URL+"/healthz")
	if code != 200 || !strings.Contains(body, `"status":"ok"`) || hdr.Get("X-Frame-Options") != "DENY" || hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("healthz: %d %q %v", code, body, hdr)
	}
	resp, err := http.Post(srv.URL+"/api/v1/posts", "application/json", strings.NewReader(`[{"platform":"x","source_id":"1","text":"a"},{"platform":"x","source_id":"1","text":"a"},{"platform":"x"}]`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, _, body = get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`marsad_posts_ingested_total{result="created"} 1`,
		`marsad_posts_ingested_total{result="duplicate"} 1`,
		`marsad_posts_ingested_total{result="refused"} 1`,
		`marsad_http_request_duration_seconds_count{code="200",route="POST /api/v1/posts"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if code, _, body := get(t, srv.URL+"/"); code != 200 || !strings.Contains(body, "/api/v1/") {
		t.Fatalf("index without a UI: %d %q", code, body)
	}
	// A store that no longer answers makes the server unhealthy.
	s.Close()
	if code, _, body := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable {
		t.Fatalf("healthz with a closed store: %d %q", code, body)
	}
}

// TestWholeSurfaceMethodsAndCaching checks the API behind the server's own
// mux: a wrong method is a 405 with Allow (not the 404 of a catch-all), and
// every API answer is no-store.
func TestWholeSurfaceMethodsAndCaching(t *testing.T) {
	s := storetest.SQLite(t)
	p := &pipeline.Pipeline{Store: s}
	srv := httptest.NewServer((&server.Server{Store: s, API: &api.API{Store: s, Pipeline: p}}).Handler())
	defer srv.Close()
	for _, tt := range []struct {
		method, path string
		want         int
		allow        string
	}{
		{"PUT", "/api/v1/cases", 405, "GET, HEAD"},
		{"DELETE", "/api/v1/posts", 405, "POST"},
		{"GET", "/api/v1/cases", 200, ""},
		{"GET", "/api/v1/nothing", 404, ""},
	} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want || resp.Header.Get("Allow") != tt.allow || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: %d Allow=%q Cache-Control=%q; want %d Allow=%q no-store", tt.method, tt.path, resp.StatusCode,
				resp.Header.Get("Allow"), resp.Header.Get("Cache-Control"), tt.want, tt.allow)
		}
	}
}
