package network

// csr is an undirected weighted graph in compressed sparse row form, the
// layout community detection works on: the neighbours of node v are
// adj[off[v]:off[v+1]] with weights w[off[v]:off[v+1]]. A non-loop edge is
// stored twice, once from each end; a self-loop is kept apart in loop, so the
// inner loops never meet it.
type csr struct {
	off  []int64
	adj  []int32
	w    []float64
	loop []float64 // weight of v's self-loop, counted once
	// k is v's strength: the weights of its edges plus twice its loop, as
	// in the adjacency matrix of standard modularity (A_vv = 2·loop).
	k  []float64
	m2 float64 // sum of k: twice the total edge weight
}

func (g *csr) n() int { return len(g.k) }

// csrEdge is one undirected edge given to newCSR; a == b is a loop.
type csrEdge struct {
	a, b int32
	w    float64
}

// newCSR builds the graph on n nodes from edges, which may come in any
// order but must not repeat a pair. Edges of weight zero or less are left
// out: modularity is defined for positive weights only.
func newCSR(n int, edges func(yield func(csrEdge) bool)) *csr {
	g := &csr{off: make([]int64, n+1), loop: make([]float64, n), k: make([]float64, n)}
	for e := range edges {
		if !(e.w > 0) {
			continue
		}
		if e.a == e.b {
			g.loop[e.a] += e.w
			continue
		}
		g.off[e.a+1]++
		g.off[e.b+1]++
	}
	for v := range n {
		g.off[v+1] += g.off[v]
	}
	g.adj = make([]int32, g.off[n])
	g.w = make([]float64, g.off[n])
	next := make([]int64, n)
	copy(next, g.off[:n])
	put := func(v, u int32, w float64) {
		g.adj[next[v]], g.w[next[v]] = u, w
		next[v]++
	}
	for e := range edges {
		if !(e.w > 0) || e.a == e.b {
			continue
		}
		put(e.a, e.b, e.w)
		put(e.b, e.a, e.w)
	}
	for v := range n {
		s := 2 * g.loop[v]
		for _, w := range g.w[g.off[v]:g.off[v+1]] {
			s += w
		}
		g.k[v] = s
		g.m2 += s
	}
	return g
}

// graphCSR returns g's account graph with co-share counts as weights.
func graphCSR(g *Graph) *csr {
	return newCSR(len(g.Accounts), func(yield func(csrEdge) bool) {
		for _, e := range g.Edges {
			if !yield(csrEdge{int32(e.ai), int32(e.bi), float64(e.Weight)}) {
				return
			}
		}
	})
}
