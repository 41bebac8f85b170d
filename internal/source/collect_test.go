package source

import (
	"context"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

func TestTelegramBackAndForward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t)
		svc := testService(s, f, t.TempDir())
		src := addSource(t, svc, "telegram", "sahel", `{"channel":"sahel_watch_test","depth":7,"base_url":"`+f.URL+`"}`)
		if n := pollAll(t, svc, src.ID); n != 10 {
			t.Fatalf("first polls stored %d posts, want 10 (3 newest and 7 back)", n)
		}
		if n := pollAll(t, svc, src.ID); n != 0 {
			t.Fatalf("a poll with nothing new stored %d", n)
		}
		f.after.Store(true)
		if n := pollAll(t, svc, src.ID); n != 2 {
			t.Fatalf("forward poll stored %d, want 2", n)
		}
		p, err := s.PostBySource(ctx, "telegram", "sahel_watch_test/5")
		if err != nil {
			t.Fatal(err)
		}
		if p.ForwardedFrom != "https://t.me/counter_voices_test/88" || p.Views != 690 || p.URL != "https://t.me/sahel_watch_test/5" {
			t.Errorf("post 5: %+v", p)
		}
		if p.Provenance == nil || p.Provenance.Source != src.ID || p.Provenance.FetchedAt.IsZero() || !strings.Contains(p.Provenance.URL, "before=8") {
			t.Errorf("post 5 provenance %+v", p.Provenance)
		}
		p, _ = s.PostBySource(ctx, "telegram", "sahel_watch_test/12")
		if len(p.Media) != 1 || p.Media[0].SHA256 == "" || p.Media[0].Type != "image" {
			t.Errorf("post 12 media %+v", p.Media)
		}
		got, _ := s.Source(ctx, src.ID)
		if got.Health.PostsTotal != 12 || got.Health.PostsToday != 12 || got.Health.LastSuccess.IsZero() || got.Health.LastError != "" {
			t.Errorf("health %+v", got.Health)
		}
	})
}

func TestFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t)
		svc := testService(s, f, t.TempDir())
		for _, tt := range []struct {
			name, file string
			posts      int
		}{{"rss", "rss.xml", 3}, {"atom", "atom.xml", 2}, {"json", "feed.json", 2}} {
			src := addSource(t, svc, "feed", tt.name, `{"url":"`+f.URL+`/feed/`+tt.file+`"}`)
			if n := pollAll(t, svc, src.ID); n != tt.posts {
				t.Errorf("%s: stored %d posts, want %d", tt.name, n, tt.posts)
			}
			if n := pollAll(t, svc, src.ID); n != 0 {
				t.Errorf("%s: second poll stored %d posts again", tt.name, n)
			}
		}
		p, err := s.PostBySource(ctx, "feed", "https://bulletin.example.org/ar/2026/03/10/borders")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Text, "اجتماع لتنسيق مراقبة الحدود") || len(p.Media) != 1 || p.Media[0].SHA256 == "" || p.Media[0].PDQ == "" && p.Media[0].MD5 == "" {
			t.Errorf("rss item: text %q media %+v", p.Text, p.Media)
		}
		if p.Author != "هيئة التحرير" && p.Author != "desk@bulletin.example.org" {
			t.Errorf("rss author %q", p.Author)
		}
		p, err = s.PostBySource(ctx, "feed", f.URL+"/feed/rss.xml#bulletin-2026-0308-finance")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p.Text, "alert") {
			t.Errorf("script text kept: %q", p.Text)
		}
		p, err = s.PostBySource(ctx, "feed", "urn:uuid:1f6a2b3c-0001-4d2a-9b6c-0a1f2e3d4c5b")
		if err == nil {
			t.Errorf("a non-URL id was not qualified by the feed: %+v", p)
		}
		p, err = s.PostBySource(ctx, "feed", f.URL+"/feed/atom.xml#urn:uuid:1f6a2b3c-0001-4d2a-9b6c-0a1f2e3d4c5b")
		if err != nil || p.Author != "Claire Diallo" || !strings.Contains(p.Text, "Couloir humanitaire") {
			t.Errorf("atom entry: %+v, %v", p, err)
		}
	})
}

// TestTelegramVideoAndReply collects video posts, a reply and a message
// without a time from a preview page.
func TestTelegramVideoAndReply(t *testing.T) {
	f := newFixture(t)
	tg := &Telegram{Config: TelegramConfig{Channel: "sahel_media_test", Depth: 6, BaseURL: f.URL, NoMedia: true}, Env: Env{Fetcher: f.fetcher()}}
	page, err := tg.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	posts := map[string]*model.Post{}
	for _, p := range page.Posts {
		posts[p.SourceID] = p
	}
	for id, want := range map[string]model.Media{
		"sahel_media_test/21": {URL: f.URL + "/file/convoy.mp4?token=abc", Type: "video"},
		"sahel_media_test/22": {URL: f.URL + "/img/speech-thumb.jpg", Type: "image"},
		"sahel_media_test/24": {URL: f.URL + "/file/round.mp4", Type: "video"},
	} {
		p := posts[id]
		if p == nil || len(p.Media) != 1 || p.Media[0].URL != want.URL || p.Media[0].Type != want.Type {
			t.Errorf("%s: %+v, want media %+v", id, p, want)
		}
	}
	if p := posts["sahel_media_test/23"]; p == nil || p.ReplyTo != "sahel_media_test/20" || len(p.Media) != 0 {
		t.Errorf("reply: %+v", p)
	}
	if p := posts["sahel_media_test/25"]; p == nil || !p.PostedAt.IsZero() {
		t.Errorf("a message without a time was given one: %+v", p)
	}
	if p := posts["sahel_media_test/20"]; p == nil || p.PostedAt.IsZero() {
		t.Errorf("a dated message lost its time: %+v", p)
	}
}
