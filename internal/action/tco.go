package action

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/marsad/marsad/internal/pdftext"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// TemplateTCO names the removal-order preset that follows the removal
// order template of Regulation (EU) 2021/784 on addressing the
// dissemination of terrorist content online, Annex I.
const TemplateTCO = "tco"

// ErrNotTCO is returned for an order the Annex I form cannot carry: a
// referral, or an order on a case whose labels name no terrorist content.
// It is also ErrNotActionable.
var ErrNotTCO = fmt.Errorf("no removal order under Regulation (EU) 2021/784: %w", ErrNotActionable)

// TCOCategory is one of the kinds of terrorist content in Article 2(7) of
// Regulation (EU) 2021/784, as ticked in Annex I, Section B.
type TCOCategory string

// The categories of Article 2(7)(a) to (e).
const (
	TCOIncites         TCOCategory = "2(7)(a)" // incites others to commit terrorist offences
	TCOSolicitsOffence TCOCategory = "2(7)(b)" // solicits others to commit or contribute to them
	TCOSolicitsGroup   TCOCategory = "2(7)(c)" // solicits others to take part in a terrorist group
	TCOInstructs       TCOCategory = "2(7)(d)" // instruction on weapons, explosives, methods
	TCOThreatens       TCOCategory = "2(7)(e)" // a threat to commit a terrorist offence
)

// TCOCategoryList is every category in the Regulation's order.
var TCOCategoryList = []TCOCategory{TCOIncites, TCOSolicitsOffence, TCOSolicitsGroup, TCOInstructs, TCOThreatens}

// tcoCategoryOf is the one place a reviewer's label becomes a category of
// Article 2(7). Protective labels (news reporting, counter-speech, none)
// map to nothing, so they can never fill a removal order; no label maps
// to a threat (e), which the issuing authority ticks by hand.
var tcoCategoryOf = map[model.Label]TCOCategory{
	model.Incitement: TCOIncites, // (a) incitement, advocating offences
	model.Propaganda: TCOIncites, // (a) "such as by glorifying terrorist acts"
	// (b) soliciting contributions: terrorist financing is itself an
	// offence (Directive (EU) 2017/541, Article 11).
	model.Financing:      TCOSolicitsOffence,
	model.Recruitment:    TCOSolicitsGroup, // (c)
	model.AttackPlanning: TCOInstructs,     // (d) instruction, methods and techniques
}

// TCOCategories returns the categories of Article 2(7) the labels fall
// under, once each, in the Regulation's order.
func TCOCategories(labels []model.Label) []TCOCategory {
	var out []TCOCategory
	for _, c := range TCOCategoryList {
		for _, l := range labels {
			if tcoCategoryOf[l] == c {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// TCOForm is a removal order laid out as Annex I of Regulation (EU)
// 2021/784, filled from the order, its case and evidence, in one
// language. Fields marsad cannot know are Blank for the officer.
type TCOForm struct {
	Template   string       `json:"template"`
	Lang       string       `json:"lang"`
	Title      string       `json:"title"`
	Subtitle   string       `json:"subtitle"`
	Preamble   []string     `json:"preamble"`
	LegalBasis TCOField     `json:"legal_basis"`
	Sections   []TCOSection `json:"sections"`
	// Categories are the ticked boxes of Section B, for a machine reader.
	Categories []TCOCategory `json:"categories"`
	OrderID    int64         `json:"order_id"`
	// blank and section are the words for an empty line and "Section".
	blank, section string
}

// TCOSection is one lettered section of Annex I.
type TCOSection struct {
	Key    string     `json:"key"` // A to G
	Letter string     `json:"letter"`
	Title  string     `json:"title"`
	Cite   string     `json:"cite"`
	Note   string     `json:"note,omitempty"`
	Fields []TCOField `json:"fields"`
}

// TCOField is a labelled line of the form, or a tick box when Box.
type TCOField struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value,omitempty"`
	// Blank marks a line the issuing authority completes by hand.
	Blank bool `json:"blank,omitempty"`
	// Box is a tick box: Label is its text and Ticked its state.
	Box    bool   `json:"box,omitempty"`
	Ticked bool   `json:"ticked,omitempty"`
	Cite   string `json:"cite"`
}

//go:embed tco_labels.json
var tcoLabelsJSON []byte

// TCOLabels are the fixed words of the form in one language, by key.
type TCOLabels map[string]string

// TCOLanguages are the languages the form is printed in.
var TCOLanguages = []string{"ar", "en", "fr"}

// TCOLabelsFor returns the form's words in lang (ar, en or fr), English
// for any other. The English follows the Annex's wording where it was
// checked (docs/review.md says which parts); the French uses the terms of
// the Regulation's French text (injonction de retrait, contenus à
// caractère terroriste); the Regulation has no Arabic text, so the Arabic
// is the project's own translation.
func TCOLabelsFor(lang string) (TCOLabels, error) {
	var all map[string]TCOLabels
	if err := json.Unmarshal(tcoLabelsJSON, &all); err != nil {
		return nil, fmt.Errorf("removal order form labels: %w", err)
	}
	if l, ok := all[lang]; ok {
		return l, nil
	}
	return all["en"], nil
}

// tcoLetters are the section letters as each language writes them.
var tcoLetters = map[string][]string{
	"ar": {"أ", "ب", "ج", "د", "هـ", "و", "ز"},
	"en": {"A", "B", "C", "D", "E", "F", "G"},
	"fr": {"A", "B", "C", "D", "E", "F", "G"},
}

// BuildTCO fills the Annex I form for a removal order on case c in lang.
// Only a removal order still in force on a case whose labels fall under
// Article 2(7) fills it: a referral is not an order under Article 3, and a
// case with only protective labels names no terrorist content.
func BuildTCO(n Notice, c *model.Case, lang string) (*TCOForm, error) {
	o := n.Order
	if o.Kind != store.OrderRemoval {
		return nil, fmt.Errorf("order %d is a %s, not a removal order under Article 3: %w", o.ID, o.Kind, ErrNotTCO)
	}
	if o.Status == store.OrderWithdrawn {
		// The form shows no status: printed, a withdrawn order would read
		// as one still in force.
		return nil, fmt.Errorf("order %d was withdrawn: %w", o.ID, ErrNotTCO)
	}
	cats := TCOCategories(c.Labels)
	if len(cats) == 0 {
		return nil, fmt.Errorf("order %d: case %d's labels %v name no terrorist content under Article 2(7): %w", o.ID, c.ID, c.Labels, ErrNotTCO)
	}
	l, err := TCOLabelsFor(lang)
	if err != nil {
		return nil, err
	}
	if _, ok := tcoLetters[lang]; !ok {
		lang = "en"
	}
	const stamp = "2006-01-02 15:04 MST"
	blank := func(key, cite string) TCOField { return TCOField{Key: key, Label: l[key], Blank: true, Cite: cite} }
	val := func(key, value, cite string) TCOField {
		return TCOField{Key: key, Label: l[key], Value: value, Cite: cite}
	}
	box := func(key string, ticked bool, cite string) TCOField {
		return TCOField{Key: key, Label: l[key], Box: true, Ticked: ticked, Cite: cite}
	}
	var labels []string
	for _, x := range c.Labels {
		labels = append(labels, string(x))
	}
	issuer := val("e.name", n.Issuer, "Annex I, Section E; Article 3(4)(a)")
	if strings.TrimSpace(n.Issuer) == "" {
		issuer = blank("e.name", issuer.Cite)
	}
	reasons := []TCOField{}
	for _, cat := range TCOCategoryList {
		reasons = append(reasons, box("b.cat."+cat.letter(), slices.Contains(cats, cat), "Annex I, Section B; Article 2(7)("+cat.letter()+"); Article 3(4)(b)"))
	}
	sections := []TCOSection{
		{Key: "A", Title: l["a.title"], Cite: "Annex I, Section A", Fields: []TCOField{
			blank("a.member_state", "Annex I, Section A; Article 12(1)(a)"),
			val("a.addressee", o.Platform, "Annex I, Section A; Article 3(1)"),
			blank("a.contact_point", "Annex I, Section A; Article 15(1)"),
			blank("a.establishment", "Annex I, Section A; Article 4(1)"),
			val("a.issued_at", o.IssuedAt.UTC().Format(stamp), "Annex I, Section A; Article 3(4)(e)"),
			val("a.reference", "marsad-order-"+strconv.FormatInt(o.ID, 10), "Annex I, Section A"),
		}},
		{Key: "B", Title: l["b.title"], Cite: "Annex I, Section B; Article 3(3)", Fields: append(append([]TCOField{
			val("b.url", o.ContentURL+"\n"+fmt.Sprintf(l["b.url_extra"], o.CaseID, o.EvidenceID, n.EvidenceSHA256), "Annex I, Section B; Article 3(4)(c)"),
			{Key: "b.reasons", Label: l["b.reasons"], Cite: "Annex I, Section B; Article 2(7); Article 3(4)(b)"},
		}, reasons...),
			val("b.additional", fmt.Sprintf(l["b.additional_value"], c.ID, strings.Join(labels, ", "), o.IssuedBy), "Annex I, Section B; Article 3(4)(b)"),
			val("b.deadline", fmt.Sprintf(l["b.deadline_value"], o.Deadline.UTC().Format(stamp)), "Annex I, Section B; Article 3(3)"),
		)},
		{Key: "C", Title: l["c.title"], Cite: "Annex I, Section C; Article 11(3)", Fields: []TCOField{
			box("c.withhold", false, "Annex I, Section C; Article 3(4)(g); Article 11(3)"),
		}},
		{Key: "D", Title: l["d.title"], Cite: "Annex I, Section D; Article 4(1)", Fields: []TCOField{
			box("d.copy", false, "Annex I, Section D; Article 4(1)"),
		}},
		{Key: "E", Title: l["e.title"], Cite: "Annex I, Section E; Article 3(4)(a) and (e)", Fields: []TCOField{
			blank("e.type", "Annex I, Section E; Article 12(1)(a)"),
			issuer,
			blank("e.contact_person", "Annex I, Section E"),
			blank("e.address", "Annex I, Section E"),
			val("e.date", o.IssuedAt.UTC().Format("2006-01-02"), "Annex I, Section E; Article 3(4)(e)"),
			blank("e.signature", "Annex I, Section E; Article 3(4)(a) and (e)"),
		}},
		{Key: "F", Title: l["f.title"], Cite: "Annex I, Section F; Article 12(2)", Fields: []TCOField{
			blank("f.contact", "Annex I, Section F; Article 12(2)"),
		}},
		{Key: "G", Title: l["g.title"], Cite: "Annex I, Section G; Article 9; Article 3(4)(f)", Note: l["g.right"], Fields: []TCOField{
			blank("g.body", "Annex I, Section G; Article 9"),
			blank("g.deadline", "Annex I, Section G; Article 3(4)(f)"),
			blank("g.law", "Annex I, Section G; Article 9"),
		}},
	}
	for i := range sections {
		sections[i].Letter = tcoLetters[lang][i]
	}
	return &TCOForm{Template: TemplateTCO, Lang: lang, Title: l["title"], Subtitle: l["subtitle"],
		Preamble:   []string{l["preamble.deadline"], l["preamble.preserve"], l["preamble.language"]},
		LegalBasis: TCOField{Key: "legal_basis", Label: l["legal_basis"], Value: o.LegalBasis, Cite: "Article 3(4)(d); Annex I, heading"},
		Sections:   sections, Categories: cats, OrderID: o.ID, blank: l["blank"], section: l["section"]}, nil
}

// letter is the point of Article 2(7) the category is, "a" to "e".
func (c TCOCategory) letter() string {
	return strings.TrimSuffix(strings.TrimPrefix(string(c), "2(7)("), ")")
}

// WriteTCOJSON writes the form as JSON.
func WriteTCOJSON(w io.Writer, f *TCOForm) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// WriteTCOPDF prints the form on A4 as WritePDF prints a notice: an
// Arabic form right to left, labels on the right, tick boxes on the
// right of their text; blanks as a rule for the officer's hand.
func WriteTCOPDF(w io.Writer, f *TCOForm) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(fmt.Sprintf("removal order %d (Regulation (EU) 2021/784, Annex I)", f.OrderID), true)
	pdf.SetCreator("marsad", true)
	tx, err := pdftext.New(pdf)
	if err != nil {
		return fmt.Errorf("removal order PDF: %w", err)
	}
	pdf.AddPage()
	rtl := f.Lang == "ar"
	left, _, right, _ := pdf.GetMargins()
	pageW, pageH := pdf.GetPageSize()
	width := pageW - left - right
	room := func(h float64) {
		if pdf.GetY()+h > pageH-20 {
			pdf.AddPage()
		}
	}
	tx.Paragraph(f.Title, "B", 16, width, 9)
	tx.Paragraph(f.Subtitle, "", 9, width, 5)
	pdf.Ln(2)
	for _, p := range f.Preamble {
		tx.Paragraph(p, "", 8, width, 4)
		pdf.Ln(1)
	}
	const labelW = 70
	labelX, valueX := left, left+labelW
	if rtl {
		labelX, valueX = left+width-labelW, left
	}
	row := func(label, value string) {
		room(14)
		y := pdf.GetY()
		pdf.SetX(labelX)
		tx.Paragraph(label, "B", 9, labelW-2, 5)
		next := pdf.GetY()
		pdf.SetXY(valueX, y)
		tx.Paragraph(value, "", 9, width-labelW, 5)
		pdf.SetY(max(next, pdf.GetY()) + 1)
		pdf.Line(left, pdf.GetY(), left+width, pdf.GetY())
		pdf.Ln(1)
	}
	pdf.Ln(2)
	row(f.LegalBasis.Label, f.LegalBasis.Value)
	const boxW = 4
	for _, s := range f.Sections {
		room(20)
		pdf.Ln(3)
		tx.Paragraph(f.section+" "+s.Letter+": "+s.Title, "B", 10, width, 5)
		pdf.Ln(1)
		if s.Note != "" {
			tx.Paragraph(s.Note, "", 8.5, width, 4.5)
			pdf.Ln(1)
		}
		for _, fd := range s.Fields {
			switch {
			case fd.Box:
				room(10)
				y := pdf.GetY()
				bx, tx0 := left, left+boxW+2
				if rtl {
					bx, tx0 = left+width-boxW, left
				}
				pdf.Rect(bx, y+0.5, boxW, boxW, "D")
				if fd.Ticked {
					pdf.SetFont("Helvetica", "B", 9)
					pdf.SetXY(bx, y)
					pdf.CellFormat(boxW, 5, "X", "", 0, "C", false, 0, "")
				}
				pdf.SetXY(tx0, y)
				tx.Paragraph(fd.Label, "", 8.5, width-boxW-2, 4.5)
				pdf.Ln(1)
			case fd.Blank:
				row(fd.Label, f.blank)
			case fd.Value == "" && fd.Key == "b.reasons":
				room(10)
				tx.Paragraph(fd.Label, "B", 9, width, 5)
			default:
				row(fd.Label, fd.Value)
			}
		}
	}
	return pdf.Output(w)
}
