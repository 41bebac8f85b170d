// Package pdftext sets mixed Latin and Arabic text in PDFs drawn with fpdf,
// which draws strings left to right glyph by glyph and knows no Arabic:
// Arabic is shaped and reordered first (arabicshape), then drawn in the
// embedded Noto Naskh Arabic while the rest stays in Helvetica
// (Windows-1252: scripts other than Latin and Arabic print as "?"). Marks
// (harakat) are dropped, since fpdf cannot place them. Notices and the
// transparency report both print through it.
package pdftext

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/marsad/marsad/arabicshape"
)

// ArabicFont is the name the embedded Arabic face is registered under.
const ArabicFont = "NotoNaskhArabic"

// naskh is Noto Naskh Arabic (SIL Open Font License, fonts/OFL.txt): a
// PDF viewer has no Arabic font of its own to fall back on.
//
//go:embed fonts/NotoNaskhArabic-Regular.ttf
var naskh []byte

// Setter sets paragraphs on one document.
type Setter struct {
	pdf  *fpdf.Fpdf
	tr   func(string) string
	size float64
}

// New registers the Arabic face on pdf and returns a Setter for it.
func New(pdf *fpdf.Fpdf) (*Setter, error) {
	pdf.AddUTF8FontFromBytes(ArabicFont, "", naskh)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("PDF: font %s: %w", ArabicFont, err)
	}
	return &Setter{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}, nil
}

// IsRTL reports whether s reads right to left (its first strong letter is
// Arabic).
func IsRTL(s string) bool { return arabicshape.IsRTL(s) }

// Paragraph sets s from the current position in a box w wide, wrapped
// at spaces, lines h high, right-aligned when s reads right to left; it
// leaves the position at the start of the next line.
func (t *Setter) Paragraph(s, style string, size, w, h float64) {
	t.Aligned(s, style, size, w, h, arabicshape.IsRTL(s))
}

// Aligned is Paragraph aligned to the right when right is set, whatever
// s reads: a number in an Arabic document's column of values.
func (t *Setter) Aligned(s, style string, size, w, h float64, right bool) {
	t.size = size
	x := t.pdf.GetX()
	rtl := right
	for _, line := range t.wrap(arabicshape.StripMarks(s), style, w) {
		runs := t.runs(arabicshape.Visual(line))
		total := 0.0
		for _, r := range runs {
			total += t.width(r, style)
		}
		cx := x
		if rtl {
			cx = x + w - total
		}
		for _, r := range runs {
			rw := t.width(r, style)
			t.font(r.arabic, style)
			t.pdf.SetXY(cx, t.pdf.GetY())
			text := r.text
			if !r.arabic {
				text = t.tr(text)
			}
			t.pdf.CellFormat(rw, h, text, "", 0, "L", false, 0, "")
			cx += rw
		}
		t.pdf.Ln(h)
		t.pdf.SetX(x)
	}
}

// Width is the width s takes once shaped, on one line.
func (t *Setter) Width(s, style string, size float64) float64 {
	t.size = size
	return t.lineWidth(arabicshape.StripMarks(s), style)
}

// run is a stretch of a visual line set in one face.
type run struct {
	text   string
	arabic bool
}

func (t *Setter) runs(visual string) []run {
	var out []run
	for _, r := range visual {
		a := isArabic(r)
		// A space stays in the face of the text before it, so that
		// Arabic words are drawn as one string.
		if (r == ' ' || r == '\u00a0') && len(out) > 0 {
			a = out[len(out)-1].arabic
		}
		if len(out) == 0 || out[len(out)-1].arabic != a {
			out = append(out, run{arabic: a})
		}
		out[len(out)-1].text += string(r)
	}
	return out
}

// isArabic reports whether r is drawn in the Arabic face: the Arabic
// blocks and the presentation forms shaping produces.
func isArabic(r rune) bool {
	return (r >= 0x0600 && r <= 0x06FF) || (r >= 0x0750 && r <= 0x077F) ||
		(r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

func (t *Setter) font(arabic bool, style string) {
	if arabic {
		// Naskh letters are small beside Helvetica's at the same size.
		t.pdf.SetFont(ArabicFont, "", t.size*1.15)
		return
	}
	t.pdf.SetFont("Helvetica", style, t.size)
}

func (t *Setter) width(r run, style string) float64 {
	t.font(r.arabic, style)
	if r.arabic {
		return t.pdf.GetStringWidth(r.text)
	}
	return t.pdf.GetStringWidth(t.tr(r.text))
}

// lineWidth is the width of a logical line once shaped.
func (t *Setter) lineWidth(line, style string) float64 {
	total := 0.0
	for _, r := range t.runs(arabicshape.Shape(line)) {
		total += t.width(r, style)
	}
	return total
}

// wrap breaks s into logical lines that fit w: at line breaks, then at
// spaces, and inside a word (an address) only when it alone is too wide.
func (t *Setter) wrap(s, style string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if t.lineWidth(try, style) <= w {
				line = try
				continue
			}
			if line != "" {
				lines = append(lines, line)
			}
			line = ""
			for _, r := range word {
				if line != "" && t.lineWidth(line+string(r), style) > w {
					lines = append(lines, line)
					line = ""
				}
				line += string(r)
			}
		}
		lines = append(lines, line)
	}
	return lines
}
