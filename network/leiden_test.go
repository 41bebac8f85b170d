package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
)

// graphOf builds a Graph on n accounts from [a, b, weight] triples, as
// Detect would lay it out.
func graphOf(n int, edges [][3]int) *Graph {
	g := &Graph{Accounts: make([]Account, n)}
	for i := range g.Accounts {
		g.Accounts[i].ID = fmt.Sprintf("a%04d", i)
	}
	for _, e := range edges {
		a, b := min(e[0], e[1]), max(e[0], e[1])
		g.Edges = append(g.Edges, Edge{A: g.Accounts[a].ID, B: g.Accounts[b].ID, Weight: e[2], ai: a, bi: b})
	}
	slices.SortFunc(g.Edges, func(x, y Edge) int {
		if x.ai != y.ai {
			return x.ai - y.ai
		}
		return x.bi - y.bi
	})
	return g
}

// plantedPartition returns groups of size members each, every pair inside
// a group linked with probability pIn and weight 1-3, and noise edges of
// weight 1 between random accounts of different groups, noise per account.
func plantedPartition(seed uint64, groups, size int, pIn, noise float64) (*Graph, []int32) {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := groups * size
	truth := make([]int32, n)
	seen := map[[2]int]bool{}
	var edges [][3]int
	add := func(a, b, w int) {
		k := [2]int{min(a, b), max(a, b)}
		if a != b && !seen[k] {
			seen[k] = true
			edges = append(edges, [3]int{a, b, w})
		}
	}
	for gi := range groups {
		for i := range size {
			truth[gi*size+i] = int32(gi)
			for j := range i {
				if rng.Float64() < pIn {
					add(gi*size+i, gi*size+j, 1+rng.IntN(3))
				}
			}
		}
	}
	for range int(noise * float64(n)) {
		a, b := rng.IntN(n), rng.IntN(n)
		if truth[a] != truth[b] {
			add(a, b, 1)
		}
	}
	return graphOf(n, edges), truth
}

// modularityOf computes Q of member on g straight from g.Edges, without
// the CSR or Leiden's bookkeeping: m counts each edge once, a loop adds
// twice its weight to its account's degree and once to its community's
// inside.
func modularityOf(g *Graph, member []int32, gamma float64) float64 {
	m := 0.0
	in := map[int32]float64{}
	deg := map[int32]float64{}
	for _, e := range g.Edges {
		w := float64(e.Weight)
		m += w
		deg[member[e.ai]] += w
		deg[member[e.bi]] += w
		if member[e.ai] == member[e.bi] {
			in[member[e.ai]] += w
		}
	}
	if m == 0 {
		return 0
	}
	q := 0.0
	for c, d := range deg {
		q += in[c]/m - gamma*(d/(2*m))*(d/(2*m))
	}
	return q
}

// gonumQ is gonum's community.Q of member on g's loop-free edges.
func gonumQ(g *Graph, member []int32, gamma float64) float64 {
	wg := simple.NewWeightedUndirectedGraph(0, 0)
	for i := range g.Accounts {
		wg.AddNode(simple.Node(i))
	}
	for _, e := range g.Edges {
		if e.ai != e.bi {
			wg.SetWeightedEdge(wg.NewWeightedEdge(simple.Node(e.ai), simple.Node(e.bi), float64(e.Weight)))
		}
	}
	byComm := map[int32][]graph.Node{}
	for a, c := range member {
		byComm[c] = append(byComm[c], simple.Node(a))
	}
	var cs [][]graph.Node
	for _, c := range byComm {
		cs = append(cs, c)
	}
	return community.Q(wg, cs, gamma)
}

// disconnected returns a community of member that is not connected inside
// itself, or -1.
func disconnected(g *Graph, member []int32) int32 {
	adj := make([][]int, len(g.Accounts))
	for _, e := range g.Edges {
		if e.ai != e.bi && member[e.ai] == member[e.bi] {
			adj[e.ai] = append(adj[e.ai], e.bi)
			adj[e.bi] = append(adj[e.bi], e.ai)
		}
	}
	reached := make([]bool, len(g.Accounts))
	started := map[int32]bool{}
	for s := range g.Accounts {
		if reached[s] {
			continue
		}
		if started[member[s]] {
			return member[s] // a second search from inside one community
		}
		started[member[s]] = true
		reached[s] = true
		queue := []int{s}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for _, u := range adj[v] {
				if !reached[u] {
					reached[u] = true
					queue = append(queue, u)
				}
			}
		}
	}
	return -1
}

// sampleGraphs returns the graphs the modularity tests compare on: planted
// synthetic sets and, when present, CooRTweet's samples.
func sampleGraphs(t *testing.T) map[string]*Graph {
	t.Helper()
	out := map[string]*Graph{}
	for _, seed := range []uint64{1, 2, 3} {
		p := GeneratePlanted(PlantedConfig{Seed: seed, Organic: 1000, OrganicPosts: 20000})
		_, g, err := Detect(p.Shares, Options{Window: 5 * time.Minute, MinParticipation: 2})
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("planted seed %d", seed)] = g
	}
	for _, seed := range []uint64{1, 2} {
		g, _ := plantedPartition(seed, 40, 12, 0.5, 2)
		out[fmt.Sprintf("partition seed %d", seed)] = g
	}
	// CooRTweet's vignette runs each German object type at 30 s.
	sets := []struct {
		file, typ string
		window    time.Duration
		minP      int
	}{
		{"german_elections.csv", "", time.Minute, 2},
		{"german_elections.csv", "url", 30 * time.Second, 2},
		{"german_elections.csv", "domain", 30 * time.Second, 2},
		{"german_elections.csv", "hashtag", 30 * time.Second, 2},
		{"german_elections.csv", "phash", 30 * time.Second, 2},
		{"russian_coord_tweets.csv", "", 10 * time.Second, 5},
		{"russian_coord_tweets.csv", "", time.Minute, 2},
	}
	for _, s := range sets {
		if testing.Short() {
			break
		}
		var types []string
		if s.typ != "" {
			types = []string{s.typ}
		}
		shares := loadCoortweet(t, s.file, types...)
		_, g, err := Detect(shares, Options{Window: s.window, MinParticipation: s.minP})
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%s %s %s min %d", s.file, s.typ, s.window, s.minP)] = g
	}
	return out
}

func TestLeidenModularityAtLeastGonum(t *testing.T) {
	graphs := sampleGraphs(t)
	keys := make([]string, 0, len(graphs))
	for k := range graphs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, name := range keys {
		g := graphs[name]
		for _, gamma := range []float64{1, 0.5, 2} {
			ours := leidenGraph(g, gamma, 1)
			theirs := louvainGonum(g, gamma, 1)
			qo, qt := modularityOf(g, ours, gamma), modularityOf(g, theirs, gamma)
			if gq := gonumQ(g, ours, gamma); math.Abs(gq-qo) > 1e-9 {
				t.Fatalf("%s γ=%v: modularity %v here, %v by gonum's Q", name, gamma, qo, gq)
			}
			if q := modularity(graphCSR(g), ours, gamma); math.Abs(q-qo) > 1e-9 {
				t.Fatalf("%s γ=%v: Leiden's own modularity %v, independent %v", name, gamma, q, qo)
			}
			t.Logf("%s (%d accounts, %d edges) γ=%v: Leiden Q=%.5f (%d communities), gonum Louvain Q=%.5f (%d)",
				name, len(g.Accounts), len(g.Edges), gamma, qo, countOf(ours), qt, countOf(theirs))
			if qo < qt-1e-3 {
				t.Errorf("%s γ=%v: Leiden modularity %.5f below gonum's %.5f", name, gamma, qo, qt)
			}
			if c := disconnected(g, ours); c >= 0 {
				t.Errorf("%s γ=%v: community %d is not connected", name, gamma, c)
			}
		}
	}
}

func countOf(member []int32) int {
	seen := map[int32]bool{}
	for _, c := range member {
		seen[c] = true
	}
	return len(seen)
}

// TestCommunitiesConnected checks Leiden's guarantee on what Communities
// returns: a search inside each community reaches all of it.
func TestCommunitiesConnected(t *testing.T) {
	for name, g := range sampleGraphs(t) {
		cs, err := Communities(g, CommunityOptions{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		index := map[string]int{}
		for i, a := range g.Accounts {
			index[a.ID] = i
		}
		member := make([]int32, len(g.Accounts))
		for ci, c := range cs {
			for _, a := range c.Accounts {
				member[index[a]] = int32(ci)
			}
		}
		if c := disconnected(g, member); c >= 0 {
			t.Errorf("%s: community %v is not connected", name, cs[c].Accounts)
		}
	}
}

// randomGraph returns a small random graph with weights 1-4, with or
// without loops.
func randomGraph(seed uint64, minN, maxN int, loops bool) *Graph {
	rng := rand.New(rand.NewPCG(seed, 2))
	n := minN + rng.IntN(maxN-minN+1)
	var edges [][3]int
	seen := map[[2]int]bool{}
	for range n * (1 + rng.IntN(3)) {
		a, b := rng.IntN(n), rng.IntN(n)
		a, b = min(a, b), max(a, b)
		if seen[[2]int{a, b}] || (a == b && !loops) {
			continue
		}
		seen[[2]int{a, b}] = true
		edges = append(edges, [3]int{a, b, 1 + rng.IntN(4)})
	}
	return graphOf(n, edges)
}

// TestLeidenSmallRandomGraphs checks connectivity on many small random
// graphs, where odd shapes are common, and that on average Leiden's
// modularity is at least gonum's. Graph by graph either may land in a
// better local optimum, so the test does not ask that of each one.
func TestLeidenSmallRandomGraphs(t *testing.T) {
	var sumOurs, sumTheirs float64
	worse, better := 0, 0
	for seed := range uint64(200) {
		g := randomGraph(seed, 6, 35, false)
		for _, gamma := range []float64{0.3, 1, 3} {
			member := leidenGraph(g, gamma, seed)
			if c := disconnected(g, member); c >= 0 {
				t.Fatalf("seed %d γ=%v: community %d not connected", seed, gamma, c)
			}
			qo, qt := modularityOf(g, member, gamma), modularityOf(g, louvainGonum(g, gamma, seed), gamma)
			sumOurs += qo
			sumTheirs += qt
			if qo < qt-1e-9 {
				worse++
			} else if qo > qt+1e-9 {
				better++
			}
		}
	}
	t.Logf("600 graphs: Leiden better on %d, worse on %d; mean Q %.5f, gonum's %.5f", better, worse, sumOurs/600, sumTheirs/600)
	if sumOurs < sumTheirs {
		t.Errorf("mean modularity %.5f below gonum's %.5f", sumOurs/600, sumTheirs/600)
	}
}

// bestPartition tries every partition of g's accounts (a few thousand for
// 9 of them) and returns the highest modularity.
func bestPartition(g *Graph, gamma float64) float64 {
	n := len(g.Accounts)
	p := make([]int32, n)
	best := modularityOf(g, p, gamma)
	var try func(i int, top int32)
	try = func(i int, top int32) {
		if i == n {
			best = max(best, modularityOf(g, p, gamma))
			return
		}
		for c := int32(0); c <= top+1; c++ {
			p[i] = c
			try(i+1, max(top, c))
		}
	}
	if n > 1 {
		try(1, 0)
	}
	return best
}

// TestLeidenNearOptimumOnTinyGraphs compares with the exhaustive optimum on
// tiny graphs with loops: Leiden is a heuristic, but it should reach the
// optimum almost always and never pass it.
func TestLeidenNearOptimumOnTinyGraphs(t *testing.T) {
	hit, total := 0, 0
	for seed := range uint64(300) {
		g := randomGraph(seed, 3, 9, true)
		for _, gamma := range []float64{0.5, 1, 2} {
			total++
			best := bestPartition(g, gamma)
			q := modularityOf(g, leidenGraph(g, gamma, seed), gamma)
			if q > best+1e-9 {
				t.Fatalf("seed %d γ=%v: Q %v above the optimum %v", seed, gamma, q, best)
			}
			if q > best-1e-9 {
				hit++
			}
		}
	}
	t.Logf("optimum reached on %d of %d tiny graphs", hit, total)
	if hit < total*95/100 {
		t.Errorf("optimum reached on %d of %d tiny graphs, want 95%%", hit, total)
	}
}

func TestLeidenDeterministic(t *testing.T) {
	g, _ := plantedPartition(4, 30, 10, 0.3, 3)
	for _, seed := range []uint64{0, 1, 99} {
		first := leidenGraph(g, 1, seed)
		for range 3 {
			if again := leidenGraph(g, 1, seed); !slices.Equal(first, again) {
				t.Fatalf("seed %d: two runs gave different partitions", seed)
			}
		}
	}
}

// nmi is the normalised mutual information of two partitions.
func nmi(x, y []int32) float64 {
	n := float64(len(x))
	joint := map[[2]int32]float64{}
	px, py := map[int32]float64{}, map[int32]float64{}
	for i := range x {
		joint[[2]int32{x[i], y[i]}]++
		px[x[i]]++
		py[y[i]]++
	}
	h := func(p map[int32]float64) float64 {
		s := 0.0
		for _, c := range p {
			s -= c / n * math.Log(c/n)
		}
		return s
	}
	mi := 0.0
	for k, c := range joint {
		mi += c / n * math.Log(c*n/(px[k[0]]*py[k[1]]))
	}
	if hx, hy := h(px), h(py); hx+hy > 0 {
		return 2 * mi / (hx + hy)
	}
	return 1
}

func TestLeidenRecoversPlantedPartition(t *testing.T) {
	cases := []struct {
		pIn, noise float64
		exact      bool
		minNMI     float64
	}{
		{0.9, 0.5, true, 1},
		{0.6, 1, true, 1},
		{0.4, 2, false, 0.9},
	}
	for _, c := range cases {
		g, truth := plantedPartition(5, 25, 12, c.pIn, c.noise)
		got := leidenGraph(g, 1, 1)
		score := nmi(truth, got)
		t.Logf("p_in %.1f, noise %.1f: NMI %.4f, %d communities", c.pIn, c.noise, score, countOf(got))
		if c.exact && countOf(got) != 25 {
			t.Errorf("p_in %.1f: %d communities, want the 25 planted", c.pIn, countOf(got))
		}
		if score < c.minNMI {
			t.Errorf("p_in %.1f, noise %.1f: NMI %.4f, want at least %.2f", c.pIn, c.noise, score, c.minNMI)
		}
	}
}

// TestCommunitiesRecoverPlantedNetworks runs detection on a planted data set
// at strict settings: each planted network must come out as one community
// holding no other network.
func TestCommunitiesRecoverPlantedNetworks(t *testing.T) {
	p := GeneratePlanted(PlantedConfig{Seed: 1, Organic: 1000, OrganicPosts: 20000})
	_, g, err := Detect(p.Shares, Options{Window: 30 * time.Second, MinParticipation: 5})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Communities(g, CommunityOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	network := func(id string) string {
		if !p.Coordinated[id] {
			return ""
		}
		net, _, _ := cutDash(id)
		return net
	}
	home := map[string]int{}
	for ci, c := range cs {
		nets := map[string]bool{}
		for _, a := range c.Accounts {
			if net := network(a); net != "" {
				nets[net] = true
				if h, ok := home[net]; ok && h != ci {
					t.Errorf("network %s split over communities %v and %v", net, cs[h].Accounts, c.Accounts)
				}
				home[net] = ci
			}
		}
		if len(nets) > 1 {
			t.Errorf("community %v mixes networks %v", c.Accounts, nets)
		}
	}
	if len(home) != 5 {
		t.Errorf("%d planted networks found, want 5", len(home))
	}
}

func cutDash(id string) (string, string, bool) {
	for i := range id {
		if id[i] == '-' {
			return id[:i], id[i+1:], true
		}
	}
	return id, "", false
}

func TestLeidenEdgeCases(t *testing.T) {
	cases := []struct {
		name  string
		g     *Graph
		want  []int32
		gamma float64
	}{
		{"empty", graphOf(0, nil), []int32{}, 1},
		{"single account, no edge", graphOf(1, nil), []int32{0}, 1},
		{"isolated accounts", graphOf(3, nil), []int32{0, 1, 2}, 1},
		{"single account with loop", graphOf(1, [][3]int{{0, 0, 3}}), []int32{0}, 1},
		// Joining loop-only accounts gains no inside weight and costs
		// K_a·K_b, so each stays alone.
		{"only loops", graphOf(3, [][3]int{{0, 0, 1}, {1, 1, 5}, {2, 2, 2}}), []int32{0, 1, 2}, 1},
		{"two components", graphOf(6, [][3]int{{0, 1, 1}, {1, 2, 1}, {0, 2, 1}, {3, 4, 2}, {4, 5, 2}, {3, 5, 2}}), []int32{0, 0, 0, 1, 1, 1}, 1},
		{"components and isolated", graphOf(7, [][3]int{{0, 1, 1}, {1, 2, 1}, {0, 2, 1}, {4, 5, 2}, {5, 6, 2}, {4, 6, 2}}), []int32{0, 0, 0, 1, 2, 2, 2}, 1},
		{"pair", graphOf(2, [][3]int{{0, 1, 4}}), []int32{0, 0}, 1},
		// Loops weigh in the strengths: on the path 0-1-2, account 1
		// joins the lighter self-coordinator; without the loops all
		// three would form one community.
		{"loops", graphOf(3, [][3]int{{0, 1, 1}, {1, 2, 1}, {0, 0, 10}, {2, 2, 20}}), []int32{0, 0, 1}, 1},
		{"no loops", graphOf(3, [][3]int{{0, 1, 1}, {1, 2, 1}}), []int32{0, 0, 0}, 1},
		{"high resolution", graphOf(3, [][3]int{{0, 1, 1}, {1, 2, 1}, {0, 2, 1}}), []int32{0, 1, 2}, 10},
	}
	for _, c := range cases {
		got := leidenGraph(c.g, c.gamma, 1)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: partition %v, want %v", c.name, got, c.want)
		}
		if q, best := modularityOf(c.g, got, c.gamma), modularityOf(c.g, c.want, c.gamma); math.Abs(q-best) > 1e-12 {
			t.Errorf("%s: Q %v, want %v", c.name, q, best)
		}
	}
}

func TestCommunitiesEdgeCases(t *testing.T) {
	if cs, err := Communities(graphOf(0, nil), CommunityOptions{}); err != nil || cs != nil {
		t.Errorf("empty graph: %v, %v; want no communities", cs, err)
	}
	cs, err := Communities(graphOf(3, [][3]int{{0, 0, 2}, {1, 1, 1}}), CommunityOptions{})
	if err != nil || len(cs) != 3 {
		t.Fatalf("only loops and an isolated account: %+v, %v; want three communities", cs, err)
	}
	for _, c := range cs {
		if len(c.Accounts) != 1 {
			t.Errorf("community %v, want one account each", c.Accounts)
		}
	}
	g, _ := plantedPartition(6, 10, 8, 0.5, 1)
	zero, _ := Communities(g, CommunityOptions{Seed: 2})
	one, _ := Communities(g, CommunityOptions{Seed: 2, Resolution: 1})
	if !slices.EqualFunc(zero, one, func(x, y Community) bool { return slices.Equal(x.Accounts, y.Accounts) }) {
		t.Error("resolution 0 and 1 gave different communities")
	}
	for _, r := range []float64{-0.5, math.Inf(-1)} {
		if _, err := Communities(g, CommunityOptions{Resolution: r}); err == nil {
			t.Errorf("resolution %v accepted", r)
		}
	}
}
