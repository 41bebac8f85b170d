package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marsad/marsad/internal/metrics"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
)

// DefaultInterval is the time between polls of a source added without one.
const DefaultInterval = 15 * time.Minute

// MinInterval is the shortest interval a source may be given.
const MinInterval = 10 * time.Second

// ErrInvalid marks a source refused for what it says (kind, name, config).
var ErrInvalid = errors.New("invalid source")

// Service holds the rules of sources, for the CLI, the UI and the server.
type Service struct {
	Store    *store.Store
	Pipeline *pipeline.Pipeline
	Env      Env
	Metrics  *metrics.Metrics
	Log      *slog.Logger
	// Kinds maps a kind's name to it; nil means DefaultKinds.
	Kinds map[string]Kind
	// MinBackoff is the wait after a first failure (30 seconds if zero);
	// Reload how often Run re-reads the sources (5 seconds if zero).
	MinBackoff, Reload time.Duration
}

func (s *Service) kinds() map[string]Kind {
	if s.Kinds != nil {
		return s.Kinds
	}
	return DefaultKinds()
}

func (s *Service) now() time.Time {
	if s.Env.Now != nil {
		return s.Env.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

var validName = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$`)

// Add checks and stores a new source. A source refused for what it says
// is a *FieldError naming the field (kind, name, interval or config).
func (s *Service) Add(ctx context.Context, src *model.Source) error {
	k, ok := s.kinds()[src.Kind]
	if !ok {
		return fieldErr("kind", "source_kind", "%q is not one of %s", src.Kind, strings.Join(KindNames(s.kinds()), ", "))
	}
	if !validName.MatchString(src.Name) {
		return fieldErr("name", "source_name", "%q: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", src.Name)
	}
	if len(src.Config) == 0 {
		src.Config = json.RawMessage(`{}`)
	}
	if !json.Valid(src.Config) {
		return &FieldError{Field: "config", Code: "source_config", Msg: fmt.Sprintf("config of %q is not JSON", src.Name)}
	}
	if err := k.Check(src.Config); err != nil {
		return &FieldError{Field: "config", Code: "source_config", Msg: fmt.Sprintf("config of %q: %v", src.Name, err)}
	}
	if src.Interval == 0 {
		src.Interval = DefaultInterval
	}
	if src.Interval < MinInterval {
		return fieldErr("interval", "source_interval_short", "%s is shorter than %s", FormatInterval(src.Interval), FormatInterval(MinInterval))
	}
	if err := s.Store.AddSource(ctx, src); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("source %q: %w", src.Name, store.ErrExists)
		}
		return err
	}
	return nil
}

// Pause stops polling a source until Resume.
func (s *Service) Pause(ctx context.Context, name string) error { return s.setPaused(ctx, name, true) }

// Resume polls a paused source again.
func (s *Service) Resume(ctx context.Context, name string) error {
	return s.setPaused(ctx, name, false)
}

func (s *Service) setPaused(ctx context.Context, name string, p bool) error {
	src, err := s.Store.SourceByName(ctx, name)
	if err != nil {
		return err
	}
	return s.Store.PauseSource(ctx, src.ID, p)
}

// Remove deletes a source; what it collected stays.
func (s *Service) Remove(ctx context.Context, name string) error {
	src, err := s.Store.SourceByName(ctx, name)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteSource(ctx, src.ID); err != nil {
		return err
	}
	s.Metrics.SourceRemoved(src.Name)
	return nil
}

// Result is what one poll did.
type Result struct {
	Fetched, Created, Refused int
	More                      bool
	Problems                  []string
	// Skipped counts by reason the items passed over, the refused
	// included (SkipRefused).
	Skipped map[string]int
}

// collector makes the collector of src.
func (s *Service) collector(src model.Source) (any, error) {
	k, ok := s.kinds()[src.Kind]
	if !ok {
		return nil, fmt.Errorf("kind %q is unknown", src.Kind)
	}
	return k.New(src, s.Env)
}

// PollOnce polls a source once, stores what it found, then its cursor,
// and records its health.
func (s *Service) PollOnce(ctx context.Context, id int64) (Result, error) {
	src, err := s.Store.Source(ctx, id)
	if err != nil {
		return Result{}, err
	}
	c, err := s.collector(*src)
	if err != nil {
		return Result{}, s.failed(ctx, src, err)
	}
	p, ok := c.(Poller)
	if !ok {
		return Result{}, fmt.Errorf("source %q is a stream; it runs only in the server", src.Name)
	}
	page, err := p.Poll(ctx, src.Cursor)
	if err != nil {
		return Result{}, s.failed(ctx, src, err)
	}
	res, err := s.save(ctx, src, page.Posts, page.Cursor, page.Problems, page.Skipped)
	res.More = page.More
	if err != nil {
		return res, s.failed(ctx, src, err)
	}
	return res, nil
}

// save ingests posts through the pipeline with their provenance, then
// stores the cursor and the health: problems, and the items skipped by
// reason, with the posts the pipeline refused. A fault of the database
// keeps the old cursor, so the same posts are read again and the ones
// already stored are skipped.
func (s *Service) save(ctx context.Context, src *model.Source, posts []*model.Post, cursor string, problems []string, skipped map[string]int) (Result, error) {
	now := s.now().UTC()
	for _, p := range posts {
		if p.Provenance == nil {
			p.Provenance = &model.Provenance{FetchedAt: now}
		}
		p.Provenance.Source = src.ID
	}
	res := Result{Fetched: len(posts), Problems: slices.Clone(problems), Skipped: maps.Clone(skipped)}
	if len(posts) > 0 {
		rep, err := s.Pipeline.IngestPosts(ctx, posts, pipeline.IngestOptions{Actor: "source:" + src.Name})
		res.Created, res.Refused = rep.Created, len(rep.Errors)
		if err != nil {
			return res, fmt.Errorf("store posts: %w", err)
		}
		for _, e := range rep.Errors {
			if store.Transient(e.Err) || errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
				return res, fmt.Errorf("store posts: %w", e)
			}
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		// The cursor moves past a refused post, so it is counted once.
		for _, e := range rep.Errors {
			msg := e.Error()
			if e.Item >= 1 && e.Item <= len(posts) {
				why := e.Err.Error()
				if e.Field != "" {
					why = e.Field + ": " + why
				}
				msg = fmt.Sprintf("post %s refused: %s", posts[e.Item-1].SourceID, why)
			}
			res.Problems = append(res.Problems, msg)
		}
		if res.Refused > 0 {
			if res.Skipped == nil {
				res.Skipped = map[string]int{}
			}
			res.Skipped[SkipRefused] += res.Refused
		}
	}
	problem := strings.Join(res.Problems, "; ")
	if err := s.Store.SourceDone(context.WithoutCancel(ctx), src.ID, cursor, int64(res.Created), problem, res.Skipped, now); err != nil {
		return res, err
	}
	s.Metrics.SourcePolled(src.Name, res.Created, true, now)
	return res, nil
}

func (s *Service) failed(ctx context.Context, src *model.Source, err error) error {
	err = fmt.Errorf("source %q: %w", src.Name, err)
	if errors.Is(err, context.Canceled) {
		return err
	}
	// The full error, with its addresses, is for the server log; pages
	// show its reason (ReasonOf).
	s.log().Warn("source failed", "name", src.Name, "kind", src.Kind, "err", err)
	now := s.now()
	if _, ferr := s.Store.SourceFailed(context.WithoutCancel(ctx), src.ID, err.Error(), now); ferr != nil {
		s.log().Error("source", "name", src.Name, "err", ferr)
	}
	s.Metrics.SourcePolled(src.Name, 0, false, now)
	return err
}

// Saver returns the Saver a Streamer of src is given.
func (s *Service) Saver(src *model.Source) Saver {
	return func(ctx context.Context, posts []*model.Post, cursor string) error {
		_, err := s.save(ctx, src, posts, cursor, nil, nil)
		return err
	}
}

// Backoff is the wait after the n-th failure in a row of a source polled
// every interval: doubling from first, at most 8 intervals or 6 hours, with
// ±20% jitter.
func Backoff(n int, first, interval time.Duration) time.Duration {
	d := first
	limit := max(first, min(8*interval, 6*time.Hour))
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Run polls every unpaused source on its own schedule until ctx ends,
// picking up sources added, paused, resumed, changed or removed.
func (s *Service) Run(ctx context.Context) {
	reload := s.Reload
	if reload <= 0 {
		reload = 5 * time.Second
	}
	type running struct {
		stop context.CancelFunc
		key  string
	}
	var wg sync.WaitGroup
	active := map[int64]running{}
	defer func() {
		for _, r := range active {
			r.stop()
		}
		wg.Wait()
	}()
	t := time.NewTicker(reload)
	defer t.Stop()
	for {
		srcs, err := s.Store.Sources(ctx)
		if err != nil && ctx.Err() == nil {
			s.log().Error("sources", "err", err)
		}
		seen := map[int64]bool{}
		for _, src := range srcs {
			if src.Paused {
				continue
			}
			seen[src.ID] = true
			key := src.Kind + "\x00" + string(src.Config) + "\x00" + src.Interval.String()
			if r, ok := active[src.ID]; ok {
				if r.key == key {
					continue
				}
				r.stop()
			}
			cctx, stop := context.WithCancel(ctx)
			active[src.ID] = running{stop: stop, key: key}
			wg.Add(1)
			go func(src model.Source) {
				defer wg.Done()
				s.loop(cctx, src)
			}(src)
		}
		for id, r := range active {
			if !seen[id] {
				r.stop()
				delete(active, id)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) loop(ctx context.Context, src model.Source) {
	minBackoff := s.MinBackoff
	if minBackoff <= 0 {
		minBackoff = 30 * time.Second
	}
	c, err := s.collector(src)
	if err != nil {
		s.failed(ctx, &src, err)
		return
	}
	if st, ok := c.(Streamer); ok {
		for failures := 0; ctx.Err() == nil; {
			cur, err := s.Store.Source(ctx, src.ID)
			if err == nil {
				err = st.Stream(ctx, cur.Cursor, s.Saver(cur))
			}
			if ctx.Err() != nil {
				return
			}
			failures++
			s.failed(ctx, &src, fmt.Errorf("stream stopped: %w", err))
			sleep(ctx, Backoff(failures, minBackoff, src.Interval))
		}
		return
	}
	failures := 0
	for ctx.Err() == nil {
		res, err := s.PollOnce(ctx, src.ID)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			failures++
			sleep(ctx, retryWait(err, Backoff(failures, minBackoff, src.Interval), s.now()))
		case res.More:
			failures = 0
		default:
			failures = 0
			sleep(ctx, src.Interval)
		}
	}
}

// retryWait is the back-off, or longer when the platform named a time
// before which it will not answer.
func retryWait(err error, backoff time.Duration, now time.Time) time.Duration {
	var ra *RetryAfter
	if errors.As(err, &ra) {
		return max(backoff, ra.Until.Sub(now))
	}
	return backoff
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
