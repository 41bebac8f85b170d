package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/hashindex"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/textmodel"
	"github.com/marsad/marsad/ocr"
	"github.com/marsad/marsad/pdq"
	"github.com/marsad/marsad/vpdq"
)

// maxVideoFrames bounds the frames hashed from one video: an hour at one
// frame a second.
const maxVideoFrames = 3600

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
	a.pipeline.Hasher = pipeline.NewPDQHasher(pdq.Options{MaxPixels: f.maxPixels, OnFallback: func(reason string, err error) {
		a.metrics.JPEGFallback(reason)
		if reason == pdq.FallbackError {
			a.log.Debug("fast JPEG decoder failed; decoded exactly instead", "err", err.Error())
		}
	}})
	var th map[classifier.Label]float64
	if f.thresholds != "" {
		t, err := parseThresholds(f.thresholds)
		if err != nil {
			return fmt.Errorf("%w: --threshold: %v", errUsage, err)
		}
		th = t
	}
	// The --model file, else the store's active model, else the built-in one.
	svc, err := textmodel.NewService(ctx, a.store, f.model, th)
	if err != nil {
		return err
	}
	svc.Base, svc.Log = baseExamples(trainSpec(), trainData()), a.log
	a.models = svc
	a.pipeline.Scorer = pipeline.TextScorer{Live: svc.Live}
	a.background = append(a.background, func(ctx context.Context) { svc.Watch(ctx, time.Minute) })
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
	a.pipeline.VideoNear = ix
	// Video is hashed only when ffmpeg is installed; without it the rest
	// works and the server says so once here and in /healthz.
	if err := (vpdq.Options{}).Available(); err != nil {
		a.videoStatus = "unavailable: " + err.Error()
		a.log.Warn("video hashing (vPDQ) is off", "reason", err.Error())
	} else {
		a.videoStatus = "ok"
		a.pipeline.Video = &pipeline.VPDQHasher{Options: vpdq.Options{SecondsPerHash: -1, MaxFrames: maxVideoFrames}}
	}
	// Text on images is read only when Tesseract and its Arabic, English
	// and French data are installed; the same once-at-start warning.
	opts := ocr.Options{MaxPixels: f.maxPixels}
	if err := opts.Available(ctx); err != nil {
		a.ocrStatus = "unavailable: " + err.Error()
		a.log.Warn("text in images (OCR) is off", "reason", err.Error())
	} else {
		a.ocrStatus = "ok"
		a.pipeline.OCR = pipeline.TesseractReader{Options: opts}
		if a.pipeline.Video != nil { // ffmpeg is there: read text on videos too
			a.pipeline.Frames = pipeline.FFmpegFrames{}
		}
	}
	return nil
}
