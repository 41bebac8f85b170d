package textmodel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
)

// ErrBusy means a training is already running.
var ErrBusy = errors.New("a training is already running")

// Service keeps a running marsad's live text model in step with the
// store's registry, and trains models from decisions in the background,
// one at a time.
type Service struct {
	st *store.Store
	// Live is the model the pipeline scores with (pipeline.TextScorer.Live).
	Live *pipeline.LiveModel
	// Base loads the built-in training examples; training fails without it.
	Base func(ctx context.Context) ([]classifier.Example, error)
	// Train sets the training options of background trainings.
	Train classifier.TrainOptions
	// Log receives background errors; nil discards them.
	Log *slog.Logger

	pinned     string
	thresholds map[classifier.Label]float64

	mu       sync.Mutex
	activeID int64 // the registry model in Live; 0 for the built-in model
	job      *Job
}

// NewService returns a Service whose live model is the model file pinned
// (the operator's --model, which takes precedence), else the store's
// active model, else the built-in one. thresholds, when set, override the
// thresholds of every model the service puts live.
func NewService(ctx context.Context, st *store.Store, pinned string, thresholds map[classifier.Label]float64) (*Service, error) {
	s := &Service{st: st, pinned: pinned, thresholds: thresholds}
	var m *classifier.Model
	var err error
	if pinned != "" {
		m, err = classifier.ReadFile(pinned)
	} else {
		var tm *store.TextModel
		tm, err = st.ActiveTextModel(ctx)
		switch {
		case errors.Is(err, store.ErrNotFound):
			m, err = classifier.Default()
		case err == nil:
			s.activeID = tm.ID
			m, err = decode(tm)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("text model: %w", err)
	}
	if m, err = s.withThresholds(m); err != nil {
		return nil, err
	}
	s.Live = pipeline.NewLiveModel(m)
	return s, nil
}

func (s *Service) withThresholds(m *classifier.Model) (*classifier.Model, error) {
	if len(s.thresholds) == 0 {
		return m, nil
	}
	t, err := m.WithThresholds(s.thresholds)
	if err != nil {
		return nil, fmt.Errorf("text model %s: thresholds: %w", m.Version(), err)
	}
	return t, nil
}

// Pinned returns the model file given with --model, or "".
func (s *Service) Pinned() string { return s.pinned }

// ActiveID returns the id of the registry model in use, or 0 for the
// built-in model (or a pinned file).
func (s *Service) ActiveID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.activeID
}

// Activate makes stored model id the one in use, at once for every later
// post. With a pinned model file the choice is recorded for the next
// start without a file, and the pinned model stays in use.
func (s *Service) Activate(ctx context.Context, id int64, actor string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := Activate(ctx, s.st, id, actor)
	if err != nil {
		return err
	}
	return s.put(m, id)
}

// UseBuiltIn goes back to the built-in model.
func (s *Service) UseBuiltIn(ctx context.Context, actor string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := UseBuiltIn(ctx, s.st, actor)
	if err != nil {
		return err
	}
	return s.put(m, 0)
}

// put makes m, registry model id (0: built-in), the live model unless a
// model file is pinned. s.mu is held.
func (s *Service) put(m *classifier.Model, id int64) error {
	if s.pinned != "" {
		return nil
	}
	m, err := s.withThresholds(m)
	if err != nil {
		return err
	}
	s.Live.Set(m)
	s.activeID = id
	return nil
}

// Activate checks that stored model id can be read and makes it the
// store's active model, for this process and every other on the same
// database (they pick it up with Sync). It returns the model.
func Activate(ctx context.Context, st *store.Store, id int64, actor string) (*classifier.Model, error) {
	tm, err := st.TextModel(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := decode(tm)
	if err != nil {
		return nil, err
	}
	if err := st.ActivateTextModel(ctx, id, actor); err != nil {
		return nil, err
	}
	return m, nil
}

// UseBuiltIn makes no stored model active, so the built-in model is used,
// and returns the built-in model.
func UseBuiltIn(ctx context.Context, st *store.Store, actor string) (*classifier.Model, error) {
	m, err := classifier.Default()
	if err != nil {
		return nil, err
	}
	if err := st.DeactivateTextModels(ctx, actor); err != nil {
		return nil, err
	}
	return m, nil
}

// Sync puts the store's active model live if another process (the CLI,
// another server on the same database) changed it.
func (s *Service) Sync(ctx context.Context) error {
	if s.pinned != "" {
		return nil
	}
	id, err := s.st.ActiveTextModelID(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == s.activeID {
		return nil
	}
	m, err := ActiveModel(ctx, s.st)
	if err != nil {
		return err
	}
	return s.put(m, id)
}

// Watch calls Sync every interval until ctx ends.
func (s *Service) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
				s.logger().Error("text model: sync with the store", "err", err)
			}
		}
	}
}

func (s *Service) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Job is a training from decisions started in the background.
type Job struct {
	By       string
	Started  time.Time
	Finished time.Time // zero while running
	Stage    string    // training or measuring
	Done     int
	Total    int
	Result   *Result
	Err      string
}

// Running reports whether the job has not finished.
func (j *Job) Running() bool { return j.Finished.IsZero() }

// Job returns a copy of the latest training job, or nil if none ran since
// the service started.
func (s *Service) Job() *Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job == nil {
		return nil
	}
	j := *s.job
	return &j
}

// StartTraining trains a model from decisions in the background and saves
// it, inactive. ctx bounds the training, so pass one that outlives the
// request. Only one training runs at a time (ErrBusy).
func (s *Service) StartTraining(ctx context.Context, actor string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job != nil && s.job.Running() {
		return fmt.Errorf("%w (started by %s at %s)", ErrBusy, s.job.By, s.job.Started.Format(time.RFC3339))
	}
	s.job = &Job{By: actor, Started: time.Now().UTC(), Stage: "loading"}
	go s.runJob(ctx, s.job, actor)
	return nil
}

func (s *Service) runJob(ctx context.Context, j *Job, actor string) {
	r, err := s.train(ctx, j, actor)
	s.mu.Lock()
	defer s.mu.Unlock()
	j.Finished, j.Result = time.Now().UTC(), r
	if err != nil {
		j.Err = err.Error()
		s.logger().Error("train from decisions", "by", actor, "err", err)
	}
}

func (s *Service) train(ctx context.Context, j *Job, actor string) (*Result, error) {
	if s.Base == nil {
		return nil, errors.New("train from decisions: no built-in training data configured")
	}
	base, err := s.Base(ctx)
	if err != nil {
		return nil, fmt.Errorf("built-in training data: %w", err)
	}
	return TrainFromDecisions(ctx, s.st, base, Options{
		Actor: actor, Before: s.Live.Model(), Train: s.Train,
		Progress: func(stage string, done, total int) {
			s.mu.Lock()
			j.Stage, j.Done, j.Total = stage, done, total
			s.mu.Unlock()
		},
	})
}
