package mih

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// build returns an index and a linear scan holding hashes under ids 1..n,
// with ids assigned in a shuffled order so that slot order and id order differ.
func build(rng *rand.Rand, hashes []Hash, tailMax int) (*Index, *Linear) {
	ix, lin := New(), NewLinear()
	indexOnly(ix, tailMax)
	for _, i := range rng.Perm(len(hashes)) {
		ix.Add(uint64(i+1), hashes[i])
		lin.Add(uint64(i+1), hashes[i])
	}
	return ix, lin
}

func sameResults(a, b []Result) bool {
	return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b))
}

// TestRadiusMatchesLinear is the central property: for every radius 0..64,
// random and clustered sets, random and near-duplicate queries, the index
// returns exactly what the linear scan returns.
func TestRadiusMatchesLinear(t *testing.T) {
	sizes := []struct {
		n, queries, tailMax int
	}{
		{n: 1500, queries: 12, tailMax: 96},            // small segments and a tail
		{n: denseMin + 3000, queries: 4, tailMax: 800}, // a dense segment and small ones
	}
	// slotBits 20 is the default; 4 makes every segment above 16 entries
	// store gaps, with frequent escapes to the overflow list; 0 sends every
	// entry to the overflow list.
	for _, set := range hashSets {
		for _, sz := range sizes {
			for _, slotBits := range []uint{defaultSlotBits, 4, 0} {
				if slotBits == 0 && sz.n > denseMin {
					continue
				}
				t.Run(fmt.Sprintf("%s/%d/slotBits=%d", set.name, sz.n, slotBits), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(sz.n), 7))
					hashes := set.gen(rng, sz.n)
					ix, lin := build(rng, hashes, sz.tailMax)
					ix.tune.slotBits = slotBits
					ix.Compact()                  // rebuild with this encoding...
					for i := 0; i < sz.n/3; i++ { // ...and leave small segments and a tail beside it
						ix.Add(uint64(sz.n+i+1), hashes[i])
						lin.Add(uint64(sz.n+i+1), hashes[i])
					}
					if st := ix.Stats(); st.Pending == 0 || st.Segments < 2 {
						t.Fatalf("want several segments and a tail, stats %+v", st)
					}
					queries := queriesFor(rng, hashes, sz.queries)
					for d := 0; d <= 64; d++ {
						for qi, q := range queries {
							got, want := ix.Radius(q, d), lin.Radius(q, d)
							if !sameResults(got, want) {
								t.Fatalf("radius %d query %d (%s): index %d results %v, linear %d results %v",
									d, qi, q, len(got), head(got), len(want), head(want))
							}
						}
					}
				})
			}
		}
	}
}

func head(r []Result) []Result { return r[:min(len(r), 5)] }

// TestRadiusDefaultTuning checks the thresholds New picks, including the
// switch to a scan above radius 47 and beyond 64, against the linear scan.
func TestRadiusDefaultTuning(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	hashes := hashSets[1].gen(rng, 3000)
	ix, lin := New(), NewLinear()
	for i, h := range hashes {
		ix.Add(uint64(i)*7919, h)
		lin.Add(uint64(i)*7919, h)
	}
	for _, d := range []int{-1, 0, 15, 16, 31, 32, 47, 48, 63, 64, 100, 256, 1000} {
		for _, q := range queriesFor(rng, hashes, 6) {
			if got, want := ix.Radius(q, d), lin.Radius(q, d); !sameResults(got, want) {
				t.Fatalf("radius %d: index %v, linear %v", d, head(got), head(want))
			}
		}
	}
	if got := ix.Radius(hashes[0], 1000); len(got) != len(hashes) {
		t.Fatalf("radius 1000 found %d of %d", len(got), len(hashes))
	}
}

func TestNearestMatchesLinear(t *testing.T) {
	for _, set := range hashSets {
		for _, linearAbove := range []int{31, 47, 64} {
			t.Run(fmt.Sprintf("%s/linearAbove=%d", set.name, linearAbove), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(11, uint64(linearAbove)))
				hashes := set.gen(rng, 2000)
				ix, lin := build(rng, hashes, 300)
				ix.tune.linearAbove = linearAbove
				for _, q := range queriesFor(rng, hashes, 8) {
					for _, k := range []int{0, 1, 3, 20, 1999, 2500} {
						got, want := ix.Nearest(q, k), lin.Nearest(q, k)
						if !sameResults(got, want) {
							t.Fatalf("k %d: index %v, linear %v", k, head(got), head(want))
						}
						if k > 0 && len(got) != min(k, len(hashes)) {
							t.Fatalf("k %d: %d results", k, len(got))
						}
					}
				}
			})
		}
	}
}

// TestDuplicateHashes: many ids under one hash must all be found, once each.
func TestDuplicateHashes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	h := randomHash(rng)
	ix := New()
	indexOnly(ix, 16)
	for id := uint64(100); id > 0; id-- {
		ix.Add(id, h)
	}
	got := ix.Radius(h, 0)
	if len(got) != 100 || got[0].ID != 1 || got[99].ID != 100 {
		t.Fatalf("Radius found %d results, first %v", len(got), head(got))
	}
	if n := ix.Nearest(nearHash(rng, h, 40), 3); len(n) != 3 || n[0] != (Result{ID: 1, Distance: 40}) {
		t.Fatalf("Nearest = %v", n)
	}
}

// TestAddRemoveInterleaved runs random additions, replacements and removals
// against the index and the linear scan and compares them as it goes, with
// thresholds low enough that merges and slot reclamation happen often.
func TestAddRemoveInterleaved(t *testing.T) {
	for _, tc := range []struct{ tailMax, mergeFactor int }{{2, 2}, {32, 2}, {16, 8}, {1 << 20, 2}} {
		t.Run(fmt.Sprintf("tailMax=%d/mergeFactor=%d", tc.tailMax, tc.mergeFactor), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.tailMax), 99))
			ix, lin := New(), NewLinear()
			indexOnly(ix, tc.tailMax)
			ix.tune.mergeFactor = tc.mergeFactor
			var stored []Hash
			for step := 0; step < 1200; step++ {
				id := uint64(rng.IntN(600))
				switch op := rng.IntN(10); {
				case op < 5:
					var h Hash
					if len(stored) > 0 && rng.IntN(2) == 0 {
						h = nearHash(rng, stored[rng.IntN(len(stored))], rng.IntN(40))
					} else {
						h = randomHash(rng)
					}
					stored = append(stored, h)
					ix.Add(id, h)
					lin.Add(id, h)
				case op < 9:
					if got, want := ix.Remove(id), lin.Remove(id); got != want {
						t.Fatalf("step %d: Remove(%d) = %v, linear %v", step, id, got, want)
					}
				default:
					ix.Compact()
				}
				if ix.Len() != lin.Len() {
					t.Fatalf("step %d: Len %d, linear %d", step, ix.Len(), lin.Len())
				}
				if step%60 == 0 {
					for _, q := range queriesFor(rng, stored, 4) {
						d := rng.IntN(65)
						if got, want := ix.Radius(q, d), lin.Radius(q, d); !sameResults(got, want) {
							t.Fatalf("step %d radius %d: index %v, linear %v", step, d, head(got), head(want))
						}
						if got, want := ix.Nearest(q, 5), lin.Nearest(q, 5); !sameResults(got, want) {
							t.Fatalf("step %d nearest: index %v, linear %v", step, got, want)
						}
					}
				}
			}
		})
	}
}

func TestRemoveAndReAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h1, h2 := randomHash(rng), randomHash(rng)
	ix := New()
	indexOnly(ix, 1<<20)
	if ix.Remove(1) {
		t.Fatal("Remove on an empty index reported true")
	}
	ix.Add(1, h1)
	ix.Add(1, h1) // same hash again: no change
	if ix.Len() != 1 {
		t.Fatalf("Len = %d after adding the same entry twice", ix.Len())
	}
	ix.Add(1, h2) // replace
	if got := ix.Radius(h1, 0); len(got) != 0 {
		t.Fatalf("old hash still found after replacement: %v", got)
	}
	if got := ix.Radius(h2, 0); len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("new hash not found: %v", got)
	}
	if !ix.Remove(1) || ix.Remove(1) {
		t.Fatal("Remove must succeed once")
	}
	if ix.Len() != 0 || len(ix.Radius(h2, 256)) != 0 || len(ix.Nearest(h2, 1)) != 0 {
		t.Fatal("removed entry still visible")
	}
	ix.Add(1, h1)
	ix.Compact()
	if st := ix.Stats(); st.Len != 1 || st.Removed != 0 || st.Pending != 0 || st.Segments != 1 {
		t.Fatalf("after Compact: %+v", st)
	}
	if got := ix.Radius(h1, 0); len(got) != 1 {
		t.Fatalf("re-added hash not found after Compact: %v", got)
	}
}

// TestIDTable exercises the open-addressing table directly, including
// deletions inside long probe runs.
func TestIDTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	var ids []uint64
	idAt := func(s uint32) uint64 { return ids[s] }
	tab := newIDTable(0)
	want := map[uint64]uint32{}
	for step := 0; step < 20000; step++ {
		// ids that are multiples of a large power of two collide at home.
		id := uint64(rng.IntN(2000)) << 40
		if _, cell, ok := tab.find(id, idAt); ok {
			tab.remove(cell, idAt)
			delete(want, id)
		} else {
			if !tab.fits(1) {
				tab = tab.grown(1, idAt)
			}
			ids = append(ids, id)
			tab.insert(id, uint32(len(ids)-1))
			want[id] = uint32(len(ids) - 1)
		}
		if tab.count != len(want) {
			t.Fatalf("step %d: count %d, want %d", step, tab.count, len(want))
		}
	}
	for id, slot := range want {
		if got, _, ok := tab.find(id, idAt); !ok || got != slot {
			t.Fatalf("find(%d) = %d, %v; want %d", id, got, ok, slot)
		}
	}
}

// TestConcurrentReaders runs queries while a writer adds, removes and
// merges; hashes that are never removed must be found by every query.
// Run with -race to check the locking.
func TestConcurrentReaders(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	ix := New()
	indexOnly(ix, 64)
	fixed := make([]Hash, 50)
	for i := range fixed {
		fixed[i] = randomHash(rng)
		ix.Add(uint64(i), fixed[i])
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := (n + r) % len(fixed)
				got := ix.Radius(fixed[i], 31)
				if !slices.Contains(got, Result{ID: uint64(i), Distance: 0}) {
					errs <- fmt.Errorf("reader %d: hash %d not found: %v", r, i, head(got))
					return
				}
				_ = ix.Nearest(fixed[i], 2)
				_ = ix.Stats()
			}
		}(r)
	}
	wrng := rand.New(rand.NewPCG(1, 1))
	for step := 0; step < 4000; step++ {
		id := uint64(1000 + wrng.IntN(500))
		if wrng.IntN(3) == 0 {
			ix.Remove(id)
		} else {
			ix.Add(id, nearHash(wrng, fixed[wrng.IntN(len(fixed))], 10+wrng.IntN(30)))
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestAddBatch loads batches that repeat ids (within the batch and across
// batches) and compares with one Add per entry on the linear scan.
func TestAddBatch(t *testing.T) {
	for _, set := range hashSets {
		t.Run(set.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(31, 41))
			ix, lin := New(), NewLinear()
			indexOnly(ix, 64)
			var stored []Hash
			for batch := 0; batch < 6; batch++ {
				n := []int{10, 500, 63, 64, 1200, 300}[batch]
				hashes := set.gen(rng, n)
				entries := make([]Entry, n)
				for i, h := range hashes {
					entries[i] = Entry{ID: uint64(rng.IntN(1500)), Hash: h}
					lin.Add(entries[i].ID, h)
				}
				stored = append(stored, hashes...)
				ix.AddBatch(entries)
				if ix.Len() != lin.Len() {
					t.Fatalf("batch %d: Len %d, linear %d", batch, ix.Len(), lin.Len())
				}
				for _, q := range queriesFor(rng, stored, 10) {
					d := rng.IntN(65)
					if got, want := ix.Radius(q, d), lin.Radius(q, d); !sameResults(got, want) {
						t.Fatalf("batch %d radius %d: index %v, linear %v", batch, d, head(got), head(want))
					}
				}
				// Every id must be removable exactly once afterwards.
				if batch == 5 {
					for id := uint64(0); id < 1500; id++ {
						if got, want := ix.Remove(id), lin.Remove(id); got != want {
							t.Fatalf("Remove(%d) = %v, linear %v", id, got, want)
						}
					}
					if ix.Len() != 0 {
						t.Fatalf("Len %d after removing every id", ix.Len())
					}
				}
			}
		})
	}
}

// TestWideIDs: ids beyond 32 bits switch a segment to 64-bit ids.
func TestWideIDs(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	ix := New()
	indexOnly(ix, 8)
	hs := make([]Hash, 40)
	for i := range hs {
		hs[i] = randomHash(rng)
		id := uint64(i)
		if i%3 == 0 {
			id = 1<<63 + uint64(i)
		}
		ix.Add(id, hs[i])
	}
	ix.Compact()
	for i, h := range hs {
		want := uint64(i)
		if i%3 == 0 {
			want = 1<<63 + uint64(i)
		}
		if got := ix.Radius(h, 0); len(got) != 1 || got[0].ID != want {
			t.Fatalf("hash %d: %v, want id %d", i, got, want)
		}
	}
}
