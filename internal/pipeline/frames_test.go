package pipeline_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

const boldFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

// TestVideoTextJoinsOCR: the words drawn on a video are read on frames
// sampled once a second and join the post's image text with the time
// they first appear.
func TestVideoTextJoinsOCR(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("skipping: ffmpeg is not installed")
	}
	reader := pipeline.TesseractReader{}
	if err := reader.Options.Available(context.Background()); err != nil {
		t.Skipf("skipping: %v", err)
	}
	if _, err := os.Stat(boldFont); err != nil {
		t.Skip("skipping: DejaVu fonts are not installed (fonts-dejavu-core)")
	}
	dir := t.TempDir()
	video := filepath.Join(dir, "captions.mp4")
	draw := func(text, from, to string) string {
		return "drawtext=fontfile=" + boldFont + ":text='" + text + "':fontsize=48:fontcolor=white:x=(w-text_w)/2:y=(h-text_h)/2:enable='between(t," +
			from + "," + to + ")'"
	}
	out, err := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "color=c=0x202060:s=640x240:d=4:r=10",
		"-vf", draw("JOIN THE FIGHT", "0", "1.9")+","+draw("SEND MONEY NOW", "2", "4"), "-c:v", "mpeg4", "-q:v", "2", video).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	data, err := os.ReadFile(video)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		p.OCR, p.Frames = reader, pipeline.FFmpegFrames{TempDir: t.TempDir()}
		res, err := p.Ingest(ctx, &model.Post{Platform: "x", SourceID: "video-text", Media: []model.Media{{Data: data}}})
		if err != nil {
			t.Fatal(err)
		}
		post, err := s.Post(ctx, res.PostID)
		if err != nil {
			t.Fatal(err)
		}
		if post.Media[0].Type != "video" {
			t.Fatalf("media type %q", post.Media[0].Type)
		}
		for _, want := range []string{"[0:00] JOIN THE FIGHT", "[0:02] SEND MONEY NOW"} {
			if !strings.Contains(post.OCRText, want) {
				t.Errorf("OCR text %q lacks %q", post.OCRText, want)
			}
		}
		if strings.Count(post.OCRText, "JOIN THE FIGHT") != 1 {
			t.Errorf("a caption held two seconds is read more than once: %q", post.OCRText)
		}
	})
}
