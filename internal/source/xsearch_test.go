package source

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// xAPI is a local recent-search endpoint serving testdata/x.
type xAPI struct {
	*httptest.Server
	mu      sync.Mutex
	queries []url.Values
	mode    string // "", "newer", "429", "bad", "undated"
}

func newXAPI(t *testing.T) *xAPI {
	x := &xAPI{}
	x.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2/tweets/search/recent" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer test-token" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`))
			return
		}
		x.mu.Lock()
		x.queries = append(x.queries, r.URL.Query())
		mode := x.mode
		x.mu.Unlock()
		q := r.URL.Query()
		name := "page1.json"
		switch {
		case mode == "429":
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(10*time.Minute).Unix(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`))
			return
		case mode == "undated":
			w.Write([]byte(`{"data":[{"id":"1900000000000000009","text":"sans date","author_id":"502"}],"includes":{"users":[{"id":"502","username":"test_relay"}]},"meta":{"newest_id":"1900000000000000009","result_count":1}}`))
			return
		case mode == "bad":
			w.Write([]byte(`{"data": [{"id": "1"`))
			return
		case q.Get("next_token") == "page2token":
			name = "page2.json"
		case q.Get("since_id") == "1900000000000000004" && mode == "newer":
			name = "newer.json"
		case q.Get("since_id") != "":
			w.Write([]byte(`{"meta":{"result_count":0}}`))
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata/x", name))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(x.Close)
	return x
}

func (x *xAPI) set(mode string) {
	x.mu.Lock()
	x.mode = mode
	x.mu.Unlock()
}

func (x *xAPI) last() url.Values {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.queries[len(x.queries)-1]
}

// xService is a Service whose x-search kind calls x.
func xService(s *store.Store, x *xAPI, dir string) *Service {
	kinds := DefaultKinds()
	kinds["x-search"] = xSearchKind(x.URL)
	f := NewFetcher(FetchOptions{AllowAddrs: []string{x.Listener.Addr().String()}, PerHost: rate.Inf, Timeout: 2 * time.Second})
	p := &pipeline.Pipeline{Store: s, Blobs: blob.New(filepath.Join(dir, "media"), 1<<20), MaxMediaBytes: 1 << 20}
	return &Service{Store: s, Pipeline: p, Log: slog.New(slog.DiscardHandler), Env: Env{Fetcher: f}, Kinds: kinds, MinBackoff: 50 * time.Millisecond}
}

func TestXSearchPollsAndPages(t *testing.T) {
	t.Setenv("MARSAD_X_BEARER", "test-token")
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newXAPI(t)
		svc := xService(s, x, t.TempDir())
		src := addSource(t, svc, "x-search", "office", `{"query":"from:test_media_office OR from:test_relay","max_results":10,"no_media":true}`)

		// First poll: two pages joined by next_token; the retweeted
		// original comes from includes.tweets.
		res, err := svc.PollOnce(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 5 || res.More {
			t.Fatalf("first poll: %+v, want 5 posts created", res)
		}
		q := x.last()
		if q.Get("next_token") != "page2token" || q.Get("since_id") != "" || q.Get("max_results") != "10" ||
			q.Get("expansions") != "author_id,attachments.media_keys,referenced_tweets.id" || !strings.Contains(q.Get("media.fields"), "variants") {
			t.Errorf("second page query %v", q)
		}
		got, _ := s.Source(ctx, src.ID)
		var cur xCursor
		if err := json.Unmarshal([]byte(got.Cursor), &cur); err != nil || cur.Since != "1900000000000000004" || cur.Next != "" {
			t.Errorf("cursor %q", got.Cursor)
		}
		p, err := s.PostBySource(ctx, "x", "1900000000000000004")
		if err != nil {
			t.Fatal(err)
		}
		if p.Author != "test_media_office" || p.URL != "https://x.com/test_media_office/status/1900000000000000004" || p.Lang != "ar" ||
			len(p.Links) != 1 || p.Links[0] != "https://example.org/bayan/4" || len(p.Media) != 1 || p.Media[0].URL != "https://pbs.twimg.example/media/XsA1.jpg" {
			t.Errorf("post 4: %+v", p)
		}
		if p.Provenance == nil || p.Provenance.Source != src.ID || !strings.Contains(p.Provenance.URL, "/2/tweets/search/recent?") || strings.Contains(p.Provenance.URL, "test-token") {
			t.Errorf("post 4 provenance %+v", p.Provenance)
		}
		if _, err := s.PostBySource(ctx, "x", "1899999999999999990"); err != nil {
			t.Errorf("referenced tweet not stored: %v", err)
		}

		// Second poll: since_id is the newest id; only the new tweet.
		x.set("newer")
		res, err = svc.PollOnce(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if q := x.last(); q.Get("since_id") != "1900000000000000004" || res.Created != 1 || res.Fetched != 1 {
			t.Fatalf("second poll: query %v, %+v", q, res)
		}
		got, _ = s.Source(ctx, src.ID)
		if !strings.Contains(got.Cursor, `"since_id":"1900000000000000005"`) || got.Health.PostsTotal != 6 || got.Health.LastError != "" {
			t.Errorf("after second poll: cursor %q health %+v", got.Cursor, got.Health)
		}
	})
}

// TestXSearchPageLimit cuts a sweep at max_pages: the cursor keeps the
// old since_id and the next page, and the next poll finishes the sweep.
func TestXSearchPageLimit(t *testing.T) {
	t.Setenv("MARSAD_X_BEARER", "test-token")
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newXAPI(t)
		svc := xService(s, x, t.TempDir())
		src := addSource(t, svc, "x-search", "office", `{"query":"from:test_media_office","max_pages":1,"no_media":true}`)
		res, err := svc.PollOnce(ctx, src.ID)
		if err != nil || res.Created != 3 || !res.More {
			t.Fatalf("first poll: %+v %v, want 3 posts and more", res, err)
		}
		got, _ := s.Source(ctx, src.ID)
		if got.Cursor != `{"newest":"1900000000000000004","next_token":"page2token"}` {
			t.Errorf("cut cursor %q", got.Cursor)
		}
		res, err = svc.PollOnce(ctx, src.ID)
		if err != nil || res.Created != 2 || res.More {
			t.Fatalf("second poll: %+v %v", res, err)
		}
		if q := x.last(); q.Get("next_token") != "page2token" || q.Get("since_id") != "" {
			t.Errorf("continuing query %v", q)
		}
		got, _ = s.Source(ctx, src.ID)
		if got.Cursor != `{"since_id":"1900000000000000004"}` {
			t.Errorf("cursor after the sweep %q", got.Cursor)
		}
	})
}

// TestXSearchFaults: each fault is a clear error on its source, the
// cursor stays, and a 429 waits until the limit resets.
func TestXSearchFaults(t *testing.T) {
	t.Setenv("MARSAD_X_BEARER", "test-token")
	t.Setenv("MARSAD_X_WRONG", "wrong-token")
	for _, tt := range []struct {
		name, mode, config, want string
	}{
		{"no token", "", `{"query":"a","bearer_env":"MARSAD_X_TEST_UNSET"}`, "MARSAD_X_TEST_UNSET is not set"},
		{"bad token", "", `{"query":"a","bearer_env":"MARSAD_X_WRONG"}`, "status 401: Unauthorized (check the bearer token"},
		{"rate limited", "429", `{"query":"a"}`, "rate limited (HTTP 429) until "},
		{"bad json", "bad", `{"query":"a"}`, "malformed JSON at line 1, column 20"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.SQLite(t)
			ctx := context.Background()
			x := newXAPI(t)
			x.set(tt.mode)
			svc := xService(s, x, t.TempDir())
			src := addSource(t, svc, "x-search", "q", tt.config)
			_, err := svc.PollOnce(ctx, src.ID)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "test-token") || strings.Contains(err.Error(), "wrong-token") {
				t.Errorf("token in error: %v", err)
			}
			got, _ := s.Source(ctx, src.ID)
			if got.Cursor != "" || !strings.Contains(got.Health.LastError, tt.want) {
				t.Errorf("cursor %q, last error %q", got.Cursor, got.Health.LastError)
			}
			var ra *RetryAfter
			if tt.mode == "429" {
				if !errors.As(err, &ra) {
					t.Fatalf("429 is not a RetryAfter: %v", err)
				}
				if w := retryWait(err, time.Second, time.Now()); w < 9*time.Minute || w > 10*time.Minute {
					t.Errorf("wait after 429 = %s, want until the reset in 10 minutes", w)
				}
			} else if errors.As(err, &ra) {
				t.Errorf("%s is a RetryAfter", tt.name)
			}
		})
	}
}

func TestXSearchConfig(t *testing.T) {
	for _, tt := range []struct{ config, want string }{
		{`{"query":""}`, `"query" is required`},
		{`{"query":"a","max_results":5}`, "max_results 5 is not between 10 and 100"},
		{`{"query":"a","max_pages":-1}`, "max_pages -1"},
		{`{"query":"a","bearer_env":"X-Y"}`, `bearer_env "X-Y"`},
		{`{"query":"a","base_url":"http://evil.example"}`, `unknown field "base_url"`},
		{`{"query":"a","bearer":"secret"}`, `unknown field "bearer"`},
	} {
		if err := XSearchKind.Check(json.RawMessage(tt.config)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.config, err, tt.want)
		}
	}
	if err := XSearchKind.Check(json.RawMessage(`{"query":"from:a","max_results":100,"bearer_env":"X_TOKEN_2"}`)); err != nil {
		t.Error(err)
	}
}

func TestResetTime(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		h    http.Header
		want time.Time
	}{
		{http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now.Add(7*time.Minute).Unix(), 10)}}, now.Add(7 * time.Minute)},
		{http.Header{"Retry-After": {"90"}}, now.Add(90 * time.Second)},
		{http.Header{"Retry-After": {now.Add(time.Hour).Format(http.TimeFormat)}}, now.Add(time.Hour)},
		{http.Header{}, now.Add(15 * time.Minute)},
	} {
		if got := resetTime(tt.h, now); !got.Equal(tt.want) {
			t.Errorf("%v: %s, want %s", tt.h, got, tt.want)
		}
	}
}

func TestNewerID(t *testing.T) {
	for _, tt := range [][3]string{{"", "5", "5"}, {"99", "100", "100"}, {"1900000000000000005", "1900000000000000004", "1900000000000000005"}} {
		if got := newerID(tt[0], tt[1]); got != tt[2] {
			t.Errorf("newerID(%s, %s) = %s", tt[0], tt[1], got)
		}
	}
}

// TestXSearchUndated: a tweet without created_at keeps no time; the time
// it was fetched is in its provenance only.
func TestXSearchUndated(t *testing.T) {
	t.Setenv("MARSAD_X_BEARER", "test-token")
	x := newXAPI(t)
	x.set("undated")
	f := NewFetcher(FetchOptions{AllowAddrs: []string{x.Listener.Addr().String()}, PerHost: rate.Inf, Timeout: 2 * time.Second})
	c, err := xSearchKind(x.URL).New(model.Source{Config: []byte(`{"query":"a","no_media":true}`)}, Env{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.(Poller).Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 1 || !page.Posts[0].PostedAt.IsZero() || page.Posts[0].Provenance.FetchedAt.IsZero() {
		t.Fatalf("posts %+v", page.Posts)
	}
}
