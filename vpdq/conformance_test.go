package vpdq

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/marsad/marsad/pdq"
)

const dataDir = "../../shared/data/pdq-threatexchange/vpdq"

// Upstream's regression tolerances (vpdq/python/tests/test_vpdq_hash.py,
// lines 15-16 and 130-133): frames of quality 50 or more on both sides must
// be under distance 31 and carry the same frame number.
const (
	confDistance = 31
	confQuality  = 50
)

var updateConformance = flag.Bool("update-conformance", false, "rewrite the table in CONFORMANCE.md")

// needFFmpeg skips a test when ffmpeg is not installed.
func needFFmpeg(t testing.TB) {
	t.Helper()
	if err := (Options{}).Available(); err != nil {
		t.Skipf("skipping: %v; the CI script installs it", err)
	}
}

type confRow struct {
	name                       string
	frames, want               int
	compared, matched, exact   int
	maxDist                    int
	meanDist                   float64
	sameNumbers, sameTimestamp bool
}

// TestConformance hashes every upstream sample video frame by frame
// (seconds_per_hash 0, as the upstream test does) and compares each frame
// with the expected hash file, line by line.
func TestConformance(t *testing.T) {
	needFFmpeg(t)
	videos, err := filepath.Glob(filepath.Join(dataDir, "sample-videos", "*.mp4"))
	if err != nil || len(videos) == 0 {
		t.Skipf("sample videos absent from %s (see SOURCE.md)", dataDir)
	}
	type job struct {
		name, video, hashes string
		w, h                int
	}
	var jobs []job
	size := regexp.MustCompile(`^(.*)-(\d+)x(\d+)\.txt$`)
	for _, v := range videos {
		base := strings.TrimSuffix(filepath.Base(v), ".mp4")
		jobs = append(jobs, job{name: base, video: v, hashes: filepath.Join(dataDir, "sample-hashes", base+".txt")})
		more, _ := filepath.Glob(filepath.Join(dataDir, "sample-hashes", base+"-*x*.txt"))
		for _, m := range more {
			g := size.FindStringSubmatch(filepath.Base(m))
			if g == nil || g[1] != base {
				continue
			}
			w, _ := strconv.Atoi(g[2])
			h, _ := strconv.Atoi(g[3])
			jobs = append(jobs, job{name: strings.TrimSuffix(filepath.Base(m), ".txt"), video: v, hashes: m, w: w, h: h})
		}
	}
	if testing.Short() || raceEnabled {
		jobs = jobs[:3]
	}
	rows := make([]confRow, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rows[i], errs[i] = conform(j.name, j.video, j.hashes, j.w, j.h)
		}()
	}
	wg.Wait()
	for i, r := range rows {
		if errs[i] != nil {
			t.Errorf("%s: %v", jobs[i].name, errs[i])
			continue
		}
		t.Logf("%-40s frames %4d/%4d compared %4d matched %4d exact %4d max %2d mean %.2f", r.name, r.frames, r.want, r.compared, r.matched, r.exact, r.maxDist, r.meanDist)
		if r.frames != r.want {
			t.Errorf("%s: %d frames, want %d", r.name, r.frames, r.want)
		}
		if r.matched != r.compared {
			t.Errorf("%s: %d of %d compared frames at distance %d or more", r.name, r.compared-r.matched, r.compared, confDistance)
		}
		if !r.sameNumbers || !r.sameTimestamp {
			t.Errorf("%s: frame numbers or timestamps differ from the expected file", r.name)
		}
	}
	if *updateConformance && !testing.Short() && !raceEnabled && !t.Failed() {
		if err := writeConformance(rows); err != nil {
			t.Fatal(err)
		}
	}
}

func conform(name, video, hashes string, w, h int) (confRow, error) {
	r := confRow{name: name, sameNumbers: true, sameTimestamp: true}
	f, err := os.Open(hashes)
	if err != nil {
		return r, err
	}
	defer f.Close()
	want, err := Read(f)
	if err != nil {
		return r, fmt.Errorf("%s: %w", hashes, err)
	}
	got, err := HashFile(context.Background(), video, Options{SecondsPerHash: 0, Width: w, Height: h})
	if err != nil {
		return r, err
	}
	r.frames, r.want = len(got), len(want)
	sum := 0
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i].Frame != want[i].Frame {
			r.sameNumbers = false
		}
		if FormatLine(got[i])[strings.LastIndexByte(FormatLine(got[i]), ','):] != FormatLine(want[i])[strings.LastIndexByte(FormatLine(want[i]), ','):] {
			r.sameTimestamp = false
		}
		if got[i].Quality < confQuality || want[i].Quality < confQuality {
			continue
		}
		d := pdq.Distance(got[i].Hash, want[i].Hash)
		r.compared++
		if d < confDistance {
			r.matched++
		}
		if d == 0 {
			r.exact++
		}
		r.maxDist = max(r.maxDist, d)
		sum += d
	}
	if r.compared > 0 {
		r.meanDist = float64(sum) / float64(r.compared)
	}
	return r, nil
}

func writeConformance(rows []confRow) error {
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	var b strings.Builder
	b.WriteString("| video | frames | compared (q ≥ 50 both) | within 30 | exact | max | mean |\n|---|---:|---:|---:|---:|---:|---:|\n")
	var tc, tm, te, tf, mx int
	var sum float64
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %.2f |\n", r.name, r.frames, r.compared, r.matched, r.exact, r.maxDist, r.meanDist)
		tf += r.frames
		tc += r.compared
		tm += r.matched
		te += r.exact
		mx = max(mx, r.maxDist)
		sum += r.meanDist * float64(r.compared)
	}
	fmt.Fprintf(&b, "| **all %d** | %d | %d | %d | %d | %d | %.2f |\n", len(rows), tf, tc, tm, te, mx, sum/float64(tc))
	doc, err := os.ReadFile("CONFORMANCE.md")
	if err != nil {
		return err
	}
	const start, end = "<!-- table -->\n", "<!-- end table -->\n"
	s := string(doc)
	i, j := strings.Index(s, start), strings.Index(s, end)
	if i < 0 || j < i {
		return fmt.Errorf("CONFORMANCE.md: markers %q and %q not found", start, end)
	}
	s = s[:i+len(start)] + b.String() + s[j:]
	return os.WriteFile("CONFORMANCE.md", []byte(s), 0o644)
}
