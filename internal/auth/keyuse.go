package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// keyUse remembers when each API key was last used, in memory, until it
// is flushed to the store. Writing it on every keyed request made each
// request wait for the database's write lock (on SQLite, behind any other
// writer), only to record a convenience.
type keyUse struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

func (u *keyUse) record(id int64, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if at.After(u.last[id]) {
		u.last[id] = at
	}
}

// take returns the recorded uses and starts over.
func (u *keyUse) take() map[int64]time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	m := u.last
	u.last = map[int64]time.Time{}
	return m
}

// putBack returns uses that could not be stored, keeping newer ones.
func (u *keyUse) putBack(m map[int64]time.Time) {
	for id, at := range m {
		u.record(id, at)
	}
}

// FlushKeyUse stores the last use of every key used since the last flush,
// in one transaction. Uses it could not store are kept for the next.
func (s *Service) FlushKeyUse(ctx context.Context) error {
	m := s.keyUse.take()
	if err := s.st.TouchAPIKeys(ctx, m); err != nil {
		s.keyUse.putBack(m)
		return err
	}
	return nil
}

// KeyUseLoop flushes key uses every interval until ctx ends, and once more
// then, so a shutdown loses none.
func (s *Service) KeyUseLoop(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := s.FlushKeyUse(fctx); err != nil && log != nil {
				log.Warn("api keys: last use not recorded at shutdown", "err", err)
			}
			return
		case <-t.C:
			if err := s.FlushKeyUse(ctx); err != nil && log != nil {
				log.Warn("api keys: last use not recorded; will retry", "err", err)
			}
		}
	}
}
