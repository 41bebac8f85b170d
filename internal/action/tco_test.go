package action_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/arabicshape"
	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

func tcoNotice() action.Notice {
	return action.Notice{Issuer: "National CT Unit", EvidenceSHA256: "5e1f00aa", Order: store.Order{ID: 17, CaseID: 4, Kind: store.OrderRemoval,
		Platform: "telegram", ContentURL: "https://t.me/channel_x/100", LegalBasis: "Regulation (EU) 2021/784, Article 3",
		IssuedBy: "rev1", IssuedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Deadline: time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC),
		Status: store.OrderSent, EvidenceID: 2}}
}

// Every harmful label names a category of Article 2(7); no protective
// label does; several labels tick each box once, in the Regulation's order.
func TestTCOCategories(t *testing.T) {
	for _, tc := range []struct {
		labels []model.Label
		want   []action.TCOCategory
	}{
		{[]model.Label{model.Incitement}, []action.TCOCategory{action.TCOIncites}},
		{[]model.Label{model.Propaganda}, []action.TCOCategory{action.TCOIncites}},
		{[]model.Label{model.Financing}, []action.TCOCategory{action.TCOSolicitsOffence}},
		{[]model.Label{model.Recruitment}, []action.TCOCategory{action.TCOSolicitsGroup}},
		{[]model.Label{model.AttackPlanning}, []action.TCOCategory{action.TCOInstructs}},
		{[]model.Label{model.AttackPlanning, model.Propaganda, model.Incitement, model.Recruitment}, []action.TCOCategory{action.TCOIncites, action.TCOSolicitsGroup, action.TCOInstructs}},
		{[]model.Label{model.NewsReporting}, nil},
		{[]model.Label{model.CounterSpeech}, nil},
		{[]model.Label{model.None}, nil},
		{[]model.Label{model.NewsReporting, model.CounterSpeech, model.None}, nil},
	} {
		got := action.TCOCategories(tc.labels)
		if strings.Join(cats(got), ",") != strings.Join(cats(tc.want), ",") {
			t.Errorf("TCOCategories(%v) = %v, want %v", tc.labels, got, tc.want)
		}
	}
	for _, l := range model.Labels {
		if got := action.TCOCategories([]model.Label{l}); (len(got) == 1) != l.Harmful() {
			t.Errorf("label %s (harmful %v) maps to %v", l, l.Harmful(), got)
		}
	}
}

func cats(cs []action.TCOCategory) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

// A case whose labels are only protective, a withdrawn order and a
// referral never fill a removal order.
func TestTCORefused(t *testing.T) {
	n := tcoNotice()
	for _, labels := range [][]model.Label{{model.NewsReporting}, {model.CounterSpeech}, {model.None}, nil} {
		if _, err := action.BuildTCO(n, &model.Case{ID: 4, Labels: labels}, "en"); !errors.Is(err, action.ErrNotTCO) || !errors.Is(err, action.ErrNotActionable) {
			t.Errorf("labels %v: err = %v, want ErrNotTCO", labels, err)
		}
	}
	w := tcoNotice()
	w.Order.Status = store.OrderWithdrawn
	if _, err := action.BuildTCO(w, &model.Case{ID: 4, Labels: []model.Label{model.Incitement}}, "en"); !errors.Is(err, action.ErrNotTCO) {
		t.Errorf("withdrawn order: err = %v, want ErrNotTCO", err)
	}
	n.Order.Kind = store.OrderReferral
	if _, err := action.BuildTCO(n, &model.Case{ID: 4, Labels: []model.Label{model.Incitement}}, "en"); !errors.Is(err, action.ErrNotTCO) {
		t.Errorf("referral: err = %v, want ErrNotTCO", err)
	}
}

// The three languages have the same words, none empty.
func TestTCOLabelsComplete(t *testing.T) {
	en, err := action.TCOLabelsFor("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range action.TCOLanguages {
		l, err := action.TCOLabelsFor(lang)
		if err != nil {
			t.Fatal(err)
		}
		if len(l) != len(en) {
			t.Errorf("%s has %d words, English %d", lang, len(l), len(en))
		}
		for k := range en {
			if strings.TrimSpace(l[k]) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
		}
	}
}

// Each section of Annex I is printed with its letter, its title and the
// values filled from the order, in Arabic, English and French; the JSON
// carries the same; blanks are marked for the officer.
func TestTCOFormLanguages(t *testing.T) {
	c := &model.Case{ID: 4, Labels: []model.Label{model.Incitement, model.Recruitment}}
	for _, lang := range action.TCOLanguages {
		t.Run(lang, func(t *testing.T) {
			f, err := action.BuildTCO(tcoNotice(), c, lang)
			if err != nil {
				t.Fatal(err)
			}
			l, _ := action.TCOLabelsFor(lang)
			// JSON: sections A to G with their titles, the filled values and
			// the ticked boxes (a) and (c) only.
			var js bytes.Buffer
			if err := action.WriteTCOJSON(&js, f); err != nil {
				t.Fatal(err)
			}
			var back struct {
				Template   string                 `json:"template"`
				LegalBasis struct{ Value string } `json:"legal_basis"`
				Sections   []struct {
					Key, Title string
					Fields     []struct {
						Key, Label, Value, Cite string
						Blank, Box, Ticked      bool
					}
				}
			}
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			if back.Template != "tco" || back.LegalBasis.Value != "Regulation (EU) 2021/784, Article 3" {
				t.Errorf("template %q, legal basis %q", back.Template, back.LegalBasis.Value)
			}
			values := map[string]string{}
			ticked := map[string]bool{}
			blank := map[string]bool{}
			var keys []string
			for _, s := range back.Sections {
				keys = append(keys, s.Key)
				if want := l[strings.ToLower(s.Key)+".title"]; s.Title != want || want == "" {
					t.Errorf("section %s title %q, want %q", s.Key, s.Title, want)
				}
				for _, fd := range s.Fields {
					if fd.Cite == "" || fd.Label == "" {
						t.Errorf("field %s has no citation or label", fd.Key)
					}
					values[fd.Key] = fd.Value
					ticked[fd.Key] = fd.Ticked
					blank[fd.Key] = fd.Blank
				}
			}
			if got := strings.Join(keys, ""); got != "ABCDEFG" {
				t.Errorf("sections %s, want A to G", got)
			}
			for key, want := range map[string]string{"a.addressee": "telegram", "a.reference": "marsad-order-17", "a.issued_at": "2026-01-02 03:04 UTC", "e.name": "National CT Unit", "e.date": "2026-01-02"} {
				if values[key] != want {
					t.Errorf("%s = %q, want %q", key, values[key], want)
				}
			}
			if !strings.Contains(values["b.url"], "https://t.me/channel_x/100") || !strings.Contains(values["b.url"], "5e1f00aa") {
				t.Errorf("b.url = %q", values["b.url"])
			}
			if !strings.Contains(values["b.deadline"], "2026-01-02 04:04 UTC") {
				t.Errorf("b.deadline = %q", values["b.deadline"])
			}
			for k, want := range map[string]bool{"b.cat.a": true, "b.cat.b": false, "b.cat.c": true, "b.cat.d": false, "b.cat.e": false, "c.withhold": false, "d.copy": false} {
				if ticked[k] != want {
					t.Errorf("box %s ticked %v, want %v", k, ticked[k], want)
				}
			}
			for _, k := range []string{"a.member_state", "a.contact_point", "a.establishment", "e.type", "e.signature", "f.contact", "g.body", "g.deadline", "g.law"} {
				if !blank[k] || values[k] != "" {
					t.Errorf("%s is not a blank for the officer: %q", k, values[k])
				}
			}

			// PDF: the same, as drawn.
			var pdf bytes.Buffer
			if err := action.WriteTCOPDF(&pdf, f); err != nil {
				t.Fatal(err)
			}
			ops := drawn(t, pdf.Bytes())
			var texts []string
			for _, op := range ops {
				texts = append(texts, op.text)
			}
			// Latin lines wrap at spaces: join them with one; the Arabic
			// labels looked for fit on one line.
			text := strings.Join(texts, " ")
			see := func(s string) string {
				if arabicshape.IsRTL(s) {
					return arabicshape.Visual(arabicshape.StripMarks(s))
				}
				return windows1252(s)
			}
			wants := []string{l["title"], l["legal_basis"], l["a.reference"], l["b.deadline"], l["e.name"], l["e.date"],
				"telegram", "https://t.me/channel_x/100", "marsad-order-17", "2026-01-02 03:04 UTC", "National CT Unit", "2021/784"}
			for _, want := range wants {
				if !strings.Contains(text, see(want)) {
					t.Errorf("the PDF does not draw %q", want)
				}
			}
			for _, s := range f.Sections {
				if heading := l["section"] + " " + s.Letter; !strings.Contains(text, see(heading)) && !strings.Contains(text, see(s.Letter+" "+l["section"])) {
					t.Errorf("the PDF draws no heading %q", heading)
				}
			}
			if n := strings.Count(strings.Join(texts, "|"), "|X|"); n != 2 {
				t.Errorf("the PDF ticks %d boxes, want 2 (Article 2(7)(a) and (c))", n)
			}
			if !strings.Contains(text, see(l["blank"])) && !strings.Contains(text, see(strings.TrimLeft(l["blank"], "_ "))) {
				t.Errorf("the PDF draws no blank for the officer %q", l["blank"])
			}
			if lang == "ar" {
				for _, english := range []string{"Section", "Removal order", "Legal basis", "Deadline"} {
					if strings.Contains(text, english) {
						t.Errorf("the Arabic form draws %q", english)
					}
				}
				at := map[string]float64{}
				for _, op := range ops {
					at[strings.TrimSpace(op.text)] = op.x
				}
				if lx, vx := at[see(l["a.reference"])], at["marsad-order-17"]; lx <= vx {
					t.Errorf("the Arabic label is drawn at x=%.1f, left of its value at x=%.1f", lx, vx)
				}
			}
		})
	}
}

// windows1252 is s as fpdf draws Latin text in Helvetica: one byte a
// letter (the letters of French are the same in Latin-1).
func windows1252(s string) string {
	var b []byte
	for _, r := range s {
		if r < 256 {
			b = append(b, byte(r))
		} else {
			b = append(b, '?')
		}
	}
	return string(b)
}
