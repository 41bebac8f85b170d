package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestPostgresKilledConnectionsAre503 posts while the test's own backend
// connections are killed (pg_terminate_backend, what a restarting server
// does to every session).
func TestPostgresKilledConnectionsAre503(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	if dsn == "" {
		t.Skipf("%s not set", storetest.EnvPostgres)
	}
	// The test's own connections carry its schema's name, so only they
	// are killed.
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	name := q.Get("search_path")
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	admin, err := sql.Open("pgx", os.Getenv(storetest.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	postUnderFaults(t, u.String(), func() int {
		var n int
		if err := admin.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}

// TestPostgresCutConnectionsAre503 posts while the connections to
// PostgreSQL are cut without a word from the server, as when it crashes
// or the network drops: the driver sees only an unexpected EOF, which
// once answered a valid post with 400 "body: shorter than its
// Content-Length".
func TestPostgresCutConnectionsAre503(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	if dsn == "" {
		t.Skipf("%s not set", storetest.EnvPostgres)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	c := newCutter(t, u.Host)
	u.Host = c.addr()
	postUnderFaults(t, u.String(), c.cut)
}

// postUnderFaults opens the store at dsn and posts from four clients,
// single posts and arrays, while fault (returning how many connections it
// broke) runs every 20 ms. Each valid post must be stored (2xx) or
// answered 503 with Retry-After, never refused as the sender's fault; and
// every post answered 2xx must be stored.
func postUnderFaults(t *testing.T, dsn string, fault func() int) {
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	var (
		mu     sync.Mutex
		stored []string
		counts = map[int]int{}
		wrong  []string
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				body := fmt.Sprintf(`{"platform":"partner","source_id":%q,"text":"بيان رقم %d"}`, id, i)
				if i%2 == 1 {
					body = "[" + body + "]"
				}
				resp, err := http.Post(srv.URL+"/api/v1/posts", "application/json", bytes.NewReader([]byte(body)))
				if err != nil {
					t.Error(err)
					return
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				counts[resp.StatusCode]++
				switch {
				case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
				case resp.StatusCode < 300 && !bytes.Contains(data, []byte(`"error"`)):
					stored = append(stored, id)
				default:
					wrong = append(wrong, fmt.Sprintf("%s: %d %s", id, resp.StatusCode, data))
				}
				mu.Unlock()
			}
		}(w)
	}
	broken := 0
	for k := 0; k < 150; k++ {
		time.Sleep(20 * time.Millisecond)
		broken += fault()
	}
	close(stop)
	wg.Wait()
	t.Logf("answers by status: %v; %d connections broken", counts, broken)
	for i, w := range wrong {
		if i == 5 {
			t.Errorf("... and %d more", len(wrong)-5)
			break
		}
		t.Errorf("a valid post was answered neither 2xx nor 503: %s", w)
	}
	if counts[http.StatusServiceUnavailable] == 0 && len(wrong) == 0 {
		t.Fatal("no post met a broken connection: the test proved nothing")
	}
	for _, id := range stored {
		if _, err := s.PostBySource(ctx, "partner", id); err != nil {
			t.Errorf("post %s was answered 2xx but is not stored: %v", id, err)
		}
	}
}

// cutter is a TCP relay to the database whose connections can all be cut
// at once.
type cutter struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCutter(t *testing.T, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln}
	t.Cleanup(func() { ln.Close(); c.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return c
}

func (c *cutter) addr() string { return c.ln.Addr().String() }

// cut closes every relayed connection and says how many it closed.
func (c *cutter) cut() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.conns) / 2
	for _, x := range c.conns {
		x.Close()
	}
	c.conns = nil
	return n
}
