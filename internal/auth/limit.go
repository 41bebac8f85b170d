package auth

import (
	"sync"
	"time"
)

// limiter slows down repeated failed logins for one key (an account, an
// address, or an account from one address) with a growing delay: after the
// first free failures, the next attempt must wait base, then twice that
// after another failure, and so on up to max. Nothing is ever locked for
// longer than max, so nobody can shut an account or an address out by
// failing on purpose; a key is forgotten once it has not failed for forget.
type limiter struct {
	free      int
	base, max time.Duration
	forget    time.Duration
	mu        sync.Mutex
	keys      map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

func newLimiter(free int, base, max, forget time.Duration) *limiter {
	return &limiter{free: free, base: base, max: max, forget: forget, keys: map[string]*failures{}}
}

// delay is how long to wait after n failures.
func (l *limiter) delay(n int) time.Duration {
	k := n - l.free
	if k <= 0 {
		return 0
	}
	d := l.base
	for i := 1; i < k && d < l.max; i++ {
		d *= 2
	}
	return min(d, l.max)
}

// live returns key's failures if they are not yet forgotten; l.mu held.
func (l *limiter) live(key string, now time.Time) *failures {
	f := l.keys[key]
	if f != nil && now.Sub(f.last) >= l.forget {
		delete(l.keys, key)
		return nil
	}
	return f
}

// retryAfter returns how long key must wait, or 0 if it may try now.
func (l *limiter) retryAfter(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.live(key, now)
	if f == nil {
		return 0
	}
	return max(f.last.Add(l.delay(f.n)).Sub(now), 0)
}

// failed reports whether key has failures not yet forgotten.
func (l *limiter) failed(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live(key, now) != nil
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.live(key, now)
	if f == nil {
		f = &failures{}
		l.keys[key] = f
	}
	f.n++
	f.last = now
	if len(l.keys) > 100000 {
		// Bound memory under a flood of distinct keys: forget the idle ones.
		for k := range l.keys {
			l.live(k, now)
		}
	}
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// known remembers which accounts signed in from which addresses, so that
// failures of others at a shared address do not slow them. Kept in memory
// (a restart forgets it) and bounded like the limiters.
type known struct {
	keep time.Duration
	mu   sync.Mutex
	at   map[string]time.Time
}

func newKnown(keep time.Duration) *known {
	return &known{keep: keep, at: map[string]time.Time{}}
}

func (k *known) has(key string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, ok := k.at[key]
	if ok && now.Sub(t) >= k.keep {
		delete(k.at, key)
		return false
	}
	return ok
}

func (k *known) add(key string, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.at[key] = now
	if len(k.at) > 100000 {
		for key, t := range k.at {
			if now.Sub(t) >= k.keep {
				delete(k.at, key)
			}
		}
	}
}
