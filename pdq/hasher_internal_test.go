package pdq

import (
	"image/color"
	"testing"
)

// TestYCbCrLuma checks the inlined conversion against the standard
// library's for every YCbCr triple.
func TestYCbCrLuma(t *testing.T) {
	for y := range 256 {
		for cb := range 256 {
			for cr := range 256 {
				r, g, b := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				want := float32(float32(lumaR*float32(r))+float32(lumaG*float32(g))) + float32(lumaB*float32(b))
				if got := ycbcrLuma(uint8(y), uint8(cb), uint8(cr)); got != want {
					t.Fatalf("ycbcrLuma(%d, %d, %d) = %v, want %v", y, cb, cr, got, want)
				}
			}
		}
	}
}
