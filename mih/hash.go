// Package mih finds 256-bit hashes near a query hash by multi-index hashing
// (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with Multi-Index
// Hashing", CVPR 2012), the scheme Meta's PDQ reference uses in its MIH256
// index.
//
// A hash is cut into 16 chunks of 16 bits. If two hashes are within Hamming
// distance d, the pigeonhole principle says at least one chunk of the two is
// within floor(d/16) bits. The index keeps, for every chunk position, a
// posting list per 16-bit value; a query enumerates the few chunk values near
// each of its own chunks, collects the hashes filed under them and checks each
// by its full 256-bit distance. The same principle applied to the 8 pairs of
// neighbouring chunks bounds each candidate's partner chunk too, and a
// 12-bit fingerprint of it stored in the posting entry rejects about 98% of
// candidates at d = 31 before their hash is read. Every radius 0..256 is
// answered exactly. See FORMAT.md for the in-memory layout and the figures.
//
// Index is the fast structure; Linear is a plain scan with the same query API,
// kept as the reference the index is tested against.
//
// The package depends on nothing but the standard library so that any program
// holding PDQ hashes can use it.
package mih

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Hash is a 256-bit hash as four 64-bit words. Word 0 holds bytes 0..7 in
// big-endian order, so the hex form reads left to right like the PDQ reference's.
type Hash [4]uint64

// Bits is the length of a Hash in bits.
const Bits = 256

// FromBytes returns the Hash of a 32-byte value (byte 0 is the first hex pair).
func FromBytes(b [32]byte) Hash {
	return Hash{
		binary.BigEndian.Uint64(b[0:8]),
		binary.BigEndian.Uint64(b[8:16]),
		binary.BigEndian.Uint64(b[16:24]),
		binary.BigEndian.Uint64(b[24:32]),
	}
}

// Bytes returns the 32 bytes of h, the inverse of FromBytes.
func (h Hash) Bytes() [32]byte {
	var b [32]byte
	binary.BigEndian.PutUint64(b[0:8], h[0])
	binary.BigEndian.PutUint64(b[8:16], h[1])
	binary.BigEndian.PutUint64(b[16:24], h[2])
	binary.BigEndian.PutUint64(b[24:32], h[3])
	return b
}

const hexDigits = "0123456789abcdef"

// String returns h as 64 lowercase hex digits, the PDQ reference's format.
func (h Hash) String() string {
	var out [64]byte
	for w := 0; w < 4; w++ {
		v := h[w]
		for i := 15; i >= 0; i-- {
			out[w*16+i] = hexDigits[v&0xf]
			v >>= 4
		}
	}
	return string(out[:])
}

// ParseHex parses 64 hex digits (either case) into a Hash. The error names
// the problem: the length, or the first character that is not a hex digit
// and its position (counted from 1).
func ParseHex(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("hash must be 64 hex digits, got %d characters", len(s))
	}
	for i := 0; i < 64; i++ {
		c := s[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		case c >= 0x80:
			return Hash{}, fmt.Errorf("hash has byte 0x%02x at position %d, want a hex digit", c, i+1)
		default:
			return Hash{}, fmt.Errorf("hash has %q at position %d, want a hex digit", rune(c), i+1)
		}
		h[i/16] = h[i/16]<<4 | uint64(v)
	}
	return h, nil
}

// Distance returns the Hamming distance between a and b: the number of bits
// in which they differ, 0..256.
func Distance(a, b Hash) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// chunks is the number of 16-bit chunks a Hash is cut into.
const chunks = 16

// chunk returns the i-th 16-bit chunk of h, counting from the first hex digits.
func chunk(h *Hash, i int) uint16 {
	return uint16(h[i>>2] >> (48 - 16*uint(i&3)))
}

// Result is one hash found by a query: the id it was added under and its
// distance from the query.
type Result struct {
	ID       uint64
	Distance int
}

// compareResults orders results by distance, then id, the order every query
// returns.
func compareResults(a, b Result) int {
	if a.Distance != b.Distance {
		return a.Distance - b.Distance
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}
