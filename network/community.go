package network

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
)

// CommunityOptions tune community detection and ranking.
type CommunityOptions struct {
	// Resolution is the modularity resolution γ; 0 means 1 (plain
	// modularity). Higher values give smaller communities.
	Resolution float64
	// Seed seeds Leiden's node order and refinement, so results are
	// reproducible: the same graph and seed give the same communities.
	Seed uint64
	// Flagged reports whether an object already matched a bank or was
	// flagged by the classifier. It may be nil.
	Flagged func(Key) bool
}

// Community is a group of accounts found by Leiden on the weighted account
// graph, with what a reviewer needs to rank it.
type Community struct {
	// Rank is 1 for the community that deserves attention first.
	Rank int
	// Accounts are the member ids, sorted.
	Accounts []string
	// Component numbers the connected component holding the community (a
	// CooRTweet group), from 1 in order of the component's smallest account.
	Component int
	// Edges and Weight count the edges inside the community and their
	// co-shares; loops included.
	Edges, Weight int
	// Density is the share of possible account pairs that are linked:
	// non-loop edges / (n(n-1)/2); 0 for a single account.
	Density float64
	// MedianDelay is the median gap over every co-share inside the community.
	MedianDelay time.Duration
	// Objects are the distinct objects co-shared inside the community, sorted.
	Objects []Key
	// Flagged is the fraction of Objects that CommunityOptions.Flagged accepts.
	Flagged float64
	// Score orders the communities; see SEMANTICS.md.
	Score float64
}

// Communities partitions the graph's accounts with Leiden (see leiden.go)
// and ranks the communities, best first. Edge weights are co-share counts. A
// self-loop enters the optimisation as in standard modularity: it adds twice
// its weight to its account's strength and its weight to the inside of the
// account's community. Loops are also counted in each community's figures.
// Every community is connected.
func Communities(g *Graph, opts CommunityOptions) ([]Community, error) {
	return communities(g, opts, leidenGraph)
}

// partitioner numbers the community of each account of g (by index).
type partitioner func(g *Graph, resolution float64, seed uint64) []int32

func leidenGraph(g *Graph, resolution float64, seed uint64) []int32 {
	return leidenPartition(graphCSR(g), resolution, seed)
}

// louvainGonum is gonum's Louvain, which Communities used before Leiden;
// tests and benchmarks compare with it. Self-loops are left out, as gonum's
// simple graphs hold none.
func louvainGonum(g *Graph, resolution float64, seed uint64) []int32 {
	wg := simple.NewWeightedUndirectedGraph(0, 0)
	for i := range g.Accounts {
		wg.AddNode(simple.Node(i))
	}
	for _, e := range g.Edges {
		if e.ai != e.bi {
			wg.SetWeightedEdge(wg.NewWeightedEdge(simple.Node(e.ai), simple.Node(e.bi), float64(e.Weight)))
		}
	}
	reduced := community.Modularize(wg, resolution, rand.NewPCG(seed, 0x6d61727361642d6e))
	member := make([]int32, len(g.Accounts))
	for ci, c := range reduced.Communities() {
		for _, nd := range c {
			member[nd.ID()] = int32(ci)
		}
	}
	return member
}

func communities(g *Graph, opts CommunityOptions, partition partitioner) ([]Community, error) {
	if opts.Resolution == 0 {
		opts.Resolution = 1
	}
	if opts.Resolution < 0 || math.IsNaN(opts.Resolution) || math.IsInf(opts.Resolution, 0) {
		return nil, fmt.Errorf("resolution %v: want a positive number", opts.Resolution)
	}
	n := len(g.Accounts)
	if n == 0 {
		return nil, nil
	}
	member := partition(g, opts.Resolution, opts.Seed)
	// Number communities by their smallest account so the order below does
	// not depend on the partitioner's numbering.
	num := make([]int, n)
	for i := range num {
		num[i] = -1
	}
	var groups [][]int
	for a, c := range member {
		if num[c] < 0 {
			num[c] = len(groups)
			groups = append(groups, nil)
		}
		groups[num[c]] = append(groups[num[c]], a)
	}
	for ci, ids := range groups {
		for _, a := range ids {
			member[a] = int32(ci)
		}
	}
	comp := Components(g)
	out := make([]Community, len(groups))
	delays := make([][]uint32, len(groups))
	objSets := make([]map[Key]bool, len(groups))
	for ci, ids := range groups {
		c := &out[ci]
		c.Component = comp[ids[0]]
		for _, a := range ids {
			c.Accounts = append(c.Accounts, g.Accounts[a].ID)
		}
		objSets[ci] = map[Key]bool{}
	}
	for _, e := range g.Edges {
		ci := member[e.ai]
		if member[e.bi] != ci {
			continue
		}
		c := &out[ci]
		c.Edges++
		c.Weight += e.Weight
		if e.ai != e.bi {
			c.Density++
		}
		delays[ci] = append(delays[ci], e.delays...)
		for _, k := range e.Objects {
			objSets[ci][k] = true
		}
	}
	window := g.Options.Window
	for ci := range out {
		c := &out[ci]
		k := float64(len(c.Accounts))
		if k > 1 {
			c.Density /= k * (k - 1) / 2
		} else {
			c.Density = 0
		}
		slices.Sort(delays[ci])
		c.MedianDelay = medianMillis(delays[ci])
		for key := range objSets[ci] {
			c.Objects = append(c.Objects, key)
		}
		slices.SortFunc(c.Objects, cmpKey)
		if opts.Flagged != nil && len(c.Objects) > 0 {
			f := 0
			for _, key := range c.Objects {
				if opts.Flagged(key) {
					f++
				}
			}
			c.Flagged = float64(f) / float64(len(c.Objects))
		}
		c.Score = score(len(c.Accounts), c.Density, c.MedianDelay, window, c.Flagged)
	}
	slices.SortStableFunc(out, func(x, y Community) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(len(y.Accounts), len(x.Accounts)); c != 0 {
			return c
		}
		return cmp.Compare(x.Accounts[0], y.Accounts[0])
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}

// score ranks a community: bigger, denser, faster and more flagged first.
// The formula is in SEMANTICS.md.
func score(size int, density float64, delay, window time.Duration, flagged float64) float64 {
	speed := 1.0
	if window > 0 {
		speed = 1 - 0.5*min(1, float64(delay)/float64(window))
	}
	return math.Log2(1+float64(size)) * (0.5 + 0.5*density) * speed * (1 + flagged)
}

// Components returns, for each account of g (by index), the number of its
// connected component, from 1 in order of each component's first account.
func Components(g *Graph) []int {
	parent := make([]int, len(g.Accounts))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, e := range g.Edges {
		ra, rb := find(e.ai), find(e.bi)
		if ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	num := map[int]int{}
	out := make([]int, len(parent))
	for i := range parent {
		r := find(i)
		if num[r] == 0 {
			num[r] = len(num) + 1
		}
		out[i] = num[r]
	}
	return out
}
