package textmodel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/textnorm"
)

// MinHeldBack is the number of held-back decisions below which the
// before/after figures are too noisy to choose a model by.
const MinHeldBack = 20

// ModelName is the classifier Info.Name of models trained from decisions.
const ModelName = "marsad-text-decisions"

// Options configure TrainFromDecisions.
type Options struct {
	// Name names the model in the registry (default: the number of
	// decisions and the date).
	Name string
	// Actor is who trains the model, for the registry and the audit log.
	Actor string
	// Before is the model in use, measured for comparison; nil means the
	// store's active model, or the built-in one when none is active.
	Before *classifier.Model
	// Train sets the features, epochs, learning rate and seed; Info.Name
	// defaults to ModelName and Progress to the one below.
	Train classifier.TrainOptions
	// Progress, when set, is told of each stage ("training", "measuring")
	// with the work done so far and the total.
	Progress func(stage string, done, total int)
}

// LabelFigures are one label's figures on the held-back decisions.
type LabelFigures struct {
	Label     classifier.Label `json:"label"`
	Support   int              `json:"support"`
	Precision float64          `json:"precision"`
	Recall    float64          `json:"recall"`
	F1        float64          `json:"f1"`
}

// Figures are a model's figures on a set of examples.
type Figures struct {
	Model string `json:"model"` // the model's Version
	N     int    `json:"n"`
	// MacroF1 averages F1 over the labels other than none that occur.
	MacroF1 float64        `json:"macro_f1"`
	Labels  []LabelFigures `json:"labels"`
	// HardNegatives counts posts reviewers called news or counter-speech,
	// and how many of them the model flagged.
	HardNegatives int `json:"hard_negatives"`
	HardFlagged   int `json:"hard_negatives_flagged"`
	// Harmful is the binary figure: any harmful label, gold against
	// flagged.
	Harmful LabelFigures `json:"harmful"`
}

// F1 returns the F1 of label l, and whether l occurs in the examples.
func (f *Figures) F1(l classifier.Label) (float64, bool) {
	for _, lf := range f.Labels {
		if lf.Label == l {
			return lf.F1, lf.Support > 0
		}
	}
	return 0, false
}

// Result is what TrainFromDecisions did.
type Result struct {
	ModelID int64  `json:"model_id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// Decisions counts the decision examples: trained on, held back, and
	// held back but left out because their text is also in training.
	Decisions int `json:"decisions"`
	Trained   int `json:"trained"`
	HeldBack  int `json:"held_back"`
	Dropped   int `json:"dropped"`
	// Before and After are the model in use and the new model on the
	// held-back decisions; nil when none are held back.
	Before *Figures `json:"before,omitempty"`
	After  *Figures `json:"after,omitempty"`
	// Unreliable says the held-back decisions are fewer than MinHeldBack.
	Unreliable   bool    `json:"unreliable"`
	TrainSeconds float64 `json:"train_seconds"`
}

// Warning explains why the figures cannot be trusted, or is "".
func (r *Result) Warning() string {
	if !r.Unreliable {
		return ""
	}
	return fmt.Sprintf("only %d held-back decisions (fewer than %d): the before/after figures are unreliable", r.HeldBack, MinHeldBack)
}

// ErrNoDecisions means there is nothing to learn from yet.
var ErrNoDecisions = errors.New("no decided posts to learn from")

// TrainFromDecisions trains a model on base (the built-in training
// examples) and the training part of the store's decision examples,
// measures the model in use and the new model on the held-back decisions,
// and saves the new model in the store, inactive, with its figures.
func TrainFromDecisions(ctx context.Context, st *store.Store, base []classifier.Example, opts Options) (*Result, error) {
	decs, err := Examples(ctx, st)
	if err != nil {
		return nil, err
	}
	var train, held []classifier.Example
	for _, e := range decs {
		if e.Split == classifier.SplitTest {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	if len(train) == 0 {
		return nil, fmt.Errorf("train from decisions: %w (%d decided posts, all held back)", ErrNoDecisions, len(decs))
	}
	all := make([]classifier.Example, 0, len(base)+len(train))
	for _, e := range base {
		if e.Split != classifier.SplitTest { // the built-in test split is measured by marsad eval
			all = append(all, e)
		}
	}
	all = append(all, train...)
	// No figure is measured on text the model trained on.
	seen := map[string]bool{}
	for _, e := range all {
		if e.Split == classifier.SplitTrain {
			seen[textnorm.Normalize(e.Text)] = true
		}
	}
	kept := held[:0]
	dropped := 0
	for _, e := range held {
		if seen[textnorm.Normalize(e.Text)] {
			dropped++
			continue
		}
		kept = append(kept, e)
	}
	held = kept

	before := opts.Before
	if before == nil {
		if before, err = ActiveModel(ctx, st); err != nil {
			return nil, err
		}
	}
	to := opts.Train
	if to.Info.Name == "" {
		to.Info.Name = ModelName
	}
	if to.Info.TrainedAt == "" {
		to.Info.TrainedAt = time.Now().UTC().Format(time.DateOnly)
	}
	if opts.Progress != nil && to.Progress == nil {
		to.Progress = func(done, total int) { opts.Progress("training", done, total) }
	}
	m, err := classifier.Train(ctx, all, to)
	if err != nil {
		return nil, fmt.Errorf("train from decisions: %w", err)
	}
	// Measure and keep the model as it will be read back: the file
	// quantises the weights, and its bytes name the version.
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("train from decisions: %w", err)
	}
	if m, err = classifier.Decode(buf.Bytes()); err != nil {
		return nil, fmt.Errorf("train from decisions: read back the model: %w", err)
	}
	r := &Result{
		Name: opts.Name, Version: m.Version(), Decisions: len(decs), Trained: len(train), HeldBack: len(held), Dropped: dropped,
		Unreliable: len(held) < MinHeldBack, TrainSeconds: m.Info().TrainSeconds,
	}
	if r.Name == "" {
		r.Name = fmt.Sprintf("%d decisions, %s", len(decs), to.Info.TrainedAt)
	}
	if len(held) > 0 {
		if r.Before, err = measure(ctx, before, held, opts.Progress); err != nil {
			return nil, err
		}
		if r.After, err = measure(ctx, m, held, opts.Progress); err != nil {
			return nil, err
		}
	}
	report, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("train from decisions: report: %w", err)
	}
	tm := &store.TextModel{Name: r.Name, Version: r.Version, CreatedBy: opts.Actor, Model: buf.Bytes(), Report: string(report), Decisions: len(train)}
	if err := st.SaveTextModel(ctx, tm); err != nil {
		return nil, err
	}
	r.ModelID = tm.ID
	return r, nil
}

// measure returns m's figures on the held-back decision examples.
func measure(ctx context.Context, m *classifier.Model, held []classifier.Example, progress func(string, int, int)) (*Figures, error) {
	var p func(done, total int)
	if progress != nil {
		p = func(done, total int) { progress("measuring", done, total) }
	}
	rep, err := classifier.Evaluate(ctx, m, held, classifier.SplitTest, 0, p)
	if err != nil {
		return nil, fmt.Errorf("measure %s on held-back decisions: %w", m.Version(), err)
	}
	return figuresOf(rep), nil
}

func figuresOf(rep *classifier.Report) *Figures {
	t := rep.Model.Overall
	f := &Figures{Model: rep.Version, N: t.N, MacroF1: t.MacroF1,
		HardNegatives: rep.Model.HardNegatives.N, HardFlagged: rep.Model.HardNegatives.Flagged,
		Harmful: LabelFigures{Label: "harmful", Support: t.Harmful.Support, Precision: t.Harmful.Precision, Recall: t.Harmful.Recall, F1: t.Harmful.F1}}
	for _, m := range t.Labels {
		f.Labels = append(f.Labels, LabelFigures{Label: m.Label, Support: m.Support, Precision: m.Precision, Recall: m.Recall, F1: m.F1})
	}
	return f
}

// ActiveModel returns the store's active model, or the built-in model
// when none is active.
func ActiveModel(ctx context.Context, st *store.Store) (*classifier.Model, error) {
	tm, err := st.ActiveTextModel(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return classifier.Default()
	}
	if err != nil {
		return nil, err
	}
	return decode(tm)
}

func decode(tm *store.TextModel) (*classifier.Model, error) {
	m, err := classifier.Decode(tm.Model)
	if err != nil {
		return nil, fmt.Errorf("text model %d (%s): %w", tm.ID, tm.Name, err)
	}
	return m, nil
}

// ReadReport parses a stored model's report; a model saved without one
// gives an empty Result.
func ReadReport(tm store.TextModel) (*Result, error) {
	var r Result
	if tm.Report == "" {
		return &r, nil
	}
	if err := json.Unmarshal([]byte(tm.Report), &r); err != nil {
		return nil, fmt.Errorf("text model %d: report: %w", tm.ID, err)
	}
	r.ModelID = tm.ID
	return &r, nil
}
