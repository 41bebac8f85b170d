package mih

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// regTestDir holds the hash lists the PDQ reference's MIH regression uses
// (ThreatExchange pdq/data/reg-test-input).
const regTestDir = "../../shared/data/pdq-threatexchange/images/reg-test-input"

// readHashes reads one hex hash per line, naming the file and line of a bad one.
func readHashes(t *testing.T, name string) []Hash {
	t.Helper()
	path := filepath.Join(regTestDir, name)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent; the shared ThreatExchange test data is not installed", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Hash
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		h, err := ParseHex(s)
		if err != nil {
			t.Fatalf("%s: line %d: %v", path, line, err)
		}
		out = append(out, h)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// TestNeedlesInHaystack queries the reference's 100 needles against its
// 1,350-hash haystack at radius 31 and 32 and compares with brute force.
func TestNeedlesInHaystack(t *testing.T) {
	needles := readHashes(t, "needles.txt")
	haystack := readHashes(t, "haystack.txt")
	if len(needles) != 100 || len(haystack) != 1350 {
		t.Fatalf("read %d needles and %d haystack hashes, want 100 and 1350", len(needles), len(haystack))
	}
	for _, mode := range []struct {
		name  string
		setup func(*Index)
	}{
		{"default", func(*Index) {}},
		{"index-only", func(ix *Index) { indexOnly(ix, 500) }},
		{"batch", func(ix *Index) { ix.tune.tailMax = 256 }}, // so AddBatch builds a segment
	} {
		t.Run(mode.name, func(t *testing.T) {
			ix := New()
			mode.setup(ix)
			if mode.name == "batch" {
				entries := make([]Entry, len(haystack))
				for i, h := range haystack {
					entries[i] = Entry{ID: uint64(i), Hash: h}
				}
				ix.AddBatch(entries)
				if st := ix.Stats(); st.Segments != 1 || st.Pending != 0 {
					t.Fatalf("AddBatch left %+v, want one segment", st)
				}
			} else {
				for i, h := range haystack {
					ix.Add(uint64(i), h)
				}
			}
			for _, d := range []int{31, 32} {
				total := 0
				for n, q := range needles {
					var want []Result
					for i, h := range haystack {
						if dist := Distance(q, h); dist <= d {
							want = append(want, Result{ID: uint64(i), Distance: dist})
						}
					}
					got := ix.Radius(q, d)
					sortResults(want)
					if !sameResults(got, want) {
						t.Fatalf("needle %d (line %d) at radius %d: index %v, brute force %v", n, n+1, d, head(got), head(want))
					}
					total += len(got)
				}
				if total == 0 {
					t.Fatalf("radius %d: no needle matched anything; the fixed case tests nothing", d)
				}
				t.Logf("radius %d: %d matches over %d needles", d, total, len(needles))
			}
		})
	}
}
