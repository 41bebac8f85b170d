package textmodel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/marsad/marsad/classifier"
)

// DefaultCurveSizes are the numbers of simulated decisions LearningCurve
// adds by default.
var DefaultCurveSizes = []int{0, 100, 500, 2000}

// CurveOptions configure LearningCurve.
type CurveOptions struct {
	// Source names the labelled set that plays the unit's reviewers, or
	// several, comma-separated (a unit decides on propaganda and on news
	// alike). They are left out of training entirely; their train split is
	// the pool of simulated decisions and their test split the evaluation
	// set.
	Source string
	// Sizes are the numbers of simulated decisions to add (default
	// DefaultCurveSizes); each is capped at the pool's size.
	Sizes []int
	// Weight is the training weight of a simulated decision (default
	// DecisionWeight, as for real ones).
	Weight float64
	// Seed fixes the order in which decisions are taken from the pool.
	Seed  uint64
	Train classifier.TrainOptions
	// Progress, when set, is told of each training and measuring step.
	Progress func(size int, stage string, done, total int)
}

// CurvePoint is the model's figures after adding some decisions.
type CurvePoint struct {
	Requested int      `json:"requested"`
	Added     int      `json:"added"` // Requested capped at the pool size
	Figures   *Figures `json:"figures"`
}

// Curve is a simulated learning curve: how the figures on one source's
// held-out examples move as reviewers' decisions from it are added.
type Curve struct {
	Source string       `json:"source"`
	Pool   int          `json:"pool"`   // simulated decisions available
	Eval   int          `json:"eval"`   // held-out examples measured on
	Weight float64      `json:"weight"` // of each simulated decision
	Capped bool         `json:"capped"` // some size exceeded the pool
	Points []CurvePoint `json:"points"`
}

// Sources returns the names of the sources of examples, sorted.
func Sources(examples []classifier.Example) []string {
	var out []string
	for _, e := range examples {
		if !slices.Contains(out, e.Source) {
			out = append(out, e.Source)
		}
	}
	sort.Strings(out)
	return out
}

// LearningCurve simulates learning from decisions on a labelled set the
// model never trained on: it trains on every example except those of
// opts.Source, plus the first n of that source's train-split examples (in
// a seeded random order) for each n of opts.Sizes, and measures each model
// on the source's test split.
func LearningCurve(ctx context.Context, examples []classifier.Example, opts CurveOptions) (*Curve, error) {
	if opts.Weight <= 0 {
		opts.Weight = DecisionWeight
	}
	if len(opts.Sizes) == 0 {
		opts.Sizes = DefaultCurveSizes
	}
	var rest, pool, eval []classifier.Example
	srcs := strings.Split(opts.Source, ",")
	for _, e := range examples {
		switch {
		case !slices.Contains(srcs, e.Source):
			rest = append(rest, e)
		case e.Split == classifier.SplitTrain:
			pool = append(pool, e)
		case e.Split == classifier.SplitTest:
			eval = append(eval, e)
		}
	}
	if len(pool) == 0 && len(eval) == 0 {
		return nil, fmt.Errorf("learning curve: source %q has no examples (sources: %s)", opts.Source, strings.Join(Sources(examples), ", "))
	}
	if len(eval) == 0 {
		return nil, fmt.Errorf("learning curve: source %q has no test-split examples to measure on", opts.Source)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6c6561726e))
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	for i := range pool {
		pool[i].Weight = opts.Weight
	}
	c := &Curve{Source: opts.Source, Pool: len(pool), Eval: len(eval), Weight: opts.Weight}
	for _, n := range opts.Sizes {
		if n < 0 {
			return nil, fmt.Errorf("learning curve: size %d is negative", n)
		}
		added := min(n, len(pool))
		if added < n {
			c.Capped = true
		}
		train := make([]classifier.Example, 0, len(rest)+added)
		train = append(append(train, rest...), pool[:added]...)
		to := opts.Train
		if opts.Progress != nil {
			to.Progress = func(done, total int) { opts.Progress(n, "training", done, total) }
		}
		m, err := classifier.Train(ctx, train, to)
		if err != nil {
			return nil, fmt.Errorf("learning curve: train with %d decisions: %w", added, err)
		}
		var p func(string, int, int)
		if opts.Progress != nil {
			p = func(stage string, done, total int) { opts.Progress(n, stage, done, total) }
		}
		f, err := measure(ctx, m, eval, p)
		if err != nil {
			return nil, err
		}
		c.Points = append(c.Points, CurvePoint{Requested: n, Added: added, Figures: f})
	}
	return c, nil
}
