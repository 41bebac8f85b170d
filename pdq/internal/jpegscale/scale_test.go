package jpegscale

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// photoDir holds the upstream PDQ test photos (see its SOURCE.md); tests
// that need them skip when it is absent.
const photoDir = "../../../../shared/data/pdq-threatexchange/images"

// card is a deterministic photo-like image of any size.
func card(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 128 + 100*math.Sin(12*math.Hypot(fx-0.4, fy-0.6))
			g := 255 * fx * (1 - fy)
			b := 128 + 60*math.Cos(40*fx*fy) + float64((x*7+y*13)%17)
			img.SetNRGBA(x, y, color.NRGBA{uint8(r), uint8(g), uint8(max(0, min(255, b))), 0xff})
		}
	}
	return img
}

func encode(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fixed(sx, sy int) ChooseFunc {
	return func(int, int) (int, int, error) { return sx, sy, nil }
}

// samples returns the JPEGs the tests decode: generated ones (4:2:0 colour,
// grey, odd sizes) and every upstream photo that image/jpeg decodes as
// YCbCr or grey (baseline and progressive).
func samples(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{
		"card-420-97x61":   encode(t, card(97, 61), 90),
		"card-420-640x480": encode(t, card(640, 480), 75),
		"grey-33x70":       encode(t, toGray(card(33, 70)), 85),
		"card-1x1":         encode(t, card(1, 1), 90),
	}
	filepath.WalkDir(photoDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".jpg") && !strings.HasSuffix(p, ".jpeg") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil {
			out[strings.TrimPrefix(p, photoDir+"/")] = b
		}
		return nil
	})
	return out
}

func toGray(src image.Image) *image.Gray {
	b := src.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, src.At(x, y))
		}
	}
	return g
}

// lumaOf returns image/jpeg's luminance plane, or false for colour models
// this package leaves to it.
func lumaOf(img image.Image) (pix []uint8, stride int, ok bool) {
	switch m := img.(type) {
	case *image.YCbCr:
		return m.Y, m.YStride, true
	case *image.Gray:
		return m.Pix, m.Stride, true
	}
	return nil, 0, false
}

// TestUnscaledEqualsImageJPEG: at scale 1 the plane is image/jpeg's
// luminance sample for sample, baseline and progressive alike.
func TestUnscaledEqualsImageJPEG(t *testing.T) {
	var dec Decoder
	for name, data := range samples(t) {
		want, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: image/jpeg: %v", name, err)
		}
		wpix, wstride, ok := lumaOf(want)
		lum, err := dec.Decode(bytes.NewReader(data), fixed(1, 1))
		if !ok {
			if !IsUnsupported(err) {
				t.Errorf("%s: %T image: got %v, want an unsupported error", name, want, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b := want.Bounds()
		if lum.Width != b.Dx() || lum.Height != b.Dy() {
			t.Fatalf("%s: %dx%d, want %dx%d", name, lum.Width, lum.Height, b.Dx(), b.Dy())
		}
		diff := 0
		for y := range lum.Height {
			for x := range lum.Width {
				if lum.Pix[y*lum.Stride+x] != wpix[y*wstride+x] {
					diff++
				}
			}
		}
		if diff != 0 {
			t.Errorf("%s: %d of %d samples differ from image/jpeg", name, diff, lum.Width*lum.Height)
		}
	}
}

// TestScaledIsBlockAverage: a reduced plane is close to the average of the
// full-size samples it stands for. It is not equal: the reduced inverse
// DCT drops the high frequencies instead of averaging them out.
func TestScaledIsBlockAverage(t *testing.T) {
	var dec Decoder
	for name, data := range samples(t) {
		full, err := dec.Decode(bytes.NewReader(data), fixed(1, 1))
		if IsUnsupported(err) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fpix, fstride, fw, fh := append([]uint8(nil), full.Pix...), full.Stride, full.Width, full.Height
		for _, s := range [][2]int{{2, 2}, {4, 4}, {8, 8}, {2, 1}, {1, 4}, {8, 2}} {
			sx, sy := s[0], s[1]
			lum, err := dec.Decode(bytes.NewReader(data), fixed(sx, sy))
			if err != nil {
				t.Fatalf("%s at 1/%d x 1/%d: %v", name, sx, sy, err)
			}
			if lum.Width != (fw+sx-1)/sx || lum.Height != (fh+sy-1)/sy || lum.ScaleX != sx || lum.ScaleY != sy {
				t.Fatalf("%s at 1/%d x 1/%d: plane %dx%d scale %d,%d", name, sx, sy, lum.Width, lum.Height, lum.ScaleX, lum.ScaleY)
			}
			var sum float64
			n := 0
			for y := 0; y+1 <= fh/sy; y++ {
				for x := 0; x+1 <= fw/sx; x++ {
					var avg float64
					for j := range sy {
						for i := range sx {
							avg += float64(fpix[(y*sy+j)*fstride+x*sx+i])
						}
					}
					avg /= float64(sx * sy)
					sum += math.Abs(avg - float64(lum.Pix[y*lum.Stride+x]))
					n++
				}
			}
			if n == 0 {
				continue
			}
			// Generated cards are smooth; the upstream photos include
			// noise (rgb.jpeg) and hard sharpening.
			limit := 12.0
			if strings.HasPrefix(name, "card") || strings.HasPrefix(name, "grey") {
				limit = 2.5
			}
			if mean := sum / float64(n); mean > limit {
				t.Errorf("%s at 1/%d x 1/%d: mean distance %.2f from the block average, want <= %.1f", name, sx, sy, mean, limit)
			}
		}
	}
}

func TestUnsupported(t *testing.T) {
	var dec Decoder
	cmyk, err := os.ReadFile(filepath.Join(photoDir, "misc-images/modes/CMYK.jpg"))
	if err == nil {
		if _, err := dec.Decode(bytes.NewReader(cmyk), fixed(1, 1)); !IsUnsupported(err) {
			t.Errorf("CMYK: got %v, want an unsupported error", err)
		}
	}
	// An arithmetic-coded frame (SOF9) header.
	sof9 := []byte("\xff\xd8\xff\xc9\x00\x11\x08\x00\x10\x00\x10\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00")
	if _, err := dec.Decode(bytes.NewReader(sof9), fixed(1, 1)); !IsUnsupported(err) {
		t.Errorf("SOF9: got %v, want an unsupported error", err)
	}
}

func TestBadInput(t *testing.T) {
	good := encode(t, card(64, 48), 90)
	limit := errors.New("too large")
	tests := []struct {
		name   string
		data   []byte
		choose ChooseFunc
		want   string
	}{
		{"empty", nil, fixed(1, 1), "unexpected EOF"},
		{"not jpeg", []byte("GIF89a..."), fixed(1, 1), "missing SOI"},
		{"header only", good[:200], fixed(1, 1), "unexpected EOF"},
		{"truncated scan", good[:len(good)/2], fixed(2, 2), "short Huffman data"},
		{"no EOI", good[:len(good)-2], fixed(1, 1), "unexpected EOF"},
		{"refused by choose", good, func(int, int) (int, int, error) { return 0, 0, limit }, "too large"},
		{"bad scale", good, fixed(3, 1), "scale must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dec Decoder
			lum, err := dec.Decode(bytes.NewReader(tc.data), tc.choose)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if lum != nil {
				t.Fatalf("got a plane with the error")
			}
		})
	}
	// Every prefix of a file fails cleanly.
	var dec Decoder
	for n := 0; n < len(good)-2; n += 7 {
		if _, err := dec.Decode(bytes.NewReader(good[:n]), fixed(2, 2)); err == nil {
			t.Fatalf("prefix of %d bytes decoded without error", n)
		}
	}
}

// FuzzDecode: arbitrary bytes give a plane of the size the header declared
// or an error, never a panic, and nothing is allocated for a size the
// chooser refused.
func FuzzDecode(f *testing.F) {
	f.Add(encode(f, card(24, 17), 90))
	f.Add(encode(f, toGray(card(9, 30)), 50))
	if b, err := os.ReadFile(filepath.Join(photoDir, "misc-images/small.jpg")); err == nil {
		f.Add(b) // progressive
	}
	if b, err := os.ReadFile(filepath.Join(photoDir, "misc-images/wee.jpg")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var dec Decoder
		for _, s := range [][2]int{{1, 1}, {2, 4}, {8, 8}} {
			var w, h int
			lum, err := dec.Decode(bytes.NewReader(data), func(width, height int) (int, int, error) {
				w, h = width, height
				if width*height > 1<<20 {
					return 0, 0, fmt.Errorf("%dx%d: %w", width, height, io.ErrShortBuffer)
				}
				return s[0], s[1], nil
			})
			if err != nil {
				if lum != nil {
					t.Fatal("plane with error")
				}
				continue
			}
			if lum.Width != (w+s[0]-1)/s[0] || lum.Height != (h+s[1]-1)/s[1] || lum.Stride < lum.Width || len(lum.Pix) < lum.Stride*(lum.Height-1)+lum.Width {
				t.Fatalf("plane %dx%d stride %d len %d for %dx%d at %v", lum.Width, lum.Height, lum.Stride, len(lum.Pix), w, h, s)
			}
		}
	})
}
