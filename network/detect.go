package network

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Options are the coordination parameters. Zero values take the defaults.
type Options struct {
	// Window is the largest gap between two shares of one object that still
	// counts as a co-share (inclusive). Default 60 s, at most MaxWindow.
	Window time.Duration
	// MinParticipation is CooRTweet's min_participation: an account needs
	// this many shares of an object type to be paired at all, and a co-share
	// is kept when at least one of its two accounts has this many shares of
	// the type among the co-shares. Default 2. With Strict, it counts
	// distinct objects instead, and both accounts must reach it.
	MinParticipation int
	// KeepLoops keeps self-coordination: two shares of one object by one
	// account (or of one post) within the window. By default they are
	// removed, as CooRTweet's remove_loops does.
	KeepLoops bool
	// MinWeight drops edges with fewer co-shares after the participation
	// filter. Default 1 (keep every edge), as in CooRTweet.
	MinWeight int
	// Strict replaces CooRTweet's filter with marsad's stricter one: object
	// types are pooled, participation counts distinct objects, and an edge
	// needs both of its accounts to reach MinParticipation. See SEMANTICS.md.
	Strict bool
}

// Defaults for Options.
const (
	DefaultWindow           = 60 * time.Second
	DefaultMinParticipation = 2
	// MaxWindow bounds Window so that delays fit the millisecond counters.
	MaxWindow = 30 * 24 * time.Hour
)

// normalised fills in defaults and checks ranges.
func (o Options) normalised() (Options, error) {
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.MinParticipation == 0 {
		o.MinParticipation = DefaultMinParticipation
	}
	if o.MinWeight == 0 {
		o.MinWeight = 1
	}
	switch {
	case o.Window < 0 || o.Window > MaxWindow:
		return o, fmt.Errorf("window %s: want between 0 and %s", o.Window, MaxWindow)
	case o.MinParticipation < 0:
		return o, fmt.Errorf("min participation %d: want at least 1", o.MinParticipation)
	case o.MinWeight < 0:
		return o, fmt.Errorf("min weight %d: want at least 1", o.MinWeight)
	}
	return o, nil
}

// row is one distinct share, interned. Rows are never dropped: the
// participation filters count them when the graph is read.
type row struct {
	t    int64 // Unix nanoseconds
	obj  int32 // index into Detector.keys
	acct int32
	// content is the interned post; a share without a post is a content of
	// its own, numbered -1, -2, ... so that no two such shares are equal.
	content int32
	// self marks a share whose post id equals its object id (a tweet listed
	// as sharing itself); CooRTweet drops its pairs with the loops.
	self bool
}

// post is the post part of the identity of a share: its content, or -1
// when it has none.
func (r *row) post() int32 { return max(r.content, -1) }

// cmpRow orders the shares of one object: by time, account, post. No two
// held shares of one object compare equal (identical shares count once).
func cmpRow(x, y *row) int {
	if c := cmp.Compare(x.t, y.t); c != 0 {
		return c
	}
	if c := cmp.Compare(x.acct, y.acct); c != 0 {
		return c
	}
	return cmp.Compare(x.post(), y.post())
}

// pairRec is one co-share: two rows of one object within the window.
type pairRec struct{ x, y int32 }

// Detector accumulates shares and the co-shares they induce. Add new shares
// in windows as they arrive; Graph applies the participation filters and
// reads the network without pairing earlier shares again. A Detector is not
// safe for concurrent use.
type Detector struct {
	opts   Options
	window int64

	accounts interner
	posts    interner
	noPost   int32 // shares without a post so far

	keys    []Key
	keyIdx  map[Key]int32
	keyType []int32 // type index of each key
	types   interner

	rows     []row
	byObject [][]int32 // held row indexes of each object, sorted by cmpRow
	pairs    []pairRec
	// pending are shares added but not yet paired. Pairing waits until the
	// network is read, so that shares streamed in many small batches, in
	// any order, are sorted and paired once.
	pending []item

	horizon int64 // shares before this time are rejected
	hasHzn  bool
}

// interner numbers strings in order of first appearance.
type interner struct {
	idx   map[string]int32
	names []string
}

func (in *interner) id(s string) int32 {
	if i, ok := in.idx[s]; ok {
		return i
	}
	if in.idx == nil {
		in.idx = map[string]int32{}
	}
	i := int32(len(in.names))
	// Clone: s often points into a whole input line that would stay alive.
	s = strings.Clone(s)
	in.names = append(in.names, s)
	in.idx[s] = i
	return i
}

func (in *interner) lookup(s string) (int32, bool) {
	i, ok := in.idx[s]
	return i, ok
}

// NewDetector returns an empty Detector.
func NewDetector(opts Options) (*Detector, error) {
	o, err := opts.normalised()
	if err != nil {
		return nil, err
	}
	return &Detector{opts: o, window: int64(o.Window), keyIdx: map[Key]int32{}}, nil
}

// Options returns the detector's options with defaults filled in.
func (d *Detector) Options() Options { return d.opts }

// ErrBeforeHorizon is returned by Add for a share older than the horizon set
// by Forget: its partners may have been forgotten.
var ErrBeforeHorizon = errors.New("share is before the forgotten horizon")

// item is a share being added, interned, before de-duplication.
type item struct {
	t    int64
	obj  int32
	acct int32
	post int32 // -1 for none
}

// Add adds shares; they are paired with every held share of the same object
// within the window. Identical shares (same account, object, type, time and
// post) count once, whether they arrive together or in different calls. On
// error nothing is added.
func (d *Detector) Add(shares []Share) error {
	for i, s := range shares {
		if err := s.validate(); err != nil {
			return fmt.Errorf("share %d: %w", i, err)
		}
		if d.hasHzn && s.Time.UnixNano() < d.horizon {
			return fmt.Errorf("share %d at %s: %w %s", i, s.Time.UTC().Format(time.RFC3339), ErrBeforeHorizon, time.Unix(0, d.horizon).UTC().Format(time.RFC3339))
		}
	}
	for _, s := range shares {
		it := item{t: s.Time.UnixNano(), obj: d.key(Key{s.ObjectType, s.Object}), acct: d.accounts.id(s.Account), post: -1}
		if s.Post != "" || s.HasPost {
			it.post = d.posts.id(s.Post)
		}
		d.pending = append(d.pending, it)
	}
	return nil
}

// flush pairs the pending shares.
func (d *Detector) flush() {
	if len(d.pending) == 0 {
		return
	}
	items := d.pending
	d.pending = nil
	d.rows = slices.Grow(d.rows, len(items))
	slices.SortFunc(items, func(x, y item) int {
		if c := cmp.Compare(x.obj, y.obj); c != 0 {
			return c
		}
		if c := cmp.Compare(x.t, y.t); c != 0 {
			return c
		}
		if c := cmp.Compare(x.acct, y.acct); c != 0 {
			return c
		}
		return cmp.Compare(x.post, y.post)
	})
	var run []int32
	for i := 0; i < len(items); {
		o := items[i].obj
		run = run[:0]
		held := d.byObject[o]
		for ; i < len(items) && items[i].obj == o; i++ {
			it := items[i]
			r := row{t: it.t, obj: o, acct: it.acct, content: it.post}
			if len(run) > 0 {
				if last := &d.rows[run[len(run)-1]]; last.t == r.t && last.acct == r.acct && last.post() == r.post() {
					continue
				}
			}
			if _, dup := slices.BinarySearchFunc(held, &r, func(j int32, r *row) int { return cmpRow(&d.rows[j], r) }); dup {
				continue
			}
			if it.post < 0 {
				d.noPost++
				r.content = -d.noPost
			} else {
				r.self = d.posts.names[it.post] == d.keys[o].Object
			}
			run = append(run, int32(len(d.rows)))
			d.rows = append(d.rows, r)
		}
		d.pairRun(o, held, run)
	}
}

// pairRun pairs the new rows run (sorted) of object o with the held rows
// and with each other, then merges run into the held rows.
func (d *Detector) pairRun(o int32, held, run []int32) {
	if len(run) == 0 {
		return
	}
	w := d.window
	rows := d.rows
	for i, x := range run {
		t := rows[x].t
		lo, _ := slices.BinarySearchFunc(held, t-w, func(j int32, t int64) int { return cmp.Compare(rows[j].t, t) })
		for _, y := range held[lo:] {
			if rows[y].t > t+w {
				break
			}
			d.pair(x, y)
		}
		for _, y := range run[i+1:] {
			if rows[y].t-t > w {
				break
			}
			d.pair(x, y)
		}
	}
	switch {
	case len(held) == 0:
		d.byObject[o] = slices.Clone(run)
	case cmpRow(&rows[held[len(held)-1]], &rows[run[0]]) < 0:
		d.byObject[o] = append(held, run...)
	default:
		merged := make([]int32, 0, len(held)+len(run))
		i, j := 0, 0
		for i < len(held) && j < len(run) {
			if cmpRow(&rows[held[i]], &rows[run[j]]) <= 0 {
				merged = append(merged, held[i])
				i++
			} else {
				merged = append(merged, run[j])
				j++
			}
		}
		merged = append(merged, held[i:]...)
		d.byObject[o] = append(merged, run[j:]...)
	}
}

// pair records the co-share of rows x and y unless it is a loop that the
// options remove. CooRTweet's do_remove_loops (R/detect_groups.R:196-207)
// drops a pair whose object equals either post id, whose two post ids are
// equal, or whose two accounts are equal.
func (d *Detector) pair(x, y int32) {
	if !d.opts.KeepLoops {
		rx, ry := &d.rows[x], &d.rows[y]
		if rx.self || ry.self || rx.content == ry.content || rx.acct == ry.acct {
			return
		}
	}
	d.pairs = append(d.pairs, pairRec{x, y})
}

func (d *Detector) key(k Key) int32 {
	if i, ok := d.keyIdx[k]; ok {
		return i
	}
	i := int32(len(d.keys))
	k.Object = strings.Clone(k.Object)
	d.keys = append(d.keys, k)
	d.keyIdx[k] = i
	d.keyType = append(d.keyType, d.types.id(k.Type))
	d.byObject = append(d.byObject, nil)
	return i
}

// Forget drops held shares that no share at or after before can pair with,
// and from then on rejects shares older than before. The graph keeps every
// co-share already counted and the participation counts; only Timeline loses
// the forgotten shares. Use it to bound memory when shares arrive in time
// order: what stays is a few words per share and per co-share.
func (d *Detector) Forget(before time.Time) {
	d.flush()
	t := before.UnixNano()
	if d.hasHzn && t <= d.horizon {
		return
	}
	d.horizon, d.hasHzn = t, true
	cut := t - d.window
	for o, held := range d.byObject {
		n, _ := slices.BinarySearchFunc(held, cut, func(j int32, t int64) int { return cmp.Compare(d.rows[j].t, t) })
		if n > 0 {
			d.byObject[o] = slices.Clone(held[n:])
		}
	}
}

// Graph is the coordinated network at one moment.
type Graph struct {
	// Options are the parameters the graph was built with.
	Options Options
	// Shares is how many distinct shares were added.
	Shares int
	// Accounts are the accounts with at least one edge, sorted by ID.
	Accounts []Account
	// Edges are sorted by A then B.
	Edges []Edge
	// Types counts the graph's co-shares by object type, sorted by type.
	Types []TypeCount
}

// TypeCount is a number of co-shares of one object type.
type TypeCount struct {
	Type     string `json:"type"`
	CoShares int    `json:"coshares"`
}

// Account is one account of the graph.
type Account struct {
	ID string
	// Shares is how many distinct shares of the account were added.
	Shares int
	// Objects is how many distinct objects the account co-shared along its
	// edges in the graph. With Options.Strict it is the account's
	// participation instead: distinct objects it co-shared with accounts that
	// have MinParticipation shares or more, whether or not the edge was kept.
	Objects int
	// CoShares is the sum of the weights of its edges (a loop counts once).
	CoShares int
}

// Edge links two accounts that co-shared. A == B is a self-coordination loop,
// present only with Options.KeepLoops.
type Edge struct {
	A, B string
	// Weight is the number of co-shares: pairs of shares of one object, one
	// by each account, within the window (CooRTweet's edge weight).
	Weight int
	// Objects are the distinct objects co-shared, sorted.
	Objects []Key
	// MedianDelay is the median gap between the two shares of a co-share.
	MedianDelay time.Duration
	// MeanDelay is the mean gap (CooRTweet's avg_time_delta).
	MeanDelay time.Duration
	// Types splits Weight by object type: which kinds of content tied the
	// two accounts. Sorted by type.
	Types []TypeCount

	ai, bi int      // indexes into Graph.Accounts
	delays []uint32 // milliseconds, sorted
}

// kept is a co-share that passed the filters, ready for aggregation.
type kept struct {
	ab    uint64 // account a<<32 | b, a <= b
	obj   int32
	delay uint32 // milliseconds
}

// Graph applies the participation and weight filters to the co-shares held
// and returns the network. It does not change the detector.
func (d *Detector) Graph() *Graph {
	d.flush()
	nAcct := len(d.accounts.names)
	shares := make([]int32, nAcct)
	for i := range d.rows {
		shares[d.rows[i].acct]++
	}
	ps, participation := d.filtered(shares)
	ks := make([]kept, len(ps))
	for i, p := range ps {
		ks[i] = d.keep(p)
	}
	g := &Graph{Options: d.opts, Shares: len(d.rows)}
	d.aggregate(g, ks, shares, participation)
	return g
}

// filtered returns the co-shares that pass the participation filters and,
// with Strict, the participation per account. shares counts the rows per
// account.
func (d *Detector) filtered(shares []int32) ([]pairRec, []int32) {
	if d.opts.Strict {
		return d.strictPairs(shares)
	}
	return d.coortweetPairs(), nil
}

// CoShare is one co-share of the graph: two shares of one object within the
// window, as a row of CooRTweet's detect_groups result.
type CoShare struct {
	Object Key
	// A is the earlier share (for equal times, the one of the smaller
	// account, then post), B the later.
	A, B Share
}

// CoShares returns the co-shares behind the edges of Graph, ordered by
// object, then by A's and B's time, account and post.
func (d *Detector) CoShares() []CoShare {
	d.flush()
	nAcct := len(d.accounts.names)
	shares := make([]int32, nAcct)
	for i := range d.rows {
		shares[d.rows[i].acct]++
	}
	ps, _ := d.filtered(shares)
	if minW := d.opts.MinWeight; minW > 1 {
		weight := map[uint64]int{}
		for _, p := range ps {
			weight[d.keep(p).ab]++
		}
		ps = slices.DeleteFunc(ps, func(p pairRec) bool { return weight[d.keep(p).ab] < minW })
	}
	out := make([]CoShare, len(ps))
	for i, p := range ps {
		k := d.keys[d.rows[p.x].obj]
		a, b := d.share(&d.rows[p.x], k), d.share(&d.rows[p.y], k)
		if cmpShareOut(a, b) > 0 {
			a, b = b, a
		}
		out[i] = CoShare{Object: k, A: a, B: b}
	}
	slices.SortFunc(out, func(x, y CoShare) int {
		if c := cmpKey(x.Object, y.Object); c != 0 {
			return c
		}
		if c := cmpShareOut(x.A, y.A); c != 0 {
			return c
		}
		return cmpShareOut(x.B, y.B)
	})
	return out
}

func cmpShareOut(x, y Share) int {
	if c := x.Time.Compare(y.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Account, y.Account); c != 0 {
		return c
	}
	return cmp.Compare(x.Post, y.Post)
}

// share returns row r of object k as a Share.
func (d *Detector) share(r *row, k Key) Share {
	s := Share{Account: d.accounts.names[r.acct], Object: k.Object, ObjectType: k.Type, Time: time.Unix(0, r.t).UTC()}
	if r.content >= 0 {
		s.Post = d.posts.names[r.content]
		s.HasPost = s.Post == ""
	}
	return s
}

// keep turns the pair p into a kept co-share.
func (d *Detector) keep(p pairRec) kept {
	rx, ry := &d.rows[p.x], &d.rows[p.y]
	a, b := rx.acct, ry.acct
	if a > b {
		a, b = b, a
	}
	dt := rx.t - ry.t
	if dt < 0 {
		dt = -dt
	}
	return kept{uint64(a)<<32 | uint64(b), rx.obj, uint32(dt / int64(time.Millisecond))}
}

// contentIndex maps a row's content to a dense index: posts first, then
// shares without a post.
func (d *Detector) contentIndex(c int32) int32 {
	if c >= 0 {
		return c
	}
	return int32(len(d.posts.names)) - c - 1
}

// coortweetPairs applies CooRTweet's filters, object type by object type,
// and returns the co-shares that pass, all types together. It follows
// R/detect_groups.R; SEMANTICS.md cites the lines.
func (d *Detector) coortweetPairs() []pairRec {
	minP := int32(d.opts.MinParticipation)
	nTypes := len(d.types.names)
	nAcct := len(d.accounts.names)
	// Rows and pairs by object type (a counting sort on the type index).
	rowsByType := groupBy(len(d.rows), nTypes, func(i int) int32 { return d.keyType[d.rows[i].obj] })
	pairsByType := groupBy(len(d.pairs), nTypes, func(i int) int32 { return d.keyType[d.rows[d.pairs[i].x].obj] })

	count := make([]int32, nAcct)  // rows of the type, per account
	active := make([]int32, nAcct) // rows among the co-shares, per account
	nContent := len(d.posts.names) + int(d.noPost)
	inPairs := make([]int32, nContent) // stamp: content appears in a co-share of the type
	passed := make([]int32, nContent)  // stamp: content of an account that passes
	var out []pairRec
	for ty := range nTypes {
		stamp := int32(ty + 1)
		rows, pairs := rowsByType[ty], pairsByType[ty]
		// Pre-filter (detect_groups.R:134): accounts with fewer than minP
		// rows of this type take no part.
		for _, r := range rows {
			count[d.rows[r].acct]++
		}
		in := func(r int32) bool { return count[d.rows[r].acct] >= minP }
		// The contents of the co-shares (detect_groups.R:227-232).
		for _, pi := range pairs {
			if p := d.pairs[pi]; in(p.x) && in(p.y) {
				inPairs[d.contentIndex(d.rows[p.x].content)] = stamp
				inPairs[d.contentIndex(d.rows[p.y].content)] = stamp
			}
		}
		// Rows whose content is among them, counted per account; the
		// contents of accounts with minP such rows pass (:238-241).
		for _, r := range rows {
			if in(r) && inPairs[d.contentIndex(d.rows[r].content)] == stamp {
				active[d.rows[r].acct]++
			}
		}
		for _, r := range rows {
			c := d.contentIndex(d.rows[r].content)
			if in(r) && inPairs[c] == stamp && active[d.rows[r].acct] >= minP {
				passed[c] = stamp
			}
		}
		// A co-share stays when either content passed (:244).
		for _, pi := range pairs {
			if p := d.pairs[pi]; in(p.x) && in(p.y) && (passed[d.contentIndex(d.rows[p.x].content)] == stamp || passed[d.contentIndex(d.rows[p.y].content)] == stamp) {
				out = append(out, p)
			}
		}
		for _, r := range rows {
			count[d.rows[r].acct] = 0
			active[d.rows[r].acct] = 0
		}
	}
	return out
}

// groupBy returns the indexes 0..n-1 grouped by class (0..k-1), each group
// in increasing order.
func groupBy(n, k int, class func(int) int32) [][]int32 {
	sizes := make([]int, k)
	cls := make([]int32, n)
	for i := range n {
		cls[i] = class(i)
		sizes[cls[i]]++
	}
	flat := make([]int32, n)
	out := make([][]int32, k)
	off := 0
	for c, s := range sizes {
		out[c] = flat[off : off : off+s]
		off += s
	}
	for i := range n {
		out[cls[i]] = append(out[cls[i]], int32(i))
	}
	return out
}

// strictPairs applies marsad's stricter filter, object types pooled: an
// account takes part with MinParticipation distinct shares; its
// participation is the distinct objects it co-shared with accounts that
// take part; an edge needs both ends to reach MinParticipation. It returns
// the co-shares that pass and the participation per account.
func (d *Detector) strictPairs(shares []int32) ([]pairRec, []int32) {
	minP := int32(d.opts.MinParticipation)
	in := func(p pairRec) bool {
		return shares[d.rows[p.x].acct] >= minP && shares[d.rows[p.y].acct] >= minP
	}
	// Distinct (account, object) over the co-shares of accounts that take
	// part, by sorting.
	var ao []uint64
	for _, p := range d.pairs {
		if !in(p) {
			continue
		}
		rx, ry := &d.rows[p.x], &d.rows[p.y]
		ao = append(ao, uint64(rx.acct)<<32|uint64(rx.obj), uint64(ry.acct)<<32|uint64(rx.obj))
	}
	slices.Sort(ao)
	ao = slices.Compact(ao)
	part := make([]int32, len(shares))
	for _, v := range ao {
		part[v>>32]++
	}
	var out []pairRec
	for _, p := range d.pairs {
		if in(p) && part[d.rows[p.x].acct] >= minP && part[d.rows[p.y].acct] >= minP {
			out = append(out, p)
		}
	}
	return out, part
}

// aggregate builds g's edges and accounts from the kept co-shares: one
// undirected edge per account pair, weighted by its co-shares
// (R/generate_coordinated_network.R:154-162).
func (d *Detector) aggregate(g *Graph, ks []kept, shares, participation []int32) {
	names := d.accounts.names
	// Number the accounts of the co-shares in ID order, so that sorting the
	// co-shares by account pair also sorts the edges.
	rank := make([]int32, len(names))
	for _, k := range ks {
		rank[k.ab>>32], rank[uint32(k.ab)] = 1, 1
	}
	var ids []int32
	for a, r := range rank {
		if r != 0 {
			ids = append(ids, int32(a))
		}
	}
	slices.SortFunc(ids, func(x, y int32) int { return strings.Compare(names[x], names[y]) })
	for i, a := range ids {
		rank[a] = int32(i)
	}
	for i := range ks {
		a, b := rank[ks[i].ab>>32], rank[uint32(ks[i].ab)]
		if a > b {
			a, b = b, a
		}
		ks[i].ab = uint64(a)<<32 | uint64(b)
	}
	slices.SortFunc(ks, func(x, y kept) int {
		if c := cmp.Compare(x.ab, y.ab); c != 0 {
			return c
		}
		if c := cmp.Compare(x.obj, y.obj); c != 0 {
			return c
		}
		return cmp.Compare(x.delay, y.delay)
	})
	// Edges of at least MinWeight co-shares, as spans of ks; their ends.
	minW := d.opts.MinWeight
	var edges [][2]int
	pos := make([]int32, len(ids)) // rank -> position in g.Accounts + 1
	for lo := 0; lo < len(ks); {
		hi := lo + 1
		for hi < len(ks) && ks[hi].ab == ks[lo].ab {
			hi++
		}
		if hi-lo >= minW {
			edges = append(edges, [2]int{lo, hi})
			pos[ks[lo].ab>>32], pos[uint32(ks[lo].ab)] = 1, 1
		}
		lo = hi
	}
	n := 0
	for r, p := range pos {
		if p != 0 {
			n++
			pos[r] = int32(n)
		}
	}
	g.Accounts = make([]Account, 0, n)
	for r, p := range pos {
		if p == 0 {
			continue
		}
		a := ids[r]
		acc := Account{ID: names[a], Shares: int(shares[a])}
		if participation != nil {
			acc.Objects = int(participation[a])
		}
		g.Accounts = append(g.Accounts, acc)
	}
	typeTotal := make([]int, len(d.types.names))
	typeCount := make([]int, len(d.types.names))
	g.Edges = make([]Edge, len(edges))
	for i, sp := range edges {
		run := ks[sp[0]:sp[1]]
		ai, bi := int(pos[run[0].ab>>32]-1), int(pos[uint32(run[0].ab)]-1)
		e := &g.Edges[i]
		*e = Edge{A: g.Accounts[ai].ID, B: g.Accounts[bi].ID, Weight: len(run), ai: ai, bi: bi, delays: make([]uint32, len(run))}
		var sum uint64
		var touched []int32
		for j, k := range run {
			e.delays[j] = k.delay
			sum += uint64(k.delay)
			if j == 0 || k.obj != run[j-1].obj {
				e.Objects = append(e.Objects, d.keys[k.obj])
			}
			ty := d.keyType[k.obj]
			if typeCount[ty] == 0 {
				touched = append(touched, ty)
			}
			typeCount[ty]++
		}
		e.Types = make([]TypeCount, 0, len(touched))
		for _, ty := range touched {
			e.Types = append(e.Types, TypeCount{d.types.names[ty], typeCount[ty]})
			typeTotal[ty] += typeCount[ty]
			typeCount[ty] = 0
		}
		if len(e.Types) > 1 {
			slices.SortFunc(e.Types, func(x, y TypeCount) int { return strings.Compare(x.Type, y.Type) })
		}
		if len(e.Objects) > 1 {
			slices.SortFunc(e.Objects, cmpKey)
		}
		slices.Sort(e.delays)
		e.MedianDelay = medianMillis(e.delays)
		e.MeanDelay = time.Duration(float64(sum) / float64(len(run)) * float64(time.Millisecond))
		g.Accounts[ai].CoShares += e.Weight
		if bi != ai {
			g.Accounts[bi].CoShares += e.Weight
		}
	}
	if participation == nil {
		// Distinct objects per account along its edges.
		var ao []uint64
		for _, sp := range edges {
			for j := sp[0]; j < sp[1]; j++ {
				k := ks[j]
				if j > sp[0] && k.obj == ks[j-1].obj {
					continue
				}
				a, b := uint64(pos[k.ab>>32]-1), uint64(pos[uint32(k.ab)]-1)
				ao = append(ao, a<<32|uint64(uint32(k.obj)), b<<32|uint64(uint32(k.obj)))
			}
		}
		slices.Sort(ao)
		ao = slices.Compact(ao)
		for _, v := range ao {
			g.Accounts[v>>32].Objects++
		}
	}
	for ty, n := range typeTotal {
		if n > 0 {
			g.Types = append(g.Types, TypeCount{d.types.names[ty], n})
		}
	}
	slices.SortFunc(g.Types, func(x, y TypeCount) int { return strings.Compare(x.Type, y.Type) })
}

func cmpKey(x, y Key) int {
	if c := cmp.Compare(x.Type, y.Type); c != 0 {
		return c
	}
	return cmp.Compare(x.Object, y.Object)
}

// medianMillis returns the median of sorted millisecond delays; for an even
// count, the mean of the two middle values.
func medianMillis(sorted []uint32) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	ms := float64(sorted[n/2])
	if n%2 == 0 {
		ms = (float64(sorted[n/2-1]) + float64(sorted[n/2])) / 2
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// Timeline returns the held shares of the given accounts on the given
// objects, in time order. A case shows it as the network's timeline.
func (d *Detector) Timeline(accounts []string, objects []Key) []Share {
	d.flush()
	want := make(map[int32]bool, len(accounts))
	for _, a := range accounts {
		if i, ok := d.accounts.lookup(a); ok {
			want[i] = true
		}
	}
	var out []Share
	for _, k := range objects {
		o, ok := d.keyIdx[k]
		if !ok {
			continue
		}
		for _, j := range d.byObject[o] {
			r := &d.rows[j]
			if !want[r.acct] {
				continue
			}
			out = append(out, d.share(r, k))
		}
	}
	slices.SortStableFunc(out, func(x, y Share) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return cmp.Compare(x.Account, y.Account)
	})
	return out
}

// Detect is the batch form: it adds all shares to a new Detector and returns
// it with its graph. Reading posts from a store ends here too.
func Detect(shares []Share, opts Options) (*Detector, *Graph, error) {
	d, err := NewDetector(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := d.Add(shares); err != nil {
		return nil, nil, err
	}
	return d, d.Graph(), nil
}
