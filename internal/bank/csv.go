// Package bank reads and writes bank entries in the CSV shapes partners
// exchange, and checks each entry's value for its signal type.
package bank

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marsad/marsad/csvsafe"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/links"
	"github.com/marsad/marsad/wallet"
)

// LineError is a CSV line that could not be imported.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Column names recognised in a header, by what they hold.
var columns = map[string]string{
	"type": "type", "signal_type": "type", "kind": "type",
	"value": "value", "signal": "value", "hash": "value", "pdq": "value", "pdq_hex": "value", "pdq_hash": "value",
	"md5": "value", "sha256": "value", "url": "value", "indicator": "value",
	"label": "label", "tag": "label", "tags": "label", "category": "label",
	"source": "source", "owner": "source", "provenance": "source",
	"added_at": "added_at", "time": "added_at", "timestamp": "added_at", "created_at": "added_at",
	"quality": "quality",
}

// ParseOptions tune ParseCSV.
type ParseOptions struct {
	// Type is the signal type of rows that do not name one (a hash per
	// line, or a header without a type column). Empty means pdq.
	Type model.SignalType
	// Source is recorded for rows that do not name one.
	Source string
	// Label is given to rows that do not name one.
	Label model.Label
}

// ParseCSV reads bank entries from r. It accepts:
//
//   - marsad's own shape: a header "type,value,label,source,added_at";
//   - one hash per line, no header (type from opt.Type, default pdq);
//   - a header naming a hash column (hash, pdq, pdq_hex, signal, value...)
//     and optionally label, source, quality and time columns, as in
//     ThreatExchange-style "pdq_hex,quality,..." exports.
//
// Lines starting with # are comments. A leading byte order mark is
// skipped, and a cell quoted against formulas (csvsafe.Cell, as WriteCSV
// writes) is read without its guard quote. Each bad line is reported with
// its number and the good ones are returned.
func ParseCSV(r io.Reader, opt ParseOptions) ([]model.BankEntry, []*LineError, error) {
	if opt.Type == "" {
		opt.Type = model.SignalPDQ
	}
	if !opt.Type.Valid() {
		return nil, nil, fmt.Errorf("unknown signal type %q", opt.Type)
	}
	cr := csv.NewReader(csvsafe.SkipBOM(r))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var (
		entries []model.BankEntry
		bad     []*LineError
		cols    map[string]int
		first   = true
		seen    = map[[2]string]bool{}
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, &LineError{Line: pe.Line, Err: pe.Err})
				continue
			}
			return entries, bad, fmt.Errorf("read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		for i, f := range rec {
			rec[i] = csvsafe.Unguard(f)
		}
		if first {
			first = false
			if h, ok := header(rec); ok {
				if _, ok := h["value"]; !ok {
					return nil, nil, fmt.Errorf("line %d: header names no hash or value column (want one of hash, pdq, pdq_hex, value, signal)", line)
				}
				cols = h
				continue
			}
			if len(rec) == 1 {
				cols = map[string]int{"value": 0}
			} else {
				return nil, nil, fmt.Errorf("line %d: no header: the first line must name the columns (type,value,label,source,added_at) unless the file is one hash per line", line)
			}
		}
		if err := checkText(rec, cols); err != nil {
			bad = append(bad, &LineError{Line: line, Err: err})
			continue
		}
		e, err := entry(rec, cols, opt)
		if err != nil {
			bad = append(bad, &LineError{Line: line, Err: err})
			continue
		}
		k := [2]string{string(e.Type), e.Value}
		if seen[k] {
			continue
		}
		seen[k] = true
		entries = append(entries, e)
	}
	return entries, bad, nil
}

func header(rec []string) (map[string]int, bool) {
	h := map[string]int{}
	for i, f := range rec {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
		if c, ok := columns[name]; ok {
			if _, dup := h[c]; !dup {
				h[c] = i
			}
		}
	}
	return h, len(h) > 0
}

func field(rec []string, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func entry(rec []string, cols map[string]int, opt ParseOptions) (model.BankEntry, error) {
	e := model.BankEntry{Type: opt.Type, Label: opt.Label, Source: opt.Source}
	if t := field(rec, cols, "type"); t != "" {
		e.Type = model.SignalType(strings.ToLower(t))
		if !e.Type.Valid() {
			return e, fmt.Errorf("unknown type %q (want one of %v)", t, model.SignalTypes)
		}
	}
	if l := field(rec, cols, "label"); l != "" {
		e.Label = model.Label(strings.ToLower(l))
		if !e.Label.Valid() {
			return e, fmt.Errorf("unknown label %q (want one of %v)", l, model.Labels)
		}
	}
	if s := field(rec, cols, "source"); s != "" {
		e.Source = s
	}
	if a := field(rec, cols, "added_at"); a != "" {
		t, err := parseTime(a)
		if err != nil {
			return e, fmt.Errorf("added_at %q: %w", a, err)
		}
		e.AddedAt = t
	}
	v, err := Canonical(e.Type, field(rec, cols, "value"))
	if err != nil {
		return e, err
	}
	e.Value = v
	return e, nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	var secs int64
	if _, err := fmt.Sscanf(s, "%d", &secs); err == nil && fmt.Sprint(secs) == s {
		return time.Unix(secs, 0).UTC(), nil
	}
	return time.Time{}, errors.New("want RFC 3339, YYYY-MM-DD or unix seconds")
}

// Canonical checks a value for its signal type and returns the form marsad
// stores and matches: lower-case hex for hashes, the canonical URL, and
// "chain:address" for wallets.
func Canonical(t model.SignalType, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errors.New("empty value")
	}
	switch t {
	case model.SignalPDQ, model.SignalSHA256, model.SignalVPDQ:
		if !isHex(v, 64) {
			return "", fmt.Errorf("%s %q: want 64 hex characters, got %d characters", t, short(v), len(v))
		}
		return strings.ToLower(v), nil
	case model.SignalMD5:
		if !isHex(v, 32) {
			return "", fmt.Errorf("md5 %q: want 32 hex characters, got %d characters", short(v), len(v))
		}
		return strings.ToLower(v), nil
	case model.SignalURL:
		c, err := links.Canonical(v)
		if err != nil {
			return "", fmt.Errorf("url %q: %w", short(v), err)
		}
		return c, nil
	case model.SignalWallet:
		chain, addr, ok := strings.Cut(v, ":")
		if !ok {
			return "", fmt.Errorf("wallet %q: want chain:address, e.g. btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT", short(v))
		}
		chain = strings.ToLower(chain)
		c, err := wallet.Canonical(chain, addr)
		if err != nil {
			return "", fmt.Errorf("wallet %q: %w", short(v), err)
		}
		return chain + ":" + c, nil
	}
	return "", fmt.Errorf("unknown type %q", t)
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// WriteCSV writes entries in marsad's own shape, starting with a UTF-8
// byte order mark and a header: people open it in a spreadsheet, and
// ParseCSV reads it back exactly (csvsafe).
func WriteCSV(w io.Writer, entries []model.BankEntry) error {
	if _, err := io.WriteString(w, csvsafe.BOM+"type,value,label,source,added_at\n"); err != nil {
		return err
	}
	return WriteCSVRows(w, entries)
}

// WriteCSVRows writes entries in marsad's own shape without a header, for
// writing a large bank page by page. Every cell a spreadsheet would run
// as a formula is prefixed with a quote (csvsafe.Cell).
func WriteCSVRows(w io.Writer, entries []model.BankEntry) error {
	cw := csvsafe.NewWriter(w)
	for _, e := range entries {
		if err := cw.Write([]string{string(e.Type), e.Value, string(e.Label), e.Source, e.AddedAt.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteHashes writes the PDQ entries one hash per line, the simplest shape
// partners exchange.
func WriteHashes(w io.Writer, entries []model.BankEntry) error {
	for _, e := range entries {
		if e.Type != model.SignalPDQ {
			continue
		}
		if _, err := fmt.Fprintln(w, e.Value); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses a record with a field that is not UTF-8 or holds a
// NUL, naming the column: neither can be stored as text.
func checkText(rec []string, cols map[string]int) error {
	for i, f := range rec {
		why := ""
		switch {
		case !utf8.ValidString(f):
			why = "is not valid UTF-8"
		case strings.IndexByte(f, 0) >= 0:
			why = "contains a NUL character"
		default:
			continue
		}
		name := fmt.Sprintf("column %d", i+1)
		for n, c := range cols {
			if c == i {
				name = n
			}
		}
		return fmt.Errorf("%s %s", name, why)
	}
	return nil
}
