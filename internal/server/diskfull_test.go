package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/metrics"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/server"
	"github.com/marsad/marsad/internal/store/storetest"
)

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDiskFull fills the SQLite database (its page limit set to the pages
// it has, so the next page cannot be had, which is what a full disk does
// to it): a post is the server's fault, answered 503 with Retry-After,
// logged, and shown in /healthz and /metrics until space is freed.
func TestDiskFull(t *testing.T) {
	s := storetest.SQLite(t)
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	m := metrics.New()
	m.WatchStore(server.StoreHealth(s))
	p := &pipeline.Pipeline{Store: s, Metrics: m}
	srv := httptest.NewServer((&server.Server{Store: s, API: &api.API{Store: s, Pipeline: p, Log: log}, Metrics: m, Log: log}).Handler())
	defer srv.Close()

	// The limit is per connection: set it on each of the pool's, all
	// held at once and then kept idle.
	db := s.DB()
	setLimit := func(pages int) {
		t.Helper()
		const pool = 4
		db.SetMaxIdleConns(pool)
		var conns []*sql.Conn
		for i := 0; i < pool; i++ {
			c, err := db.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			if _, err := c.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	var pages int
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	setLimit(pages)
	long := strings.Repeat("بيان طويل ", 3000)
	post := func(body string) (int, http.Header, string) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/api/v1/posts", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, resp.Header, b.String()
	}
	one := fmt.Sprintf(`{"platform":"partner","source_id":"1","text":%q}`, long)
	for _, body := range []string{one, "[" + one + "," + strings.Replace(one, `"1"`, `"2"`, 1) + "]"} {
		code, hdr, answer := post(body)
		if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || !strings.Contains(answer, "disk is full") || strings.Contains(answer, "(13)") {
			t.Errorf("a post with the disk full: %d Retry-After=%q %s", code, hdr.Get("Retry-After"), answer)
		}
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "disk full") {
		t.Errorf("nothing logged of the full disk: %q", logs.String())
	}
	code, hdr, body := get(t, srv.URL+"/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, `"disk":"full"`) || hdr.Get("Retry-After") == "" {
		t.Errorf("healthz with the disk full: %d %s", code, body)
	}
	_, _, body = get(t, srv.URL+"/metrics")
	if !strings.Contains(body, "marsad_store_disk_full 1") || strings.Contains(body, `marsad_store_write_faults_total{kind="disk_full"} 0`) {
		t.Errorf("metrics do not show the full disk:\n%s", grep(body, "marsad_store"))
	}

	// Space freed: the same post goes in and the server is healthy again.
	setLimit(1 << 30)
	if code, _, answer := post(one); code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("a post after space was freed: %d %s", code, answer)
	}
	if code, _, body := get(t, srv.URL+"/healthz"); code != http.StatusOK || strings.Contains(body, "full") {
		t.Errorf("healthz after space was freed: %d %s", code, body)
	}
	if _, _, body := get(t, srv.URL+"/metrics"); !strings.Contains(body, "marsad_store_disk_full 0") {
		t.Errorf("metrics after space was freed:\n%s", grep(body, "marsad_store"))
	}
}

func grep(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
