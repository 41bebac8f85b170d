// Package facebook reads the Facebook and Instagram exports that research
// and trust-and-safety teams work with: CrowdTangle-style historical CSV
// exports of pages, groups and accounts, and posts as JSON from the Meta
// Content Library API (or the Graph API). See docs/importers.md for the
// columns and fields read.
package facebook

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zone names in exports, on machines without a zone database

	"github.com/marsad/marsad/internal/importer"
	"github.com/marsad/marsad/internal/model"
)

// Platform names of imported posts.
const (
	Facebook  = "facebook"
	Instagram = "instagram"
)

// Posts is what a file holds.
type Posts struct {
	Posts  []*model.Post
	Errors []*importer.Error
}

// Read parses a CSV or JSON export of platform (Facebook or Instagram),
// told apart by the first character. A row or post that cannot become a
// post is reported in Errors by its line and column and the rest are
// kept; a file that is not such an export at all is an error.
func Read(r io.Reader, platform string) (*Posts, error) {
	if platform != Facebook && platform != Instagram {
		return nil, fmt.Errorf("unknown platform %q", platform)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // spreadsheet exports start with a BOM
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty file")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return readJSON(data, platform)
	}
	return readCSV(data, platform)
}

// Columns read from CSV exports; every other column is ignored.
const (
	colPageName   = "Page Name"
	colAccount    = "Account"
	colUserName   = "User Name"
	colFacebookID = "Facebook Id"
	colCreated    = "Post Created"
	colType       = "Type"
	colMessage    = "Message"
	colDesc       = "Description"
	colImageText  = "Image Text"
	colLink       = "Link"
	colFinalLink  = "Final Link"
	colPhoto      = "Photo"
	colURL        = "URL"
)

func readCSV(data []byte, platform string) (*Posts, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{colCreated, colURL} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("not a CrowdTangle-style %s export: no %q column (line 1)", title(platform), need)
		}
	}
	_, fb := col[colFacebookID]
	_, ig := col[colAccount]
	if platform == Facebook && ig && !fb {
		return nil, errors.New(`this is an Instagram export (it has "Account" and no "Facebook Id"): use marsad import instagram`)
	}
	if platform == Instagram && fb {
		return nil, errors.New(`this is a Facebook export (it has "Facebook Id"): use marsad import facebook`)
	}
	out := &Posts{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, err
			}
			out.Errors = append(out.Errors, &importer.Error{Where: fmt.Sprintf("line %d, column %d", pe.Line, pe.Column), Err: pe.Err})
			continue
		}
		row := csvRow{rec: rec, col: col, cr: cr}
		p, ierr := row.post(platform)
		if ierr != nil {
			out.Errors = append(out.Errors, ierr)
			continue
		}
		out.Posts = append(out.Posts, p)
	}
}

// csvRow is one record with its header, to read cells by column name and
// say where a bad one is.
type csvRow struct {
	rec []string
	col map[string]int
	cr  *csv.Reader
}

func (r csvRow) get(name string) string {
	if i, ok := r.col[name]; ok && i < len(r.rec) {
		return strings.TrimSpace(r.rec[i])
	}
	return ""
}

// errorf names the cell of column name by its line and column in the file.
func (r csvRow) errorf(name, format string, args ...any) *importer.Error {
	i, ok := r.col[name]
	if !ok {
		i = 0
	}
	line, c := r.cr.FieldPos(i)
	return importer.Errorf(fmt.Sprintf("line %d, column %d", line, c), name, format, args...)
}

func (r csvRow) post(platform string) (*model.Post, *importer.Error) {
	p := &model.Post{Platform: platform, URL: r.get(colURL), Author: r.get(colUserName)}
	if p.URL == "" {
		return nil, r.errorf(colURL, "required: the post's address is its identity")
	}
	id, err := postID(platform, p.URL)
	if err != nil {
		return nil, r.errorf(colURL, "%v", err)
	}
	t, err := parseTime(r.get(colCreated))
	if err != nil {
		return nil, r.errorf(colCreated, "%v", err)
	}
	p.PostedAt = t
	typ := strings.ToLower(r.get(colType))
	link := r.get(colLink)
	var texts []string
	if platform == Facebook {
		p.Channel = r.get(colPageName)
		pageID := r.get(colFacebookID)
		if p.Author == "" {
			p.Author = pageID
		}
		// The Graph API names a page's post PAGEID_POSTID; so do we, so
		// the same post from a CSV and from the API is one post.
		if pageID != "" && !strings.Contains(id, "_") {
			id = pageID + "_" + id
		}
		texts = []string{r.get(colMessage), r.get(colDesc)}
		switch {
		case typ == "photo" && link != "":
			p.Media = append(p.Media, model.Media{URL: link, Type: "image"})
		case strings.Contains(typ, "video") && typ != "youtube" && link != "":
			p.Media = append(p.Media, model.Media{URL: link, Type: "video"})
		default:
			p.Links = appendLink(p.Links, link, p.URL)
		}
		p.Links = appendLink(p.Links, r.get(colFinalLink), p.URL)
		p.ForwardedFrom = sharedFrom(link, p.Author, pageID)
	} else {
		p.Channel = r.get(colAccount)
		texts = []string{r.get(colDesc)}
		if photo := r.get(colPhoto); photo != "" {
			p.Media = append(p.Media, model.Media{URL: photo, Type: "image"})
		}
		if link != "" && link != p.URL {
			mt := "image"
			if typ == "video" || typ == "igtv" || typ == "reel" {
				mt = "video"
			}
			p.Media = append(p.Media, model.Media{URL: link, Type: mt})
		}
	}
	p.SourceID = id
	texts = append(texts, r.get(colImageText))
	p.Text = joinText(texts...)
	return p, nil
}

// postID takes a post's id from its address: the number after /posts/,
// /videos/, /photos/… or in story_fbid= on Facebook; the code after /p/,
// /reel/ or /tv/ on Instagram.
func postID(platform, addr string) (string, error) {
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not an address", addr)
	}
	parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	if platform == Instagram {
		for i, p := range parts {
			if (p == "p" || p == "reel" || p == "tv") && i+1 < len(parts) {
				return parts[i+1], nil
			}
		}
		return "", fmt.Errorf("%q has no post code (/p/CODE/)", addr)
	}
	if q := u.Query(); q.Get("story_fbid") != "" {
		if owner := q.Get("id"); owner != "" {
			return owner + "_" + q.Get("story_fbid"), nil
		}
		return q.Get("story_fbid"), nil
	} else if q.Get("fbid") != "" {
		return q.Get("fbid"), nil
	}
	for i := len(parts) - 1; i > 0; i-- {
		if isNumber(parts[i]) {
			return parts[i], nil
		}
	}
	return "", fmt.Errorf("%q has no post number", addr)
}

// sharedFrom returns the page whose post a Facebook post shares, when its
// link is another page's post: facebook.com/NAME/posts/N.
func sharedFrom(link string, self ...string) string {
	u, err := url.Parse(link)
	if err != nil || !(u.Host == "facebook.com" || strings.HasSuffix(u.Host, ".facebook.com")) {
		return ""
	}
	parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	if len(parts) < 3 || (parts[1] != "posts" && parts[1] != "videos") {
		return ""
	}
	for _, s := range self {
		if s != "" && strings.EqualFold(parts[0], s) {
			return ""
		}
	}
	return parts[0]
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func appendLink(links []string, link, self string) []string {
	if link == "" || link == self {
		return links
	}
	for _, l := range links {
		if l == link {
			return links
		}
	}
	return append(links, link)
}

// joinText puts the post's own text, a shared link's description and the
// text the platform read on the image one paragraph after another, each
// once, so all of it is searched and scored.
func joinText(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p == "" {
			continue
		}
		dup := false
		for _, k := range kept {
			dup = dup || k == p
		}
		if !dup {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}

// zones are the offsets, in minutes east of UTC, of the zone
// abbreviations exports write after a time ("2021-03-02 10:11:12 BRT").
// An abbreviation names no zone by itself and several are shared; where
// one is, the reading of marsad's regions is taken, and docs/importers.md
// says which: AST is Arabia (+03:00, not Atlantic), IST India (+05:30,
// not Israel or Ireland), GST the Gulf (+04:00), CST US Central (not
// China), BST British Summer (not Bangladesh). A file in another zone
// should say it with an offset or an IANA name.
var zones = map[string]int{
	"UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "IST": 330,
	"CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "WAT": 60, "WAST": 120,
	"EET": 120, "EEST": 180, "CAT": 120, "SAST": 120, "IDT": 180,
	"MSK": 180, "TRT": 180, "AST": 180, "EAT": 180, "SYT": 180,
	"IRST": 210, "IRDT": 270, "GST": 240, "GET": 240, "AZT": 240, "AFT": 270,
	"PKT": 300, "UZT": 300, "TJT": 300, "NPT": 345, "MMT": 390,
	"ICT": 420, "WIB": 420, "WITA": 480, "WIT": 540, "SGT": 480, "MYT": 480, "PHT": 480, "PHST": 480, "HKT": 480, "AWST": 480,
	"JST": 540, "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
	"EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
	"AKST": -540, "AKDT": -480, "HST": -600, "NST": -210, "NDT": -150,
	"BRT": -180, "BRST": -120, "ART": -180, "UYT": -180, "CLT": -240, "CLST": -180, "PYT": -240, "BOT": -240, "VET": -240,
	"COT": -300, "PET": -300, "ECT": -300,
}

// parseTime reads "2024-03-01 09:15:00 EST" (CrowdTangle: a zone
// abbreviation from zones), the same with an IANA zone name
// ("2024-03-01 09:15:00 America/Sao_Paulo") or a numeric offset, RFC 3339,
// or a time without a zone, taken as UTC.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("required")
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05-0700", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00", "2006-01-02 15:04:05 -07", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if loc := zone(s[i+1:]); loc != nil {
			for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
				if t, err := time.ParseInLocation(layout, s[:i], loc); err == nil {
					return t.UTC(), nil
				}
			}
		} else if _, err := time.Parse("2006-01-02 15:04:05", s[:i]); err == nil {
			return time.Time{}, fmt.Errorf("%q: unknown time zone %q: write an offset (2024-03-01 09:15:00 -0300) or an IANA zone name (America/Sao_Paulo)", s, s[i+1:])
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time such as 2024-03-01 09:15:00 EST or 2024-03-01T14:15:00Z", s)
}

// zone finds the zone a time names: an abbreviation of zones or an IANA
// name (from the embedded time zone database), else nil.
func zone(name string) *time.Location {
	if m, ok := zones[strings.ToUpper(name)]; ok {
		return time.FixedZone(strings.ToUpper(name), m*60)
	}
	if !strings.Contains(name, "/") || strings.Contains(name, "..") {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

func title(platform string) string {
	if platform == Instagram {
		return "Instagram"
	}
	return "Facebook"
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("malformed CSV at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// apiPost is one post from the Meta Content Library API (Facebook:
// post_owner; Instagram: owner) or the Graph API (from, message,
// created_time).
type apiPost struct {
	ID           *string         `json:"id"`
	CreationTime json.RawMessage `json:"creation_time"`
	CreatedTime  json.RawMessage `json:"created_time"`
	Text         string          `json:"text"`
	Message      string          `json:"message"`
	Lang         string          `json:"lang"`
	PostOwner    *owner          `json:"post_owner"`
	Owner        *owner          `json:"owner"`
	From         *owner          `json:"from"`
	URL          string          `json:"url"`
	Permalink    string          `json:"permalink_url"`
	Multimedia   []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"multimedia"`
	LinkAttachments []struct {
		Link string `json:"link"`
	} `json:"link_attachments"`
	ParentID string `json:"parent_id"`
}

type owner struct {
	ID       json.RawMessage `json:"id"`
	Name     string          `json:"name"`
	Username string          `json:"username"`
}

// readJSON reads an array of posts, an object with a "data" array (one API
// response), or one post or response per line.
func readJSON(data []byte, platform string) (*Posts, error) {
	out := &Posts{}
	dec := json.NewDecoder(bytes.NewReader(data))
	for n := 0; ; n++ {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return out, nil
		} else if err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				se.Offset += start
			}
			return nil, importer.JSONError(data, err)
		}
		// Skip the whitespace Decode leaves before the value.
		base := start + int64(len(data[start:])-len(bytes.TrimLeft(data[start:], " \t\r\n")))
		items, offsets, err := split(raw)
		if err != nil {
			line, col := importer.Position(data, base)
			return nil, fmt.Errorf("line %d, column %d: %w", line, col, err)
		}
		for i, it := range items {
			line, col := importer.Position(data, base+offsets[i])
			where := fmt.Sprintf("line %d, column %d", line, col)
			var ap apiPost
			if err := json.Unmarshal(it, &ap); err != nil {
				out.Errors = append(out.Errors, &importer.Error{Where: where, Err: importer.JSONError(it, err)})
				continue
			}
			p, ierr := ap.post(platform)
			if ierr != nil {
				ierr.Where = where
				out.Errors = append(out.Errors, ierr)
				continue
			}
			out.Posts = append(out.Posts, p)
		}
	}
}

// split returns the posts of one top-level value with their offsets in it.
func split(raw json.RawMessage) ([]json.RawMessage, []int64, error) {
	if raw[0] == '{' {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(raw, &top); err != nil {
			return nil, nil, err
		}
		d, ok := top["data"]
		if !ok {
			if _, ok := top["id"]; ok {
				return []json.RawMessage{raw}, []int64{0}, nil
			}
			return nil, nil, errors.New(`not a post or an API response: no "id" and no "data"`)
		}
		off := int64(bytes.Index(raw, d))
		items, offs, err := split(d)
		for i := range offs {
			offs[i] += off
		}
		return items, offs, err
	}
	if raw[0] != '[' {
		return nil, nil, errors.New("want an object or an array of posts")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // [
	var items []json.RawMessage
	var offs []int64
	for dec.More() {
		var it json.RawMessage
		if err := dec.Decode(&it); err != nil {
			return nil, nil, err
		}
		end := dec.InputOffset()
		items = append(items, it)
		offs = append(offs, end-int64(len(it)))
	}
	return items, offs, nil
}

func (ap apiPost) post(platform string) (*model.Post, *importer.Error) {
	if ap.ID == nil || *ap.ID == "" {
		return nil, importer.Errorf("", "id", "required")
	}
	p := &model.Post{Platform: platform, SourceID: *ap.ID, Text: ap.Text, Lang: ap.Lang, URL: ap.URL}
	if p.Text == "" {
		p.Text = ap.Message
	}
	if p.URL == "" {
		p.URL = ap.Permalink
	}
	field, ts := "creation_time", ap.CreationTime
	if len(ts) == 0 {
		field, ts = "created_time", ap.CreatedTime
	}
	t, err := apiTime(ts)
	if err != nil {
		return nil, importer.Errorf("", field, "%v", err)
	}
	p.PostedAt = t
	for _, o := range []*owner{ap.PostOwner, ap.Owner, ap.From} {
		if o == nil {
			continue
		}
		id := strings.Trim(string(o.ID), `"`)
		p.Author, p.Channel = o.Username, o.Name
		if p.Author == "" {
			p.Author = id
		}
		break
	}
	for _, m := range ap.Multimedia {
		if m.URL == "" {
			continue // the API gives some media by id only
		}
		typ := "image"
		if m.Type == "video" || m.Type == "reel" {
			typ = "video"
		}
		p.Media = append(p.Media, model.Media{URL: m.URL, Type: typ})
	}
	for _, l := range ap.LinkAttachments {
		p.Links = appendLink(p.Links, l.Link, p.URL)
	}
	// A Graph API share names the original as OWNER_POST.
	if owner, _, ok := strings.Cut(ap.ParentID, "_"); ok {
		p.ForwardedFrom = owner
	}
	return p, nil
}

// apiTime reads a time as the APIs give it: ISO 8601 text (with a "+0000"
// or "Z" zone) or Unix seconds.
func apiTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, errors.New("required")
	}
	if raw[0] != '"' {
		s, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s is not a time", raw)
		}
		return time.Unix(s, 0).UTC(), nil
	}
	var s string
	json.Unmarshal(raw, &s)
	return parseTime(s)
}
