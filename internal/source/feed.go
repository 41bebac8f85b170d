package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/marsad/marsad/internal/model"
)

// FeedConfig configures a source of kind "feed".
type FeedConfig struct {
	// URL is the RSS, Atom or JSON Feed document.
	URL string `json:"url"`
	// NoMedia leaves enclosures and images as URLs, not downloaded.
	NoMedia bool `json:"no_media,omitempty"`
}

// feedCursor is a feed's position: the ids of the items already taken
// (feeds repeat their recent items on every fetch) and the validators
// of the last answer for a conditional GET.
type feedCursor struct {
	Seen         []string `json:"seen,omitempty"`
	ETag         string   `json:"etag,omitempty"`
	LastModified string   `json:"last_modified,omitempty"`
}

// feedSeenMax bounds the ids kept: more than any feed shows at once.
const feedSeenMax = 2000

// FeedKind collects RSS, Atom and JSON Feed items.
var FeedKind = Kind{
	Name: "feed",
	Check: func(raw json.RawMessage) error {
		_, err := parseFeedConfig(raw)
		return err
	},
	New: func(src model.Source, env Env) (any, error) {
		c, err := parseFeedConfig(src.Config)
		if err != nil {
			return nil, err
		}
		return &Feed{Config: c, Env: env}, nil
	},
}

// decodeConfig reads a source's JSON configuration into v, refusing
// fields v does not have, so a misspelt option is an error, not ignored.
func decodeConfig(raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func parseFeedConfig(raw json.RawMessage) (FeedConfig, error) {
	var c FeedConfig
	if err := decodeConfig(raw, &c); err != nil {
		return c, fmt.Errorf("feed config: %w", err)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("feed config: url %q is not an http or https URL", c.URL)
	}
	return c, nil
}

// Feed polls one feed.
type Feed struct {
	Config FeedConfig
	Env    Env
}

// Poll fetches the feed and returns the items not taken before.
func (f *Feed) Poll(ctx context.Context, cursor string) (Page, error) {
	var cur feedCursor
	if cursor != "" {
		if err := json.Unmarshal([]byte(cursor), &cur); err != nil {
			return Page{}, fmt.Errorf("cursor: %w", err)
		}
	}
	h := http.Header{}
	if cur.ETag != "" {
		h.Set("If-None-Match", cur.ETag)
	}
	if cur.LastModified != "" {
		h.Set("If-Modified-Since", cur.LastModified)
	}
	fetched := now(f.Env)
	resp, err := f.Env.Fetcher.Page(ctx, f.Config.URL, h)
	if err != nil {
		return Page{}, err
	}
	if resp.Status == http.StatusNotModified {
		return Page{Cursor: cursor}, nil
	}
	if resp.Status != http.StatusOK {
		return Page{}, fmt.Errorf("feed %s: status %d", f.Config.URL, resp.Status)
	}
	var problems []string
	body, guessed, err := feedUTF8(resp.Body, resp.Type)
	if err != nil {
		return Page{}, fmt.Errorf("feed %s: %w", f.Config.URL, err)
	}
	if guessed {
		problems = append(problems, fmt.Sprintf("feed %s: not UTF-8 and no charset given; read as windows-1252", f.Config.URL))
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return Page{}, fmt.Errorf("feed %s: %w", f.Config.URL, err)
	}
	var posts []*model.Post
	skipped := map[string]int{}
	seen := map[string]bool{}
	for _, id := range cur.Seen {
		seen[id] = true
	}
	inFeed := map[string]bool{}
	var taken []string
	// Feeds list the newest first; posts are stored oldest first.
	for i := len(feed.Items) - 1; i >= 0; i-- {
		it := feed.Items[i]
		id := itemID(f.Config.URL, it)
		if id == "" || inFeed[id] {
			// Counted once: the key of what was skipped is kept with
			// the ids taken, so the next fetch passes over it quietly.
			key := "skipped:" + contentID(f.Config.URL, it)
			if !seen[key] {
				seen[key] = true
				taken = append(taken, key)
				if id == "" {
					skipped[SkipEmpty]++
				} else {
					skipped[SkipDuplicate]++
				}
			}
			continue
		}
		inFeed[id] = true
		if seen[id] {
			continue
		}
		seen[id] = true
		taken = append(taken, id)
		posts = append(posts, f.post(ctx, feed, it, id, resp.URL, fetched, &problems))
	}
	cur.Seen = append(cur.Seen, taken...)
	if n := len(cur.Seen); n > feedSeenMax {
		cur.Seen = slices.Clone(cur.Seen[n-feedSeenMax:])
	}
	cur.ETag, cur.LastModified = resp.ETag, resp.LastModified
	b, _ := json.Marshal(cur)
	if len(skipped) == 0 {
		skipped = nil
	}
	return Page{Posts: posts, Cursor: string(b), Problems: problems, Skipped: skipped}, nil
}

// itemID is an item's id on its platform: its GUID when that is a URL,
// else the feed's URL and the GUID (or the item's link), since GUIDs are
// unique only within a feed. An item with neither is named by a hash of
// its content (contentID); one with no content either has no id ("").
func itemID(feedURL string, it *gofeed.Item) string {
	g := strings.TrimSpace(it.GUID)
	if g == "" {
		g = strings.TrimSpace(it.Link)
	}
	if g == "" {
		if itemEmpty(it) {
			return ""
		}
		return contentID(feedURL, it)
	}
	if strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
		return g
	}
	return feedURL + "#" + g
}

// itemEmpty reports whether an item has nothing to store: no title, text,
// date or media.
func itemEmpty(it *gofeed.Item) bool {
	return strings.TrimSpace(it.Title) == "" && strings.TrimSpace(it.Content) == "" && strings.TrimSpace(it.Description) == "" &&
		strings.TrimSpace(it.Published) == "" && strings.TrimSpace(it.Updated) == "" && len(it.Enclosures) == 0 && it.Image == nil
}

// contentID names an item by a hash of what it says (title, text, dates
// and media addresses), so the same item read again has the same id. An
// item edited in place is a new item.
func contentID(feedURL string, it *gofeed.Item) string {
	h := sha256.New()
	field := func(s string) {
		s = strings.TrimSpace(s)
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	field(it.Title)
	field(it.Content)
	field(it.Description)
	field(it.Published)
	field(it.Updated)
	for _, e := range it.Enclosures {
		field(e.URL)
	}
	if it.Image != nil {
		field(it.Image.URL)
	}
	return feedURL + "#sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
}

func (f *Feed) post(ctx context.Context, feed *gofeed.Feed, it *gofeed.Item, id, fetchedFrom string, fetched time.Time, problems *[]string) *model.Post {
	p := &model.Post{Platform: "feed", SourceID: id, URL: it.Link, Channel: feed.Title}
	if p.Channel == "" {
		p.Channel = f.Config.URL
	}
	switch {
	case len(it.Authors) > 0 && it.Authors[0].Name != "":
		p.Author = it.Authors[0].Name
	case feed.Title != "":
		p.Author = feed.Title
	}
	switch {
	case it.PublishedParsed != nil:
		p.PostedAt = *it.PublishedParsed
	case it.UpdatedParsed != nil:
		p.PostedAt = *it.UpdatedParsed
	}
	// An item without a date keeps none: the time it was fetched is in
	// its provenance, and is not when it was posted.
	body := it.Content
	if body == "" {
		body = it.Description
	}
	text, links := htmlText(body)
	p.Text = strings.TrimSpace(strings.TrimSpace(it.Title) + "\n\n" + text)
	if it.Link != "" {
		links = append([]string{it.Link}, links...)
	}
	p.Links = uniq(links)
	var media []string
	for _, e := range it.Enclosures {
		if e.URL != "" && (e.Type == "" || strings.HasPrefix(e.Type, "image/") || strings.HasPrefix(e.Type, "video/")) {
			media = append(media, e.URL)
		}
	}
	if it.Image != nil && it.Image.URL != "" {
		media = append(media, it.Image.URL)
	}
	for _, u := range uniq(media) {
		p.Media = append(p.Media, fetchMedia(ctx, f.Env, u, f.Config.NoMedia, problems))
	}
	p.Provenance = &model.Provenance{FetchedAt: fetched, URL: fetchedFrom}
	return p
}

// fetchMedia downloads one media file. A file that cannot be had (too
// large, not an image or video, refused by the guard) is kept as its URL
// alone, so the post is still stored, and the fault is added to problems.
func fetchMedia(ctx context.Context, env Env, u string, urlOnly bool, problems *[]string) model.Media {
	m := model.Media{URL: u}
	if urlOnly || env.Fetcher == nil {
		return m
	}
	r, err := env.Fetcher.Media(ctx, u)
	if err != nil {
		*problems = append(*problems, "media: "+err.Error())
		return m
	}
	m.Data = r.Body
	if strings.HasPrefix(r.Type, "video/") {
		m.Type = "video"
	} else {
		m.Type = "image"
	}
	return m
}

// htmlText is the text of an HTML fragment, with paragraph breaks, and
// the links in it. Nothing in it is run.
func htmlText(s string) (string, []string) {
	if !strings.ContainsAny(s, "<&") {
		return s, nil
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	var links []string
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String()), links
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "script", "style":
				skip++
			case "br", "p", "div", "li":
				b.WriteByte('\n')
			case "a":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" && (bytes.HasPrefix(v, []byte("http://")) || bytes.HasPrefix(v, []byte("https://"))) {
						links = append(links, string(v))
					}
				}
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "script" || string(name) == "style" {
				skip = max(0, skip-1)
			}
		}
	}
}

func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func now(env Env) time.Time {
	if env.Now != nil {
		return env.Now().UTC()
	}
	return time.Now().UTC()
}
