package pdq

import (
	"image"
	"image/draw"
)

// DefaultBlackThreshold is the channel value at or below which a pixel
// counts as black border for Unletterbox, as in python-threatexchange's
// hash command.
const DefaultBlackThreshold = 15

// Unletterbox returns img without the black bars around it: whole rows at
// the top and bottom and whole columns at the left and right whose pixels
// all have red, green and blue at or below threshold. Re-uploads often add
// such bars, and they move a PDQ hash far from the original's. An image
// that is black all over is returned unchanged.
func Unletterbox(img image.Image, threshold uint8) image.Image {
	if m, ok := img.(*image.YCbCr); ok {
		// Judge and crop the pixels libjpeg would have decoded, as
		// python-threatexchange does.
		img = jpegNRGBA(m)
	}
	b := img.Bounds()
	black := func(x, y int) bool {
		r, g, bl := rgb8(img, x, y)
		return r <= threshold && g <= threshold && bl <= threshold
	}
	rowBlack := func(y, x0, x1 int) bool {
		for x := x0; x < x1; x++ {
			if !black(x, y) {
				return false
			}
		}
		return true
	}
	colBlack := func(x, y0, y1 int) bool {
		for y := y0; y < y1; y++ {
			if !black(x, y) {
				return false
			}
		}
		return true
	}
	top := b.Min.Y
	for top < b.Max.Y && rowBlack(top, b.Min.X, b.Max.X) {
		top++
	}
	if top == b.Max.Y {
		return img
	}
	bottom := b.Max.Y
	for bottom > top && rowBlack(bottom-1, b.Min.X, b.Max.X) {
		bottom--
	}
	left := b.Min.X
	for left < b.Max.X && colBlack(left, top, bottom) {
		left++
	}
	right := b.Max.X
	for right > left && colBlack(right-1, top, bottom) {
		right--
	}
	r := image.Rect(left, top, right, bottom)
	if r == b {
		return img
	}
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	out := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	return out
}
