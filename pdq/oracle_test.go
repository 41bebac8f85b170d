package pdq

import (
	"bufio"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// pair is one needle matching one haystack hash, by line index.
type pair struct{ needle, hay, dist int }

func readHexLines(t *testing.T, rel string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if line := sc.Text(); line != "" {
			if _, err := ParseHash(line); err != nil {
				t.Fatalf("%s: line %d: %v", rel, n, err)
			}
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// hexDistance counts differing bits digit by digit on the hex strings,
// sharing no code with Distance or ParseHash.
func hexDistance(a, b string) int {
	n := 0
	for i := 0; i < len(a); i++ {
		x, _ := strconv.ParseUint(a[i:i+1], 16, 8)
		y, _ := strconv.ParseUint(b[i:i+1], 16, 8)
		n += bits.OnesCount8(uint8(x ^ y))
	}
	return n
}

// TestBruteForceOracle is the reference answer for hash indexes: every
// (needle, haystack) pair within MatchDistance, found needle-major with
// Distance and haystack-major with an independent digit-wise count, must be
// the same set with the same distances.
func TestBruteForceOracle(t *testing.T) {
	needData(t)
	hay := readHexLines(t, "images/reg-test-input/haystack.txt")
	needles := readHexLines(t, "images/reg-test-input/needles.txt")
	if len(hay) != 1350 || len(needles) != 100 {
		t.Fatalf("haystack %d and needles %d hashes, want 1350 and 100", len(hay), len(needles))
	}
	parse := func(s []string) []Hash {
		out := make([]Hash, len(s))
		for i, v := range s {
			out[i], _ = ParseHash(v)
		}
		return out
	}
	hh, nh := parse(hay), parse(needles)

	var byNeedle []pair
	for i, n := range nh {
		for j, h := range hh {
			if d := Distance(n, h); d <= MatchDistance {
				byNeedle = append(byNeedle, pair{i, j, d})
			}
		}
	}
	var byHay []pair
	for j, h := range hay {
		for i, n := range needles {
			if d := hexDistance(h, n); d <= MatchDistance {
				byHay = append(byHay, pair{i, j, d})
			}
		}
	}
	cmp := func(a, b pair) int {
		if a.needle != b.needle {
			return a.needle - b.needle
		}
		return a.hay - b.hay
	}
	slices.SortFunc(byHay, cmp)
	if !slices.Equal(byNeedle, byHay) {
		t.Fatalf("needle-major found %d pairs, haystack-major %d, and they differ", len(byNeedle), len(byHay))
	}
	if len(byNeedle) == 0 {
		t.Fatal("no needle matches the haystack within distance 31; the data cannot check an index")
	}
	matched := map[int]bool{}
	for _, p := range byNeedle {
		matched[p.needle] = true
	}
	t.Logf("%d pairs within distance %d; %d of %d needles match", len(byNeedle), MatchDistance, len(matched), len(needles))
}
