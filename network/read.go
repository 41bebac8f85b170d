package network

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ReadOptions tell ReadShares how to read a file of posts.
type ReadOptions struct {
	// Format is "csv" or "jsonl".
	Format string
	// Types keeps only shares of these object types; empty keeps all.
	Types []string
	// DefaultType is the type of an object_id column when the file has no
	// object_type column. Empty means "object".
	DefaultType string
}

// ReadStats count what ReadShares read.
type ReadStats struct {
	Rows        int // data rows (CSV records or JSON lines)
	Shares      int // shares returned
	NoObject    int // rows without any object of a kept type
	ObjectTypes map[string]int
}

// Column names ReadShares accepts (case-insensitive). See docs/network.md.
var (
	accountColumns = []string{"account_id", "account", "author"}
	timeColumns    = []string{"timestamp_share", "timestamp", "time"}
	postColumns    = []string{"content_id", "post_id", "post"}
	objectColumns  = []string{"object_id", "object"}
	typeColumns    = []string{"object_type"}
	// typedColumns map a column to the object type of its values.
	typedColumns = map[string]string{
		"url_id": "url", "url": "url",
		"hashtag_id": "hashtag", "hashtags": "hashtag", "hashtag": "hashtag",
		"domain_id": "domain", "domain": "domain",
		"phash_id": "phash", "phash": "phash", "pdq": "pdq",
		"media_id": "media", "media_hash": "media",
		"text": "text",
	}
)

// knownColumn reports whether ReadShares reads a field of this name.
func knownColumn(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, list := range [][]string{accountColumns, timeColumns, postColumns, objectColumns, typeColumns} {
		if slices.Contains(list, name) {
			return true
		}
	}
	_, ok := typedColumns[name]
	return ok
}

// layout is where each field sits in a header.
type layout struct {
	account, time, post, object, objType int
	typed                                []typedCol // columns giving one object type each
	keep                                 map[string]bool
	defType                              string
}

type typedCol struct {
	col  int
	name string
	typ  string
}

func newLayout(header []string, opts ReadOptions) (*layout, error) {
	l := &layout{account: -1, time: -1, post: -1, object: -1, objType: -1, defType: opts.DefaultType}
	if l.defType == "" {
		l.defType = "object"
	}
	if len(opts.Types) > 0 {
		l.keep = map[string]bool{}
		for _, t := range opts.Types {
			l.keep[t] = true
		}
	}
	byType := map[string]string{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		set := func(dst *int, names []string) bool {
			for _, n := range names {
				if h == n {
					if *dst < 0 {
						*dst = i
					}
					return true
				}
			}
			return false
		}
		if set(&l.account, accountColumns) || set(&l.time, timeColumns) || set(&l.post, postColumns) ||
			set(&l.object, objectColumns) || set(&l.objType, typeColumns) {
			continue
		}
		if t, ok := typedColumns[h]; ok {
			if prev, dup := byType[t]; dup {
				return nil, fmt.Errorf("columns %q and %q both hold %s objects", prev, h, t)
			}
			byType[t] = h
			l.typed = append(l.typed, typedCol{i, h, t})
		}
	}
	switch {
	case l.account < 0:
		return nil, fmt.Errorf("no account column (want one of %s)", strings.Join(accountColumns, ", "))
	case l.time < 0:
		return nil, fmt.Errorf("no time column (want one of %s)", strings.Join(timeColumns, ", "))
	case l.object < 0 && len(l.typed) == 0:
		return nil, fmt.Errorf("no object column (want object_id or a typed column such as url_id, hashtag_id, phash_id, text)")
	}
	return l, nil
}

// shares turns one row into shares. get returns a field's value or "".
func (l *layout) shares(get func(col int) string, st *ReadStats, out []Share) ([]Share, error) {
	acct := get(l.account)
	if acct == "" {
		return out, fieldError{"account", "empty"}
	}
	ts := get(l.time)
	t, err := ParseTime(ts)
	if err != nil {
		return out, fieldError{"time", err.Error()}
	}
	var post string
	if l.post >= 0 {
		post = get(l.post)
	}
	n := len(out)
	add := func(typ, obj string) {
		if obj == "" || (l.keep != nil && !l.keep[typ]) {
			return
		}
		// An empty cell of a post column is the id "", as CooRTweet
		// reads it (SEMANTICS.md §1).
		out = append(out, Share{Account: acct, Object: obj, ObjectType: typ, Time: t, Post: post, HasPost: l.post >= 0 && post == ""})
		st.ObjectTypes[typ]++
	}
	if l.object >= 0 {
		typ := l.defType
		if l.objType >= 0 {
			if v := get(l.objType); v != "" {
				typ = v
			}
		}
		add(typ, get(l.object))
	}
	for _, c := range l.typed {
		add(c.typ, get(c.col))
	}
	if len(out) == n {
		st.NoObject++
	}
	return out, nil
}

type fieldError struct{ field, problem string }

func (e fieldError) Error() string { return fmt.Sprintf("field %q: %s", e.field, e.problem) }

// maxTime bounds accepted times, well inside the int64 nanosecond range.
var maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// ParseTime reads a timestamp: Unix seconds (integer or decimal, as
// CooRTweet writes them), RFC 3339, or "2006-01-02 15:04:05" in UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	if c := s[0]; c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			// Beyond 2200 is a unit mistake (milliseconds) rather than a date.
			if math.IsNaN(f) || f <= 0 || f >= float64(maxTime.Unix()) {
				return time.Time{}, fmt.Errorf("Unix time %q out of range (want seconds from 1970 to 2200)", s)
			}
			sec := math.Floor(f)
			return time.Unix(int64(sec), int64(math.Round((f-sec)*1e9))).UTC(), nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Unix() <= 0 || !t.Before(maxTime) {
				return time.Time{}, fmt.Errorf("time %q out of range (want 1970 to 2200)", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as Unix seconds or RFC 3339", s)
}

// ReadShares reads posts from a CSV file with a header row or from JSON
// lines, one share per object field of each row. name labels errors.
func ReadShares(ctx context.Context, r io.Reader, name string, opts ReadOptions) ([]Share, ReadStats, error) {
	var out []Share
	st, err := StreamShares(ctx, r, name, opts, func(batch []Share) error {
		out = append(out, batch...)
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// streamBatch is how many shares StreamShares hands over at a time.
const streamBatch = 1 << 16

// StreamShares reads like ReadShares but hands the shares to fn in batches
// as it reads, so that a large file need not be held in memory. fn must
// not keep the slice. An error from fn stops the reading and is returned.
func StreamShares(ctx context.Context, r io.Reader, name string, opts ReadOptions, fn func([]Share) error) (ReadStats, error) {
	st := ReadStats{ObjectTypes: map[string]int{}}
	sink := &batcher{fn: fn, buf: make([]Share, 0, streamBatch)}
	var err error
	switch opts.Format {
	case "csv":
		err = readCSV(ctx, r, name, opts, &st, sink)
	case "jsonl":
		err = readJSONL(ctx, r, name, opts, &st, sink)
	default:
		return st, fmt.Errorf("%s: format %q: want csv or jsonl", name, opts.Format)
	}
	if err == nil {
		err = sink.flush()
	}
	st.Shares = sink.n
	return st, err
}

// batcher collects shares and hands them on in batches.
type batcher struct {
	fn  func([]Share) error
	buf []Share
	n   int
}

// add takes the shares appended to b.buf since the last call into account.
func (b *batcher) add() error {
	if len(b.buf) < streamBatch {
		return nil
	}
	return b.flush()
}

func (b *batcher) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	b.n += len(b.buf)
	err := b.fn(b.buf)
	b.buf = b.buf[:0]
	return err
}

func readCSV(ctx context.Context, r io.Reader, name string, opts ReadOptions, st *ReadStats, sink *batcher) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: empty file, want a header row", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	l, err := newLayout(header, opts)
	if err != nil {
		return fmt.Errorf("%s: header: %w", name, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		st.Rows++
		if st.Rows%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		sink.buf, err = l.shares(func(c int) string { return strings.TrimSpace(rec[c]) }, st, sink.buf)
		if err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("%s: line %d: %w", name, line, err)
		}
		if err := sink.add(); err != nil {
			return err
		}
	}
}

func readJSONL(ctx context.Context, r io.Reader, name string, opts ReadOptions, st *ReadStats, sink *batcher) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var l *layout
	var fields []string
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		st.Rows++
		if st.Rows%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return fmt.Errorf("%s: line %d: %w", name, line, err)
		}
		// Lines may differ in which keys they carry, so build the layout
		// from each line's keys in a fixed order.
		fields = fields[:0]
		for k := range obj {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		var err error
		if l, err = newLayout(fields, opts); err != nil {
			return fmt.Errorf("%s: line %d: %w", name, line, err)
		}
		vals := make([]string, len(fields))
		for i, k := range fields {
			if !knownColumn(k) {
				continue // other fields may hold anything
			}
			v, err := jsonScalar(obj[k])
			if err != nil {
				return fmt.Errorf("%s: line %d: field %q: %w", name, line, k, err)
			}
			vals[i] = v
		}
		sink.buf, err = l.shares(func(c int) string { return vals[c] }, st, sink.buf)
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", name, line, err)
		}
		if err := sink.add(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: after line %d: %w", name, line, err)
	}
	if l == nil {
		return fmt.Errorf("%s: no JSON lines", name)
	}
	return nil
}

// jsonScalar returns a JSON string, number or null as text; ids written as
// numbers keep their exact digits.
func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw), nil
	default:
		return "", fmt.Errorf("want a string, number or null, got %.20s", raw)
	}
}

// ReadFlagged reads already flagged objects, one "type:object" per line;
// blank lines and lines starting with # are skipped. name labels errors.
func ReadFlagged(r io.Reader, name string) (map[Key]bool, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	set := map[Key]bool{}
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		typ, obj, ok := strings.Cut(s, ":")
		if !ok || typ == "" || obj == "" {
			return nil, fmt.Errorf("%s: line %d: want type:object, got %q", name, line, s)
		}
		set[Key{Type: typ, Object: obj}] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: after line %d: %w", name, line, err)
	}
	return set, nil
}
