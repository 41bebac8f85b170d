package pdq

import (
	"bufio"
	"bytes"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"

	"github.com/marsad/marsad/pdq/internal/jpegscale"
)

// The arithmetic below follows the reference step by step in float32, in the
// same order, because a hash bit is a comparison against the median and a
// single rounding difference can flip it. Every product that is summed is
// wrapped in float32(...) so the compiler cannot fuse it into an FMA (the
// reference is built without FMA).

const (
	// lumaR, lumaG and lumaB are the reference's BT.601 luma weights.
	lumaR float32 = 0.299
	lumaG float32 = 0.587
	lumaB float32 = 0.114

	// minHashableDim is the reference's smallest hashable side: smaller
	// images get the all-zero hash and quality 0.
	minHashableDim = 5

	// cliResizeDim is the side the reference command-line hasher resizes
	// larger images to before hashing.
	cliResizeDim = 512

	// jaroszPasses is the number of (rows, columns) box-filter pass pairs.
	jaroszPasses = 2
)

// dctMatrix is the 16x64 DCT-II basis the reference uses: row i is frequency
// i+1, scaled by sqrt(2/64). It is computed once and never written again.
var dctMatrix = func() (d [16 * 64]float32) {
	scale := float64(float32(math.Sqrt(2.0 / 64.0)))
	for i := 0; i < 16; i++ {
		for j := 0; j < 64; j++ {
			d[i*64+j] = float32(scale * math.Cos((math.Pi/2.0/64.0)*float64(i+1)*float64(2*j+1)))
		}
	}
	return d
}()

// Transform names one of the eight dihedral transforms (rotations and flips)
// of an image, in the reference's order.
type Transform int

// The eight dihedral transforms, in the order the reference prints them. The
// names are the reference's: Rotate90 is a quarter turn counter-clockwise,
// FlipX mirrors top to bottom (about the horizontal axis), FlipY mirrors left
// to right, FlipPlus1 transposes and FlipMinus1 transposes about the other
// diagonal.
const (
	Original Transform = iota
	Rotate90
	Rotate180
	Rotate270
	FlipX
	FlipY
	FlipPlus1
	FlipMinus1
)

var transformNames = [8]string{"original", "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flipplus1", "flipminus1"}

// String returns the transform's lowercase name.
func (t Transform) String() string {
	if t < 0 || int(t) >= len(transformNames) {
		return "transform(" + strconv.Itoa(int(t)) + ")"
	}
	return transformNames[t]
}

// Dihedral holds the hashes of the eight dihedral transforms of one image,
// indexed by Transform. Matching a query's Dihedral against a bank finds
// rotated and mirrored copies.
type Dihedral [8]Hash

// Hasher computes PDQ hashes and keeps its working buffers between calls, so
// that hashing many images allocates nothing after the first of a given size.
// A Hasher is not safe for concurrent use; give each goroutine its own.
type Hasher struct {
	opts Options

	buf1, buf2 []float32 // luma, rows x cols, row-major (the reference's fullBuffer1/2)
	colSum     []float32 // running sums of the column pass, one per column
	rows, cols int

	b64    [64 * 64]float32
	t16x64 [16 * 64]float32
	b16    [16 * 16]float32
	aux    [16 * 16]float32
	sorted [16 * 16]float32
	pal    [256]float32
	colIdx [64]int      // sampled columns, as the reference's decimation picks them
	rowIdx [64]int      // sampled rows
	narrow []float32    // second-pass row outputs at the sampled columns, rows x 64
	xOff   []int        // per output column: source column's offset into Y or Pix
	xs, ys []chromaAxis // per output column and row: where its chroma comes from

	br   *bufio.Reader     // input of HashReader and DihedralReader
	jpeg jpegscale.Decoder // the fast JPEG path's decoder and buffers
	head bytes.Buffer      // what the fast JPEG path read, for image/jpeg
}

// NewHasher returns a Hasher that hashes as opts says.
func NewHasher(opts Options) *Hasher {
	return &Hasher{opts: opts}
}

// Options returns the options the Hasher was made with.
func (h *Hasher) Options() Options { return h.opts }

// HashImage returns the PDQ hash and quality (0..100) of img with the default
// Options. It allocates its buffers on every call; use a Hasher to hash many
// images.
func HashImage(img image.Image) (Hash, int) {
	return NewHasher(Options{}).Hash(img)
}

// DihedralImage returns the hashes of the eight dihedral transforms of img
// and its quality, with the default Options.
func DihedralImage(img image.Image) (Dihedral, int) {
	return NewHasher(Options{}).Dihedral(img)
}

// Hash returns the PDQ hash and quality (0..100) of img. Images narrower or
// shorter than 5 pixels (after the optional 512x512 resize) get the zero hash
// and quality 0, as in the reference.
func (h *Hasher) Hash(img image.Image) (Hash, int) {
	h.loadLuma(img)
	return h.hashLoaded()
}

// hashLoaded hashes the luminance in buf1 (rows x cols).
func (h *Hasher) hashLoaded() (Hash, int) {
	if h.rows < minHashableDim || h.cols < minHashableDim {
		return Hash{}, 0
	}
	if h.rows == 64 && h.cols == 64 {
		// The reference skips the filter for input that is already 64x64
		// (e.g. video frames scaled by ffmpeg); its dihedral path does not.
		copy(h.b64[:], h.buf1)
	} else {
		h.downsample()
	}
	q := quality(&h.b64)
	h.dct()
	h.release()
	return h.bits(&h.b16), q
}

// maxRetained is the largest luma buffer (in pixels) a Hasher keeps
// between calls: every 512x512 hash, and full-resolution hashes up to
// 2048x2048. Bigger ones are let go, so that one huge image does not pin
// hundreds of megabytes in each worker.
const maxRetained = 2048 * 2048

func (h *Hasher) release() {
	if cap(h.buf1) > maxRetained {
		h.buf1, h.buf2, h.narrow = nil, nil, nil
	}
}

// Dihedral returns the hashes of the eight dihedral transforms of img,
// computed from one DCT as the reference does, and the quality.
func (h *Hasher) Dihedral(img image.Image) (Dihedral, int) {
	h.loadLuma(img)
	return h.dihedralLoaded()
}

// dihedralLoaded is Dihedral of the luminance in buf1.
func (h *Hasher) dihedralLoaded() (Dihedral, int) {
	var d Dihedral
	if h.rows < minHashableDim || h.cols < minHashableDim {
		return d, 0
	}
	h.downsample()
	q := quality(&h.b64)
	h.dct()
	d[Original] = h.bits(&h.b16)
	for t := Rotate90; t <= FlipMinus1; t++ {
		transformDCT(t, &h.b16, &h.aux)
		d[t] = h.bits(&h.aux)
	}
	h.release()
	return d, q
}

// grow returns s with length n, reusing its storage when it is big enough.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// growInt is grow for int slices.
func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

// lumaTables holds the reference's three float32 products, weight times
// channel value, for every 8-bit value: the same numbers it multiplies out.
type lumaTables struct{ r, g, b [256]float32 }

var lumaTab = func() (t lumaTables) {
	for v := range 256 {
		t.r[v] = lumaR * float32(v)
		t.g[v] = lumaG * float32(v)
		t.b[v] = lumaB * float32(v)
	}
	return t
}()

// luma is the reference's float32 luminance of one 8-bit RGB pixel, summed
// in its order.
func luma(r, g, b uint8) float32 {
	return (lumaTab.r[r] + lumaTab.g[g]) + lumaTab.b[b]
}

// loadLuma fills buf1 with the luminance of img, resized to 512x512 by
// nearest neighbour first when the reference command-line hasher would do so.
func (h *Hasher) loadLuma(img image.Image) {
	bounds := img.Bounds()
	w, ht := bounds.Dx(), bounds.Dy()
	rows, cols := ht, w
	if !h.opts.FullResolution && (w > cliResizeDim || ht > cliResizeDim) {
		rows, cols = cliResizeDim, cliResizeDim
	}
	h.rows, h.cols = rows, cols
	if rows <= 0 || cols <= 0 {
		return
	}
	h.buf1 = grow(h.buf1, rows*cols)
	h.buf2 = grow(h.buf2, rows*cols)
	h.colSum = grow(h.colSum, cols)

	// Source column and row of each output pixel: CImg's nearest-neighbour
	// resize takes floor(x*W/512); identity when not resizing.
	srcX := func(x int) int { return bounds.Min.X + x*w/cols }
	srcY := func(y int) int { return bounds.Min.Y + y*ht/rows }

	out := h.buf1
	switch m := img.(type) {
	case *image.YCbCr:
		h.loadYCbCr(m, out, rows, cols, srcX, srcY)
	case *image.NRGBA:
		h.xOff = growInt(h.xOff, cols)
		for x := range cols {
			h.xOff[x] = m.PixOffset(srcX(x), m.Rect.Min.Y)
		}
		for y := 0; y < rows; y++ {
			row := (srcY(y) - m.Rect.Min.Y) * m.Stride
			o := out[y*cols : (y+1)*cols]
			xo := h.xOff[:len(o)]
			for x := range o {
				i := xo[x] + row
				p := m.Pix[i : i+3 : i+3]
				o[x] = luma(p[0], p[1], p[2])
			}
		}
	case *image.Gray:
		for y := 0; y < rows; y++ {
			sy := srcY(y)
			o := out[y*cols : (y+1)*cols]
			for x := range o {
				o[x] = float32(m.Pix[m.PixOffset(srcX(x), sy)])
			}
		}
	case *image.Gray16:
		// Grey is its own luminance, as in the reference's one-channel
		// path; 16-bit samples count by their high byte.
		for y := 0; y < rows; y++ {
			sy := srcY(y)
			o := out[y*cols : (y+1)*cols]
			for x := range o {
				o[x] = float32(m.Pix[m.PixOffset(srcX(x), sy)])
			}
		}
	case *image.Paletted:
		for i := range h.pal {
			h.pal[i] = 0
		}
		for i, c := range m.Palette {
			if i >= len(h.pal) {
				break
			}
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			h.pal[i] = luma(n.R, n.G, n.B)
		}
		for y := 0; y < rows; y++ {
			sy := srcY(y)
			o := out[y*cols : (y+1)*cols]
			for x := range o {
				o[x] = h.pal[m.Pix[m.PixOffset(srcX(x), sy)]]
			}
		}
	default:
		// Everything else goes through the image's own colour model to
		// non-premultiplied 8-bit RGB, dropping alpha as the reference does:
		// premultiplied and 16-bit images, CMYK, NYCbCrA and the rest.
		for y := 0; y < rows; y++ {
			sy := srcY(y)
			o := out[y*cols : (y+1)*cols]
			for x := range o {
				r, g, b := rgb8(img, srcX(x), sy)
				o[x] = luma(r, g, b)
			}
		}
	}
}

// rgb8 returns the non-premultiplied 8-bit RGB of one pixel, taking the high
// byte of 16-bit samples.
func rgb8(img image.Image, x, y int) (r, g, b uint8) {
	switch m := img.(type) {
	case *image.RGBA:
		i := m.PixOffset(x, y)
		p := m.Pix[i : i+4 : i+4]
		if p[3] == 0xff {
			return p[0], p[1], p[2]
		}
		n := color.NRGBAModel.Convert(color.RGBA{p[0], p[1], p[2], p[3]}).(color.NRGBA)
		return n.R, n.G, n.B
	case *image.NRGBA64:
		i := m.PixOffset(x, y)
		return m.Pix[i], m.Pix[i+2], m.Pix[i+4]
	case *image.Gray16:
		v := m.Pix[m.PixOffset(x, y)]
		return v, v, v
	case *image.CMYK:
		i := m.PixOffset(x, y)
		return color.CMYKToRGB(m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3])
	case *image.NYCbCrA:
		yi, ci := m.YOffset(x, y), m.COffset(x, y)
		return color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
	}
	n := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
	return uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)
}

// jaroszWindow is the reference's box-filter window for scaling a side of
// length from to 64: half of a 64th of the side, rounded up, per pass.
func jaroszWindow(from int) int {
	return (from + 2*64 - 1) / (2 * 64)
}

// downsample runs the two-pass Jarosz filter over buf1 (rows x cols) and
// decimates it to 64x64 in b64. Every running sum sees the reference's
// operations in the reference's order, so every value it keeps is the
// reference's; the last pass only skips the divisions whose results the
// decimation would never read.
func (h *Hasher) downsample() {
	rows, cols := h.rows, h.cols
	wr := jaroszWindow(cols) // window along each row
	wc := jaroszWindow(rows) // window along each column
	for k := 0; k < 64; k++ {
		h.colIdx[k] = int(((float64(k) + 0.5) * float64(cols)) / 64)
		h.rowIdx[k] = int(((float64(k) + 0.5) * float64(rows)) / 64)
	}
	// First pass, in full.
	for i := 0; i < rows; i++ {
		box1D(h.buf1[i*cols:(i+1)*cols], h.buf2[i*cols:(i+1)*cols], wr)
	}
	boxColumns(h.buf2, h.buf1, rows, cols, wc, h.colSum)
	// Second pass: rows, keeping the 64 sampled columns...
	h.narrow = grow(h.narrow, rows*64)
	for i := 0; i < rows; i++ {
		boxAt(h.buf1[i*cols:(i+1)*cols], 1, cols, wr, &h.colIdx, h.narrow[i*64:(i+1)*64], 1)
	}
	// ...then those columns, keeping the 64 sampled rows.
	for k := 0; k < 64; k++ {
		boxAt(h.narrow[k:], 64, rows, wc, &h.rowIdx, h.b64[k:], 64)
	}
}

// boxAt is the reference's running box filter along n samples of in, read
// every stride; it writes only the outputs at the (ascending) positions in
// at, the k-th to out[k*ostride].
func boxAt(in []float32, stride, n, w int, at *[64]int, out []float32, ostride int) {
	p1, p2, p3, p4 := boxPhases(n, w)
	var sum float32
	cnt := 0
	ri, li, oi, next := 0, 0, 0, 0
	emit := func() {
		for next < len(at) && at[next] == oi {
			out[next*ostride] = sum / float32(cnt)
			next++
		}
	}
	for k := 0; k < p1; k++ {
		sum += in[ri]
		cnt++
		ri += stride
	}
	for k := 0; k < p2; k++ {
		sum += in[ri]
		cnt++
		emit()
		ri += stride
		oi++
	}
	for k := 0; k < p3; k++ {
		sum += in[ri]
		sum -= in[li]
		emit()
		li += stride
		ri += stride
		oi++
	}
	for k := 0; k < p4; k++ {
		sum -= in[li]
		cnt--
		emit()
		li += stride
		oi++
	}
}

// boxPhases returns the reference's four phase lengths of a running box
// filter over n samples with window w: sums without writing, writes while the
// window grows, writes with a full window, writes while it shrinks.
func boxPhases(n, w int) (p1, p2, p3, p4 int) {
	half := (w + 2) / 2
	return half - 1, w - half + 1, n - w, half - 1
}

// box1D is the reference's running box filter along one contiguous vector.
func box1D(in, out []float32, w int) {
	n := len(in)
	p1, p2, p3, p4 := boxPhases(n, w)
	var sum float32
	cnt := 0
	ri, li, oi := 0, 0, 0
	for k := 0; k < p1; k++ {
		sum += in[ri]
		cnt++
		ri++
	}
	for k := 0; k < p2; k++ {
		sum += in[ri]
		cnt++
		out[oi] = sum / float32(cnt)
		ri++
		oi++
	}
	fc := float32(cnt)
	for k := 0; k < p3; k++ {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / fc
		li++
		ri++
		oi++
	}
	for k := 0; k < p4; k++ {
		sum -= in[li]
		cnt--
		out[oi] = sum / float32(cnt)
		li++
		oi++
	}
}

// boxColumns filters every column at once, sweeping row by row so memory is
// read in order; each column's sum sees the same operations in the same
// order as the reference's column-by-column loop.
func boxColumns(in, out []float32, rows, cols, w int, sum []float32) {
	p1, p2, p3, p4 := boxPhases(rows, w)
	clear(sum)
	cnt := 0
	ri, li, oi := 0, 0, 0
	for k := 0; k < p1; k++ {
		r := in[ri*cols : (ri+1)*cols]
		for j := range sum {
			sum[j] += r[j]
		}
		cnt++
		ri++
	}
	for k := 0; k < p2; k++ {
		r := in[ri*cols : (ri+1)*cols]
		o := out[oi*cols : (oi+1)*cols]
		cnt++
		fc := float32(cnt)
		for j := range sum {
			sum[j] += r[j]
			o[j] = sum[j] / fc
		}
		ri++
		oi++
	}
	fc := float32(cnt)
	for k := 0; k < p3; k++ {
		r := in[ri*cols : (ri+1)*cols]
		l := in[li*cols : (li+1)*cols]
		o := out[oi*cols : (oi+1)*cols]
		for j := range sum {
			s := sum[j] + r[j]
			s -= l[j]
			sum[j] = s
			o[j] = s / fc
		}
		li++
		ri++
		oi++
	}
	for k := 0; k < p4; k++ {
		l := in[li*cols : (li+1)*cols]
		o := out[oi*cols : (oi+1)*cols]
		cnt--
		fc := float32(cnt)
		for j := range sum {
			sum[j] -= l[j]
			o[j] = sum[j] / fc
		}
		li++
		oi++
	}
}

// quality is the reference's image-domain quality metric: the sum of
// quantised gradients of the 64x64 downsample, scaled and capped at 100.
func quality(b *[64 * 64]float32) int {
	sum := 0
	for i := 0; i < 63; i++ {
		for j := 0; j < 64; j++ {
			d := int(((b[i*64+j] - b[(i+1)*64+j]) * 100) / 255)
			sum += abs(d)
		}
	}
	for i := 0; i < 64; i++ {
		for j := 0; j < 63; j++ {
			d := int(((b[i*64+j] - b[i*64+j+1]) * 100) / 255)
			sum += abs(d)
		}
	}
	q := sum / 90
	if q > 100 {
		q = 100
	}
	return q
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// dct computes the 16x16 low-frequency block B = D A Dᵀ of the 64x64
// downsample A into b16, summing over k in ascending order as the reference
// does. Only the 16 needed rows of D are used: 82k multiply-adds.
func (h *Hasher) dct() {
	a, t, b := &h.b64, &h.t16x64, &h.b16
	d := &dctMatrix
	// T = D A: row i of T accumulates D[i][k] * row k of A, for k = 0..63.
	for i := 0; i < 16; i++ {
		ti := t[i*64 : (i+1)*64 : (i+1)*64]
		clear(ti)
		for k := 0; k < 64; k++ {
			dk := d[i*64+k]
			ak := a[k*64 : (k+1)*64 : (k+1)*64]
			for j := range ti {
				ti[j] += float32(dk * ak[j])
			}
		}
	}
	// B = T Dᵀ.
	for i := 0; i < 16; i++ {
		ti := t[i*64 : (i+1)*64 : (i+1)*64]
		for j := 0; j < 16; j++ {
			dj := d[j*64 : (j+1)*64 : (j+1)*64]
			var s float32
			for k := range ti {
				s += float32(ti[k] * dj[k])
			}
			b[i*16+j] = s
		}
	}
}

// bits thresholds a 16x16 DCT block at its median: bit 16*i+j is set when
// coefficient (i, j) is strictly greater. The reference's Torben median of
// 256 values is the 128th smallest, which sorting a copy gives directly.
func (h *Hasher) bits(c *[256]float32) Hash {
	h.sorted = *c
	slices.Sort(h.sorted[:])
	median := h.sorted[127]
	var out Hash
	for k, v := range c {
		if v > median {
			out.setBit(k)
		}
	}
	return out
}

// transformDCT maps the DCT block of an image to the DCT block of its
// transform t: flipping an axis negates the odd-indexed frequencies along it
// (0-based even indices here, since index i is frequency i+1), and the
// diagonal transforms transpose.
func transformDCT(t Transform, a, b *[256]float32) {
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			v := a[i*16+j]
			switch t {
			case Rotate90:
				if j&1 == 0 {
					v = -v
				}
				b[j*16+i] = v
			case Rotate180:
				if (i+j)&1 == 1 {
					v = -v
				}
				b[i*16+j] = v
			case Rotate270:
				if i&1 == 0 {
					v = -v
				}
				b[j*16+i] = v
			case FlipX:
				if i&1 == 0 {
					v = -v
				}
				b[i*16+j] = v
			case FlipY:
				if j&1 == 0 {
					v = -v
				}
				b[i*16+j] = v
			case FlipPlus1:
				b[j*16+i] = v
			case FlipMinus1:
				if (i+j)&1 == 1 {
					v = -v
				}
				b[j*16+i] = v
			default:
				b[i*16+j] = v
			}
		}
	}
}
