package source

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// serveFeed serves testdata/feed/name with the Content-Type given, and
// returns a Feed polling it.
func serveFeed(t *testing.T, name, contentType string) *Feed {
	t.Helper()
	body, err := os.ReadFile("testdata/feed/" + name)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	fetcher := NewFetcher(FetchOptions{AllowAddrs: []string{srv.Listener.Addr().String()}, PerHost: rate.Inf, Timeout: 2 * time.Second, IgnoreRobots: true})
	return &Feed{Config: FeedConfig{URL: srv.URL + "/feed.xml", NoMedia: true}, Env: Env{Fetcher: fetcher}}
}

func TestFeedCharset(t *testing.T) {
	for _, tt := range []struct {
		name, file, contentType string
		want                    []string
	}{
		{"iso-8859-1 in Content-Type only", "latin1-header.xml", "application/rss+xml; charset=ISO-8859-1",
			[]string{"Sécurité : l'armée", "« Ça va mieux »", "élèves"}},
		{"windows-1252 in Content-Type only", "cp1252-header.xml", "text/xml; charset=windows-1252",
			[]string{"L’aide d’urgence atteint 2 millions d’€ – Dori", "“Nous avons reçu les premières livraisons”"}},
		{"windows-1252 in the XML declaration only", "cp1252-decl.xml", "application/rss+xml",
			[]string{"L’aide d’urgence atteint 2 millions d’€ – Dori", "déclare le préfet"}},
		{"declaration wins over a default utf-8 header the body does not match", "cp1252-decl.xml", "text/xml; charset=utf-8",
			[]string{"L’aide d’urgence", "premières"}},
		{"no charset anywhere, not UTF-8: read as windows-1252", "cp1252-header.xml", "application/rss+xml",
			[]string{"L’aide d’urgence atteint 2 millions d’€"}},
		{"UTF-8 body under a wrong Latin-1 header stays UTF-8", "rss.xml", "application/rss+xml; charset=iso-8859-1",
			[]string{"اجتماع لتنسيق مراقبة الحدود"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			page, err := serveFeed(t, tt.file, tt.contentType).Poll(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Posts) == 0 {
				t.Fatal("no posts")
			}
			var all strings.Builder
			for _, p := range page.Posts {
				all.WriteString(p.Text + "\n")
			}
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("text %q lacks %q", all.String(), w)
				}
			}
		})
	}
}

func TestFeedItemsWithoutIDOrDate(t *testing.T) {
	f := serveFeed(t, "noid.xml", "application/rss+xml")
	page, err := f.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]*model.Post{}
	for _, p := range page.Posts {
		byTitle[strings.SplitN(p.Text, "\n", 2)[0]] = p
	}
	market, undated := byTitle["Avis : fermeture du marché vendredi"], byTitle["Communiqué sans date"]
	if market == nil || undated == nil || byTitle["Réunion du conseil"] == nil {
		t.Fatalf("items without guid or link were dropped: %d posts %v", len(page.Posts), byTitle)
	}
	if market.SourceID == undated.SourceID || !strings.HasPrefix(market.SourceID, f.Config.URL+"#") {
		t.Errorf("ids %q and %q", market.SourceID, undated.SourceID)
	}
	for _, p := range []*model.Post{undated, byTitle["Horaires de la mairie"]} {
		if p == nil || !p.PostedAt.IsZero() {
			t.Errorf("an item without a date was given one: %+v", p)
		}
	}
	if !market.PostedAt.Equal(time.Date(2026, 3, 12, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("dated item at %v", market.PostedAt)
	}
	if len(page.Posts) != 5 {
		t.Errorf("%d posts, want 5 (the item with only a date is left to the pipeline)", len(page.Posts))
	}
	want := map[string]int{SkipDuplicate: 1, SkipEmpty: 1}
	if !mapsEqual(page.Skipped, want) {
		t.Errorf("skipped %v, want %v", page.Skipped, want)
	}

	// The content ids are the same on the next fetch: nothing is taken twice.
	again, err := f.Poll(context.Background(), page.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Posts) != 0 {
		t.Errorf("second poll took %d posts again", len(again.Posts))
	}
	var cur feedCursor
	json.Unmarshal([]byte(page.Cursor), &cur)
	for _, id := range cur.Seen {
		if id == "" {
			t.Errorf("empty id in cursor %v", cur.Seen)
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestFeedSkippedInHealth: every item skipped is counted once, by reason,
// in the source's health, the posts the pipeline refuses included.
func TestFeedSkippedInHealth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t)
		svc := testService(s, f, t.TempDir())
		src := addSource(t, svc, "feed", "tessalit", `{"url":"`+f.URL+`/feed/noid.xml"}`)
		res, err := svc.PollOnce(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{SkipDuplicate: 1, SkipEmpty: 1, SkipRefused: 1}
		if res.Created != 4 || !mapsEqual(res.Skipped, want) {
			t.Errorf("poll: %+v, want 4 created and skipped %v", res, want)
		}
		if _, err := svc.PollOnce(ctx, src.ID); err != nil {
			t.Fatal(err)
		}
		for _, got := range []func() (*model.Source, error){
			func() (*model.Source, error) { return s.Source(ctx, src.ID) },
			func() (*model.Source, error) { return s.SourceByName(ctx, "tessalit") },
			func() (*model.Source, error) { l, err := s.Sources(ctx); return &l[0], err },
		} {
			g, err := got()
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Health.Skipped) != 3 || g.Health.Skipped[SkipDuplicate] != 1 || g.Health.Skipped[SkipEmpty] != 1 ||
				g.Health.Skipped[SkipRefused] != 1 || g.Health.PostsTotal != 4 {
				t.Errorf("health %+v, want each item skipped counted once", g.Health)
			}
			if !strings.Contains(g.Health.LastError, "refused") {
				t.Errorf("last error %q does not say why a post was refused", g.Health.LastError)
			}
		}
		if err := svc.Remove(ctx, "tessalit"); err != nil {
			t.Fatal(err)
		}
	})
}
