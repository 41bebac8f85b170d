package vpdq

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/marsad/marsad/pdq"
)

// ErrEmpty is returned (wrapped) for a vPDQ hash with no frames: the C++
// reference refuses empty hash files (vpdqio.cpp, lines 55-58).
var ErrEmpty = errors.New("no frames")

// maxTimestamp bounds a frame's time: a year of video.
const maxTimestamp = 366 * 24 * 3600

// maxLine bounds one line of a hash file; a real line is under 100 bytes.
const maxLine = 4096

// LineError is why one line of a vPDQ hash file was refused.
type LineError struct {
	Line  int    // 1-based
	Field string // frame, quality, hash or timestamp; empty for the line as a whole
	Err   error
}

func (e *LineError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Read parses a vPDQ hash file as the C++ reference writes it: one frame a
// line, "frame_number,quality,pdq_hex,timestamp_seconds"
// (vpdqio.cpp, lines 72-81). Blank lines are skipped. Unlike the reference,
// which reads only the first four fields and stops at the first bad line
// with a generic message, every field is checked and the first bad line is
// reported by number and field.
func Read(r io.Reader) ([]Feature, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxLine)
	var out []Feature
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" {
			continue
		}
		f, err := ParseLine(line)
		if err != nil {
			var le *LineError
			if errors.As(err, &le) {
				le.Line = n
				return nil, le
			}
			return nil, &LineError{Line: n, Err: err}
		}
		out = append(out, f)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &LineError{Line: n + 1, Err: fmt.Errorf("longer than %d bytes", maxLine)}
		}
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrEmpty
	}
	return out, nil
}

// ParseLine parses one line of a vPDQ hash file. A returned *LineError has
// Line 0 and names the field.
func ParseLine(line string) (Feature, error) {
	parts := strings.Split(line, ",")
	if len(parts) != 4 {
		return Feature{}, &LineError{Err: fmt.Errorf("want 4 comma-separated fields (frame_number,quality,pdq_hex,timestamp), got %d", len(parts))}
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	var f Feature
	var err error
	if f.Frame, err = strconv.Atoi(parts[0]); err != nil || f.Frame < 0 {
		return Feature{}, &LineError{Field: "frame", Err: fmt.Errorf("want a whole number from 0, got %q", clip(parts[0]))}
	}
	if f.Quality, err = strconv.Atoi(parts[1]); err != nil || f.Quality < 0 || f.Quality > 100 {
		return Feature{}, &LineError{Field: "quality", Err: fmt.Errorf("want a whole number from 0 to 100, got %q", clip(parts[1]))}
	}
	if f.Hash, err = parseHash(parts[2]); err != nil {
		return Feature{}, &LineError{Field: "hash", Err: err}
	}
	if f.Timestamp, err = parseTime(parts[3]); err != nil {
		return Feature{}, &LineError{Field: "timestamp", Err: err}
	}
	return f, nil
}

func parseHash(s string) (pdq.Hash, error) {
	if len(s) != 64 {
		return pdq.Hash{}, fmt.Errorf("want 64 hex characters, got %d", len(s))
	}
	h, err := pdq.ParseHash(s)
	if err != nil {
		return pdq.Hash{}, fmt.Errorf("want 64 hex characters, got %q", clip(s))
	}
	return h, nil
}

func parseTime(s string) (float64, error) {
	t, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(t) || t < 0 || t > maxTimestamp {
		return 0, fmt.Errorf("want seconds from 0 to %g, got %q", float64(maxTimestamp), clip(s))
	}
	return t, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Write writes features in the C++ reference's file format, one line a
// frame, the timestamp with three decimals (vpdqio.cpp, lines 23 and 72-81).
func Write(w io.Writer, fs []Feature) error {
	bw := bufio.NewWriter(w)
	for _, f := range fs {
		bw.WriteString(FormatLine(f))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// FormatLine formats one feature as a line of the reference's file format,
// without the newline.
func FormatLine(f Feature) string {
	return strconv.Itoa(f.Frame) + "," + strconv.Itoa(f.Quality) + "," + f.Hash.String() + "," + strconv.FormatFloat(f.Timestamp, 'f', 3, 64)
}

// Marshal returns the features in the reference's file format.
func Marshal(fs []Feature) []byte {
	var b bytes.Buffer
	Write(&b, fs)
	return b.Bytes()
}

// Unmarshal parses the reference's file format, or python-threatexchange's
// signal string (see ParseSignal) when the text starts with '['.
func Unmarshal(b []byte) ([]Feature, error) {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '[' {
		return ParseSignal(string(t))
	}
	return Read(bytes.NewReader(b))
}

// ParseSignal parses python-threatexchange's vPDQ signal string: a JSON
// list of "pdq_hex,quality,timestamp" strings (vpdq_util.py, lines 53-63
// and 74-83). It carries no frame numbers; frames are numbered by position.
func ParseSignal(s string) ([]Feature, error) {
	var items []string
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return nil, fmt.Errorf("vpdq signal: want a JSON list of \"pdq_hex,quality,timestamp\" strings: %w", err)
	}
	out := make([]Feature, 0, len(items))
	for i, it := range items {
		parts := strings.Split(it, ",")
		if len(parts) != 3 {
			return nil, &LineError{Line: i + 1, Err: fmt.Errorf("want 3 comma-separated fields (pdq_hex,quality,timestamp), got %d", len(parts))}
		}
		f := Feature{Frame: i}
		var err error
		if f.Hash, err = parseHash(strings.TrimSpace(parts[0])); err != nil {
			return nil, &LineError{Line: i + 1, Field: "hash", Err: err}
		}
		q := strings.TrimSpace(parts[1])
		if f.Quality, err = strconv.Atoi(q); err != nil || f.Quality < 0 || f.Quality > 100 {
			return nil, &LineError{Line: i + 1, Field: "quality", Err: fmt.Errorf("want a whole number from 0 to 100, got %q", clip(q))}
		}
		if f.Timestamp, err = parseTime(strings.TrimSpace(parts[2])); err != nil {
			return nil, &LineError{Line: i + 1, Field: "timestamp", Err: err}
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, ErrEmpty
	}
	return out, nil
}

// FormatSignal returns python-threatexchange's signal string for fs. The
// timestamp is written with three decimals; python-threatexchange itself
// writes three significant digits (vpdq_util.py, line 63), which its own
// parser and this one both read.
func FormatSignal(fs []Feature) string {
	items := make([]string, len(fs))
	for i, f := range fs {
		items[i] = f.Hash.String() + "," + strconv.Itoa(f.Quality) + "," + strconv.FormatFloat(f.Timestamp, 'f', 3, 64)
	}
	b, _ := json.Marshal(items)
	return string(b)
}
