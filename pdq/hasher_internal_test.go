package pdq

import (
	"bytes"
	"image"
	"os"
	"testing"
)

// TestJPEGRGB checks libjpeg's colour conversion at points worked out by
// hand from its formulae (R = Y + 1.402 Cr', G = Y - 0.34414 Cb' -
// 0.71414 Cr', B = Y + 1.772 Cb', with Cb' = Cb - 128, rounded to nearest
// and clamped), and that grey stays grey.
func TestJPEGRGB(t *testing.T) {
	tests := []struct {
		y, cb, cr uint8
		r, g, b   uint8
	}{
		{128, 128, 128, 128, 128, 128},
		{0, 0, 0, 0, 135, 0},           // G = 0 + 44.05 + 91.41 = 135.46
		{255, 255, 255, 255, 121, 255}, // G = 255 - 43.71 - 90.70 = 120.60
		{100, 200, 60, 5, 124, 228},    // R = 100 - 95.34; G = 100 - 24.78 + 48.56; B = 100 + 127.58
		{76, 85, 255, 254, 0, 0},       // pure red, clamped
	}
	for _, tc := range tests {
		r, g, b := jpegRGB(tc.y, tc.cb, tc.cr)
		if r != tc.r || g != tc.g || b != tc.b {
			t.Errorf("jpegRGB(%d, %d, %d) = %d, %d, %d, want %d, %d, %d", tc.y, tc.cb, tc.cr, r, g, b, tc.r, tc.g, tc.b)
		}
	}
	for y := range 256 {
		r, g, b := jpegRGB(uint8(y), 128, 128)
		if r != uint8(y) || g != uint8(y) || b != uint8(y) {
			t.Fatalf("grey %d became %d, %d, %d", y, r, g, b)
		}
	}
}

// TestJPEGColourLibjpeg decodes a 4:2:0 JPEG of flat 16x16 tiles (every
// block holds only its DC coefficient, so all inverse DCTs agree) and
// compares the reconstructed RGB with libjpeg-turbo 2.1.5's output for the
// same file at its defaults, pixel for pixel: chroma interpolation across
// tile edges, at the image edges and odd sizes, and clamped colours.
func TestJPEGColourLibjpeg(t *testing.T) {
	f, err := os.ReadFile("testdata/dc-tiles-420.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/dc-tiles-420.libjpeg.rgb")
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := Decode(bytes.NewReader(f), Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := img.(*image.YCbCr)
	if !ok || m.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		t.Fatalf("decoded as %T, want 4:2:0 YCbCr", img)
	}
	got := jpegNRGBA(m)
	w, h := got.Rect.Dx(), got.Rect.Dy()
	if len(want) != 3*w*h {
		t.Fatalf("libjpeg output has %d bytes, want %d for %dx%d", len(want), 3*w*h, w, h)
	}
	bad := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i, j := got.PixOffset(x, y), 3*(y*w+x)
			if !bytes.Equal(got.Pix[i:i+3], want[j:j+3]) {
				if bad++; bad <= 5 {
					t.Errorf("pixel (%d, %d): %v, libjpeg %v", x, y, got.Pix[i:i+3], want[j:j+3])
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d pixels differ from libjpeg", bad, w*h)
	}
	// The hasher's sampled path must agree with the whole-image one.
	ref := image.NewNRGBA(got.Rect)
	for i := 0; i < w*h; i++ {
		copy(ref.Pix[4*i:], want[3*i:3*i+3])
		ref.Pix[4*i+3] = 0xff
	}
	for _, opts := range []Options{{}, {FullResolution: true}} {
		a, qa := NewHasher(opts).Hash(m)
		b, qb := NewHasher(opts).Hash(ref)
		if a != b || qa != qb {
			t.Errorf("%+v: hash of the JPEG %v,%d, of libjpeg's pixels %v,%d", opts, a, qa, b, qb)
		}
	}
}
