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
	// NotIncluded counts media the export left out ("File not included");
	// each is kept on its post as missing media.
	NotIncluded int
	// Errors are the messages refused, and the cut when the file ends
	// early (also in Cut).
	Errors []*importer.Error
	// Cut is set when the file breaks off after some messages were read:
	// those are kept, and Cut says where the file stopped.
	Cut *importer.Error
}

type chat struct {
	Name *string
	Type string
	ID   *int64
	// read counts the chat's messages read so far; pending holds them
	// while the chat's id is not known yet.
	read    int
	pending []json.RawMessage
}

type message struct {
	ID            *int64          `json:"id"`
	Type          string          `json:"type"`
	Date          string          `json:"date"`
	DateUnix      string          `json:"date_unixtime"`
	From          *string         `json:"from"`
	FromID        json.RawMessage `json:"from_id"`
	Author        string          `json:"author"`
	ReplyTo       *int64          `json:"reply_to_message_id"`
	ForwardedFrom *string         `json:"forwarded_from"`
	Photo         string          `json:"photo"`
	File          string          `json:"file"`
	MediaType     string          `json:"media_type"`
	Text          json.RawMessage `json:"text"`
}

// Read parses an export as a stream, message by message. A message that
// cannot become a post is reported in Errors by its id and the rest are
// kept. A file that breaks off (cut short, or not JSON from some point)
// keeps the messages before the break and says in Cut where it stopped; a
// file that is not an export at all, or breaks before its first message,
// is an error.
func Read(r io.Reader) (*Export, error) {
	pr := importer.NewReader(r)
	rd := &reader{pr: pr, dec: json.NewDecoder(pr), ex: &Export{}}
	err := rd.top()
	var cut *cutError
	switch {
	case errors.As(err, &cut) && rd.messages > 0:
		rd.ex.Cut = &importer.Error{Where: cut.where, Err: cut.err}
		rd.ex.Errors = append(rd.ex.Errors, rd.ex.Cut)
		return rd.ex, nil
	case errors.As(err, &cut):
		return nil, cut.err
	case err != nil:
		return nil, err
	}
	return rd.ex, nil
}

// cutError is the file ceasing to be JSON.
type cutError struct {
	where string
	err   error
}

func (e *cutError) Error() string { return e.err.Error() }

type reader struct {
	pr       *importer.Reader
	dec      *json.Decoder
	ex       *Export
	chats    int // chats begun
	messages int // messages read, in all chats
	lastID   string
}

// broken wraps a decoding failure, in a call that began at offset from,
// as the place where the file stops.
func (rd *reader) broken(from int64, err error) error {
	if rd.messages == 0 {
		return &cutError{err: rd.pr.BreakError(from, err)}
	}
	off, cause := rd.pr.Break(from, err)
	return &cutError{
		where: fmt.Sprintf("%s (byte %d)", rd.pr.Where(off), off),
		err:   fmt.Errorf("the export stops here: %s; the %d messages before it were read (the last: %s), the rest is lost", cause, rd.messages, rd.lastID),
	}
}

// token reads the next token, which must be the delimiter want when set.
func (rd *reader) token(want json.Delim, field string) (json.Token, error) {
	from := rd.dec.InputOffset()
	tok, err := rd.dec.Token()
	if err != nil {
		return nil, rd.broken(from, err)
	}
	if want != 0 && tok != want {
		what := map[json.Delim]string{'{': "an object", '[': "an array"}[want]
		return nil, fmt.Errorf("%s: %s: want %s, got JSON %s", rd.pr.Where(rd.dec.InputOffset()), field, what, jsonKind(tok))
	}
	return tok, nil
}

func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// value decodes the next value into v, naming field on a type mismatch.
func (rd *reader) value(field string, v any) error {
	from := rd.dec.InputOffset()
	if err := rd.dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%s: %s: want %s, got JSON %s", rd.pr.Where(rd.dec.InputOffset()), field, map[bool]string{true: "a number", false: "a string"}[field == "id"], te.Value)
		}
		return rd.broken(from, err)
	}
	return nil
}

// top reads the file's object: one chat, or an account export whose
// chats.list holds them.
func (rd *reader) top() error {
	if _, err := rd.token('{', "the file"); err != nil {
		return err
	}
	var c chat
	var sawMessages, sawChats bool
	for rd.dec.More() {
		key, err := rd.token(0, "")
		if err != nil {
			return err
		}
		switch key {
		case "chats":
			sawChats = true
			if err := rd.chatsList(); err != nil {
				return err
			}
		case "messages":
			sawMessages = true
			fallthrough
		default:
			if err := rd.chatField(&c, key.(string)); err != nil {
				return err
			}
		}
	}
	if _, err := rd.token('}', "the file"); err != nil {
		return err
	}
	switch {
	case sawMessages:
		rd.chats++
		return rd.finish(&c, rd.chats)
	case sawChats:
		return nil
	}
	return errors.New(`not a Telegram Desktop export: no "messages" array and no "chats.list" (export as JSON, not HTML)`)
}

// chatsList reads {"about": ..., "list": [chat, ...]}.
func (rd *reader) chatsList() error {
	if _, err := rd.token('{', "chats"); err != nil {
		return err
	}
	for rd.dec.More() {
		key, err := rd.token(0, "")
		if err != nil {
			return err
		}
		if key != "list" {
			if err := rd.skip(); err != nil {
				return err
			}
			continue
		}
		if _, err := rd.token('[', "chats.list"); err != nil {
			return err
		}
		for rd.dec.More() {
			rd.chats++
			n := rd.chats
			if _, err := rd.token('{', fmt.Sprintf("chats.list[%d]", n-1)); err != nil {
				return err
			}
			var c chat
			for rd.dec.More() {
				key, err := rd.token(0, "")
				if err != nil {
					return err
				}
				if err := rd.chatField(&c, key.(string)); err != nil {
					return err
				}
			}
			if _, err := rd.token('}', ""); err != nil {
				return err
			}
			if err := rd.finish(&c, n); err != nil {
				return err
			}
		}
		if _, err := rd.token(']', ""); err != nil {
			return err
		}
	}
	_, err := rd.token('}', "chats")
	return err
}

func (rd *reader) skip() error {
	var v json.RawMessage
	from := rd.dec.InputOffset()
	if err := rd.dec.Decode(&v); err != nil {
		return rd.broken(from, err)
	}
	return nil
}

// chatField reads one field of a chat object; messages are converted as
// they are read once the chat's id is known (exports write it first).
func (rd *reader) chatField(c *chat, key string) error {
	switch key {
	case "name":
		return rd.value("name", &c.Name)
	case "type":
		return rd.value("type", &c.Type)
	case "id":
		if err := rd.value("id", &c.ID); err != nil {
			return err
		}
		if c.ID != nil {
			for _, raw := range c.pending {
				rd.message(c, raw)
			}
			c.pending = nil
		}
		return nil
	case "messages":
		if _, err := rd.token('[', "messages"); err != nil {
			return err
		}
		for rd.dec.More() {
			var raw json.RawMessage
			from := rd.dec.InputOffset()
			if err := rd.dec.Decode(&raw); err != nil {
				if c.ID == nil {
					rd.messages -= len(c.pending) // nothing of this chat can be kept
				}
				return rd.broken(from, err)
			}
			rd.messages++
			if c.ID == nil {
				c.pending = append(c.pending, raw)
				continue
			}
			rd.message(c, raw)
		}
		_, err := rd.token(']', "")
		return err
	}
	return rd.skip()
}

// finish checks a chat once its object is closed.
func (rd *reader) finish(c *chat, n int) error {
	if c.ID == nil {
		return fmt.Errorf("chat %d: id: required", n)
	}
	return nil
}

// message converts one message of chat c, recording a refusal by its id.
func (rd *reader) message(c *chat, raw json.RawMessage) {
	var m message
	err := json.Unmarshal(raw, &m)
	where := fmt.Sprintf("chat %d message[%d]", *c.ID, c.read)
	c.read++
	if m.ID != nil {
		where = fmt.Sprintf("chat %d message %d", *c.ID, *m.ID)
	}
	rd.lastID = where
	if err != nil {
		ie := importer.TypeMismatch(err)
		if ie.Field == "id" {
			where = fmt.Sprintf("chat %d message[%d]", *c.ID, c.read-1)
		}
		ie.Where = where
		rd.ex.Errors = append(rd.ex.Errors, ie)
		return
	}
	msg, ie := convert(c, m)
	switch {
	case ie != nil:
		ie.Where = where
		rd.ex.Errors = append(rd.ex.Errors, ie)
	case msg == nil:
		rd.ex.Skipped++
	default:
		for _, md := range msg.Media {
			if md.Missing != "" {
				rd.ex.NotIncluded++
			}
		}
		rd.ex.Posts = append(rd.ex.Posts, msg)
	}
}

func convert(c *chat, m message) (*model.Post, *importer.Error) {
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
		Platform:  Platform,
		SourceID:  sourceID(*c.ID, *m.ID),
		Signature: m.Author,
	}
	author, err := fromID(c, m.FromID)
	if err != nil {
		return nil, err
	}
	p.Author = author
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
		if f.name == "" {
			continue
		}
		if why, ok := leftOut(f.name); ok {
			p.Media = append(p.Media, model.Media{Type: f.typ, Missing: why})
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

// leftOut reports whether a media field is Telegram Desktop's note for a
// file it did not export ("(File not included. Change data exporting
// settings to download.)", "(File exceeds maximum size. ...)") and returns
// the note without its parentheses.
func leftOut(name string) (string, bool) {
	if strings.HasPrefix(name, "(File ") && strings.HasSuffix(name, ")") {
		return name[1 : len(name)-1], true
	}
	return "", false
}

// fromID reads the sender: "user123" or "channel123" in exports since
// 2021, a bare number before. A bare number is given the prefix the newer
// exports use ("channel" when it is the channel's own id, else "user"),
// so the same sender is one author whichever version exported it.
func fromID(c *chat, raw json.RawMessage) (string, *importer.Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", importer.Errorf("", "from_id", "%v", err)
		}
		return s, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return "", importer.Errorf("", "from_id", "want a string such as user123 or a number, got %.40s", raw)
	}
	if n == *c.ID && strings.Contains(c.Type, "channel") {
		return "channel" + strconv.FormatInt(n, 10), nil
	}
	return "user" + strconv.FormatInt(n, 10), nil
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
