package pdq

import "image"

// JPEG colour reconstruction as libjpeg does it.
//
// The reference, Pillow (and so the pdqhash binding) and the WebAssembly
// build all decode JPEG with libjpeg(-turbo) at its defaults. Go's
// image/jpeg hands back the decoded planes as they are stored, chroma at
// its own resolution; turning them into RGB the way libjpeg does, rather
// than the way color.YCbCrToRGB does, removes two of the three sources of
// difference from the reference: libjpeg interpolates subsampled chroma
// ("fancy upsampling": 3/4 of the nearer sample and 1/4 of the further one
// in each subsampled direction) where Go repeats it, and it rounds its
// fixed-point colour conversion differently. Only the inverse DCT still
// differs (see CONFORMANCE.md).

// jpegScaleBits is libjpeg's fixed-point precision for colour conversion.
const jpegScaleBits = 16

// jpegTables are libjpeg's YCbCr-to-RGB tables, indexed by the chroma
// sample: the red and blue offsets already rounded, the two green terms
// to be summed and shifted.
type jpegTables struct {
	crR, cbB, crG, cbG [256]int32
}

var jpegTab = func() (t jpegTables) {
	fix := func(x float64) int32 { return int32(x*(1<<jpegScaleBits) + 0.5) }
	const half = 1 << (jpegScaleBits - 1)
	for i := range 256 {
		x := int32(i - 128)
		t.crR[i] = (fix(1.40200)*x + half) >> jpegScaleBits
		t.cbB[i] = (fix(1.77200)*x + half) >> jpegScaleBits
		t.crG[i] = -fix(0.71414) * x
		t.cbG[i] = -fix(0.34414)*x + half
	}
	return t
}()

// jpegLuma is the luminance of one pixel converted to RGB as libjpeg
// converts it.
func jpegLuma(y, cb, cr uint8) float32 {
	r, g, b := jpegRGB(y, cb, cr)
	return luma(r, g, b)
}

// jpegRGB converts one YCbCr sample to RGB with libjpeg's tables.
func jpegRGB(y, cb, cr uint8) (r, g, b uint8) {
	yy := int32(y)
	r = uint8(min(max(yy+jpegTab.crR[cr], 0), 255))
	g = uint8(min(max(yy+(jpegTab.cbG[cb]+jpegTab.crG[cr])>>jpegScaleBits, 0), 255))
	b = uint8(min(max(yy+jpegTab.cbB[cb], 0), 255))
	return r, g, b
}

// chromaAxis says, for one pixel coordinate along one axis, which chroma
// samples its upsampled value is made from: the nearer sample near, the
// further one far (equal to near at the edges and where libjpeg
// replicates), and the rounding bias of the direction.
type chromaAxis struct {
	near, far, bias int
}

// chromaAxes fills axis for the pixel coordinates of src (absolute
// coordinates from..to-1, of which only those listed are needed) along one
// direction subsampled by factor (1, 2 or 4). fancy says whether libjpeg
// interpolates in this direction; lowBias and highBias are the biases for
// the pixel at the lower and the higher half of its sample. Indices are
// relative to the first chroma sample of the range.
func chromaAxes(axis []chromaAxis, src func(int) int, from, to, factor int, fancy bool, lowBias, highBias int) {
	first := from / factor
	n := (to+factor-1)/factor - first // chroma samples covering the range
	for i := range axis {
		p := src(i)
		c := p/factor - first
		a := chromaAxis{near: c, far: c}
		if fancy {
			if p%2 == 0 {
				a.far, a.bias = max(c-1, 0), lowBias
			} else {
				a.far, a.bias = min(c+1, n-1), highBias
			}
		}
		axis[i] = a
	}
}

// subsampling returns the horizontal and vertical chroma subsampling
// factors of a YCbCr image.
func subsampling(r image.YCbCrSubsampleRatio) (h, v int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// jpegChromaPlan sets up, for the pixels of m that the hasher samples
// (columns srcX(0..cols-1), rows srcY(0..rows-1)), where each upsampled
// chroma value comes from. libjpeg interpolates 2x horizontal subsampling
// when the chroma is more than 2 samples wide, 2x vertical subsampling
// always, and repeats samples otherwise (4x). Its edges repeat the first
// and last sample.
func jpegChromaPlan(m *image.YCbCr, xs, ys []chromaAxis, srcX, srcY func(int) int) {
	hf, vf := subsampling(m.SubsampleRatio)
	r := m.Rect
	cw := (r.Max.X+hf-1)/hf - r.Min.X/hf
	switch {
	case hf == 2 && vf == 2 && cw > 2: // h2v2: biases 8 and 7 of 16
		chromaAxes(xs, srcX, r.Min.X, r.Max.X, 2, true, 8, 7)
		chromaAxes(ys, srcY, r.Min.Y, r.Max.Y, 2, true, 0, 0)
	case hf == 2 && vf == 1 && cw > 2: // h2v1: biases 1 and 2 of 4
		chromaAxes(xs, srcX, r.Min.X, r.Max.X, 2, true, 4, 8)
		chromaAxes(ys, srcY, r.Min.Y, r.Max.Y, 1, false, 0, 0)
	case hf == 1 && vf == 2: // h1v2: biases 1 and 2 of 4
		chromaAxes(xs, srcX, r.Min.X, r.Max.X, 1, false, 0, 0)
		chromaAxes(ys, srcY, r.Min.Y, r.Max.Y, 2, true, 4, 8)
	default: // no subsampling, or repetition
		chromaAxes(xs, srcX, r.Min.X, r.Max.X, hf, false, 0, 0)
		chromaAxes(ys, srcY, r.Min.Y, r.Max.Y, vf, false, 0, 0)
	}
}

// upsampleAt is one upsampled chroma value from plane p (stride s):
// libjpeg's 3/4-1/4 weights in both directions, in sixteenths, which
// reduce exactly to its one-direction and repeating cases when far equals
// near.
func upsampleAt(p []uint8, s int, x, y chromaAxis) uint8 {
	near := 3*int(p[y.near*s+x.near]) + int(p[y.far*s+x.near])
	far := 3*int(p[y.near*s+x.far]) + int(p[y.far*s+x.far])
	return uint8((3*near + far + x.bias + y.bias) >> 4)
}

// loadYCbCr fills out (rows x cols) with the luminance of the sampled
// pixels of m, reconstructed as libjpeg reconstructs them.
func (h *Hasher) loadYCbCr(m *image.YCbCr, out []float32, rows, cols int, srcX, srcY func(int) int) {
	h.xs = growAxis(h.xs, cols)
	h.ys = growAxis(h.ys, rows)
	jpegChromaPlan(m, h.xs, h.ys, srcX, srcY)
	h.xOff = growInt(h.xOff, cols)
	for x := range cols {
		h.xOff[x] = srcX(x) - m.Rect.Min.X
	}
	for y := 0; y < rows; y++ {
		yRow := m.Y[(srcY(y)-m.Rect.Min.Y)*m.YStride:]
		ya := h.ys[y]
		o := out[y*cols : (y+1)*cols]
		xo, xs := h.xOff[:len(o)], h.xs[:len(o)]
		for x := range o {
			cb := upsampleAt(m.Cb, m.CStride, xs[x], ya)
			cr := upsampleAt(m.Cr, m.CStride, xs[x], ya)
			o[x] = jpegLuma(yRow[xo[x]], cb, cr)
		}
	}
}

func growAxis(s []chromaAxis, n int) []chromaAxis {
	if cap(s) < n {
		return make([]chromaAxis, n)
	}
	return s[:n]
}

// jpegNRGBA converts m to RGB as libjpeg would have decoded it.
func jpegNRGBA(m *image.YCbCr) *image.NRGBA {
	r := m.Rect
	out := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	xs, ys := make([]chromaAxis, r.Dx()), make([]chromaAxis, r.Dy())
	srcX := func(x int) int { return r.Min.X + x }
	srcY := func(y int) int { return r.Min.Y + y }
	jpegChromaPlan(m, xs, ys, srcX, srcY)
	for y := range ys {
		yRow := m.Y[y*m.YStride:]
		for x := range xs {
			cb := upsampleAt(m.Cb, m.CStride, xs[x], ys[y])
			cr := upsampleAt(m.Cr, m.CStride, xs[x], ys[y])
			i := out.PixOffset(x, y)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2] = jpegRGB(yRow[x], cb, cr)
			out.Pix[i+3] = 0xff
		}
	}
	return out
}
