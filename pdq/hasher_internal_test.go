package pdq

import (
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
