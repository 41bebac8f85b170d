package cli

import (
	"context"
	"fmt"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/hashindex"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/pdq"
)

// stageFlags choose the optional pipeline stages.
type stageFlags struct {
	model      string
	thresholds string
	maxPixels  int64
	radius     int
}

func (f *stageFlags) register(fsx interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
	Int64Var(*int64, string, int64, string)
}) {
	fsx.StringVar(&f.model, "model", envOr("MARSAD_MODEL", ""), "text model file (env MARSAD_MODEL; default: the built-in model)")
	fsx.StringVar(&f.thresholds, "threshold", envOr("MARSAD_THRESHOLDS", ""), "per-label score thresholds that open a case, e.g. `propaganda=0.3,incitement=0.2` (env MARSAD_THRESHOLDS; default: the model's)")
	fsx.Int64Var(&f.maxPixels, "max-pixels", pdq.DefaultMaxPixels, "largest image, in pixels, that is decoded for hashing")
	fsx.IntVar(&f.radius, "radius", hashindex.DefaultRadius, "PDQ match distance")
}

// plugStages connects perceptual hashing, the PDQ index and the text
// classifier to the pipeline.
func plugStages(ctx context.Context, a *app, f stageFlags) error {
	a.pipeline.Hasher = pipeline.NewPDQHasher(pdq.Options{MaxPixels: f.maxPixels})
	var m *classifier.Model
	var err error
	if f.model != "" {
		m, err = classifier.ReadFile(f.model)
	} else {
		m, err = classifier.Default()
	}
	if err != nil {
		return fmt.Errorf("text model: %w", err)
	}
	if f.thresholds != "" {
		t, err := parseThresholds(f.thresholds)
		if err != nil {
			return fmt.Errorf("%w: --threshold: %v", errUsage, err)
		}
		if m, err = m.WithThresholds(t); err != nil {
			return fmt.Errorf("%w: --threshold: %v", errUsage, err)
		}
	}
	a.pipeline.Scorer = pipeline.TextScorer{Model: m}
	n, err := a.store.CountEntries(ctx, model.SignalPDQ)
	if err != nil {
		return err
	}
	bar := progress(a.progressTo, n, "PDQ index")
	ix, err := hashindex.Load(ctx, a.store, f.radius, func(loaded int) { bar.Set(loaded) })
	bar.Finish()
	if err != nil {
		return err
	}
	a.index = ix
	a.pipeline.Near = ix
	return nil
}
