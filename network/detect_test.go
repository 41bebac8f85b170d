package network

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// strictOracle computes the graph of marsad's strict variant
// (Options.Strict) straight from SEMANTICS.md, pair by pair, with none of
// the detector's indexing. The default CooRTweet rules are checked against a
// transcription of CooRTweet's R code instead (coortweet_r_test.go).
func strictOracle(shares []Share, o Options) *Graph {
	o, _ = o.normalised()
	type sk struct {
		a, obj, typ, post string
		hasPost           bool
		t                 int64
	}
	seen := map[sk]bool{}
	var uniq []Share
	for _, s := range shares {
		k := sk{s.Account, s.Object, s.ObjectType, s.Post, s.Post != "" || s.HasPost, s.Time.UnixNano()}
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, s)
		}
	}
	type pk struct{ a, b string }
	weight := map[pk]int{}
	objs := map[pk]map[Key]bool{}
	delays := map[pk][]uint32{}
	part := map[string]map[Key]bool{}
	nshares := map[string]int{}
	for _, s := range uniq {
		nshares[s.Account]++
	}
	// Bucket by object only to keep the real data sets tractable; within a
	// bucket every pair is checked.
	buckets := map[Key][]Share{}
	var order []Key
	for _, s := range uniq {
		if nshares[s.Account] < o.MinParticipation {
			continue // CooRTweet's pre-filter: too few shares to take part
		}
		k := Key{s.ObjectType, s.Object}
		if buckets[k] == nil {
			order = append(order, k)
		}
		buckets[k] = append(buckets[k], s)
	}
	for _, bk := range order {
		b := buckets[bk]
		for i := range b {
			for j := i + 1; j < len(b); j++ {
				x, y := b[i], b[j]
				dt := x.Time.Sub(y.Time)
				if dt < 0 {
					dt = -dt
				}
				// Loops: one account, one post, or a post that is its own
				// object (CooRTweet's do_remove_loops).
				loop := x.Account == y.Account || (x.Post != "" || x.HasPost) && (y.Post != "" || y.HasPost) && x.Post == y.Post || x.Post == x.Object || y.Post == y.Object
				if dt > o.Window || (loop && !o.KeepLoops) {
					continue
				}
				p := pk{min(x.Account, y.Account), max(x.Account, y.Account)}
				k := Key{x.ObjectType, x.Object}
				weight[p]++
				if objs[p] == nil {
					objs[p] = map[Key]bool{}
				}
				objs[p][k] = true
				delays[p] = append(delays[p], uint32(dt/time.Millisecond))
				for _, a := range []string{x.Account, y.Account} {
					if part[a] == nil {
						part[a] = map[Key]bool{}
					}
					part[a][k] = true
				}
			}
		}
	}
	g := &Graph{Options: o, Shares: len(uniq)}
	accts := map[string]*Account{}
	for p, w := range weight {
		if w < o.MinWeight || len(part[p.a]) < o.MinParticipation || len(part[p.b]) < o.MinParticipation {
			continue
		}
		var ks []Key
		for k := range objs[p] {
			ks = append(ks, k)
		}
		slices.SortFunc(ks, cmpKey)
		ds := slices.Clone(delays[p])
		slices.Sort(ds)
		g.Edges = append(g.Edges, Edge{A: p.a, B: p.b, Weight: w, Objects: ks, MedianDelay: medianMillis(ds), delays: ds})
		for _, a := range []string{p.a, p.b} {
			if accts[a] == nil {
				accts[a] = &Account{ID: a, Shares: nshares[a], Objects: len(part[a])}
			}
		}
		accts[p.a].CoShares += w
		if p.a != p.b {
			accts[p.b].CoShares += w
		}
	}
	for _, a := range accts {
		g.Accounts = append(g.Accounts, *a)
	}
	sort.Slice(g.Accounts, func(i, j int) bool { return g.Accounts[i].ID < g.Accounts[j].ID })
	sort.Slice(g.Edges, func(i, j int) bool {
		if g.Edges[i].A != g.Edges[j].A {
			return g.Edges[i].A < g.Edges[j].A
		}
		return g.Edges[i].B < g.Edges[j].B
	})
	return g
}

// sameGraph reports the first difference between two graphs, ignoring
// internal indexes.
func sameGraph(got, want *Graph) string {
	if got.Shares != want.Shares {
		return fmt.Sprintf("shares %d, want %d", got.Shares, want.Shares)
	}
	if !slices.Equal(got.Accounts, want.Accounts) {
		return fmt.Sprintf("accounts\n got %+v\nwant %+v", got.Accounts, want.Accounts)
	}
	if len(got.Edges) != len(want.Edges) {
		return fmt.Sprintf("%d edges, want %d", len(got.Edges), len(want.Edges))
	}
	for i := range got.Edges {
		g, w := got.Edges[i], want.Edges[i]
		if g.A != w.A || g.B != w.B || g.Weight != w.Weight || g.MedianDelay != w.MedianDelay ||
			!reflect.DeepEqual(g.Objects, w.Objects) || !slices.Equal(g.delays, w.delays) {
			return fmt.Sprintf("edge %d\n got %+v\nwant %+v", i, g, w)
		}
	}
	return ""
}

// randomShares draws n shares of few accounts and objects in a short span,
// so that windows overlap, loops happen and duplicates recur.
func randomShares(rng *rand.Rand, n, accounts, objects int, span time.Duration) []Share {
	out := make([]Share, 0, n)
	for range n {
		s := Share{
			Account:    fmt.Sprintf("a%02d", rng.IntN(accounts)),
			Object:     fmt.Sprintf("o%d", rng.IntN(objects)),
			ObjectType: []string{"url", "phash"}[rng.IntN(2)],
			Time:       t0.Add(time.Duration(rng.Int64N(int64(span)/int64(time.Second))) * time.Second),
		}
		switch rng.IntN(30) {
		case 0:
			s.Post = s.Object // a post that is its own object
		case 1, 2, 3:
			s.HasPost = true // an empty content_id cell: the id ""
		case 4, 5, 6, 7, 8, 9:
		default:
			// Posts may repeat, even across accounts.
			s.Post = fmt.Sprintf("p%d", rng.IntN(n))
		}
		out = append(out, s)
		if rng.IntN(10) == 0 {
			out = append(out, s) // exact duplicate row
		}
	}
	return out
}

var oracleOptions = []Options{
	{Window: 10 * time.Second, MinParticipation: 1},
	{Window: 60 * time.Second, MinParticipation: 2},
	{Window: 60 * time.Second, MinParticipation: 2, KeepLoops: true},
	{Window: 30 * time.Second, MinParticipation: 3, MinWeight: 2},
	{Window: 5 * time.Minute, MinParticipation: 5, KeepLoops: true, MinWeight: 3},
	{Window: 60 * time.Second, MinParticipation: 2, Strict: true},
	{Window: 60 * time.Second, MinParticipation: 2, KeepLoops: true, Strict: true},
	{Window: 30 * time.Second, MinParticipation: 3, MinWeight: 2, Strict: true},
	{Window: 5 * time.Minute, MinParticipation: 5, KeepLoops: true, MinWeight: 3, Strict: true},
}

// TestDetectMatchesOracle compares the detector with the R transcription
// (CooRTweet rules) or the strict oracle on random shares with loops,
// duplicates, shared posts and two object types.
func TestDetectMatchesOracle(t *testing.T) {
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 1))
		shares := randomShares(rng, 400, 25, 15, 20*time.Minute)
		for _, o := range oracleOptions {
			t.Run(fmt.Sprintf("seed%d/%+v", seed, o), func(t *testing.T) {
				d, got, err := Detect(shares, o)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Edges) == 0 {
					t.Fatalf("no edges; the test data is too sparse to check anything")
				}
				if o.Strict {
					if diff := sameGraph(got, strictOracle(shares, o)); diff != "" {
						t.Error(diff)
					}
					return
				}
				if diff := diffR(d, got, shares, o); diff != "" {
					t.Error(diff)
				}
			})
		}
	}
}

func TestIncrementalEqualsBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	shares := randomShares(rng, 1500, 40, 30, time.Hour)
	byTime := slices.Clone(shares)
	slices.SortStableFunc(byTime, func(x, y Share) int { return x.Time.Compare(y.Time) })
	for _, o := range oracleOptions {
		bd, batch, err := Detect(shares, o)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			in     []Share
			chunk  int
			forget bool
		}{
			{"arbitrary order, chunks of 1", shares, 1, false},
			{"arbitrary order, chunks of 97", shares, 97, false},
			{"time order, chunks of 50, forgetting", byTime, 50, true},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%+v/%s", o, c.name), func(t *testing.T) {
				d, err := NewDetector(o)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < len(c.in); i += c.chunk {
					chunk := c.in[i:min(i+c.chunk, len(c.in))]
					if err := d.Add(chunk); err != nil {
						t.Fatal(err)
					}
					if c.forget {
						d.Forget(chunk[len(chunk)-1].Time)
					}
				}
				if diff := sameGraph(d.Graph(), batch); diff != "" {
					t.Error(diff)
				}
				if got, want := d.CoShares(), bd.CoShares(); !reflect.DeepEqual(got, want) {
					t.Errorf("%d co-shares, batch %d", len(got), len(want))
				}
			})
		}
	}
}

func TestForgetRejectsOldShares(t *testing.T) {
	d, _ := NewDetector(Options{})
	if err := d.Add([]Share{{Account: "a", Object: "x", ObjectType: "url", Time: at(100)}}); err != nil {
		t.Fatal(err)
	}
	d.Forget(at(200))
	err := d.Add([]Share{
		{Account: "b", Object: "x", ObjectType: "url", Time: at(300)},
		{Account: "c", Object: "x", ObjectType: "url", Time: at(150)},
	})
	if !errors.Is(err, ErrBeforeHorizon) || !strings.Contains(err.Error(), "share 1") {
		t.Fatalf("err = %v, want ErrBeforeHorizon naming share 1", err)
	}
	if g := d.Graph(); g.Shares != 1 {
		t.Errorf("a rejected Add changed the detector: %d shares", g.Shares)
	}
	// A share at the horizon still pairs with held shares up to one window earlier.
	if err := d.Add([]Share{{Account: "b", Object: "y", ObjectType: "url", Time: at(200)}, {Account: "a", Object: "y", ObjectType: "url", Time: at(201)}}); err != nil {
		t.Fatal(err)
	}
}

// sh is a compact share for table tests: "account object seconds [post]".
func sh(spec string) Share {
	f := strings.Fields(spec)
	var sec float64
	fmt.Sscan(f[2], &sec)
	s := Share{Account: f[0], Object: f[1], ObjectType: "url", Time: at(sec)}
	if len(f) > 3 {
		s.Post = f[3]
	}
	if strings.HasPrefix(s.Object, "#") {
		s.ObjectType = "hashtag"
	}
	return s
}

func shs(specs ...string) []Share {
	out := make([]Share, len(specs))
	for i, s := range specs {
		out[i] = sh(s)
	}
	return out
}

// TestSemantics pins each rule on a few shares, with CooRTweet's rules
// (want) and with Strict (strict); "a-b:3/2" is an edge of weight 3 over 2
// objects.
func TestSemantics(t *testing.T) {
	one := Options{Window: 60 * time.Second, MinParticipation: 1}
	two := Options{Window: 60 * time.Second, MinParticipation: 2}
	loops := Options{Window: 60 * time.Second, MinParticipation: 1, KeepLoops: true}
	cases := []struct {
		name         string
		opts         Options
		shares       []Share
		want, strict string
	}{
		{"window is inclusive", one, shs("a x 0", "b x 60"), "a-b:1/1", "a-b:1/1"},
		{"just outside the window", one, shs("a x 0", "b x 60.001"), "", ""},
		{"pairs are of shares, not of consecutive shares", one, shs("a x 0", "b x 50", "c x 100"), "a-b:1/1 b-c:1/1", "a-b:1/1 b-c:1/1"},
		{"weight counts co-shares", one, shs("a x 0", "b x 1", "b x 2 p2", "a y 0", "b y 9"), "a-b:3/2", "a-b:3/2"},
		{"identical rows count once", one, shs("a x 0 p", "a x 0 p", "b x 1"), "a-b:1/1", "a-b:1/1"},
		{"two posts at one second are two shares", one, shs("a x 0 p1", "a x 0 p2", "b x 1"), "a-b:2/1", "a-b:2/1"},
		{"loops removed by default", one, shs("a x 0 p1", "a x 5 p2"), "", ""},
		{"loops kept", loops, shs("a x 0 p1", "a x 5 p2"), "a-a:1/1", "a-a:1/1"},
		{"one post twice is a loop", one, shs("a x 0 p", "b x 5 p", "c x 9"), "a-c:1/1 b-c:1/1", "a-c:1/1 b-c:1/1"},
		{"one post twice kept with loops", loops, shs("a x 0 p", "b x 5 p"), "a-b:1/1", "a-b:1/1"},
		{"a post that is its own object is a loop", one, shs("a x 0 x", "b x 5", "c x 9"), "b-c:1/1", "b-c:1/1"},
		{"types never co-share", one, shs("a #x 0", "b x 1"), "", ""},
		{"participation counts shares, not distinct objects", two,
			shs("a x 0", "b x 1", "a x 2 p", "b x 3 p"), "a-b:3/1", ""},
		{"one end reaching min participation keeps a co-share", two,
			shs("a x 0", "b x 1", "a y 0", "c y 1", "b q 500", "c r 900"), "a-b:1/1 a-c:1/1", ""},
		{"min participation met by both", two,
			shs("a x 0", "b x 1", "a y 0", "b y 1"), "a-b:2/2", "a-b:2/2"},
		{"pre-filter counts shares of the type", two,
			shs("a x 0", "b x 1", "a #h 0", "b #h 1"), "", "a-b:2/2"},
		{"accounts below the pre-filter take no part", two,
			shs("a x 0", "b x 1", "a y 0", "c y 1"), "", ""},
		{"min weight after participation", Options{MinParticipation: 2, MinWeight: 2},
			shs("a x 0", "b x 1", "a y 0", "b y 1", "a y 100", "c y 101", "c z 0", "a z 1"), "a-b:2/2 a-c:2/2", "a-b:2/2 a-c:2/2"},
	}
	for _, c := range cases {
		for _, strict := range []bool{false, true} {
			o := c.opts
			o.Strict = strict
			want := c.want
			if strict {
				want = c.strict
			}
			t.Run(fmt.Sprintf("%s/strict=%v", c.name, strict), func(t *testing.T) {
				d, g, err := Detect(c.shares, o)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range g.Edges {
					got = append(got, fmt.Sprintf("%s-%s:%d/%d", e.A, e.B, e.Weight, len(e.Objects)))
				}
				if s := strings.Join(got, " "); s != want {
					t.Errorf("edges %q, want %q", s, want)
				}
				diff := ""
				if strict {
					diff = sameGraph(g, strictOracle(c.shares, o))
				} else {
					diff = diffR(d, g, c.shares, o)
				}
				if diff != "" {
					t.Errorf("differs from the oracle: %s", diff)
				}
			})
		}
	}
}

func TestAddRejectsBadShares(t *testing.T) {
	cases := []struct {
		name  string
		share Share
		want  string
	}{
		{"no account", Share{Object: "x", Time: at(0)}, "share 1: share has no account"},
		{"no object", Share{Account: "a", Time: at(0)}, `share 1: share of account "a" has no object`},
		{"no time", Share{Account: "a", Object: "x"}, "has no time"},
		{"time beyond int64 nanoseconds", Share{Account: "a", Object: "x", Time: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, "time 3000-01-01T00:00:00Z out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _ := NewDetector(Options{})
			err := d.Add([]Share{sh("a x 0"), c.share})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if g := d.Graph(); g.Shares != 0 {
				t.Errorf("a rejected Add kept %d shares", g.Shares)
			}
		})
	}
}

func TestOptionsRejected(t *testing.T) {
	for _, o := range []Options{{Window: -time.Second}, {Window: MaxWindow + 1}, {MinParticipation: -1}, {MinWeight: -2}} {
		if _, err := NewDetector(o); err == nil {
			t.Errorf("NewDetector(%+v) accepted bad options", o)
		}
	}
}

func TestTimeline(t *testing.T) {
	d, _, err := Detect(shs("a x 0 p1", "b x 5 p2", "c x 6 p3", "a y 100 p4"), Options{MinParticipation: 1})
	if err != nil {
		t.Fatal(err)
	}
	tl := d.Timeline([]string{"a", "b"}, []Key{{"url", "x"}, {"url", "missing"}})
	var got []string
	for _, s := range tl {
		got = append(got, fmt.Sprintf("%s@%v/%s", s.Account, s.Time.Sub(t0).Seconds(), s.Post))
	}
	if want := []string{"a@0/p1", "b@5/p2"}; !slices.Equal(got, want) {
		t.Errorf("timeline %v, want %v", got, want)
	}
}

func TestParticipationCountsDroppedPartners(t *testing.T) {
	// Strict: b has two shares, so its co-share of x counts for a, although b
	// itself co-shares one object only and is dropped.
	base := shs("a x 0", "b x 1", "a y 0", "c y 1", "a z 0", "c z 1")
	for _, c := range []struct {
		name    string
		shares  []Share
		objects int
	}{
		{"partner with one share", base, 2},
		{"partner with two shares", append(shs("b q 900"), base...), 3},
	} {
		_, g, err := Detect(c.shares, Options{MinParticipation: 2, Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Accounts) != 2 || g.Accounts[0].ID != "a" || g.Accounts[0].Objects != c.objects {
			t.Errorf("%s: accounts %+v, want a with %d objects and c", c.name, g.Accounts, c.objects)
		}
		if d := sameGraph(g, strictOracle(c.shares, Options{MinParticipation: 2, Strict: true})); d != "" {
			t.Errorf("%s: differs from oracle: %s", c.name, d)
		}
	}
}
