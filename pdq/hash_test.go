package pdq

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseHash(t *testing.T) {
	const ok = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
	tests := []struct {
		in, err string
	}{
		{ok, ""},
		{strings.ToUpper(ok), ""},
		{"", "want 64 hex characters, got 0"},
		{ok[:63], "want 64 hex characters, got 63"},
		{ok + "0", "want 64 hex characters, got 65"},
		{"g" + ok[1:], "invalid byte"},
		{" " + ok[1:], "invalid byte"},
	}
	for _, tc := range tests {
		h, err := ParseHash(tc.in)
		if tc.err == "" {
			if err != nil {
				t.Errorf("ParseHash(%q): %v", tc.in, err)
			} else if h.String() != strings.ToLower(tc.in) {
				t.Errorf("ParseHash(%q).String() = %q", tc.in, h.String())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseHash(%q) error %v, want one containing %q", tc.in, err, tc.err)
		}
	}
}

func TestDistance(t *testing.T) {
	var zero, ones Hash
	for i := range ones {
		ones[i] = 0xff
	}
	a, _ := ParseHash("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	b, _ := ParseHash("d8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22")
	tests := []struct {
		a, b Hash
		want int
	}{
		{zero, zero, 0},
		{zero, ones, 256},
		{a, a, 0},
		{a, b, 2},
		{b, a, 2},
		{a, zero, a.Weight()},
	}
	for _, tc := range tests {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestBitOrder pins the reference's layout: bit k is bit k%16 of 16-bit
// word k/16, and the words print last first, high byte first.
func TestBitOrder(t *testing.T) {
	tests := []struct {
		bit  int
		want string
	}{
		{0, strings.Repeat("0", 63) + "1"},
		{8, strings.Repeat("0", 61) + "100"},
		{15, strings.Repeat("0", 60) + "8000"},
		{16, strings.Repeat("0", 59) + "1" + "0000"},
		{255, "8" + strings.Repeat("0", 63)},
	}
	for _, tc := range tests {
		var h Hash
		h.setBit(tc.bit)
		if h.String() != tc.want {
			t.Errorf("bit %d: %s, want %s", tc.bit, h, tc.want)
		}
		if !h.Bit(tc.bit) || h.Weight() != 1 {
			t.Errorf("bit %d: Bit or Weight disagree with setBit", tc.bit)
		}
	}
}

func TestTextRoundTrip(t *testing.T) {
	h, _ := ParseHash("6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d")
	b, err := h.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var back Hash
	if err := back.UnmarshalText(b); err != nil || back != h {
		t.Errorf("round trip: %v, %v", back, err)
	}
	if err := back.UnmarshalText([]byte("zz")); err == nil {
		t.Error("UnmarshalText accepted \"zz\"")
	}
}

func ExampleDistance() {
	a, _ := ParseHash("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	b, _ := ParseHash("d8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22")
	d := Distance(a, b)
	fmt.Println(d, d <= MatchDistance)
	// Output: 2 true
}
