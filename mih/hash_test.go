package mih

import (
	"strings"
	"testing"
)

func TestParseHex(t *testing.T) {
	tests := []struct {
		in      string
		want    Hash
		wantErr string
	}{
		{in: strings.Repeat("0", 64), want: Hash{}},
		{in: "f" + strings.Repeat("0", 63), want: Hash{0xf000000000000000}},
		{in: strings.Repeat("0", 63) + "1", want: Hash{0, 0, 0, 1}},
		{in: "0123456789abcdefFEDCBA9876543210" + strings.Repeat("a", 32),
			want: Hash{0x0123456789abcdef, 0xfedcba9876543210, 0xaaaaaaaaaaaaaaaa, 0xaaaaaaaaaaaaaaaa}},
		{in: "", wantErr: "got 0 characters"},
		{in: strings.Repeat("0", 63), wantErr: "got 63 characters"},
		{in: strings.Repeat("0", 65), wantErr: "got 65 characters"},
		{in: strings.Repeat("0", 10) + "g" + strings.Repeat("0", 53), wantErr: `'g' at position 11`},
		{in: " " + strings.Repeat("0", 63), wantErr: `' ' at position 1`},
		{in: strings.Repeat("0", 62) + "é", wantErr: "byte 0xc3 at position 63"},
	}
	for _, tt := range tests {
		got, err := ParseHex(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseHex(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseHex(%q) = %x, %v; want %x", tt.in, got, err, tt.want)
		}
		if s := got.String(); s != strings.ToLower(tt.in) {
			t.Errorf("String() = %q, want %q", s, strings.ToLower(tt.in))
		}
	}
}

// TestByteOrder checks the PDQ reference's order: the first hex pair is the
// first byte, and chunk 0 is the first four hex digits.
func TestByteOrder(t *testing.T) {
	var b [32]byte
	for i := range b {
		b[i] = byte(i)
	}
	h := FromBytes(b)
	want := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	if h.String() != want {
		t.Fatalf("String() = %s, want %s", h, want)
	}
	if h.Bytes() != b {
		t.Fatalf("Bytes() = %x, want %x", h.Bytes(), b)
	}
	for i := 0; i < chunks; i++ {
		if got, want := chunk(&h, i), uint16(2*i)<<8|uint16(2*i+1); got != want {
			t.Errorf("chunk %d = %04x, want %04x", i, got, want)
		}
	}
}

func TestDistance(t *testing.T) {
	a := Hash{}
	tests := []struct {
		b    Hash
		want int
	}{
		{Hash{}, 0},
		{Hash{1}, 1},
		{Hash{0, 0, 0, 1 << 63}, 1},
		{Hash{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}, 256},
		{Hash{0xff, 0xff00, 0, 3}, 18},
	}
	for _, tt := range tests {
		if got := Distance(a, tt.b); got != tt.want {
			t.Errorf("Distance(0, %x) = %d, want %d", tt.b, got, tt.want)
		}
		if got := Distance(tt.b, a); got != tt.want {
			t.Errorf("Distance not symmetric for %x", tt.b)
		}
	}
}

func FuzzParseHex(f *testing.F) {
	f.Add(strings.Repeat("0", 64))
	f.Add("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22")
	f.Add("F8F8F0CEE0F4A84F06370A22038F63F0B36E2ED596621E1D33E6B39C4E9C9B22")
	f.Add("")
	f.Add("xyz")
	f.Add(strings.Repeat("0", 63) + "\xff")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHex(s)
		if err != nil {
			if h != (Hash{}) {
				t.Fatalf("ParseHex(%q) returned %x with error %v", s, h, err)
			}
			return
		}
		if got := h.String(); got != strings.ToLower(s) {
			t.Fatalf("ParseHex(%q).String() = %q", s, got)
		}
		if FromBytes(h.Bytes()) != h {
			t.Fatalf("bytes round trip of %q failed", s)
		}
	})
}
