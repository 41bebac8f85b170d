// Package twitter reads X (Twitter) data: API v2 responses (tweets with
// their users, media and referenced tweets expansions) and the account
// archive's tweets.js. See docs/importers.md for the shapes supported.
package twitter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/importer"
	"github.com/marsad/marsad/internal/model"
)

// Platform is the platform name of imported posts.
const Platform = "x"

// Tweets is what a file holds.
type Tweets struct {
	Posts  []*model.Post
	Errors []*importer.Error
	// NoTime counts tweets without created_at: their time is stored as
	// unknown, never as the import's.
	NoTime int
	// Gone lists the tweets the responses say are deleted, not found or
	// not visible (their errors entries), as "ID: detail".
	Gone []string
}

// Page is one API v2 response: GET /2/tweets/search/recent, /2/tweets,
// /2/users/:id/tweets with expansions; a single-tweet lookup
// (GET /2/tweets/:id, whose data is one object); or one message of the
// filtered stream (the same shape, with matching_rules).
type Page struct {
	Data     TweetList `json:"data"`
	Includes struct {
		Users  []User  `json:"users"`
		Media  []Media `json:"media"`
		Tweets []Tweet `json:"tweets"`
	} `json:"includes"`
	Meta struct {
		NewestID    string `json:"newest_id"`
		NextToken   string `json:"next_token"`
		ResultCount int    `json:"result_count"`
	} `json:"meta"`
	Errors []Problem `json:"errors"`
}

// Problem is one entry of a response's errors: a whole request refused,
// or (with resource_id) one tweet, user or media that could not be
// returned, such as a deleted tweet ("Not Found Error") or a protected
// one ("Authorization Error").
type Problem struct {
	Title        string `json:"title"`
	Detail       string `json:"detail"`
	Type         string `json:"type"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
	Parameter    string `json:"parameter"`
	Value        any    `json:"value"`
}

// errorResponse is a response that is only an error of the request (or,
// in a stream, a disconnection message).
type errorResponse struct{ p Problem }

func (e *errorResponse) Error() string {
	return fmt.Sprintf("the response is an error: %s: %s", e.p.Title, e.p.Detail)
}

// gone reports whether p says a tweet is deleted, missing or hidden.
func (p Problem) gone() bool {
	return p.ResourceID != "" && (p.ResourceType == "tweet" || p.ResourceType == "")
}

// TweetList is a response's data: an array of tweets, or one tweet object
// in single-tweet lookups and stream messages.
type TweetList []Tweet

// UnmarshalJSON accepts an array of tweets or one tweet.
func (l *TweetList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var t Tweet
		if err := json.Unmarshal(b, &t); err != nil {
			return err
		}
		*l = TweetList{t}
		return nil
	}
	return json.Unmarshal(b, (*[]Tweet)(l))
}

// Tweet is an API v2 tweet object.
type Tweet struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	CreatedAt        string `json:"created_at"`
	Lang             string `json:"lang"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	Attachments struct {
		MediaKeys []string `json:"media_keys"`
	} `json:"attachments"`
	Entities struct {
		URLs []struct {
			URL         string `json:"url"`
			ExpandedURL string `json:"expanded_url"`
			// UnwoundURL is where the link finally leads, after
			// redirects (enterprise and academic access).
			UnwoundURL string `json:"unwound_url"`
		} `json:"urls"`
	} `json:"entities"`
	// Withheld is set when the tweet is withheld in some countries or
	// for copyright.
	Withheld *struct {
		Copyright    bool     `json:"copyright"`
		CountryCodes []string `json:"country_codes"`
		Scope        string   `json:"scope"`
	} `json:"withheld"`
}

// User is an API v2 user object.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// Media is an API v2 media object.
type Media struct {
	Key      string `json:"media_key"`
	Type     string `json:"type"` // photo, video, animated_gif
	URL      string `json:"url"`
	Preview  string `json:"preview_image_url"`
	Variants []struct {
		ContentType string `json:"content_type"`
		URL         string `json:"url"`
		BitRate     int    `json:"bit_rate"`
	} `json:"variants"`
}

// Read parses an API v2 response, several responses one after another (as
// collected page by page, one per line), or an archive's tweets.js. dir is
// the archive's data folder, where tweets_media/ may hold the media; "" when
// there is none.
func Read(r io.Reader, dir string) (*Tweets, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("window.YTD.")) {
		return readArchive(data, dir)
	}
	out := &Tweets{}
	dec := json.NewDecoder(bytes.NewReader(data))
	for n := 1; ; n++ {
		var raw json.RawMessage
		start := dec.InputOffset()
		if err := dec.Decode(&raw); err == io.EOF {
			if n == 1 {
				return nil, errors.New("empty file")
			}
			return out, nil
		} else if err != nil {
			return nil, offsetError(data, start, err)
		}
		for start < int64(len(data)) && strings.IndexByte(" \t\r\n", data[start]) >= 0 {
			start++ // the response begins after the line breaks before it
		}
		var pg Page
		if err := strictPage(raw, &pg); err != nil {
			line, _ := importer.Position(data, start)
			var er *errorResponse
			if errors.As(err, &er) && n > 1 {
				// One error among responses (a stream's disconnection
				// message, a failed page): the others are kept.
				out.Errors = append(out.Errors, &importer.Error{Where: fmt.Sprintf("response %d (line %d)", n, line), Err: err})
				continue
			}
			return nil, fmt.Errorf("response %d (line %d): %w", n, line, err)
		}
		out.add(&pg, fmt.Sprintf("response %d", n))
	}
}

// ReadPage parses one API v2 response, as a poller receives it, and
// returns it (for its meta: newest id, next token) with its tweets and
// the tweets they reference as posts.
func ReadPage(raw []byte) (*Page, *Tweets, error) {
	raw = bytes.TrimSpace(raw)
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, nil, importer.JSONError(raw, err)
	}
	var pg Page
	if err := strictPage(raw, &pg); err != nil {
		return nil, nil, err
	}
	out := &Tweets{}
	out.add(&pg, "response")
	return &pg, out, nil
}

func offsetError(data []byte, start int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		se.Offset += start
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		te.Offset += start
	}
	return importer.JSONError(data, err)
}

// strictPage decodes one response and refuses what is not one.
func strictPage(raw json.RawMessage, pg *Page) error {
	if len(raw) == 0 || raw[0] != '{' {
		return errors.New(`not an X API v2 response: want an object with "data"`)
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(raw, &keys)
	if _, ok := keys["data"]; !ok {
		if _, ok := keys["errors"]; !ok {
			if _, ok := keys["meta"]; !ok {
				return errors.New(`not an X API v2 response: no "data", "meta" or "errors"`)
			}
		}
	}
	if err := json.Unmarshal(raw, pg); err != nil {
		return importer.JSONError(raw, err)
	}
	if len(pg.Data) == 0 && len(pg.Errors) > 0 {
		for _, e := range pg.Errors {
			if !e.gone() {
				return &errorResponse{e}
			}
		}
		// Only tweets that are gone: a lookup of deleted tweets.
	}
	return nil
}

// add turns a page's tweets, and the tweets they reference, into posts.
func (out *Tweets) add(pg *Page, where string) {
	users := map[string]User{}
	for _, u := range pg.Includes.Users {
		users[u.ID] = u
	}
	media := map[string]Media{}
	for _, m := range pg.Includes.Media {
		media[m.Key] = m
	}
	gone := map[string]string{} // tweet id → why the response could not return it
	for _, e := range pg.Errors {
		if e.gone() {
			why := e.Detail
			if why == "" {
				why = e.Title
			}
			gone[e.ResourceID] = why
			out.Gone = append(out.Gone, e.ResourceID+": "+why)
		}
	}
	authors := map[string]string{} // tweet id → author id, to name a retweet's source
	for _, list := range [][]Tweet{pg.Data, pg.Includes.Tweets} {
		for _, tw := range list {
			authors[tw.ID] = tw.AuthorID
		}
	}
	for i, list := range [][]Tweet{pg.Data, pg.Includes.Tweets} {
		field := "data"
		if i == 1 {
			field = "includes.tweets"
		}
		for j, tw := range list {
			p, err := tw.post(users, media)
			if err != nil {
				err.Where = fmt.Sprintf("%s %s[%d]", where, field, j)
				out.Errors = append(out.Errors, err)
				continue
			}
			if tw.CreatedAt == "" {
				out.NoTime++
			}
			for _, ref := range tw.ReferencedTweets {
				if why, ok := gone[ref.ID]; ok {
					p.Notice = joinNotice(p.Notice, fmt.Sprintf("the %s tweet %s is gone: %s", refWord(ref.Type), ref.ID, why))
				}
				switch ref.Type {
				case "replied_to":
					p.ReplyTo = ref.ID
				case "retweeted":
					// The original's author when the response expanded it,
					// else the name in the "RT @name:" the text begins with.
					p.ForwardedFrom = retweetOf(tw.Text)
					if id, ok := authors[ref.ID]; ok {
						if u, ok := users[id]; ok && u.Username != "" {
							p.ForwardedFrom = u.Username
						} else if id != "" {
							p.ForwardedFrom = id
						}
					}
				}
			}
			out.Posts = append(out.Posts, p)
		}
	}
}

func (tw Tweet) post(users map[string]User, media map[string]Media) (*model.Post, *importer.Error) {
	if tw.ID == "" {
		return nil, importer.Errorf("", "id", "required")
	}
	p := &model.Post{Platform: Platform, SourceID: tw.ID, Text: tw.Text, Lang: lang(tw.Lang), Author: tw.AuthorID}
	if u, ok := users[tw.AuthorID]; ok && u.Username != "" {
		p.Author = u.Username
		p.URL = "https://x.com/" + u.Username + "/status/" + tw.ID
	} else {
		p.URL = "https://x.com/i/web/status/" + tw.ID
	}
	if tw.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339, tw.CreatedAt)
		if err != nil {
			return nil, importer.Errorf("", "created_at", "%q is not an RFC 3339 time", tw.CreatedAt)
		}
		p.PostedAt = t
	}
	for _, u := range tw.Entities.URLs {
		switch {
		case u.ExpandedURL != "":
			p.Links = append(p.Links, u.ExpandedURL)
		case u.URL != "":
			p.Links = append(p.Links, u.URL)
		}
		// Where a shortened link finally leads is a link of its own, as
		// a CrowdTangle "Final Link" is: banks may list either.
		if u.UnwoundURL != "" && u.UnwoundURL != u.ExpandedURL {
			p.Links = append(p.Links, u.UnwoundURL)
		}
	}
	if w := tw.Withheld; w != nil {
		switch {
		case len(w.CountryCodes) > 0:
			p.Notice = fmt.Sprintf("withheld in %s", strings.Join(w.CountryCodes, ", "))
		default:
			p.Notice = "withheld"
		}
		if w.Copyright {
			p.Notice += " (copyright)"
		}
	}
	for _, k := range tw.Attachments.MediaKeys {
		m, ok := media[k]
		if !ok {
			continue // not expanded in this response
		}
		if md, ok := m.media(); ok {
			p.Media = append(p.Media, md)
		}
	}
	return p, nil
}

// media picks the URL to record: the photo, or the video's best MP4.
func (m Media) media() (model.Media, bool) {
	switch m.Type {
	case "photo":
		return model.Media{URL: m.URL, Type: "image"}, m.URL != ""
	case "video", "animated_gif":
		best, rate := "", -1
		for _, v := range m.Variants {
			if v.ContentType == "video/mp4" && v.BitRate > rate {
				best, rate = v.URL, v.BitRate
			}
		}
		if best == "" {
			best = m.Preview
		}
		return model.Media{URL: best, Type: "video"}, best != ""
	}
	return model.Media{}, false
}

// refWord names a referenced tweet by how it is referenced.
func refWord(typ string) string {
	switch typ {
	case "replied_to":
		return "replied-to"
	case "retweeted":
		return "retweeted"
	case "quoted":
		return "quoted"
	}
	return "referenced"
}

func joinNotice(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// retweetOf returns the name in a retweet's "RT @name: " prefix, or "".
func retweetOf(text string) string {
	rest, ok := strings.CutPrefix(text, "RT @")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, ":")
	if !ok || name == "" || strings.ContainsAny(name, " \n") {
		return ""
	}
	return name
}

// lang drops X's codes for "no language" ("und", "zxx", "qme"...).
func lang(s string) string {
	if s == "und" || strings.HasPrefix(s, "q") || s == "zxx" {
		return ""
	}
	return s
}

// archiveTweet is one tweet in tweets.js (the v1.1 shape).
type archiveTweet struct {
	Tweet struct {
		IDStr     string `json:"id_str"`
		ReplyTo   string `json:"in_reply_to_status_id_str"`
		FullText  string `json:"full_text"`
		CreatedAt string `json:"created_at"`
		Lang      string `json:"lang"`
		Entities  struct {
			URLs []struct {
				ExpandedURL string `json:"expanded_url"`
			} `json:"urls"`
		} `json:"entities"`
		Extended struct {
			Media []struct {
				URL       string `json:"media_url_https"`
				Type      string `json:"type"`
				VideoInfo struct {
					Variants []struct {
						ContentType string `json:"content_type"`
						URL         string `json:"url"`
						BitRate     string `json:"bitrate"`
					} `json:"variants"`
				} `json:"video_info"`
			} `json:"media"`
		} `json:"extended_entities"`
	} `json:"tweet"`
}

// readArchive reads tweets.js. The account's username comes from
// account.js beside it, when there; the media from tweets_media/.
func readArchive(data []byte, dir string) (*Tweets, error) {
	i := bytes.IndexByte(data, '=')
	if i < 0 {
		return nil, errors.New(`tweets.js: no "=" after window.YTD...`)
	}
	body := data[i+1:]
	var items []archiveTweet
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, fmt.Errorf("tweets.js: %w", offsetError(data, int64(i+1), err))
	}
	username := ""
	if dir != "" {
		username = archiveUsername(dir)
	}
	var mediaDir fs.FS
	if dir != "" {
		mediaDir = os.DirFS(dir)
	}
	out := &Tweets{}
	for n, it := range items {
		tw := it.Tweet
		where := fmt.Sprintf("tweets.js [%d]", n)
		if tw.IDStr == "" {
			out.Errors = append(out.Errors, importer.Errorf(where, "tweet.id_str", "required"))
			continue
		}
		p := &model.Post{Platform: Platform, SourceID: tw.IDStr, Text: tw.FullText, Lang: lang(tw.Lang), Author: username,
			ReplyTo: tw.ReplyTo, ForwardedFrom: retweetOf(tw.FullText)}
		if username != "" {
			p.URL = "https://x.com/" + username + "/status/" + tw.IDStr
		}
		if tw.CreatedAt == "" {
			out.NoTime++ // stored as of unknown time
		} else {
			t, err := time.Parse(time.RubyDate, tw.CreatedAt)
			if err != nil {
				out.Errors = append(out.Errors, importer.Errorf(where, "tweet.created_at", "%q is not a time such as Wed Oct 10 20:19:24 +0000 2018", tw.CreatedAt))
				continue
			}
			p.PostedAt = t
		}
		for _, u := range tw.Entities.URLs {
			if u.ExpandedURL != "" {
				p.Links = append(p.Links, u.ExpandedURL)
			}
		}
		for _, m := range tw.Extended.Media {
			md := model.Media{URL: m.URL, Type: "image"}
			if m.Type != "photo" {
				md.Type = "video"
				for _, v := range m.VideoInfo.Variants {
					if v.ContentType == "video/mp4" {
						md.URL = v.URL
					}
				}
			}
			// The archive keeps each file as tweets_media/<tweet id>-<name>.
			local := "tweets_media/" + tw.IDStr + "-" + path.Base(strings.SplitN(md.URL, "?", 2)[0])
			if mediaDir != nil {
				if _, err := fs.Stat(mediaDir, local); err == nil {
					md.Path = local
				}
			}
			p.Media = append(p.Media, md)
		}
		out.Posts = append(out.Posts, p)
	}
	return out, nil
}

func archiveUsername(dir string) string {
	b, err := os.ReadFile(dir + "/account.js")
	if err != nil {
		return ""
	}
	i := bytes.IndexByte(b, '=')
	if i < 0 {
		return ""
	}
	var acc []struct {
		Account struct {
			Username string `json:"username"`
		} `json:"account"`
	}
	if json.Unmarshal(b[i+1:], &acc) != nil || len(acc) == 0 {
		return ""
	}
	return acc[0].Account.Username
}
