package pdq

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"
)

// benchImage is a deterministic 1024x1024 photo-like test card: smooth
// gradients, rings and fine texture, so that no stage is trivially cheap.
func benchImage() *image.NRGBA {
	const n = 1024
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			fx, fy := float64(x)/n, float64(y)/n
			r := 128 + 100*math.Sin(12*math.Hypot(fx-0.4, fy-0.6))
			g := 255 * fx * (1 - fy)
			b := 128 + 60*math.Cos(40*fx*fy) + float64((x*7+y*13)%17)
			img.SetNRGBA(x, y, color.NRGBA{clamp8(r), clamp8(g), clamp8(b), 0xff})
		}
	}
	return img
}

// cpuPerOp runs the benchmark loop body and reports, beside the wall time,
// the process CPU time per operation (cpu-ns/op).
func cpuPerOp(b *testing.B, body func()) {
	b.Helper()
	start := processCPU()
	n := 0
	for b.Loop() {
		body()
		n++
	}
	if used := processCPU() - start; used > 0 && n > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}

func clamp8(v float64) uint8 {
	return uint8(max(0, min(255, v)))
}

func encodeJPEG(tb testing.TB, img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkHash measures the hash of already decoded pixels (a 1024x1024
// JPEG's YCbCr image), in both resize modes. After the first call a Hasher
// allocates nothing.
func BenchmarkHash(b *testing.B) {
	img, err := jpeg.Decode(bytes.NewReader(encodeJPEG(b, benchImage())))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts Options
	}{{"512", Options{}}, {"full", Options{FullResolution: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			h := NewHasher(bc.opts)
			h.Hash(img)
			b.ReportAllocs()
			cpuPerOp(b, func() { h.Hash(img) })
		})
	}
}

// BenchmarkHash64 measures the fixed cost after downsampling: quality,
// DCT and median, from a 64x64 image.
func BenchmarkHash64(b *testing.B) {
	src := benchImage()
	img := src.SubImage(image.Rect(0, 0, 64, 64))
	h := NewHasher(Options{})
	h.Hash(img)
	b.ReportAllocs()
	cpuPerOp(b, func() { h.Hash(img) })
}

// BenchmarkDihedral measures the eight dihedral hashes from decoded pixels.
func BenchmarkDihedral(b *testing.B) {
	img, err := jpeg.Decode(bytes.NewReader(encodeJPEG(b, benchImage())))
	if err != nil {
		b.Fatal(err)
	}
	h := NewHasher(Options{})
	h.Dihedral(img)
	b.ReportAllocs()
	cpuPerOp(b, func() { h.Dihedral(img) })
}

// BenchmarkHashReader measures decode and hash end to end on a 1024x1024
// image, JPEG (default fast path and Options.Exact) and PNG.
func BenchmarkHashReader(b *testing.B) {
	src := benchImage()
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, src); err != nil {
		b.Fatal(err)
	}
	jpg := encodeJPEG(b, src)
	for _, bc := range []struct {
		name string
		data []byte
		opts Options
	}{{"jpeg", jpg, Options{}}, {"jpeg-exact", jpg, Options{Exact: true}}, {"png", pngBuf.Bytes(), Options{}}} {
		b.Run(bc.name, func(b *testing.B) {
			h := NewHasher(bc.opts)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.data)))
			cpuPerOp(b, func() {
				if _, _, err := h.HashReader(bytes.NewReader(bc.data)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
