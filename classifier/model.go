// Package classifier scores text for terrorist content: incitement,
// recruitment, financing, propaganda and attack planning, and the protective
// labels news_reporting and counter_speech, each with the n-grams that
// contributed most as the explanation.
//
// The model is fastText-style: hashed word unigrams and bigrams and
// character 3- to 5-grams of the normalised text (package textnorm), a
// linear one-vs-rest logistic layer per label, scores calibrated on held-out
// data (Platt scaling) and a threshold per label. Financing is also scored by
// explainable rules (payment appeals, wallet-address shapes, fundraising
// formulas) because no public labelled financing corpus exists. Training,
// scoring and evaluation run in Go with no service to call.
package classifier

import (
	_ "embed"
	"fmt"
	"math"
	"sync"

	"github.com/marsad/marsad/langid"
	"github.com/marsad/marsad/textnorm"
)

//go:embed default.model
var defaultModel []byte

// DefaultModelName names the embedded model in scores and reports.
const DefaultModelName = "marsad-text-default"

// Default loads the embedded default model (see MODEL_CARD.md). Each call
// decodes it anew; keep the result, which is safe for concurrent use.
func Default() (*Model, error) {
	m, err := Decode(defaultModel)
	if err != nil {
		return nil, fmt.Errorf("classifier: embedded model: %w", err)
	}
	return m, nil
}

// Info describes how a model was made. It is stored in the model file.
type Info struct {
	Name         string         `json:"name"`
	TrainedAt    string         `json:"trained_at"`
	Spec         string         `json:"spec,omitempty"`
	SpecSHA256   string         `json:"spec_sha256,omitempty"`
	Seed         uint64         `json:"seed"`
	Epochs       int            `json:"epochs"`
	TrainSeconds float64        `json:"train_seconds"`
	Examples     map[string]int `json:"examples,omitempty"` // per split
	// WeakExamples is how many training examples had weak labels, and
	// WeakMeanWeight the mean share of their weight that the first
	// model's agreement left them (see Train).
	WeakExamples   int     `json:"weak_examples,omitempty"`
	WeakMeanWeight float64 `json:"weak_mean_weight,omitempty"`
}

// Model is a trained classifier. It is safe for concurrent use.
type Model struct {
	cfg FeatureConfig
	// w holds the weights bucket-major: the NumLabels weights of one bucket
	// are adjacent, so one feature costs one cache line.
	w    []float32
	bias [NumLabels]float32
	// platt holds, per script of the text, calibrated p = sigmoid(a*z + b).
	platt      [numScripts][NumLabels][2]float32
	thresholds [NumLabels]float64
	info       Info
	version    string

	lid   *langid.Model
	rules *financingRules
	pool  *sync.Pool
}

func newModel(cfg FeatureConfig, info Info) (*Model, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	lid, err := langid.Default()
	if err != nil {
		return nil, err
	}
	m := &Model{
		cfg:   cfg,
		w:     make([]float32, (1<<cfg.Bits)*NumLabels),
		info:  info,
		lid:   lid,
		rules: newFinancingRules(),
		pool:  &sync.Pool{New: func() any { return new(extractor) }},
	}
	for i := range m.thresholds {
		for sc := range m.platt {
			m.platt[sc][i] = [2]float32{1, 0}
		}
		m.thresholds[i] = 0.5
	}
	return m, nil
}

// Info returns how the model was made.
func (m *Model) Info() Info { return m.info }

// Version names the model and its exact weights: the model name and the
// first 12 hex digits of the SHA-256 of its file ("unsaved" for a model
// not read from a file). Record it with every score so that a re-scored
// post says which model scored it.
func (m *Model) Version() string {
	v := m.version
	if v == "" {
		v = "unsaved"
	}
	name := m.info.Name
	if name == "" {
		name = "model"
	}
	return name + "-" + v
}

// Features returns the model's feature configuration.
func (m *Model) Features() FeatureConfig { return m.cfg }

// Thresholds returns the threshold of each label, in the order of Labels.
func (m *Model) Thresholds() map[Label]float64 {
	out := make(map[Label]float64, NumLabels)
	for i, l := range Labels {
		out[l] = m.thresholds[i]
	}
	return out
}

// WithThresholds returns a model that shares m's weights and uses the given
// thresholds for the labels named; the others keep theirs.
func (m *Model) WithThresholds(t map[Label]float64) (*Model, error) {
	c := *m
	for l, v := range t {
		i := l.Index()
		if i < 0 {
			return nil, fmt.Errorf("threshold for unknown label %q", l)
		}
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("threshold %v for %s: want 0..1", v, l)
		}
		c.thresholds[i] = v
	}
	return &c, nil
}

// Result is the verdict on one text.
type Result struct {
	// Lang is the identified language (ISO 639-1, or "und").
	Lang string `json:"lang"`
	// Scores holds one score per label, in the order of Labels.
	Scores [NumLabels]Score `json:"scores"`
}

// Score is one label's calibrated score.
type Score struct {
	Label     Label   `json:"label"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	// Evidence lists the features that pushed the score up most.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Over reports whether the score reaches the label's threshold.
func (s Score) Over() bool { return s.Score >= s.Threshold }

// Evidence is one contributing feature: a word (with its character
// n-grams) or a word pair of the normalised text with its weight in the
// label's logit, or a rule hit.
type Evidence struct {
	Feature string  `json:"feature"`
	Kind    string  `json:"kind"` // word, bigram, emoji or rule:...
	Weight  float64 `json:"weight"`
}

// Flagged returns the harmful labels whose score reaches the threshold.
func (r *Result) Flagged() []Label {
	out := []Label{}
	for _, s := range r.Scores {
		if s.Label.Harmful() && s.Over() {
			out = append(out, s.Label)
		}
	}
	return out
}

// Get returns the score of label l.
func (r *Result) Get(l Label) Score {
	if i := l.Index(); i >= 0 {
		return r.Scores[i]
	}
	return Score{Label: l}
}

// TopEvidence is how many features explain each label's score.
const TopEvidence = 5

// Classify scores text for every label.
func (m *Model) Classify(text string) Result {
	x := m.pool.Get().(*extractor)
	defer m.pool.Put(x)
	x.extract(text, m.cfg)
	z := m.contributions(x)
	var hitBuf [8]ruleHit
	p, rs, hits := m.score(x, z, text, hitBuf[:0])

	var r Result
	r.Lang = m.lid.Identify(text)
	norm := string(x.norm.Bytes())
	evidence := make([]Evidence, 0, NumLabels*TopEvidence+len(hits))
	for li, l := range Labels {
		s := &r.Scores[li]
		s.Label = l
		s.Threshold = m.thresholds[li]
		s.Score = p[li]
		start := len(evidence)
		if l == Financing {
			// Rule hits are evidence whether or not they decided the score.
			for _, h := range hits {
				e := Evidence{Kind: ruleKindNames[h.kind], Weight: rs}
				if h.phrase < 0 {
					e.Feature, e.Kind = text[h.start:h.end], "rule:wallet"
				} else {
					e.Feature = norm[h.start:h.end]
				}
				evidence = append(evidence, e)
			}
		}
		evidence = topFeatures(evidence, x, li, norm)
		s.Evidence = evidence[start:len(evidence):len(evidence)]
	}
	return r
}

// score returns the final score of every label for the text last extracted
// into x, whose logits are z, the financing rule score, and the rule hits appended to hits.
//
// Harmful scores are coupled with the protective ones: the annotation guide
// makes "reports on or argues against terrorism" and "promotes terrorism"
// exclusive, so with p the harmful label's probability and q the higher of
// news_reporting and counter_speech, the harmful score is the probability
// of the harmful label alone, p(1-q) / (1 - pq). A confident news reading
// thus lowers a propaganda score that the shared vocabulary raised.
func (m *Model) score(x *extractor, z [NumLabels]float32, text string, hits []ruleHit) (p [NumLabels]float64, rs float64, _ []ruleHit) {
	pl := &m.platt[x.script]
	for li := range p {
		p[li] = sigmoid(float64(pl[li][0])*float64(z[li]) + float64(pl[li][1]))
	}
	ni, ci := NewsReporting.Index(), CounterSpeech.Index()
	q := math.Max(p[ni], p[ci])
	for li, l := range Labels {
		if l.Harmful() && q > 0 {
			p[li] = exclusive(p[li], q)
		}
	}
	rs, hits = m.rules.score(text, x.norm.Bytes(), x.toks, hits)
	if rs > 0 {
		if p[ni] >= m.thresholds[ni] || p[ci] >= m.thresholds[ci] {
			rs *= ruleProtectiveDamp
		}
		fi := Financing.Index()
		p[fi] = math.Max(p[fi], rs)
	}
	return p, rs, hits
}

// exclusive is the probability of the first of two exclusive events whose
// separate probabilities are p and q: p(1-q) / (1-pq).
func exclusive(p, q float64) float64 {
	d := 1 - p*q
	if d <= 0 {
		return 0
	}
	return p * (1 - q) / d
}

// featScale is the weight of one feature occurrence: features are averaged
// by the square root of their count, so long and short posts score alike.
func featScale(n int) float32 {
	if n == 0 {
		return 0
	}
	return float32(1 / math.Sqrt(float64(n)))
}

// logits returns the raw (uncalibrated) score of each label.
func (m *Model) logits(feats []feature) [NumLabels]float32 {
	z := m.bias
	scale := featScale(len(feats))
	var acc [NumLabels]float32
	w := m.w
	for _, f := range feats {
		row := w[int(f.bucket)*NumLabels : int(f.bucket)*NumLabels+NumLabels : int(f.bucket)*NumLabels+NumLabels]
		acc[0] += row[0]
		acc[1] += row[1]
		acc[2] += row[2]
		acc[3] += row[3]
		acc[4] += row[4]
		acc[5] += row[5]
		acc[6] += row[6]
		acc[7] += row[7]
	}
	for i := range z {
		z[i] += acc[i] * scale
	}
	return z
}

// contributions computes, in one pass over the features of the text last
// extracted into x, each token's and each word pair's contribution to every
// label's logit, and returns the logits. A token's contribution is its own
// weight plus those of its character n-grams, so explanations name whole
// words rather than fragments.
func (m *Model) contributions(x *extractor) [NumLabels]float32 {
	scale := featScale(len(x.feats))
	need := len(x.toks) * NumLabels
	if cap(x.contrib) < need {
		x.contrib = make([]float32, need)
	}
	x.contrib = x.contrib[:need]
	clear(x.contrib)
	x.pairs = x.pairs[:0]
	var total [NumLabels]float32
	for _, f := range x.feats {
		b := int(f.bucket) * NumLabels
		row := (*[NumLabels]float32)(m.w[b : b+NumLabels])
		if f.kind == fBigram {
			pc := pairContrib{start: f.start, end: f.end, tok: f.tok}
			for li := range pc.c {
				pc.c[li] = row[li] * scale
				total[li] += pc.c[li]
			}
			x.pairs = append(x.pairs, pc)
			continue
		}
		c := (*[NumLabels]float32)(x.contrib[int(f.tok)*NumLabels : int(f.tok)*NumLabels+NumLabels])
		for li := range c {
			v := row[li] * scale
			c[li] += v
			total[li] += v
		}
	}
	z := m.bias
	for li := range z {
		z[li] += total[li]
	}
	return z
}

// topFeatures appends the TopEvidence words or word pairs with the largest
// positive contribution to label li, largest first, distinct by text.
func topFeatures(dst []Evidence, x *extractor, li int, norm string) []Evidence {
	type cand struct {
		start, end int32
		kind       featKind
		c          float32
	}
	var top [TopEvidence]cand
	n := 0
	push := func(k cand) {
		if k.c <= 0 || n == TopEvidence && k.c <= top[n-1].c {
			return
		}
		for j := 0; j < n; j++ {
			if norm[top[j].start:top[j].end] == norm[k.start:k.end] {
				return // the same word elsewhere in the text
			}
		}
		j := n
		if n < TopEvidence {
			n++
		} else {
			j = n - 1
		}
		for j > 0 && top[j-1].c < k.c {
			top[j] = top[j-1]
			j--
		}
		top[j] = k
	}
	for i, t := range x.toks {
		if x.stop[i] {
			continue
		}
		kind := fWord
		if t.Kind == textnorm.Emoji {
			kind = fEmoji
		}
		push(cand{t.Start, t.End, kind, x.contrib[i*NumLabels+li]})
	}
	for _, p := range x.pairs {
		if x.stop[p.tok-1] || x.stop[p.tok] {
			continue // a pair with a stop word reads as the stop word
		}
		push(cand{p.start, p.end, fBigram, p.c[li]})
	}
	for _, t := range top[:n] {
		dst = append(dst, Evidence{Feature: norm[t.start:t.end], Kind: featKindNames[t.kind], Weight: float64(t.c)})
	}
	return dst
}

func sigmoid(x float64) float64 {
	if x < -40 {
		return 0
	}
	return 1 / (1 + math.Exp(-x))
}

// rawScores returns the final scores without explanations; evaluation
// and calibration use it.
func (m *Model) rawScores(x *extractor, text string) [NumLabels]float64 {
	x.extract(text, m.cfg)
	p, _, _ := m.score(x, m.logits(x.feats), text, nil)
	return p
}
