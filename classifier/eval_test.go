package classifier

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func sc(p float64, gold bool) scored {
	s := scored{}
	s.scores[0] = p
	if gold {
		s.gold = 1
	}
	return s
}

func TestAveragePrecision(t *testing.T) {
	tests := []struct {
		name string
		s    []scored
		want float64
	}{
		{"perfect", []scored{sc(.9, true), sc(.8, true), sc(.1, false)}, 1},
		{"interleaved", []scored{sc(.9, true), sc(.8, false), sc(.7, true), sc(.6, false)}, 0.5 + 0.5*2.0/3},
		{"worst", []scored{sc(.9, false), sc(.1, true)}, 0.5},
		{"ties count as one step", []scored{sc(.5, true), sc(.5, false)}, 0.5},
		{"no positives", []scored{sc(.5, false)}, 0},
	}
	for _, tt := range tests {
		if got := averagePrecision(tt.s, 0); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: AP = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMetricsAt(t *testing.T) {
	s := []scored{sc(.9, true), sc(.6, false), sc(.4, true), sc(.1, false)}
	m := metricsAt(s, 0, 0.5)
	if m.TP != 1 || m.FP != 1 || m.FN != 1 || m.TN != 1 || m.Support != 2 || m.Precision != .5 || m.Recall != .5 || m.F1 != .5 {
		t.Errorf("metrics = %+v", m)
	}
}

func TestExclusive(t *testing.T) {
	tests := []struct{ p, q, want float64 }{
		{0.3, 0, 0.3},
		{0.9, 0.1, 0.9 * 0.9 / (1 - 0.09)},
		{0.78, 0.95, 0.78 * 0.05 / (1 - 0.741)},
		{1, 1, 0},
	}
	for _, tt := range tests {
		if got := exclusive(tt.p, tt.q); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("exclusive(%v, %v) = %v, want %v", tt.p, tt.q, got, tt.want)
		}
	}
}

func TestPlatt(t *testing.T) {
	// Scores whose true calibration is sigmoid(2z - 1).
	var z []float64
	var y []bool
	for i := 0; i < 2000; i++ {
		v := float64(i%200)/20 - 5
		z = append(z, v)
		p := sigmoid(2*v - 1)
		y = append(y, float64((i*7919)%1000)/1000 < p)
	}
	a, b := platt(z, y)
	if math.Abs(a-2) > 0.4 || math.Abs(b+1) > 0.4 {
		t.Errorf("platt = (%.2f, %.2f), want about (2, -1)", a, b)
	}
}

func TestBestThreshold(t *testing.T) {
	var s []float64
	var y []bool
	for i := 0; i < 100; i++ {
		s = append(s, float64(i)/100)
		y = append(y, i >= 70)
	}
	// 0.70 has F1 1; 0.69 (one false positive, 0.984) and 0.71 (one
	// positive lost, 0.983) are within thresholdTolerance, 0.68 and 0.72
	// are not: the middle is 0.70.
	if got := bestThreshold(s, y, true); got != 0.7 {
		t.Errorf("threshold = %v, want 0.7", got)
	}
	// With the positives far apart, the middle of the plateau 0.35-0.90.
	for i := range s {
		if y[i] {
			s[i] = 0.9
		} else {
			s[i] = float64(i) / 200
		}
	}
	if got := bestThreshold(s, y, true); got != 0.63 {
		t.Errorf("threshold on a plateau = %v, want 0.63", got)
	}
	if got := bestThreshold(s[:10], y[:10], true); got != 0.5 {
		t.Errorf("threshold without positives = %v, want 0.5", got)
	}
}

func TestEvaluate(t *testing.T) {
	exs := synthetic()
	m := trainSmall(t)
	everyday := 0
	for i, e := range exs {
		if len(e.Labels) == 0 && !e.HardNegative {
			exs[i].Everyday = true
			if e.Split == SplitTest {
				everyday++
			}
		}
	}
	r, err := Evaluate(context.Background(), m, exs, SplitTest, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, e := range exs {
		if e.Split == SplitTest {
			n++
		}
	}
	if r.Examples != n || r.Model.Overall.N != n {
		t.Fatalf("report over %d examples, want %d", r.Examples, n)
	}
	for _, mt := range r.Model.Overall.Labels {
		if mt.TP+mt.FP+mt.FN+mt.TN != n || mt.TP+mt.FN != mt.Support {
			t.Errorf("%s: counts %+v do not add up to %d", mt.Label, mt, n)
		}
	}
	total := 0
	for _, row := range r.Model.Confusion.Counts {
		for _, c := range row {
			total += c
		}
	}
	if total != n {
		t.Errorf("confusion table holds %d examples, want %d", total, n)
	}
	if r.Model.HardNegatives.N != n/3 {
		t.Errorf("%d hard negatives, want %d", r.Model.HardNegatives.N, n/3)
	}
	if everyday == 0 || r.Model.Everyday.N != everyday || r.Baseline.Everyday.N != everyday {
		t.Errorf("%d and %d everyday posts counted, want %d (and more than none)", r.Model.Everyday.N, r.Baseline.Everyday.N, everyday)
	}
	if r.Model.Everyday.Flagged > r.Model.Everyday.N {
		t.Errorf("%d of %d everyday posts flagged", r.Model.Everyday.Flagged, r.Model.Everyday.N)
	}
	if r.Model.Overall.MacroF1 < r.Baseline.Overall.MacroF1 {
		t.Errorf("model macro-F1 %.2f below the keyword baseline %.2f on separable data", r.Model.Overall.MacroF1, r.Baseline.Overall.MacroF1)
	}
	if len(r.Model.Tradeoff[Propaganda]) != 9 {
		t.Errorf("trade-off has %d points, want 9", len(r.Model.Tradeoff[Propaganda]))
	}
	var text bytes.Buffer
	r.WriteText(&text)
	for _, want := range []string{"=== MODEL ===", "=== KEYWORD BASELINE ===", "Hard negatives", "Everyday benign posts", "Confusion", "Threshold trade-off", "Summary"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("report does not encode as JSON: %v", err)
	}
	if _, err := Evaluate(context.Background(), m, nil, SplitTest, 0, nil); err == nil {
		t.Error("Evaluate on no examples did not fail")
	}
}
