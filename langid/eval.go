package langid

import (
	"fmt"
	"io"
	"sort"
)

// Accuracy is how well a model identified a set of samples.
type Accuracy struct {
	N       int                       `json:"n"`
	Correct int                       `json:"correct"`
	Rate    float64                   `json:"accuracy"`
	ByLang  map[string]*LangAccuracy  `json:"by_lang"`
	Matrix  map[string]map[string]int `json:"confusion"` // gold → predicted → count
}

// LangAccuracy is the accuracy on the samples of one language.
type LangAccuracy struct {
	N       int     `json:"n"`
	Correct int     `json:"correct"`
	Rate    float64 `json:"accuracy"`
}

// Evaluate identifies every sample and compares with its language.
func (m *Model) Evaluate(samples []Sample) Accuracy {
	a := Accuracy{ByLang: map[string]*LangAccuracy{}, Matrix: map[string]map[string]int{}}
	for _, s := range samples {
		got := m.Identify(s.Text)
		la := a.ByLang[s.Lang]
		if la == nil {
			la = &LangAccuracy{}
			a.ByLang[s.Lang] = la
			a.Matrix[s.Lang] = map[string]int{}
		}
		a.N++
		la.N++
		a.Matrix[s.Lang][got]++
		if got == s.Lang {
			a.Correct++
			la.Correct++
		}
	}
	if a.N > 0 {
		a.Rate = float64(a.Correct) / float64(a.N)
	}
	for _, la := range a.ByLang {
		la.Rate = float64(la.Correct) / float64(la.N)
	}
	return a
}

// WriteText writes the accuracy as a table.
func (a Accuracy) WriteText(w io.Writer) {
	fmt.Fprintf(w, "accuracy %.4f (%d of %d)\n", a.Rate, a.Correct, a.N)
	langs := make([]string, 0, len(a.ByLang))
	for l := range a.ByLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		la := a.ByLang[l]
		fmt.Fprintf(w, "  %-4s %.4f (%d of %d)  predicted:", l, la.Rate, la.Correct, la.N)
		preds := make([]string, 0, len(a.Matrix[l]))
		for p := range a.Matrix[l] {
			preds = append(preds, p)
		}
		sort.Strings(preds)
		for _, p := range preds {
			fmt.Fprintf(w, " %s=%d", p, a.Matrix[l][p])
		}
		fmt.Fprintln(w)
	}
}
