package jpegscale

import (
	"errors"
	"io"
	"math"
)

// Luma is the luminance (Y) plane of a JPEG image reduced ScaleX times
// horizontally and ScaleY times vertically: pixel (x, y) of the plane is
// Pix[y*Stride+x], for x < Width = ceil(full width / ScaleX) and
// y < Height = ceil(full height / ScaleY). It covers the 8/ScaleX x
// 8/ScaleY pixels of each block the reduced inverse DCT gives, as libjpeg's
// scaled decoding does.
type Luma struct {
	Pix            []uint8
	Stride         int
	Width, Height  int
	FullWidth      int // the image's width in its header
	FullHeight     int // the image's height in its header
	ScaleX, ScaleY int // 1, 2, 4 or 8
}

// Decoder decodes JPEG luminance and keeps its buffers between calls, so
// that decoding many images allocates little. It is not safe for
// concurrent use.
type Decoder struct {
	out    Luma
	coeffs []block
}

// ChooseFunc is given an image's size from its frame header, before any
// pixel is decoded, and returns the reduction per axis (1, 2, 4 or 8), or
// an error that stops decoding (a pixel limit, say).
type ChooseFunc func(width, height int) (sx, sy int, err error)

// Decode reads one JPEG image from r and returns its luminance reduced as
// choose says. The returned Luma's Pix is reused by the next call.
// Unsupported files give an error that is an UnsupportedError (see
// [IsUnsupported]), returned before any scan data is read when the frame
// header shows it; malformed files give a FormatError or an I/O error.
func (dec *Decoder) Decode(r io.Reader, choose ChooseFunc) (lum *Luma, err error) {
	d := &decoder{choose: choose, out: &dec.out, coeffs: dec.coeffs}
	dec.out.Width, dec.out.Height = 0, 0
	defer func() {
		dec.coeffs = d.coeffs
		if p := recover(); p != nil {
			// The decoder is image/jpeg's, which is fuzzed upstream; a
			// panic here would be a bug in the changes, and one hostile
			// file must not stop a worker.
			lum, err = nil, FormatError("decoder failed: "+panicString(p))
		}
	}()
	if err := d.decode(r); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return &dec.out, nil
}

func panicString(p any) string {
	if e, ok := p.(error); ok {
		return e.Error()
	}
	if s, ok := p.(string); ok {
		return s
	}
	return "unknown panic"
}

// IsUnsupported reports whether err says the file uses a JPEG feature this
// package does not decode (as opposed to being malformed).
func IsUnsupported(err error) bool {
	var u UnsupportedError
	return errors.As(err, &u)
}

// setup runs once the frame header is read: it asks for the reduction and
// sizes the output plane.
func (d *decoder) setup() error {
	if d.width <= 0 || d.height <= 0 {
		return FormatError("image has no pixels")
	}
	sx, sy, err := d.choose(d.width, d.height)
	if err != nil {
		return err
	}
	if !validScale(sx) || !validScale(sy) {
		return errors.New("jpegscale: scale must be 1, 2, 4 or 8")
	}
	h0, v0 := d.comp[0].h, d.comp[0].v
	mxx := (d.width + 8*h0 - 1) / (8 * h0)
	myy := (d.height + 8*v0 - 1) / (8 * v0)
	bw, bh := mxx*h0, myy*v0 // luminance blocks, whole MCUs
	o := d.out
	o.ScaleX, o.ScaleY = sx, sy
	o.FullWidth, o.FullHeight = d.width, d.height
	o.Width, o.Height = (d.width+sx-1)/sx, (d.height+sy-1)/sy
	o.Stride = bw * 8 / sx
	n := o.Stride * bh * 8 / sy
	if cap(o.Pix) < n || cap(o.Pix) > 4*n+1<<20 {
		o.Pix = make([]uint8, n)
	} else {
		o.Pix = o.Pix[:n]
	}
	d.maxZig = maxZigFor(8/sx, 8/sy)
	return nil
}

func validScale(s int) bool { return s == 1 || s == 2 || s == 4 || s == 8 }

// maxZigFor is the last zig-zag index inside the top-left nv x nh
// coefficients: the last one a reduced inverse DCT reads.
func maxZigFor(nh, nv int) int32 {
	m := int32(0)
	for z, n := range unzig {
		if n%8 < nh && n/8 < nv {
			m = int32(z)
		}
	}
	return m
}

// zigOf maps natural order to zig-zag order: the inverse of unzig.
var zigOf = func() (z [blockSize]int) {
	for i, n := range unzig {
		z[n] = i
	}
	return z
}()

// idctBasis[k] holds the reduced inverse DCT for n = 8>>k outputs: row x
// holds c(u)/2 * cos((2x+1)uπ/2n) for u < n, which samples the block's
// low-frequency reconstruction at the centres of n equal cells, as
// libjpeg's jidctred does. Rows are 8 wide whatever n.
var idctBasis = func() (m [4][8 * 8]float32) {
	for k := range 4 {
		n := 8 >> k
		for x := range n {
			for u := range n {
				c := 0.5
				if u == 0 {
					c = 0.5 / math.Sqrt2
				}
				m[k][x*8+u] = float32(c * math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*n)))
			}
		}
	}
	return m
}()

func log2Scale(s int) int {
	switch s {
	case 2:
		return 1
	case 4:
		return 2
	case 8:
		return 3
	}
	return 0
}

// reconstructBlock dequantizes luminance block b (natural order), computes
// its reduced inverse DCT and stores it in the plane at block (bx, by).
func (d *decoder) reconstructBlock(b *block, bx, by int) {
	o := d.out
	qt := &d.quant[d.comp[0].tq]
	sx, sy := o.ScaleX, o.ScaleY
	if sx == 1 && sy == 1 {
		for zig := 0; zig < blockSize; zig++ {
			b[unzig[zig]] *= qt[zig]
		}
		idct(b)
		dst := o.Pix[8*(by*o.Stride+bx):]
		for y := 0; y < 8; y++ {
			row := dst[y*o.Stride : y*o.Stride+8 : y*o.Stride+8]
			src := b[y*8 : y*8+8 : y*8+8]
			for x, c := range src {
				row[x] = clamp128(c)
			}
		}
		return
	}
	nh, nv := 8/sx, 8/sy
	var f [8 * 8]float32 // dequantized coefficients, rows of 8
	ac := false
	for v := range nv {
		for u := range nh {
			n := v*8 + u
			c := b[n]
			if c != 0 {
				c *= qt[zigOf[n]]
				if n != 0 {
					ac = true
				}
			}
			f[n] = float32(c)
		}
	}
	dst := o.Pix[by*nv*o.Stride+bx*nh:]
	if !ac {
		// A flat block: only the DC term, f(0,0)/8.
		v := roundClamp(f[0]/8 + 128)
		for y := range nv {
			row := dst[y*o.Stride : y*o.Stride+nh]
			for x := range row {
				row[x] = v
			}
		}
		return
	}
	mh, mv := &idctBasis[log2Scale(sx)], &idctBasis[log2Scale(sy)]
	// t[v][x]: the horizontal pass over the nv needed rows.
	var t [8 * 8]float32
	for v := range nv {
		fr := f[v*8 : v*8+8 : v*8+8]
		for x := range nh {
			mr := mh[x*8 : x*8+8 : x*8+8]
			var s float32
			for u := range nh {
				s += fr[u] * mr[u]
			}
			t[v*8+x] = s
		}
	}
	for y := range nv {
		mr := mv[y*8 : y*8+8 : y*8+8]
		row := dst[y*o.Stride : y*o.Stride+nh]
		for x := range row {
			var s float32
			for v := range nv {
				s += mr[v] * t[v*8+x]
			}
			row[x] = roundClamp(s + 128)
		}
	}
}

func clamp128(c int32) uint8 {
	if c < -128 {
		return 0
	}
	if c > 127 {
		return 255
	}
	return uint8(c + 128)
}

func roundClamp(v float32) uint8 {
	if !(v > 0) { // also NaN
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// reconstructProgressiveImage turns the kept luminance coefficients of a
// progressive image into the plane once every scan is read.
func (d *decoder) reconstructProgressiveImage() {
	if d.coeffs == nil {
		return
	}
	stride := d.blocksWide()
	for by := 0; by*8 < d.height; by++ {
		for bx := 0; bx*8 < d.width; bx++ {
			d.reconstructBlock(&d.coeffs[by*stride+bx], bx, by)
		}
	}
}

// blocksWide is the number of luminance blocks in a row, whole MCUs.
func (d *decoder) blocksWide() int {
	h0 := d.comp[0].h
	return (d.width + 8*h0 - 1) / (8 * h0) * h0
}

// skipScan reads past a scan's entropy-coded data without decoding it, up
// to the next marker that is not a restart marker, and leaves that marker
// to be read next. A progressive scan of chroma, or of luminance
// frequencies the reduced inverse DCT never reads, changes nothing that is
// kept.
func (d *decoder) skipScan() error {
	d.bits = bits{}
	d.bytes.nUnreadable = 0
	for {
		x, err := d.readByte()
		if err != nil {
			return err
		}
		if x != 0xff {
			continue
		}
		for {
			m, err := d.readByte()
			if err != nil {
				return err
			}
			if m == 0xff {
				continue
			}
			if m == 0x00 || (rst0Marker <= m && m <= rst7Marker) {
				break
			}
			// A marker: hand 0xff and it back. fill keeps the last two
			// bytes of the buffer, so backing up two is always possible.
			d.bytes.i -= 2
			d.bytes.buf[d.bytes.i] = 0xff
			return nil
		}
	}
}
