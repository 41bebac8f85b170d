package pdq

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// photoLike draws a deterministic image with what photos have and test
// cards lack: a graded sky, soft shapes, hard edges and texture at several
// scales (value noise), so that every frequency band of its JPEG carries
// coefficients.
func photoLike(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const grid = 64
	var lattice [4][grid + 1][grid + 1]float64
	for o := range lattice {
		for y := range lattice[o] {
			for x := range lattice[o][y] {
				lattice[o][y][x] = rng.Float64()
			}
		}
	}
	noise := func(o int, fx, fy float64) float64 {
		x0, y0 := int(fx), int(fy)
		tx, ty := fx-float64(x0), fy-float64(y0)
		tx, ty = tx*tx*(3-2*tx), ty*ty*(3-2*ty)
		l := &lattice[o]
		x0, y0 = x0%grid, y0%grid
		a := l[y0][x0]*(1-tx) + l[y0][x0+1]*tx
		b := l[y0+1][x0]*(1-tx) + l[y0+1][x0+1]*tx
		return a*(1-ty) + b*ty
	}
	type blob struct{ cx, cy, r, cr, cg, cb float64 }
	blobs := make([]blob, 6)
	for i := range blobs {
		blobs[i] = blob{rng.Float64(), rng.Float64(), 0.05 + 0.2*rng.Float64(), 255 * rng.Float64(), 255 * rng.Float64(), 255 * rng.Float64()}
	}
	type rect struct{ x0, y0, x1, y1, v float64 }
	rects := make([]rect, 5)
	for i := range rects {
		x, y := rng.Float64(), 0.4+0.6*rng.Float64()
		rects[i] = rect{x, y, x + 0.05 + 0.2*rng.Float64(), 1, 40 + 160*rng.Float64()}
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		v := float64(y) / float64(h)
		for x := range w {
			u := float64(x) / float64(w)
			r, g, b := 90+120*(1-v), 130+90*(1-v), 200-60*v
			for _, bl := range blobs {
				d := ((u-bl.cx)*(u-bl.cx) + (v-bl.cy)*(v-bl.cy)) / (bl.r * bl.r)
				a := math.Exp(-d)
				r, g, b = r*(1-a)+bl.cr*a, g*(1-a)+bl.cg*a, b*(1-a)+bl.cb*a
			}
			for _, rc := range rects {
				if u >= rc.x0 && u < rc.x1 && v >= rc.y0 {
					r, g, b = rc.v*0.9, rc.v*0.8, rc.v*0.7
				}
			}
			t := 0.0
			for o, f := range [...]float64{4, 16, 48, 63} {
				t += (noise(o, u*f, v*f) - 0.5) * 60 / float64(o+1)
			}
			t += (rng.Float64() - 0.5) * 12
			img.SetNRGBA(x, y, color.NRGBA{clip8(r + t), clip8(g + t), clip8(b + t), 0xff})
		}
	}
	return img
}

func clip8(v float64) uint8 { return uint8(min(max(math.Round(v), 0), 255)) }

// writePPM writes img as a binary PPM, which cjpeg, ffmpeg and ImageMagick
// all read.
func writePPM(t testing.TB, path string, img *image.NRGBA) {
	t.Helper()
	var buf bytes.Buffer
	b := img.Bounds()
	fmt.Fprintf(&buf, "P6\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			i := img.PixOffset(x, y)
			buf.Write(img.Pix[i : i+3])
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// jpegVariant is one way of encoding a JPEG with the tools real files come
// from: the command's first word is the tool; {src} is the PPM, {base} the
// baseline 4:2:0 JPEG cjpeg made from it, {out} the file to write.
type jpegVariant struct {
	name string
	cmd  string
	// unsupported is the fast decoder's known gap: the exact decoder is
	// expected to decode it.
	unsupported bool
	// refused is a variant no decoder of the package reads; the error must
	// name what it is.
	refused string
	// exactRefuses marks a variant image/jpeg, and so the exact mode,
	// does not read: a progressive scan of one component with a restart
	// interval.
	exactRefuses bool
}

var jpegVariants = []jpegVariant{
	{name: "baseline-420", cmd: "cjpeg -quality 90 -sample 2x2 -outfile {out} {src}"},
	{name: "baseline-422", cmd: "cjpeg -quality 90 -sample 2x1 -outfile {out} {src}"},
	{name: "baseline-444", cmd: "cjpeg -quality 90 -sample 1x1 -outfile {out} {src}"},
	{name: "baseline-440", cmd: "cjpeg -quality 90 -sample 1x2 -outfile {out} {src}"},
	{name: "grayscale", cmd: "cjpeg -quality 90 -grayscale -outfile {out} {src}"},
	{name: "progressive-420", cmd: "jpegtran -progressive -outfile {out} {base}"},
	{name: "progressive-422", cmd: "cjpeg -quality 85 -sample 2x1 -progressive -outfile {out} {src}"},
	{name: "progressive-444", cmd: "cjpeg -quality 95 -sample 1x1 -progressive -outfile {out} {src}"},
	{name: "progressive-grayscale", cmd: "cjpeg -quality 90 -grayscale -progressive -outfile {out} {src}"},
	{name: "restart-rows", cmd: "jpegtran -restart 1 -outfile {out} {base}"},
	{name: "restart-blocks", cmd: "cjpeg -quality 90 -sample 1x1 -restart 3B -outfile {out} {src}"},
	{name: "progressive-restart", cmd: "jpegtran -progressive -restart 5B -outfile {out} {base}", exactRefuses: true},
	{name: "progressive-444-restart", cmd: "cjpeg -quality 90 -sample 1x1 -progressive -restart 1 -outfile {out} {src}"},
	{name: "optimized", cmd: "jpegtran -optimize -outfile {out} {base}"},
	{name: "ffmpeg-q2", cmd: "ffmpeg -v error -y -i {src} -q:v 2 {out}"},
	{name: "ffmpeg-q2-progressive", cmd: "ffmpeg -v error -y -i {src} -q:v 2 {out}.tmp.jpg && jpegtran -progressive -outfile {out} {out}.tmp.jpg"},
	{name: "imagemagick-progressive", cmd: "convert {src} -quality 88 -interlace Plane {out}"},
	{name: "cmyk", cmd: "convert {src} -colorspace CMYK -quality 90 {out}", unsupported: true},
	{name: "arithmetic", cmd: "jpegtran -arithmetic -outfile {out} {base}", refused: "arithmetic"},
	{name: "arithmetic-progressive", cmd: "jpegtran -arithmetic -progressive -outfile {out} {base}", refused: "arithmetic"},
}

// jpegVariantSizes are photo sizes around the ones seen in the field:
// large enough to be reduced in the DCT domain at each scale, with odd
// sides that end in partial blocks and MCUs, and one below 512 that the
// fast path decodes at full size.
var jpegVariantSizes = [][2]int{{1908, 1074}, {1023, 769}, {2600, 1463}, {517, 389}, {480, 360}}

// runVariant makes one variant with the tools, or says which is missing.
func runVariant(dir string, v jpegVariant, src, base, out string) (missing string, err error) {
	cmd := strings.NewReplacer("{src}", src, "{base}", base, "{out}", out).Replace(v.cmd)
	for _, part := range strings.Split(cmd, "&&") {
		args := strings.Fields(part)
		if _, err := exec.LookPath(args[0]); err != nil {
			return args[0], nil
		}
		c := exec.Command(args[0], args[1:]...)
		c.Dir = dir
		if b, err := c.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v: %s", part, err, b)
		}
	}
	return "", nil
}

// variantFiles generates every variant at every size in dir and returns
// the files by variant/size, and the missing tool of each variant not made.
func variantFiles(t *testing.T, dir string) (files, missing map[string]string) {
	files, missing = map[string]string{}, map[string]string{}
	for i, sz := range jpegVariantSizes {
		src := filepath.Join(dir, fmt.Sprintf("src-%d.ppm", i))
		writePPM(t, src, photoLike(sz[0], sz[1], uint64(i+1)))
		base := filepath.Join(dir, fmt.Sprintf("base-%d.jpg", i))
		if _, err := exec.LookPath("cjpeg"); err == nil {
			if b, err := exec.Command("cjpeg", "-quality", "90", "-outfile", base, src).CombinedOutput(); err != nil {
				t.Fatalf("cjpeg: %v: %s", err, b)
			}
		}
		for _, v := range jpegVariants {
			key := fmt.Sprintf("%s/%dx%d", v.name, sz[0], sz[1])
			out := filepath.Join(dir, fmt.Sprintf("%s-%dx%d.jpg", v.name, sz[0], sz[1]))
			if strings.Contains(v.cmd, "{base}") {
				if _, err := os.Stat(base); err != nil {
					missing[key] = "cjpeg"
					continue
				}
			}
			tool, err := runVariant(dir, v, src, base, out)
			switch {
			case err != nil:
				t.Fatal(err)
			case tool != "":
				missing[key] = tool
			default:
				files[key] = out
			}
		}
	}
	return files, missing
}

// TestJPEGVariants hashes JPEGs made the ways real ones are made
// (progressive and sequential, restart intervals, 4:2:0, 4:2:2, 4:4:0 and
// 4:4:4 chroma, grayscale, CMYK, arithmetic coding; from libjpeg's cjpeg
// and jpegtran, ffmpeg and ImageMagick) at several sizes, in the default
// and the exact mode. Every one must hash in both, the fast decoder must
// decode all it implements without falling back, and the two modes must
// agree within the bound CONFORMANCE.md gives.
func TestJPEGVariants(t *testing.T) {
	// PDQ_JPEG_VARIANTS names a folder to keep the files in, to hash
	// them with other tools.
	dir := os.Getenv("PDQ_JPEG_VARIANTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, missing := variantFiles(t, dir)
	if len(files) == 0 {
		t.Skipf("none of cjpeg, jpegtran, ffmpeg or ImageMagick convert is installed: cannot make the JPEG variants (install libjpeg-turbo-progs, ffmpeg, imagemagick)")
	}
	tools := map[string]bool{}
	for _, tool := range missing {
		tools[tool] = true
	}
	for tool := range tools {
		t.Logf("%s is not installed: its JPEG variants are skipped", tool)
	}
	fastOK, total := 0, 0
	for _, v := range jpegVariants {
		for _, sz := range jpegVariantSizes {
			key := fmt.Sprintf("%s/%dx%d", v.name, sz[0], sz[1])
			t.Run(key, func(t *testing.T) {
				path, ok := files[key]
				if !ok {
					t.Skipf("%s is not installed", missing[key])
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var reasons []string
				var fastErrs []error
				fast := Options{OnFallback: func(reason string, err error) {
					reasons = append(reasons, reason)
					fastErrs = append(fastErrs, err)
				}}
				hf, qf, errFast := HashReader(bytes.NewReader(data), fast)
				he, qe, errExact := HashReader(bytes.NewReader(data), Options{Exact: true})
				if v.refused != "" {
					for _, err := range []error{errFast, errExact} {
						if err == nil || !strings.Contains(err.Error(), v.refused) {
							t.Errorf("error %v, want one that says %q", err, v.refused)
						}
					}
					return
				}
				total++
				if v.exactRefuses {
					if errFast != nil || len(reasons) > 0 {
						t.Fatalf("default: %v (fallbacks %v)", errFast, reasons)
					}
					if errExact == nil {
						t.Errorf("the exact mode decoded it: drop exactRefuses")
					}
					fastOK++
					return
				}
				if errFast != nil || errExact != nil {
					t.Fatalf("default: %v; exact: %v", errFast, errExact)
				}
				switch {
				case v.unsupported && (len(reasons) != 1 || reasons[0] != FallbackUnsupported):
					t.Errorf("fallbacks %v, want one %q", reasons, FallbackUnsupported)
				case !v.unsupported && len(reasons) > 0:
					t.Errorf("the fast decoder failed (%v) and the exact one decoded it: %v", reasons, fastErrs)
				case !v.unsupported:
					fastOK++
				}
				if d := Distance(hf, he); d > maxFastExactDistance {
					t.Errorf("default and exact hashes %d bits apart, more than %d", d, maxFastExactDistance)
				}
				if qf < MinQuality || qe < MinQuality {
					t.Errorf("qualities %d (default), %d (exact): the test image should be worth matching", qf, qe)
				}
			})
		}
	}
	t.Logf("%d of %d generated JPEGs decoded by the fast decoder itself; every one hashed", fastOK, total)
}

// maxFastExactDistance bounds the distance between the default and the
// exact mode on the generated variants; CONFORMANCE.md gives the figures
// measured on photos.
const maxFastExactDistance = 24

// TestFallbackOnFastDecoderError: a JPEG the fast decoder fails on is
// handed to the exact decoder and counted, and when that fails too its
// error is the one returned.
func TestFallbackOnFastDecoderError(t *testing.T) {
	data := encodeJPEG(t, photoLike(900, 700, 7))
	cut := data[:len(data)/2] // entropy-coded data cut in the middle
	var reasons []string
	_, _, err := HashReader(bytes.NewReader(cut), Options{OnFallback: func(reason string, err error) {
		reasons = append(reasons, reason)
	}})
	if err == nil || !strings.HasPrefix(err.Error(), "jpeg: ") {
		t.Errorf("error %v, want the exact decoder's", err)
	}
	if len(reasons) != 1 || reasons[0] != FallbackError {
		t.Errorf("fallbacks %v, want one %q", reasons, FallbackError)
	}

	// A whole file is decoded by the fast decoder: no fallback.
	reasons = nil
	if _, _, err := HashReader(bytes.NewReader(data), Options{OnFallback: func(reason string, err error) {
		reasons = append(reasons, reason)
	}}); err != nil {
		t.Fatal(err)
	}
	if len(reasons) != 0 {
		t.Errorf("fallbacks %v on a baseline JPEG", reasons)
	}

	// Too large is a refusal, not a decoder fault: no second decode.
	reasons = nil
	_, _, err = HashReader(bytes.NewReader(data), Options{MaxPixels: 1000, OnFallback: func(reason string, err error) {
		reasons = append(reasons, reason)
	}})
	if !errors.Is(err, ErrTooLarge) || len(reasons) != 0 {
		t.Errorf("error %v, fallbacks %v; want ErrTooLarge and none", err, reasons)
	}
}
