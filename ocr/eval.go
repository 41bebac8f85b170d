package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Sample is a known sentence to render as a poster and read back.
type Sample struct {
	Lang string // ara, eng or fra
	Text string
	// Background and Foreground are the poster's colours; Background2,
	// when set, makes the background a vertical gradient.
	Background, Background2, Foreground color.RGBA
}

// Samples are the sentences the accuracy figures are measured on: poster
// slogans in Arabic (some with full diacritics), English and French,
// each on its own coloured background.
func Samples() []Sample {
	red, black, white := color.RGBA{170, 20, 20, 255}, color.RGBA{15, 15, 15, 255}, color.RGBA{250, 250, 250, 255}
	green, yellow, navy := color.RGBA{20, 110, 50, 255}, color.RGBA{245, 200, 40, 255}, color.RGBA{20, 30, 90, 255}
	orange := color.RGBA{230, 110, 20, 255}
	return []Sample{
		{"ara", "النصر قادم بإذن الله", black, red, white},
		{"ara", "انفروا خفافا وثقالا وجاهدوا بأموالكم وأنفسكم", green, black, yellow},
		{"ara", "دولة الخلافة باقية وتتمدد", navy, navy, white},
		{"ara", "وَأَعِدُّوا لَهُم مَا اسْتَطَعْتُم مِن قُوَّةٍ", black, black, yellow},
		{"ara", "اقتلوا الكفار أينما وجدتموهم", red, black, white},
		{"ara", "سَيُهْزَمُ الْجَمْعُ وَيُوَلُّونَ الدُّبُرَ", orange, red, black},
		{"eng", "Kill the unbelievers wherever you find them", black, red, white},
		{"eng", "Join the caravan of the mujahideen today", green, black, yellow},
		{"eng", "Attack the crusaders, strike them in their cities", navy, black, white},
		{"eng", "Victory is near. Prepare yourselves, brothers!", yellow, orange, black},
		{"fra", "Frappez les mécréants partout où vous les trouvez", black, red, white},
		{"fra", "Rejoignez nos frères : la victoire est proche", green, navy, yellow},
		{"fra", "Préparez-vous, l'heure du châtiment approche", red, black, white},
		{"fra", "Ô croyants, levez-vous contre l'oppresseur", orange, black, white},
	}
}

// Fonts used to render posters (Debian fonts-dejavu-core and
// fonts-noto-core).
const (
	LatinFont  = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
	ArabicFont = "Noto Naskh Arabic Bold"
)

// ErrNoRenderer is returned (wrapped) when a poster cannot be rendered on
// this machine: the font file or pango-view is missing.
var ErrNoRenderer = errors.New("cannot render posters (Debian: apt-get install fonts-dejavu-core fonts-noto-core pango1.0-tools)")

// RenderPoster draws s as a PNG poster. Latin text is drawn in Go with
// golang.org/x/image/font; Arabic needs shaping (joined letter forms,
// right to left, diacritics placed on their letters) that package does
// not do, so Arabic is drawn by pango-view (HarfBuzz).
func RenderPoster(ctx context.Context, s Sample) ([]byte, error) {
	if s.Lang == "ara" {
		return renderPango(ctx, s)
	}
	ttf, err := os.ReadFile(LatinFont)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoRenderer, err)
	}
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", LatinFont, err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 40, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", LatinFont, err)
	}
	defer face.Close()
	const width, margin = 900, 40
	lines := wrap(face, s.Text, width-2*margin)
	lineH := face.Metrics().Height.Ceil() * 3 / 2
	height := 2*margin + lineH*len(lines)
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	bg2 := s.Background2
	if bg2 == (color.RGBA{}) {
		bg2 = s.Background
	}
	for y := 0; y < height; y++ {
		t := float64(y) / float64(height)
		c := color.RGBA{mix(s.Background.R, bg2.R, t), mix(s.Background.G, bg2.G, t), mix(s.Background.B, bg2.B, t), 255}
		draw.Draw(img, image.Rect(0, y, width, y+1), image.NewUniform(c), image.Point{}, draw.Src)
	}
	d := &font.Drawer{Dst: img, Face: face}
	for i, l := range lines {
		w := d.MeasureString(l).Ceil()
		x := (width - w) / 2
		y := margin + lineH*i + face.Metrics().Ascent.Ceil()
		// A drop shadow, as posters have.
		d.Src = image.NewUniform(color.RGBA{0, 0, 0, 160})
		d.Dot = fixed.P(x+3, y+3)
		d.DrawString(l)
		d.Src = image.NewUniform(s.Foreground)
		d.Dot = fixed.P(x, y)
		d.DrawString(l)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mix(a, b uint8, t float64) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t) }

func wrap(face font.Face, text string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		next := strings.TrimSpace(cur + " " + w)
		if cur != "" && font.MeasureString(face, next).Ceil() > width {
			lines = append(lines, cur)
			next = w
		}
		cur = next
	}
	return append(lines, cur)
}

func renderPango(ctx context.Context, s Sample) ([]byte, error) {
	return pangoView(ctx, s, ArabicFont, 40)
}

// pangoView draws s with pango-view in the font named by the Pango font
// description font (family and style) at size pixels.
func pangoView(ctx context.Context, s Sample, font string, size int) ([]byte, error) {
	if _, err := exec.LookPath("pango-view"); err != nil {
		return nil, fmt.Errorf("%w: pango-view not found", ErrNoRenderer)
	}
	dir, err := os.MkdirTemp("", "marsad-poster-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "poster.png")
	hex := func(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	lang := map[string]string{"ara": "ar", "eng": "en", "fra": "fr"}[s.Lang]
	cmd := exec.CommandContext(ctx, "pango-view", "-q", "--pixels", "--font", fmt.Sprintf("%s %d", font, size),
		"--background", hex(s.Background), "--foreground", hex(s.Foreground), "--margin", "40",
		"--width", "820", "--wrap", "word", "--align", "center", "--language", lang,
		"-o", out, "--text", s.Text)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: pango-view: %v: %s", ErrNoRenderer, err, strings.TrimSpace(string(msg)))
	}
	return os.ReadFile(out)
}

// CharAccuracy is 1 − CER: one minus the Levenshtein distance between
// the characters of got and want over the number of characters in want.
// Runs of white space count as one space, and NFC-equal texts should be
// given in the same form. It is not below 0.
func CharAccuracy(got, want string) float64 {
	g := []rune(strings.Join(strings.Fields(got), " "))
	w := []rune(strings.Join(strings.Fields(want), " "))
	if len(w) == 0 {
		if len(g) == 0 {
			return 1
		}
		return 0
	}
	return max(0, 1-float64(levenshtein(g, w))/float64(len(w)))
}

// StripMarks removes combining marks, such as Arabic harakat, so that
// accuracy can be measured on the letters alone.
func StripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
