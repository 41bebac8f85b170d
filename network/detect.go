package network

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Options are the coordination parameters. Zero values take the defaults.
type Options struct {
	// Window is the largest gap between two shares of one object that still
	// counts as a co-share (inclusive). Default 60 s, at most MaxWindow.
	Window time.Duration
	// MinParticipation is how many distinct objects an account must co-share
	// before it is kept (CooRTweet's min_participation). Default 2.
	MinParticipation int
	// KeepLoops keeps self-coordination: two shares of one object by one
	// account within the window. By default they are removed.
	KeepLoops bool
	// MinWeight drops edges with fewer co-shares after the participation
	// filter. Default 1 (keep every edge), as in CooRTweet.
	MinWeight int
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

// share is a Share with interned fields.
type share struct {
	t    int64 // Unix nanoseconds
	acct int32
	post int32 // -1 when the Share has no Post
}

func cmpShare(x, y share) int {
	if c := cmp.Compare(x.t, y.t); c != 0 {
		return c
	}
	if c := cmp.Compare(x.acct, y.acct); c != 0 {
		return c
	}
	return cmp.Compare(x.post, y.post)
}

// edge accumulates the co-shares of one unordered account pair.
type edge struct {
	a, b    int32 // a <= b
	last    int32 // last object added to objects, a fast path for the set
	weight  int
	objects []int32
	delays  []uint32 // milliseconds, one per co-share
}

// Detector accumulates shares and the co-share graph they induce. Add new
// shares in windows as they arrive; Graph reads the current network without
// recomputing earlier pairs. A Detector is not safe for concurrent use.
type Detector struct {
	opts   Options
	window int64

	accounts   []string
	accountIdx map[string]int32
	acctShares []int // distinct shares per account

	posts   []string
	postIdx map[string]int32

	keys     []Key
	keyIdx   map[Key]int32
	byObject [][]share // sorted by cmpShare

	edges   []edge
	edgeIdx map[uint64]int32
	edgeObj map[uint64]struct{} // edge<<32 | object

	shares  int   // distinct shares held or forgotten
	horizon int64 // shares before this time are rejected
	hasHzn  bool
}

// NewDetector returns an empty Detector.
func NewDetector(opts Options) (*Detector, error) {
	o, err := opts.normalised()
	if err != nil {
		return nil, err
	}
	return &Detector{
		opts:       o,
		window:     int64(o.Window),
		accountIdx: map[string]int32{},
		postIdx:    map[string]int32{},
		keyIdx:     map[Key]int32{},
		edgeIdx:    map[uint64]int32{},
		edgeObj:    map[uint64]struct{}{},
	}, nil
}

// Options returns the detector's options with defaults filled in.
func (d *Detector) Options() Options { return d.opts }

// ErrBeforeHorizon is returned by Add for a share older than the horizon set
// by Forget: its partners may have been forgotten.
var ErrBeforeHorizon = errors.New("share is before the forgotten horizon")

// Add adds shares and pairs them with every held share of the same object
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
	type item struct {
		obj int32
		share
	}
	items := make([]item, len(shares))
	for i, s := range shares {
		items[i] = item{d.key(Key{s.ObjectType, s.Object}), share{s.Time.UnixNano(), d.account(s.Account), d.post(s.Post)}}
	}
	slices.SortFunc(items, func(x, y item) int {
		if c := cmp.Compare(x.obj, y.obj); c != 0 {
			return c
		}
		return cmpShare(x.share, y.share)
	})
	var run []share
	for i := 0; i < len(items); {
		o := items[i].obj
		run = run[:0]
		old := d.byObject[o]
		for ; i < len(items) && items[i].obj == o; i++ {
			s := items[i].share
			if len(run) > 0 && run[len(run)-1] == s {
				continue
			}
			if _, dup := slices.BinarySearchFunc(old, s, cmpShare); dup {
				continue
			}
			run = append(run, s)
		}
		d.addRun(o, old, run)
	}
	return nil
}

// addRun pairs the new sorted shares run of object o with the held shares old
// and with each other, then merges run into the held shares.
func (d *Detector) addRun(o int32, old, run []share) {
	if len(run) == 0 {
		return
	}
	w := d.window
	for i, s := range run {
		lo, _ := slices.BinarySearchFunc(old, s.t-w, func(x share, t int64) int { return cmp.Compare(x.t, t) })
		for j := lo; j < len(old) && old[j].t <= s.t+w; j++ {
			d.pair(o, s, old[j])
		}
		for j := i + 1; j < len(run) && run[j].t-s.t <= w; j++ {
			d.pair(o, s, run[j])
		}
		d.acctShares[s.acct]++
	}
	d.shares += len(run)
	switch {
	case len(old) == 0:
		d.byObject[o] = slices.Clone(run)
	case cmpShare(old[len(old)-1], run[0]) < 0:
		d.byObject[o] = append(old, run...)
	default:
		merged := make([]share, 0, len(old)+len(run))
		i, j := 0, 0
		for i < len(old) && j < len(run) {
			if cmpShare(old[i], run[j]) <= 0 {
				merged = append(merged, old[i])
				i++
			} else {
				merged = append(merged, run[j])
				j++
			}
		}
		merged = append(merged, old[i:]...)
		d.byObject[o] = append(merged, run[j:]...)
	}
}

// pair records one co-share of object o by the shares x and y.
func (d *Detector) pair(o int32, x, y share) {
	a, b := x.acct, y.acct
	if a == b && !d.opts.KeepLoops {
		return
	}
	if a > b {
		a, b = b, a
	}
	k := uint64(a)<<32 | uint64(b)
	ei, ok := d.edgeIdx[k]
	if !ok {
		ei = int32(len(d.edges))
		d.edges = append(d.edges, edge{a: a, b: b, last: -1})
		d.edgeIdx[k] = ei
	}
	e := &d.edges[ei]
	e.weight++
	dt := x.t - y.t
	if dt < 0 {
		dt = -dt
	}
	e.delays = append(e.delays, uint32(dt/int64(time.Millisecond)))
	if e.last != o {
		e.last = o
		ek := uint64(ei)<<32 | uint64(o)
		if _, seen := d.edgeObj[ek]; !seen {
			d.edgeObj[ek] = struct{}{}
			e.objects = append(e.objects, o)
		}
	}
}

func (d *Detector) account(id string) int32 {
	if i, ok := d.accountIdx[id]; ok {
		return i
	}
	i := int32(len(d.accounts))
	d.accounts = append(d.accounts, id)
	d.accountIdx[id] = i
	d.acctShares = append(d.acctShares, 0)
	return i
}

func (d *Detector) post(id string) int32 {
	if id == "" {
		return -1
	}
	if i, ok := d.postIdx[id]; ok {
		return i
	}
	i := int32(len(d.posts))
	d.posts = append(d.posts, id)
	d.postIdx[id] = i
	return i
}

func (d *Detector) key(k Key) int32 {
	if i, ok := d.keyIdx[k]; ok {
		return i
	}
	i := int32(len(d.keys))
	d.keys = append(d.keys, k)
	d.keyIdx[k] = i
	d.byObject = append(d.byObject, nil)
	return i
}

// Forget drops held shares that no share at or after before can pair with,
// and from then on rejects shares older than before. The graph keeps every
// co-share already counted; only Timeline loses the forgotten shares. Use it
// to bound memory when shares arrive in time order.
func (d *Detector) Forget(before time.Time) {
	t := before.UnixNano()
	if d.hasHzn && t <= d.horizon {
		return
	}
	d.horizon, d.hasHzn = t, true
	cut := t - d.window
	for o, held := range d.byObject {
		n, _ := slices.BinarySearchFunc(held, cut, func(x share, t int64) int { return cmp.Compare(x.t, t) })
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
}

// Account is one account of the graph.
type Account struct {
	ID string
	// Shares is how many distinct shares of the account were added.
	Shares int
	// Objects is the account's participation: how many distinct objects it
	// co-shared with accounts that have MinParticipation shares or more.
	Objects int
	// CoShares is the sum of the weights of its edges (a loop counts once).
	CoShares int
}

// Edge links two accounts that co-shared. A == B is a self-coordination loop,
// present only with Options.KeepLoops.
type Edge struct {
	A, B string
	// Weight is the number of co-shares: pairs of shares of one object, one
	// by each account, within the window.
	Weight int
	// Objects are the distinct objects co-shared, sorted.
	Objects []Key
	// MedianDelay is the median gap between the two shares of a co-share.
	MedianDelay time.Duration

	ai, bi int      // indexes into Graph.Accounts
	delays []uint32 // milliseconds
}

// Graph applies the participation and weight filters to the co-shares held
// and returns the network. It does not change the detector.
func (d *Detector) Graph() *Graph {
	minP, minW := d.opts.MinParticipation, d.opts.MinWeight
	// Participation: the distinct objects each account co-shared with an
	// account that, like itself, has at least minP shares.
	objects := make([]int, len(d.accounts))
	counted := map[uint64]struct{}{}
	count := func(a, o int32) {
		k := uint64(a)<<32 | uint64(o)
		if _, seen := counted[k]; !seen {
			counted[k] = struct{}{}
			objects[a]++
		}
	}
	for i := range d.edges {
		e := &d.edges[i]
		if d.acctShares[e.a] < minP || d.acctShares[e.b] < minP {
			continue
		}
		for _, o := range e.objects {
			count(e.a, o)
			if e.b != e.a {
				count(e.b, o)
			}
		}
	}
	keep := make([]bool, len(d.accounts))
	var kept []int32
	for i := range d.edges {
		e := &d.edges[i]
		if e.weight < minW || objects[e.a] < minP || objects[e.b] < minP {
			continue
		}
		kept = append(kept, int32(i))
		keep[e.a], keep[e.b] = true, true
	}
	var ids []int32
	for a, k := range keep {
		if k {
			ids = append(ids, int32(a))
		}
	}
	sort.Slice(ids, func(i, j int) bool { return d.accounts[ids[i]] < d.accounts[ids[j]] })
	pos := make(map[int32]int, len(ids))
	g := &Graph{Options: d.opts, Shares: d.shares, Accounts: make([]Account, len(ids)), Edges: make([]Edge, 0, len(kept))}
	for p, a := range ids {
		pos[a] = p
		g.Accounts[p] = Account{ID: d.accounts[a], Shares: d.acctShares[a], Objects: objects[a]}
	}
	for _, ei := range kept {
		e := &d.edges[ei]
		ai, bi := pos[e.a], pos[e.b]
		if ai > bi {
			ai, bi = bi, ai
		}
		objs := make([]Key, len(e.objects))
		for i, o := range e.objects {
			objs[i] = d.keys[o]
		}
		slices.SortFunc(objs, cmpKey)
		delays := slices.Clone(e.delays)
		slices.Sort(delays)
		g.Edges = append(g.Edges, Edge{
			A: g.Accounts[ai].ID, B: g.Accounts[bi].ID, Weight: e.weight, Objects: objs,
			MedianDelay: medianMillis(delays), ai: ai, bi: bi, delays: delays,
		})
		g.Accounts[ai].CoShares += e.weight
		if bi != ai {
			g.Accounts[bi].CoShares += e.weight
		}
	}
	slices.SortFunc(g.Edges, func(x, y Edge) int {
		if c := cmp.Compare(x.ai, y.ai); c != 0 {
			return c
		}
		return cmp.Compare(x.bi, y.bi)
	})
	return g
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
	want := make(map[int32]bool, len(accounts))
	for _, a := range accounts {
		if i, ok := d.accountIdx[a]; ok {
			want[i] = true
		}
	}
	var out []Share
	for _, k := range objects {
		o, ok := d.keyIdx[k]
		if !ok {
			continue
		}
		for _, s := range d.byObject[o] {
			if !want[s.acct] {
				continue
			}
			sh := Share{Account: d.accounts[s.acct], Object: k.Object, ObjectType: k.Type, Time: time.Unix(0, s.t).UTC()}
			if s.post >= 0 {
				sh.Post = d.posts[s.post]
			}
			out = append(out, sh)
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
