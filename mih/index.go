package mih

import (
	"fmt"
	"slices"
	"sort"
	"sync"
)

// Index is a multi-index hash table over 256-bit hashes. Hashes are added
// and removed in place; a query sees every change made before it starts.
//
// Layout (FORMAT.md has the details): hashes live in a few immutable
// segments of consecutive slots plus a short unindexed tail. Additions go to
// the tail; a full tail becomes a segment, and segments of similar size are
// merged, so an addition costs O(log n) on average and a query searches
// O(log n) segments, nearly all of its time in the largest.
//
// Locking: any number of queries (Radius, Nearest, Len, Stats) run at once
// under a shared read lock. Writers (Add, AddBatch, Remove, Compact) are
// serialised by a mutex of their own and take the write lock only for the
// short moment they change what queries read. Building and merging segments
// happens outside the write lock, so queries keep running while a writer
// does the expensive part; only other writers wait.
type Index struct {
	wmu sync.Mutex   // serialises writers
	mu  sync.RWMutex // queries share it; writers hold it while changing shared state

	segs  []*segment // consecutive slot ranges from slot 0, oldest first
	tail  tail       // the slots after the last segment
	nDead int        // removed slots not yet reclaimed

	table      idTable // id -> global slot of live entries; writer state
	tableBytes int64   // memory of table, kept under mu for Stats
	batch      []Entry // entries being added by AddBatch, at slots from tail.lo

	plans sync.Pool // *radiusPlan scratch, so queries do not allocate it

	tune tuning
}

// tail holds the newest slots, searched by a plain scan until it is full.
type tail struct {
	lo     uint32
	hashes []Hash
	ids    []uint64
	dead   []uint64
}

// Entry is a hash and the id it is filed under.
type Entry struct {
	ID   uint64
	Hash Hash
}

// tuning holds sizes and thresholds. Tests lower them to drive every path on
// small sets.
type tuning struct {
	tailMax     int  // slots the tail holds before it becomes a segment
	reclaimMin  int  // fewest removed slots worth a rebuild
	linearAbove int  // radii above this scan every hash
	smallLinear int  // indexes with fewer slots than this are always scanned
	slotBits    uint // slot field of a posting entry; the rest is fingerprint
	mergeFactor int  // see cascade
}

func (ix *Index) enc() encoding { return newEncoding(ix.tune.slotBits) }

// defaultTuning: a tail of 2048 hashes scans in a few microseconds. The
// posting tables beat a scan of every hash at every radius up to 64 (at 64,
// 3.4 ms against 4.3 ms on 500,000 hashes; at 31, 0.09 ms against 5.2 ms;
// BenchmarkRadiusByDistance); beyond 64 a query visits most chunk values
// and the scan is used.
func defaultTuning() tuning {
	return tuning{tailMax: 2048, reclaimMin: 4096, linearAbove: 64, smallLinear: 512, slotBits: defaultSlotBits, mergeFactor: 8}
}

// New returns an empty index.
func New() *Index {
	return &Index{tune: defaultTuning()}
}

func (ix *Index) slots() int { return int(ix.tail.lo) + len(ix.tail.hashes) }

// Len returns the number of hashes in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.slots() - ix.nDead
}

// Stats describes the state of an index.
type Stats struct {
	Len      int   // hashes in the index
	Removed  int   // removed hashes whose slots are reclaimed by the next rebuild
	Segments int   // indexed segments
	Pending  int   // hashes in the unindexed tail
	Bytes    int64 // memory held by hashes, ids, posting tables and the id table
}

// Stats returns the index's size and memory use.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := ix.tableBytes + int64(cap(ix.tail.hashes))*32 + int64(cap(ix.tail.ids))*8 + int64(cap(ix.tail.dead))*8
	for _, s := range ix.segs {
		b += s.bytes()
	}
	return Stats{Len: ix.slots() - ix.nDead, Removed: ix.nDead, Segments: len(ix.segs), Pending: len(ix.tail.hashes), Bytes: b}
}

// locate returns the segment holding global slot g and g's local slot, or a
// nil segment when g is in the tail.
func (ix *Index) locate(g uint32) (*segment, int) {
	if g >= ix.tail.lo {
		return nil, int(g - ix.tail.lo)
	}
	k := sort.Search(len(ix.segs), func(i int) bool { return ix.segs[i].lo > g }) - 1
	return ix.segs[k], int(g - ix.segs[k].lo)
}

// idAt returns the id at global slot g, including slots of a batch being added.
func (ix *Index) idAt(g uint32) uint64 {
	if end := ix.slots(); int(g) >= end {
		return ix.batch[int(g)-end].ID
	}
	s, local := ix.locate(g)
	if s == nil {
		return ix.tail.ids[local]
	}
	return s.id(local)
}

func (ix *Index) hashAt(g uint32) Hash {
	s, local := ix.locate(g)
	if s == nil {
		return ix.tail.hashes[local]
	}
	return s.hashes[local]
}

// Add files h under id. An id already present gets the new hash.
func (ix *Index) Add(id uint64, h Hash) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.add(id, h)
}

func (ix *Index) add(id uint64, h Hash) {
	if slot, cell, ok := ix.table.find(id, ix.idAt); ok {
		if ix.hashAt(slot) == h {
			return
		}
		ix.kill(slot, cell)
	}
	if ix.slots() >= 1<<32-1 {
		// Slots are never reused until a rebuild renumbers them.
		ix.rebuild()
		if ix.slots() >= 1<<32-1 {
			panic("mih: index full: 2^32-1 hashes")
		}
	}
	ix.reserveIDs(1)
	ix.mu.Lock()
	if ix.tail.hashes == nil {
		ix.tail.hashes = make([]Hash, 0, ix.tune.tailMax)
		ix.tail.ids = make([]uint64, 0, ix.tune.tailMax)
		ix.tail.dead = make([]uint64, (ix.tune.tailMax+63)/64)
	}
	slot := ix.tail.lo + uint32(len(ix.tail.hashes))
	ix.tail.hashes = append(ix.tail.hashes, h)
	ix.tail.ids = append(ix.tail.ids, id)
	ix.mu.Unlock()
	ix.table.insert(id, slot)
	if len(ix.tail.hashes) >= ix.tune.tailMax {
		ix.seal()
		ix.cascade()
	}
}

// AddBatch files many entries at once, as if by Add in order, building one
// segment for them instead of passing them through the tail. Loading a bank
// at start-up this way is several times faster than one Add per entry.
func (ix *Index) AddBatch(entries []Entry) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if len(entries) < ix.tune.tailMax {
		for _, e := range entries {
			ix.add(e.ID, e.Hash)
		}
		return
	}
	ix.seal()
	ix.reserveIDs(len(entries))
	lo := uint32(ix.slots())
	if uint64(lo)+uint64(len(entries)) > 1<<32-1 {
		panic(fmt.Sprintf("mih: index full: %d slots", uint64(lo)+uint64(len(entries))))
	}
	// File the batch in the id table at provisional slots lo+i, so that a
	// repeated id (in the index or earlier in the batch) replaces the old one.
	ix.batch = entries
	dead := make([]uint64, (len(entries)+63)/64)
	for i, e := range entries {
		if slot, cell, ok := ix.table.find(e.ID, ix.idAt); ok {
			if slot >= lo {
				j := slot - lo
				dead[j/64] |= 1 << (j % 64)
				ix.table.remove(cell, ix.idAt)
			} else {
				ix.kill(slot, cell)
			}
		}
		ix.table.insert(e.ID, lo+uint32(i))
	}
	hashes := make([]Hash, len(entries))
	ids := make([]uint64, len(entries))
	for i, e := range entries {
		hashes[i], ids[i] = e.Hash, e.ID
	}
	isDead := func(i int) bool { return dead[i/64]&(1<<(i%64)) != 0 }
	seg, perm := buildSegment(lo, hashes, ids, isDead, ix.enc())
	ix.remap(lo, ids, isDead, perm)
	ix.batch = nil
	ix.mu.Lock()
	ix.segs = append(ix.segs, seg)
	ix.tail.lo = lo + uint32(len(entries))
	for i := range entries {
		if isDead(i) {
			ix.nDead++
		}
	}
	ix.mu.Unlock()
	ix.cascade()
}

// Remove deletes id and reports whether it was present. Removed slots are
// skipped by queries and reclaimed by a rebuild once a quarter of all slots
// (and at least 4096) are removed.
func (ix *Index) Remove(id uint64) bool {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	slot, cell, ok := ix.table.find(id, ix.idAt)
	if !ok {
		return false
	}
	ix.kill(slot, cell)
	if ix.nDead >= max(ix.tune.reclaimMin, ix.slots()/4) {
		ix.rebuild()
	}
	return true
}

// kill marks global slot g removed and drops its id table cell.
func (ix *Index) kill(g uint32, cell int) {
	ix.table.remove(cell, ix.idAt)
	s, local := ix.locate(g)
	ix.mu.Lock()
	if s == nil {
		ix.tail.dead[local/64] |= 1 << (local % 64)
	} else {
		s.dead[local/64] |= 1 << (local % 64)
	}
	ix.nDead++
	ix.mu.Unlock()
}

// reserveIDs grows the id table, if needed, to take n more ids.
func (ix *Index) reserveIDs(n int) {
	if ix.table.fits(n) {
		return
	}
	t := ix.table.grown(n, ix.idAt)
	ix.table = t
	ix.mu.Lock()
	ix.tableBytes = t.bytes()
	ix.mu.Unlock()
}

// seal turns the tail into a segment.
func (ix *Index) seal() {
	n := len(ix.tail.hashes)
	if n == 0 {
		return
	}
	tl := ix.tail
	isDead := func(i int) bool { return tl.dead[i/64]&(1<<(i%64)) != 0 }
	seg, perm := buildSegment(tl.lo, tl.hashes, tl.ids, isDead, ix.enc())
	ix.remap(tl.lo, tl.ids, isDead, perm)
	ix.mu.Lock()
	ix.segs = append(ix.segs, seg)
	ix.tail = tail{lo: tl.lo + uint32(n)}
	ix.mu.Unlock()
}

// cascade merges the newest segments while the one before the last is at
// most 8 times the size of the last, which keeps segment sizes falling by
// more than 8 times each: at most log8(n/tailMax)+1 segments. Every segment
// costs a query about 500 bucket reads whatever its size, so fewer, larger
// segments are worth the extra rewriting (an entry is rewritten about 10 to
// 16 times instead of 6 to 9 with a factor of 2).
func (ix *Index) cascade() {
	for len(ix.segs) >= 2 {
		k := len(ix.segs)
		if ix.segs[k-2].len() > ix.tune.mergeFactor*ix.segs[k-1].len() {
			return
		}
		ix.mergeFrom(k - 2)
	}
}

// mergeFrom replaces segs[k:] by one segment over the same slots.
func (ix *Index) mergeFrom(k int) {
	olds := ix.segs[k:]
	n := 0
	for _, s := range olds {
		n += s.len()
	}
	hashes := make([]Hash, 0, n)
	ids := make([]uint64, 0, n)
	dead := make([]uint64, (n+63)/64)
	for _, s := range olds {
		for local := range s.hashes {
			if s.isDead(local) {
				i := len(hashes)
				dead[i/64] |= 1 << (i % 64)
			}
			hashes = append(hashes, s.hashes[local])
			ids = append(ids, s.id(local))
		}
	}
	isDead := func(i int) bool { return dead[i/64]&(1<<(i%64)) != 0 }
	lo := olds[0].lo
	seg, perm := buildSegment(lo, hashes, ids, isDead, ix.enc())
	ix.remap(lo, ids, isDead, perm)
	ix.mu.Lock()
	ix.segs = append(ix.segs[:k:k], seg)
	ix.mu.Unlock()
}

// remap points the id table at the new slots of live entry i, from lo+i to
// lo+perm[i]. The cells are all found before any is changed, because a
// changed cell may hold a slot number another entry still has.
func (ix *Index) remap(lo uint32, ids []uint64, dead func(int) bool, perm []uint32) {
	cells := make([]int, len(ids))
	for i, id := range ids {
		if !dead(i) {
			cells[i] = ix.table.cellOf(id, lo+uint32(i))
		}
	}
	for i := range ids {
		if !dead(i) {
			ix.table.cells[cells[i]] = lo + perm[i] + 1
		}
	}
}

// Compact rebuilds the index as one segment without removed slots, its
// smallest and fastest form. Call it after loading or removing many hashes.
func (ix *Index) Compact() {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if ix.nDead == 0 && len(ix.tail.hashes) == 0 && len(ix.segs) <= 1 {
		return
	}
	ix.rebuild()
}

// rebuild replaces everything by one segment of the live entries and a new
// id table.
func (ix *Index) rebuild() {
	live := ix.slots() - ix.nDead
	hashes := make([]Hash, 0, live)
	ids := make([]uint64, 0, live)
	for _, s := range ix.segs {
		for local := range s.hashes {
			if !s.isDead(local) {
				hashes = append(hashes, s.hashes[local])
				ids = append(ids, s.id(local))
			}
		}
	}
	for local := range ix.tail.hashes {
		if ix.tail.dead[local/64]&(1<<(local%64)) == 0 {
			hashes = append(hashes, ix.tail.hashes[local])
			ids = append(ids, ix.tail.ids[local])
		}
	}
	var segs []*segment
	if live > 0 {
		seg, _ := buildSegment(0, hashes, ids, nil, ix.enc())
		segs = []*segment{seg}
	}
	table := newIDTable(live)
	for _, s := range segs {
		for local := range s.hashes {
			table.insert(s.id(local), uint32(local))
		}
	}
	ix.table = table
	ix.mu.Lock()
	ix.segs = segs
	ix.tail = tail{lo: uint32(live)}
	ix.nDead = 0
	ix.tableBytes = table.bytes()
	ix.mu.Unlock()
}

// Radius returns every hash within distance d of q (d = 31 is PDQ's usual
// match threshold), ordered by distance, then id. A negative d finds nothing.
// Radii up to 64 go through the posting tables (see radiusPlan.reset for the
// pigeonhole argument); larger radii scan every hash. Every radius up to 256
// is answered exactly.
func (ix *Index) Radius(q Hash, d int) []Result {
	if d < 0 {
		return nil
	}
	d = min(d, Bits)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := ix.radius(q, d)
	slices.SortFunc(out, compareResults)
	return out
}

// radius returns the matches within d, unordered; the caller holds mu.
func (ix *Index) radius(q Hash, d int) []Result {
	if d > ix.tune.linearAbove || ix.slots() < ix.tune.smallLinear {
		var out []Result
		ix.scan(func(id uint64, h *Hash) {
			if dist := Distance(*h, q); dist <= d {
				out = append(out, Result{ID: id, Distance: dist})
			}
		})
		return out
	}
	pl, _ := ix.plans.Get().(*radiusPlan)
	if pl == nil {
		pl = new(radiusPlan)
	}
	defer ix.plans.Put(pl)
	pl.reset(q, d, ix.enc())
	for _, s := range ix.segs {
		s.radius(pl)
	}
	for local := range ix.tail.hashes {
		if dist := Distance(ix.tail.hashes[local], q); dist <= d && ix.tail.dead[local/64]&(1<<(local%64)) == 0 {
			pl.out = append(pl.out, Result{ID: ix.tail.ids[local], Distance: dist})
		}
	}
	return pl.out
}

// scan calls f for every live entry; the caller holds mu.
func (ix *Index) scan(f func(id uint64, h *Hash)) {
	for _, s := range ix.segs {
		for local := range s.hashes {
			if !s.isDead(local) {
				f(s.id(local), &s.hashes[local])
			}
		}
	}
	for local := range ix.tail.hashes {
		if ix.tail.dead[local/64]&(1<<(local%64)) == 0 {
			f(ix.tail.ids[local], &ix.tail.hashes[local])
		}
	}
}

// Nearest returns the k hashes closest to q, ordered by distance, then id;
// ties at the k-th distance go to the smaller id.
//
// It runs radius queries of growing radius (15, 31, 47): once one finds k
// hashes, they include every hash at least as close as the k-th, so the
// first k of them are the answer. Otherwise it scans every hash.
func (ix *Index) Nearest(q Hash, k int) []Result {
	if k <= 0 {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.slots()-ix.nDead > k {
		for _, d := range [...]int{15, 31, 47} { // cheapest first
			if d > ix.tune.linearAbove {
				break
			}
			if out := ix.radius(q, d); len(out) >= k {
				slices.SortFunc(out, compareResults)
				return out[:k:k]
			}
		}
	}
	var top topK
	top.reset(k)
	ix.scan(func(id uint64, h *Hash) { top.offer(Result{ID: id, Distance: Distance(*h, q)}) })
	return top.sorted()
}
