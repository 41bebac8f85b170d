package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/importer/twitter"
	"github.com/marsad/marsad/internal/model"
)

// XSearchConfig configures a source of kind "x-search": the X API v2
// recent search, polled for what is newer than the last tweet seen.
type XSearchConfig struct {
	// Query is an X search query, e.g. "from:NAME -is:retweet".
	Query string `json:"query"`
	// MaxResults is the tweets asked for a page, 10 to 100 (default 100).
	MaxResults int `json:"max_results,omitempty"`
	// MaxPages bounds the pages read in one poll (default 5); the rest
	// is read by the next poll, at once.
	MaxPages int `json:"max_pages,omitempty"`
	// BearerEnv names the environment variable holding the bearer token
	// (default MARSAD_X_BEARER). The token itself is never stored.
	BearerEnv string `json:"bearer_env,omitempty"`
	// NoMedia leaves photos and videos as URLs, not downloaded.
	NoMedia bool `json:"no_media,omitempty"`
}

// DefaultBearerEnv is the environment variable read for the X API token.
const DefaultBearerEnv = "MARSAD_X_BEARER"

// xCursor is a search's position: the newest tweet stored (the next
// since_id) and, while a sweep is cut by MaxPages, the page to read next
// and the newest tweet of the sweep so far.
type xCursor struct {
	Since  string `json:"since_id,omitempty"`
	Newest string `json:"newest,omitempty"`
	Next   string `json:"next_token,omitempty"`
}

// XSearchKind collects the X API v2 recent search.
var XSearchKind = xSearchKind("https://api.x.com")

// xSearchKind is the kind with the API at base. The base is not
// configurable by a source, so the token is only ever sent to X (or, in
// tests, to a local server).
func xSearchKind(base string) Kind {
	return Kind{
		Name: "x-search",
		Check: func(raw json.RawMessage) error {
			_, err := parseXSearchConfig(raw)
			return err
		},
		New: func(src model.Source, env Env) (any, error) {
			c, err := parseXSearchConfig(src.Config)
			if err != nil {
				return nil, err
			}
			return &XSearch{Config: c, Env: env, base: base}, nil
		},
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func parseXSearchConfig(raw json.RawMessage) (XSearchConfig, error) {
	var c XSearchConfig
	if err := decodeConfig(raw, &c); err != nil {
		return c, fmt.Errorf("x-search config: %w", err)
	}
	c.Query = strings.TrimSpace(c.Query)
	if c.Query == "" {
		return c, errors.New(`x-search config: "query" is required`)
	}
	if c.MaxResults == 0 {
		c.MaxResults = 100
	}
	if c.MaxResults < 10 || c.MaxResults > 100 {
		return c, fmt.Errorf("x-search config: max_results %d is not between 10 and 100", c.MaxResults)
	}
	if c.MaxPages == 0 {
		c.MaxPages = 5
	}
	if c.MaxPages < 1 || c.MaxPages > 100 {
		return c, fmt.Errorf("x-search config: max_pages %d is not between 1 and 100", c.MaxPages)
	}
	if c.BearerEnv == "" {
		c.BearerEnv = DefaultBearerEnv
	}
	if !envName.MatchString(c.BearerEnv) {
		return c, fmt.Errorf("x-search config: bearer_env %q is not an environment variable's name", c.BearerEnv)
	}
	return c, nil
}

// XSearch polls one recent-search query.
type XSearch struct {
	Config XSearchConfig
	Env    Env
	base   string
}

// The fields the twitter importer reads.
const (
	xExpansions  = "author_id,attachments.media_keys,referenced_tweets.id"
	xTweetFields = "id,text,author_id,created_at,lang,entities,attachments,referenced_tweets"
	xUserFields  = "id,username,name"
	xMediaFields = "media_key,type,url,preview_image_url,variants"
)

// Poll reads the tweets newer than the cursor, newest page first,
// following next_token up to MaxPages pages.
func (x *XSearch) Poll(ctx context.Context, cursor string) (Page, error) {
	token := os.Getenv(x.Config.BearerEnv)
	if token == "" {
		return Page{}, fmt.Errorf("%s is not set: the X API needs a bearer token", x.Config.BearerEnv)
	}
	var cur xCursor
	if cursor != "" {
		if err := json.Unmarshal([]byte(cursor), &cur); err != nil {
			return Page{}, fmt.Errorf("cursor: %w", err)
		}
	}
	header := http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}
	var out []*model.Post
	var problems []string
	seen := map[string]bool{}
	newest, next := cur.Newest, cur.Next
	for range x.Config.MaxPages {
		u := x.url(cur.Since, next)
		fetched := now(x.Env)
		resp, err := x.Env.Fetcher.API(ctx, u, header)
		if err != nil {
			return Page{}, err
		}
		if err := xStatus(resp, fetched); err != nil {
			return Page{}, fmt.Errorf("x-search %s: %w", u, err)
		}
		pg, tw, err := twitter.ReadPage(resp.Body)
		if err != nil {
			return Page{}, fmt.Errorf("x-search %s: %w", u, err)
		}
		for _, e := range tw.Errors {
			problems = append(problems, e.Error())
		}
		for _, t := range pg.Data {
			newest = newerID(newest, t.ID)
		}
		newest = newerID(newest, pg.Meta.NewestID)
		for _, p := range tw.Posts {
			if seen[p.SourceID] {
				continue
			}
			seen[p.SourceID] = true
			// A tweet without created_at keeps no time: when it was
			// fetched is in its provenance, and is not when it was posted.
			p.Provenance = &model.Provenance{FetchedAt: fetched, URL: u}
			for i, m := range p.Media {
				got := fetchMedia(ctx, x.Env, m.URL, x.Config.NoMedia, &problems)
				if got.Type == "" {
					got.Type = m.Type
				}
				p.Media[i] = got
			}
			out = append(out, p)
		}
		next = pg.Meta.NextToken
		if next == "" {
			break
		}
	}
	c := xCursor{Since: newerID(cur.Since, newest)}
	more := false
	if next != "" {
		// The sweep is cut: keep since_id until it is read to the end,
		// so the older tweets of the sweep are not skipped.
		c = xCursor{Since: cur.Since, Newest: newest, Next: next}
		more = true
	}
	b, _ := json.Marshal(c)
	return Page{Posts: out, Cursor: string(b), More: more, Problems: problems}, nil
}

func (x *XSearch) url(since, next string) string {
	q := url.Values{}
	q.Set("query", x.Config.Query)
	q.Set("max_results", strconv.Itoa(x.Config.MaxResults))
	q.Set("expansions", xExpansions)
	q.Set("tweet.fields", xTweetFields)
	q.Set("user.fields", xUserFields)
	q.Set("media.fields", xMediaFields)
	if since != "" {
		q.Set("since_id", since)
	}
	if next != "" {
		q.Set("next_token", next)
	}
	return x.base + "/2/tweets/search/recent?" + q.Encode()
}

// xStatus turns an answer other than 200 into an error that says what X
// said; a 429 is a RetryAfter until the limit resets.
func xStatus(r *Response, now time.Time) error {
	if r.Status == http.StatusOK {
		return nil
	}
	said := ""
	var e struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.Body, &e) == nil {
		switch {
		case e.Detail != "":
			said = ": " + e.Detail
		case e.Title != "":
			said = ": " + e.Title
		case len(e.Errors) > 0:
			said = ": " + e.Errors[0].Message
		}
	}
	switch r.Status {
	case http.StatusTooManyRequests:
		until := resetTime(r.Header, now)
		err := fmt.Errorf("rate limited (HTTP 429) until %s", until.UTC().Format(time.RFC3339))
		return &RetryAfter{Until: until, Err: err}
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("status %d%s (check the bearer token and its access level)", r.Status, said)
	}
	return fmt.Errorf("status %d%s", r.Status, said)
}

// resetTime reads when a rate limit ends: x-rate-limit-reset (Unix
// seconds), else Retry-After (seconds or an HTTP date), else in 15
// minutes, X's rate-limit window.
func resetTime(h http.Header, now time.Time) time.Time {
	if s, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err == nil && s > 0 {
		return time.Unix(s, 0)
	}
	if ra := h.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
			return now.Add(time.Duration(s) * time.Second)
		}
		if t, err := http.ParseTime(ra); err == nil {
			return t
		}
	}
	return now.Add(15 * time.Minute)
}

// newerID is the newer of two tweet ids: decimal strings, compared by
// length and then digit by digit.
func newerID(a, b string) string {
	if len(a) != len(b) {
		if len(a) > len(b) {
			return a
		}
		return b
	}
	return max(a, b)
}
