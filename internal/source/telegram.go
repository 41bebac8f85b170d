package source

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// TelegramConfig configures a source of kind "telegram": a public
// channel read through its web preview.
type TelegramConfig struct {
	Channel string `json:"channel"`
	// Depth is how many older messages are read back on the first polls;
	// 0 means DefaultDepth.
	Depth int `json:"depth,omitempty"`
	// BaseURL is the preview's site; empty means https://t.me. Tests and
	// the demo point it at a local fixture server.
	BaseURL string `json:"base_url,omitempty"`
	// NoMedia leaves photos and videos as URLs, not downloaded.
	NoMedia bool `json:"no_media,omitempty"`
}

// DefaultDepth is how far back a new channel is read.
const DefaultDepth = 100

// tgCursor is a channel's position: the newest message stored, the
// oldest one reached going back, and how many older ones are still wanted.
type tgCursor struct {
	Last   int64 `json:"last"`
	Before int64 `json:"before,omitempty"`
	Left   int   `json:"left,omitempty"`
}

var channelName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

// TelegramKind collects a public Telegram channel's messages.
var TelegramKind = Kind{
	Name: "telegram",
	Check: func(raw json.RawMessage) error {
		_, err := parseTelegramConfig(raw)
		return err
	},
	New: func(src model.Source, env Env) (any, error) {
		c, err := parseTelegramConfig(src.Config)
		if err != nil {
			return nil, err
		}
		return &Telegram{Config: c, Env: env}, nil
	},
}

func parseTelegramConfig(raw json.RawMessage) (TelegramConfig, error) {
	var c TelegramConfig
	if err := decodeConfig(raw, &c); err != nil {
		return c, fmt.Errorf("telegram config: %w", err)
	}
	if !channelName.MatchString(c.Channel) {
		return c, fmt.Errorf("telegram config: channel %q is not a public channel's username", c.Channel)
	}
	if c.Depth < 0 {
		return c, fmt.Errorf("telegram config: depth %d is negative", c.Depth)
	}
	if c.Depth == 0 {
		c.Depth = DefaultDepth
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://t.me"
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("telegram config: base_url %q is not an http or https URL", c.BaseURL)
	}
	return c, nil
}

// Telegram polls one channel's preview: first the newest page, then back
// page by page until Depth messages are read, then forwards on each poll.
type Telegram struct {
	Config TelegramConfig
	Env    Env
}

// Poll reads one page of the channel.
func (t *Telegram) Poll(ctx context.Context, cursor string) (Page, error) {
	var cur tgCursor
	if cursor != "" {
		if err := json.Unmarshal([]byte(cursor), &cur); err != nil {
			return Page{}, fmt.Errorf("cursor: %w", err)
		}
	}
	var u string
	switch {
	case cursor == "":
		u = tmeURL(t.Config.BaseURL, t.Config.Channel, 0, 0)
	case cur.Left > 0 && cur.Before > 1:
		u = tmeURL(t.Config.BaseURL, t.Config.Channel, cur.Before, 0)
	default:
		u = tmeURL(t.Config.BaseURL, t.Config.Channel, 0, cur.Last)
	}
	fetched := now(t.Env)
	resp, err := t.Env.Fetcher.Page(ctx, u, nil)
	if err != nil {
		return Page{}, err
	}
	if resp.Status != http.StatusOK {
		return Page{}, fmt.Errorf("channel %s: %s: status %d", t.Config.Channel, u, resp.Status)
	}
	page, err := parseTMEPage(bytes.NewReader(resp.Body))
	if err != nil {
		return Page{}, fmt.Errorf("channel %s: %s: %w", t.Config.Channel, u, err)
	}
	msgs := page.Messages
	slices.SortFunc(msgs, func(a, b tmeMessage) int { return int(a.ID - b.ID) })
	var out []*model.Post
	var problems []string
	next := cur
	backwards := cursor != "" && cur.Left > 0 && cur.Before > 1
	for _, m := range msgs {
		switch {
		case cursor == "":
		case backwards && m.ID >= cur.Before:
			continue
		case !backwards && m.ID <= cur.Last:
			continue
		}
		out = append(out, t.post(ctx, m, resp.URL, fetched, &problems))
	}
	var more bool
	switch {
	case cursor == "" || backwards:
		if cursor == "" {
			next.Left = t.Config.Depth
		}
		next.Left -= len(out)
		if len(out) > 0 {
			next.Before = msgs[0].ID
			next.Last = max(next.Last, msgs[len(msgs)-1].ID)
		}
		if len(out) == 0 || next.Before <= 1 {
			next.Left = 0
		}
		// Once the history is read, look forwards at once: messages may
		// have come while it was read.
		more = next.Left > 0 || cursor != ""
		if next.Left < 0 {
			next.Left = 0
		}
	default:
		if len(out) > 0 {
			next.Last = msgs[len(msgs)-1].ID
			// A full page may have more after it.
			more = len(out) >= 16
		}
	}
	if next.Left < 0 {
		next.Left = 0
	}
	b, _ := json.Marshal(next)
	return Page{Posts: out, Cursor: string(b), More: more, Problems: problems}, nil
}

func (t *Telegram) post(ctx context.Context, m tmeMessage, from string, fetched time.Time, problems *[]string) *model.Post {
	id := strconv.FormatInt(m.ID, 10)
	p := &model.Post{
		Platform:      "telegram",
		SourceID:      m.Channel + "/" + id,
		Author:        m.Channel,
		Channel:       m.Channel,
		URL:           "https://t.me/" + m.Channel + "/" + id,
		Text:          m.Text,
		Links:         uniq(m.Links),
		PostedAt:      m.Date,
		Views:         m.Views,
		ForwardedFrom: m.ForwardedFrom,
		ReplyTo:       m.ReplyTo,
		Provenance:    &model.Provenance{FetchedAt: fetched, URL: from},
	}
	if m.Signature != "" {
		p.Author = m.Channel + "/" + m.Signature
	}
	// A message shown without a time keeps none: when it was fetched is
	// in its provenance, and is not when it was posted.
	for _, u := range uniq(append(slices.Clone(m.Photos), m.Videos...)) {
		md := fetchMedia(ctx, t.Env, u, t.Config.NoMedia, problems)
		if md.Type == "" {
			md.Type = "image"
			if slices.Contains(m.Videos, u) {
				md.Type = "video"
			}
		}
		p.Media = append(p.Media, md)
	}
	return p
}
