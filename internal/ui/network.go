package ui

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// paletteSize is how many network colours the stylesheet defines
// (.net-c0 … .net-c9); networks take them in turn by id.
const paletteSize = 10

// netColour is the colour class of a network, the same on its case page
// and on the overview.
func netColour(id int64) int {
	if id <= 0 {
		return 0
	}
	return int((id - 1) % paletteSize)
}

// graphNode is one account drawn in a network picture, in SVG units.
type graphNode struct {
	X, Y, R float64
	Account string // "platform:author", in full for the tooltip
	Label   string // the author, shortened
	Degree  int    // co-shares with the other drawn accounts
	LabelY  float64
}

// graphEdge is one co-share link drawn in a network picture.
type graphEdge struct {
	X1, Y1, X2, Y2 float64
	Width          float64
	A, B           string
	Weight         int
	Types          []typeCount
}

// typeCount is how many co-shares of one object type tied two accounts.
type typeCount struct {
	Type string
	N    int
}

// edgeTypes lists an edge's co-shares by object type, most first.
func edgeTypes(e model.NetworkEdge) []typeCount {
	out := make([]typeCount, 0, len(e.Types))
	for t, n := range e.Types {
		out = append(out, typeCount{t, n})
	}
	slices.SortFunc(out, func(x, y typeCount) int {
		if c := cmp.Compare(y.N, x.N); c != 0 {
			return c
		}
		return cmp.Compare(x.Type, y.Type)
	})
	return out
}

// graph is a network drawn as an SVG: nodes placed by a deterministic
// force layout, edges as lines whose width grows with co-share weight.
type graph struct {
	W, H   int
	Colour int
	Nodes  []graphNode
	Edges  []graphEdge
	// Hidden counts accounts left out of a picture too large to read;
	// the ones left out co-shared least.
	Hidden int
	Labels bool
}

// drawNetwork lays out a network in a w×h box. At most maxNodes accounts
// are drawn, those with the most co-shares first. labels puts the authors'
// names under their nodes.
func drawNetwork(n *model.Network, w, h, maxNodes int, labels bool) graph {
	g := graph{W: w, H: h, Colour: netColour(n.ID), Labels: labels}
	deg := map[string]int{}
	for _, e := range n.Edges {
		deg[e.A] += e.Weight
		deg[e.B] += e.Weight
	}
	accounts := slices.Clone(n.Accounts)
	slices.Sort(accounts)
	accounts = slices.Compact(accounts)
	if len(accounts) > maxNodes {
		slices.SortStableFunc(accounts, func(a, b string) int { return cmp.Compare(deg[b], deg[a]) })
		g.Hidden = len(accounts) - maxNodes
		accounts = accounts[:maxNodes]
		slices.Sort(accounts)
	}
	index := make(map[string]int, len(accounts))
	for i, a := range accounts {
		index[a] = i
	}
	var edges []model.NetworkEdge
	maxW := 1
	for _, e := range n.Edges {
		_, okA := index[e.A]
		_, okB := index[e.B]
		if okA && okB && e.A != e.B && e.Weight > 0 {
			edges = append(edges, e)
			maxW = max(maxW, e.Weight)
		}
	}
	margin := 18.0
	if labels {
		margin = 60
	}
	pos := forceLayout(len(accounts), edges, index, float64(w), float64(h), margin)
	drawn := map[string]int{}
	maxDeg := 1
	for _, e := range edges {
		drawn[e.A] += e.Weight
		drawn[e.B] += e.Weight
	}
	for _, v := range drawn {
		maxDeg = max(maxDeg, v)
	}
	rMin, rMax := 7.0, 15.0
	if !labels {
		rMin, rMax = 3.5, 7
	}
	for i, a := range accounts {
		r := rMin + (rMax-rMin)*math.Sqrt(float64(drawn[a])/float64(maxDeg))
		g.Nodes = append(g.Nodes, graphNode{X: pos[i][0], Y: pos[i][1], R: r, Account: a, Label: shortName(a, 22), Degree: drawn[a], LabelY: pos[i][1] + r + 14})
	}
	for _, e := range edges {
		a, b := pos[index[e.A]], pos[index[e.B]]
		wd := 1 + 5*float64(e.Weight-1)/float64(max(maxW-1, 1))
		if !labels {
			wd = 0.6 + 2*float64(e.Weight-1)/float64(max(maxW-1, 1))
		}
		g.Edges = append(g.Edges, graphEdge{X1: a[0], Y1: a[1], X2: b[0], Y2: b[1], Width: wd, A: e.A, B: e.B, Weight: e.Weight, Types: edgeTypes(e)})
	}
	// Heavier edges are drawn last, on top of the lighter ones.
	slices.SortStableFunc(g.Edges, func(x, y graphEdge) int { return cmp.Compare(x.Weight, y.Weight) })
	return g
}

// shortName is the author part of "platform:author", cut to n runes.
func shortName(account string, n int) string {
	if _, a, ok := strings.Cut(account, ":"); ok && a != "" {
		account = a
	}
	if utf8.RuneCountInString(account) <= n {
		return account
	}
	return string([]rune(account)[:n-1]) + "…"
}

// forceLayout places n nodes in a w×h box with a Fruchterman–Reingold
// layout: linked nodes pull together in proportion to their co-shares,
// every pair pushes apart, a weak pull to the centre keeps separate parts
// on screen. It starts from a circle in account order and uses no
// randomness, so the same network is always drawn the same way.
func forceLayout(n int, edges []model.NetworkEdge, index map[string]int, w, h, margin float64) [][2]float64 {
	pos := make([][2]float64, n)
	cx, cy := w/2, h/2
	switch n {
	case 0:
		return pos
	case 1:
		pos[0] = [2]float64{cx, cy}
		return pos
	}
	for i := range pos {
		a := 2*math.Pi*float64(i)/float64(n) - math.Pi/2
		pos[i] = [2]float64{math.Cos(a), math.Sin(a)}
	}
	if n > 3 {
		maxW := 1
		for _, e := range edges {
			maxW = max(maxW, e.Weight)
		}
		k := math.Sqrt(4 / float64(n)) // ideal distance in a 2×2 square
		disp := make([][2]float64, n)
		const iterations = 250
		temp := 0.2
		for it := 0; it < iterations; it++ {
			for i := range disp {
				disp[i] = [2]float64{-0.05 * pos[i][0], -0.05 * pos[i][1]} // gravity
			}
			for i := 0; i < n; i++ {
				for j := i + 1; j < n; j++ {
					dx, dy := pos[i][0]-pos[j][0], pos[i][1]-pos[j][1]
					d2 := dx*dx + dy*dy
					if d2 < 1e-9 {
						// Nodes on one spot move apart along a direction
						// fixed by their indices.
						a := float64(i*7+j*13) * 0.618
						dx, dy, d2 = math.Cos(a)*1e-3, math.Sin(a)*1e-3, 1e-6
					}
					f := k * k / d2
					disp[i][0] += dx * f
					disp[i][1] += dy * f
					disp[j][0] -= dx * f
					disp[j][1] -= dy * f
				}
			}
			for _, e := range edges {
				i, j := index[e.A], index[e.B]
				dx, dy := pos[i][0]-pos[j][0], pos[i][1]-pos[j][1]
				d := math.Sqrt(dx*dx + dy*dy)
				f := d / k * (0.5 + 0.5*float64(e.Weight)/float64(maxW))
				disp[i][0] -= dx * f
				disp[i][1] -= dy * f
				disp[j][0] += dx * f
				disp[j][1] += dy * f
			}
			for i := range pos {
				d := math.Hypot(disp[i][0], disp[i][1])
				if d > 0 {
					s := math.Min(d, temp) / d
					pos[i][0] += disp[i][0] * s
					pos[i][1] += disp[i][1] * s
				}
			}
			temp = math.Max(0.2*(1-float64(it+1)/iterations), 0.002)
		}
	}
	// Fit the layout into the box, keeping its proportions.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pos {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	spanX, spanY := math.Max(maxX-minX, 1e-6), math.Max(maxY-minY, 1e-6)
	bw, bh := w-2*margin, h-2*margin
	s := math.Min(bw/spanX, bh/spanY)
	ox := margin + (bw-spanX*s)/2
	oy := margin + (bh-spanY*s)/2
	for i := range pos {
		pos[i][0] = math.Round((ox+(pos[i][0]-minX)*s)*10) / 10
		pos[i][1] = math.Round((oy+(pos[i][1]-minY)*s)*10) / 10
	}
	return pos
}

// sharePost is one post that shared a network's item.
type sharePost struct {
	ID      int64
	Account string // empty when the post is no longer stored
	Post    *model.Post
	CaseID  int64
	// Member says the post's account is one of the network's: an item's
	// posts include those of accounts that shared it alone.
	Member bool
}

// shareItem is one item a network shared, with the posts that shared it.
type shareItem struct {
	model.NetworkObject
	Shown []sharePost
	More  int // posts not listed
}

// netData is a network as the case page shows it.
type netData struct {
	Net   *model.Network
	Graph graph
	Items []shareItem
	// Links are the account pairs with most co-shares first, each with
	// the object types that tied them; LinksMore counts those not listed.
	Links     []netLink
	LinksMore int
}

// netLink is one account pair of a network and what tied it.
type netLink struct {
	A, B   string
	Weight int
	Types  []typeCount
}

// netLinks lists a network's edges, heaviest first, at most max of them.
func netLinks(n *model.Network, max int) ([]netLink, int) {
	edges := slices.Clone(n.Edges)
	slices.SortStableFunc(edges, func(x, y model.NetworkEdge) int { return cmp.Compare(y.Weight, x.Weight) })
	more := 0
	if len(edges) > max {
		more = len(edges) - max
		edges = edges[:max]
	}
	out := make([]netLink, len(edges))
	for i, e := range edges {
		out[i] = netLink{A: e.A, B: e.B, Weight: e.Weight, Types: edgeTypes(e)}
	}
	return out, more
}

// Limits on what the case page lists of a large network.
const (
	maxCaseNodes     = 120
	maxItemsListed   = 50
	maxLinksListed   = 50
	maxPostsPerItem  = 10
	maxPostsOnAPage  = 300
	maxOverviewNodes = 40
)

// loadNetwork reads a network case's network and the posts behind its
// shared items, each with its case when it has one.
func (h *Handler) loadNetwork(ctx context.Context, id int64) (*netData, error) {
	n, err := h.st.Network(ctx, id)
	if err != nil {
		return nil, err
	}
	height := 560
	if len(n.Accounts) <= 6 {
		height = 380 // a handful of accounts needs no tall picture
	}
	d := &netData{Net: n, Graph: drawNetwork(n, 900, height, maxCaseNodes, true)}
	d.Links, d.LinksMore = netLinks(n, maxLinksListed)
	members := make(map[string]bool, len(n.Accounts))
	for _, a := range n.Accounts {
		members[a] = true
	}
	var ids []int64
	budget := maxPostsOnAPage
	for i, o := range n.Objects {
		if i == maxItemsListed {
			break
		}
		it := shareItem{NetworkObject: o}
		k := min(len(o.Posts), maxPostsPerItem, budget)
		budget -= k
		for _, pid := range o.Posts[:k] {
			it.Shown = append(it.Shown, sharePost{ID: pid})
			ids = append(ids, pid)
		}
		it.More = len(o.Posts) - k
		d.Items = append(d.Items, it)
	}
	cases, err := h.st.CaseIDsByPost(ctx, ids)
	if err != nil {
		return nil, err
	}
	posts := map[int64]*model.Post{}
	for _, pid := range ids {
		if _, ok := posts[pid]; ok {
			continue
		}
		p, err := h.st.Post(ctx, pid)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		posts[pid] = p
	}
	for i := range d.Items {
		for j := range d.Items[i].Shown {
			sp := &d.Items[i].Shown[j]
			sp.CaseID = cases[sp.ID]
			if p := posts[sp.ID]; p != nil {
				sp.Post, sp.Account = p, p.Platform+":"+p.Author
				sp.Member = members[sp.Account]
			}
		}
	}
	return d, nil
}

// netRow is one network on the overview.
type netRow struct {
	Net    model.Network
	Graph  graph
	CaseID int64
}

type networksData struct {
	Rows []netRow
}

// networks lists the stored networks, highest score first, each with a
// small picture and a link to its case. The page shows account names and
// figures, not what was posted, so it is not audited as a read of raw
// content; the case page, which lists the shared items, is.
func (h *Handler) networks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ns, err := h.st.Networks(ctx, 100)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	cases, err := h.st.CaseIDsByNetwork(ctx, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var d networksData
	for i := range ns {
		d.Rows = append(d.Rows, netRow{Net: ns[i], Graph: drawNetwork(&ns[i], 240, 160, maxOverviewNodes, false), CaseID: cases[ns[i].ID]})
	}
	h.render(w, r, http.StatusOK, "networks", "networks", d, nil)
}
