package source

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// FuzzFeedItems feeds any bytes and Content-Type through the reading of
// charsets, the feed parser and the making of posts: an error or posts,
// never a crash, and every post has an id.
func FuzzFeedItems(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json", "broken.xml", "noid.xml", "latin1-header.xml", "cp1252-decl.xml"} {
		b, _ := os.ReadFile("testdata/feed/" + name)
		f.Add(b, "application/rss+xml; charset=iso-8859-1")
	}
	fd := &Feed{Config: FeedConfig{URL: "https://feed.example/rss.xml", NoMedia: true}}
	f.Fuzz(func(t *testing.T, b []byte, contentType string) {
		b, _, err := feedUTF8(b, contentType)
		if err != nil {
			return
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		var problems []string
		for _, it := range feed.Items {
			id := itemID(fd.Config.URL, it)
			if id == "" {
				continue
			}
			p := fd.post(context.Background(), feed, it, id, fd.Config.URL, time.Unix(0, 0), &problems)
			if p.SourceID == "" || p.Platform != "feed" {
				t.Fatalf("post %+v", p)
			}
		}
	})
}

func FuzzHTMLText(f *testing.F) {
	f.Add(`<p>نص <a href="https://a.example/x">lien</a></p><script>alert(1)</script>`)
	f.Add(`<style>p{}</style><br>text &amp; more`)
	f.Fuzz(func(t *testing.T, s string) {
		text, _ := htmlText(s)
		if len(s) > 0 && bytes.Contains([]byte(s), []byte("<script>SECRET</script>")) && bytes.Contains([]byte(text), []byte("SECRET")) {
			t.Fatalf("script text kept: %q", text)
		}
	})
}
