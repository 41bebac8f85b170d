package vpdq

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/marsad/marsad/pdq"
)

func randHash(r *rand.Rand) pdq.Hash {
	var h pdq.Hash
	for i := range h {
		h[i] = byte(r.UintN(256))
	}
	return h
}

// flip returns h with its first n bits inverted.
func flip(h pdq.Hash, n int) pdq.Hash {
	for k := 0; k < n; k++ {
		h[k/8] ^= 1 << (k % 8)
	}
	return h
}

func video(hs []pdq.Hash, q int) []Feature {
	out := make([]Feature, len(hs))
	for i, h := range hs {
		out[i] = Feature{Frame: i * 30, Quality: q, Hash: h, Timestamp: float64(i)}
	}
	return out
}

func TestMatchRule(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := make([]pdq.Hash, 10)
	for i := range base {
		base[i] = randHash(r)
	}
	near := make([]pdq.Hash, len(base))
	for i := range base {
		near[i] = flip(base[i], 31) // exactly at the threshold: matches
	}
	far := make([]pdq.Hash, len(base))
	for i := range base {
		far[i] = flip(base[i], 32)
	}
	other := make([]pdq.Hash, 10)
	for i := range other {
		other[i] = randHash(r)
	}
	tests := []struct {
		name          string
		query, target []Feature
		qPct, tPct    float64
		match         bool
		qSpans        []Span
	}{
		{"same", video(base, 100), video(base, 100), 100, 100, true, []Span{{0, 9}}},
		{"distance 31 matches", video(near, 100), video(base, 100), 100, 100, true, []Span{{0, 9}}},
		{"distance 32 does not", video(far, 100), video(base, 100), 0, 0, false, nil},
		{"unrelated", video(other, 100), video(base, 100), 0, 0, false, nil},
		{"clip of the target", video(base[2:6], 100), video(base, 100), 100, 40, true, []Span{{0, 3}}},
		{"target inside a longer query", video(append(append([]pdq.Hash{}, other[:5]...), base[:5]...), 100), video(base[:5], 100), 50, 100, false, []Span{{5, 9}}},
		{"low quality is not compared", video(base, 49), video(base, 100), 0, 0, false, nil},
		{"quality 50 is compared", video(base, 50), video(base, 100), 100, 100, true, []Span{{0, 9}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Match(tc.query, tc.target, Rule{})
			if res.QueryPercent != tc.qPct || res.TargetPercent != tc.tPct || res.Match != tc.match {
				t.Errorf("got query %.1f%% target %.1f%% match %t, want %.1f%% %.1f%% %t", res.QueryPercent, res.TargetPercent, res.Match, tc.qPct, tc.tPct, tc.match)
			}
			if len(res.QuerySpans) != len(tc.qSpans) {
				t.Fatalf("query spans %v, want %v", res.QuerySpans, tc.qSpans)
			}
			for i := range tc.qSpans {
				if res.QuerySpans[i] != tc.qSpans[i] {
					t.Errorf("query spans %v, want %v", res.QuerySpans, tc.qSpans)
				}
			}
		})
	}
}

func TestDedupeAll(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, b := randHash(r), randHash(r)
	got := Dedupe(video([]pdq.Hash{a, a, b, a, b}, 100))
	if len(got) != 2 || got[0].Hash != a || got[1].Hash != b || got[1].Frame != 60 {
		t.Fatalf("Dedupe = %v", got)
	}
	// Repeated frames count once: a query of one frame repeated matches.
	res := Match(video([]pdq.Hash{a, a, a, a, b}, 100), video([]pdq.Hash{a}, 100), Rule{})
	if res.QueryFrames != 2 || res.QueryPercent != 50 {
		t.Fatalf("got %d frames %.0f%%, want 2 frames 50%%", res.QueryFrames, res.QueryPercent)
	}
}

// TestReencodedTrimmedCopyMatches makes a copy of a sample video with a
// different codec, bitrate and resolution, cut by several seconds at both
// ends, and checks it matches the original under the default rule while an
// unrelated sample video does not.
func TestReencodedTrimmedCopyMatches(t *testing.T) {
	needFFmpeg(t)
	orig := filepath.Join(dataDir, "sample-videos", "chair-22-sd-sepia-bar.mp4")
	unrelated := filepath.Join(dataDir, "sample-videos", "pattern-hd-no-bar.mp4")
	if _, err := os.Stat(orig); err != nil {
		t.Skipf("sample videos absent from %s (see SOURCE.md)", dataDir)
	}
	ctx := context.Background()
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "copy.webm")
	// VP9 at 200 kbit/s, 360 pixels wide (from 720), from 4 s to 18 s of
	// 22 s. The frame rate is kept: at one frame a second, a copy whose
	// frames fall between the original's samples matches only where the
	// picture changes slowly (see FORMAT.md).
	cmd := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-ss", "4", "-i", orig, "-t", "14",
		"-c:v", "libvpx-vp9", "-b:v", "200k", "-deadline", "realtime", "-cpu-used", "8", "-vf", "scale=360:-2", "-an", copyPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making the copy: %v: %s", err, out)
	}
	bank, err := HashFile(ctx, orig, Options{SecondsPerHash: -1})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := HashFile(ctx, copyPath, Options{SecondsPerHash: -1})
	if err != nil {
		t.Fatal(err)
	}
	other, err := HashFile(ctx, unrelated, Options{SecondsPerHash: -1})
	if err != nil {
		t.Fatal(err)
	}
	res := Match(cp, bank, Rule{})
	t.Logf("copy vs original: %d of %d copy frames, %d of %d original frames (%.1f%% / %.1f%%), copy spans %v, original spans %v",
		res.QueryMatched, res.QueryFrames, res.TargetMatched, res.TargetFrames, res.QueryPercent, res.TargetPercent, res.QuerySpans, res.TargetSpans)
	if !res.Match {
		t.Errorf("re-encoded, trimmed copy does not match: %+v", res)
	}
	if res.TargetPercent >= 100 {
		t.Errorf("a copy missing 8 s of 22 s matched %.0f%% of the original", res.TargetPercent)
	}
	if len(res.TargetSpans) == 0 || res.TargetSpans[0].Start < 2 || res.TargetSpans[len(res.TargetSpans)-1].End > 20 {
		t.Errorf("original spans %v, want inside about 4 s to 18 s", res.TargetSpans)
	}
	neg := Match(other, bank, Rule{})
	t.Logf("unrelated vs original: %.1f%% / %.1f%%", neg.QueryPercent, neg.TargetPercent)
	if neg.Match {
		t.Errorf("unrelated video matches: %+v", neg)
	}
}
