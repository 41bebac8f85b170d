// Package pdq computes PDQ perceptual hashes of images as Meta's
// C++ reference implementation does, and compares them.
//
// PDQ turns an image into 256 bits: luminance, a two-pass box ("Jarosz")
// filter and decimation to 64x64, the 16x16 lowest frequencies of a 2-D DCT,
// and one bit per frequency for "above the median". Two images that look the
// same have hashes a few bits apart; the reference suggests calling hashes at
// Hamming distance [MatchDistance] or less a match, and discarding hashes whose
// quality is below [MinQuality].
//
// By default the package follows the reference command-line hasher
// (pdq-photo-hasher), which first resizes any image wider or taller than 512
// pixels to exactly 512x512 by nearest-neighbour sampling; [Options] selects
// the full-resolution variant used by the pdqhash Python binding and the Java
// port instead. By default HashReader decodes JPEG luminance straight to the
// size the hash needs, reduced in the DCT domain; [Options].Exact decodes
// in full and rebuilds colour as libjpeg, which the reference decodes with,
// rebuilds it. Lossless images hash bit for bit as in the reference; see
// CONFORMANCE.md for the rest.
//
// [HashReader] decodes JPEG, PNG, GIF (first frame), WebP, BMP and TIFF and
// refuses, from the header alone, images with more pixels than
// [Options].MaxPixels. Use a [Hasher] per goroutine to hash many images
// without allocating.
package pdq

import (
	"encoding/hex"
	"fmt"
	"math/bits"
)

// MinQuality is the lowest quality score whose hash is worth matching: the
// reference recommends discarding hashes of quality 49 or less.
const MinQuality = 50

// MatchDistance is the reference's recommended Hamming distance threshold:
// two hashes at this distance or closer are considered a match.
const MatchDistance = 31

// Hash is a 256-bit PDQ hash in the reference's byte order: byte 0 holds the
// high byte of the reference's last 16-bit word, so that the hex string of
// the bytes in order is the reference's printed form.
type Hash [32]byte

// String returns the 64 lowercase hex characters the reference prints.
func (h Hash) String() string {
	return hex.EncodeToString(h[:])
}

// MarshalText encodes the hash as its hex string.
func (h Hash) MarshalText() ([]byte, error) {
	return []byte(h.String()), nil
}

// UnmarshalText decodes a hash from its hex string.
func (h *Hash) UnmarshalText(b []byte) error {
	p, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash parses the 64-hex-character form of a hash (either case).
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("pdq hash %q: want 64 hex characters, got %d", s, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("pdq hash %q: %w", s, err)
	}
	return h, nil
}

// Distance returns the Hamming distance between two hashes: the number of
// bits in which they differ, from 0 to 256.
func Distance(a, b Hash) int {
	n := 0
	for i := 0; i < 32; i += 8 {
		x := uint64(a[i])<<56 | uint64(a[i+1])<<48 | uint64(a[i+2])<<40 | uint64(a[i+3])<<32 |
			uint64(a[i+4])<<24 | uint64(a[i+5])<<16 | uint64(a[i+6])<<8 | uint64(a[i+7])
		y := uint64(b[i])<<56 | uint64(b[i+1])<<48 | uint64(b[i+2])<<40 | uint64(b[i+3])<<32 |
			uint64(b[i+4])<<24 | uint64(b[i+5])<<16 | uint64(b[i+6])<<8 | uint64(b[i+7])
		n += bits.OnesCount64(x ^ y)
	}
	return n
}

// Bit reports whether bit k (0..255) is set, numbered as the reference
// numbers them: bit 16*i+j is DCT coefficient (i+1, j+1).
func (h Hash) Bit(k int) bool {
	i, m := bitPos(k)
	return h[i]&m != 0
}

// setBit sets bit k in the reference's numbering.
func (h *Hash) setBit(k int) {
	i, m := bitPos(k)
	h[i] |= m
}

// bitPos maps the reference's bit number to a byte index and mask. The
// reference keeps sixteen 16-bit words and prints the last word first, high
// byte first.
func bitPos(k int) (int, byte) {
	k &= 255
	word, b := k>>4, k&15
	i := 2 * (15 - word)
	if b < 8 {
		i++
	}
	return i, 1 << (b & 7)
}

// Weight returns the number of set bits (the reference's "norm"); a real
// image's hash has about 128.
func (h Hash) Weight() int {
	n := 0
	for _, b := range h {
		n += bits.OnesCount8(b)
	}
	return n
}
