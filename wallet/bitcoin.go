package wallet

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
)

// alphabet is the base58 alphabet of Bitcoin, TRON and Monero.
const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// btcVersions checks a Bitcoin base58check version byte.
func btcVersions(v byte) error {
	switch v {
	case 0x00, 0x05:
		return nil
	case 0x6f, 0xc4:
		return errorf("version byte 0x%02x is testnet", v)
	}
	return errorf("version byte 0x%02x is not P2PKH (0x00) or P2SH (0x05)", v)
}

// ltcVersions checks a Litecoin base58check version byte.
func ltcVersions(v byte) error {
	switch v {
	case 0x30, 0x32:
		return nil
	case 0x05:
		return errors.New("version byte 0x05 is Bitcoin's P2SH (reported as btc)")
	case 0x6f, 0x3a:
		return errorf("version byte 0x%02x is testnet", v)
	}
	return errorf("version byte 0x%02x is not P2PKH (0x30) or P2SH (0x32)", v)
}

// bitcoinLike validates a base58check or segwit address of a Bitcoin-like
// chain whose segwit human-readable part is hrp.
func bitcoinLike(s, hrp string, version func(byte) error) (string, error) {
	if segwitShaped(s) {
		if _, _, err := decodeSegwit(hrp, s); err != nil {
			return "", err
		}
		return strings.ToLower(s), nil
	}
	payload, err := decodeBase58Check(s)
	if err != nil {
		return "", err
	}
	if len(payload) != 21 {
		return "", errorf("payload is %d bytes, want 21 (version and 20-byte hash)", len(payload))
	}
	if err := version(payload[0]); err != nil {
		return "", err
	}
	return s, nil
}

// segwitShaped reports whether s starts like a segwit address of Bitcoin
// or Litecoin, on any network, so it gets the segwit decoder's errors.
func segwitShaped(s string) bool {
	for _, p := range [...]string{"bc1", "tb1", "bcrt1", "ltc1", "tltc1", "rltc1"} {
		if hasPrefixFold(s, p) {
			return true
		}
	}
	return false
}

// tron validates a TRON base58check address.
func tron(s string) (string, error) {
	payload, err := decodeBase58Check(s)
	if err != nil {
		return "", err
	}
	if len(payload) != 21 {
		return "", errorf("payload is %d bytes, want 21 (0x41 and 20-byte hash)", len(payload))
	}
	if payload[0] != 0x41 {
		return "", errorf("version byte 0x%02x, want 0x41", payload[0])
	}
	return s, nil
}

// decodeBase58 decodes Bitcoin-style base58 (one big number, leading '1's
// for leading zero bytes).
func decodeBase58(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty base58 string")
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// log(58)/log(2^32) is just under 0.1831; the number is kept in 32-bit
	// limbs, most significant first, and five digits (58^5 < 2^32) are
	// folded in per pass.
	var small [8]uint32
	limbs := small[:]
	if n := (len(s)-zeros)*1831/10000 + 1; n > len(small) {
		limbs = make([]uint32, n)
	} else {
		limbs = small[:n]
	}
	for i := zeros; i < len(s); {
		mul, carry := uint64(1), uint64(0)
		for k := 0; k < 5 && i < len(s); k, i = k+1, i+1 {
			d := base58Index[s[i]]
			if d == 0xff {
				return nil, errorf("character %q at position %d is not base58", rune(s[i]), i+1)
			}
			mul *= 58
			carry = carry*58 + uint64(d)
		}
		for j := len(limbs) - 1; j >= 0; j-- {
			t := uint64(limbs[j])*mul + carry
			limbs[j] = uint32(t)
			carry = t >> 32
		}
	}
	out := make([]byte, 0, zeros+4*len(limbs))
	out = append(out, make([]byte, zeros)...)
	lead := true
	for _, l := range limbs {
		for shift := 24; shift >= 0; shift -= 8 {
			b := byte(l >> uint(shift))
			if lead && b == 0 {
				continue
			}
			lead = false
			out = append(out, b)
		}
	}
	return out, nil
}

// decodeBase58Check decodes s and verifies its double-SHA-256 checksum,
// returning the payload without it.
func decodeBase58Check(s string) ([]byte, error) {
	b, err := decodeBase58(s)
	if err != nil {
		return nil, err
	}
	if len(b) < 5 {
		return nil, errorf("decodes to %d bytes, too short for a checksum", len(b))
	}
	payload, sum := b[:len(b)-4], b[len(b)-4:]
	h := sha256.Sum256(payload)
	h = sha256.Sum256(h[:])
	if !bytes.Equal(h[:4], sum) {
		return nil, errorf("base58check: %w", ErrChecksum)
	}
	return payload, nil
}

// bech32 checksum constants (BIP-173, BIP-350).
const (
	bech32Const  = 1
	bech32mConst = 0x2bc830a3
)

// charset is the bech32 data alphabet.
const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

func polymod(values []byte) uint32 {
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i, g := range [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3} {
			if top>>uint(i)&1 == 1 {
				chk ^= g
			}
		}
	}
	return chk
}

// decodeBech32 decodes a bech32 or bech32m string (BIP-173/350) and returns
// its human-readable part (lowercase), its 5-bit data without the checksum,
// and the checksum constant it matched.
func decodeBech32(s string) (hrp string, data []byte, constant uint32, err error) {
	if len(s) < 8 || len(s) > 90 {
		return "", nil, 0, errorf("bech32: length %d, want 8 to 90", len(s))
	}
	lower, upper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			return "", nil, 0, errorf("bech32: character 0x%02x at position %d out of range", c, i+1)
		}
		lower = lower || c >= 'a' && c <= 'z'
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if lower && upper {
		return "", nil, 0, errors.New("bech32: mixed case")
	}
	s = strings.ToLower(s)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 {
		return "", nil, 0, errors.New("bech32: no human-readable part before the separator '1'")
	}
	if len(s)-sep-1 < 6 {
		return "", nil, 0, errors.New("bech32: data part shorter than the 6-character checksum")
	}
	hrp = s[:sep]
	values := make([]byte, 0, 2*len(hrp)+1+len(s)-sep-1)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]&31)
	}
	for i := sep + 1; i < len(s); i++ {
		d := bech32Index[s[i]]
		if d == 0xff {
			return "", nil, 0, errorf("bech32: character %q at position %d is not in the data alphabet", rune(s[i]), i+1)
		}
		values = append(values, d)
	}
	switch constant = polymod(values); constant {
	case bech32Const, bech32mConst:
	default:
		return "", nil, 0, errorf("bech32: %w", ErrChecksum)
	}
	data = values[2*len(hrp)+1 : len(values)-6]
	return hrp, data, constant, nil
}

// decodeSegwit decodes a segwit address whose human-readable part must be
// hrp, returning its witness version and program.
func decodeSegwit(hrp, s string) (version byte, program []byte, err error) {
	got, data, constant, err := decodeBech32(s)
	if err != nil {
		return 0, nil, err
	}
	if got != hrp {
		if got == "t"+hrp || got == "tb" || got == "bcrt" || got == "r"+hrp {
			return 0, nil, errorf("segwit: %q is a test network", got)
		}
		return 0, nil, errorf("segwit: human-readable part %q, want %q", got, hrp)
	}
	if len(data) < 1 {
		return 0, nil, errors.New("segwit: no witness version")
	}
	version = data[0]
	if version > 16 {
		return 0, nil, errorf("segwit: witness version %d above 16", version)
	}
	program, err = convertBits(data[1:])
	if err != nil {
		return 0, nil, errorf("segwit: %w", err)
	}
	if len(program) < 2 || len(program) > 40 {
		return 0, nil, errorf("segwit: program of %d bytes, want 2 to 40", len(program))
	}
	if version == 0 && len(program) != 20 && len(program) != 32 {
		return 0, nil, errorf("segwit: v0 program of %d bytes, want 20 or 32", len(program))
	}
	if version == 0 && constant != bech32Const {
		return 0, nil, errors.New("segwit: v0 address with a bech32m checksum, want bech32 (BIP-350)")
	}
	if version != 0 && constant != bech32mConst {
		return 0, nil, errorf("segwit: v%d address with a bech32 checksum, want bech32m (BIP-350)", version)
	}
	return version, program, nil
}

// convertBits regroups 5-bit values into bytes, rejecting non-zero or
// over-long padding (BIP-173).
func convertBits(data []byte) ([]byte, error) {
	var (
		acc  uint32
		bits uint
		out  = make([]byte, 0, len(data)*5/8)
	)
	for _, v := range data {
		acc = acc<<5 | uint32(v)
		bits += 5
		for bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if bits >= 5 {
		return nil, errors.New("more than 4 bits of padding")
	}
	if acc&(1<<bits-1) != 0 {
		return nil, errors.New("non-zero padding")
	}
	return out, nil
}
