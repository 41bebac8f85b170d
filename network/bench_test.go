package network

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkGermanElections runs the 219k-row German election set end to end:
// read the CSV, detect co-shares of all four object types (60 s, min
// participation 2) and find communities.
func BenchmarkGermanElections(b *testing.B) {
	path := filepath.Join(coortweetDir, "german_elections.csv")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("CooRTweet sample data not present (%v)", err)
	}
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		shares, _, err := ReadShares(context.Background(), f, path, ReadOptions{Format: "csv"})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		_, g, err := Detect(shares, Options{Window: time.Minute, MinParticipation: 2})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Communities(g, CommunityOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

var benchSizes = []int{10_000, 100_000, 1_000_000}

// BenchmarkDetect measures co-share detection on synthetic data of growing
// size at a constant posting rate (see ScaledConfig).
func BenchmarkDetect(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("posts=%d", n), func(b *testing.B) {
			shares := GeneratePlanted(ScaledConfig(n, 1)).Shares
			for b.Loop() {
				if _, _, err := Detect(shares, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCommunities measures Leiden and ranking on the graphs
// BenchmarkDetect builds.
func BenchmarkCommunities(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("posts=%d", n), func(b *testing.B) {
			_, g, err := Detect(GeneratePlanted(ScaledConfig(n, 1)).Shares, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(g.Edges)), "edges")
			for b.Loop() {
				if _, err := Communities(g, CommunityOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIncremental adds 100k synthetic posts in time order, 1000 at a
// time, forgetting what can no longer pair, and reads the graph every 10
// windows, as a live pipeline would.
func BenchmarkIncremental(b *testing.B) {
	shares := GeneratePlanted(ScaledConfig(100_000, 1)).Shares
	slices.SortFunc(shares, func(x, y Share) int { return x.Time.Compare(y.Time) })
	for b.Loop() {
		d, _ := NewDetector(Options{})
		for i := 0; i < len(shares); i += 1000 {
			w := shares[i:min(i+1000, len(shares))]
			if err := d.Add(w); err != nil {
				b.Fatal(err)
			}
			d.Forget(w[len(w)-1].Time)
			if (i/1000)%10 == 9 {
				d.Graph()
			}
		}
	}
}

// BenchmarkStreamDetect measures what `marsad network --synthetic N` does
// before communities: generate posts in batches, add them to a detector as
// they come, then read the graph.
func BenchmarkStreamDetect(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("posts=%d", n), func(b *testing.B) {
			for b.Loop() {
				d, _ := NewDetector(Options{})
				if err := StreamPlanted(ScaledConfig(n, 1), 1<<16, d.Add); err != nil {
					b.Fatal(err)
				}
				g := d.Graph()
				b.ReportMetric(float64(len(g.Edges)), "edges")
			}
		})
	}
}
