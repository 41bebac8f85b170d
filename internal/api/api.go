// Package api serves marsad's HTTP JSON API under /api/v1.
//
// Handlers are written as func(*http.Request) (any, error) and wrapped once:
// the wrapper writes JSON, and maps the store's typed errors to status codes
// so no user sees a raw database error.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document describing the API.
func OpenAPI() []byte { return openAPI }

// API holds what the handlers need.
type API struct {
	Store    *store.Store
	Pipeline *pipeline.Pipeline
	// Review applies the review rules to decisions, claims and orders;
	// nil makes one over Store that cannot issue orders.
	Review     *review.Service
	reviewOnce sync.Once
	// Matcher answers POST /api/v1/match; nil disables the route.
	Matcher Matcher
	// OnBankChange, if set, is told of entries added through the API, so an
	// in-memory index can take them before the next query.
	OnBankChange func([]model.BankEntry)
	// MaxBody bounds a request body; 0 means 10 MiB.
	MaxBody int64
	Log     *slog.Logger
	// Authorize decides whether the request may use a route needing perm
	// and names the actor for the audit log. Nil lets every request in as
	// "local", for a server bound to loopback with no users yet.
	Authorize func(r *http.Request, perm Perm) (actor string, err error)
}

// Perm is what a route needs: the auth layer maps roles and API-key
// scopes onto these.
type Perm string

// Permissions.
const (
	PermRead   Perm = "read"   // cases, posts, banks, audit
	PermIngest Perm = "ingest" // send posts, match hashes
	PermDecide Perm = "decide" // claim, release, decide cases; issue and withdraw orders
	PermBanks  Perm = "banks"  // create, change and fill banks
)

// ErrUnauthenticated is returned by Authorize for a request with no valid
// credentials (401); ErrForbidden for credentials without the permission (403).
var (
	ErrUnauthenticated = errors.New("authentication required")
	ErrForbidden       = errors.New("forbidden")
)

type actorKey struct{}

// Actor returns who is making the request, as Authorize named them.
func Actor(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok {
		return a
	}
	return "local"
}

// Error kinds, mapped to status codes by the wrapper.
var (
	errBadRequest = errors.New("bad request")
	errTooLarge   = errors.New("request body too large")
)

// apiError is the JSON error body. Field names the request field at
// fault, when there is one.
type apiError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
	Field  string `json:"field,omitempty"`
}

type handlerFunc func(r *http.Request) (any, error)

// Route is one API route, as registered on the mux and listed in the
// OpenAPI document.
type Route struct {
	Pattern string // "METHOD /path"
	Perm    Perm   // empty: public
	Handler http.Handler
}

// Routes returns every API route.
func (a *API) Routes() []Route {
	rs := []Route{
		{"GET /api/v1/openapi.json", "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(openAPI)
		})},
		a.route("POST /api/v1/posts", PermIngest, a.createPosts),
		a.route("GET /api/v1/posts/{id}", PermRead, a.getPost),
		a.route("GET /api/v1/cases", PermRead, a.listCases),
		a.route("GET /api/v1/cases/{id}", PermRead, a.getCase),
		a.route("POST /api/v1/cases/{id}/decision", PermDecide, a.decide),
		a.route("POST /api/v1/cases/{id}/claim", PermDecide, a.claim),
		a.route("POST /api/v1/cases/{id}/release", PermDecide, a.release),
		a.route("GET /api/v1/orders", PermRead, a.listOrders),
		a.route("POST /api/v1/orders", PermDecide, a.issueOrder),
		a.route("POST /api/v1/orders/{id}/withdraw", PermDecide, a.withdrawOrder),
		a.route("GET /api/v1/banks", PermRead, a.listBanks),
		a.route("POST /api/v1/banks", PermBanks, a.createBank),
		a.route("GET /api/v1/banks/{name}", PermRead, a.getBank),
		a.route("PATCH /api/v1/banks/{name}", PermBanks, a.updateBank),
		a.route("DELETE /api/v1/banks/{name}", PermBanks, a.deleteBank),
		a.route("GET /api/v1/banks/{name}/entries", PermRead, a.listEntries),
		a.route("POST /api/v1/banks/{name}/entries", PermBanks, a.addEntries),
		a.route("GET /api/v1/audit", PermRead, a.listAudit),
		a.route("GET /api/v1/audit/verify", PermRead, a.verifyAudit),
	}
	if a.Matcher != nil {
		rs = append(rs, a.route("POST /api/v1/match", PermIngest, a.match))
	}
	return rs
}

// review returns the review service, making one over the store if none
// was given.
func (a *API) review() *review.Service {
	a.reviewOnce.Do(func() {
		if a.Review == nil {
			a.Review = review.New(a.Store, nil, a.Log)
		}
	})
	return a.Review
}

func (a *API) route(pattern string, perm Perm, h handlerFunc) Route {
	return Route{Pattern: pattern, Perm: perm, Handler: a.wrap(perm, h)}
}

// Handler returns the API on its own mux.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range a.Routes() {
		mux.Handle(r.Pattern, r.Handler)
	}
	mux.Handle("/api/", a.wrap("", func(*http.Request) (any, error) {
		return nil, fmt.Errorf("no such API route: %w", store.ErrNotFound)
	}))
	return mux
}

func (a *API) maxBody() int64 {
	if a.MaxBody > 0 {
		return a.MaxBody
	}
	return 10 << 20
}

func (a *API) wrap(perm Perm, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, a.maxBody())
		var v any
		var err error
		if perm != "" && a.Authorize != nil {
			var actor string
			if actor, err = a.Authorize(r, perm); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), actorKey{}, actor))
			}
		}
		if err == nil {
			v, err = h(r)
		}
		if err != nil {
			status, msg := a.status(r, err)
			writeJSON(w, status, apiError{Error: msg, Status: status, Field: review.Field(err)})
			return
		}
		status := http.StatusOK
		if c, ok := v.(created); ok {
			status, v = http.StatusCreated, c.v
		}
		writeJSON(w, status, v)
	})
}

// created marks a result as a newly made resource (201).
type created struct{ v any }

func (a *API) status(r *http.Request, err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", a.maxBody())
	case review.Status(err) != 0:
		// The review service's kinds, mapped as the UI maps them.
		return review.Status(err), err.Error()
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, ErrUnauthenticated):
		return http.StatusUnauthorized, err.Error()
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, err.Error()
	case errors.Is(err, context.Canceled):
		return 499, "request cancelled"
	}
	log := a.Log
	if log == nil {
		log = slog.Default()
	}
	log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "internal error; see the server log"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// decodeBody decodes a JSON body into v, refusing unknown fields.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fmt.Errorf("%w: body: %v", errBadRequest, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: body: trailing data after the JSON value", errBadRequest)
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: id %q is not a positive integer", errBadRequest, r.PathValue("id"))
	}
	return id, nil
}

func queryInt(r *http.Request, name string, def, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s=%q is not a non-negative integer", errBadRequest, name, s)
	}
	if max > 0 && n > max {
		n = max
	}
	return n, nil
}
