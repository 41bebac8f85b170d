package mih

import (
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// denseMin is the smallest segment whose chunk tables keep an offset for
// every one of the 65536 chunk values; smaller segments keep only the values
// present and find them by binary search, so that a bank of a few hundred
// hashes does not pay 4 MiB of offsets per segment.
const denseMin = 1 << 14

// segment holds a run of consecutive slots, sorted by chunk 0, with a
// posting table for each of chunks 1..15. It never changes after it is built
// except for its removal bits; merges replace segments whole.
type segment struct {
	lo     uint32   // global slot of hashes[0]
	hashes []Hash   // sorted by chunk 0, so chunk 0 needs no posting table
	ids32  []uint32 // ids when every id fits 32 bits (the usual case) ...
	ids64  []uint64 // ... otherwise here
	dead   []uint64 // removal bits by local slot
	first  buckets  // chunk 0 value -> range of hashes
	enc    encoding
	gaps   bool // slots are stored as gaps (the segment has more than 1<<enc.slotBits entries)
	tables [chunks - 1]postingTable
}

// encoding splits a 32-bit posting entry into a slot field (low slotBits)
// and a fingerprint (the rest, at most 16 bits).
type encoding struct {
	slotBits, fpBits uint
	escape           uint32 // the slot field value that sends a reader to the overflow list
}

// defaultSlotBits leaves 12 bits of fingerprint: at radius 31 about 2% of
// the posting entries read pass it (see radiusPlan.reset).
const defaultSlotBits = 20

func newEncoding(slotBits uint) encoding {
	return encoding{slotBits: slotBits, fpBits: min(16, 32-slotBits), escape: 1<<slotBits - 1}
}

// fingerprint returns the fingerprint stored beside h in the posting table
// of chunk c: the top fpBits bits of the partner chunk c^1.
func (e encoding) fingerprint(h *Hash, c int) uint32 {
	return uint32(chunk(h, c^1)) >> (16 - e.fpBits)
}

// buckets maps a chunk value to a range [offsets[b], offsets[b+1]). When
// keys is nil, b is the value itself; otherwise b is the value's position in
// keys.
type buckets struct {
	offsets []uint32
	keys    []uint16
}

// postingTable lists, for one chunk position, the local slots having each
// chunk value, in increasing order, each with a fingerprint of the partner
// chunk (chunk c^1) that lets a query reject most candidates without
// touching their hash (see radiusPlan.reset). Entry k is
// fingerprint<<slotBits | slot field. In a small segment the slot field is
// the local slot. In a large one (gaps) it is the gap from the previous
// entry of the same bucket (the first entry's slot is in firstSlot), or
// escape when the gap does not fit, in which case the slot is found in
// overPos/overSlot.
type postingTable struct {
	buckets
	entries   []uint32
	firstSlot []uint32 // gaps only: the first slot of each bucket, by chunk value
	overPos   []uint32 // gaps only: entry positions whose slot did not fit, ascending
	overSlot  []uint32 // ... and their slots
}

// overflow returns the slot of entry k, which holds the escape value.
func (t *postingTable) overflow(k int) uint32 {
	i, _ := slices.BinarySearch(t.overPos, uint32(k))
	return t.overSlot[i]
}

func (b *buckets) bucket(v uint16) (lo, hi int) {
	if b.keys == nil {
		if b.offsets == nil {
			return 0, 0
		}
		return int(b.offsets[v]), int(b.offsets[int(v)+1])
	}
	k := sort.Search(len(b.keys), func(j int) bool { return b.keys[j] >= v })
	if k == len(b.keys) || b.keys[k] != v {
		return 0, 0
	}
	return int(b.offsets[k]), int(b.offsets[k+1])
}

func (b *buckets) bytes() int64 { return int64(cap(b.offsets))*4 + int64(cap(b.keys))*2 }

func (s *segment) len() int { return len(s.hashes) }

func (s *segment) id(local int) uint64 {
	if s.ids64 != nil {
		return s.ids64[local]
	}
	return uint64(s.ids32[local])
}

func (s *segment) isDead(local int) bool { return s.dead[local/64]&(1<<(local%64)) != 0 }

func (s *segment) bytes() int64 {
	b := int64(cap(s.hashes))*32 + int64(cap(s.ids32))*4 + int64(cap(s.ids64))*8 + int64(cap(s.dead))*8 + s.first.bytes()
	for i := range s.tables {
		t := &s.tables[i]
		b += t.buckets.bytes() + int64(cap(t.entries)+cap(t.firstSlot)+cap(t.overPos)+cap(t.overSlot))*4
	}
	return b
}

// buildSegment files hashes (with their ids and removal bits, all in input
// order) into a new segment starting at global slot lo. It returns the
// segment and perm, where input i went to local slot perm[i]. The 15 chunk
// tables are built in parallel, one goroutine per processor.
func buildSegment(lo uint32, hashes []Hash, ids []uint64, dead func(i int) bool, enc encoding) (*segment, []uint32) {
	n := len(hashes)
	s := &segment{lo: lo, enc: enc, gaps: n > 1<<enc.slotBits}
	// Sort by chunk 0. Reads go in input order and writes scatter, which
	// is cheaper than the reverse on a large segment.
	perm, first := sortPerm(hashes, 0, n >= denseMin)
	s.first = first
	s.hashes = make([]Hash, n)
	wide := false
	for _, id := range ids {
		if id > 1<<32-1 {
			wide = true
			break
		}
	}
	if wide {
		s.ids64 = make([]uint64, n)
	} else {
		s.ids32 = make([]uint32, n)
	}
	s.dead = make([]uint64, (n+63)/64)
	for i, local := range perm {
		s.hashes[local] = hashes[i]
		if wide {
			s.ids64[local] = ids[i]
		} else {
			s.ids32[local] = uint32(ids[i])
		}
		if dead != nil && dead(i) {
			s.dead[local/64] |= 1 << (local % 64)
		}
	}

	workers := min(runtime.GOMAXPROCS(0), chunks-1)
	if n < denseMin {
		workers = 1
	}
	next := make(chan int, chunks-1)
	for c := 1; c < chunks; c++ {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				s.tables[c-1] = s.buildTable(c)
			}
		}()
	}
	wg.Wait()
	return s, perm
}

// sortPerm sorts hashes stably by chunk c: input i goes to position
// perm[i]. It also returns the buckets of the sorted order, dense (an offset
// for every chunk value) or, for fewer than denseMin hashes, sparse.
func sortPerm(hashes []Hash, c int, dense bool) ([]uint32, buckets) {
	n := len(hashes)
	perm := make([]uint32, n)
	var b buckets
	if !dense {
		// n < 1<<14, so value<<16 | i fits 32 bits and sorts stably.
		keys := make([]uint32, n)
		for i := range hashes {
			keys[i] = uint32(chunk(&hashes[i], c))<<16 | uint32(i)
		}
		slices.Sort(keys)
		b.keys = []uint16{}
		for k, key := range keys {
			perm[key&0xffff] = uint32(k)
			if v := uint16(key >> 16); k == 0 || v != uint16(keys[k-1]>>16) {
				b.keys = append(b.keys, v)
				b.offsets = append(b.offsets, uint32(k))
			}
		}
		b.offsets = append(b.offsets, uint32(n))
		b.keys = slices.Clip(b.keys)
		b.offsets = slices.Clip(b.offsets)
		return perm, b
	}
	// Counting sort: offsets[v+1] counts value v, then prefix sums.
	b.offsets = make([]uint32, 1<<16+1)
	for i := range hashes {
		b.offsets[int(chunk(&hashes[i], c))+1]++
	}
	for v := 1; v <= 1<<16; v++ {
		b.offsets[v] += b.offsets[v-1]
	}
	pos := make([]uint32, 1<<16)
	copy(pos, b.offsets)
	for i := range hashes {
		v := chunk(&hashes[i], c)
		perm[i] = pos[v]
		pos[v]++
	}
	return perm, b
}

// buildTable files the segment's local slots by chunk c, each with its
// fingerprint.
func (s *segment) buildTable(c int) postingTable {
	perm, b := sortPerm(s.hashes, c, len(s.hashes) >= denseMin || s.gaps)
	t := postingTable{buckets: b, entries: make([]uint32, len(perm))}
	enc := s.enc
	if !s.gaps {
		for local, k := range perm {
			t.entries[k] = enc.fingerprint(&s.hashes[local], c)<<enc.slotBits | uint32(local)
		}
		return t
	}
	// Large segment: buckets are dense (keys == nil). Locals arrive in
	// increasing order, so each bucket's entries are written in order and
	// last[v] is the previous slot filed under v.
	t.firstSlot = make([]uint32, 1<<16)
	last := make([]uint32, 1<<16)
	for local, k := range perm {
		v := chunk(&s.hashes[local], c)
		var field uint32
		if k == t.offsets[v] {
			t.firstSlot[v] = uint32(local)
		} else if gap := uint32(local) - last[v]; gap < enc.escape {
			field = gap
		} else {
			field = enc.escape
			t.overPos = append(t.overPos, k)
			t.overSlot = append(t.overSlot, uint32(local))
		}
		last[v] = uint32(local)
		t.entries[k] = enc.fingerprint(&s.hashes[local], c)<<enc.slotBits | field
	}
	// Overflows were recorded in slot order; queries search them by position.
	idx := make([]int, len(t.overPos))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return int(t.overPos[a]) - int(t.overPos[b]) })
	pos, slot := make([]uint32, len(idx)), make([]uint32, len(idx))
	for i, j := range idx {
		pos[i], slot[i] = t.overPos[j], t.overSlot[j]
	}
	t.overPos, t.overSlot = pos, slot
	return t
}

// radiusPlan is one Radius query prepared for the segment scans.
type radiusPlan struct {
	q   Hash
	d   int
	qc  [chunks]uint16 // the query's chunks
	qfp [chunks]uint32 // the query's fingerprint for each chunk's table
	enc encoding
	r   [chunks]int // per-chunk search radius; -1 skips the chunk
	b   [chunks]int // the distance budget of the chunk's pair
	out []Result

	// Scratch reused across segments (and queries, through Index.plans).
	probes []probe
	cands  []uint64 // local<<4 | chunk of entries that passed the fingerprint
	sink   uint64   // keeps the cache-warming loads of segment.radius
}

// probe is one bucket to read: chunk c, value v at distance w from the
// query's chunk, and the bucket's range once looked up.
type probe struct {
	c, w   uint8
	v      uint16
	lo, hi uint32
}

// reset prepares a query for q and d. It applies the pigeonhole principle
// to pairs of chunks: the 8 pairs (0,1), (2,3), ... split the 256 bits, so a
// hash within d of q is,
// writing d = 8p + a with 0 <= a < 8, within p bits on one of the first a+1
// pairs or within p-1 bits on one of the others. A pair within budget B has
// its first chunk within floor(B/2) bits or its second within ceil(B/2)-1, so
// each chunk is searched at that radius, and a candidate found through a
// chunk at distance w must have its partner chunk within B-w: the
// fingerprint (the top 12 of the partner's 16 bits) rejects most candidates
// that are not, before their hash is read: at d = 31 (budget 3 on every pair)
// a random candidate passes with probability 7.3% from the bucket of the
// query's own chunk value and 1.9% from the 16 buckets one bit away.
func (pl *radiusPlan) reset(q Hash, d int, enc encoding) {
	pl.q, pl.d, pl.out, pl.enc = q, d, nil, enc
	p, a := d/8, d%8
	for c := 0; c < chunks; c++ {
		pl.qc[c] = chunk(&q, c)
		pl.qfp[c] = enc.fingerprint(&q, c)
		b := p - 1
		if c/2 <= a {
			b = p
		}
		pl.b[c] = b
		if c%2 == 0 {
			pl.r[c] = b / 2
		} else {
			pl.r[c] = (b+1)/2 - 1
		}
	}
	pl.probes = pl.probes[:0]
	for c := 0; c < chunks; c++ {
		for w := 0; w <= pl.r[c]; w++ {
			forWeight(w, func(m uint16) {
				pl.probes = append(pl.probes, probe{c: uint8(c), w: uint8(w), v: pl.qc[c] ^ m})
			})
		}
	}
}

// reaches reports whether the scan of chunk c finds h.
func (pl *radiusPlan) reaches(h *Hash, c int) bool {
	w := bits.OnesCount16(chunk(h, c) ^ pl.qc[c])
	if w > pl.r[c] {
		return false
	}
	return c == 0 || w+bits.OnesCount32(pl.enc.fingerprint(h, c)^pl.qfp[c]) <= pl.b[c]
}

// radius adds to pl.out every live hash of s within pl.d of pl.q. It works
// in phases so that each phase's memory reads are independent of each other
// and overlap in the memory system, which matters more than anything else
// once the index outgrows the caches:
//
//  1. look up every bucket's range, then touch every cache line the scans
//     will read;
//  2. chunk 0: check the runs of hashes (the segment is sorted by chunk 0);
//  3. chunks 1..15: read each bucket's entries in order and keep, without
//     branching, those whose fingerprint is within the pair's budget;
//  4. touch the kept entries' hashes, then check their full distance.
func (s *segment) radius(pl *radiusPlan) {
	for i := range pl.probes {
		pr := &pl.probes[i]
		var lo, hi int
		if pr.c == 0 {
			lo, hi = s.first.bucket(pr.v)
		} else {
			lo, hi = s.tables[pr.c-1].bucket(pr.v)
		}
		pr.lo, pr.hi = uint32(lo), uint32(hi)
	}
	// Warm the caches: touch one word of every cache line the scans below
	// will read. These loads are independent and the loop is tiny, so many
	// are in flight at once; the scans' own loop bodies are long enough that
	// the processor would otherwise wait for nearly every line in turn.
	var sink uint64
	for i := range pl.probes {
		pr := &pl.probes[i]
		if pr.c == 0 {
			for local := pr.lo; local < pr.hi; local += 2 {
				sink += s.hashes[local][0]
			}
			continue
		}
		es := s.tables[pr.c-1].entries
		for k := pr.lo; k < pr.hi; k += 16 {
			sink += uint64(es[k])
		}
	}
	cands := pl.cands[:0]
	enc := s.enc
	for i := range pl.probes {
		pr := &pl.probes[i]
		if pr.c == 0 {
			for local := int(pr.lo); local < int(pr.hi); local++ {
				if dist := Distance(s.hashes[local], pl.q); dist <= pl.d {
					s.accept(pl, local, 0, dist)
				}
			}
			continue
		}
		if pr.lo == pr.hi {
			continue
		}
		c := int(pr.c)
		t := &s.tables[c-1]
		qfp := pl.qfp[c]
		budget := pl.b[c] - int(pr.w)
		es := t.entries[pr.lo:pr.hi]
		n := len(cands)
		cands = slices.Grow(cands, len(es))[:n+len(es)]
		if !s.gaps {
			for _, e := range es {
				cands[n] = uint64(e&enc.escape)<<4 | uint64(c)
				// n advances when popcount <= budget, i.e. when
				// popcount-budget-1 is negative.
				n += int(uint(bits.OnesCount32(e>>enc.slotBits^qfp)-budget-1) >> (bits.UintSize - 1))
			}
		} else {
			slot := t.firstSlot[pr.v]
			for k, e := range es {
				if k > 0 { // the first entry's slot field is unused
					if g := e & enc.escape; g == enc.escape {
						slot = t.overflow(int(pr.lo) + k)
					} else {
						slot += g
					}
				}
				cands[n] = uint64(slot)<<4 | uint64(c)
				n += int(uint(bits.OnesCount32(e>>enc.slotBits^qfp)-budget-1) >> (bits.UintSize - 1))
			}
		}
		cands = cands[:n]
	}
	for _, cand := range cands {
		sink += s.hashes[cand>>4][0]
	}
	pl.sink += sink
	for _, cand := range cands {
		local := int(cand >> 4)
		if dist := Distance(s.hashes[local], pl.q); dist <= pl.d {
			s.accept(pl, local, int(cand&15), dist)
		}
	}
	pl.cands = cands
}

// accept records a hash found through chunk c unless it is removed or the
// scan of an earlier chunk also finds it: each match is reported once,
// through the first chunk that reaches it, without a set of seen slots.
func (s *segment) accept(pl *radiusPlan, local, c, dist int) {
	if s.isDead(local) {
		return
	}
	h := &s.hashes[local]
	for e := 0; e < c; e++ {
		if pl.r[e] >= 0 && pl.reaches(h, e) {
			return
		}
	}
	pl.out = append(pl.out, Result{ID: s.id(local), Distance: dist})
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
