package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Reader passes a file through and remembers enough of it to place a byte
// offset by line and column, so an error found while streaming a large
// export names where it is without the file being held in memory. Only
// the last window (about a megabyte) is kept; an offset before it is
// placed by byte alone.
type Reader struct {
	r    io.Reader
	base int64 // offset of win[0]
	line int   // line of win[0], 1-based
	col  int   // column of win[0], 1-based
	win  []byte
}

// window is how much of the stream Reader keeps to place offsets.
const window = 1 << 20

// NewReader wraps r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r, line: 1, col: 1} }

// Read implements io.Reader.
func (p *Reader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.win = append(p.win, b[:n]...)
	if len(p.win) > 2*window {
		drop := len(p.win) - window
		for _, c := range p.win[:drop] {
			if c == '\n' {
				p.line, p.col = p.line+1, 1
			} else {
				p.col++
			}
		}
		p.win = append(p.win[:0], p.win[drop:]...)
		p.base += int64(drop)
	}
	return n, err
}

// Where names a byte offset as "line L, column C", or "byte N" when it
// falls before the kept window.
func (p *Reader) Where(offset int64) string {
	if offset < p.base || offset-p.base > int64(len(p.win)) {
		return fmt.Sprintf("byte %d", offset)
	}
	seen := p.win[:offset-p.base]
	line, col := p.line, p.col
	if n := bytes.Count(seen, []byte{'\n'}); n > 0 {
		line += n
		col = len(seen) - bytes.LastIndexByte(seen, '\n')
	} else {
		col += len(seen)
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Break says where a stream stopped being JSON, and why: a syntax error
// or the end of the file in the middle of a value. from is the decoder's
// InputOffset before the call that failed; the value from there is
// scanned again, because encoding/json's Decoder gives syntax error
// offsets that do not count from the start of the stream.
func (p *Reader) Break(from int64, err error) (offset int64, cause string) {
	off := p.locate(from)
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		if off < 0 {
			off = p.base + int64(len(p.win))
		}
		return off, "the file ends in the middle of a value (is it cut short?)"
	case errors.As(err, &se):
		if off < 0 {
			off = se.Offset - 1
		}
		return off, err.Error()
	}
	return from, err.Error()
}

// BreakError is Break's answer as the error of a whole file.
func (p *Reader) BreakError(from int64, err error) error {
	off, cause := p.Break(from, err)
	return fmt.Errorf("malformed JSON at %s: %s", p.Where(off), cause)
}

// locate finds the offset of the first syntax error in the kept stream
// from offset from, or -1.
func (p *Reader) locate(from int64) int64 {
	if from < p.base || from-p.base > int64(len(p.win)) {
		return -1
	}
	data := p.win[from-p.base:]
	skip := 0
	for skip < len(data) && strings.IndexByte(" \t\r\n,:", data[skip]) >= 0 {
		skip++
	}
	var v json.RawMessage
	var se *json.SyntaxError
	if err := json.Unmarshal(data[skip:], &v); errors.As(err, &se) {
		if se.Offset > 0 && strings.HasPrefix(se.Error(), "invalid character") {
			return from + int64(skip) + se.Offset - 1
		}
		return from + int64(skip) + se.Offset
	}
	return -1
}

// TypeMismatch turns a JSON type error met while decoding one item into
// an Error naming the field and what it should have been.
func TypeMismatch(err error) *Error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return &Error{Err: err}
	}
	field := te.Field
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	return &Error{Field: field, Err: fmt.Errorf("want %s, got JSON %s", kind(te.Type), te.Value)}
}
