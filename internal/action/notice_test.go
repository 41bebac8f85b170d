package action_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/arabicshape"
	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/pdftext/pdftexttest"
	"github.com/marsad/marsad/internal/store"
)

// drawn returns the strings a PDF draws, in order (pdftexttest).
func drawn(t *testing.T, pdf []byte) []textOp {
	t.Helper()
	var out []textOp
	for _, op := range pdftexttest.Drawn(pdf) {
		out = append(out, textOp{x: op.X, text: op.Text})
	}
	if len(out) == 0 {
		t.Fatal("no text drawn in the PDF")
	}
	return out
}

// textOp is a string a PDF draws and where its left edge is, in points.
type textOp struct {
	x    float64
	text string
}

// An Arabic notice prints its Arabic in the embedded font, shaped and in
// visual order, not as "?" or dots.
func TestNoticePDFArabic(t *testing.T) {
	o := store.Order{ID: 9, CaseID: 4, Kind: store.OrderRemoval, Platform: "منصة تلغرام",
		ContentURL: "https://t.me/c/1", LegalBasis: "المادة 3 من القانون رقم 2021/784 بشأن مكافحة الإرهاب",
		IssuedBy: "rev1", IssuedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Deadline: time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC), Status: store.OrderSent}
	request := "يُرجى إزالة المحتوى الوارد في الرابط أعلاه أو تعطيل الوصول إليه قبل الموعد النهائي، وإبلاغنا بالحالة (تم الاستلام، أُزيل، رُفض) عبر القناة التي وصل بها هذا الإشعار."
	var b bytes.Buffer
	if err := action.WritePDF(&b, action.Notice{Issuer: "وحدة الإحالة على الإنترنت", Order: o, EvidenceSHA256: "abc", Request: request}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(bytes.ToLower(b.Bytes()), []byte("/basefont /utf8notonaskharabic")) || !bytes.Contains(b.Bytes(), []byte("/FontFile2")) {
		t.Fatal("the PDF does not embed the Arabic font")
	}
	ops := drawn(t, b.Bytes())
	var texts []string
	labelX := map[string]float64{}
	for _, op := range ops {
		texts = append(texts, op.text)
		labelX[op.text] = op.x
	}
	text := strings.Join(texts, "|")
	// Every row's label starts at the left margin, like the first.
	for _, label := range []string{"Content URL", "Legal basis", "Deadline", "Evidence"} {
		if x, ok := labelX[label]; !ok || x != labelX["Platform"] {
			t.Errorf("label %q drawn at x=%.2f, want %.2f like Platform", label, x, labelX["Platform"])
		}
	}
	for _, want := range []string{
		"منصة تلغرام",               // platform
		"وحدة الإحالة على الإنترنت", // issuer
		"مكافحة الإرهاب",            // end of the legal basis
		"الرابط أعلاه",              // the request, its marks dropped
	} {
		visual := arabicshape.Visual(arabicshape.StripMarks(want))
		if !strings.Contains(text, visual) {
			t.Errorf("the PDF does not draw %q as the shaped glyphs %q; it draws %q", want, visual, text)
		}
	}
	// Spot-check one word by hand: تلغرام is teh initial, lam medial,
	// ghain medial, reh final, alef isolated, meem isolated, drawn from
	// the left.
	if hand := "\uFEE1\uFE8D\uFEAE\uFED0\uFEE0\uFE97"; !strings.Contains(text, hand) {
		t.Errorf("the PDF does not draw تلغرام as %q", hand)
	}
	// A number in Arabic text keeps its order, in Helvetica, between the
	// words around it, the later word to its left.
	if want := arabicshape.Visual("بشأن") + " |2021/784 |" + arabicshape.Visual("رقم"); !strings.Contains(text, want) {
		t.Errorf("the legal basis is not drawn as %q: %q", want, text)
	}
	for _, r := range text {
		if r >= 0x0621 && r <= 0x064A {
			t.Fatalf("the PDF draws the letter %c unshaped: %q", r, text)
		}
	}
	if strings.Contains(text, "?") {
		t.Errorf("the PDF draws question marks: %q", text)
	}
	if !strings.Contains(text, "https://t.me/c/1") {
		t.Error("the Latin content URL is missing")
	}
}

// A notice printed with Arabic labels draws no English label, draws its
// labels and status in Arabic, and sets the labels on the right of their
// values.
func TestNoticePDFArabicLabels(t *testing.T) {
	o := store.Order{ID: 9, CaseID: 4, Kind: store.OrderRemoval, Platform: "telegram", ContentURL: "https://t.me/c/1", LegalBasis: "المادة 3",
		IssuedBy: "rev1", IssuedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Deadline: time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC), Status: store.OrderSent, EvidenceID: 2}
	l := &action.NoticeLabels{Removal: "أمر إزالة", Referral: "إحالة", Number: "رقم", IssuedBy: "صادر عن",
		Platform: "المنصة", ContentURL: "رابط المحتوى", LegalBasis: "الأساس القانوني", IssuedAt: "تاريخ الإصدار", Deadline: "الموعد النهائي",
		Status: "الحالة", StatusValue: "مرسل", Case: "القضية", Reviewer: "المراجع", Evidence: "الأدلة", ManifestHash: "بصمة البيان"}
	var b bytes.Buffer
	if err := action.WritePDF(&b, action.Notice{Issuer: "وحدة الإحالة", Order: o, EvidenceSHA256: "abc", Labels: l}); err != nil {
		t.Fatal(err)
	}
	ops := drawn(t, b.Bytes())
	at := map[string]float64{}
	var texts []string
	for _, op := range ops {
		texts = append(texts, op.text)
		at[strings.TrimSpace(op.text)] = op.x
	}
	text := strings.Join(texts, "|")
	for _, english := range []string{"Removal order", "Platform", "Content URL", "Legal basis", "Issued", "Deadline", "Status", "Case", "Evidence", "manifest", "sent"} {
		if strings.Contains(text, english) {
			t.Errorf("an Arabic notice draws %q: %q", english, text)
		}
	}
	for _, want := range []string{l.Removal, l.Platform, l.ContentURL, l.LegalBasis, l.Deadline, l.StatusValue, l.Evidence, l.ManifestHash} {
		if !strings.Contains(text, arabicshape.Visual(want)) {
			t.Errorf("an Arabic notice does not draw %q", want)
		}
	}
	if lx, vx := at[arabicshape.Visual(l.Platform)], at["telegram"]; lx <= vx {
		t.Errorf("the label %q is drawn at x=%.1f, left of its value at x=%.1f", l.Platform, lx, vx)
	}
}
