package wallet

import (
	"bufio"
	"encoding/hex"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fpPerShape sets how many random strings of each address shape
// TestRandomFalsePositives tries; by default 100,000 in all.
var fpPerShape = flag.Int("fp", 0, "random strings per address shape in TestRandomFalsePositives (0: 100000 in all)")

// readVectors returns the tab-separated fields of the non-comment lines of
// testdata/name, each with its line number.
func readVectors(t *testing.T, name string, fields int) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) < fields {
			t.Fatalf("%s:%d: %d fields, want %d", name, n, len(parts), fields)
		}
		out = append(out, append([]string{strconv.Itoa(n)}, parts...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no vectors", name)
	}
	return out
}

func TestBech32Vectors(t *testing.T) {
	for _, v := range readVectors(t, "bech32.txt", 2) {
		line, enc, s := v[0], v[1], v[2]
		_, _, constant, err := decodeBech32(s)
		if err != nil {
			t.Errorf("line %s: %q: %v", line, s, err)
			continue
		}
		want := uint32(bech32Const)
		if enc == "bech32m" {
			want = bech32mConst
		}
		if constant != want {
			t.Errorf("line %s: %q: checksum constant %#x, want %s", line, s, constant, enc)
		}
		// Any one changed character must be caught.
		last := s[len(s)-1]
		repl := byte('q')
		if last|0x20 == 'q' {
			repl = 'p'
		}
		if last >= 'A' && last <= 'Z' {
			repl -= 'a' - 'A'
		}
		if _, _, _, err := decodeBech32(s[:len(s)-1] + string(repl)); !errors.Is(err, ErrChecksum) {
			t.Errorf("line %s: %q with its last character changed: err %v, want checksum mismatch", line, s, err)
		}
	}
}

func TestSegwitVectors(t *testing.T) {
	for _, v := range readVectors(t, "segwit.txt", 4) {
		line, hrp, addr := v[0], v[1], v[2]
		ver, prog, err := decodeSegwit(hrp, addr)
		if v[3] == "invalid" {
			if err == nil || !strings.Contains(err.Error(), v[4]) {
				t.Errorf("line %s: %q: err %v, want one saying %q", line, addr, err, v[4])
			}
			continue
		}
		if err != nil {
			t.Errorf("line %s: %q: %v", line, addr, err)
			continue
		}
		if strconv.Itoa(int(ver)) != v[3] || strconv.Itoa(len(prog)) != v[4] {
			t.Errorf("line %s: %q: version %d program %d bytes, want %s and %s", line, addr, ver, len(prog), v[3], v[4])
		}
	}
}

func TestEIP55Vectors(t *testing.T) {
	for _, v := range readVectors(t, "eip55.txt", 1) {
		line, addr := v[0], v[1]
		if err := Validate(ETH, addr); err != nil {
			t.Errorf("line %s: %v", line, err)
		}
		got, err := EIP55(strings.ToLower(addr))
		if err != nil || got != addr {
			t.Errorf("line %s: EIP55(lower) = %q, %v; want %q", line, got, err, addr)
		}
	}
}

func TestValid(t *testing.T) {
	for _, v := range readVectors(t, "valid.txt", 3) {
		line, chain, addr, want := v[0], v[1], v[2], v[3]
		if err := Validate(chain, addr); err != nil {
			t.Errorf("line %s: Validate: %v", line, err)
			continue
		}
		a, err := Parse(addr)
		if err != nil || a.Chain != chain || a.Value != want {
			t.Errorf("line %s: Parse(%q) = %+v, %v; want %s:%s", line, addr, a, err, chain, want)
		}
		if got := Find("تبرعوا: " + addr + "، جزاكم الله"); len(got) != 1 || got[0] != a {
			t.Errorf("line %s: Find in Arabic text = %v, want [%v]", line, got, a)
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, v := range readVectors(t, "invalid.txt", 3) {
		line, chain, addr, want := v[0], v[1], v[2], v[3]
		err := Validate(chain, addr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("line %s: Validate(%s, %q) = %v, want an error saying %q", line, chain, addr, err, want)
		}
		for _, a := range Find(addr) {
			if a.Chain == chain {
				t.Errorf("line %s: Find(%q) reports %v", line, addr, a)
			}
		}
	}
}

func TestChecksumErrorsWrap(t *testing.T) {
	if err := Validate(BTC, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"); !errors.Is(err, ErrChecksum) {
		t.Errorf("base58check: %v does not wrap ErrChecksum", err)
	}
	if err := Validate(ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"); !errors.Is(err, ErrChecksum) {
		t.Errorf("EIP-55: %v does not wrap ErrChecksum", err)
	}
	if _, err := Parse("hello"); err == nil {
		t.Error("Parse(hello) succeeded")
	}
	if _, err := Parse(""); err == nil {
		t.Error("Parse(\"\") succeeded")
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"arabic only", "بسم الله الرحمن الرحيم، اللهم انصر إخواننا", nil},
		{"arabic with digits", "اتصل على 00966501234567 أو ٠٥٠١٢٣٤٥٦٧ رقم الحساب 123456789012345678901234567890", nil},
		{"donation post", "ادعموا المجاهدين ❤️ BTC: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\nUSDT (TRC20): TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
			[]string{"btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}},
		{"same address twice, two spellings", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 و bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.",
			[]string{"btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}},
		{"eth three spellings", "(0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed) 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed «0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED»",
			[]string{"eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}},
		{"eth broken checksum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", nil},
		{"tx hash is not an address", "tx 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed5aaeb6053f3e94c9b9a09f33", nil},
		{"payment URI", "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.1", []string{"btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}},
		{"explorer URL", "https://tronscan.org/#/address/TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", []string{"trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}},
		{"glued to latin letters", "addr1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", nil},
		{"glued to arabic letters", "المحفظة1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNaشكرا", []string{"btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}},
		{"monero", "XMR 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
			[]string{"xmr:44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"}},
		{"testnet is not reported", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7 mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", nil},
		{"litecoin", "LTC: LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea",
			[]string{"ltc:LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz", "ltc:ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea"}},
		{"random base58 of the right shape", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range Find(tt.text) {
				got = append(got, a.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Find = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRandomFalsePositives feeds Find random strings of address shape and
// counts how many it reports. For base58check, bech32 and Monero the
// checksum leaves about one in 2^30 through, so the count must be 0 or
// close; EIP-55 checks only the letters' case (15 bits on average), so
// random mixed-case hex gets through about once in a hundred thousand. Run with
// -v to see the counts.
func TestRandomFalsePositives(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(set string, k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = set[rng.IntN(len(set))]
		}
		return string(b)
	}
	const hexMixed = "0123456789abcdefABCDEF"
	shapes := []struct {
		name  string
		gen   func() string
		limit int
	}{
		{"btc base58 P2PKH", func() string { return "1" + pick(alphabet, 33) }, 1},
		{"btc base58 P2SH", func() string { return "3" + pick(alphabet, 33) }, 1},
		{"ltc base58", func() string { return "L" + pick(alphabet, 33) }, 1},
		{"trx base58", func() string { return "T" + pick(alphabet, 33) }, 1},
		{"btc bech32 v0", func() string { return "bc1q" + pick(charset, 38) }, 1},
		{"btc bech32m v1", func() string { return "bc1p" + pick(charset, 58) }, 1},
		{"xmr standard", func() string { return "4" + pick(alphabet, 94) }, 1},
		{"xmr integrated", func() string { return "4" + pick(alphabet, 105) }, 1},
		// Each character is a letter with probability 12/22 and then has the
		// right case with probability 1/2; the string passes when every
		// letter matches EIP-55 or all share one case: about
		// n * 3 * (8/11)^40 = n * 9e-6.
		{"eth mixed-case hex", func() string { return "0x" + pick(hexMixed, 40) }, 0},
	}
	n := 100_000 / len(shapes)
	if *fpPerShape > 0 {
		n = *fpPerShape
	}
	for _, sh := range shapes {
		fp := 0
		var text strings.Builder
		for i := 0; i < n; i++ {
			text.Reset()
			text.WriteString("عنوان ")
			text.WriteString(sh.gen())
			if len(Find(text.String())) > 0 {
				fp++
			}
		}
		t.Logf("%-20s %d false positives in %d random strings (%.2g)", sh.name, fp, n, float64(fp)/float64(n))
		if sh.limit == 0 {
			sh.limit = n/5000 + 5
		}
		if fp > sh.limit {
			t.Errorf("%s: %d false positives in %d, want at most %d", sh.name, fp, n, sh.limit)
		}
	}
}

func TestIndexTables(t *testing.T) {
	for c := 0; c < 256; c++ {
		if got, want := int(base58Index[c]), strings.IndexByte(alphabet, byte(c)); got != want && !(want < 0 && got == 0xff) {
			t.Errorf("base58Index[%q] = %d, want %d", rune(c), got, want)
		}
		want := strings.IndexByte(charset, byte(c))
		if c >= 'A' && c <= 'Z' {
			want = strings.IndexByte(charset, byte(c)+'a'-'A')
		}
		if got := int(bech32Index[c]); got != want && !(want < 0 && got == 0xff) {
			t.Errorf("bech32Index[%q] = %d, want %d", rune(c), got, want)
		}
	}
}

// TestSingleCharChange changes each character of each known valid address
// (except all-one-case Ethereum ones, which carry no checksum) to its
// neighbour in the alphabet and expects every result to be rejected.
func TestSingleCharChange(t *testing.T) {
	for _, v := range readVectors(t, "valid.txt", 3) {
		chain, addr := v[1], v[2]
		if chain == ETH && (addr == strings.ToLower(addr) || addr[2:] == strings.ToUpper(addr[2:])) {
			continue
		}
		set := alphabet
		start := 1
		switch {
		case chain == ETH:
			set, start = "0123456789abcdef0123456789ABCDEF0", 2
		case segwitShaped(addr):
			set = charset
			start = strings.LastIndexByte(strings.ToLower(addr), '1') + 1
		}
		for i := start; i < len(addr); i++ {
			c := addr[i]
			upper := c >= 'A' && c <= 'Z' && set == charset
			if upper {
				c += 'a' - 'A'
			}
			k := strings.IndexByte(set, c)
			if k < 0 {
				t.Fatalf("%s: %q not in its alphabet", addr, c)
			}
			r := set[(k+1)%len(set)]
			if upper && r >= 'a' {
				r -= 'a' - 'A'
			}
			bad := addr[:i] + string(r) + addr[i+1:]
			if err := Validate(chain, bad); err == nil {
				t.Errorf("%s with position %d changed (%s) was accepted", addr, i+1, bad)
			}
		}
	}
}

func TestBase58Vectors(t *testing.T) {
	for _, v := range readVectors(t, "base58.txt", 2) {
		got, err := decodeBase58(v[2])
		if err != nil {
			t.Errorf("line %s: %v", v[0], err)
			continue
		}
		if h := hex.EncodeToString(got); h != v[1] {
			t.Errorf("line %s: decodeBase58(%q) = %s, want %s", v[0], v[2], h, v[1])
		}
	}
	if _, err := decodeBase58("abc0"); err == nil || !strings.Contains(err.Error(), `'0' at position 4`) {
		t.Errorf("decodeBase58(abc0) error %v, want one naming '0' at position 4", err)
	}
}

// TestFindScanAgreesWithNaive places addresses at every offset among
// separators and letters, where a skipping scan could miss one.
func TestFindScanAgreesWithNaive(t *testing.T) {
	addrs := []string{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "BC1SW50QGDZ25J", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}
	fillers := []string{" ", "،", "ab", "x y", "عربي ", "12345678901234 ", "-"}
	for _, a := range addrs {
		for _, f := range fillers {
			for pre := 0; pre < 30; pre++ {
				text := strings.Repeat(f, pre) + " " + a + " " + strings.Repeat(f, pre%7) + a[:len(a)-1]
				got, want := Find(text), naiveFind(text)
				if !reflect.DeepEqual(got, want) || len(got) != 1 {
					t.Fatalf("Find(%q) = %v, naive %v", text, got, want)
				}
			}
		}
	}
}
