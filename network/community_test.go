package network

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clique returns shares in which every member shares each of objs within
// spread seconds of start, so every member pair co-shares every object.
func clique(members []string, objs []string, start, spread float64) []Share {
	var out []Share
	for oi, o := range objs {
		for mi, m := range members {
			out = append(out, Share{Account: m, Object: o, ObjectType: "url", Time: at(start + float64(oi)*1000 + spread*float64(mi)/float64(len(members)))})
		}
	}
	return out
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func TestCommunitiesSplitsCliquesAndRanks(t *testing.T) {
	big, small := names("big", 8), names("small", 4)
	shares := clique(big, []string{"b1", "b2", "b3"}, 0, 40)
	shares = append(shares, clique(small, []string{"s1", "s2", "s3"}, 100000, 4)...)
	// One weak bridge: big0 and small0 co-share two objects once each.
	shares = append(shares, shs("big0 w1 500000", "small0 w1 500001", "big0 w2 600000", "small0 w2 600001")...)
	_, g, err := Detect(shares, Options{Window: 60 * time.Second, MinParticipation: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, flagged := range []bool{false, true} {
		opts := CommunityOptions{Seed: 1}
		if flagged {
			opts.Flagged = func(k Key) bool { return strings.HasPrefix(k.Object, "s") }
		}
		cs, err := Communities(g, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 {
			t.Fatalf("%d communities, want 2: %+v", len(cs), cs)
		}
		byFirst := map[string]Community{}
		for _, c := range cs {
			byFirst[c.Accounts[0]] = c
			if c.Component != 1 {
				t.Errorf("community %v in component %d, want 1 (the bridge joins them)", c.Accounts, c.Component)
			}
		}
		b, s := byFirst["big0"], byFirst["small0"]
		if !slices.Equal(b.Accounts, big) || !slices.Equal(s.Accounts, small) {
			t.Fatalf("communities %v and %v, want the two cliques", b.Accounts, s.Accounts)
		}
		if b.Density != 1 || s.Density != 1 {
			t.Errorf("densities %v, %v, want 1 for cliques", b.Density, s.Density)
		}
		if b.Edges != 28 || b.Weight != 28*3 {
			t.Errorf("big clique: %d edges, %d co-shares, want 28 and 84", b.Edges, b.Weight)
		}
		if s.MedianDelay >= b.MedianDelay {
			t.Errorf("small clique delay %v not faster than big %v", s.MedianDelay, b.MedianDelay)
		}
		// Unflagged, size wins; with the small clique's content all flagged, it comes first.
		wantFirst := "big0"
		if flagged {
			wantFirst = "small0"
			if s.Flagged != 1 || b.Flagged != 0 {
				t.Errorf("flagged fractions %v, %v, want 1 and 0", s.Flagged, b.Flagged)
			}
		}
		if cs[0].Accounts[0] != wantFirst || cs[0].Rank != 1 || cs[1].Rank != 2 {
			t.Errorf("flagged %v: rank 1 is %v, want the clique of %s", flagged, cs[0].Accounts, wantFirst)
		}
	}
}

func TestCommunitiesDeterministic(t *testing.T) {
	p := GeneratePlanted(PlantedConfig{Seed: 3, Organic: 300, OrganicPosts: 6000})
	_, g, err := Detect(p.Shares, Options{Window: 30 * time.Second, MinParticipation: 3})
	if err != nil {
		t.Fatal(err)
	}
	first, err := Communities(g, CommunityOptions{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, _ := Communities(g, CommunityOptions{Seed: 9})
		if !reflect.DeepEqual(first, again) {
			t.Fatal("same graph and seed gave different communities")
		}
	}
	seen := map[string]bool{}
	for _, c := range first {
		for _, a := range c.Accounts {
			if seen[a] {
				t.Fatalf("account %s in two communities", a)
			}
			seen[a] = true
		}
	}
	if len(seen) != len(g.Accounts) {
		t.Errorf("communities cover %d accounts, graph has %d", len(seen), len(g.Accounts))
	}
}

func TestCommunitiesLoopOnlyAccount(t *testing.T) {
	_, g, err := Detect(shs("a x 0 p1", "a x 5 p2", "a y 0 p3", "a y 9 p4"), Options{MinParticipation: 2, KeepLoops: true})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Communities(g, CommunityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || len(cs[0].Accounts) != 1 || cs[0].Edges != 1 || cs[0].Weight != 2 || cs[0].Density != 0 {
		t.Fatalf("communities %+v, want one of account a with its loop", cs)
	}
	if cs[0].MedianDelay != 7*time.Second {
		t.Errorf("median delay %v, want 7s (of 5s and 9s)", cs[0].MedianDelay)
	}
}

func TestCommunitiesBadResolution(t *testing.T) {
	for _, r := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := Communities(&Graph{}, CommunityOptions{Resolution: r}); err == nil {
			t.Errorf("resolution %v accepted", r)
		}
	}
}

func TestScore(t *testing.T) {
	w := time.Minute
	cases := []struct {
		name   string
		hi, lo float64
	}{
		{"bigger", score(10, 0.5, 10*time.Second, w, 0), score(5, 0.5, 10*time.Second, w, 0)},
		{"denser", score(10, 1, 10*time.Second, w, 0), score(10, 0.2, 10*time.Second, w, 0)},
		{"faster", score(10, 0.5, time.Second, w, 0), score(10, 0.5, 50*time.Second, w, 0)},
		{"more flagged", score(10, 0.5, 10*time.Second, w, 0.5), score(10, 0.5, 10*time.Second, w, 0)},
	}
	for _, c := range cases {
		if !(c.hi > c.lo) {
			t.Errorf("%s: score %v not above %v", c.name, c.hi, c.lo)
		}
	}
	if got, want := score(3, 1, 0, w, 1), 2*1*1*2.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("score(3, 1, 0, 1) = %v, want %v", got, want)
	}
}

// BenchmarkCommunitiesLouvainGonum runs Communities with gonum's Louvain,
// which it used before Leiden, on the graphs BenchmarkCommunities uses, so
// that `go test -bench Communities` compares the two in one run.
// MARSAD_BENCH_POSTS replaces the sizes with one (say 10000000).
func BenchmarkCommunitiesLouvainGonum(b *testing.B) {
	benchCommunities(b, louvainGonum)
}

// BenchmarkCommunitiesLeiden is BenchmarkCommunities with the sizes
// MARSAD_BENCH_POSTS can replace.
func BenchmarkCommunitiesLeiden(b *testing.B) {
	benchCommunities(b, leidenGraph)
}

func benchCommunities(b *testing.B, partition partitioner) {
	sizes := benchSizes
	if s := os.Getenv("MARSAD_BENCH_POSTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("MARSAD_BENCH_POSTS=%q: %v", s, err)
		}
		sizes = []int{n}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("posts=%d", n), func(b *testing.B) {
			_, g, err := Detect(GeneratePlanted(ScaledConfig(n, 1)).Shares, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var cs []Community
			for b.Loop() {
				if cs, err = communities(g, CommunityOptions{}, partition); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(g.Edges)), "edges")
			b.ReportMetric(float64(len(cs)), "communities")
			member := make([]int32, len(g.Accounts))
			index := make(map[string]int32, len(g.Accounts))
			for i, a := range g.Accounts {
				index[a.ID] = int32(i)
			}
			for ci, c := range cs {
				for _, a := range c.Accounts {
					member[index[a]] = int32(ci)
				}
			}
			b.ReportMetric(modularityOf(g, member, 1), "Q")
		})
	}
}
