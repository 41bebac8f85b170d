package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writePhotoJPEG writes a photo-sized baseline JPEG with a photo's mix of
// smooth regions, edges and texture, so every frequency band carries
// coefficients, as in the progressive files the fast decoder used to
// refuse.
func writePhotoJPEG(t *testing.T, path string, w, h int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed+1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := (x*x/(w/4+1) + 3*y*y/(h/4+1) + x*y/(w/8+1)) % 256
			if (x/97+y/61)%3 == 0 {
				v = 255 - v
			}
			n := rng.IntN(24)
			img.SetNRGBA(x, y, color.NRGBA{uint8(min(v+n, 255)), uint8((x * 255 / w) ^ n), uint8(y * 255 / h), 0xff})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestProgressiveCopyOfBankedPhotoOpensCase banks a photo's PDQ hash, then
// ingests a progressive copy of it (jpegtran -progressive, as image sites
// re-encode uploads): the copy must be hashed and open a case.
func TestProgressiveCopyOfBankedPhotoOpensCase(t *testing.T) {
	if _, err := exec.LookPath("jpegtran"); err != nil {
		t.Skip("jpegtran is not installed (package libjpeg-turbo-progs): cannot make the progressive copy")
	}
	root := t.TempDir()
	data, in := filepath.Join(root, "data"), filepath.Join(root, "in")
	os.MkdirAll(in, 0o755)
	photo := filepath.Join(root, "photo.jpg")
	writePhotoJPEG(t, photo, 1908, 1074, 3)
	if out, err := exec.Command("jpegtran", "-progressive", "-outfile", filepath.Join(in, "copy.jpg"), photo).CombinedOutput(); err != nil {
		t.Fatalf("jpegtran: %v: %s", err, out)
	}

	code, out, errs := run(t, "", "hash", photo)
	if code != 0 {
		t.Fatalf("hash: exit %d: %s", code, errs)
	}
	hash := strings.SplitN(out, ",", 2)[0]
	if code, _, errs := run(t, "", "bank", "create", "--data", data, "photos"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "type,value,label\npdq,"+hash+",propaganda\n", "bank", "import", "--data", data, "photos", "-"); code != 0 {
		t.Fatal(errs)
	}

	// The copy hashes in the default mode, to the banked photo's hash.
	code, out, errs = run(t, "", "hash", filepath.Join(in, "copy.jpg"))
	if code != 0 || !strings.HasPrefix(out, hash[:8]) {
		t.Fatalf("hash of the progressive copy: exit %d: %s %s", code, out, errs)
	}

	posts := filepath.Join(in, "posts.jsonl")
	os.WriteFile(posts, []byte(`{"platform":"x","source_id":"p1","text":"look","media":[{"path":"copy.jpg"}]}`+"\n"), 0o644)
	code, out, errs = run(t, "", "ingest", "--data", data, posts)
	if code != 0 || !strings.Contains(out, "1 new") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run(t, "", "cases", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "photos") {
		t.Fatalf("no case names the photos bank:\n%s", out)
	}
}

// TestJPEGFallbackCounted: a JPEG the fast decoder fails on goes to the
// exact one, and /metrics counts it.
func TestJPEGFallbackCounted(t *testing.T) {
	dir := t.TempDir()
	photo := filepath.Join(dir, "photo.jpg")
	writePhotoJPEG(t, photo, 800, 600, 5)
	b, _ := os.ReadFile(photo)
	addr, stop := serve(t, filepath.Join(dir, "data"))
	resp, err := http.Post(addr+"/api/v1/match", "image/jpeg", bytes.NewReader(b[:len(b)/2]))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "jpeg") {
		t.Fatalf("match of a cut JPEG: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `marsad_pdq_jpeg_fallbacks_total{reason="error"} 1`) {
		t.Errorf("/metrics does not count the fallback:\n%s", grepLines(string(body), "marsad_pdq"))
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// makeVideo writes a short video with ffmpeg (moving test pattern, one
// scene a second), or skips the test when ffmpeg is not installed.
func makeVideo(t *testing.T, path string, seconds int) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed: videos cannot be made or hashed (Debian: apt-get install ffmpeg)")
	}
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe is not installed (it comes with ffmpeg)")
	}
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
		fmt.Sprintf("testsrc2=size=192x144:rate=10:duration=%d", seconds),
		"-pix_fmt", "yuv420p", "-c:v", "libx264", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		// Not every ffmpeg build has x264; MPEG-4 part 2 always is.
		cmd = exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
			fmt.Sprintf("testsrc2=size=192x144:rate=10:duration=%d", seconds), "-c:v", "mpeg4", path)
		if out2, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v: %s %s", err, out, out2)
		}
	}
}

// writeAnimatedGIF writes a GIF of frames frames, 0.5 s each, each a
// different pattern.
func writeAnimatedGIF(t *testing.T, path string, frames int) {
	t.Helper()
	g := &gif.GIF{}
	for i := range frames {
		img := image.NewPaletted(image.Rect(0, 0, 64, 48), palette.Plan9)
		for y := range 48 {
			for x := range 64 {
				img.SetColorIndex(x, y, uint8((x*(i+1)+y*y*(i+2)/7+x*y*i/5)%256))
			}
		}
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, 50)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := gif.EncodeAll(f, g); err != nil {
		t.Fatal(err)
	}
}

// TestHashAndMatchVideo: marsad hash prints a video's and an animated
// GIF's vPDQ frames; the frames, turned into ThreatExchange's file format
// and banked, are matched by marsad match and by the API's match endpoint
// given the video itself.
func TestHashAndMatchVideo(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	video := filepath.Join(dir, "clip.mp4")
	makeVideo(t, video, 4)
	anim := filepath.Join(dir, "anim.gif")
	writeAnimatedGIF(t, anim, 4)

	code, out, errs := run(t, "", "hash", video, anim)
	if code != 0 {
		t.Fatalf("hash: exit %d: %s", code, errs)
	}
	var vpdqFile strings.Builder
	frames := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(l, ",")
		if len(f) != 5 || len(f[0]) != 64 {
			t.Fatalf("line %q is not hash,quality,filename,frame,seconds", l)
		}
		frames[f[2]]++
		if f[2] == video {
			fmt.Fprintf(&vpdqFile, "%s,%s,%s,%s\n", f[3], f[1], f[0], f[4])
		}
	}
	if frames[video] < 3 || frames[anim] != 2 {
		t.Fatalf("frames per file %v: want one a second (4 for the video, 2 for the 2 s GIF)", frames)
	}

	bankFile := filepath.Join(dir, "clip.txt")
	os.WriteFile(bankFile, []byte(vpdqFile.String()), 0o644)
	if code, _, errs := run(t, "", "bank", "create", "--data", data, "videos"); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := run(t, "", "bank", "import", "--data", data, "--label", "propaganda", "videos", bankFile); code != 0 {
		t.Fatalf("bank import: %s %s", out, errs)
	}

	code, out, errs = run(t, "", "match", "--data", data, video, anim)
	if code != 0 {
		t.Fatalf("match: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "videos") || !strings.Contains(lines[1], "100%") || !strings.Contains(lines[2], "(no match)") {
		t.Fatalf("match output:\n%s", out)
	}

	addr, stop := serve(t, data)
	vb, _ := os.ReadFile(video)
	resp, err := http.Post(addr+"/api/v1/match", "video/mp4", bytes.NewReader(vb))
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Results []struct {
			Type    string
			Frames  int
			VPDQ    string
			Matches []struct {
				Bank  string
				Video *struct {
					QueryPercent float64 `json:"query_percent"`
				}
			}
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("API match: %d, %v", resp.StatusCode, err)
	}
	if len(body.Results) != 1 || body.Results[0].Type != "vpdq" || body.Results[0].Frames != frames[video] ||
		len(body.Results[0].Matches) != 1 || body.Results[0].Matches[0].Bank != "videos" || body.Results[0].Matches[0].Video.QueryPercent != 100 {
		t.Fatalf("API match result %+v", body)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	// Without ffmpeg the command says what is missing.
	t.Setenv("PATH", dir)
	code, _, errs = run(t, "", "hash", video)
	if code == 0 || !strings.Contains(errs, "ffmpeg is not installed") {
		t.Fatalf("hash without ffmpeg: exit %d: %s", code, errs)
	}
}

// TestImportKeepsPostWithEmptyPhoto: a Telegram export message whose
// photo file is empty is imported with its text; the photo is recorded as
// refused and the import says so.
func TestImportKeepsPostWithEmptyPhoto(t *testing.T) {
	root := t.TempDir()
	data, dir := filepath.Join(root, "data"), filepath.Join(root, "export")
	copyDir(t, "../importer/telegram/testdata/channel", dir)
	os.WriteFile(filepath.Join(dir, "photos", "empty.jpg"), nil, 0o644)
	b, _ := os.ReadFile(filepath.Join(dir, "result.json"))
	msg := `{"id": 8, "type": "message", "date_unixtime": "1738800000", "from_id": "channel1700000001", "photo": "photos/empty.jpg", "text": "text kept"},
  {"id": 7,`
	os.WriteFile(filepath.Join(dir, "result.json"), []byte(strings.Replace(string(b), `{
   "id": 7,`, msg, 1)), 0o644)
	code, out, errs := run(t, "", "import", "telegram-export", "--data", data, dir)
	if code != 0 || !strings.Contains(out, "7 read, 7 new") || !strings.Contains(out, "1 media files not kept") ||
		!strings.Contains(errs, "telegram 1700000001/8: media[0]: photos/empty.jpg is empty (0 bytes) (post kept)") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
}
