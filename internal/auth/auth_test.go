package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/store/storetest"
)

var fast = auth.Params{Memory: 1024, Time: 1, Threads: 1}

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	h2, _ := auth.HashPassword("correct horse battery", fast)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		ok, err := auth.VerifyPassword(h, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("verify %q = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	for _, bad := range []string{"", "plain", "$2a$10$bcrypt", "$argon2id$v=19$m=1024,t=1,p=1$!!$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$argon2id$v=18$m=1024,t=1,p=1$AAAA$AAAA"} {
		if _, err := auth.VerifyPassword(bad, "x"); !errors.Is(err, auth.ErrBadHash) {
			t.Errorf("VerifyPassword(%q): err = %v, want ErrBadHash", bad, err)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := auth.HashPassword("pw", fast)
	f.Add(h, "pw")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if strings.Contains(hash, "m=") && !strings.Contains(hash, "m=1,") && !strings.Contains(hash, "m=1024,") {
			return // keep the fuzzer from spending its time on costly hashes
		}
		auth.VerifyPassword(hash, pw) // must not panic
	})
}

func newService(t *testing.T, now *time.Time) *auth.Service {
	st := storetest.SQLite(t)
	s, err := auth.New(st, auth.Config{Params: fast, FailureWindow: 15 * time.Minute, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range [][2]string{{"amina", auth.RoleAdmin}, {"rev1", auth.RoleReviewer}, {"ana", auth.RoleAnalyst}} {
		if _, err := s.CreateUser(context.Background(), u[0], u[1], "correct horse battery", "en", "test"); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestLoginAndSessionExpiry(t *testing.T) {
	now := time.Now()
	s := newService(t, &now)
	ctx := context.Background()
	// Unknown users fail the same way as a wrong password.
	if _, _, err := s.Login(ctx, "nobody", "x", "10.0.0.3", ""); !errors.Is(err, auth.ErrBadLogin) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, _, err := s.Login(ctx, "rev1", "wrong", "10.0.0.1", ""); !errors.Is(err, auth.ErrBadLogin) {
		t.Fatalf("wrong password: %v", err)
	}
	now = now.Add(2 * time.Minute)
	tok, p, err := s.Login(ctx, "rev1", "correct horse battery", "10.0.0.1", "")
	if err != nil || p.Role != auth.RoleReviewer || len(tok) < 40 || p.CSRF == "" {
		t.Fatalf("login after the window: %v %+v", err, p)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tok})
	if s.Session(req) == nil {
		t.Fatal("fresh session not found")
	}
	now = now.Add(13 * time.Hour)
	if s.Session(req) != nil {
		t.Fatal("session still valid after its 12 h lifetime")
	}
}

func TestRequireRoleAndCSRF(t *testing.T) {
	now := time.Now()
	s := newService(t, &now)
	ctx := context.Background()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	h := s.Authenticate(s.RequireRole(auth.RoleReviewer, ok))
	tokens := map[string]*auth.Principal{}
	cookie := map[string]string{}
	for _, n := range []string{"amina", "rev1", "ana"} {
		tok, p, err := s.Login(ctx, n, "correct horse battery", "127.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		tokens[n], cookie[n] = p, tok
	}
	for _, tc := range []struct {
		who, method, csrf string
		want              int
	}{
		{"", "GET", "", 401},
		{"ana", "GET", "", 403},
		{"rev1", "GET", "", 204},
		{"amina", "GET", "", 204},
		{"rev1", "POST", "", 403},
		{"rev1", "POST", "wrong", 403},
		{"rev1", "POST", "ok", 204},
		{"ana", "POST", "ok", 403},
	} {
		req := httptest.NewRequest(tc.method, "/x", strings.NewReader(""))
		if tc.who != "" {
			req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: cookie[tc.who]})
			switch tc.csrf {
			case "ok":
				req.Header.Set("X-CSRF-Token", tokens[tc.who].CSRF)
			case "wrong":
				req.Header.Set("X-CSRF-Token", tokens["amina"].CSRF)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %s csrf=%q: %d, want %d", tc.who, tc.method, tc.csrf, rec.Code, tc.want)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	now := time.Now()
	s := newService(t, &now)
	ctx := context.Background()
	readKey, _, err := s.CreateAPIKey(ctx, "partner", []string{auth.ScopeRead}, "telegram", "amina")
	if err != nil || !strings.HasPrefix(readKey, auth.KeyPrefix) {
		t.Fatalf("CreateAPIKey = %q, %v", readKey, err)
	}
	if _, _, err := s.CreateAPIKey(ctx, "p", []string{"root"}, "telegram", "amina"); err == nil {
		t.Fatal("a key with an unknown scope was made")
	}
	var who string
	h := s.API(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { who = auth.FromContext(r.Context()).Name }))
	for _, tc := range []struct {
		method, authz string
		want          int
	}{
		{"GET", "", 401},
		{"GET", "Bearer " + readKey, 200},
		{"GET", "Basic " + readKey, 401},
		{"GET", "Bearer mk_forged", 401},
		{"POST", "Bearer " + readKey, 403},
	} {
		req := httptest.NewRequest(tc.method, "/api/v1/cases", nil)
		if tc.authz != "" {
			req.Header.Set("Authorization", tc.authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %.12s: %d, want %d", tc.method, tc.authz, rec.Code, tc.want)
		}
	}
	if who != "key:partner" {
		t.Errorf("principal = %q", who)
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"short", false}, {"long enough pw", true}, {" padded password ", false}, {"كلمة مرور طويلة", true}} {
		if err := auth.CheckPassword(tc.pw); (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%q) = %v", tc.pw, err)
		}
	}
}
