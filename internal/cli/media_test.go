package cli

import (
	"bytes"
	"image"
	"image/color"
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
