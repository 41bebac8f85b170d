package mih

import "slices"

// topK keeps the k best results seen so far (smallest distance, then smallest
// id) in a max-heap whose root is the worst of them.
type topK struct {
	k    int
	heap []Result
}

func (t *topK) reset(k int) {
	t.k = k
	t.heap = t.heap[:0]
}

// full reports whether k results are held.
func (t *topK) full() bool { return len(t.heap) == t.k }

// worst returns the worst held result; only meaningful when full.
func (t *topK) worst() Result { return t.heap[0] }

// wants reports whether r would enter the heap.
func (t *topK) wants(r Result) bool {
	return len(t.heap) < t.k || compareResults(r, t.heap[0]) < 0
}

// offer adds r if it is among the k best so far.
func (t *topK) offer(r Result) {
	if len(t.heap) < t.k {
		t.heap = append(t.heap, r)
		t.up(len(t.heap) - 1)
		return
	}
	if compareResults(r, t.heap[0]) >= 0 {
		return
	}
	t.heap[0] = r
	t.down(0)
}

func (t *topK) up(i int) {
	h := t.heap
	for i > 0 {
		p := (i - 1) / 2
		if compareResults(h[p], h[i]) >= 0 {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (t *topK) down(i int) {
	h := t.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && compareResults(h[r], h[l]) > 0 {
			m = r
		}
		if compareResults(h[i], h[m]) >= 0 {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// sorted returns the held results in query order, in a new slice.
func (t *topK) sorted() []Result {
	out := slices.Clone(t.heap)
	slices.SortFunc(out, compareResults)
	return out
}
