package vpdq

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const h1 = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c"

func TestFormatRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(dataDir, "sample-hashes", "*.txt"))
	if len(files) == 0 {
		t.Skipf("sample hashes absent from %s", dataDir)
	}
	for _, f := range files {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := Read(bytes.NewReader(want))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := Marshal(fs); !bytes.Equal(got, want) {
			t.Errorf("%s: written back differs from the upstream file", filepath.Base(f))
		}
		back, err := ParseSignal(FormatSignal(fs))
		if err != nil || len(back) != len(fs) || back[3].Hash != fs[3].Hash || back[3].Timestamp != fs[3].Timestamp {
			t.Errorf("%s: signal string round trip: %v", filepath.Base(f), err)
		}
	}
}

func TestReadBadInput(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		field    string
	}{
		{"three fields", "0,100," + h1, 1, ""},
		{"five fields", "0,100," + h1 + ",0.000,x", 1, ""},
		{"negative frame", "-1,100," + h1 + ",0.000", 1, "frame"},
		{"quality over 100", "0,101," + h1 + ",0.000", 1, "quality"},
		{"quality not a number", "0,hi," + h1 + ",0.000", 1, "quality"},
		{"short hash", "0,100,e27101,0.000", 1, "hash"},
		{"hash not hex", "0,100," + strings.Repeat("z", 64) + ",0.000", 1, "hash"},
		{"timestamp negative", "0,100," + h1 + ",-1", 1, "timestamp"},
		{"timestamp NaN", "0,100," + h1 + ",NaN", 1, "timestamp"},
		{"second line bad", "0,100," + h1 + ",0.000\n\n1,100," + h1 + ",0.0.3\n", 3, "timestamp"},
		{"line too long", strings.Repeat("9", 5000), 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in))
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LineError", err)
			}
			if le.Line != tc.line || le.Field != tc.field {
				t.Errorf("got line %d field %q (%v), want line %d field %q", le.Line, le.Field, err, tc.line, tc.field)
			}
		})
	}
	if _, err := Read(strings.NewReader("\n\n")); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty file: got %v, want ErrEmpty", err)
	}
	if _, err := ParseSignal(`["` + h1 + `,100"]`); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad signal string: got %v", err)
	}
	if _, err := Unmarshal([]byte(`[1,2]`)); err == nil {
		t.Error("signal string of numbers: no error")
	}
}

// TestReadsPythonTimestamps checks timestamps as python-threatexchange
// writes them (three significant digits, so "1.23e+02" for 123.4 s).
func TestReadsPythonTimestamps(t *testing.T) {
	fs, err := ParseSignal(`["` + h1 + `,100,1.23e+02","` + h1 + `,99,0.033"]`)
	if err != nil || fs[0].Timestamp != 123 || fs[1].Quality != 99 {
		t.Fatalf("got %v, %v", fs, err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("0,100," + h1 + ",0.000\n1,99," + h1 + ",0.033\n"))
	f.Add([]byte(`["` + h1 + `,100,0.0"]`))
	f.Add([]byte("0,100,zz,0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Unmarshal(b)
		if err != nil {
			return
		}
		// Whatever parses writes out and parses back to the same hashes.
		back, err := Read(bytes.NewReader(Marshal(fs)))
		if err != nil {
			t.Fatalf("re-reading written hash: %v", err)
		}
		if len(back) != len(fs) {
			t.Fatalf("%d frames became %d", len(fs), len(back))
		}
		for i := range fs {
			if back[i].Hash != fs[i].Hash || back[i].Quality != fs[i].Quality || back[i].Frame != fs[i].Frame {
				t.Fatalf("frame %d changed: %v -> %v", i, fs[i], back[i])
			}
		}
	})
}
