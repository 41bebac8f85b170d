package source

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

func dsns(t *testing.T) map[string]string {
	out := map[string]string{"sqlite": filepath.Join(t.TempDir(), "marsad.db")}
	if dsn := storetest.PostgresDSN(t); dsn != "" {
		out["postgres"] = dsn
	}
	return out
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 20*time.Second, what, cond)
}

// waitWithin is waitFor with its own limit, for tests that run many
// sources at once on a machine that may be loaded.
func waitWithin(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRestartMidCollection stops the server while a channel's history is
// being read, then again after a page's posts were stored but before its
// cursor was, and checks that the restarted server ends with every post
// once.
func TestRestartMidCollection(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			dir := t.TempDir()
			f.hold.Store("before=5")

			// First run: the third page never answers; the server stops.
			s := openStore(t, dsn)
			svc := testService(s, f, dir)
			src := addSource(t, svc, "telegram", "sahel", `{"channel":"sahel_watch_test","depth":50,"base_url":"`+f.URL+`"}`)
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { svc.Run(runCtx); close(done) }()
			waitFor(t, "two pages stored", func() bool { n, _ := s.CountPosts(ctx); return n == 6 })
			time.Sleep(100 * time.Millisecond) // the third request is in flight
			stop()
			<-done
			got, _ := s.Source(ctx, src.ID)
			var cur tgCursor
			json.Unmarshal([]byte(got.Cursor), &cur)
			if cur.Before != 5 || cur.Last != 10 {
				t.Fatalf("cursor after stop %+v, want before 5, last 10", cur)
			}

			// Second run dies between storing a page and storing its cursor.
			f.hold.Store("")
			c, _ := svc.collector(*got)
			page, err := c.(Poller).Poll(ctx, got.Cursor)
			if err != nil || len(page.Posts) != 4 {
				t.Fatalf("poll: %d posts, %v", len(page.Posts), err)
			}
			if _, rep := svc.Pipeline.IngestBatch(ctx, page.Posts, "test"); rep.Created != 4 {
				t.Fatalf("stored %v", rep)
			}
			s.Close()

			// Restart: the server reads the third page again and stores nothing twice.
			s = openStore(t, dsn)
			defer s.Close()
			svc = testService(s, f, dir)
			f.after.Store(true)
			runCtx, stop = context.WithCancel(ctx)
			done = make(chan struct{})
			go func() { svc.Run(runCtx); close(done) }()
			waitFor(t, "history and new posts", func() bool {
				got, _ := s.Source(ctx, src.ID)
				return strings.Contains(got.Cursor, `"last":12`)
			})
			stop()
			<-done
			posts, err := s.Posts(ctx, store.PostFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, p := range posts {
				seen[p.SourceID]++
			}
			for i := 1; i <= 12; i++ {
				if id := fmt.Sprintf("sahel_watch_test/%d", i); seen[id] != 1 {
					t.Errorf("%s stored %d times", id, seen[id])
				}
			}
			if len(posts) != 12 {
				t.Errorf("%d posts stored, want 12", len(posts))
			}
			got, _ = s.Source(ctx, src.ID)
			if got.Health.PostsTotal != 8 { // 6 + 2 new; the 4 of the interrupted poll were stored outside
				t.Errorf("posts total %d, want 8", got.Health.PostsTotal)
			}
		})
	}
}

// TestFaultsStayWithTheirSource runs good and faulty sources together:
// each fault is a clear error on its own source, and the good source
// collects all the same.
func TestFaultsStayWithTheirSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t)
		svc := testService(s, f, t.TempDir())
		svc.Env.Fetcher = NewFetcher(FetchOptions{AllowAddrs: []string{f.Listener.Addr().String()}, PerHost: 1000, Burst: 100,
			Timeout: 3 * time.Second, MaxMedia: 1 << 20}) // slow.xml takes 10 s; the rest fit in 3 s on a loaded machine
		// Polled every 10 s (the shortest interval), not every minute: a poll cut short on a
		// loaded machine is taken up again within the wait below.
		add := func(kind, name, config string) *model.Source {
			t.Helper()
			src := &model.Source{Kind: kind, Name: name, Config: []byte(config), Interval: 10 * time.Second}
			if err := svc.Add(ctx, src); err != nil {
				t.Fatal(err)
			}
			return src
		}
		good := add("telegram", "good", `{"channel":"sahel_watch_test","depth":10,"base_url":"`+f.URL+`"}`)
		faults := map[string]struct{ config, kind, want string }{
			"bad-page":   {`{"channel":"sahel_watch_test","base_url":"` + f.URL + `/bad"}`, "telegram", "no channel history"},
			"broken-xml": {`{"url":"` + f.URL + `/feed/broken.xml"}`, "feed", "broken.xml"},
			"huge-feed":  {`{"url":"` + f.URL + `/declared-huge.xml"}`, "feed", "over the limit"},
			"huge-media": {`{"url":"` + f.URL + `/feed/huge-enclosure.xml"}`, "feed", "media: get " + f.URL + "/endless.mp4: body over the limit"},
			"loopback":   {`{"url":"` + f.URL + `/redirect/loopback"}`, "feed", "blocked: 127.0.0.1 is not a public address"},
			"private":    {`{"url":"` + f.URL + `/redirect/private"}`, "feed", "blocked: 10.0.0.1 is not a public address"},
			"slow":       {`{"url":"` + f.URL + `/slow.xml"}`, "feed", "Timeout"},
			"robots":     {`{"url":"` + f.URL + `/private/feed.xml"}`, "feed", "robots.txt"},
		}
		ids := map[string]int64{}
		for name, ft := range faults {
			ids[name] = add(ft.kind, name, ft.config).ID
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { svc.Run(runCtx); close(done) }()
		defer func() { stop(); <-done }()
		defer func() {
			if t.Failed() {
				for name, id := range ids {
					got, _ := s.Source(ctx, id)
					t.Logf("%s: %+v", name, got.Health)
				}
				got, _ := s.Source(ctx, good.ID)
				t.Logf("good: %+v", got.Health)
			}
		}()
		waitWithin(t, time.Minute, "every source polled", func() bool {
			for _, id := range ids {
				if got, _ := s.Source(ctx, id); got.Health.LastError == "" {
					return false
				}
			}
			got, _ := s.Source(ctx, good.ID)
			return got.Health.PostsTotal == 10
		})
		for name, id := range ids {
			got, _ := s.Source(ctx, id)
			if !strings.Contains(got.Health.LastError, faults[name].want) || !strings.Contains(got.Health.LastError, name) && name != "huge-media" {
				t.Errorf("%s: last error %q, want it to name the source and say %q", name, got.Health.LastError, faults[name].want)
			}
		}
		got, _ := s.Source(ctx, good.ID)
		if got.Health.LastError != "" || got.Health.Failures != 0 {
			t.Errorf("good source hurt by the others: %+v", got.Health)
		}
		// The post with the huge enclosure is kept, with its media as a URL.
		if p, err := s.PostBySource(ctx, "feed", "https://huge.example.org/1"); err != nil || len(p.Media) != 1 || p.Media[0].SHA256 != "" {
			t.Errorf("post with a huge enclosure: %+v, %v", p, err)
		}
	})
}
