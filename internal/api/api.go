// Package api serves marsad's HTTP JSON API under /api/v1.
//
// Handlers are written as func(*http.Request) (any, error) and wrapped once:
// the wrapper writes JSON, and maps the store's typed errors to status codes
// so no user sees a raw database error.
package api

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
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
	// and names the actor for the audit log; it calls LimitToPlatform for
	// a caller that may see only one platform. Nil lets every request in
	// as "local", for a server bound to loopback with no users yet.
	Authorize func(r *http.Request, perm Perm) (actor string, err error)
}

// Perm is what a route needs: the auth layer maps roles and API-key
// scopes onto these.
type Perm string

// Permissions.
const (
	PermRead   Perm = "read"   // cases, posts, banks
	PermAudit  Perm = "audit"  // the internal audit log
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
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Content-Type", "application/json")
			w.Write(openAPI)
		})},
		a.route("POST /api/v1/posts", PermIngest, a.createPosts),
		a.route("GET /api/v1/posts/{id}", PermRead, a.getPost),
		a.route("GET /api/v1/cases", PermRead, a.listCases),
		a.route("GET /api/v1/cases/{id}", PermRead, a.getCase),
		a.route("POST /api/v1/cases/{id}/decision", PermDecide, a.decide),
		a.route("POST /api/v1/cases/{id}/bulk-decision", PermDecide, a.bulkDecide),
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
		a.route("GET /api/v1/audit", PermAudit, a.listAudit),
		a.route("GET /api/v1/audit/verify", PermAudit, a.verifyAudit),
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
	return Route{Pattern: pattern, Perm: perm, Handler: a.wrap(pattern, perm, h)}
}

// Handler returns the API on its own mux. A path no route has is a JSON
// 404; a path a route has, with another method, is a JSON 405 with Allow.
func (a *API) Handler() http.Handler {
	routes := http.NewServeMux()
	for _, r := range a.Routes() {
		routes.Handle(r.Pattern, r.Handler)
	}
	fallback := a.wrap("", "", func(r *http.Request) (any, error) {
		if allow := allowed(routes, r); len(allow) > 0 {
			return nil, &methodError{method: r.Method, allow: allow}
		}
		return nil, fmt.Errorf("no such API route: %w", store.ErrNotFound)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ServeMux answers a wrong method itself, in plain text, only when
		// no pattern matches any method; so ask it for the pattern and
		// answer misses here.
		if _, pattern := routes.Handler(r); pattern == "" {
			fallback.ServeHTTP(w, r)
			return
		}
		routes.ServeHTTP(w, r)
	})
}

// methods are the methods the API's routes use, in Allow's order.
var methods = []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPatch, http.MethodPost, http.MethodPut}

// allowed lists the methods mux has a route for at r's path.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" {
			out = append(out, m)
		}
	}
	return out
}

// methodError is a request with a method its path does not take (405).
type methodError struct {
	method string
	allow  []string
}

func (e *methodError) Error() string {
	return fmt.Sprintf("method %s not allowed here; use %s", e.method, strings.Join(e.allow, ", "))
}

func (a *API) maxBody() int64 {
	if a.MaxBody > 0 {
		return a.MaxBody
	}
	return 10 << 20
}

func (a *API) wrap(pattern string, perm Perm, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Answers carry post text, audit details and names: never cache them.
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, a.maxBody())
		r = withLimit(r)
		var v any
		err := checkRequestText(r, pattern)
		if err == nil && perm != "" && a.Authorize != nil {
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
			var me *methodError
			switch {
			case status == http.StatusServiceUnavailable:
				w.Header().Set("Retry-After", retryAfter)
			case errors.As(err, &me):
				w.Header().Set("Allow", strings.Join(me.allow, ", "))
			}
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

// retryAfter is the Retry-After of a 503, in seconds.
const retryAfter = "5"

// status maps an error to its status code and the message the caller sees.
// It is the one place where error kinds become status codes: handlers and
// the authorizer return typed errors and never write a status themselves.
func (a *API) status(r *http.Request, err error) (int, string) {
	var mbe *http.MaxBytesError
	var me *methodError
	switch {
	case errors.As(err, &mbe), errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", a.maxBody())
	case errors.As(err, &me):
		return http.StatusMethodNotAllowed, me.Error()
	case store.DiskFull(err):
		a.logger().Error("api: disk full: nothing more can be stored until space is freed", "method", r.Method, "path", r.URL.Path, "err", err)
		return http.StatusServiceUnavailable, store.ErrDiskFull.Error()
	case store.Transient(err):
		a.logger().Warn("api: store unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		return http.StatusServiceUnavailable, store.ErrUnavailable.Error()
	case review.Status(err) != 0:
		// The review service's kinds, mapped as the UI maps them.
		return review.Status(err), err.Error()
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists):
		return http.StatusConflict, err.Error()
	case errors.Is(err, pipeline.ErrNoVideoHashing):
		return http.StatusServiceUnavailable, err.Error()
	case errors.Is(err, store.ErrInvalid), errors.Is(err, errBadRequest):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, ErrUnauthenticated):
		return http.StatusUnauthorized, err.Error()
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, err.Error()
	case errors.Is(err, context.Canceled):
		return 499, "request cancelled"
	}
	a.logger().Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "internal error; see the server log"
}

func (a *API) logger() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// readBody reads the whole request body. A failure to read it is the
// client's (a body shorter than its Content-Length, a dropped connection)
// or too large a body, and is kept apart from the store's faults, which
// can end the same way (a database connection cut mid-answer is also an
// unexpected EOF) but are answered 503.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyError(err)
	}
	return body, nil
}

// bodyError is err, met while reading the request body, as the request's
// fault: 413 for too large a body, 400 otherwise.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: body: shorter than its Content-Length", errBadRequest)
	}
	return fmt.Errorf("%w: body: %v", errBadRequest, err)
}

// decodeBody decodes a JSON body into v, refusing unknown fields and text
// that is not UTF-8 or holds a NUL.
func decodeBody(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// decodeJSON decodes body into v as decodeBody does.
func decodeJSON(body []byte, v any) error {
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
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
