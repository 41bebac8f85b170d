// Command benchmih measures the mih index against the linear scan on
// synthetic PDQ-like hashes: random hashes plus near-duplicates of a seed set.
// It prints build time, memory per hash, and queries per second with p50/p99
// latency for random and near-duplicate queries, both for the index and for
// the linear scan in the same run, and checks that the two agree.
//
// Usage:
//
//	go run ./mih/internal/benchmih [-n 1000000] [-radius 31] [-queries 20000] [-linear-queries 200]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"github.com/marsad/marsad/mih"
)

// rusageThread is RUSAGE_THREAD: the resource use of the calling thread (Linux).
const rusageThread = 1

func main() {
	n := flag.Int("n", 1_000_000, "hashes in the index, random and near-duplicate together")
	dupShare := flag.Float64("dup", 0.2, "share of the hashes that are near-duplicates (0..40 bits) of a seed set")
	seeds := flag.Int("seeds", 0, "seed hashes the near-duplicates derive from (default n/100)")
	radius := flag.Int("radius", 31, "query radius")
	queries := flag.Int("queries", 20000, "index queries of each kind")
	linQueries := flag.Int("linear-queries", 200, "linear-scan queries of each kind (a sample of the index queries)")
	seed := flag.Uint64("seed", 1, "random seed")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *n <= 0 || *dupShare < 0 || *dupShare > 1 || *queries <= 0 || *linQueries < 0 || *radius < 0 {
		fmt.Fprintln(os.Stderr, "benchmih: -n and -queries must be positive, -dup in 0..1, -linear-queries and -radius not negative")
		os.Exit(2)
	}
	if *seeds <= 0 {
		*seeds = max(*n/100, 1)
	}
	*linQueries = min(*linQueries, *queries)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchmih:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "benchmih:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	run(*n, *dupShare, *seeds, *radius, *queries, *linQueries, *seed)
}

func randomHash(rng *rand.Rand) mih.Hash {
	return mih.Hash{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
}

// near returns h with d distinct bits flipped.
func near(rng *rand.Rand, h mih.Hash, d int) mih.Hash {
	var flipped [mih.Bits]bool
	for d > 0 {
		b := rng.IntN(mih.Bits)
		if flipped[b] {
			continue
		}
		flipped[b] = true
		h[b/64] ^= 1 << (b % 64)
		d--
	}
	return h
}

func heapAlloc() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func run(n int, dupShare float64, nSeeds, radius, nq, nlin int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x6d6968))
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Printf("data: %d hashes (%d near-duplicates at 0..40 bits of %d seeds), radius %d\n",
		n, int(float64(n)*dupShare), nSeeds, radius)

	seedHashes := make([]mih.Hash, nSeeds)
	for i := range seedHashes {
		seedHashes[i] = randomHash(rng)
	}
	hashes := make([]mih.Hash, n)
	nDup := int(float64(n) * dupShare)
	for i := range hashes {
		if i < nDup {
			hashes[i] = near(rng, seedHashes[rng.IntN(nSeeds)], rng.IntN(41))
		} else {
			hashes[i] = randomHash(rng)
		}
	}
	rng.Shuffle(len(hashes), func(i, j int) { hashes[i], hashes[j] = hashes[j], hashes[i] })
	kinds := []struct {
		name    string
		queries []mih.Hash
	}{
		{"random", make([]mih.Hash, nq)},
		{"near-duplicate", make([]mih.Hash, nq)},
	}
	for i := 0; i < nq; i++ {
		kinds[0].queries[i] = randomHash(rng)
		kinds[1].queries[i] = near(rng, seedHashes[rng.IntN(nSeeds)], rng.IntN(41))
	}

	// Index: build and memory. The entries slice is what a loader reads from
	// its store; it is freed before the memory is measured.
	before := heapAlloc()
	entries := make([]mih.Entry, n)
	for i, h := range hashes {
		entries[i] = mih.Entry{ID: uint64(i + 1), Hash: h}
	}
	start := time.Now()
	ix := mih.New()
	ix.AddBatch(entries)
	ix.Compact()
	build := time.Since(start)
	entries = nil
	after := heapAlloc()
	st := ix.Stats()
	fmt.Printf("\nindex build (AddBatch): %.2f s (%.0f hashes/s)\n", build.Seconds(), float64(n)/build.Seconds())
	fmt.Printf("index memory: %.1f MiB heap, %.1f bytes/hash (index's own count: %.1f MiB, %.1f bytes/hash)\n",
		mib(after-before), float64(after-before)/float64(n), mib(uint64(st.Bytes)), float64(st.Bytes)/float64(n))

	// Linear scan over the same hashes.
	before = heapAlloc()
	lin := mih.NewLinear()
	for i, h := range hashes {
		lin.Add(uint64(i+1), h)
	}
	after = heapAlloc()
	runtime.KeepAlive(hashes) // the input must stay counted on both sides
	fmt.Printf("linear memory: %.1f MiB heap, %.1f bytes/hash\n", mib(after-before), float64(after-before)/float64(n))

	fmt.Printf("\n%-15s %-7s %8s %12s %10s %10s %10s %10s %9s %10s %10s\n", "queries", "method", "count", "queries/s", "p50", "p99", "max", "cpu/query", "matches", "preempted", "p99 rest")
	for _, k := range kinds {
		ixStats, ixRes := measure(k.queries, func(q mih.Hash) []mih.Result { return ix.Radius(q, radius) })
		linStats, linRes := measure(k.queries[:nlin], func(q mih.Hash) []mih.Result { return lin.Radius(q, radius) })
		print(k.name, "index", ixStats)
		print(k.name, "linear", linStats)
		agree := 0
		for i := range linRes {
			if slices.Equal(ixRes[i], linRes[i]) {
				agree++
			}
		}
		fmt.Printf("%-15s speed-up %.0fx (mean), %.0fx (p50), %.0fx (cpu); index and linear agree on %d of %d queries\n",
			k.name, linStats.mean.Seconds()/ixStats.mean.Seconds(), linStats.p50.Seconds()/ixStats.p50.Seconds(),
			linStats.cpu.Seconds()/ixStats.cpu.Seconds(), agree, len(linRes))
		if agree != len(linRes) {
			fmt.Fprintln(os.Stderr, "benchmih: index and linear scan disagree")
			os.Exit(1)
		}
	}
	runtime.KeepAlive(lin)

	// Live additions through Add, then queries against the index as they
	// leave it (a tail and a few small segments beside the large one).
	nAdd := max(n/10, 1)
	start = time.Now()
	for i := 0; i < nAdd; i++ {
		var h mih.Hash
		if i%5 == 0 {
			h = near(rng, seedHashes[rng.IntN(nSeeds)], rng.IntN(41))
		} else {
			h = randomHash(rng)
		}
		ix.Add(uint64(n+i+1), h)
	}
	addTime := time.Since(start)
	st = ix.Stats()
	fmt.Printf("\nlive additions: %d Add calls in %.2f s (%.0f adds/s); now %d segments + %d in the tail\n",
		nAdd, addTime.Seconds(), float64(nAdd)/addTime.Seconds(), st.Segments, st.Pending)
	afterAdds, _ := measure(kinds[0].queries, func(q mih.Hash) []mih.Result { return ix.Radius(q, radius) })
	print("random", "index", afterAdds)
}

type stats struct {
	count                      int
	total, mean, p50, p99, max time.Duration
	cpu                        time.Duration // thread CPU time per query: what the query costs without contention
	matches                    float64
	preempted                  int           // queries during which the OS switched the thread out
	quietP99                   time.Duration // p99 of the other queries
}

// preemptions returns how often the OS has switched the calling thread out
// involuntarily (other processes wanted the core).
func preemptions() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return ru.Nivcsw
}

// threadCPU returns the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measure(queries []mih.Hash, f func(mih.Hash) []mih.Result) (stats, [][]mih.Result) {
	lat := make([]time.Duration, len(queries))
	var quiet []time.Duration // latencies of queries the OS did not preempt
	res := make([][]mih.Result, len(queries))
	var matches int
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	start := time.Now()
	for i, q := range queries {
		sw := preemptions()
		t := time.Now()
		res[i] = f(q)
		lat[i] = time.Since(t)
		if preemptions() == sw {
			quiet = append(quiet, lat[i])
		}
		matches += len(res[i])
	}
	total := time.Since(start)
	cpu := threadCPU() - cpu0
	slices.Sort(lat)
	slices.Sort(quiet)
	s := stats{count: len(queries), total: total, preempted: len(queries) - len(quiet)}
	if len(lat) > 0 {
		s.cpu = cpu / time.Duration(len(lat))
		s.mean = total / time.Duration(len(lat))
		s.p50 = lat[len(lat)/2]
		s.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
		s.max = lat[len(lat)-1]
		s.matches = float64(matches) / float64(len(lat))
	}
	if len(quiet) > 0 {
		s.quietP99 = quiet[min(len(quiet)-1, len(quiet)*99/100)]
	}
	return s, res
}

func print(kind, method string, s stats) {
	fmt.Printf("%-15s %-7s %8d %12.0f %10s %10s %10s %10s %9.2f %9.1f%% %10s\n", kind, method, s.count,
		float64(s.count)/s.total.Seconds(), round(s.p50), round(s.p99), round(s.max), round(s.cpu), s.matches,
		100*float64(s.preempted)/float64(max(s.count, 1)), round(s.quietP99))
}

func round(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
	default:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
