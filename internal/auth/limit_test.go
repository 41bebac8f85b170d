package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/auth"
)

// TestLoginDelaysGrow fails one account from one address again and again:
// each failure makes the next attempt wait longer, 1 s, 2 s, 4 s ... up to
// a minute, and never a lock longer than that.
func TestLoginDelaysGrow(t *testing.T) {
	now := time.Now()
	s := newService(t, &now)
	ctx := context.Background()
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i, w := range want {
		if _, _, err := s.Login(ctx, "rev1", "wrong", "10.0.0.1", ""); !errors.Is(err, auth.ErrBadLogin) {
			t.Fatalf("attempt %d: %v, want a bad login", i+1, err)
		}
		var rl *auth.RateLimitError
		_, _, err := s.Login(ctx, "rev1", "correct horse battery", "10.0.0.1", "")
		if !errors.As(err, &rl) || rl.RetryAfter != w*time.Second {
			t.Fatalf("right after failure %d: %v, want to wait %v", i+1, err, w*time.Second)
		}
		now = now.Add(rl.RetryAfter)
	}
	// Once the delay has passed, the right password works.
	if _, _, err := s.Login(ctx, "rev1", "correct horse battery", "10.0.0.1", ""); err != nil {
		t.Fatalf("after waiting: %v", err)
	}
	// ...and a success starts the account over (the address that failed
	// nine times is still slowed as an address).
	s.Login(ctx, "rev1", "wrong", "10.0.0.2", "")
	var rl *auth.RateLimitError
	if _, _, err := s.Login(ctx, "rev1", "wrong", "10.0.0.2", ""); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("after a success and one failure: %v, want 1s", err)
	}
}

// TestLoginNotLockedByOthers fails the admin's name from many addresses:
// the admin, from an address that has not failed, still signs in at once.
// An address that fails for many names is slowed down itself, without
// slowing anyone else.
func TestLoginNotLockedByOthers(t *testing.T) {
	now := time.Now()
	s := newService(t, &now)
	ctx := context.Background()
	for i := 0; i < 200; i++ {
		addr := fmt.Sprintf("10.1.%d.%d", i/250, i%250)
		if _, _, err := s.Login(ctx, "amina", "guess", addr, ""); !errors.Is(err, auth.ErrBadLogin) && !errors.Is(err, auth.ErrRateLimited) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, _, err := s.Login(ctx, "amina", "correct horse battery", "192.168.1.5", ""); err != nil {
		t.Fatalf("admin from a clean address after 200 guesses from others: %v", err)
	}
	// One address guessing many names.
	var slowed bool
	for i := 0; i < 20; i++ {
		_, _, err := s.Login(ctx, fmt.Sprintf("guess%d", i), "x", "10.0.0.9", "")
		slowed = slowed || errors.Is(err, auth.ErrRateLimited)
	}
	if !slowed {
		t.Fatal("20 guesses of different names from one address at once were never slowed")
	}
	var rl *auth.RateLimitError
	if _, _, err := s.Login(ctx, "ana", "correct horse battery", "10.0.0.9", ""); !errors.As(err, &rl) || rl.RetryAfter > time.Minute {
		t.Fatalf("the guessing address: %v, want a delay of at most a minute", err)
	}
	if _, _, err := s.Login(ctx, "ana", "correct horse battery", "10.0.0.10", ""); err != nil {
		t.Fatalf("another address: %v", err)
	}
	// Failures are forgotten after the window.
	now = now.Add(20 * time.Minute)
	if _, _, err := s.Login(ctx, "ana", "correct horse battery", "10.0.0.9", ""); err != nil {
		t.Fatalf("the guessing address after 20 minutes: %v", err)
	}
}
