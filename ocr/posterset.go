package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os/exec"
	"strings"
)

// A PosterSet says how the Samples are drawn and spoiled for one
// measurement: in which fonts and sizes, tilted by how much, saved how.
// Preprocessing is tuned on one set and reported on another whose fonts,
// tilts and compression it was never tried on.
type PosterSet struct {
	Name string
	// About says in a few words what the set is.
	About string
	// LatinFonts and ArabicFonts are Pango font descriptions (family
	// and style), taken in turn poster by poster; none means the posters
	// of RenderPoster.
	LatinFonts, ArabicFonts []string
	// Sizes are font sizes in pixels, taken in turn.
	Sizes []int
	// Angles are tilts in degrees (positive: counter-clockwise), taken
	// in turn; the corners a tilt uncovers are a grey wall.
	Angles []float64
	// JPEGQuality saves each poster as a JPEG of that quality; 0 keeps
	// it a PNG.
	JPEGQuality int
	// Packages are the Debian packages that hold the fonts.
	Packages string
}

// PosterSets are the measured sets: "own" (RenderPoster's posters),
// "tuning" (the set the preprocessing was tuned on) and "held-out" (fonts,
// tilts and compression not used while tuning).
func PosterSets() []PosterSet {
	return []PosterSet{
		{Name: "own", About: "the project's own posters: DejaVu Sans Bold and Noto Naskh Arabic Bold, 40 px, straight, PNG"},
		{
			Name:        "tuning",
			About:       "sans-serif and Kufi fonts, 24-30 px, tilted 2 or 6 degrees, JPEG quality 60",
			LatinFonts:  []string{"Liberation Sans Bold", "Nimbus Roman Bold"},
			ArabicFonts: []string{"Noto Sans Arabic Bold", "Noto Kufi Arabic Bold"},
			Sizes:       []int{24, 30},
			Angles:      []float64{2, -6, -2, 6},
			JPEGQuality: 60,
			Packages:    "fonts-liberation fonts-urw-base35 fonts-noto-core",
		},
		{
			Name:        "held-out",
			About:       "serif, regular and other Arabic fonts, 20-22 px, tilted 3-5 degrees, JPEG quality 40",
			LatinFonts:  []string{"Liberation Serif Bold", "C059 Bold", "Noto Sans"},
			ArabicFonts: []string{"Amiri Bold", "KacstOne Bold", "Scheherazade Bold"},
			Sizes:       []int{22, 20},
			Angles:      []float64{3, -4, 5, -3, 4, -5},
			JPEGQuality: 40,
			Packages:    "fonts-liberation fonts-urw-base35 fonts-noto-core fonts-hosny-amiri fonts-kacst-one fonts-sil-scheherazade",
		},
	}
}

// PosterSetNamed returns the set called name.
func PosterSetNamed(name string) (PosterSet, error) {
	var names []string
	for _, s := range PosterSets() {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return PosterSet{}, fmt.Errorf("no poster set %q (have %s)", name, strings.Join(names, ", "))
}

// Poster is one drawn sample.
type Poster struct {
	Sample
	// Font is the font it is drawn in; Angle its tilt.
	Font  string
	Angle float64
	// Data is the image file.
	Data []byte
}

// Render draws every Sample as the set says.
func (ps PosterSet) Render(ctx context.Context) ([]Poster, error) {
	if len(ps.LatinFonts) == 0 {
		var out []Poster
		for _, s := range Samples() {
			b, err := RenderPoster(ctx, s)
			if err != nil {
				return nil, err
			}
			font := "DejaVu Sans Bold"
			if s.Lang == "ara" {
				font = ArabicFont
			}
			out = append(out, Poster{Sample: s, Font: font, Data: b})
		}
		return out, nil
	}
	if err := ps.checkFonts(ctx); err != nil {
		return nil, err
	}
	var out []Poster
	var latin, arabic int
	for i, s := range Samples() {
		var font string
		if s.Lang == "ara" {
			font = ps.ArabicFonts[arabic%len(ps.ArabicFonts)]
			arabic++
		} else {
			font = ps.LatinFonts[latin%len(ps.LatinFonts)]
			latin++
		}
		p := Poster{Sample: s, Font: font}
		if len(ps.Angles) > 0 {
			p.Angle = ps.Angles[i%len(ps.Angles)]
		}
		size := 40
		if len(ps.Sizes) > 0 {
			size = ps.Sizes[i%len(ps.Sizes)]
		}
		b, err := pangoView(ctx, s, font, size)
		if err != nil {
			return nil, err
		}
		if p.Data, err = spoil(b, p.Angle, ps.JPEGQuality); err != nil {
			return nil, fmt.Errorf("poster %q: %w", s.Text, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// checkFonts makes sure every font family is installed: fontconfig would
// otherwise draw the text in whatever font it falls back to.
func (ps PosterSet) checkFonts(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "fc-list", ":", "family").Output()
	if err != nil {
		return fmt.Errorf("%w: fc-list: %v", ErrNoRenderer, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		for _, f := range strings.Split(l, ",") {
			have[strings.TrimSpace(f)] = true
		}
	}
	for _, f := range append(append([]string(nil), ps.LatinFonts...), ps.ArabicFonts...) {
		family := strings.TrimSuffix(f, " Bold")
		if !have[family] {
			return fmt.Errorf("%w: poster set %q: font %q is not installed (Debian: apt-get install %s)", ErrNoRenderer, ps.Name, family, ps.Packages)
		}
	}
	return nil
}

// spoil tilts a poster by angle degrees over a grey wall and saves it as
// a JPEG of the given quality (0: PNG).
func spoil(data []byte, angle float64, quality int) ([]byte, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if angle != 0 {
		img = rotateOnto(img, angle, color.RGBA{150, 150, 145, 255})
	}
	var buf bytes.Buffer
	if quality > 0 {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	} else {
		err = png.Encode(&buf, img)
	}
	return buf.Bytes(), err
}
