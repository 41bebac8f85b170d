package vpdq

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/marsad/marsad/pdq"
)

// synthetic returns n random videos of frames frames each.
func synthetic(r *rand.Rand, n, frames int) [][]Feature {
	out := make([][]Feature, n)
	for v := range out {
		hs := make([]pdq.Hash, frames)
		for i := range hs {
			hs[i] = randHash(r)
		}
		out[v] = video(hs, 100)
	}
	return out
}

// noisy returns a copy of fs with k random bits of every hash flipped.
func noisy(r *rand.Rand, fs []Feature, k int) []Feature {
	out := make([]Feature, len(fs))
	for i, f := range fs {
		for j := 0; j < k; j++ {
			b := r.IntN(256)
			f.Hash[b/8] ^= 1 << (b % 8)
		}
		out[i] = f
	}
	return out
}

// TestIndexAgreesWithBruteForce checks the index gives the same matches,
// shares and spans as comparing the query with every video.
func TestIndexAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	videos := synthetic(r, 300, 12)
	ix := NewIndex(Rule{})
	for i, v := range videos {
		if err := ix.Add(uint64(i+1), v); err != nil {
			t.Fatal(err)
		}
	}
	queries := [][]Feature{
		noisy(r, videos[7], 10),                                   // a near copy
		noisy(r, videos[20][3:9], 20),                             // a clip
		append(noisy(r, videos[30], 5), synthetic(r, 1, 2)[0]...), // padded by 2 unrelated frames
		append(videos[40][:6:6], videos[41][:6]...),               // half of two videos
		synthetic(r, 1, 10)[0],                                    // unrelated
	}
	for qi, q := range queries {
		got := ix.Query(q)
		var want []IndexMatch
		for i, v := range videos {
			if res := Match(q, v, Rule{}); res.Match {
				want = append(want, IndexMatch{ID: uint64(i + 1), Result: res})
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("query %d: index %+v\nbrute force %+v", qi, got, want)
		}
	}
	ix.Remove(8)
	if got := ix.Query(queries[0]); len(got) != 0 {
		t.Errorf("removed video still matches: %+v", got)
	}
	if err := ix.Add(99, video([]pdq.Hash{{}}, 10)); err == nil {
		t.Error("a video of only low-quality frames was indexed")
	}
}

// BenchmarkIndexQuery100k measures one query against 100,000 videos of 30
// random frames (3 million frame hashes). The query is a noisy copy of a
// banked video, so the answer has one video.
func BenchmarkIndexQuery100k(b *testing.B) {
	const n, frames = 100_000, 30
	r := rand.New(rand.NewPCG(7, 8))
	ix := NewIndex(Rule{})
	start := time.Now()
	var keep []Feature
	for i := 0; i < n; i++ {
		v := synthetic(r, 1, frames)[0]
		if i == n/2 {
			keep = v
		}
		ix.Add(uint64(i+1), v)
	}
	ix.Compact()
	b.Logf("indexed %d videos, %d frames in %v", ix.Len(), ix.Frames(), time.Since(start).Round(time.Millisecond))
	q := noisy(r, keep, 12)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if m := ix.Query(q); len(m) != 1 || m[0].ID != n/2+1 {
			b.Fatalf("got %+v", m)
		}
	}
}
