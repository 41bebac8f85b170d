package mih

import (
	"math/bits"
	"slices"
	"sync"
)

// Index is a multi-index hash table over 256-bit hashes. Hashes are added
// and removed in place; queries see every change made before they start.
//
// Locking: any number of queries (Radius, Nearest, Len, Stats) run at once
// under a shared read lock. Writers (Add, Remove, Grow, Compact) are
// serialised by a mutex of their own and take the write lock only for the
// short moment they change what queries read. The expensive parts of a
// write, growing the arrays and rebuilding the posting tables, run outside
// the write lock, so queries keep going while they happen (only other
// writers wait).
type Index struct {
	wmu sync.Mutex   // serialises writers
	mu  sync.RWMutex // readers share it; writers hold it while changing shared state

	// Slot s holds hashes[s] added under ids[s]; bit s of dead is set when
	// the slot was removed. Slots are never reused until a merge renumbers them.
	hashes []Hash
	ids    []uint64
	dead   []uint64
	nDead  int

	table      idTable   // id -> slot of live entries; only writers touch it
	tableBytes int64     // memory of table, kept under mu for Stats
	base       *postings // slots [0, base.n)
	delta      delta     // slots [base.n, len(hashes))

	tune tuning
}

// tuning holds the thresholds that pick between the index and a scan. Tests
// change them to drive every path on small sets.
type tuning struct {
	// mergeMin is the smallest delta folded into the posting tables.
	mergeMin int
	// linearAbove is the largest radius answered through the posting
	// tables; larger radii scan every slot.
	linearAbove int
	// nearestLevels is the largest per-chunk radius Nearest searches through
	// the posting tables before it falls back to a scan.
	nearestLevels int
	// smallLinear: indexes with fewer slots than this are always scanned.
	smallLinear int
}

// defaultTuning: the posting tables win up to radius 47 (at most 2 bits per
// chunk, 137 of 65536 chunk values per chunk); at 48 and beyond, a query
// visits 4% or more of all hashes in random order and a sequential scan of
// every hash is faster. See BenchmarkRadiusByDistance.
var defaultTuning = tuning{mergeMin: 4096, linearAbove: 47, nearestLevels: 2, smallLinear: 256}

// New returns an empty index.
func New() *Index {
	return &Index{base: buildPostings(nil), table: newIDTable(0), tune: defaultTuning}
}

// Len returns the number of hashes in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.hashes) - ix.nDead
}

// Stats describes the state of an index.
type Stats struct {
	Len     int   // hashes in the index
	Removed int   // removed hashes whose slots are reclaimed at the next merge
	Pending int   // hashes added since the last merge, filed in the delta
	Bytes   int64 // memory held by the index's arrays, tables and delta
}

// Stats returns the index's size and memory use.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := int64(cap(ix.hashes))*32 + int64(cap(ix.ids))*8 + int64(cap(ix.dead))*8
	b += ix.base.bytes() + ix.delta.bytes() + ix.tableBytes
	return Stats{Len: len(ix.hashes) - ix.nDead, Removed: ix.nDead, Pending: ix.delta.n, Bytes: b}
}

// Add files h under id. An id already present gets the new hash. Additions
// go to a small delta that queries search beside the posting tables; once the
// delta holds more than half as many hashes as the tables (and at least
// 4096), the writer rebuilds the tables, which keeps the cost of an addition
// constant on average.
func (ix *Index) Add(id uint64, h Hash) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if slot, cell, ok := ix.table.find(id, ix.ids); ok {
		if ix.hashes[slot] == h {
			return
		}
		ix.removeSlot(slot, cell)
	}
	ix.reserve(1)
	ix.mu.Lock()
	slot := uint32(len(ix.hashes))
	ix.hashes = append(ix.hashes, h)
	ix.ids = append(ix.ids, id)
	ix.delta.add(slot, &h)
	ix.mu.Unlock()
	ix.table.insert(slot, ix.ids)
	if ix.delta.n >= max(ix.tune.mergeMin, ix.base.n/2) {
		ix.merge(false)
	}
}

// Remove deletes id and reports whether it was present. Removed slots are
// skipped by queries and reclaimed when a quarter of all slots (and at least
// 4096) are removed.
func (ix *Index) Remove(id uint64) bool {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	slot, cell, ok := ix.table.find(id, ix.ids)
	if !ok {
		return false
	}
	ix.removeSlot(slot, cell)
	if ix.nDead >= max(ix.tune.mergeMin, len(ix.hashes)/4) {
		ix.merge(false)
	}
	return true
}

// removeSlot marks slot dead and drops its id; the caller holds wmu.
func (ix *Index) removeSlot(slot uint32, cell int) {
	ix.table.remove(cell, ix.ids)
	ix.mu.Lock()
	ix.dead[slot/64] |= 1 << (slot % 64)
	ix.nDead++
	ix.mu.Unlock()
}

// Grow makes room for n more hashes, so that loading a known number of
// hashes allocates once.
func (ix *Index) Grow(n int) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.reserve(n)
}

// reserve makes room for n more slots and ids. The new arrays are filled
// outside the write lock (only writers change them, and the caller is the
// writer) and swapped in under it.
func (ix *Index) reserve(n int) {
	need := len(ix.hashes) + n
	if need > cap(ix.hashes) {
		c := max(need, cap(ix.hashes)+cap(ix.hashes)/4+1024)
		if n > 1 {
			c = need // an explicit Grow gets exactly what it asks for
		}
		hashes := make([]Hash, len(ix.hashes), c)
		copy(hashes, ix.hashes)
		ids := make([]uint64, len(ix.ids), c)
		copy(ids, ix.ids)
		dead := make([]uint64, (c+63)/64)
		copy(dead, ix.dead)
		ix.mu.Lock()
		ix.hashes, ix.ids, ix.dead = hashes, ids, dead
		ix.mu.Unlock()
	}
	live := len(ix.hashes) - ix.nDead + n
	if live*4 > len(ix.table.cells)*3 {
		t := newIDTable(live)
		for _, v := range ix.table.cells {
			if v != 0 {
				t.insert(v-1, ix.ids)
			}
		}
		ix.table = t
		ix.mu.Lock()
		ix.tableBytes = t.bytes()
		ix.mu.Unlock()
	}
}

// Compact folds the delta into the posting tables, reclaims removed slots
// and trims spare capacity, leaving the index at its smallest. Call it after
// loading many hashes.
func (ix *Index) Compact() {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.merge(true)
}

// merge rebuilds the posting tables over every live slot, renumbering slots
// if some were removed. The caller holds wmu; the tables are built outside
// the write lock and swapped in under it.
func (ix *Index) merge(trim bool) {
	hashes, ids, dead := ix.hashes, ix.ids, ix.dead
	table := ix.table
	if ix.nDead > 0 || (trim && cap(hashes) > len(hashes)) {
		live := len(ix.hashes) - ix.nDead
		c := live
		if !trim {
			c = max(live, live+live/4+1024)
		}
		hashes = make([]Hash, 0, c)
		ids = make([]uint64, 0, c)
		for s := range ix.hashes {
			if !ix.isDead(uint32(s)) {
				hashes = append(hashes, ix.hashes[s])
				ids = append(ids, ix.ids[s])
			}
		}
		dead = make([]uint64, (c+63)/64)
		table = newIDTable(live)
		for s := range ids {
			table.insert(uint32(s), ids)
		}
	}
	base := buildPostings(hashes)
	ix.mu.Lock()
	ix.hashes, ix.ids, ix.dead, ix.nDead = hashes, ids, dead, 0
	ix.base = base
	ix.delta = delta{}
	ix.tableBytes = table.bytes()
	ix.mu.Unlock()
	ix.table = table
}

func (ix *Index) isDead(slot uint32) bool {
	return ix.dead[slot/64]&(1<<(slot%64)) != 0
}

// radiusQuery carries one Radius query through the bucket scans.
type radiusQuery struct {
	q   Hash
	d   int
	qc  [chunks]uint16 // the query's chunks
	r   [chunks]int    // per-chunk search radius; -1 skips the chunk
	out []Result
}

// Radius returns every hash within distance d of q (d = 31 is PDQ's usual
// match threshold), ordered by distance, then id. A negative d finds nothing.
//
// The pigeonhole bound is used in its tighter form: writing d = 16r + a with
// 0 <= a < 16, a match lies within r bits of the query on one of the first
// a+1 chunks or within r-1 bits on one of the others. At d = 31 that is one
// bit on every chunk (17 of 65536 values each); at d = 32, two bits on the
// first chunk and one on the rest. Radii above 47 scan every hash instead,
// which is faster there; any radius up to 256 is answered exactly.
func (ix *Index) Radius(q Hash, d int) []Result {
	if d < 0 {
		return nil
	}
	d = min(d, Bits)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if d > ix.tune.linearAbove || len(ix.hashes) < ix.tune.smallLinear {
		return ix.scanRadius(q, d)
	}
	s := radiusQuery{q: q, d: d}
	r, a := d/16, d%16
	for i := 0; i < chunks; i++ {
		s.qc[i] = chunk(&q, i)
		s.r[i] = r - 1
		if i <= a {
			s.r[i] = r
		}
	}
	for i := 0; i < chunks; i++ {
		if s.r[i] < 0 {
			continue
		}
		for w := 0; w <= s.r[i]; w++ {
			forWeight(w, func(m uint16) { ix.scanBucket(&s, i, s.qc[i]^m) })
		}
	}
	slices.SortFunc(s.out, compareResults)
	return s.out
}

// forWeight calls f with every 16-bit value of w set bits, in increasing
// order (Gosper's hack).
func forWeight(w int, f func(uint16)) {
	if w == 0 {
		f(0)
		return
	}
	for m := uint32(1)<<w - 1; m < 1<<16; {
		f(uint16(m))
		c := m & -m
		r := m + c
		m = ((r^m)>>2)/c | r
	}
}

// scanBucket checks every slot filed under value v of chunk i against the
// query. This loop is where a query spends its time.
func (ix *Index) scanBucket(s *radiusQuery, i int, v uint16) {
	hashes := ix.hashes
	t := &ix.base.tables[i]
	lo, hi := t.bucket(v)
	e, w, mask := t.entries, ix.base.width, ix.base.mask
	for k := lo; k < hi; k++ {
		slot := slotAt(e, k, w, mask)
		if dist := Distance(hashes[slot], s.q); dist <= s.d {
			ix.accept(s, slot, i, dist)
		}
	}
	if ix.delta.n > 0 {
		for _, slot := range ix.delta.buckets[i][v] {
			if dist := Distance(hashes[slot], s.q); dist <= s.d {
				ix.accept(s, slot, i, dist)
			}
		}
	}
}

// accept records a slot found through chunk i unless it is removed or an
// earlier chunk also finds it (each match is reported once, through the
// first chunk that reaches it, without a set of seen slots).
func (ix *Index) accept(s *radiusQuery, slot uint32, i int, dist int) {
	if ix.isDead(slot) {
		return
	}
	h := &ix.hashes[slot]
	for j := 0; j < i; j++ {
		if s.r[j] >= 0 && bits.OnesCount16(chunk(h, j)^s.qc[j]) <= s.r[j] {
			return
		}
	}
	s.out = append(s.out, Result{ID: ix.ids[slot], Distance: dist})
}

// scanRadius answers a radius query by checking every slot.
func (ix *Index) scanRadius(q Hash, d int) []Result {
	var out []Result
	for s := range ix.hashes {
		if dist := Distance(ix.hashes[s], q); dist <= d && !ix.isDead(uint32(s)) {
			out = append(out, Result{ID: ix.ids[s], Distance: dist})
		}
	}
	slices.SortFunc(out, compareResults)
	return out
}

// Nearest returns the k hashes closest to q, ordered by distance, then id;
// ties at the k-th distance go to the smaller id.
//
// It searches the posting tables one per-chunk radius at a time: after radius
// r on every chunk, every hash within 16r+15 of q has been seen, so the search
// stops as soon as the k-th best distance is at most that. If that needs more
// than 2 bits per chunk (the k-th neighbour is farther than 47), it scans
// every hash instead.
func (ix *Index) Nearest(q Hash, k int) []Result {
	if k <= 0 {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var top topK
	top.reset(k)
	if len(ix.hashes) >= ix.tune.smallLinear && len(ix.hashes)-ix.nDead > k {
		var qc [chunks]uint16
		for i := range qc {
			qc[i] = chunk(&q, i)
		}
		for level := 0; level <= ix.tune.nearestLevels && level <= 16; level++ {
			for i := 0; i < chunks; i++ {
				forWeight(level, func(m uint16) { ix.nearestBucket(&top, &q, &qc, level, i, qc[i]^m) })
			}
			if top.full() && top.worst().Distance <= 16*level+15 {
				return top.sorted()
			}
		}
		top.reset(k)
	}
	for s := range ix.hashes {
		if !ix.isDead(uint32(s)) {
			top.offer(Result{ID: ix.ids[s], Distance: Distance(ix.hashes[s], q)})
		}
	}
	return top.sorted()
}

// nearestBucket offers every slot filed under value v of chunk i to top.
// level is the per-chunk radius being searched: a slot is offered only from
// the first chunk at which it lies exactly level bits from the query, and
// only if no chunk lies closer (it was offered at an earlier level then).
func (ix *Index) nearestBucket(top *topK, q *Hash, qc *[chunks]uint16, level, i int, v uint16) {
	hashes := ix.hashes
	offer := func(slot uint32) {
		r := Result{ID: ix.ids[slot], Distance: Distance(hashes[slot], *q)}
		if !top.wants(r) || ix.isDead(slot) {
			return
		}
		h := &hashes[slot]
		for j := 0; j < chunks; j++ {
			cd := bits.OnesCount16(chunk(h, j) ^ qc[j])
			if cd < level || (j < i && cd == level) {
				return
			}
		}
		top.offer(r)
	}
	t := &ix.base.tables[i]
	lo, hi := t.bucket(v)
	for k := lo; k < hi; k++ {
		offer(slotAt(t.entries, k, ix.base.width, ix.base.mask))
	}
	if ix.delta.n > 0 {
		for _, slot := range ix.delta.buckets[i][v] {
			offer(slot)
		}
	}
}
