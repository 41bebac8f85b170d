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
