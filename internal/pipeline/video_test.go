package pipeline_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/hashindex"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/vpdq"
)

const sampleVideos = "../../../shared/data/pdq-threatexchange/vpdq/sample-videos"

// TestVideoMatchOpensCase banks a sample video's vPDQ hash, ingests a
// re-encoded, trimmed copy as a post's video, and checks that a case opens
// with the matched shares and time spans as fields of its reason; a video
// that does not match opens none, and a corrupt video is kept with the
// reason its hash is missing.
func TestVideoMatchOpensCase(t *testing.T) {
	if err := (vpdq.Options{}).Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	orig := filepath.Join(sampleVideos, "pattern-sd-grey-bar.mp4")
	if _, err := os.Stat(orig); err != nil {
		t.Skip("sample videos absent")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		out, err := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-ss", "1", "-i", orig, "-t", "5",
			"-c:v", "mpeg4", "-q:v", "8", "-vf", "scale=360:-2", "-an", filepath.Join(dir, "copy.mp4")).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v %s", err, out)
		}
		os.WriteFile(filepath.Join(dir, "corrupt.mp4"), []byte("\x00\x00\x00\x18ftypmp42 not a video"), 0o644)
		data, _ := os.ReadFile(filepath.Join(sampleVideos, "doorknob-hd-no-bar.mp4"))
		os.WriteFile(filepath.Join(dir, "other.mp4"), data, 0o644)

		fs, err := vpdq.HashFile(ctx, orig, vpdq.Options{SecondsPerHash: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateBank(ctx, &model.Bank{Name: "videos", Enabled: true}, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEntries(ctx, "videos", []model.BankEntry{bank.VPDQEntry(fs, model.Propaganda, "pattern")}, "test"); err != nil {
			t.Fatal(err)
		}
		ix, err := hashindex.Load(ctx, s, 0, nil)
		if err != nil || ix.Videos() != 1 {
			t.Fatalf("index: %v, %d videos", err, ix.Videos())
		}
		p := &pipeline.Pipeline{Store: s, Blobs: blob.New(filepath.Join(dir, "blobs"), 1<<20), MediaDir: dir,
			MaxMediaBytes: 50 << 20, Near: ix, VideoNear: ix, Video: &pipeline.VPDQHasher{Options: vpdq.Options{SecondsPerHash: -1}}}
		in := `{"platform":"x","source_id":"v1","media":[{"path":"copy.mp4","type":"video"}]}
{"platform":"x","source_id":"v2","media":[{"path":"other.mp4","type":"video"}]}
{"platform":"x","source_id":"v3","media":[{"path":"corrupt.mp4","type":"video"}]}
`
		rep, err := p.IngestJSONL(ctx, strings.NewReader(in), pipeline.IngestOptions{Workers: 1})
		if err != nil || rep.Created != 3 || len(rep.Errors) != 0 {
			t.Fatalf("report %s, %v, %v", rep, err, rep.Errors)
		}
		post, err := s.PostBySource(ctx, "x", "v1")
		if err != nil {
			t.Fatal(err)
		}
		cases, _, err := s.Cases(ctx, store.CaseFilter{})
		if err != nil || len(cases) != 1 || cases[0].PostID != post.ID {
			t.Fatalf("want one case, for the matching video: %v %+v", err, cases)
		}
		c := cases[0]
		if len(c.Reasons) != 1 || c.Reasons[0].Signal != model.SignalVPDQ || c.Reasons[0].Video == nil {
			t.Fatalf("reasons %+v", c.Reasons)
		}
		v := c.Reasons[0].Video
		t.Logf("copy vs banked: %.0f%% / %.0f%%, spans %v / %v", v.QueryPercent, v.BankPercent, v.QuerySpans, v.BankSpans)
		if v.QueryPercent < 80 || len(v.BankSpans) == 0 || v.BankSpans[0].Start < 1 {
			t.Errorf("video match %+v", v)
		}
		for _, id := range []string{"v2", "v3"} {
			post, err := s.PostBySource(ctx, "x", id)
			if err != nil {
				t.Fatal(err)
			}
			if id == "v3" && (post.Media[0].SHA256 == "" || !strings.Contains(post.Media[0].Error, "video hash")) {
				t.Errorf("corrupt video: %+v", post.Media[0])
			}
		}
	})
}
