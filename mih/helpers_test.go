package mih

import (
	"math/rand/v2"
	"slices"
)

// randomHash returns a uniformly random hash.
func randomHash(rng *rand.Rand) Hash {
	return Hash{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
}

// nearHash returns h with exactly d distinct bits flipped.
func nearHash(rng *rand.Rand, h Hash, d int) Hash {
	for _, b := range rng.Perm(Bits)[:d] {
		h[b/64] ^= 1 << (b % 64)
	}
	return h
}

// hashSet is a named generator of test hashes.
type hashSet struct {
	name string
	gen  func(rng *rand.Rand, n int) []Hash
}

var hashSets = []hashSet{
	{"random", func(rng *rand.Rand, n int) []Hash {
		out := make([]Hash, n)
		for i := range out {
			out[i] = randomHash(rng)
		}
		return out
	}},
	// clustered: a few seeds with many near copies at 0..64 bits, the shape
	// of a real bank (re-encodes, crops and edits of the same images).
	{"clustered", func(rng *rand.Rand, n int) []Hash {
		seeds := make([]Hash, max(n/50, 1))
		for i := range seeds {
			seeds[i] = randomHash(rng)
		}
		out := make([]Hash, n)
		for i := range out {
			out[i] = nearHash(rng, seeds[rng.IntN(len(seeds))], rng.IntN(65))
		}
		return out
	}},
	// lowEntropy: hashes whose chunks take few values, so posting lists are
	// long and chunks collide often (flat or synthetic images).
	{"low-entropy", func(rng *rand.Rand, n int) []Hash {
		out := make([]Hash, n)
		for i := range out {
			for w := range out[i] {
				out[i][w] = rng.Uint64() & rng.Uint64() & rng.Uint64()
			}
		}
		return out
	}},
}

// queriesFor returns random queries and queries near stored hashes.
func queriesFor(rng *rand.Rand, stored []Hash, n int) []Hash {
	qs := make([]Hash, 0, n)
	for i := 0; i < n; i++ {
		if i%3 == 0 || len(stored) == 0 {
			qs = append(qs, randomHash(rng))
		} else {
			qs = append(qs, nearHash(rng, stored[rng.IntN(len(stored))], rng.IntN(70)))
		}
	}
	return qs
}

// indexOnly makes ix answer every query through the posting tables, so that
// tests reach the index's own code at every radius and size, and seal its
// tail every tailMax additions. A merge factor of 2 keeps more segments
// apart than the default, so more of the multi-segment code runs.
func indexOnly(ix *Index, tailMax int) {
	ix.tune = tuning{tailMax: tailMax, reclaimMin: 16, linearAbove: Bits, smallLinear: 0, slotBits: defaultSlotBits, mergeFactor: 2}
}

func sortResults(r []Result) { slices.SortFunc(r, compareResults) }
