package source

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseTMEPage(t *testing.T) {
	tests := []struct {
		file   string
		ids    []int64
		before int64
	}{
		{"latest.html", []int64{8, 9, 10}, 8},
		{"before8.html", []int64{5, 6, 7}, 5},
		{"before5.html", []int64{1, 2, 3, 4}, 0},
		{"after12.html", nil, 12},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open("testdata/telegram/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			page, err := parseTMEPage(f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, m := range page.Messages {
				ids = append(ids, m.ID)
				if m.Channel != "sahel_watch_test" || m.Date.IsZero() || m.Text == "" || m.Views == 0 || m.ChannelTitle == "" {
					t.Errorf("message %d incomplete: %+v", m.ID, m)
				}
			}
			if !equal(ids, tt.ids) || page.Before != tt.before {
				t.Errorf("ids %v before %d, want %v before %d", ids, page.Before, tt.ids, tt.before)
			}
		})
	}
}

func TestParseTMEMessageFields(t *testing.T) {
	msgs := map[int64]tmeMessage{}
	for _, name := range []string{"latest.html", "before8.html", "before5.html", "after10.html"} {
		f, _ := os.Open("testdata/telegram/" + name)
		page, err := parseTMEPage(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Messages {
			msgs[m.ID] = m
		}
	}
	if m := msgs[2]; !strings.Contains(m.Text, "نواكشوط") || !strings.Contains(m.Text, "\nالمصدر") || len(m.Links) != 1 || m.Views != 1100 {
		t.Errorf("message 2: text %q links %v views %d", m.Text, m.Links, m.Views)
	}
	if m := msgs[5]; m.ForwardedFrom != "https://t.me/counter_voices_test/88" {
		t.Errorf("message 5 forwarded from %q", m.ForwardedFrom)
	}
	if m := msgs[4]; m.Signature != "Amina" {
		t.Errorf("message 4 signature %q", m.Signature)
	}
	if m := msgs[3]; len(m.Photos) != 1 || !strings.HasSuffix(m.Photos[0], "route-map.jpg") {
		t.Errorf("message 3 photos %v", m.Photos)
	}
	if m := msgs[10]; m.Views != 12500 || !m.Date.Equal(time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("message 10 views %d date %v", m.Views, m.Date)
	}
	if m := msgs[1]; len(m.Photos) != 0 || m.ForwardedFrom != "" {
		t.Errorf("message 1 took the avatar or a forward: %+v", m)
	}
}

func TestParseTMEPageNotAChannel(t *testing.T) {
	_, err := parseTMEPage(strings.NewReader(`<html><body><div class="tgme_page">Please open Telegram</div></body></html>`))
	if err == nil || !strings.Contains(err.Error(), "no channel history") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParseTMEPage(f *testing.F) {
	for _, name := range []string{"latest.html", "before5.html", "media.html"} {
		b, _ := os.ReadFile("testdata/telegram/" + name)
		f.Add(b)
	}
	f.Add([]byte(`<section class="tgme_channel_history"><div class="tgme_widget_message" data-post="a/x"></div>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		page, err := parseTMEPage(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		for _, m := range page.Messages {
			if m.ID <= 0 {
				t.Fatalf("message id %d", m.ID)
			}
		}
	})
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseTMEVideoAndReply(t *testing.T) {
	f, err := os.Open("testdata/telegram/media.html")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, err := parseTMEPage(f)
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[int64]tmeMessage{}
	for _, m := range page.Messages {
		msgs[m.ID] = m
	}
	if m := msgs[21]; len(m.Videos) != 1 || m.Videos[0] != "MEDIA/file/convoy.mp4?token=abc" || len(m.Photos) != 0 {
		t.Errorf("playable video: videos %v photos %v", m.Videos, m.Photos)
	}
	if m := msgs[22]; len(m.Videos) != 0 || len(m.Photos) != 1 || m.Photos[0] != "PHOTO/speech-thumb.jpg" {
		t.Errorf("video too big for the preview: videos %v photos %v, want its thumbnail", m.Videos, m.Photos)
	}
	if m := msgs[23]; m.ReplyTo != "sahel_media_test/20" || len(m.Photos) != 0 || !strings.HasPrefix(m.Text, "Mise à jour") {
		t.Errorf("reply: reply_to %q photos %v text %q", m.ReplyTo, m.Photos, m.Text)
	}
	if m := msgs[24]; len(m.Videos) != 1 || m.Videos[0] != "MEDIA/file/round.mp4" || len(m.Photos) != 0 {
		t.Errorf("round video: videos %v photos %v", m.Videos, m.Photos)
	}
	if m := msgs[25]; !m.Date.IsZero() {
		t.Errorf("message without a time: %v", m.Date)
	}
	if m := msgs[20]; m.ReplyTo != "" || len(m.Photos) != 1 {
		t.Errorf("message 20: %+v", m)
	}
}

func TestReplyTo(t *testing.T) {
	for _, tt := range []struct{ href, want string }{
		{"https://t.me/sahel_media_test/20", "sahel_media_test/20"},
		{"https://t.me/sahel_media_test/20?single", "sahel_media_test/20"},
		{"https://t.me/s/sahel_media_test/20", "sahel_media_test/20"},
		{"/sahel_media_test/20", "sahel_media_test/20"},
		{"https://t.me/c/1234567/20", "1234567/20"},
		{"https://t.me/sahel_media_test", ""},
		{"https://example.org/a/20", ""},
		{"", ""},
	} {
		if got := tmeReplyTo(tt.href); got != tt.want {
			t.Errorf("tmeReplyTo(%q) = %q, want %q", tt.href, got, tt.want)
		}
	}
}
