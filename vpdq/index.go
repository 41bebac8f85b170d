package vpdq

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/marsad/marsad/mih"
)

// frameBits is how many low bits of a frame's id in the multi-index hold
// its position in its video; the rest hold the video's slot.
const frameBits = 24

// maxIndexedFrames is the most frames one video may have in the index.
const maxIndexedFrames = 1 << frameBits

// ErrNoFrames is returned (wrapped) by Index.Add for a video with no frame
// left after removing duplicates and low-quality frames:
// python-threatexchange refuses to index those too (vpdq_index.py,
// lines 77-81).
var ErrNoFrames = errors.New("no frame of good enough quality")

// Index finds the banked videos a query video matches, without comparing
// it with every one: every distinct frame hash of every video is filed in a
// multi-index hash table keyed to (video, frame); each distinct query frame
// is looked up within the rule's distance, hits are counted per video, and
// the rule is applied only to the videos that had hits. This is the
// candidate pruning of ThreatExchange's vPDQ README
// (vpdq/README.md, lines 143-162) and python-threatexchange's VPDQIndex
// (vpdq_index.py, lines 96-146), with MIH in place of FAISS. It is safe for
// concurrent use.
type Index struct {
	rule Rule

	mu     sync.RWMutex
	mih    *mih.Index
	videos []indexed      // by slot; a removed video leaves a nil frames
	slot   map[uint64]int // video id to slot
	free   []int          // slots of removed videos, reused
}

type indexed struct {
	id     uint64
	frames []Feature // prepared: distinct, good quality
}

// IndexMatch is one banked video a query matched.
type IndexMatch struct {
	ID uint64 // the id the video was added under
	Result
}

// NewIndex returns an empty index that matches by rule (the zero Rule
// means DefaultRule).
func NewIndex(rule Rule) *Index {
	return &Index{rule: rule.orDefault(), mih: mih.New(), slot: map[uint64]int{}}
}

// Rule returns the rule the index matches by.
func (ix *Index) Rule() Rule { return ix.rule }

// Len is how many videos the index holds.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.slot)
}

// Frames is how many frame hashes the index holds.
func (ix *Index) Frames() int { return ix.mih.Len() }

// Add files a video's frames under id, replacing what id held before.
func (ix *Index) Add(id uint64, fs []Feature) error {
	p := Prepare(fs, ix.rule.Quality)
	if len(p) == 0 {
		return fmt.Errorf("video %d: %w", id, ErrNoFrames)
	}
	if len(p) > maxIndexedFrames {
		return fmt.Errorf("video %d: %d frames, more than %d", id, len(p), maxIndexedFrames)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(id)
	var s int
	if n := len(ix.free); n > 0 {
		s, ix.free = ix.free[n-1], ix.free[:n-1]
		ix.videos[s] = indexed{id: id, frames: p}
	} else {
		s = len(ix.videos)
		ix.videos = append(ix.videos, indexed{id: id, frames: p})
	}
	ix.slot[id] = s
	batch := make([]mih.Entry, len(p))
	for i, f := range p {
		batch[i] = mih.Entry{ID: uint64(s)<<frameBits | uint64(i), Hash: mih.FromBytes(f.Hash)}
	}
	ix.mih.AddBatch(batch)
	return nil
}

// Remove takes the video id out of the index.
func (ix *Index) Remove(id uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(id)
}

func (ix *Index) removeLocked(id uint64) {
	s, ok := ix.slot[id]
	if !ok {
		return
	}
	for i := range ix.videos[s].frames {
		ix.mih.Remove(uint64(s)<<frameBits | uint64(i))
	}
	ix.videos[s] = indexed{}
	delete(ix.slot, id)
	ix.free = append(ix.free, s)
}

// Compact tidies the multi-index after many additions; queries are faster
// after it.
func (ix *Index) Compact() { ix.mih.Compact() }

// Query returns the banked videos the query matches by the index's rule,
// best first (highest query share, then target share, then id).
func (ix *Index) Query(query []Feature) []IndexMatch {
	q := Prepare(query, ix.rule.Quality)
	if len(q) == 0 {
		return nil
	}
	type hits struct {
		q map[int]bool // query frames that matched a frame of the video
		t map[int]bool // the video's frames that matched a query frame
	}
	per := map[int]*hits{}
	for qi, f := range q {
		for _, r := range ix.mih.Radius(mih.FromBytes(f.Hash), ix.rule.Distance) {
			s := int(r.ID >> frameBits)
			h := per[s]
			if h == nil {
				h = &hits{q: map[int]bool{}, t: map[int]bool{}}
				per[s] = h
			}
			h.q[qi] = true
			h.t[int(r.ID&(maxIndexedFrames-1))] = true
		}
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []IndexMatch
	for s, h := range per {
		if s >= len(ix.videos) || ix.videos[s].frames == nil {
			continue // removed while the query ran
		}
		v := ix.videos[s]
		// The index's hits are exact (MIH answers a radius exactly), so the
		// counts are the rule's; spans are worked out only for videos that
		// reach the thresholds.
		qp := float64(len(h.q)) * 100 / float64(len(q))
		tp := float64(len(h.t)) * 100 / float64(len(v.frames))
		if qp < ix.rule.QueryPercent || tp < ix.rule.TargetPercent {
			continue
		}
		res := result(q, v.frames, marks(len(q), h.q), marks(len(v.frames), h.t), ix.rule)
		if res.Match {
			out = append(out, IndexMatch{ID: v.id, Result: res})
		}
	}
	slices.SortFunc(out, func(a, b IndexMatch) int {
		switch {
		case a.QueryPercent != b.QueryPercent:
			return cmpDesc(a.QueryPercent, b.QueryPercent)
		case a.TargetPercent != b.TargetPercent:
			return cmpDesc(a.TargetPercent, b.TargetPercent)
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

func marks(n int, set map[int]bool) []bool {
	m := make([]bool, n)
	for i := range set {
		m[i] = true
	}
	return m
}

func cmpDesc(a, b float64) int {
	if a > b {
		return -1
	}
	return 1
}
