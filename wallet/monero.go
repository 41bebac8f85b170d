package wallet

import (
	"bytes"
	"errors"
	"math/bits"

	"golang.org/x/crypto/sha3"
)

// Monero base58 encodes 8-byte blocks as 11 characters; a final partial
// block of n bytes takes encodedBlock[n] characters.
const (
	fullBlock        = 8
	fullEncodedBlock = 11
)

// decodedBlockSize returns how many bytes an encoded partial block of n
// characters holds, or -1 if no block encodes to n characters.
func decodedBlockSize(n int) int {
	switch n {
	case 0:
		return 0
	case 2:
		return 1
	case 3:
		return 2
	case 5:
		return 3
	case 6:
		return 4
	case 7:
		return 5
	case 9:
		return 6
	case 10:
		return 7
	case 11:
		return 8
	}
	return -1
}

// decodeMoneroBase58 decodes Monero's block base58.
func decodeMoneroBase58(s string) ([]byte, error) {
	full, rest := len(s)/fullEncodedBlock, len(s)%fullEncodedBlock
	last := decodedBlockSize(rest)
	if last < 0 {
		return nil, errorf("length %d is not a valid Monero base58 length", len(s))
	}
	out := make([]byte, 0, full*fullBlock+last)
	for b := 0; b <= full; b++ {
		start := b * fullEncodedBlock
		end := min(start+fullEncodedBlock, len(s))
		if start == end {
			break
		}
		size := decodedBlockSize(end - start)
		var num uint64
		for i := start; i < end; i++ {
			d := base58Index[s[i]]
			if d == 0xff {
				return nil, errorf("character %q at position %d is not base58", rune(s[i]), i+1)
			}
			hi, lo := bits.Mul64(num, 58)
			lo, carry := bits.Add64(lo, uint64(d), 0)
			if hi != 0 || carry != 0 {
				return nil, errorf("block at position %d overflows 64 bits", start+1)
			}
			num = lo
		}
		if size < fullBlock && num>>(8*uint(size)) != 0 {
			return nil, errorf("block at position %d overflows %d bytes", start+1, size)
		}
		for i := size - 1; i >= 0; i-- {
			out = append(out, byte(num>>(8*uint(i))))
		}
	}
	return out, nil
}

// monero validates a Monero mainnet address.
func monero(s string) (string, error) {
	switch len(s) {
	case 95, 106:
	default:
		return "", errorf("length %d, want 95 (standard, subaddress) or 106 (integrated)", len(s))
	}
	b, err := decodeMoneroBase58(s)
	if err != nil {
		return "", err
	}
	payload, sum := b[:len(b)-4], b[len(b)-4:]
	h := sha3.NewLegacyKeccak256()
	h.Write(payload)
	if !bytes.Equal(h.Sum(nil)[:4], sum) {
		return "", errorf("keccak: %w", ErrChecksum)
	}
	// Network bytes are varints; every mainnet one is below 0x80.
	want := 69
	switch net := payload[0]; net {
	case 18, 42:
	case 19:
		want = 77
	case 53, 54, 63:
		return "", errorf("network byte %d is testnet", net)
	case 24, 25, 36:
		return "", errorf("network byte %d is stagenet", net)
	default:
		return "", errorf("network byte %d is not a Monero mainnet address (18, 19 or 42)", net)
	}
	if len(b) != want {
		return "", errors.New("length does not fit the address type of its network byte")
	}
	return s, nil
}
