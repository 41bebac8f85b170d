package classifier

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
)

// Metrics are one label's figures on one slice of the data.
type Metrics struct {
	Label     Label   `json:"label"`
	Support   int     `json:"support"` // gold positives
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	TN        int     `json:"tn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// PRAUC is the average precision of the scores (area under the
	// precision-recall curve); NaN-free: 0 when there are no positives.
	PRAUC float64 `json:"pr_auc"`
}

// Table holds every label's metrics on a slice of the data.
type Table struct {
	N int `json:"n"`
	// MacroF1 averages F1 over the labels other than none that have gold
	// positives in the slice.
	MacroF1 float64   `json:"macro_f1"`
	Labels  []Metrics `json:"labels"`
	// Harmful is the binary figure a reviewer's queue sees: gold has any
	// harmful label against any harmful label flagged (e.g. pro-ISIS or
	// not).
	Harmful Metrics `json:"harmful"`
}

// HardNegatives reports how often text that must not be flagged was: news,
// research, counter-speech and legitimate criticism.
type HardNegatives struct {
	N       int                 `json:"n"`
	Flagged int                 `json:"flagged"`
	FPR     float64             `json:"fpr"`
	ByLang  map[string]*FPCount `json:"by_lang"`
	BySrc   map[string]*FPCount `json:"by_source"`
}

// FPCount is a false-positive count on a slice of the hard negatives.
type FPCount struct {
	N       int     `json:"n"`
	Flagged int     `json:"flagged"`
	FPR     float64 `json:"fpr"`
}

// Confusion counts examples by gold primary label (rows) and predicted
// primary label (columns); see primary.
type Confusion struct {
	Labels []Label `json:"labels"`
	Counts [][]int `json:"counts"`
}

// TradeoffPoint is a label's precision and recall at one threshold, with
// the share of hard negatives flagged for that label.
type TradeoffPoint struct {
	Threshold float64 `json:"threshold"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	HardNegFP float64 `json:"hard_negative_fpr"`
}

// SystemReport is the evaluation of one system (the model or the baseline).
type SystemReport struct {
	Name string `json:"name"`
	// AccountLevel names the sources left out of Overall, ByLang,
	// Confusion and Tradeoff because their labels are per account.
	AccountLevel  []string          `json:"account_level_sources,omitempty"`
	Thresholds    map[Label]float64 `json:"thresholds"`
	Overall       Table             `json:"overall"`
	ByLang        map[string]Table  `json:"by_lang"`
	BySource      map[string]Table  `json:"by_source"`
	HardNegatives HardNegatives     `json:"hard_negatives"`
	// Everyday counts ordinary posts (sport, food, weather, ...) flagged
	// by any harmful label.
	Everyday HardNegatives `json:"everyday"`
	// NegativeSources gives, for every source without a harmful label in
	// the slice (news, attack reactions, everyday posts, hate speech), the
	// share of all its posts flagged by any harmful label.
	NegativeSources map[string]*FPCount       `json:"negative_sources"`
	Confusion       Confusion                 `json:"confusion"`
	Tradeoff        map[Label][]TradeoffPoint `json:"tradeoff,omitempty"`
}

// Report is the result of Evaluate.
type Report struct {
	Split    string       `json:"split"`
	Examples int          `json:"examples"`
	Model    SystemReport `json:"model"`
	Baseline SystemReport `json:"baseline"`
	// FinancingRules measures the financing rules alone (rule score at
	// least 0.5, no model, no protective damping) on post-level examples.
	FinancingRules       Metrics `json:"financing_rules"`
	FinancingRulesHardFP FPCount `json:"financing_rules_hard_negatives"`
	// Errors lists hard negatives and everyday posts the model flagged,
	// for inspection (at most the number Evaluate was asked for).
	Errors []FlaggedExample `json:"hard_negative_errors,omitempty"`
	Info   Info             `json:"model_info"`
	// Version is the evaluated model's Version.
	Version string `json:"model_version"`
}

// FlaggedExample is a hard negative or everyday post the model flagged.
type FlaggedExample struct {
	Source  string            `json:"source"`
	ID      string            `json:"id"`
	Lang    string            `json:"lang"`
	Text    string            `json:"text"`
	Flagged []Label           `json:"flagged"`
	Scores  map[Label]float64 `json:"scores"`
}

type scored struct {
	account bool
	gold    labelSet
	scores  [NumLabels]float64
	lang    string
	source  string
	hard    bool
	// everyday marks an ordinary post that must not be flagged.
	everyday bool
}

// Evaluate scores the examples of split with the model and with the
// keyword baseline and reports both. maxErrors is how many flagged hard
// negatives the report lists (0: none).
func Evaluate(ctx context.Context, m *Model, examples []Example, split Split, maxErrors int, progress func(done, total int)) (*Report, error) {
	var sel []Example
	for _, e := range examples {
		if e.Split == split {
			sel = append(sel, e)
		}
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("no examples in the %s split", split)
	}
	base := NewKeywordBaseline()
	var x extractor
	ms := make([]scored, len(sel))
	bs := make([]scored, len(sel))
	var rules []scored
	var rulesHard FPCount
	for i, e := range sel {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(i, len(sel))
			}
		}
		g := setOf(e.Labels).withNone()
		ms[i] = scored{gold: g, scores: m.rawScores(&x, e.Text), lang: e.Lang, source: e.Source, hard: e.HardNegative, account: e.AccountLevel, everyday: e.Everyday}
		bs[i] = scored{gold: g, scores: base.Scores(e.Text), lang: e.Lang, source: e.Source, hard: e.HardNegative, account: e.AccountLevel, everyday: e.Everyday}
		if !e.AccountLevel {
			x.extract(e.Text, m.cfg)
			rs, _ := m.rules.score(e.Text, x.norm.Bytes(), x.toks, nil)
			var r scored
			r.gold = g
			r.scores[Financing.Index()] = rs
			rules = append(rules, r)
			if e.HardNegative {
				rulesHard.N++
				if rs >= 0.5 {
					rulesHard.Flagged++
				}
			}
		}
	}
	if progress != nil {
		progress(len(sel), len(sel))
	}
	var bt [NumLabels]float64
	for i := range bt {
		bt[i] = 0.5
	}
	r := &Report{
		Split: split.String(), Examples: len(sel), Info: m.info, Version: m.Version(),
		Model:    systemReport("model", ms, m.thresholds, true),
		Baseline: systemReport("keyword baseline", bs, bt, false),
	}
	r.FinancingRules = metricsAt(rules, Financing.Index(), 0.5)
	r.FinancingRules.PRAUC = averagePrecision(rules, Financing.Index())
	rulesHard.FPR = ratio(rulesHard.Flagged, rulesHard.N)
	r.FinancingRulesHardFP = rulesHard
	for i, x := range ms {
		if len(r.Errors) >= maxErrors || !x.hard && !x.everyday {
			continue
		}
		var flagged []Label
		sc := map[Label]float64{}
		for li, l := range Labels {
			sc[l] = math.Round(x.scores[li]*1000) / 1000
			if l.Harmful() && x.scores[li] >= m.thresholds[li] {
				flagged = append(flagged, l)
			}
		}
		if len(flagged) > 0 {
			e := sel[i]
			r.Errors = append(r.Errors, FlaggedExample{Source: e.Source, ID: e.ID, Lang: e.Lang, Text: e.Text, Flagged: flagged, Scores: sc})
		}
	}
	return r, nil
}

func systemReport(name string, s []scored, th [NumLabels]float64, tradeoff bool) SystemReport {
	r := SystemReport{Name: name, Thresholds: map[Label]float64{}, ByLang: map[string]Table{}, BySource: map[string]Table{}}
	for i, l := range Labels {
		r.Thresholds[l] = th[i]
	}
	// Post-level figures leave out account-level labels; every source is
	// still reported on its own.
	var post []scored
	srcs := map[string][]scored{}
	for _, x := range s {
		srcs[x.source] = append(srcs[x.source], x)
		if !x.account {
			post = append(post, x)
		} else {
			r.AccountLevel = append(r.AccountLevel, x.source)
		}
	}
	r.AccountLevel = slices.Compact(r.AccountLevel)
	s = post
	r.Overall = table(s, th)
	r.ByLang = tablesByLang(s, th)
	for k, v := range srcs {
		r.BySource[k] = table(v, th)
	}
	r.HardNegatives = falsePositives(s, th, func(x scored) bool { return x.hard })
	r.Everyday = falsePositives(s, th, func(x scored) bool { return x.everyday })
	r.NegativeSources = negativeSources(s, th)
	r.Confusion = confusion(s, th)
	if tradeoff {
		r.Tradeoff = map[Label][]TradeoffPoint{}
		for li, l := range Labels {
			if l == None {
				continue
			}
			for t := 1; t <= 9; t++ {
				thr := float64(t) / 10
				m := metricsAt(s, li, thr)
				var hn, hf int
				for _, x := range s {
					if x.hard {
						hn++
						if x.scores[li] >= thr {
							hf++
						}
					}
				}
				r.Tradeoff[l] = append(r.Tradeoff[l], TradeoffPoint{Threshold: thr, Precision: m.Precision, Recall: m.Recall, F1: m.F1, HardNegFP: ratio(hf, hn)})
			}
		}
	}
	return r
}

// negativeSources counts the flagged posts of every source in s that has
// no harmful gold label.
func negativeSources(s []scored, th [NumLabels]float64) map[string]*FPCount {
	harmful := map[string]bool{}
	for _, x := range s {
		harmful[x.source] = harmful[x.source] || x.gold.harmful()
	}
	out := map[string]*FPCount{}
	for _, x := range s {
		if harmful[x.source] {
			continue
		}
		c := get(out, x.source)
		c.N++
		if flaggedAny(x, th) {
			c.Flagged++
		}
	}
	for _, c := range out {
		c.FPR = ratio(c.Flagged, c.N)
	}
	return out
}

// flaggedAny reports whether any harmful label reaches its threshold.
func flaggedAny(x scored, th [NumLabels]float64) bool {
	for li, l := range Labels {
		if l.Harmful() && x.scores[li] >= th[li] {
			return true
		}
	}
	return false
}

// harmfulMetrics is the binary any-harmful figure of s.
func harmfulMetrics(s []scored, th [NumLabels]float64) Metrics {
	m := Metrics{Label: "harmful"}
	for _, x := range s {
		m.count(x.gold.harmful(), flaggedAny(x, th))
	}
	m.finish()
	return m
}

// count adds one example with gold g and prediction p.
func (m *Metrics) count(g, p bool) {
	switch {
	case g && p:
		m.TP++
	case !g && p:
		m.FP++
	case g && !p:
		m.FN++
	default:
		m.TN++
	}
}

// finish computes the ratios from the counts.
func (m *Metrics) finish() {
	m.Support = m.TP + m.FN
	m.Precision = ratio(m.TP, m.TP+m.FP)
	m.Recall = ratio(m.TP, m.TP+m.FN)
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
}

// tablesByLang returns the table of each language's examples in s.
func tablesByLang(s []scored, th [NumLabels]float64) map[string]Table {
	langs := map[string][]scored{}
	for _, x := range s {
		langs[x.lang] = append(langs[x.lang], x)
	}
	out := make(map[string]Table, len(langs))
	for k, v := range langs {
		out[k] = table(v, th)
	}
	return out
}

func table(s []scored, th [NumLabels]float64) Table {
	t := Table{N: len(s), Harmful: harmfulMetrics(s, th)}
	var sum float64
	var n int
	for li, l := range Labels {
		m := metricsAt(s, li, th[li])
		m.PRAUC = averagePrecision(s, li)
		t.Labels = append(t.Labels, m)
		if l != None && m.Support > 0 {
			sum += m.F1
			n++
		}
	}
	if n > 0 {
		t.MacroF1 = sum / float64(n)
	}
	return t
}

func metricsAt(s []scored, li int, th float64) Metrics {
	m := Metrics{Label: Labels[li]}
	for _, x := range s {
		m.count(x.gold.has(li), x.scores[li] >= th)
	}
	m.finish()
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// averagePrecision is the area under the precision-recall curve, with tied
// scores taken as one step.
func averagePrecision(s []scored, li int) float64 {
	idx := make([]int, len(s))
	npos := 0
	for i := range s {
		idx[i] = i
		if s[i].gold.has(li) {
			npos++
		}
	}
	if npos == 0 {
		return 0
	}
	sort.SliceStable(idx, func(a, b int) bool { return s[idx[a]].scores[li] > s[idx[b]].scores[li] })
	var ap float64
	tp, seen := 0, 0
	lastR := 0.0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && s[idx[j]].scores[li] == s[idx[i]].scores[li] {
			if s[idx[j]].gold.has(li) {
				tp++
			}
			seen++
			j++
		}
		r := float64(tp) / float64(npos)
		ap += (r - lastR) * float64(tp) / float64(seen)
		lastR = r
		i = j
	}
	return ap
}

// falsePositives counts the examples selected by must (which must not be
// flagged) that reach a harmful label's threshold.
func falsePositives(s []scored, th [NumLabels]float64, must func(scored) bool) HardNegatives {
	h := HardNegatives{ByLang: map[string]*FPCount{}, BySrc: map[string]*FPCount{}}
	for _, x := range s {
		if !must(x) {
			continue
		}
		flagged := flaggedAny(x, th)
		for _, c := range []*FPCount{get(h.ByLang, x.lang), get(h.BySrc, x.source)} {
			c.N++
			if flagged {
				c.Flagged++
			}
		}
		h.N++
		if flagged {
			h.Flagged++
		}
	}
	h.FPR = ratio(h.Flagged, h.N)
	for _, m := range []map[string]*FPCount{h.ByLang, h.BySrc} {
		for _, c := range m {
			c.FPR = ratio(c.Flagged, c.N)
		}
	}
	return h
}

func get(m map[string]*FPCount, k string) *FPCount {
	c, ok := m[k]
	if !ok {
		c = &FPCount{}
		m[k] = c
	}
	return c
}

// primary reduces a label set to one label for the confusion table: the
// first harmful label, else the first protective one, else none.
func primary(set labelSet) int {
	for li, l := range Labels {
		if l.Harmful() && set.has(li) {
			return li
		}
	}
	for li, l := range Labels {
		if l != None && set.has(li) {
			return li
		}
	}
	return None.Index()
}

// predictedPrimary is the harmful label over its threshold with the highest
// score, else the protective label likewise, else none.
func predictedPrimary(x scored, th [NumLabels]float64) int {
	best, bestS := -1, 0.0
	for pass := 0; pass < 2 && best < 0; pass++ {
		for li, l := range Labels {
			if l == None || l.Harmful() != (pass == 0) {
				continue
			}
			if x.scores[li] >= th[li] && x.scores[li] > bestS {
				best, bestS = li, x.scores[li]
			}
		}
	}
	if best < 0 {
		return None.Index()
	}
	return best
}

func confusion(s []scored, th [NumLabels]float64) Confusion {
	c := Confusion{Labels: Labels[:], Counts: make([][]int, NumLabels)}
	for i := range c.Counts {
		c.Counts[i] = make([]int, NumLabels)
	}
	for _, x := range s {
		c.Counts[primary(x.gold)][predictedPrimary(x, th)]++
	}
	return c
}

// WriteText writes the report as plain-text tables.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Evaluation on the %s split: %d examples. Model %s (trained %s, seed %d).\n",
		r.Split, r.Examples, r.Version, r.Info.TrainedAt, r.Info.Seed)
	for _, sr := range []SystemReport{r.Model, r.Baseline} {
		fmt.Fprintf(w, "\n=== %s ===\n", strings.ToUpper(sr.Name))
		fmt.Fprintf(w, "\nAll post-level %s data (n=%d): macro-F1 %.3f\n", r.Split, sr.Overall.N, sr.Overall.MacroF1)
		if len(sr.AccountLevel) > 0 {
			fmt.Fprintf(w, "(left out, labels per account: %s; see the source lines)\n", strings.Join(sr.AccountLevel, ", "))
		}
		writeTable(w, sr.Overall, sr.Thresholds)
		for _, k := range sortedKeys(sr.ByLang) {
			t := sr.ByLang[k]
			fmt.Fprintf(w, "\nLanguage %s (n=%d): macro-F1 %.3f\n", k, t.N, t.MacroF1)
			writeTable(w, t, nil)
		}
		fmt.Fprintln(w, "\nPer source (harmful = any harmful label, gold against flagged):")
		writeSourceLines(w, sr.BySource, sr.AccountLevel)
		fmt.Fprintln(w, "\nFalse-positive rate on every source without harmful labels (all its posts in the split):")
		writeFPLines(w, sr.NegativeSources)
		h := sr.HardNegatives
		fmt.Fprintf(w, "\nHard negatives (news, research, counter-speech, criticism; must not be flagged): %d of %d flagged, FPR %.3f\n", h.Flagged, h.N, h.FPR)
		writeFPLines(w, h.BySrc)
		writeFPLines(w, prefixed("lang ", h.ByLang))
		e := sr.Everyday
		fmt.Fprintf(w, "\nEveryday benign posts (must not be flagged): %d of %d flagged, FPR %.3f\n", e.Flagged, e.N, e.FPR)
		writeFPLines(w, prefixed("lang ", e.ByLang))
		fmt.Fprintf(w, "\nConfusion (rows: gold primary label, columns: predicted primary label)\n%-16s", "")
		for _, l := range sr.Confusion.Labels {
			fmt.Fprintf(w, "%8.8s", l)
		}
		fmt.Fprintln(w)
		for i, l := range sr.Confusion.Labels {
			fmt.Fprintf(w, "%-16s", l)
			for _, n := range sr.Confusion.Counts[i] {
				fmt.Fprintf(w, "%8d", n)
			}
			fmt.Fprintln(w)
		}
		if len(sr.Tradeoff) > 0 {
			fmt.Fprintln(w, "\nThreshold trade-off on post-level data (precision / recall / share of hard negatives over the threshold)")
			fmt.Fprintf(w, "%-16s", "threshold")
			for t := 1; t <= 9; t++ {
				fmt.Fprintf(w, "  %-14.1f", float64(t)/10)
			}
			fmt.Fprintln(w)
			for _, l := range Labels {
				pts := sr.Tradeoff[l]
				if len(pts) == 0 {
					continue
				}
				fmt.Fprintf(w, "%-16s", l)
				for _, p := range pts {
					if l.Harmful() {
						fmt.Fprintf(w, "  %.2f/%.2f/%.2f", p.Precision, p.Recall, p.HardNegFP)
					} else { // hard negatives are meant to score high here
						fmt.Fprintf(w, "  %.2f/%.2f/-   ", p.Precision, p.Recall)
					}
				}
				fmt.Fprintln(w)
			}
		}
	}
	fr := r.FinancingRules
	fmt.Fprintf(w, "\n=== FINANCING RULES ALONE (score >= 0.5, post-level) ===\n  support %d, precision %.3f, recall %.3f, F1 %.3f; hard negatives hit %d of %d (FPR %.3f)\n",
		fr.Support, fr.Precision, fr.Recall, fr.F1, r.FinancingRulesHardFP.Flagged, r.FinancingRulesHardFP.N, r.FinancingRulesHardFP.FPR)
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "\nFlagged hard negatives and everyday posts (model):")
		for _, e := range r.Errors {
			fmt.Fprintf(w, "  [%s %s %s] %v %q\n", e.Source, e.ID, e.Lang, e.Flagged, e.Text)
			fmt.Fprintf(w, "      ")
			for _, l := range Labels {
				fmt.Fprintf(w, " %s=%.2f", l, e.Scores[l])
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "\nSummary: model macro-F1 %.3f vs keyword baseline %.3f; hard-negative FPR %.3f vs %.3f; everyday-benign FPR %.3f vs %.3f.\n",
		r.Model.Overall.MacroF1, r.Baseline.Overall.MacroF1, r.Model.HardNegatives.FPR, r.Baseline.HardNegatives.FPR,
		r.Model.Everyday.FPR, r.Baseline.Everyday.FPR)
}

// writeSourceLines writes one line per source: its size, the binary
// harmful figures and macro-F1.
func writeSourceLines(w io.Writer, by map[string]Table, account []string) {
	fmt.Fprintf(w, "  %-22s %6s %7s %7s %7s %7s %8s\n", "source", "n", "harmful", "prec", "recall", "F1", "macro-F1")
	for _, k := range sortedKeys(by) {
		t := by[k]
		h := t.Harmful
		note := ""
		if slices.Contains(account, k) {
			note = "  (labels per account: precision is not measurable)"
		}
		fmt.Fprintf(w, "  %-22s %6d %7d %7.3f %7.3f %7.3f %8.3f%s\n", k, t.N, h.Support, h.Precision, h.Recall, h.F1, t.MacroF1, note)
	}
}

// writeFPLines writes one false-positive line per key.
func writeFPLines(w io.Writer, by map[string]*FPCount) {
	for _, k := range sortedKeys(by) {
		c := by[k]
		fmt.Fprintf(w, "  %-28s %5d of %6d flagged  FPR %.3f\n", k, c.Flagged, c.N, c.FPR)
	}
}

func prefixed(p string, m map[string]*FPCount) map[string]*FPCount {
	out := make(map[string]*FPCount, len(m))
	for k, v := range m {
		out[p+k] = v
	}
	return out
}

func writeTable(w io.Writer, t Table, th map[Label]float64) {
	fmt.Fprintf(w, "  %-16s %7s %7s %7s %7s %7s", "label", "support", "prec", "recall", "F1", "PR-AUC")
	if th != nil {
		fmt.Fprintf(w, " %9s", "threshold")
	}
	fmt.Fprintln(w)
	for _, m := range t.Labels {
		if m.Support == 0 && m.FP == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-16s %7d %7.3f %7.3f %7.3f %7.3f", m.Label, m.Support, m.Precision, m.Recall, m.F1, m.PRAUC)
		if th != nil {
			fmt.Fprintf(w, " %9.2f", th[m.Label])
		}
		fmt.Fprintln(w)
	}
	if h := t.Harmful; h.Support > 0 || h.FP > 0 {
		fmt.Fprintf(w, "  %-16s %7d %7.3f %7.3f %7.3f %7s\n", "(any harmful)", h.Support, h.Precision, h.Recall, h.F1, "")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
