package mih

import (
	"encoding/binary"
	"runtime"
	"sort"
	"sync"
)

// denseMin is the smallest number of slots for which a chunk table keeps an
// offset for every one of the 65536 chunk values; smaller tables keep only
// the values present and find them by binary search, so that a bank of a few
// hundred hashes does not pay 4 MiB of offsets.
const denseMin = 1 << 14

// postings files slots [0, n) under their chunk values: one compressed
// sparse row table per chunk position. It is built once and never changed;
// the index replaces it whole when it merges.
type postings struct {
	n      int
	width  int    // bytes per packed slot number: 3 while n <= 1<<24, else 4
	mask   uint32 // keeps the low width*8 bits of a 4-byte load
	tables [chunks]postingTable
}

// postingTable lists, for one chunk position, the slots having each chunk
// value. The slots of bucket b are entries[width*offsets[b] : width*offsets[b+1]],
// in increasing order. When keys is nil, b is the chunk value itself;
// otherwise b is the position of the value in keys.
type postingTable struct {
	offsets []uint32
	keys    []uint16
	entries []byte // packed little-endian slot numbers, plus 3 bytes of padding
}

// buildPostings files every hash in hashes by its slot. The 16 chunk tables
// are built in parallel, one goroutine per processor.
func buildPostings(hashes []Hash) *postings {
	n := len(hashes)
	p := &postings{n: n, width: 3, mask: 1<<24 - 1}
	if n > 1<<24 {
		p.width, p.mask = 4, 1<<32-1
	}
	workers := min(runtime.GOMAXPROCS(0), chunks)
	next := make(chan int, chunks)
	for i := 0; i < chunks; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts := make([]uint32, 1<<16)
			for i := range next {
				p.tables[i] = buildTable(hashes, i, p.width, counts)
			}
		}()
	}
	wg.Wait()
	return p
}

// buildTable files hashes by their i-th chunk with a counting sort; counts is
// scratch space of 65536 entries.
func buildTable(hashes []Hash, i, width int, counts []uint32) postingTable {
	clear(counts)
	for s := range hashes {
		counts[chunk(&hashes[s], i)]++
	}
	var t postingTable
	// pos[v] is where the next slot with chunk value v goes.
	pos := counts
	if len(hashes) >= denseMin {
		t.offsets = make([]uint32, 1<<16+1)
		var sum uint32
		for v, c := range counts {
			t.offsets[v] = sum
			pos[v] = sum
			sum += c
		}
		t.offsets[1<<16] = sum
	} else {
		distinct := 0
		for _, c := range counts {
			if c != 0 {
				distinct++
			}
		}
		t.keys = make([]uint16, 0, distinct)
		t.offsets = make([]uint32, 0, distinct+1)
		var sum uint32
		for v, c := range counts {
			if c != 0 {
				t.keys = append(t.keys, uint16(v))
				t.offsets = append(t.offsets, sum)
			}
			pos[v] = sum
			sum += c
		}
		t.offsets = append(t.offsets, sum)
	}
	t.entries = make([]byte, len(hashes)*width+3)
	e := t.entries
	for s := range hashes {
		v := chunk(&hashes[s], i)
		o := int(pos[v]) * width
		pos[v]++
		// Write exactly width bytes: a 4-byte store would clobber the next
		// entry, which may already be filled.
		e[o] = byte(s)
		e[o+1] = byte(s >> 8)
		e[o+2] = byte(s >> 16)
		if width == 4 {
			e[o+3] = byte(s >> 24)
		}
	}
	return t
}

// bucket returns the range of entries filed under chunk value v.
func (t *postingTable) bucket(v uint16) (lo, hi int) {
	if t.keys == nil {
		if t.offsets == nil {
			return 0, 0
		}
		return int(t.offsets[v]), int(t.offsets[int(v)+1])
	}
	k := sort.Search(len(t.keys), func(j int) bool { return t.keys[j] >= v })
	if k == len(t.keys) || t.keys[k] != v {
		return 0, 0
	}
	return int(t.offsets[k]), int(t.offsets[k+1])
}

// slotAt returns the k-th packed slot number of e.
func slotAt(e []byte, k, width int, mask uint32) uint32 {
	return binary.LittleEndian.Uint32(e[k*width:]) & mask
}

// bytes returns the memory held by p.
func (p *postings) bytes() int64 {
	if p == nil {
		return 0
	}
	var b int64
	for i := range p.tables {
		t := &p.tables[i]
		b += int64(cap(t.offsets))*4 + int64(cap(t.keys))*2 + int64(cap(t.entries))
	}
	return b
}

// delta files the slots added since the last merge, per chunk position and
// value. It takes more memory per hash than postings but accepts additions
// in place; the index folds it into new postings when it grows too large.
type delta struct {
	n       int
	buckets [chunks]map[uint16][]uint32
}

func (d *delta) add(slot uint32, h *Hash) {
	if d.n == 0 && d.buckets[0] == nil {
		for i := range d.buckets {
			d.buckets[i] = make(map[uint16][]uint32)
		}
	}
	for i := range d.buckets {
		v := chunk(h, i)
		d.buckets[i][v] = append(d.buckets[i][v], slot)
	}
	d.n++
}

// bytes estimates the memory held by d: slot lists plus about 48 bytes per
// map entry (key, slice header, hash-table overhead).
func (d *delta) bytes() int64 {
	var b int64
	for i := range d.buckets {
		for _, s := range d.buckets[i] {
			b += int64(cap(s))*4 + 48
		}
	}
	return b
}
