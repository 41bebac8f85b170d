package pdq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/png"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// testCard is a small deterministic image with enough structure for a
// meaningful hash.
func testCard(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8((x*x + 3*y*y + x*y) / 7)
			img.SetNRGBA(x, y, color.NRGBA{v, uint8(255 * x / w), uint8(255 * y / h), 0xff})
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngHeader returns a PNG signature and IHDR chunk declaring w x h 8-bit RGB.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // bit depth, colour type RGB
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	crc := crc32.NewIEEE()
	crc.Write([]byte("IHDR"))
	crc.Write(ihdr)
	b.WriteString("IHDR")
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// countingReader counts the bytes read from an endless stream of zeros
// after a prefix, to show how much of a file was consumed.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestBadInput(t *testing.T) {
	good := encodePNG(t, testCard(40, 30))
	jpg := encodeJPEG(t, testCard(40, 30))
	tests := []struct {
		name string
		data []byte
		opts Options
		err  string // substring of the error
		is   error  // or nil
	}{
		{"empty", nil, Options{}, "empty input", ErrFormat},
		{"text", []byte("hello, this is not an image"), Options{}, "starts with", ErrFormat},
		{"truncated png", good[:len(good)/2], Options{}, "png: invalid format: not enough pixel data", nil},
		{"png header only", good[:33], Options{}, "truncated", nil},
		{"truncated jpeg", jpg[:len(jpg)/2], Options{}, "jpeg: invalid JPEG format", nil},
		{"jpeg magic only", []byte{0xff, 0xd8}, Options{}, "jpeg header", nil},
		{"corrupt png body", append(append([]byte{}, good[:40]...), bytes.Repeat([]byte{0xa5}, 200)...), Options{}, "png", nil},
		{"zero width png", pngHeader(0, 10), Options{}, "png header", nil},
		{"over the limit", pngHeader(1000, 1000), Options{MaxPixels: 999_999}, "1000x1000", ErrTooLarge},
		{"gif magic only", []byte("GIF89a"), Options{}, "gif header", nil},
		{"bmp magic only", []byte("BM\x00\x00\x00\x00\x00\x00\x00\x00"), Options{}, "bmp header", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := HashReader(bytes.NewReader(tc.data), tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %q, want one containing %q", err, tc.err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
		})
	}
}

// TestJPEGBomb: through the fast path, a JPEG whose frame header declares
// 60000x60000 is refused from that header, having read almost nothing.
func TestJPEGBomb(t *testing.T) {
	sof := []byte("\xff\xd8\xff\xc0\x00\x11\x08\xea\x60\xea\x60\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01")
	r := &countingReader{r: io.MultiReader(bytes.NewReader(sof), zeros{})}
	_, _, err := HashReader(r, Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "60000x60000") {
		t.Fatalf("error %v, want ErrTooLarge naming the size", err)
	}
	if r.n > 64<<10 {
		t.Errorf("read %d bytes before refusing", r.n)
	}
}

// TestFastJPEGBadInput: broken JPEGs give the same kind of error through
// the fast path as through the exact one.
func TestFastJPEGBadInput(t *testing.T) {
	jpg := encodeJPEG(t, testCard(200, 120))
	for _, data := range [][]byte{jpg[:len(jpg)/2], jpg[:300], jpg[:len(jpg)-2], append(append([]byte{}, jpg[:400]...), bytes.Repeat([]byte{0xff, 0x01}, 50)...)} {
		_, _, ferr := HashReader(bytes.NewReader(data), Options{})
		_, _, eerr := HashReader(bytes.NewReader(data), Options{Exact: true})
		if ferr == nil || eerr == nil {
			t.Errorf("%d bytes: fast %v, exact %v; want errors from both", len(data), ferr, eerr)
		}
	}
}

// TestDecompressionBomb declares a 50000x50000 PNG, followed by an endless
// stream: it must be refused from its header, having read almost nothing.
func TestDecompressionBomb(t *testing.T) {
	r := &countingReader{r: io.MultiReader(bytes.NewReader(pngHeader(50000, 50000)), zeros{})}
	_, _, err := HashReader(r, Options{})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "50000x50000") {
		t.Errorf("error %q does not name the size", err)
	}
	if r.n > 64<<10 {
		t.Errorf("read %d bytes before refusing", r.n)
	}
}

// TestTinyImages: the reference gives images under 5 pixels on a side the
// zero hash and quality 0, below MinQuality, so they never match.
func TestTinyImages(t *testing.T) {
	for _, sz := range []image.Point{{1, 1}, {4, 4}, {4, 100}, {100, 4}} {
		h, q, err := HashReader(bytes.NewReader(encodePNG(t, testCard(sz.X, sz.Y))), Options{})
		if err != nil {
			t.Fatalf("%v: %v", sz, err)
		}
		if h != (Hash{}) || q != 0 {
			t.Errorf("%v: hash %v quality %d, want zero hash and quality 0", sz, h, q)
		}
	}
	h, _, err := HashReader(bytes.NewReader(encodePNG(t, testCard(5, 5))), Options{})
	if err != nil || h == (Hash{}) {
		t.Errorf("5x5: hash %v, %v; want a non-zero hash", h, err)
	}
}

// TestAnimatedGIF: an animated GIF is hashed by its first frame.
func TestAnimatedGIF(t *testing.T) {
	frame := func(img image.Image) *image.Paletted {
		p := image.NewPaletted(img.Bounds(), palette.Plan9)
		for y := 0; y < img.Bounds().Dy(); y++ {
			for x := 0; x < img.Bounds().Dx(); x++ {
				p.Set(x, y, img.At(x, y))
			}
		}
		return p
	}
	first := frame(testCard(64, 48))
	second := frame(TransformImage(testCard(64, 48), Rotate180))
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{first, second}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	got, _, err := HashReader(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := HashImage(first)
	other, _ := HashImage(second)
	if got != want {
		t.Errorf("animated GIF hash %v, want the first frame's %v", got, want)
	}
	if got == other {
		t.Error("first and second frames hash alike; the test cannot tell them apart")
	}
}

// TestSixteenBitAndAlpha: 16-bit samples hash as their high byte, and alpha
// is dropped, as the reference drops it: each hashes exactly like the
// plain 8-bit opaque image.
func TestSixteenBitAndAlpha(t *testing.T) {
	base := testCard(96, 80)
	want, wq := HashImage(base)

	deep := image.NewNRGBA64(base.Rect)
	grey16 := image.NewGray16(base.Rect)
	grey8 := image.NewGray(base.Rect)
	seeThrough := image.NewNRGBA(base.Rect)
	for y := 0; y < 80; y++ {
		for x := 0; x < 96; x++ {
			c := base.NRGBAAt(x, y)
			deep.SetNRGBA64(x, y, color.NRGBA64{uint16(c.R)<<8 | 0x7f, uint16(c.G)<<8 | 0xff, uint16(c.B) << 8, 0xffff})
			grey16.SetGray16(x, y, color.Gray16{Y: uint16(c.R) * 257})
			grey8.SetGray(x, y, color.Gray{Y: c.R})
			c.A = uint8(x * 255 / 96)
			seeThrough.SetNRGBA(x, y, c)
		}
	}
	wantGrey, _ := HashImage(grey8)
	tests := []struct {
		name string
		img  image.Image
		want Hash
	}{
		{"16-bit RGBA PNG", deep, want},
		{"16-bit grey PNG", grey16, wantGrey},
		{"8-bit RGBA PNG with alpha", seeThrough, want},
	}
	for _, tc := range tests {
		h, q, err := HashReader(bytes.NewReader(encodePNG(t, tc.img)), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if h != tc.want {
			t.Errorf("%s: hash %v, want %v (distance %d)", tc.name, h, tc.want, Distance(h, tc.want))
		}
		if tc.want == want && q != wq {
			t.Errorf("%s: quality %d, want %d", tc.name, q, wq)
		}
	}
}

// TestCMYKJPEG: a CMYK JPEG of a photo hashes within matching distance of
// the RGB original (here the same bits).
func TestCMYKJPEG(t *testing.T) {
	needData(t)
	cmyk := decodeFile(t, "images/misc-images/modes/CMYK.jpg")
	if _, ok := cmyk.(*image.CMYK); !ok {
		t.Fatalf("CMYK.jpg decoded as %T, want *image.CMYK", cmyk)
	}
	got, _ := HashImage(cmyk)
	want, _ := HashImage(decodeFile(t, "images/misc-images/modes/original.jpg"))
	if d := Distance(got, want); d > upstreamTolerance {
		t.Errorf("CMYK.jpg is %d bits from original.jpg, want <= %d", d, upstreamTolerance)
	}
}

// TestModes hashes every Pillow mode of one photo; each must be near the
// original (none of them has an upstream expected hash).
func TestModes(t *testing.T) {
	needData(t)
	want, _ := HashImage(decodeFile(t, "images/misc-images/modes/original.jpg"))
	files, err := filepath.Glob(filepath.Join(dataDir, "images/misc-images/modes/*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("modes: %d files, %v", len(files), err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dataDir, f)
		if strings.HasSuffix(f, ".md") {
			continue
		}
		h, _ := HashImage(decodeFile(t, rel))
		d := Distance(h, want)
		t.Logf("%-40s %3d bits from original.jpg", filepath.Base(f), d)
		// Mode "1" is dithered to black and white.
		limit := upstreamTolerance
		if strings.HasSuffix(f, "/1.png") {
			limit = MatchDistance
		}
		if d > limit {
			t.Errorf("%s: %d bits from original.jpg, want <= %d", rel, d, limit)
		}
	}
}
