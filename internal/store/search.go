package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/textnorm"
)

// MaxSearchQuery is the longest search text accepted, in characters: as
// many as the search fields let a person type (HTML maxlength), whatever
// the script (an Arabic letter is two bytes in UTF-8).
const MaxSearchQuery = 1000

// TextError is search text the store refuses, naming the field and why:
// Code is text_long (longer than Max characters), text_nul or text_utf8.
type TextError struct {
	Field, Code string
	Max         int
}

func (e *TextError) Error() string {
	switch e.Code {
	case "text_long":
		return fmt.Sprintf("%s is longer than %d characters", e.Field, e.Max)
	case "text_nul":
		return e.Field + " contains a NUL character"
	}
	return e.Field + " is not valid UTF-8"
}

// Unwrap makes a TextError an ErrInvalid.
func (e *TextError) Unwrap() error { return ErrInvalid }

// CheckSearchText reports whether v can be searched for, with a
// *TextError naming field when not.
func CheckSearchText(field, v string) error {
	switch {
	case !utf8.ValidString(v):
		return &TextError{Field: field, Code: "text_utf8"}
	case strings.IndexByte(v, 0) >= 0:
		return &TextError{Field: field, Code: "text_nul"}
	case utf8.RuneCountInString(v) > MaxSearchQuery:
		return &TextError{Field: field, Code: "text_long", Max: MaxSearchQuery}
	}
	return nil
}

// FoldSearch returns the words of s as search stores and matches them:
// folded by textnorm exactly as the classifier folds text (hamza and alef
// forms, ta marbuta, alef maqsura, tatweel, diacritics, Latin case), one
// space between words. Links and mentions, which textnorm replaces by
// placeholders, are split into their words instead, so that a host, a
// path or an account name can be searched.
func FoldSearch(s string) string {
	return strings.Join(SearchWords(s), " ")
}

// SearchWords returns the folded words of s (see FoldSearch).
func SearchWords(s string) []string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if f[0] == '@' || hasPrefixFold(f, "http://") || hasPrefixFold(f, "https://") || hasPrefixFold(f, "www.") {
			fields[i] = strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
					return r
				}
				return ' '
			}, f)
		} else if f == "URL" { // textnorm's corpus convention for a removed link
			fields[i] = "url"
		}
	}
	var out []string
	for _, w := range textnorm.Tokens(strings.Join(fields, " ")) {
		if w == textnorm.URLToken || w == textnorm.MentionToken || !hasWordRune(w) {
			continue // emoji and placeholders are not searchable words
		}
		out = append(out, w)
	}
	return out
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasWordRune(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// searchText is the folded text stored with a post for full-text search:
// its text, the text read on its images, author, channel and links.
func searchText(p *model.Post) string {
	parts := []string{p.Text, p.OCRText, "@" + p.Author, "@" + p.Channel, p.Signature}
	for _, l := range p.Links {
		parts = append(parts, "http://"+strings.TrimPrefix(strings.TrimPrefix(l, "http://"), "https://"))
	}
	words := SearchWords(strings.Join(parts, " "))
	// Arabic words are also indexed without the letters written onto
	// their front, so that "جهاد" finds "والجهاد"; a query word matches
	// any of its own shorter forms (textnorm.QueryForms), so that
	// "والخلافة" finds "الخلافة".
	n := len(words)
	for _, w := range words[:n] {
		words = append(words, textnorm.Proclitics(w)...)
	}
	return strings.Join(words, " ")
}

// authorKey is an author's name as author search compares it.
func authorKey(a string) string {
	return FoldSearch("@" + strings.TrimPrefix(strings.TrimSpace(a), "@"))
}

// backfillSearch folds the posts that have no search text yet: posts
// stored before search existed, or every post after the folding changed
// and search_text was set to NULL.
func (s *Store) backfillSearch(ctx context.Context) error {
	for {
		rows, err := s.query(ctx, s.db, `SELECT id, author, channel, body, links, ocr_text FROM posts WHERE search_text IS NULL ORDER BY id LIMIT 500`)
		if err != nil {
			return fmt.Errorf("fold posts for search: %w", err)
		}
		type fold struct {
			id         int64
			text, akey string
		}
		var batch []fold
		for rows.Next() {
			var p model.Post
			var links string
			if err := rows.Scan(&p.ID, &p.Author, &p.Channel, &p.Text, &links, &p.OCRText); err != nil {
				rows.Close()
				return fmt.Errorf("fold posts for search: %w", err)
			}
			_ = json.Unmarshal([]byte(links), &p.Links)
			batch = append(batch, fold{p.ID, searchText(&p), authorKey(p.Author)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("fold posts for search: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			for _, f := range batch {
				if _, err := s.exec(ctx, tx, `UPDATE posts SET search_text = ?, author_key = ? WHERE id = ?`, f.text, f.akey, f.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fold posts for search: %w", err)
		}
	}
}

// SearchFilter selects posts by their words, author and case.
type SearchFilter struct {
	// Text holds the words to find, all of them, each as a whole word
	// after folding (FoldSearch) in the post's text, author, channel or
	// links.
	Text string
	// Author, when set, is the post's author, ignoring case and a leading @.
	Author   string
	Platform string
	Lang     string
	// Label and State select posts whose case has that label or state;
	// State "none" selects posts without a case.
	Label model.Label
	State string
	// From and To bound the time the post was published (To exclusive).
	From, To time.Time
	// Offset and Limit page through the results (Limit at most 100).
	Offset, Limit int
}

// CaseStates are the states a case can be in, in the order of its life.
var CaseStates = []model.CaseState{model.CaseOpen, model.CaseAppealed, model.CaseDecided, model.CaseActioned, model.CaseClosed}

// StateNone is the SearchFilter.State of posts without a case.
const StateNone = "none"

// SearchResult is one page of posts and the number of posts found in all.
type SearchResult struct {
	Posts []model.Post
	Total int
}

// Check reports whether f is a search the store can run, with an
// ErrInvalid error that says what to correct.
func (f SearchFilter) Check() error {
	for _, fv := range [][2]string{{"q", f.Text}, {"author", f.Author}, {"platform", f.Platform}, {"lang", f.Lang}} {
		if err := CheckSearchText(fv[0], fv[1]); err != nil {
			return err
		}
	}
	if f.Label != "" && !f.Label.Valid() {
		return fmt.Errorf("label %q is unknown: %w", f.Label, ErrInvalid)
	}
	if f.State != "" && f.State != StateNone && !slices.Contains(CaseStates, model.CaseState(f.State)) {
		return fmt.Errorf("case state %q is unknown: %w", f.State, ErrInvalid)
	}
	if f.Offset < 0 || f.Limit < 0 {
		return fmt.Errorf("page out of range: %w", ErrInvalid)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return fmt.Errorf("the date range ends before it starts: %w", ErrInvalid)
	}
	return nil
}

// SearchPosts finds posts: ranked by how well they match when Text is
// set, newest first otherwise. The words are matched through the
// full-text index of the store (SQLite FTS5, PostgreSQL GIN over
// to_tsvector('simple')).
func (s *Store) SearchPosts(ctx context.Context, f SearchFilter) (SearchResult, error) {
	if err := f.Check(); err != nil {
		return SearchResult{}, err
	}
	if f.Limit == 0 || f.Limit > 100 {
		f.Limit = 25
	}
	var (
		from  = ` FROM posts p`
		where = ` WHERE 1 = 1`
		args  []any
		order = ` ORDER BY p.posted_at DESC, p.id DESC`
		rank  []any
	)
	if strings.TrimSpace(f.Text) != "" {
		words := SearchWords(f.Text)
		if len(words) == 0 {
			return SearchResult{}, nil // nothing searchable, such as only punctuation
		}
		switch s.dialect {
		case Postgres:
			const doc = `to_tsvector('simple', COALESCE(p.search_text, ''))`
			tsq, tsArgs := tsQuery(words)
			where += ` AND ` + doc + ` @@ ` + tsq
			args = append(args, tsArgs...)
			order = ` ORDER BY ts_rank(` + doc + `, ` + tsq + `) DESC, p.posted_at DESC, p.id DESC`
			rank = tsArgs
		default:
			from += ` JOIN posts_fts ON posts_fts.rowid = p.id`
			where += ` AND posts_fts MATCH ?`
			args = append(args, ftsQuery(words))
			order = ` ORDER BY bm25(posts_fts), p.posted_at DESC, p.id DESC`
		}
	}
	if a := strings.TrimSpace(f.Author); a != "" {
		where += ` AND p.author_key = ?`
		args = append(args, authorKey(a))
	}
	if f.Platform != "" {
		where += ` AND p.platform = ?`
		args = append(args, f.Platform)
	}
	if f.Lang != "" {
		where += ` AND p.lang = ?`
		args = append(args, f.Lang)
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		where += ` AND p.posted_at_unknown = 0` // no date range holds an unknown time
	}
	if !f.From.IsZero() {
		where += ` AND p.posted_at >= ?`
		args = append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where += ` AND p.posted_at < ?`
		args = append(args, micros(f.To))
	}
	switch {
	case f.State == StateNone:
		where += ` AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.kind = 'post' AND c.post_id = p.id)`
	case f.State != "" || f.Label != "":
		sub := ` AND EXISTS (SELECT 1 FROM cases c WHERE c.kind = 'post' AND c.post_id = p.id`
		if f.State != "" {
			sub += ` AND c.state = ?`
			args = append(args, f.State)
		}
		if f.Label != "" {
			// labels is a JSON array of strings; the quotes make the match exact.
			sub += ` AND c.labels LIKE ?`
			args = append(args, `%"`+string(f.Label)+`"%`)
		}
		where += sub + `)`
	}
	var res SearchResult
	if err := s.row(ctx, s.db, `SELECT COUNT(*)`+from+where, args...).Scan(&res.Total); err != nil {
		return SearchResult{}, fmt.Errorf("search posts: count: %w", err)
	}
	if res.Total == 0 || f.Offset >= res.Total {
		return res, nil
	}
	cols := "p." + strings.ReplaceAll(postCols, ", ", ", p.")
	q := `SELECT ` + cols + from + where + order + ` LIMIT ? OFFSET ?`
	args = append(append(args, rank...), f.Limit, f.Offset)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search posts: %w", err)
	}
	res.Posts, err = scanAll(rows, scanPost)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search posts: %w", err)
	}
	return res, nil
}

// ftsQuery makes an FTS5 query that needs every word, in any of the
// forms textnorm.QueryForms gives it: each form is quoted, so that
// nothing in it is read as FTS5 syntax.
func ftsQuery(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		forms := textnorm.QueryForms(w)
		for j, f := range forms {
			forms[j] = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
		q[i] = "(" + strings.Join(forms, " OR ") + ")"
	}
	return strings.Join(q, " AND ")
}

// tsQuery is ftsQuery for PostgreSQL: an SQL expression of tsquery
// values joined with && (every word) and || (any of its forms), each form
// a parameter, and its arguments.
func tsQuery(words []string) (string, []any) {
	var (
		and  []string
		args []any
	)
	for _, w := range words {
		var or []string
		for _, f := range textnorm.QueryForms(w) {
			or = append(or, `plainto_tsquery('simple', ?)`)
			args = append(args, f)
		}
		and = append(and, "("+strings.Join(or, " || ")+")")
	}
	return "(" + strings.Join(and, " && ") + ")", args
}

func (s *Store) Platforms(ctx context.Context) ([]string, error) {
	rows, err := s.query(ctx, s.db, `SELECT DISTINCT platform FROM posts WHERE platform <> '' ORDER BY platform`)
	if err != nil {
		return nil, fmt.Errorf("platforms: %w", err)
	}
	return scanAll(rows, func(r scanner) (*string, error) {
		var p string
		return &p, r.Scan(&p)
	})
}

// CaseIDsByPost returns the case of each of the given posts that has one.
func (s *Store) CaseIDsByPost(ctx context.Context, postIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	for _, id := range postIDs {
		var caseID int64
		err := s.row(ctx, s.db, `SELECT id FROM cases WHERE kind = 'post' AND post_id = ?`, id).Scan(&caseID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("case of post %d: %w", id, err)
		default:
			out[id] = caseID
		}
	}
	return out, nil
}

// Saved search kinds.
const (
	SavedSearchPosts = "search"
	SavedQueueFilter = "queue"
)

// SavedSearch is a search or queue filter a user keeps under a name.
type SavedSearch struct {
	ID   int64
	User string
	// Kind is SavedSearchPosts or SavedQueueFilter.
	Kind string
	Name string
	// Query is the URL query string that runs it.
	Query     string
	CreatedAt time.Time
}

// SaveSearch keeps a search under its name for its user, replacing one of
// the same name and kind.
func (s *Store) SaveSearch(ctx context.Context, ss *SavedSearch) error {
	ss.Name = strings.TrimSpace(ss.Name)
	switch {
	case ss.Kind != SavedSearchPosts && ss.Kind != SavedQueueFilter:
		return fmt.Errorf("saved search kind %q is unknown: %w", ss.Kind, ErrInvalid)
	case ss.Name == "":
		return fmt.Errorf("a saved search needs a name: %w", ErrInvalid)
	case len(ss.Name) > 100 || !utf8.ValidString(ss.Name) || strings.IndexByte(ss.Name, 0) >= 0:
		return fmt.Errorf("a saved search's name must be valid text of at most 100 bytes: %w", ErrInvalid)
	case len(ss.Query) > 4*MaxSearchQuery || !utf8.ValidString(ss.Query) || strings.IndexByte(ss.Query, 0) >= 0:
		return fmt.Errorf("saved search %q: the query is too long or not text: %w", ss.Name, ErrInvalid)
	}
	if ss.CreatedAt.IsZero() {
		ss.CreatedAt = time.Now().UTC()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM saved_searches WHERE username = ? AND kind = ? AND name = ?`, ss.User, ss.Kind, ss.Name); err != nil {
			return fmt.Errorf("save search %q: %w", ss.Name, err)
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO saved_searches (username, kind, name, query, created_at) VALUES (?, ?, ?, ?, ?)`,
			ss.User, ss.Kind, ss.Name, ss.Query, micros(ss.CreatedAt))
		if err != nil {
			return fmt.Errorf("save search %q: %w", ss.Name, err)
		}
		ss.ID = id
		return nil
	})
}

// SavedSearches lists a user's saved searches of a kind by name.
func (s *Store) SavedSearches(ctx context.Context, user, kind string) ([]SavedSearch, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, username, kind, name, query, created_at FROM saved_searches WHERE username = ? AND kind = ? ORDER BY name, id`, user, kind)
	if err != nil {
		return nil, fmt.Errorf("saved searches of %s: %w", user, err)
	}
	return scanAll(rows, func(r scanner) (*SavedSearch, error) {
		var ss SavedSearch
		var created int64
		err := r.Scan(&ss.ID, &ss.User, &ss.Kind, &ss.Name, &ss.Query, &created)
		ss.CreatedAt = fromMicros(created)
		return &ss, err
	})
}

// DeleteSavedSearch removes one of user's saved searches; another user's
// is not found.
func (s *Store) DeleteSavedSearch(ctx context.Context, user string, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `DELETE FROM saved_searches WHERE id = ? AND username = ?`, id, user)
		if err != nil {
			return fmt.Errorf("delete saved search %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("saved search %d: %w", id, ErrNotFound)
		}
		return nil
	})
}
