// Package csvsafe writes CSV that a spreadsheet opens without running
// anything: every cell a spreadsheet would read as a formula is prefixed
// with a single quote (OWASP's advice on CSV injection), and files meant
// for spreadsheets start with a UTF-8 byte order mark so that Arabic is
// not read in a legacy code page.
//
// The guard is reversible: Unguard gives back the exact value Cell was
// given, so a program that exports and re-imports its own files (marsad's
// bank CSV) loses nothing.
package csvsafe

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
)

// BOM is the UTF-8 byte order mark. Spreadsheets read a CSV file without
// it in the computer's legacy code page, which garbles Arabic.
const BOM = "\ufeff"

// triggers are the first characters that make a spreadsheet evaluate a
// cell: = + - @ start a formula, and a tab or carriage return is skipped
// before one.
const triggers = "=+-@\t\r"

// Cell returns s as it may be written to a CSV cell: a value starting
// with = + - @, tab or carriage return is prefixed with a single quote,
// which spreadsheets read as "text follows". Two kinds of value are left
// as they are because a spreadsheet reads them as data, not formulas, and
// the quote would only make them harder to read: a plain decimal number
// ("-12", "+3.5"), and everything not starting with a trigger, such as hex
// hashes. A value that already starts with quotes followed by a trigger
// gets one more quote, so that Unguard can tell the two apart.
func Cell(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// Unguard undoes Cell: Unguard(Cell(s)) == s for every s.
func Unguard(s string) string {
	if strings.HasPrefix(s, "'") && needsQuote(s[1:]) {
		return s[1:]
	}
	return s
}

func needsQuote(s string) bool {
	t := strings.TrimLeft(s, "'")
	if t == "" || !strings.ContainsRune(triggers, rune(t[0])) {
		return false
	}
	if len(t) < len(s) {
		return true // quoted already: one more, so that Unguard is exact
	}
	return !isNumber(s)
}

// isNumber reports whether s is an optional sign, digits and an optional
// decimal fraction: a value every spreadsheet reads as a number.
func isNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits, frac, dot := strings.Cut(s, ".")
	return allDigits(digits) && (!dot || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Writer is a csv.Writer that guards every cell with Cell.
type Writer struct {
	cw  *csv.Writer
	rec []string
}

// NewWriter returns a guarded CSV writer on w, without a byte order mark:
// for files that other programs read as data.
func NewWriter(w io.Writer) *Writer {
	return &Writer{cw: csv.NewWriter(w)}
}

// NewSpreadsheetWriter writes the byte order mark to w and returns a
// guarded CSV writer on it: for files people open in a spreadsheet.
func NewSpreadsheetWriter(w io.Writer) (*Writer, error) {
	if _, err := io.WriteString(w, BOM); err != nil {
		return nil, err
	}
	return NewWriter(w), nil
}

// Write writes one record, each field through Cell.
func (w *Writer) Write(rec []string) error {
	w.rec = w.rec[:0]
	for _, f := range rec {
		w.rec = append(w.rec, Cell(f))
	}
	return w.cw.Write(w.rec)
}

// Flush writes any buffered data and returns the first error met.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

// SkipBOM returns a reader of r without a leading byte order mark, if r
// starts with one.
func SkipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(BOM)); err == nil && string(b) == BOM {
		br.Discard(len(BOM))
	}
	return br
}
