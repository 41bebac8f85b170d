package network

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// coortweetDir holds CooRTweet's sample data sets (see its SOURCE.md).
const coortweetDir = "../../shared/data/coortweet-coordination"

// selfCoordinated is the account SOURCE.md documents as CooRTweet's example
// of self-coordination.
const selfCoordinated = "9fa51ef17278c01d13d313741eddfc0b"

func loadCoortweet(t testing.TB, name string, types ...string) []Share {
	t.Helper()
	path := filepath.Join(coortweetDir, name)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("CooRTweet sample data not present (%v); it lives in ../shared/data", err)
	}
	defer f.Close()
	shares, _, err := ReadShares(context.Background(), f, path, ReadOptions{Format: "csv", Types: types})
	if err != nil {
		t.Fatal(err)
	}
	return shares
}

func hasAccount(g *Graph, id string) bool {
	_, ok := slices.BinarySearchFunc(g.Accounts, id, func(a Account, id string) int { return strings.Compare(a.ID, id) })
	return ok
}

func groups(g *Graph) int {
	n := 0
	for _, c := range Components(g) {
		n = max(n, c)
	}
	return n
}

// TestRussianFigures pins what CooRTweet 2.1.3 itself reports for its
// russian example (detect_groups with time_window 10, min_participation 5,
// then generate_coordinated_network; tests/testthat/test-sample_data.R).
func TestRussianFigures(t *testing.T) {
	shares := loadCoortweet(t, "russian_coord_tweets.csv")
	cases := []struct {
		keepLoops                           bool
		pairs, accounts, edges, loops, grps int
		self                                bool
	}{
		{false, 22, 23, 20, 0, 3, false},
		{true, 60, 30, 24, 3, 6, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("keep loops %v", c.keepLoops), func(t *testing.T) {
			d, g, err := Detect(shares, Options{Window: 10 * time.Second, MinParticipation: 5, KeepLoops: c.keepLoops})
			if err != nil {
				t.Fatal(err)
			}
			loops, weight := 0, 0
			for _, e := range g.Edges {
				if e.A == e.B {
					loops++
				}
				weight += e.Weight
			}
			pairs := len(d.CoShares())
			if pairs != c.pairs || weight != c.pairs || len(g.Accounts) != c.accounts || len(g.Edges)-loops != c.edges || loops != c.loops || groups(g) != c.grps {
				t.Errorf("%d co-shares (edge weights sum to %d), %d accounts, %d edges + %d loops, %d groups; want %d, %d, %d + %d, %d",
					pairs, weight, len(g.Accounts), len(g.Edges)-loops, loops, groups(g), c.pairs, c.accounts, c.edges, c.loops, c.grps)
			}
			if got := hasAccount(g, selfCoordinated); got != c.self {
				t.Errorf("account %s present = %v, want %v", selfCoordinated, got, c.self)
			}
			if d := diffR(d, g, shares, Options{Window: 10 * time.Second, MinParticipation: 5, KeepLoops: c.keepLoops}); d != "" {
				t.Errorf("differs from the R transcription: %s", d)
			}
		})
	}
}

// TestGermanPerTypeEqualsR runs the German election set per object type with
// the vignette's parameters (time_window 30, min_participation 2, rows
// de-duplicated on object, account, content and timestamp; object ids
// prefixed as the vignette prefixes them), and all four types together, and
// compares co-shares, accounts, edges and weights with the transcription of
// CooRTweet's R code.
func TestGermanPerTypeEqualsR(t *testing.T) {
	all := loadCoortweet(t, "german_elections.csv")
	// vignettes/reproduce_examples.Rmd:55, 69, 83, 97.
	prefix := map[string]string{"url": "url_", "domain": "url_", "hashtag": "hashtag_", "phash": "hash_"}
	for i := range all {
		all[i].Object = prefix[all[i].ObjectType] + all[i].Object
	}
	opts := Options{Window: 30 * time.Second, MinParticipation: 2}
	// What the R transcription gives (and the python check in
	// docs/network.md): co-shares, accounts, edges.
	want := map[string][3]int{
		"url": {5658, 506, 1453}, "domain": {5968, 692, 1659}, "hashtag": {3703, 314, 506}, "phash": {2131, 214, 337},
	}
	for _, typ := range []string{"url", "domain", "hashtag", "phash", "all"} {
		t.Run(typ, func(t *testing.T) {
			shares := all
			if typ != "all" {
				shares = slices.DeleteFunc(slices.Clone(all), func(s Share) bool { return s.ObjectType != typ })
			}
			d, g, err := Detect(shares, opts)
			if err != nil {
				t.Fatal(err)
			}
			if w, ok := want[typ]; ok {
				if got := [3]int{len(d.CoShares()), len(g.Accounts), len(g.Edges)}; got != w {
					t.Errorf("co-shares, accounts, edges = %v, want %v", got, w)
				}
			}
			if testing.Short() && typ == "all" {
				return
			}
			if diff := diffR(d, g, shares, opts); diff != "" {
				t.Errorf("differs from the R transcription: %s", diff)
			}
		})
	}
}

// diffR compares a detector's co-shares and graph with the R transcription
// run on the same shares, and reports the first difference.
func diffR(d *Detector, g *Graph, shares []Share, o Options) string {
	byType, edges, vertices := ctCombined(shares, o)
	if o.MinWeight > 1 {
		// marsad's edge weight filter, which CooRTweet leaves to the user:
		// drop light edges, their co-shares and accounts left without one.
		byType, edges, vertices = minWeight(byType, edges, o.MinWeight)
	}
	// Co-shares as multisets of type|object|{account/post, account/post}|delay.
	side := func(account, content string) string {
		if strings.HasPrefix(content, "\x00") {
			content = "" // a post-less share
		}
		return account + "/" + content
	}
	key := func(typ, object, x, y string, delay time.Duration) string {
		if x > y {
			x, y = y, x
		}
		return fmt.Sprintf("%s|%s|%s|%s|%d", typ, object, x, y, delay)
	}
	var want, got []string
	for typ, res := range byType {
		for _, p := range res {
			want = append(want, key(typ, p.object, side(p.account, p.content), side(p.accountY, p.contentY), p.timeDelta))
		}
	}
	for _, c := range d.CoShares() {
		got = append(got, key(c.Object.Type, c.Object.Object, side(c.A.Account, c.A.Post), side(c.B.Account, c.B.Post), c.B.Time.Sub(c.A.Time)))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Sprintf("%d co-shares, R has %d; first difference %s", len(got), len(want), firstDiff(got, want))
	}
	var ids []string
	for _, a := range g.Accounts {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, vertices) {
		return fmt.Sprintf("%d accounts, R has %d; first difference %s", len(ids), len(vertices), firstDiff(ids, vertices))
	}
	if len(g.Edges) != len(edges) {
		return fmt.Sprintf("%d edges, R has %d", len(g.Edges), len(edges))
	}
	for i, e := range g.Edges {
		w := edges[i]
		if e.A != w.account || e.B != w.accountY || e.Weight != w.weight || abs(e.MeanDelay-w.avgTimeDelta) > time.Microsecond {
			return fmt.Sprintf("edge %d: %s-%s weight %d mean delay %s; R has %s-%s weight %d avg_time_delta %s",
				i, e.A, e.B, e.Weight, e.MeanDelay, w.account, w.accountY, w.weight, w.avgTimeDelta)
		}
		total := 0
		for _, tc := range e.Types {
			total += tc.CoShares
		}
		if total != e.Weight {
			return fmt.Sprintf("edge %s-%s: per-type counts %v do not add up to %d", e.A, e.B, e.Types, e.Weight)
		}
	}
	return ""
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("got %q, R %q", got[i], want[i])
		}
	}
	if len(got) > len(want) {
		return fmt.Sprintf("extra %q", got[len(want)])
	}
	if len(want) > len(got) {
		return fmt.Sprintf("missing %q", want[len(got)])
	}
	return "none"
}

// TestStrictFigures pins marsad's stricter variant on the russian set: the
// figures the issue reported before CooRTweet's rules became the default.
func TestStrictFigures(t *testing.T) {
	shares := loadCoortweet(t, "russian_coord_tweets.csv")
	for _, c := range []struct {
		keep     bool
		accounts int
	}{{false, 0}, {true, 1}} {
		_, g, err := Detect(shares, Options{Window: 10 * time.Second, MinParticipation: 5, KeepLoops: c.keep, Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Accounts) != c.accounts {
			t.Errorf("strict, loops kept %v: %d accounts, want %d", c.keep, len(g.Accounts), c.accounts)
		}
	}
}

// minWeight drops the edges lighter than w from an R result, with their
// co-shares and the accounts left without an edge.
func minWeight(byType map[string][]ctPair, edges []ctEdge, w int) (map[string][]ctPair, []ctEdge, []string) {
	heavy := map[[2]string]bool{}
	vs := map[string]bool{}
	var kept []ctEdge
	for _, e := range edges {
		if e.weight >= w {
			heavy[[2]string{e.account, e.accountY}] = true
			vs[e.account], vs[e.accountY] = true, true
			kept = append(kept, e)
		}
	}
	out := map[string][]ctPair{}
	for typ, res := range byType {
		for _, p := range res {
			if heavy[[2]string{min(p.account, p.accountY), max(p.account, p.accountY)}] {
				out[typ] = append(out[typ], p)
			}
		}
	}
	var vertices []string
	for v := range vs {
		vertices = append(vertices, v)
	}
	slices.Sort(vertices)
	return out, kept, vertices
}

// An empty content_id cell is the post id "", as CooRTweet reads it: two
// such shares are one post, a loop that do_remove_loops drops
// (R/detect_groups.R:203), while an empty one pairs with a real post. A
// file without a content_id column keeps each share a post of its own.
func TestEmptyContentIDIsOnePost(t *testing.T) {
	const withIDs = `account_id,object_id,timestamp_share,content_id
a,u1,1700000000,
b,u1,1700000005,
c,u1,1700000008,p3
a,u2,1700000200,
b,u2,1700000203,
c,u2,1700000201,p6
`
	edgesOf := func(g *Graph) string {
		var out []string
		for _, e := range g.Edges {
			out = append(out, fmt.Sprintf("%s-%s:%d", e.A, e.B, e.Weight))
		}
		return strings.Join(out, " ")
	}
	const jsonl = `{"account_id":"a","object_id":"u1","timestamp_share":1700000000,"content_id":null}
{"account_id":"b","object_id":"u1","timestamp_share":1700000005,"content_id":""}
{"account_id":"a","object_id":"u2","timestamp_share":1700000200,"content_id":null}
{"account_id":"b","object_id":"u2","timestamp_share":1700000203,"content_id":""}
{"account_id":"c","object_id":"u2","timestamp_share":1700000201}
{"account_id":"c","object_id":"u1","timestamp_share":1700000008}
`
	for _, c := range []struct {
		name, format, csv, want string
		o                       Options
	}{
		{"empty cells", "csv", withIDs, "a-c:2 b-c:2", Options{}},
		{"empty cells, loops kept", "csv", withIDs, "a-b:2 a-c:2 b-c:2", Options{KeepLoops: true}},
		{"no content_id column", "csv", "account_id,object_id,timestamp_share\na,u1,1700000000\nb,u1,1700000005\na,u2,1700000200\nb,u2,1700000203\n", "a-b:2", Options{}},
		{"JSON null and empty ids, lines without the key", "jsonl", jsonl, "a-c:2 b-c:2", Options{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			shares, _, err := ReadShares(context.Background(), strings.NewReader(c.csv), "in."+c.format, ReadOptions{Format: c.format})
			if err != nil {
				t.Fatal(err)
			}
			d, g, err := Detect(shares, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := edgesOf(g); got != c.want {
				t.Errorf("edges %s, want %s", got, c.want)
			}
			if diff := diffR(d, g, shares, c.o); diff != "" {
				t.Error(diff)
			}
		})
	}
}
