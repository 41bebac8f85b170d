package classifier

import (
	"context"
	"fmt"
	"io"
	"slices"
)

// HeldOutSource is how a model trained without one source scores every
// post of that source: the nearest thing to a new platform's posts.
type HeldOutSource struct {
	Source string `json:"source"`
	// AccountLevel says the source's labels are per account: precision
	// cannot be measured there.
	AccountLevel bool `json:"account_level,omitempty"`
	// Overall holds every post of the source, whatever its split.
	Overall Table            `json:"overall"`
	ByLang  map[string]Table `json:"by_lang"`
	// NegativeOnly says the source has no harmful label; FP is then the
	// share of its posts flagged.
	NegativeOnly bool              `json:"negative_only,omitempty"`
	FP           FPCount           `json:"fp"`
	Thresholds   map[Label]float64 `json:"thresholds"`
}

// LOSOReport is the result of LeaveOneSourceOut.
type LOSOReport struct {
	Sources []HeldOutSource `json:"sources"`
	// Pooled gathers the post-level held-out scores of every source, each
	// scored by the model that did not see it, with each fold's scores
	// mapped so that its threshold falls at 0.5.
	Pooled       Table            `json:"pooled"`
	PooledByLang map[string]Table `json:"pooled_by_lang"`
}

// LeaveOneSourceOut trains, for each source named in only (every source
// when empty), a model on the examples of the other sources (their train
// split, calibrated on their calibration split) and scores every example
// of the left-out source. progress, when set, is told which fold runs.
func LeaveOneSourceOut(ctx context.Context, examples []Example, opts TrainOptions, only []string, progress func(source string, fold, folds int)) (*LOSOReport, error) {
	var names []string
	for _, e := range examples {
		if !slices.Contains(names, e.Source) {
			names = append(names, e.Source)
		}
	}
	if len(only) > 0 {
		for _, n := range only {
			if !slices.Contains(names, n) {
				return nil, fmt.Errorf("source %q not in the data (have %v)", n, names)
			}
		}
		names = only
	}
	if len(names) < 2 && len(only) == 0 {
		return nil, fmt.Errorf("leave-one-source-out needs at least two sources, have %v", names)
	}
	rep := &LOSOReport{}
	var pooled []scored
	half := [NumLabels]float64{}
	for i := range half {
		half[i] = 0.5
	}
	for k, name := range names {
		if progress != nil {
			progress(name, k+1, len(names))
		}
		var rest, held []Example
		for _, e := range examples {
			if e.Source == name {
				held = append(held, e)
			} else {
				rest = append(rest, e)
			}
		}
		o := opts
		o.Progress = nil
		m, err := Train(ctx, rest, o)
		if err != nil {
			return nil, fmt.Errorf("without %s: %w", name, err)
		}
		var x extractor
		s := make([]scored, len(held))
		account := false
		for i, e := range held {
			s[i] = scored{gold: setOf(e.Labels).withNone(), scores: m.rawScores(&x, e.Text), lang: e.Lang, source: e.Source,
				hard: e.HardNegative, account: e.AccountLevel, everyday: e.Everyday}
			account = account || e.AccountLevel
		}
		h := HeldOutSource{Source: name, AccountLevel: account, Overall: table(s, m.thresholds), ByLang: tablesByLang(s, m.thresholds), Thresholds: m.Thresholds()}
		if fp, ok := negativeSources(s, m.thresholds)[name]; ok {
			h.NegativeOnly, h.FP = true, *fp
		}
		rep.Sources = append(rep.Sources, h)
		if !account {
			for _, x := range s {
				for li := range x.scores {
					x.scores[li] = atHalf(x.scores[li], m.thresholds[li])
				}
				pooled = append(pooled, x)
			}
		}
	}
	rep.Pooled = table(pooled, half)
	rep.PooledByLang = tablesByLang(pooled, half)
	return rep, nil
}

// atHalf maps score s monotonically so that threshold t falls at 0.5.
func atHalf(s, t float64) float64 {
	switch {
	case t <= 0:
		return 0.5 + s/2
	case t >= 1:
		return s / 2
	case s < t:
		return s / (2 * t)
	}
	return 0.5 + (s-t)/(2*(1-t))
}

// WriteText writes the held-out figures, each source beside its figures
// on the in-distribution test split (inDist, from Evaluate; may be nil).
func (r *LOSOReport) WriteText(w io.Writer, inDist *Report) {
	fmt.Fprintln(w, "Leave one source out: each source is scored, all of it, by a model trained without it;")
	fmt.Fprintln(w, "\"in-dist\" is the same source's test split scored by the model trained on every source.")
	fmt.Fprintf(w, "\n  %-22s %6s %7s %7s %7s %7s %8s %9s\n", "source", "n", "harmful", "prec", "recall", "F1", "in-dist", "macro-F1")
	for _, h := range r.Sources {
		t := h.Overall.Harmful
		id := "-"
		if inDist != nil {
			if it, ok := inDist.Model.BySource[h.Source]; ok && it.Harmful.Support > 0 {
				id = fmt.Sprintf("%.3f", it.Harmful.F1)
			}
		}
		note := ""
		if h.AccountLevel {
			note = "  (labels per account: recall only)"
		}
		fmt.Fprintf(w, "  %-22s %6d %7d %7.3f %7.3f %7.3f %8s %9.3f%s\n", h.Source, h.Overall.N, t.Support, t.Precision, t.Recall, t.F1, id, h.Overall.MacroF1, note)
	}
	fmt.Fprintln(w, "\nFalse-positive rate on every source without harmful labels, held out (all its posts) and in-dist (its test split):")
	for _, h := range r.Sources {
		if !h.NegativeOnly {
			continue
		}
		id := ""
		if inDist != nil {
			if c, ok := inDist.Model.NegativeSources[h.Source]; ok {
				id = fmt.Sprintf("   in-dist %4d of %5d  FPR %.3f", c.Flagged, c.N, c.FPR)
			}
		}
		fmt.Fprintf(w, "  %-22s held out %5d of %6d  FPR %.3f%s\n", h.Source, h.FP.Flagged, h.FP.N, h.FP.FPR, id)
	}
	for _, h := range r.Sources {
		if h.NegativeOnly {
			continue
		}
		fmt.Fprintf(w, "\nHeld out: %s (n=%d), per label (in-dist F1 from the test split)\n", h.Source, h.Overall.N)
		fmt.Fprintf(w, "  %-16s %7s %7s %7s %7s %7s %8s %9s\n", "label", "support", "prec", "recall", "F1", "PR-AUC", "in-dist", "threshold")
		for _, m := range h.Overall.Labels {
			if m.Support == 0 {
				continue
			}
			id := "-"
			if inDist != nil {
				if it, ok := inDist.Model.BySource[h.Source]; ok {
					for _, im := range it.Labels {
						if im.Label == m.Label && im.Support > 0 {
							id = fmt.Sprintf("%.3f", im.F1)
						}
					}
				}
			}
			fmt.Fprintf(w, "  %-16s %7d %7.3f %7.3f %7.3f %7.3f %8s %9.2f\n", m.Label, m.Support, m.Precision, m.Recall, m.F1, m.PRAUC, id, h.Thresholds[m.Label])
		}
		if len(h.ByLang) > 1 {
			for _, l := range sortedKeys(h.ByLang) {
				t := h.ByLang[l]
				fmt.Fprintf(w, "  lang %-4s n=%-6d harmful P %.3f R %.3f F1 %.3f\n", l, t.N, t.Harmful.Precision, t.Harmful.Recall, t.Harmful.F1)
			}
		}
	}
	fmt.Fprintf(w, "\nPooled held-out scores, post level (n=%d): macro-F1 %.3f\n", r.Pooled.N, r.Pooled.MacroF1)
	writeTable(w, r.Pooled, nil)
	for _, l := range sortedKeys(r.PooledByLang) {
		t := r.PooledByLang[l]
		fmt.Fprintf(w, "\nPooled held-out, language %s (n=%d): macro-F1 %.3f\n", l, t.N, t.MacroF1)
		writeTable(w, t, nil)
	}
	if inDist != nil {
		fmt.Fprintf(w, "\nIn-distribution test split, post level (n=%d): macro-F1 %.3f\n", inDist.Model.Overall.N, inDist.Model.Overall.MacroF1)
		writeTable(w, inDist.Model.Overall, inDist.Model.Thresholds)
	}
}
