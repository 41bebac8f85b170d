package mih

import (
	"encoding/binary"
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
	stride int      // bytes per posting entry: a fingerprint byte, then a 3-byte local slot (4 bytes beyond 1<<24 slots)
	mask   uint32   // keeps the slot bits of a 4-byte load
	tables [chunks - 1]postingTable
}

// buckets maps a chunk value to a range [offsets[b], offsets[b+1]). When
// keys is nil, b is the value itself; otherwise b is the value's position in
// keys.
type buckets struct {
	offsets []uint32
	keys    []uint16
}

// postingTable lists, for one chunk position, the local slots having each
// chunk value, each with one fingerprint byte: the high byte of the partner
// chunk (chunk c^1). The fingerprint lets a query reject most candidates
// without touching their hash (see radiusPlan.reset). Entry k is
// entries[k*stride]: the fingerprint, then the slot in little-endian order;
// keeping them together makes a bucket one sequential read.
type postingTable struct {
	buckets
	entries []byte // plus 3 bytes of padding so that any slot loads as a uint32
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

// fingerprint returns the byte stored beside h in the posting table of chunk c.
func fingerprint(h *Hash, c int) uint8 { return uint8(chunk(h, c^1) >> 8) }

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
		b += t.buckets.bytes() + int64(cap(t.entries))
	}
	return b
}

// buildSegment files hashes (with their ids and removal bits, all in input
// order) into a new segment starting at global slot lo. It returns the
// segment and perm, where input i went to local slot perm[i]. The 15 chunk
// tables are built in parallel, one goroutine per processor.
func buildSegment(lo uint32, hashes []Hash, ids []uint64, dead func(i int) bool) (*segment, []uint32) {
	n := len(hashes)
	s := &segment{lo: lo, stride: 4, mask: 1<<24 - 1}
	if n > 1<<24 {
		s.stride, s.mask = 5, 1<<32-1
	}
	// Sort by chunk 0. Reads go in input order and writes scatter, which
	// is cheaper than the reverse on a large segment.
	perm, first := sortPerm(hashes, 0)
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
// perm[i]. It also returns the buckets of the sorted order.
func sortPerm(hashes []Hash, c int) ([]uint32, buckets) {
	n := len(hashes)
	perm := make([]uint32, n)
	var b buckets
	if n < denseMin {
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
// fingerprint byte.
func (s *segment) buildTable(c int) postingTable {
	perm, b := sortPerm(s.hashes, c)
	t := postingTable{buckets: b}
	st := s.stride
	t.entries = make([]byte, len(perm)*st+3)
	for local, k := range perm {
		e := t.entries[int(k)*st:]
		// Write exactly stride bytes: a wider store would clobber a
		// neighbour that may already be filled.
		e[0] = fingerprint(&s.hashes[local], c)
		e[1] = byte(local)
		e[2] = byte(local >> 8)
		e[3] = byte(local >> 16)
		if st == 5 {
			e[4] = byte(local >> 24)
		}
	}
	return t
}

// radiusPlan is one Radius query prepared for the segment scans.
type radiusPlan struct {
	q   Hash
	d   int
	qc  [chunks]uint16 // the query's chunks
	qfp [chunks]uint8  // the query's fingerprint byte for each chunk's table
	r   [chunks]int    // per-chunk search radius; -1 skips the chunk
	b   [chunks]int    // the distance budget of the chunk's pair
	out []Result

	// Scratch reused across segments (and queries, through Index.plans).
	probes []probe
	cands  []uint64 // local<<4 | chunk of entries that passed the fingerprint
}

// probe is one bucket to read: chunk c, value v at distance w from the
// query's chunk, and the bucket's range once looked up.
type probe struct {
	c, w   uint8
	v      uint16
	lo, hi uint32
}

// reset prepares a query for q and d. It applies the pigeonhole principle to pairs of chunks: the 8
// pairs (0,1), (2,3), ... split the 256 bits, so a hash within d of q is,
// writing d = 8p + a with 0 <= a < 8, within p bits on one of the first a+1
// pairs or within p-1 bits on one of the others. A pair within budget B has
// its first chunk within floor(B/2) bits or its second within ceil(B/2)-1, so
// each chunk is searched at that radius, and a candidate found through a
// chunk at distance w must have its partner chunk within B-w: the
// fingerprint byte (8 of the partner's 16 bits) rejects most candidates that
// are not, before their hash is read.
func (pl *radiusPlan) reset(q Hash, d int) {
	pl.q, pl.d, pl.out = q, d, nil
	p, a := d/8, d%8
	for c := 0; c < chunks; c++ {
		pl.qc[c] = chunk(&q, c)
		pl.qfp[c] = fingerprint(&q, c)
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
	return c == 0 || w+bits.OnesCount8(fingerprint(h, c)^pl.qfp[c]) <= pl.b[c]
}

// radius adds to pl.out every live hash of s within pl.d of pl.q. It works
// in phases so that each phase's memory reads are independent of each other
// and overlap in the memory system, which matters more than anything else
// once the index outgrows the caches:
//
//  1. look up every bucket's range;
//  2. chunk 0: check the runs of hashes (the segment is sorted by chunk 0);
//  3. chunks 1..15: read each bucket's entries in order and keep, without
//     branching, those whose fingerprint is within the pair's budget;
//  4. load the kept entries' hashes and check their full distance.
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
	cands := pl.cands[:0]
	st := s.stride
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
		c := int(pr.c)
		t := &s.tables[c-1]
		qfp := uint32(pl.qfp[c])
		budget := pl.b[c] - int(pr.w)
		e := t.entries[int(pr.lo)*st : int(pr.hi)*st+3]
		n := len(cands)
		cands = slices.Grow(cands, int(pr.hi-pr.lo))[:n+int(pr.hi-pr.lo)]
		for k := 0; k < int(pr.hi-pr.lo); k++ {
			local := binary.LittleEndian.Uint32(e[k*st+1:]) & s.mask
			cands[n] = uint64(local)<<4 | uint64(c)
			// n advances when popcount <= budget, i.e. when
			// popcount-budget-1 is negative.
			n += int(uint(bits.OnesCount32(uint32(e[k*st])^qfp)-budget-1) >> (bits.UintSize - 1))
		}
		cands = cands[:n]
	}
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
