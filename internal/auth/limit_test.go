package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
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

// TestLoginSharedAddress: seventeen people sign in through one reverse
// proxy (one address) while someone there gets a password wrong once a
// minute. People who have signed in from that address before are not
// slowed by the other's failures; the one who fails still is, and so is
// a name never signed in from there (guessing many names from one
// address stays slow). On each store.
func TestLoginSharedAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now()
		s, err := auth.New(st, auth.Config{Params: fast, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		const proxy = "10.9.9.9"
		var names []string
		for i := 0; i < 17; i++ {
			n := fmt.Sprintf("officer%d", i)
			names = append(names, n)
			if _, err := s.CreateUser(ctx, n, auth.RoleAnalyst, "correct horse battery", "en", "test"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Login(ctx, n, "correct horse battery", proxy, ""); err != nil {
				t.Fatalf("first sign-in of %s: %v", n, err)
			}
		}
		if _, err := s.CreateUser(ctx, "newcomer", auth.RoleAnalyst, "correct horse battery", "en", "test"); err != nil {
			t.Fatal(err)
		}
		// Someone mistypes once a minute, from the same address.
		fail := func() {
			now = now.Add(time.Minute)
			if _, _, err := s.Login(ctx, "mistyper", "wrong", proxy, ""); !errors.Is(err, auth.ErrBadLogin) && !errors.Is(err, auth.ErrRateLimited) {
				t.Fatalf("wrong login: %v", err)
			}
		}
		for i := 0; i < 4; i++ {
			fail()
		}
		refused := 0
		for _, n := range names {
			fail()
			if _, _, err := s.Login(ctx, n, "correct horse battery", proxy, ""); errors.Is(err, auth.ErrRateLimited) {
				refused++
			} else if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
		}
		if refused != 0 {
			t.Errorf("%d of %d correct logins from the shared address refused, want 0", refused, len(names))
		}
		// The address is still slowed for a name never signed in there,
		var rl *auth.RateLimitError
		if _, _, err := s.Login(ctx, "newcomer", "correct horse battery", proxy, ""); !errors.As(err, &rl) {
			t.Errorf("a name never signed in from the failing address: %v, want a delay", err)
		}
		// ...and a known name that fails there is slowed by its own failures.
		s.Login(ctx, names[0], "wrong", proxy, "")
		if _, _, err := s.Login(ctx, names[0], "correct horse battery", proxy, ""); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
			t.Errorf("a known name right after its own failure: %v, want 1s", err)
		}
	})
}

// TestClientAddr: X-Forwarded-For names the client only when the peer is
// a trusted proxy, and then its rightmost address that is not one.
func TestClientAddr(t *testing.T) {
	proxies, err := auth.ParseProxies("10.0.0.1, 192.168.0.0/24,::1")
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth.New(storetest.SQLite(t), auth.Config{Params: fast, TrustedProxies: proxies})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"203.0.113.7:5000", nil, "203.0.113.7"},
		{"203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"}, // not a proxy: the header is the client's word
		{"10.0.0.1:5000", []string{"198.51.100.2"}, "198.51.100.2"},
		{"10.0.0.1:5000", []string{"6.6.6.6, 198.51.100.2"}, "198.51.100.2"}, // the client wrote 6.6.6.6
		{"10.0.0.1:5000", []string{"6.6.6.6, 198.51.100.2, 192.168.0.9"}, "198.51.100.2"},
		{"10.0.0.1:5000", []string{"6.6.6.6", "198.51.100.2"}, "198.51.100.2"},
		{"[::1]:5000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"10.0.0.1:5000", []string{"garbage, 192.168.0.9"}, "192.168.0.9"},
		{"10.0.0.1:5000", nil, "10.0.0.1"},
		{"10.0.0.2:5000", []string{"198.51.100.2"}, "10.0.0.2"},
	} {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.ClientAddr(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if _, err := auth.ParseProxies("10.0.0.1,nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a bad proxy: %v", err)
	}
}
