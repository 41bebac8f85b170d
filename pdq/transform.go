package pdq

import (
	"image"
	"image/color"
)

// TransformImage returns a copy of img rotated or flipped by t, pixel for
// pixel. Hashing the copy gives exactly what hashing a rotated file gives
// (python-threatexchange's "rotations" preprocessing), whereas
// Hasher.Dihedral derives the eight hashes from one DCT as the reference
// does, which is much cheaper but only approximately equal: the box filter
// and the decimation grid are not symmetric, so the two can differ by many
// bits on fine-grained images.
func TransformImage(img image.Image, t Transform) image.Image {
	if m, ok := img.(*image.YCbCr); ok {
		// Reconstruct the pixels libjpeg would have decoded first.
		img = jpegNRGBA(m)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if t == Rotate90 || t == Rotate270 || t == FlipPlus1 || t == FlipMinus1 {
		ow, oh = h, w
	}
	// src maps an output pixel to the source pixel it shows (0-based).
	src := func(x, y int) (int, int) {
		switch t {
		case Rotate90: // a quarter turn counter-clockwise
			return w - 1 - y, x
		case Rotate180:
			return w - 1 - x, h - 1 - y
		case Rotate270:
			return y, h - 1 - x
		case FlipX: // top to bottom
			return x, h - 1 - y
		case FlipY: // left to right
			return w - 1 - x, y
		case FlipPlus1: // transpose
			return y, x
		case FlipMinus1:
			return w - 1 - y, h - 1 - x
		}
		return x, y
	}
	r := image.Rect(0, 0, ow, oh)

	// Same-type copies keep the exact samples.
	var pix, dst []byte
	var sstride, dstride, bpp int
	var out image.Image
	switch m := img.(type) {
	case *image.NRGBA:
		o := image.NewNRGBA(r)
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 4, o
	case *image.RGBA:
		o := image.NewRGBA(r)
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 4, o
	case *image.Gray:
		o := image.NewGray(r)
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 1, o
	case *image.Gray16:
		o := image.NewGray16(r)
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 2, o
	case *image.NRGBA64:
		o := image.NewNRGBA64(r)
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 8, o
	case *image.RGBA64:
		o := image.NewRGBA64(r)
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 8, o
	case *image.CMYK:
		o := image.NewCMYK(r)
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 4, o
	case *image.Paletted:
		o := image.NewPaletted(r, append(color.Palette(nil), m.Palette...))
		pix, sstride, dst, dstride, bpp, out = m.Pix, m.Stride, o.Pix, o.Stride, 1, o
	default:
		o := image.NewNRGBA(r)
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				sx, sy := src(x, y)
				r, g, bl := rgb8(img, b.Min.X+sx, b.Min.Y+sy)
				i := o.PixOffset(x, y)
				o.Pix[i], o.Pix[i+1], o.Pix[i+2], o.Pix[i+3] = r, g, bl, 0xff
			}
		}
		return o
	}
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			sx, sy := src(x, y)
			si := sy*sstride + sx*bpp
			di := y*dstride + x*bpp
			copy(dst[di:di+bpp], pix[si:si+bpp])
		}
	}
	return out
}
