package wallet

import (
	"errors"
	"strings"

	"golang.org/x/crypto/sha3"
)

// ethereum validates an Ethereum address and returns it lowercased.
func ethereum(s string) (string, error) {
	if !strings.HasPrefix(s, "0x") {
		return "", errors.New(`want the "0x" prefix`)
	}
	hex := s[2:]
	if len(hex) != 40 {
		return "", errorf("%d hex digits after 0x, want 40", len(hex))
	}
	lower, upper := false, false
	for i := 0; i < len(hex); i++ {
		switch c := hex[i]; {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			lower = true
		case c >= 'A' && c <= 'F':
			upper = true
		default:
			return "", errorf("character %q at position %d is not a hex digit", rune(c), i+3)
		}
	}
	canon := "0x" + strings.ToLower(hex)
	if lower && upper {
		if i := eip55Mismatch(hex); i >= 0 {
			return "", errorf("EIP-55: case of %q at position %d: %w", rune(hex[i]), i+3, ErrChecksum)
		}
	}
	return canon, nil
}

// eip55Mismatch returns the index of the first letter in the 40 hex digits
// whose case disagrees with the EIP-55 checksum, or -1.
func eip55Mismatch(hex string) int {
	var lower [40]byte
	for i := 0; i < 40; i++ {
		c := hex[i]
		if c >= 'A' && c <= 'F' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(lower[:])
	sum := h.Sum(nil)
	for i := 0; i < 40; i++ {
		c := hex[i]
		if c <= '9' {
			continue
		}
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 15
		}
		if (nibble >= 8) != (c <= 'F') {
			return i
		}
	}
	return -1
}

// EIP55 returns the EIP-55 mixed-case checksum form of an Ethereum address
// given in any case, for display.
func EIP55(s string) (string, error) {
	v, err := canonical(ETH, s)
	if err != nil {
		return "", err
	}
	b := []byte(v)
	h := sha3.NewLegacyKeccak256()
	h.Write(b[2:])
	sum := h.Sum(nil)
	for i := 0; i < 40; i++ {
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 15
		}
		if c := b[2+i]; c >= 'a' && nibble >= 8 {
			b[2+i] = c - ('a' - 'A')
		}
	}
	return string(b), nil
}
