// Package auth signs people and partners in to marsad: users with roles
// (admin, reviewer, analyst) and argon2id passwords, browser sessions in
// HttpOnly SameSite cookies backed by server-side rows, CSRF tokens,
// rate-limited login, and partner API keys with scopes.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/marsad/marsad/internal/store"
)

// Roles. Each includes the rights of the ones below it: an admin can review,
// a reviewer can read.
const (
	RoleAdmin    = "admin"    // users, banks, settings
	RoleReviewer = "reviewer" // decide cases, issue orders
	RoleAnalyst  = "analyst"  // read, search, networks
	RolePartner  = "partner"  // an API key: only its scopes
)

// Roles lists the roles a user can have, strongest first.
var Roles = []string{RoleAdmin, RoleReviewer, RoleAnalyst}

// Scopes of partner API keys.
const (
	ScopeRead  = "read"  // GET requests
	ScopeWrite = "write" // requests that change something: submit posts, match
	// ScopeAudit reads the internal audit log (staff names, searches,
	// failed logins): for the unit's own tools, never for a partner, so
	// never with a platform (the key needs all-platforms).
	ScopeAudit = "audit"
	// ScopeAllPlatforms lets a key without a platform read and send every
	// platform's cases and posts. A key has a platform or this scope.
	ScopeAllPlatforms = "all-platforms"
)

// Scopes lists every scope.
var Scopes = []string{ScopeRead, ScopeWrite, ScopeAudit, ScopeAllPlatforms}

func rank(role string) int {
	switch role {
	case RoleAdmin:
		return 3
	case RoleReviewer:
		return 2
	case RoleAnalyst:
		return 1
	}
	return 0
}

// ValidRole reports whether role is one a user can have.
func ValidRole(role string) bool { return rank(role) > 0 }

// Principal is who makes a request: a signed-in user or a partner key.
type Principal struct {
	Name   string
	Role   string
	UserID int64
	Lang   string
	// TZ is the user's time zone (IANA name); "" is UTC.
	TZ string
	// CSRF is the session's anti-forgery token; empty for API keys.
	CSRF   string
	Scopes []string
	KeyID  int64
	// Platform is the one platform a key is bound to; "" for users and
	// for keys bound to none.
	Platform string
	// OrgID is the organisation of the user or key (internal/org decides
	// what it may see).
	OrgID int64
	// sessionHash identifies the session, for logout.
	sessionHash string
}

// Can reports whether p holds role or a stronger one.
func (p *Principal) Can(role string) bool {
	return p != nil && rank(p.Role) >= rank(role) && rank(role) > 0
}

// HasScope reports whether p is a user (all scopes) or a key with scope.
func (p *Principal) HasScope(scope string) bool {
	if p == nil {
		return false
	}
	if p.Role != RolePartner {
		return true
	}
	return slices.Contains(p.Scopes, scope)
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of a request, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// Config tunes a Service.
type Config struct {
	// SessionTTL is how long a session lasts after login; default 12 hours.
	SessionTTL time.Duration
	// InsecureCookies drops the Secure attribute, for plain HTTP on a
	// trusted network. Browsers accept Secure cookies from localhost.
	InsecureCookies bool
	// Failed logins slow down the next attempt of the same account from
	// the same address, of the account from any address that has failed,
	// and of the address, by a delay that doubles with each failure from
	// BaseDelay up to MaxDelay (defaults 1 s and 1 minute). An address
	// has AddressFreeFailures (default 5) before it is slowed, as several
	// people may share one behind a proxy. Failures are forgotten
	// FailureWindow (default 15 minutes) after the last one. An address
	// that has not failed is never slowed by failures from elsewhere, so
	// nobody can keep a user, the admin included, from signing in.
	//
	// An account that signed in from an address within KnownFor (default
	// 30 days) is known there: its logins from that address are slowed
	// only by its own failures from that address, never by the address's
	// failures for other names or the account's failures elsewhere, so
	// one person mistyping behind a shared proxy keeps nobody else out.
	BaseDelay           time.Duration
	MaxDelay            time.Duration
	AddressFreeFailures int
	FailureWindow       time.Duration
	KnownFor            time.Duration
	// TrustedProxies are the reverse proxies in front of marsad. When the
	// connection comes from one of them, the client is the rightmost
	// address of X-Forwarded-For that is not a trusted proxy; from any
	// other peer the header is ignored, since anyone can send it.
	TrustedProxies []netip.Prefix
	// Params are the argon2id costs for new hashes.
	Params Params
	// Deny writes a refusal (401, 403, 429); default plain text.
	Deny func(w http.ResponseWriter, r *http.Request, status int, msg string)
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Service authenticates requests against the store.
type Service struct {
	st     *store.Store
	cfg    Config
	byUser *limiter // an account, from addresses that have failed
	byPair *limiter // an account from one address
	byAddr *limiter // an address, whatever the account
	known  *known   // accounts that signed in from an address
	dummy  string   // a hash verified for unknown users, so timing does not tell who exists
	keyUse *keyUse  // last use of API keys, flushed in batches
}

// Cookie names.
const (
	SessionCookie = "marsad_session"
	loginCookie   = "marsad_login"
)

// New returns a Service over st.
func New(st *store.Store, cfg Config) (*Service, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = time.Second
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = time.Minute
	}
	if cfg.AddressFreeFailures <= 0 {
		cfg.AddressFreeFailures = 5
	}
	if cfg.FailureWindow <= 0 {
		cfg.FailureWindow = 15 * time.Minute
	}
	if cfg.KnownFor <= 0 {
		cfg.KnownFor = 30 * 24 * time.Hour
	}
	if cfg.Params.Memory == 0 {
		cfg.Params = DefaultParams
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Deny == nil {
		cfg.Deny = func(w http.ResponseWriter, _ *http.Request, status int, msg string) { http.Error(w, msg, status) }
	}
	dummy, err := HashPassword("not a password", cfg.Params)
	if err != nil {
		return nil, err
	}
	lim := func(free int) *limiter { return newLimiter(free, cfg.BaseDelay, cfg.MaxDelay, cfg.FailureWindow) }
	return &Service{st: st, cfg: cfg, byUser: lim(0), byPair: lim(0), byAddr: lim(cfg.AddressFreeFailures), known: newKnown(cfg.KnownFor), dummy: dummy, keyUse: &keyUse{last: map[int64]time.Time{}}}, nil
}

// Errors of Login.
var (
	ErrBadLogin    = errors.New("unknown user or wrong password")
	ErrRateLimited = errors.New("too many failed logins")
)

// RateLimitError says how long to wait before the next login attempt.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many failed logins: try again in %s", e.RetryAfter.Round(time.Second))
}

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// InputError is a refused user or key request, naming the field at fault.
// Code names the problem for a translated message; Args are the values
// Msg names.
type InputError struct {
	Field, Code, Msg string
	Args             []any
}

func (e *InputError) Error() string { return e.Msg }

func inputError(field, code, format string, args ...any) error {
	return &InputError{Field: field, Code: code, Msg: fmt.Sprintf(format, args...), Args: args}
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// CheckPassword says why a new password is not acceptable, or returns nil.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLen {
		return inputError("password", "password_short", "password: at least %d characters are required", MinPasswordLen)
	}
	if strings.TrimFunc(pw, unicode.IsSpace) != pw {
		return inputError("password", "password_spaces", "password: leading or trailing spaces are not allowed")
	}
	return nil
}

// CreateUser adds a user with a hashed password.
func (s *Service) CreateUser(ctx context.Context, name, role, password, lang, actor string) (*store.User, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return nil, inputError("name", "user_name", "user name %q: must be non-empty without spaces", name)
	}
	if !ValidRole(role) {
		return nil, inputError("role", "role_unknown", "user %q: unknown role %q (want admin, reviewer or analyst)", name, role)
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	h, err := HashPassword(password, s.cfg.Params)
	if err != nil {
		return nil, err
	}
	if lang != "ar" && lang != "fr" {
		lang = "en"
	}
	u := &store.User{Name: name, Role: role, PasswordHash: h, Lang: lang}
	if err := s.st.CreateUser(ctx, u, actor); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword changes a user's password and ends their sessions.
func (s *Service) SetPassword(ctx context.Context, name, password, actor string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	u, err := s.st.UserByName(ctx, name)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = HashPassword(password, s.cfg.Params); err != nil {
		return err
	}
	return s.st.UpdateUser(ctx, u, actor)
}

// Login checks a name and password and starts a new session. Any session
// the browser presented before (oldToken) is ended first, so a session id
// planted before login is never the one that becomes signed in.
func (s *Service) Login(ctx context.Context, name, password, remote, oldToken string) (token string, p *Principal, err error) {
	now := s.cfg.Now()
	if oldToken != "" {
		_ = s.st.DeleteSession(ctx, hashToken(oldToken))
	}
	userKey := strings.ToLower(name)
	pairKey := userKey + "\x00" + remote
	d := s.byPair.retryAfter(pairKey, now)
	if !s.known.has(pairKey, now) {
		d = max(d, s.byAddr.retryAfter(remote, now))
		if s.byAddr.failed(remote, now) {
			// Guessing one account from many addresses slows every
			// address that has guessed wrong, but never one that has not.
			d = max(d, s.byUser.retryAfter(userKey, now))
		}
	}
	if d > 0 {
		return "", nil, &RateLimitError{RetryAfter: d}
	}
	u, err := s.st.UserByName(ctx, name)
	hash := s.dummy
	if err == nil && !u.Disabled {
		hash = u.PasswordHash
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	ok, verr := VerifyPassword(hash, password)
	if err != nil || u.Disabled || !ok || verr != nil {
		s.byUser.fail(userKey, now)
		s.byPair.fail(pairKey, now)
		s.byAddr.fail(remote, now)
		// The name came from outside: keep the audit row short.
		n := name
		if r := []rune(n); len(r) > 64 {
			n = string(r[:64]) + "…"
		}
		_ = s.st.Audit(ctx, "anonymous", "user.login.fail", "user:"+n, "from "+remote)
		return "", nil, ErrBadLogin
	}
	s.byUser.reset(userKey)
	s.byPair.reset(pairKey)
	s.known.add(pairKey, now)
	token, err = randomToken(32)
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return "", nil, err
	}
	ss := &store.Session{TokenHash: hashToken(token), UserID: u.ID, CSRF: csrf, Remote: remote, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.st.CreateSession(ctx, ss); err != nil {
		return "", nil, err
	}
	// Logins are rare; clearing expired sessions here needs no background job.
	_, _ = s.st.PurgeSessions(ctx, now)
	if err := s.st.Audit(ctx, u.Name, "user.login", "user:"+u.Name, "from "+remote); err != nil {
		return "", nil, err
	}
	return token, principal(ss, u), nil
}

func principal(ss *store.Session, u *store.User) *Principal {
	return &Principal{Name: u.Name, Role: u.Role, UserID: u.ID, Lang: u.Lang, TZ: u.TZ, CSRF: ss.CSRF, OrgID: u.OrgID, sessionHash: ss.TokenHash}
}

// Logout ends the session of p.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.sessionHash == "" {
		return nil
	}
	if err := s.st.DeleteSession(ctx, p.sessionHash); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return s.st.Audit(ctx, p.Name, "user.logout", "user:"+p.Name, "")
}

// SetSessionCookie writes the session cookie.
func (s *Service) SetSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: !s.cfg.InsecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.cfg.SessionTTL / time.Second)})
}

// ClearSessionCookie removes the session cookie from the browser.
func (s *Service) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: !s.cfg.InsecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// Session resolves the session cookie of r, or returns nil.
func (s *Service) Session(r *http.Request) *Principal {
	p, _ := s.session(r)
	return p
}

// session resolves the session cookie of r: nil and no error when there is
// no live session, an error when the store could not say.
func (s *Service) session(r *http.Request) (*Principal, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, nil
	}
	ss, u, err := s.st.SessionUser(r.Context(), hashToken(c.Value), s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return principal(ss, u), nil
}

// LoginCSRF returns the anti-forgery token for the login form, setting a
// cookie that carries it when the browser has none. The form must send the
// same token back (a double-submit check: there is no session yet).
func (s *Service) LoginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	tok, err := randomToken(32)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: !s.cfg.InsecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	return tok
}

// CheckLoginCSRF reports whether the login form carries the cookie's token.
func (s *Service) CheckLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	return err == nil && c.Value != "" && equal(c.Value, r.PostFormValue("csrf"))
}

// CheckCSRF reports whether an unsafe request of a signed-in user carries
// the session's token, in the form field "csrf" or the X-CSRF-Token header.
func CheckCSRF(r *http.Request, p *Principal) bool {
	if p == nil || p.CSRF == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && equal(got, p.CSRF)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// Authenticate puts the session's principal, if any, in the request context
// and refuses unsafe requests of a session without a valid CSRF token.
func (s *Service) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.Session(r)
		if p != nil {
			if !safeMethod(r.Method) && !CheckCSRF(r, p) {
				s.cfg.Deny(w, r, http.StatusForbidden, "missing or wrong CSRF token")
				return
			}
			r = r.WithContext(WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

// RequireRole lets through requests whose principal holds role (or a
// stronger one); others get 401 when nobody is signed in, else 403.
func (s *Service) RequireRole(role string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := FromContext(r.Context())
		switch {
		case p == nil:
			s.cfg.Deny(w, r, http.StatusUnauthorized, "sign in first")
		case !p.Can(role):
			_ = s.st.Audit(r.Context(), p.Name, "access.denied", "path:"+r.URL.Path, r.Method+" needs role "+role+", has "+p.Role)
			s.cfg.Deny(w, r, http.StatusForbidden, "this needs the "+role+" role")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// Errors of Resolve.
var (
	ErrNoCredentials = errors.New("an API key or a session is required")
	ErrBadKey        = errors.New("unknown or revoked API key")
	ErrCSRF          = errors.New("missing or wrong CSRF token")
)

// Resolve finds who makes an API request: a partner key
// ("Authorization: Bearer mk_...") or a browser session, which must send
// its CSRF token in X-CSRF-Token on unsafe methods.
func (s *Service) Resolve(r *http.Request) (*Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		key, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, fmt.Errorf("%w: Authorization must be \"Bearer <key>\"", ErrBadKey)
		}
		k, err := s.st.APIKeyByHash(r.Context(), hashToken(strings.TrimSpace(key)))
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrBadKey
		}
		if err != nil {
			// The store did not answer: that says nothing about the key.
			return nil, fmt.Errorf("api key: %w", err)
		}
		s.keyUse.record(k.ID, s.cfg.Now())
		return &Principal{Name: "key:" + k.Name, Role: RolePartner, Scopes: k.Scopes, KeyID: k.ID, Platform: k.Platform, OrgID: k.OrgID}, nil
	}
	p, err := s.session(r)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrNoCredentials
	}
	if !safeMethod(r.Method) && !CheckCSRF(r, p) {
		return nil, ErrCSRF
	}
	return p, nil
}

// API guards a JSON API with Resolve: keys need the read scope for GET
// and HEAD and the write scope otherwise.
func (s *Service) API(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Resolve(r)
		switch {
		case errors.Is(err, ErrCSRF):
			s.cfg.Deny(w, r, http.StatusForbidden, err.Error())
			return
		case errors.Is(err, ErrBadKey), errors.Is(err, ErrNoCredentials):
			s.cfg.Deny(w, r, http.StatusUnauthorized, err.Error())
			return
		case err != nil:
			// The store could not check the credentials: not the caller's fault.
			w.Header().Set("Retry-After", "5")
			s.cfg.Deny(w, r, http.StatusServiceUnavailable, store.ErrUnavailable.Error())
			return
		}
		need := ScopeWrite
		if safeMethod(r.Method) {
			need = ScopeRead
		}
		if !p.HasScope(need) {
			s.cfg.Deny(w, r, http.StatusForbidden, "API key lacks the "+need+" scope")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// KeyPrefix starts every partner API key, so leaked keys are easy to find.
const KeyPrefix = "mk_"

// CreateAPIKey makes a partner key with scopes, bound to platform, and
// returns it; only its hash is stored, so this is the one time it can be
// shown. A key must be bound to a platform or hold the all-platforms scope:
// a partner sees only its own platform's content unless told otherwise.
func (s *Service) CreateAPIKey(ctx context.Context, name string, scopes []string, platform, actor string) (string, *store.APIKey, error) {
	if err := checkKey(name, scopes); err != nil {
		return "", nil, err
	}
	platform = strings.TrimSpace(platform)
	all := slices.Contains(scopes, ScopeAllPlatforms)
	switch {
	case platform != "" && all:
		return "", nil, inputError("platform", "key_platform_both", "api key: give a platform (--platform) or the %s scope, not both", ScopeAllPlatforms)
	case platform == "" && !all:
		return "", nil, inputError("platform", "key_platform_none", "api key: bind it to the partner's platform (--platform NAME), or give it the %s scope to see every platform", ScopeAllPlatforms)
	case platform != "" && slices.Contains(scopes, ScopeAudit):
		return "", nil, inputError("scope", "key_audit_platform", "api key: the %s scope reads every platform's audit events, staff names and searches: a key bound to a platform cannot have it", ScopeAudit)
	case len(platform) > 64 || strings.ContainsFunc(platform, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "", nil, inputError("platform", "key_platform_bad", "api key: platform %q: at most 64 characters, no spaces", platform)
	}
	return s.createKey(ctx, name, scopes, platform, 0, actor)
}

// CreateOrgAPIKey makes a key of a platform's or an agency's organisation,
// whose binding internal/org has decided (org.Service.AddKey): the
// platform's own, or none for an agency.
func (s *Service) CreateOrgAPIKey(ctx context.Context, name string, scopes []string, platform string, orgID int64, actor string) (string, *store.APIKey, error) {
	if err := checkKey(name, scopes); err != nil {
		return "", nil, err
	}
	return s.createKey(ctx, name, scopes, platform, orgID, actor)
}

func checkKey(name string, scopes []string) error {
	if strings.TrimSpace(name) == "" {
		return inputError("name", "key_name", "api key: a name is required")
	}
	if len(scopes) == 0 {
		return inputError("scope", "key_scope_required", "api key: at least one scope is required")
	}
	for _, sc := range scopes {
		if !slices.Contains(Scopes, sc) {
			return inputError("scope", "key_scope_unknown", "api key: unknown scope %q (want %s)", sc, strings.Join(Scopes, ", "))
		}
	}
	return nil
}

func (s *Service) createKey(ctx context.Context, name string, scopes []string, platform string, orgID int64, actor string) (string, *store.APIKey, error) {
	tok, err := randomToken(32)
	if err != nil {
		return "", nil, err
	}
	key := KeyPrefix + tok
	k := &store.APIKey{Name: name, Prefix: key[:10], KeyHash: hashToken(key), Scopes: scopes, Platform: platform, CreatedBy: actor, OrgID: orgID}
	if err := s.st.CreateAPIKey(ctx, k, actor); err != nil {
		return "", nil, err
	}
	return key, k, nil
}

// RemoteAddr returns the address of r's direct peer without the port.
func RemoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClientAddr returns the address of the client that sent r: the direct
// peer, or, when the peer is one of Config.TrustedProxies, the rightmost
// address in X-Forwarded-For that is not a trusted proxy (the one the
// first trusted proxy saw; addresses left of it are the client's word).
func (s *Service) ClientAddr(r *http.Request) string {
	peer := RemoteAddr(r)
	if !s.trusted(peer) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Not an address: nothing left of it can be trusted.
			return client
		}
		client = a.Unmap().String()
		if !s.trusted(client) {
			return client
		}
	}
	return client
}

func (s *Service) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseProxies reads a comma-separated list of addresses and networks
// ("10.0.0.1, 192.168.0.0/24, ::1") for Config.TrustedProxies.
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or network", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or network", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// WithDeny returns a copy of s that writes refusals with deny, so the web
// UI can answer with a page and the API with JSON.
func (s *Service) WithDeny(deny func(w http.ResponseWriter, r *http.Request, status int, msg string)) *Service {
	c := *s
	c.cfg.Deny = deny
	return &c
}
