package ocr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"

	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

// Preprocessing follows Tesseract's "Improving the quality of the output":
// dark text on a light background, text rescaled to a height Tesseract
// reads best, the page deskewed, binarised, cleaned of specks and borders,
// and given a white margin.
const (
	// targetTextHeight is the height, in pixels, that the text's typical
	// letter is scaled to: about Tesseract's preferred x-height of 20-30
	// px, measured on whole letters (capitals and ascenders included).
	// 24 and 40 did worse on the tuning posters.
	targetTextHeight = 32
	// Text is at most enlarged this much, and shrunk only to keep the
	// page within maxPrepPixels.
	maxUpscale = 4.0
	// maxPrepPixels bounds the page given to Tesseract: its time, and
	// the preprocessing's, grow with the pixel count.
	maxPrepPixels = 8_000_000
	// maxSkew is the largest tilt, in degrees, that Deskew looks for.
	maxSkew = 10.0
	// margin is the white border added around the page.
	margin = 16
)

// Prepared is an image made ready for Tesseract, with what was done to it.
type Prepared struct {
	Image *image.Gray
	// Scale is the factor the image was resized by.
	Scale float64
	// Skew is the tilt found and undone, in degrees (positive:
	// counter-clockwise).
	Skew float64
	// Inverted says the image had light text on a dark background.
	Inverted bool
	// TextHeight is the typical letter height found, in pixels of the
	// original image (0 when no text-like shapes were found).
	TextHeight float64
}

// Preprocess turns img into dark text on a plain white page for
// Tesseract: light-on-dark text is inverted, text is enlarged towards
// targetTextHeight, the page is deskewed by a projection-profile search
// and binarised with Sauvola's local threshold; specks and shapes
// touching the edge are removed, everything else that is not ink is made
// white, and a white margin is added.
func Preprocess(img image.Image) Prepared {
	g := Grayscale(img)
	var p Prepared
	b := g.Bounds()
	px := float64(b.Dx()) * float64(b.Dy())
	// Polarity and letter size are judged on a copy of at most
	// maxPrepPixels/2: enough for letters, and bounded work on a photo.
	look, f := g, 1.0
	if px > maxPrepPixels/2 {
		f = math.Sqrt(maxPrepPixels / 2 / px)
		look = resize(g, f)
	}
	bin := Binarize(look, Otsu(look))
	light, text := textPolarity(bin)
	if light {
		invert(g)
		p.Inverted = true
	}
	p.TextHeight = textHeight(text) / f
	p.Scale = 1
	if p.TextHeight > 0 {
		p.Scale = min(max(targetTextHeight/p.TextHeight, 1), maxUpscale)
	}
	// The page given to Tesseract has at most maxPrepPixels, even if
	// that shrinks small text in a very large image.
	if px*p.Scale*p.Scale > maxPrepPixels {
		p.Scale = math.Sqrt(maxPrepPixels / px)
	}
	if math.Abs(p.Scale-1) > 0.05 {
		g = resize(g, p.Scale)
	} else {
		p.Scale = 1
	}
	bin = Binarize(g, Otsu(g))
	p.Skew = Deskew(bin)
	if math.Abs(p.Skew) >= 0.3 {
		g = Rotate(g, -p.Skew, backgroundLevel(g))
	} else {
		p.Skew = 0
	}
	th := p.TextHeight * p.Scale
	if th <= 0 {
		th = targetTextHeight
	}
	bin = Sauvola(g, int(th)*2+1, 0.2)
	clean := removeNoise(bin, th)
	// Ink keeps its grey levels: Tesseract's recogniser reads the
	// anti-aliased edges of letters better than hard binary ones (Arabic
	// on the tuning posters: 0.78 against 0.73).
	for i, v := range clean.Pix {
		if v == 0 {
			clean.Pix[i] = g.Pix[i]
		}
	}
	p.Image = addMargin(clean, margin)
	return p
}

// Grayscale returns img's luminance.
func Grayscale(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return g
}

// Otsu returns the threshold that best splits g's histogram in two
// classes (Otsu 1979): pixels at or below it are one class.
func Otsu(g *image.Gray) uint8 {
	var hist [256]float64
	for _, v := range g.Pix {
		hist[v]++
	}
	total := float64(len(g.Pix))
	var sum float64
	for i, h := range hist {
		sum += float64(i) * h
	}
	var sumB, wB, best float64
	t := 127
	for i := range 256 {
		wB += hist[i]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(i) * hist[i]
		mB, mF := sumB/wB, (sum-sumB)/wF
		if v := wB * wF * (mB - mF) * (mB - mF); v > best {
			best, t = v, i
		}
	}
	return uint8(t)
}

// Binarize returns a binary image: 0 (ink) where g is at or below t, 255
// elsewhere.
func Binarize(g *image.Gray, t uint8) *image.Gray {
	out := image.NewGray(g.Bounds())
	for i, v := range g.Pix {
		if v > t {
			out.Pix[i] = 255
		}
	}
	return out
}

// Sauvola binarises g with Sauvola and Pietikäinen's local threshold
// T = m·(1 + k·(s/128 − 1)) over a window×window neighbourhood (mean m,
// standard deviation s), computed with integral images. It follows
// gradients and uneven lighting that defeat one global threshold. Ink
// (dark) becomes 0, the rest 255.
func Sauvola(g *image.Gray, window int, k float64) *image.Gray {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	if w == 0 || h == 0 {
		return out
	}
	window = max(window, 3)
	// Integral images of values and squares, one row and column larger.
	sum := make([]float64, (w+1)*(h+1))
	sq := make([]float64, (w+1)*(h+1))
	for y := range h {
		var rs, rq float64
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		for x, v := range row {
			f := float64(v)
			rs += f
			rq += f * f
			sum[(y+1)*(w+1)+x+1] = sum[y*(w+1)+x+1] + rs
			sq[(y+1)*(w+1)+x+1] = sq[y*(w+1)+x+1] + rq
		}
	}
	r := window / 2
	for y := range h {
		y0, y1 := max(0, y-r), min(h, y+r+1)
		for x := range w {
			x0, x1 := max(0, x-r), min(w, x+r+1)
			n := float64((y1 - y0) * (x1 - x0))
			a, b, c, d := y0*(w+1)+x0, y0*(w+1)+x1, y1*(w+1)+x0, y1*(w+1)+x1
			m := (sum[d] - sum[b] - sum[c] + sum[a]) / n
			v := (sq[d]-sq[b]-sq[c]+sq[a])/n - m*m
			s := math.Sqrt(max(v, 0))
			t := m * (1 + k*(s/128-1))
			if float64(g.Pix[y*g.Stride+x]) > t {
				out.Pix[y*out.Stride+x] = 255
			}
		}
	}
	return out
}

// textPolarity reports whether the text of a binary image is more
// likely light on dark than dark on light, and returns the letter-like
// shapes of the text's shade: the pixels of each shade are grouped into
// shapes, and the shade whose letter-like shapes cover more of the image
// is the text. The edge of the image is no guide: a poster may sit on a
// wall, or in a frame, of the opposite shade.
func textPolarity(bin *image.Gray) (light bool, text []component) {
	dark := letters(bin)
	invert(bin)
	bright := letters(bin)
	invert(bin)
	if area(bright) > area(dark) {
		return true, bright
	}
	return false, dark
}

func area(cs []component) int {
	n := 0
	for _, c := range cs {
		n += c.area
	}
	return n
}

// letters returns the ink shapes of a binary image that could be
// letters: not touching the edge, neither specks nor lines nor shapes
// taller than a quarter of the image.
func letters(bin *image.Gray) []component {
	cs, _, _ := letterShapes(bin)
	return cs
}

// letterShapes is letters with each pixel's shape: keep[label[i]] says
// whether pixel i belongs to a letter (label 0 is no ink).
func letterShapes(bin *image.Gray) ([]component, []int32, []bool) {
	w, h := bin.Bounds().Dx(), bin.Bounds().Dy()
	label := make([]int32, w*h)
	all := components(bin, label)
	keep := make([]bool, len(all)+1)
	var out []component
	for i, c := range all {
		if c.edge || c.area < 6 || c.height() < 4 || c.height() > max(h/4, 8) {
			continue
		}
		if c.width() > 15*c.height() || c.height() > 15*c.width() {
			continue
		}
		// A letter's strokes cover a fair part of its box; a frame or
		// the outline of a picture does not.
		if c.area*20 < c.width()*c.height() {
			continue
		}
		keep[i+1] = true
		out = append(out, c)
	}
	return out, label, keep
}

func invert(g *image.Gray) {
	for i, v := range g.Pix {
		g.Pix[i] = 255 - v
	}
}

// backgroundLevel is the median grey of g's edge.
func backgroundLevel(g *image.Gray) uint8 {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	var hist [256]int
	n := 0
	for x := range w {
		hist[g.Pix[x]]++
		hist[g.Pix[(h-1)*g.Stride+x]]++
		n += 2
	}
	for y := range h {
		hist[g.Pix[y*g.Stride]]++
		hist[g.Pix[y*g.Stride+w-1]]++
		n += 2
	}
	c := 0
	for i, k := range hist {
		c += k
		if c*2 >= n {
			return uint8(i)
		}
	}
	return 255
}

// component is a connected group of ink pixels.
type component struct {
	minX, minY, maxX, maxY int
	area                   int
	edge                   bool // touches the image's edge
}

func (c component) height() int { return c.maxY - c.minY + 1 }
func (c component) width() int  { return c.maxX - c.minX + 1 }

// components labels the 8-connected ink regions of a binary image; when
// label is not nil it receives each pixel's component index plus one.
func components(bin *image.Gray, label []int32) []component {
	w, h := bin.Bounds().Dx(), bin.Bounds().Dy()
	if label == nil {
		label = make([]int32, w*h)
	}
	var comps []component
	var stack []int
	for start := range w * h {
		if bin.Pix[(start/w)*bin.Stride+start%w] != 0 || label[start] != 0 {
			continue
		}
		id := int32(len(comps) + 1)
		c := component{minX: w, minY: h, maxX: -1, maxY: -1}
		label[start] = id
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			c.area++
			c.minX, c.maxX = min(c.minX, x), max(c.maxX, x)
			c.minY, c.maxY = min(c.minY, y), max(c.maxY, y)
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				c.edge = true
			}
			for dy := -1; dy <= 1; dy++ {
				ny := y + dy
				if ny < 0 || ny >= h {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					nx := x + dx
					if nx < 0 || nx >= w {
						continue
					}
					j := ny*w + nx
					if label[j] == 0 && bin.Pix[ny*bin.Stride+nx] == 0 {
						label[j] = id
						stack = append(stack, j)
					}
				}
			}
		}
		comps = append(comps, c)
	}
	return comps
}

// textHeight estimates the typical letter height from letter-like
// shapes: the area-weighted median of their heights. It returns 0 when
// there are none.
func textHeight(cs []component) float64 {
	if len(cs) == 0 {
		return 0
	}
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b component) int { return a.height() - b.height() })
	total := area(cs)
	acc := 0
	for _, c := range cs {
		acc += c.area
		if acc*2 >= total {
			return float64(c.height())
		}
	}
	return float64(cs[len(cs)-1].height())
}

// Deskew finds the tilt of the text lines of a binary image, in degrees
// (positive: the lines rise to the right, counter-clockwise), by
// projection profiles: the ink is projected onto rows at each candidate
// angle, and the angle whose profile has the sharpest peaks and valleys
// (largest sum of squared row counts) wins. The search covers ±maxSkew
// in half-degree steps, then tenths around the best.
func Deskew(bin *image.Gray) float64 {
	w, h := bin.Bounds().Dx(), bin.Bounds().Dy()
	// Only letters count: the edges of a picture or of a tilted photo's
	// corners would pull the search towards their own angle.
	_, label, keep := letterShapes(bin)
	var xs, ys []float64
	for i, l := range label {
		if keep[l] && l != 0 {
			xs = append(xs, float64(i%w))
			ys = append(ys, float64(i/w))
		}
	}
	if len(xs) < 50 {
		return 0
	}
	// At most 200 000 ink pixels, taken evenly, are enough to find lines.
	if step := len(xs) / 200_000; step > 1 {
		k := 0
		for i := 0; i < len(xs); i += step {
			xs[k], ys[k] = xs[i], ys[i]
			k++
		}
		xs, ys = xs[:k], ys[:k]
	}
	diag := int(math.Hypot(float64(w), float64(h))) + 2
	bins := make([]float64, 2*diag+1)
	score := func(deg float64) float64 {
		// A line rising by deg to the right is level after rotating by
		// -deg; its rows are then y' = y·cos + x·sin (y grows downwards).
		s, c := math.Sincos(deg * math.Pi / 180)
		clear(bins)
		for i := range xs {
			r := int(math.Round(ys[i]*c+xs[i]*s)) + diag
			bins[r]++
		}
		var sum float64
		for _, b := range bins {
			sum += b * b
		}
		return sum
	}
	best, bestScore := 0.0, score(0)
	for a := -maxSkew; a <= maxSkew+1e-9; a += 0.5 {
		if sc := score(a); sc > bestScore*(1+1e-9) {
			best, bestScore = a, sc
		}
	}
	coarse := best
	for a := coarse - 0.4; a <= coarse+0.4+1e-9; a += 0.1 {
		if sc := score(a); sc > bestScore*(1+1e-9) {
			best, bestScore = a, sc
		}
	}
	return math.Round(best*10) / 10
}

// Rotate turns g by deg degrees counter-clockwise about its centre onto
// a canvas large enough to hold it all, filling the uncovered corners
// with bg.
func Rotate(g *image.Gray, deg float64, bg uint8) *image.Gray {
	return redChannel(rotateOnto(g, deg, color.Gray{bg}))
}

// rotateOnto turns img by deg degrees counter-clockwise onto a new
// canvas of colour bg that holds all of it.
func rotateOnto(img image.Image, deg float64, bg color.Color) *image.RGBA {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	s, c := math.Sincos(deg * math.Pi / 180)
	nw := int(math.Ceil(math.Abs(w*c) + math.Abs(h*s)))
	nh := int(math.Ceil(math.Abs(w*s) + math.Abs(h*c)))
	dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	// Source to destination, y downwards: a counter-clockwise turn on
	// screen is x' = x·cos + y·sin, y' = −x·sin + y·cos about the centres.
	cx, cy := float64(b.Min.X)+w/2, float64(b.Min.Y)+h/2
	ncx, ncy := float64(nw)/2, float64(nh)/2
	m := f64.Aff3{
		c, s, ncx - c*cx - s*cy,
		-s, c, ncy + s*cx - c*cy,
	}
	draw.BiLinear.Transform(dst, m, img, b, draw.Over, nil)
	return dst
}

func resize(g *image.Gray, scale float64) *image.Gray {
	b := g.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*scale+0.5), int(float64(b.Dy())*scale+0.5)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), g, b, draw.Src, nil)
	return redChannel(dst)
}

func redChannel(m *image.RGBA) *image.Gray {
	b := m.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			g.Pix[y*g.Stride+x] = m.Pix[y*m.Stride+4*x]
		}
	}
	return g
}

// removeNoise clears ink shapes that cannot be text at letter height th:
// specks, and shapes that touch the image's edge (borders, the corners
// left by a tilted photo, the rim of a picture).
func removeNoise(bin *image.Gray, th float64) *image.Gray {
	w, h := bin.Bounds().Dx(), bin.Bounds().Dy()
	label := make([]int32, w*h)
	comps := components(bin, label)
	minArea := max(3, int(th*th/400))
	drop := make([]bool, len(comps)+1)
	for i, c := range comps {
		drop[i+1] = c.area < minArea || c.edge
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i, l := range label {
		if l == 0 || drop[l] {
			out.Pix[i] = 255
		}
	}
	return out
}

func addMargin(g *image.Gray, m int) *image.Gray {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	out := image.NewGray(image.Rect(0, 0, w+2*m, h+2*m))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for y := range h {
		copy(out.Pix[(y+m)*out.Stride+m:], g.Pix[y*g.Stride:y*g.Stride+w])
	}
	return out
}

// encodePGM writes g as a binary PGM, which Tesseract reads and which
// costs nothing to encode.
func encodePGM(g *image.Gray) []byte {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	var buf bytes.Buffer
	buf.Grow(w*h + 32)
	fmt.Fprintf(&buf, "P5\n%d %d\n255\n", w, h)
	for y := range h {
		buf.Write(g.Pix[y*g.Stride : y*g.Stride+w])
	}
	return buf.Bytes()
}
