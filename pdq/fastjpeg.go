package pdq

import (
	"bufio"
	"fmt"
	"io"

	"github.com/marsad/marsad/pdq/internal/jpegscale"
)

// The fast JPEG path (the default; Options.Exact turns it off).
//
// PDQ reads luminance only, and by default it reads a large image only at
// the 512x512 grid of the reference's nearest-neighbour resize. Decoding
// every pixel of every channel, as image/jpeg does, is most of the cost of
// a hash. So JPEGs are decoded by package jpegscale: luminance only
// (chroma is entropy-decoded just to move past it, and progressive chroma
// scans are skipped unread), each 8x8 block reduced in the DCT domain to
// 8/s x 8/s samples, with s per axis the largest of 2, 4 and 8 that leaves
// at least fastMinSide samples on that axis, as libjpeg's scale_denom does.
// The 512x512 grid then takes the reduced sample that covers the pixel
// the reference would have taken. Luminance is the decoded Y itself, which
// is 0.299 R + 0.587 G + 0.114 B of the decoded colour but for rounding
// and for colours clipped at 0 or 255.
//
// The hash then differs from the exact path's by the difference between
// one pixel and the low-pass of the s x s cell around it, which the
// Jarosz box filter (windows of 4 at 512, twice in each direction) mostly
// averages away; CONFORMANCE.md gives the distances on the upstream rows.
// Lossless formats are unaffected. Files jpegscale does not decode (RGB,
// CMYK and YCCK, arithmetic coding, 12-bit) go through image/jpeg, and so
// does any file jpegscale fails on: a fault of the fast decoder must cost
// time, never a hash (Options.OnFallback hears of each).

// fastMinSide is the fewest samples the reduced decode leaves on a side of
// an image that is resized to 512x512: 256 is one reduced sample for two
// grid pixels, still four in each 8x8 cell that becomes one of the 64x64.
const fastMinSide = 256

// scaleFor returns the DCT-domain reduction for one side of n pixels.
func scaleFor(n int) int {
	for _, s := range [...]int{8, 4, 2} {
		if (n+s-1)/s >= fastMinSide {
			return s
		}
	}
	return 1
}

// tooLarge is the error for a header that declares more pixels than the
// limit, worded as Decode words it.
func tooLarge(name string, w, h int, limit int64) error {
	return fmt.Errorf("%s: %w: %dx%d is %d pixels, limit %d",
		name, ErrTooLarge, w, h, int64(w)*int64(h), limit)
}

// fastJPEG decodes the JPEG in br straight to the luminance the hasher
// needs and loads it into buf1. ok is false when the file needs
// image/jpeg, with the reason (FallbackUnsupported or FallbackError) and
// the error. Either way the bytes it read are left in h.head, to be read
// again by image/jpeg.
func (h *Hasher) fastJPEG(br *bufio.Reader) (ok bool, reason string, err error) {
	h.head.Reset()
	header := false
	choose := func(w, ht int) (int, int, error) {
		header = true
		if limit := h.opts.maxPixels(); limit > 0 && int64(w)*int64(ht) > limit {
			return 0, 0, tooLarge("jpeg", w, ht, limit)
		}
		if h.opts.FullResolution || (w <= cliResizeDim && ht <= cliResizeDim) {
			return 1, 1, nil
		}
		return scaleFor(w), scaleFor(ht), nil
	}
	lum, err := h.jpeg.Decode(io.TeeReader(br, &h.head), choose)
	if err != nil {
		if jpegscale.IsUnsupported(err) {
			return false, FallbackUnsupported, err
		}
		if !header {
			return false, FallbackError, fmt.Errorf("jpeg header: %w", noEOF(err))
		}
		return false, FallbackError, fmt.Errorf("jpeg: %w", noEOF(err))
	}
	h.loadPlane(lum)
	return true, "", nil
}

// loadPlane fills buf1 from a reduced luminance plane: the pixels the
// reference would sample from the full image, each taken from the reduced
// sample that covers it.
func (h *Hasher) loadPlane(l *jpegscale.Luma) {
	w, ht := l.FullWidth, l.FullHeight
	rows, cols := ht, w
	if !h.opts.FullResolution && (w > cliResizeDim || ht > cliResizeDim) {
		rows, cols = cliResizeDim, cliResizeDim
	}
	h.rows, h.cols = rows, cols
	h.buf1 = grow(h.buf1, rows*cols)
	h.buf2 = grow(h.buf2, rows*cols)
	h.colSum = grow(h.colSum, cols)
	h.xOff = growInt(h.xOff, cols)
	for x := range cols {
		h.xOff[x] = (x * w / cols) / l.ScaleX
	}
	for y := range rows {
		sy := (y * ht / rows) / l.ScaleY
		src := l.Pix[sy*l.Stride : sy*l.Stride+l.Width]
		o := h.buf1[y*cols : (y+1)*cols]
		xo := h.xOff[:len(o)]
		for x := range o {
			o[x] = float32(src[xo[x]])
		}
	}
}
