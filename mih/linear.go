package mih

import (
	"slices"
	"sync"
)

// Linear answers the same queries as Index by comparing the query with every
// stored hash. It is the reference Index is tested against and the baseline
// its speed is measured against; for a few thousand hashes it is also fast
// enough on its own.
//
// A Linear is safe for concurrent use: queries share a read lock, Add and
// Remove take the write lock.
type Linear struct {
	mu      sync.RWMutex
	entries []linearEntry
	pos     map[uint64]int // id -> index in entries
}

type linearEntry struct {
	hash Hash
	id   uint64
}

// NewLinear returns an empty linear scan.
func NewLinear() *Linear {
	return &Linear{pos: make(map[uint64]int)}
}

// Add stores h under id, replacing the hash id had before.
func (l *Linear) Add(id uint64, h Hash) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i, ok := l.pos[id]; ok {
		l.entries[i].hash = h
		return
	}
	l.pos[id] = len(l.entries)
	l.entries = append(l.entries, linearEntry{hash: h, id: id})
}

// Remove deletes id and reports whether it was present.
func (l *Linear) Remove(id uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.pos[id]
	if !ok {
		return false
	}
	last := len(l.entries) - 1
	if i != last {
		l.entries[i] = l.entries[last]
		l.pos[l.entries[i].id] = i
	}
	l.entries = l.entries[:last]
	delete(l.pos, id)
	return true
}

// Len returns the number of stored hashes.
func (l *Linear) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.entries)
}

// Radius returns every stored hash within distance d of q, ordered by
// distance, then id. A negative d finds nothing.
func (l *Linear) Radius(q Hash, d int) []Result {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []Result
	if d < 0 {
		return out
	}
	for i := range l.entries {
		e := &l.entries[i]
		if dist := Distance(e.hash, q); dist <= d {
			out = append(out, Result{ID: e.id, Distance: dist})
		}
	}
	slices.SortFunc(out, compareResults)
	return out
}

// Nearest returns the k stored hashes closest to q, ordered by distance, then
// id; ties at the k-th distance are broken by the smaller id.
func (l *Linear) Nearest(q Hash, k int) []Result {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if k <= 0 {
		return nil
	}
	var top topK
	top.reset(k)
	for i := range l.entries {
		e := &l.entries[i]
		top.offer(Result{ID: e.id, Distance: Distance(e.hash, q)})
	}
	return top.sorted()
}
