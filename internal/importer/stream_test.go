package importer

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReaderWhere: offsets are placed by line and column as Position
// places them in the whole file, while only the last window is kept.
func TestReaderWhere(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 3*window; i++ {
		fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("x", i%97))
	}
	data := b.String()
	r := NewReader(iotest.HalfReader(strings.NewReader(data)))
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{int64(len(data)) - 1, int64(len(data)) - window/2, int64(len(data)) - window} {
		line, col := Position([]byte(data), off)
		if got, want := r.Where(off), fmt.Sprintf("line %d, column %d", line, col); got != want {
			t.Errorf("Where(%d) = %q, want %q", off, got, want)
		}
	}
	if got := r.Where(10); got != "byte 10" {
		t.Errorf("Where before the window = %q, want byte 10", got)
	}
}
