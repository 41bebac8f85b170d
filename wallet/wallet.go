// Package wallet finds cryptocurrency wallet addresses in free text and keeps
// only those whose checksum is valid, so that random strings, hashes and
// numbers are not taken for addresses.
//
// Chains and the forms recognised (mainnet only):
//
//   - btc: base58check P2PKH ("1...", version 0x00) and P2SH ("3...",
//     version 0x05); bech32 (BIP-173) segwit v0 and bech32m (BIP-350) segwit
//     v1 to v16 ("bc1..."), with the BIP length rules: 8 to 90 characters,
//     program 2 to 40 bytes, v0 programs of 20 or 32 bytes only.
//   - ltc: base58check "L..." (0x30) and "M..." (0x32), and bech32/bech32m
//     "ltc1...". Litecoin's old P2SH version is Bitcoin's 0x05, so such
//     addresses are reported as btc. Added because it costs one version table
//     and one human-readable part.
//   - eth: "0x" and 40 hex digits. A mixed-case address must carry a valid
//     EIP-55 checksum; all-lower and all-upper addresses have none and are
//     accepted as written. The same address is valid on every EVM chain
//     (BNB Smart Chain, Polygon, ...), so eth stands for all of them.
//   - trx: TRON base58check with version 0x41 ("T...", 34 characters).
//   - xmr: Monero standard (network byte 18, "4..."), integrated (19, "4...",
//     106 characters) and subaddress (42, "8...") addresses in Monero's
//     block base58, with the Keccak-256 checksum.
//
// Bitcoin Cash cashaddr, Dogecoin and other chains are not recognised: their
// legacy forms overlap Bitcoin's and their own forms need their own
// checksums; they can be added here as one table entry or one decoder each.
//
// # Canonical value
//
// [Address.Value] is canonical so that the same address compares equal
// however it was written: bech32 addresses are lowercased (BIP-173 allows all
// upper case, for QR codes), Ethereum addresses are lowercased with the "0x"
// prefix (the EIP-55 mixed case is a checksum, not part of the address),
// base58 addresses (btc, ltc, trx, xmr) are case-sensitive and kept as
// written. The signal value is [Address.String], chain + ":" + value, for
// example "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed". A list of
// addresses from elsewhere (a partner's bank) must go through [Parse] or
// [Canonical] so that it compares equal to what [Find] reports.
//
// # Finding
//
// [Find] looks at every maximal run of ASCII letters and digits, so an
// address is found inside Arabic or any other text, inside URLs
// ("bitcoin:1A1z...?amount=1") and between punctuation, but not when glued
// to Latin letters or digits. A run is decoded only if its length and first
// characters fit one of the forms above, so ordinary words cost one byte
// comparison each.
package wallet

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Chain names used in Address.Chain and accepted by Validate.
const (
	BTC = "btc"
	LTC = "ltc"
	ETH = "eth"
	TRX = "trx"
	XMR = "xmr"
)

// ErrChecksum is wrapped by every error about a failed checksum.
var ErrChecksum = errors.New("checksum mismatch")

// Address is a checksum-valid wallet address.
type Address struct {
	Chain string // btc, ltc, eth, trx or xmr
	Value string // canonical form, see the package documentation
}

// String returns the signal value of a: chain + ":" + value.
func (a Address) String() string { return a.Chain + ":" + a.Value }

// Find returns the checksum-valid addresses in text, deduplicated by their
// canonical value, in order of first appearance.
func Find(text string) []Address {
	var out []Address
	// Every address is a run of at least minLen letters and digits, so only
	// every minLen-th byte needs a look: a run that long covers one of them.
	// After a run ending at end, the next can only end at end+minLen or later.
	end := -1
	for i := minLen - 1; i < len(text); {
		if !alnum(text[i]) {
			i += minLen
			continue
		}
		start := i
		for start > end+1 && alnum(text[start-1]) {
			start--
		}
		end = i + 1
		for end < len(text) && alnum(text[end]) {
			end++
		}
		if end-start >= minLen && plausible(text[start:end]) {
			if a, err := Parse(text[start:end]); err == nil && !seen(out, a) {
				out = append(out, a)
			}
		}
		i = end + minLen
	}
	return out
}

// minLen is the length of the shortest address Find reports (a bech32
// segwit address with a two-byte program).
const minLen = 14

// plausible is Find's cheap filter: length and leading characters.
func plausible(s string) bool {
	n := len(s)
	switch c := s[0]; {
	case c == '0':
		return n == 42 && s[1] == 'x'
	case c == '1' || c == '3' || c == 'L' || c == 'M' || c == 'T':
		if n >= 26 && n <= 35 {
			return true
		}
	case c == '4' || c == '8':
		return n == 95 || n == 106
	}
	return n <= 90 && (hasPrefixFold(s, "bc1") || hasPrefixFold(s, "ltc1"))
}

func seen(list []Address, a Address) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}

// Parse recognises the chain of the address s and returns it in canonical
// form, or an error naming what is wrong.
func Parse(s string) (Address, error) {
	chain, err := detect(s)
	if err != nil {
		return Address{}, err
	}
	v, err := canonical(chain, s)
	if err != nil {
		return Address{}, err
	}
	return Address{Chain: chain, Value: v}, nil
}

// Canonical returns the canonical value of address s on chain, or an error
// naming what is wrong with it.
func Canonical(chain, s string) (string, error) {
	return canonical(chain, s)
}

// Validate returns nil if s is a valid mainnet address on chain, and
// otherwise an error naming what is wrong with it.
func Validate(chain, s string) error {
	_, err := canonical(chain, s)
	return err
}

// detect guesses the chain of s from its shape alone.
func detect(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("empty address")
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		return ETH, nil
	case hasPrefixFold(s, "bc1"), hasPrefixFold(s, "tb1"), hasPrefixFold(s, "bcrt1"):
		return BTC, nil
	case hasPrefixFold(s, "ltc1"), hasPrefixFold(s, "tltc1"):
		return LTC, nil
	case len(s) >= 90 && (s[0] == '4' || s[0] == '8'):
		return XMR, nil
	case s[0] == 'T':
		return TRX, nil
	case s[0] == 'L' || s[0] == 'M':
		return LTC, nil
	case s[0] == '1' || s[0] == '3':
		return BTC, nil
	}
	return "", fmt.Errorf("address %q: shape of no known chain", short(s))
}

// canonical validates s on chain and returns its canonical value.
func canonical(chain, s string) (string, error) {
	var (
		v   string
		err error
	)
	switch chain {
	case BTC:
		v, err = bitcoinLike(s, "bc", btcVersions)
	case LTC:
		v, err = bitcoinLike(s, "ltc", ltcVersions)
	case ETH:
		v, err = ethereum(s)
	case TRX:
		v, err = tron(s)
	case XMR:
		v, err = monero(s)
	default:
		return "", fmt.Errorf("unknown chain %q (want btc, ltc, eth, trx or xmr)", chain)
	}
	if err != nil {
		return "", errorf("%s address %q: %w", chain, short(s), err)
	}
	return v, nil
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i] && s[i] != prefix[i] {
			return false
		}
	}
	return true
}

// short trims s for an error message.
func short(s string) string {
	const n = 120
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// lazyError formats its message only when asked: Find discards the errors
// of nearly every candidate it tries, and formatting them was most of its
// cost.
type lazyError struct {
	format string
	args   []any
}

// errorf is fmt.Errorf with the formatting deferred to Error.
func errorf(format string, args ...any) error { return &lazyError{format, args} }

func (e *lazyError) Error() string { return fmt.Errorf(e.format, e.args...).Error() }

// Unwrap returns the errors wrapped with %w.
func (e *lazyError) Unwrap() []error {
	var errs []error
	for _, a := range e.args {
		if err, ok := a.(error); ok {
			errs = append(errs, err)
		}
	}
	return errs
}
