package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/banks"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/server"
	"github.com/marsad/marsad/internal/ui"
)

// mountUI puts the web UI and its authentication in front of the server:
// the UI at /, and the same users, sessions and partner keys guarding the
// API. Until the first user exists, the API answers loopback callers
// without credentials, so a fresh install works on a laptop.
func mountUI(a *app, srv *server.Server, ap *api.API) error {
	// MARSAD_INSECURE_COOKIES=1 serves sessions over plain HTTP on a
	// network address; browsers keep Secure cookies only over HTTPS or
	// from localhost.
	// MARSAD_TRUSTED_PROXIES lists the reverse proxies (addresses or
	// networks) whose X-Forwarded-For names the client.
	proxies, err := auth.ParseProxies(os.Getenv("MARSAD_TRUSTED_PROXIES"))
	if err != nil {
		return fmt.Errorf("MARSAD_TRUSTED_PROXIES: %w", err)
	}
	as, err := auth.New(a.store, auth.Config{InsecureCookies: os.Getenv("MARSAD_INSECURE_COOKIES") == "1", TrustedProxies: proxies})
	if err != nil {
		return err
	}
	key, err := a.flags.evidenceKey(a.progressTo)
	if err != nil {
		return err
	}
	media := evidence.Media{Blobs: a.blobs}
	keeper := evidence.NewKeeper(a.store, media, key)
	acts := action.New(a.store, keeper, action.Config{Guard: a.guard})
	// One review service for the UI and the API: both apply the same rules.
	rv := review.New(a.store, acts, a.log)
	ap.Review = rv
	var added func([]model.BankEntry)
	if a.index != nil {
		added = a.index.Added
	}
	orgs := org.New(a.store, as)
	h, err := ui.New(ui.Config{Store: a.store, Auth: as, Orgs: orgs, Actions: acts, Evidence: keeper, Review: rv, Media: media, Models: a.models, Sources: a.sources, Guard: a.guard, Banks: banks.New(a.store, added),
		Issuer: envOr("MARSAD_ISSUER", "marsad"), Logger: a.log})
	if err != nil {
		return err
	}
	srv.UI = h
	ap.Authorize = apiAuthorizer(a, as, orgs)
	a.background = append(a.background, func(ctx context.Context) { acts.Background(ctx, time.Minute, a.log) },
		// API keys' last use is written every 30 s and at shutdown, never
		// in the request path.
		func(ctx context.Context) { as.KeyUseLoop(ctx, 30*time.Second, a.log) })
	every := a.checkpointEvery
	if every <= 0 {
		every = defaultCheckpointEvery
	}
	a.background = append(a.background, func(ctx context.Context) {
		auditCheckpoints(ctx, a.store, a.flags.keyDir(), key, every, a.log)
	})
	a.shutdown = append(a.shutdown, as.FlushKeyUse, func(ctx context.Context) error {
		return signCheckpoint(ctx, a.store, a.flags.keyDir(), key)
	})
	return nil
}

// apiAuthorizer maps users' roles and partner keys' scopes onto the API's
// permissions: analysts read; reviewers also send posts and decide; admins
// also change banks and read the audit log; a key reads with the read
// scope, sends posts and matches with the write scope, reads the audit log
// with the audit scope, and never decides or changes banks. A key sees
// only its own platform's cases and posts unless it has all-platforms;
// what a user or key sees by its organisation is internal/org's rule.
func apiAuthorizer(a *app, as *auth.Service, orgs *org.Service) func(*http.Request, api.Perm) (string, error) {
	return func(r *http.Request, perm api.Perm) (string, error) {
		p, err := as.Resolve(r)
		switch {
		case errors.Is(err, auth.ErrNoCredentials):
			users, uerr := a.store.Users(r.Context())
			if uerr != nil {
				return "", uerr
			}
			if len(users) == 0 && loopback(as, r) {
				return "local", nil
			}
			return "", fmt.Errorf("%w: %v", api.ErrUnauthenticated, err)
		case errors.Is(err, auth.ErrCSRF):
			return "", fmt.Errorf("%w: %v", api.ErrForbidden, err)
		case errors.Is(err, auth.ErrBadKey):
			return "", fmt.Errorf("%w: %v", api.ErrUnauthenticated, err)
		case err != nil:
			// The store failed while checking the credentials; the API maps
			// a transient fault to 503, never to a refusal of the caller.
			return "", err
		}
		if !allowed(p, perm) {
			return "", fmt.Errorf("%w: %s may not use a route needing %q", api.ErrForbidden, p.Name, perm)
		}
		reach, err := orgs.Visible(r.Context(), p)
		if err != nil {
			return "", err
		}
		if !reach.Unit() && p.Role != auth.RolePartner && perm != api.PermRead {
			// Outside the unit people only read; keys keep their scopes.
			return "", fmt.Errorf("%w: %s belongs to %s, which does not decide or administer", api.ErrForbidden, p.Name, reach.Org.Name)
		}
		if !reach.All {
			api.LimitToPlatform(r, reach.Platform)
		}
		return p.Name, nil
	}
}

// allowed maps roles and scopes onto the API's permissions. The audit log
// holds staff names, searches and failed logins of every platform: only
// admins, and keys not bound to a platform given the audit scope for the
// unit's own tools, read it.
func allowed(p *auth.Principal, perm api.Perm) bool {
	if p.Role == auth.RolePartner {
		switch perm {
		case api.PermRead:
			return p.HasScope(auth.ScopeRead)
		case api.PermIngest:
			return p.HasScope(auth.ScopeWrite)
		case api.PermAudit:
			// The audit log is every platform's: never for a key bound
			// to one (keys made before CreateAPIKey refused that).
			return p.HasScope(auth.ScopeAudit) && p.Platform == ""
		}
		return false
	}
	switch perm {
	case api.PermAudit:
		return p.Can(auth.RoleAdmin)
	case api.PermRead:
		return p.Can(auth.RoleAnalyst)
	case api.PermIngest, api.PermDecide:
		return p.Can(auth.RoleReviewer)
	case api.PermBanks:
		return p.Can(auth.RoleAdmin)
	}
	return false
}

func loopback(as *auth.Service, r *http.Request) bool {
	ip := net.ParseIP(as.ClientAddr(r))
	return ip != nil && ip.IsLoopback()
}
