// Package telegram reads Telegram Desktop's JSON export ("Export chat
// history" → JSON): the result.json of one channel or group, or the
// chats.list of a full account export, with the media files beside it.
// See docs/importers.md for the shape supported.
package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/importer"
	"github.com/marsad/marsad/internal/model"
)

// Platform is the platform name of imported posts.
const Platform = "telegram"

// Export is what an export file holds.
type Export struct {
	// Posts are the messages, in export order.
	Posts []*model.Post
	// Skipped counts service messages (joins, pins, calls): not posts.
	Skipped int
	// NotIncluded counts media the export left out ("File not included").
	NotIncluded int
	Errors      []*importer.Error
}

type chat struct {
	Name     *string   `json:"name"`
	Type     string    `json:"type"`
	ID       *int64    `json:"id"`
	Messages []message `json:"messages"`
}

type message struct {
	ID            *int64          `json:"id"`
	Type          string          `json:"type"`
	Date          string          `json:"date"`
	DateUnix      string          `json:"date_unixtime"`
	From          *string         `json:"from"`
	FromID        string          `json:"from_id"`
	ReplyTo       *int64          `json:"reply_to_message_id"`
	ForwardedFrom *string         `json:"forwarded_from"`
	Photo         string          `json:"photo"`
	File          string          `json:"file"`
	MediaType     string          `json:"media_type"`
	Text          json.RawMessage `json:"text"`
}

// notIncluded is how Telegram Desktop marks a file it did not export.
const notIncluded = "(File not included."

// Read parses an export. A message that cannot become a post is reported
// in Errors by its id and the rest are kept; a file that is not an export
// at all is an error.
func Read(r io.Reader) (*Export, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var top struct {
		chat
		Chats *struct {
			List []chat `json:"list"`
		} `json:"chats"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, importer.JSONError(data, err)
	}
	var chats []chat
	switch {
	case top.Messages != nil:
		chats = []chat{top.chat}
	case top.Chats != nil:
		chats = top.Chats.List
	default:
		return nil, errors.New(`not a Telegram Desktop export: no "messages" array and no "chats.list" (export as JSON, not HTML)`)
	}
	ex := &Export{}
	for ci, c := range chats {
		if c.ID == nil {
			return nil, fmt.Errorf("chat %d: id: required", ci+1)
		}
		for mi, m := range c.Messages {
			msg, err := convert(c, m)
			switch {
			case err != nil:
				where := fmt.Sprintf("chat %d message[%d]", *c.ID, mi)
				if m.ID != nil {
					where = fmt.Sprintf("chat %d message %d", *c.ID, *m.ID)
				}
				err.Where = where
				ex.Errors = append(ex.Errors, err)
			case msg == nil:
				ex.Skipped++
			default:
				if strings.HasPrefix(m.Photo, notIncluded) || strings.HasPrefix(m.File, notIncluded) {
					ex.NotIncluded++
				}
				ex.Posts = append(ex.Posts, msg)
			}
		}
	}
	return ex, nil
}

func convert(c chat, m message) (*model.Post, *importer.Error) {
	if m.Type == "service" {
		return nil, nil
	}
	if m.Type != "message" {
		return nil, importer.Errorf("", "type", "unknown message type %q", m.Type)
	}
	if m.ID == nil {
		return nil, importer.Errorf("", "id", "required")
	}
	p := &model.Post{
		Platform: Platform,
		SourceID: sourceID(*c.ID, *m.ID),
		Author:   m.FromID,
	}
	if p.Author == "" && m.From != nil {
		p.Author = *m.From
	}
	if c.Name != nil {
		p.Channel = *c.Name
	}
	if strings.Contains(c.Type, "channel") || strings.Contains(c.Type, "supergroup") {
		p.URL = fmt.Sprintf("https://t.me/c/%d/%d", *c.ID, *m.ID)
	}
	t, err := date(m)
	if err != nil {
		return nil, err
	}
	p.PostedAt = t
	text, links, err := flatten(m.Text)
	if err != nil {
		return nil, err
	}
	p.Text, p.Links = text, links
	for _, f := range []struct{ field, name, typ string }{
		{"photo", m.Photo, "image"},
		{"file", m.File, fileType(m.MediaType)},
	} {
		if f.name == "" || strings.HasPrefix(f.name, notIncluded) {
			continue
		}
		if err := checkPath(f.name); err != nil {
			return nil, importer.Errorf("", f.field, "%v", err)
		}
		p.Media = append(p.Media, model.Media{Path: f.name, Type: f.typ})
	}
	if m.ReplyTo != nil {
		p.ReplyTo = sourceID(*c.ID, *m.ReplyTo)
	}
	if m.ForwardedFrom != nil {
		p.ForwardedFrom = *m.ForwardedFrom
	}
	return p, nil
}

// sourceID names a message uniquely across chats: message ids are per chat.
func sourceID(chatID, msgID int64) string {
	return strconv.FormatInt(chatID, 10) + "/" + strconv.FormatInt(msgID, 10)
}

// date prefers date_unixtime (exports since 2022); the older date field is
// the exporting computer's local time without a zone, taken as UTC.
func date(m message) (time.Time, *importer.Error) {
	if m.DateUnix != "" {
		s, err := strconv.ParseInt(m.DateUnix, 10, 64)
		if err != nil {
			return time.Time{}, importer.Errorf("", "date_unixtime", "%q is not a number of seconds", m.DateUnix)
		}
		return time.Unix(s, 0).UTC(), nil
	}
	if m.Date == "" {
		return time.Time{}, importer.Errorf("", "date", "required")
	}
	t, err := time.Parse("2006-01-02T15:04:05", m.Date)
	if err != nil {
		return time.Time{}, importer.Errorf("", "date", "%q is not a time such as 2024-01-02T15:04:05", m.Date)
	}
	return t, nil
}

// entity is one run of formatted text.
type entity struct {
	Type string `json:"type"`
	Text string `json:"text"`
	Href string `json:"href"`
}

// flatten turns the text field, a string or an array mixing strings and
// entities, into plain text and the links it carries.
func flatten(raw json.RawMessage) (string, []string, *importer.Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", nil, importer.Errorf("", "text", "%v", err)
		}
		return s, nil, nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", nil, importer.Errorf("", "text", "want a string or an array of strings and entities")
	}
	var b strings.Builder
	var links []string
	for i, part := range parts {
		if len(part) > 0 && part[0] == '"' {
			var s string
			json.Unmarshal(part, &s)
			b.WriteString(s)
			continue
		}
		var e entity
		if err := json.Unmarshal(part, &e); err != nil || e.Type == "" {
			return "", nil, importer.Errorf("", fmt.Sprintf("text[%d]", i), "want a string or an entity object with a type")
		}
		b.WriteString(e.Text)
		switch e.Type {
		case "link":
			links = append(links, e.Text)
		case "text_link":
			links = append(links, e.Href)
		}
	}
	return b.String(), links, nil
}

func fileType(mediaType string) string {
	switch mediaType {
	case "video_file", "animation", "video_message":
		return "video"
	case "sticker":
		return "image"
	}
	return "" // sniffed from the file
}

// checkPath refuses what can never be inside the export folder. The
// pipeline opens files through os.Root as well, which also stops symlinks.
func checkPath(name string) error {
	if path.IsAbs(name) || strings.HasPrefix(name, `\`) || (len(name) > 1 && name[1] == ':') {
		return fmt.Errorf("%s: absolute paths are not accepted; media must be inside the export folder", name)
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return fmt.Errorf(`%s: ".." is not accepted; media must be inside the export folder`, name)
		}
	}
	return nil
}
