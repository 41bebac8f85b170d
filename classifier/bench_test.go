package classifier

import (
	"encoding/csv"
	"os"
	"runtime"
	"testing"
)

// arabicPosts reads the Arabic posts of the staged data sets, or skips.
func arabicPosts(tb testing.TB) []string {
	const path = "../../shared/data/osact2022-arabic-offensive-hate-violence/train_data2022.csv"
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("Arabic data not present (%v); the benchmark needs ../shared/data", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[1])
	}
	return out
}

// BenchmarkClassify measures Classify, explanations included, on Arabic
// tweets. Run with -cpu 1: posts/s is then per core on an idle machine, and
// posts/cpu-s (posts per second of CPU time) is per core on a busy one.
func BenchmarkClassify(b *testing.B) {
	posts := arabicPosts(b)
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	var bytes int
	for _, p := range posts {
		bytes += len(p)
	}
	b.SetBytes(int64(bytes / len(posts)))
	b.ReportAllocs()
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		m.Classify(posts[i%len(posts)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		// Per second of CPU: the figure per core, whatever else runs.
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "posts/cpu-s")
	}
}

// BenchmarkClassifyParallel measures throughput with every core busy.
func BenchmarkClassifyParallel(b *testing.B) {
	posts := arabicPosts(b)
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.Classify(posts[i%len(posts)])
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkModelMemory reports the heap a loaded default model holds, in
// MB: the weights, the language identifier and the rules.
func BenchmarkModelMemory(b *testing.B) {
	var keep []*Model
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := Default()
		if err != nil {
			b.Fatal(err)
		}
		m.Classify("warm the pools: الدولة الإسلامية")
		runtime.GC()
		runtime.ReadMemStats(&after)
		keep = append(keep[:0], m)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "model-MB")
	}
	runtime.KeepAlive(keep)
}
