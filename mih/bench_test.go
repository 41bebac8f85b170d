package mih

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchN sizes the benchmark index: go test -bench . -mih.n 1000000 ./mih.
// scripts/bench-mih.sh runs the larger end-to-end measurement.
var benchN = flag.Int("mih.n", 200_000, "hashes in the benchmark index")

// benchData is an index of benchN hashes (a fifth of them near-duplicates,
// 0..40 bits, of a seed set), the same data in a linear scan, and queries.
type benchData struct {
	ix            *Index
	lin           *Linear
	hashes, seeds []Hash
	random, near  []Hash
}

var benchOnce = sync.OnceValue(func() *benchData {
	n := *benchN
	rng := rand.New(rand.NewPCG(1, 2))
	bd := &benchData{ix: New(), lin: NewLinear()}
	bd.seeds = make([]Hash, max(n/100, 1))
	for i := range bd.seeds {
		bd.seeds[i] = randomHash(rng)
	}
	entries := make([]Entry, n)
	for i := range entries {
		h := randomHash(rng)
		if i%5 == 0 {
			h = nearHash(rng, bd.seeds[rng.IntN(len(bd.seeds))], rng.IntN(41))
		}
		entries[i] = Entry{ID: uint64(i + 1), Hash: h}
		bd.hashes = append(bd.hashes, h)
		bd.lin.Add(uint64(i+1), h)
	}
	bd.ix.AddBatch(entries)
	bd.ix.Compact()
	for i := 0; i < 1024; i++ {
		bd.random = append(bd.random, randomHash(rng))
		bd.near = append(bd.near, nearHash(rng, bd.seeds[rng.IntN(len(bd.seeds))], rng.IntN(41)))
	}
	return bd
})

// threadCPU returns the CPU time used by the calling OS thread (Linux's
// RUSAGE_THREAD), or 0 where that is not available.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopCPU runs f in a b.Loop and reports, beside the wall time, the thread's
// CPU time per operation: on a shared machine it moves far less with the
// load of other processes than ns/op does.
func loopCPU(b *testing.B, f func(i int)) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	i := 0
	for b.Loop() {
		f(i)
		i++
	}
	if cpu := threadCPU() - cpu0; cpu0 != 0 && i > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(i), "cpu-ns/op")
	}
}

func BenchmarkRadius(b *testing.B) {
	bd := benchOnce()
	for _, kind := range []struct {
		name    string
		queries []Hash
	}{{"random", bd.random}, {"near", bd.near}} {
		b.Run("index/"+kind.name, func(b *testing.B) {
			loopCPU(b, func(i int) { bd.ix.Radius(kind.queries[i%len(kind.queries)], 31) })
		})
		b.Run("linear/"+kind.name, func(b *testing.B) {
			loopCPU(b, func(i int) { bd.lin.Radius(kind.queries[i%len(kind.queries)], 31) })
		})
	}
}

// BenchmarkRadiusByDistance compares the posting tables with a scan of every
// hash over the radii around the switch-over (tuning.linearAbove).
func BenchmarkRadiusByDistance(b *testing.B) {
	bd := benchOnce()
	saved := bd.ix.tune
	defer func() { bd.ix.tune = saved }()
	for _, d := range []int{31, 40, 47, 48, 56, 64} {
		for _, mode := range []struct {
			name        string
			linearAbove int
		}{{"index", Bits}, {"scan", -1}} {
			b.Run(fmt.Sprintf("d=%d/%s", d, mode.name), func(b *testing.B) {
				bd.ix.tune.linearAbove = mode.linearAbove
				loopCPU(b, func(i int) { bd.ix.Radius(bd.near[i%len(bd.near)], d) })
			})
		}
	}
}

func BenchmarkNearest(b *testing.B) {
	bd := benchOnce()
	for _, k := range []int{1, 10} {
		b.Run(fmt.Sprintf("k=%d/near", k), func(b *testing.B) {
			loopCPU(b, func(i int) { bd.ix.Nearest(bd.near[i%len(bd.near)], k) })
		})
	}
}

// BenchmarkAdd adds hashes one at a time to an index already holding benchN.
func BenchmarkAdd(b *testing.B) {
	bd := benchOnce()
	rng := rand.New(rand.NewPCG(3, 3))
	id := uint64(1 << 40)
	for b.Loop() {
		bd.ix.Add(id, randomHash(rng))
		id++
	}
	b.StopTimer()
	for ; id > 1<<40; id-- {
		bd.ix.Remove(id - 1)
	}
	bd.ix.Compact()
}

// BenchmarkAddBatch builds an index of benchN hashes; ns/op is per hash.
func BenchmarkAddBatch(b *testing.B) {
	bd := benchOnce()
	entries := make([]Entry, len(bd.hashes))
	for i, h := range bd.hashes {
		entries[i] = Entry{ID: uint64(i + 1), Hash: h}
	}
	for b.Loop() {
		ix := New()
		ix.AddBatch(entries)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(entries)), "ns/hash")
}

func BenchmarkParseHex(b *testing.B) {
	s := "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
	for b.Loop() {
		if _, err := ParseHex(s); err != nil {
			b.Fatal(err)
		}
	}
}
