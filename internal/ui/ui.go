// Package ui is marsad's web interface for reviewers and analysts: the
// queue, the case page with its decision, bank and order forms, appeals,
// orders, evidence, a dashboard and the admin pages. Pages are rendered on
// the server from embedded templates in English and Arabic (right to left);
// the little JavaScript there reveals blurred media, confirms, counts
// deadlines down and adds keyboard shortcuts; every page works without it.
package ui

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	// Time zone names must resolve on hosts without a zoneinfo database.
	_ "time/tzdata"
	"unicode"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/banks"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/source"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/textmodel"
)

//go:embed templates static translations
var assets embed.FS

// Config is what the UI needs.
type Config struct {
	Store    *store.Store
	Auth     *auth.Service
	Actions  *action.Service
	Evidence *evidence.Keeper
	// Review applies the review rules; nil makes one over Store and Actions.
	Review *review.Service
	// Media finds the locally stored copies of posts' media; media is
	// served only from there, never fetched from where it was published.
	Media evidence.Media
	// Models trains text models from decisions and switches the live
	// one; nil leaves the Text models page out.
	Models *textmodel.Service
	// Banks applies the rules of bank management; nil makes one over
	// Store that tells no index of new entries.
	Banks *banks.Service
	// Sources manages the sources posts are collected from; nil leaves
	// the Sources page out.
	Sources *source.Service
	// Guard is the allow-list of inside addresses sources and the
	// webhook may reach; nil leaves the Private addresses page out.
	Guard *netguard.Guard
	// Issuer names the unit on notices, e.g. "National CT Unit".
	Issuer string
	// Orgs decides what members of each organisation see; nil makes one.
	Orgs   *org.Service
	Logger *slog.Logger
}

// Handler serves the UI.
type Handler struct {
	cfg  Config
	st   *store.Store
	rv   *review.Service
	bk   *banks.Service
	auth *auth.Service
	orgs *org.Service
	// pages holds the parsed templates by language and time zone, each
	// set parsed when a user with that pair first asks for a page.
	pagesMu sync.Mutex
	pages   map[string]map[string]*template.Template // lang + " " + tz → page → template
	locales map[string]*Locale
	log     *slog.Logger
	mux     *http.ServeMux
}

// pageNames lists the templates in templates/ besides layout.html,
// netgraph.html and charts.html, which every page may use.
var pageNames = []string{"login", "queue", "case", "orders", "evidence", "dashboard", "report", "banks", "admin", "search", "networks", "models", "sources", "privateaddrs", "orgs", "error"}

// New returns the UI handler. Mount it at "/".
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Auth == nil || cfg.Actions == nil || cfg.Evidence == nil {
		return nil, errors.New("ui: Store, Auth, Actions and Evidence are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "marsad"
	}
	if cfg.Review == nil {
		cfg.Review = review.New(cfg.Store, cfg.Actions, cfg.Logger)
	}
	if cfg.Banks == nil {
		cfg.Banks = banks.New(cfg.Store, nil)
	}
	h := &Handler{cfg: cfg, st: cfg.Store, rv: cfg.Review, bk: cfg.Banks, log: cfg.Logger, pages: map[string]map[string]*template.Template{}}
	h.auth = cfg.Auth.WithDeny(h.deny)
	if h.orgs = cfg.Orgs; h.orgs == nil {
		h.orgs = org.New(cfg.Store, cfg.Auth)
	}
	var err error
	if h.locales, err = loadLocales(assets); err != nil {
		return nil, err
	}
	for lang := range h.locales {
		if _, err := h.templates(lang, ""); err != nil {
			return nil, err
		}
	}
	h.routes()
	return h, nil
}

// templates returns the page templates of a language and time zone (an
// IANA name; "" is UTC), parsing them the first time.
func (h *Handler) templates(lang, tz string) (map[string]*template.Template, error) {
	h.pagesMu.Lock()
	defer h.pagesMu.Unlock()
	key := lang + " " + tz
	if set := h.pages[key]; set != nil {
		return set, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("ui: time zone %q: %w", tz, err)
	}
	set := map[string]*template.Template{}
	for _, p := range pageNames {
		t, err := template.New("layout").Funcs(funcs(h.locales[lang], loc)).ParseFS(assets, "templates/layout.html", "templates/netgraph.html", "templates/charts.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("ui: template %s: %w", p, err)
		}
		set[p] = t
	}
	h.pages[key] = set
	return set, nil
}

func (h *Handler) routes() {
	inner := http.NewServeMux()
	// Every page is the unit's alone unless registered with scoped, whose
	// handler shows members of a platform or an agency only what their
	// organisation may see (internal/org).
	role := func(r string, fn http.HandlerFunc) http.Handler { return h.auth.RequireRole(r, h.unitOnly(fn)) }
	scoped := func(r string, fn http.HandlerFunc) http.Handler { return h.auth.RequireRole(r, fn) }
	const (
		A = auth.RoleAnalyst
		R = auth.RoleReviewer
		D = auth.RoleAdmin
	)
	inner.Handle("GET /{$}", scoped(A, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/queue", http.StatusSeeOther) }))
	inner.Handle("POST /logout", scoped(A, h.logout))
	inner.Handle("POST /lang", scoped(A, h.setLang))
	inner.Handle("POST /prefs", scoped(A, h.setPrefs))
	inner.Handle("GET /queue", scoped(A, h.queue))
	inner.Handle("GET /cases/{id}", scoped(A, h.casePage))
	inner.Handle("POST /cases/{id}/claim", role(R, h.claim))
	inner.Handle("POST /cases/{id}/release", role(R, h.release))
	inner.Handle("POST /cases/{id}/decide", role(R, h.decide))
	inner.Handle("POST /cases/{id}/bank", role(R, h.addToBank))
	inner.Handle("POST /cases/{id}/orders", role(R, h.issueOrder))
	inner.Handle("POST /cases/{id}/appeal", role(R, h.appeal))
	inner.Handle("POST /cases/{id}/bulk", role(R, h.bulk))
	inner.Handle("GET /media/{post}/{n}", scoped(A, h.serveMedia))
	inner.Handle("GET /orders", scoped(A, h.orders))
	inner.Handle("GET /orders/export.csv", scoped(A, h.exportOrders))
	inner.Handle("GET /orders/{id}/notice", scoped(A, h.notice))
	inner.Handle("POST /orders/{id}/status", role(R, h.orderStatus))
	inner.Handle("POST /orders/{id}/deliver", role(R, h.redeliver))
	inner.Handle("POST /orders/{id}/withdraw", role(R, h.withdrawOrder))
	inner.Handle("GET /evidence", role(A, h.evidenceList))
	inner.Handle("GET /evidence/{id}/bundle", role(A, h.evidenceBundle))
	inner.Handle("POST /evidence/{id}/hold", role(D, h.evidenceHold))
	inner.Handle("POST /evidence/purge", role(D, h.evidencePurge))
	inner.Handle("GET /dashboard", role(A, h.dashboard))
	inner.Handle("GET /report", role(A, h.reportPage))
	inner.Handle("GET /report.csv", role(A, h.reportCSV))
	inner.Handle("GET /report.pdf", role(A, h.reportPDF))
	inner.Handle("GET /search", role(A, h.search))
	inner.Handle("POST /search/saved", role(A, h.saveSearch))
	inner.Handle("POST /search/saved/{id}/delete", role(A, h.deleteSearch))
	inner.Handle("POST /queue/saved", role(A, h.saveSearch))
	inner.Handle("POST /queue/saved/{id}/delete", role(A, h.deleteSearch))
	inner.Handle("GET /networks", role(A, h.networks))
	inner.Handle("GET /banks", role(A, h.banks))
	inner.Handle("POST /banks", role(D, h.createBank))
	inner.Handle("GET /banks/{name}", role(A, h.bank))
	inner.Handle("GET /banks/{name}/export.csv", role(A, h.exportBank))
	inner.Handle("POST /banks/{name}/enabled", role(D, h.setBankEnabled))
	inner.Handle("POST /banks/{name}/entries", role(D, h.addEntry))
	inner.Handle("POST /banks/{name}/import", role(D, h.importEntries))
	inner.Handle("POST /banks/{name}/entries/{id}/delete", role(D, h.removeEntry))
	inner.Handle("GET /admin", role(D, h.admin))
	inner.Handle("GET /admin/orgs", role(D, h.orgsPage))
	inner.Handle("POST /admin/orgs", role(D, h.addOrg))
	inner.Handle("POST /admin/users", role(D, h.addUser))
	inner.Handle("POST /admin/users/{name}", role(D, h.updateUser))
	inner.Handle("POST /admin/keys", role(D, h.addKey))
	inner.Handle("POST /admin/keys/{id}/revoke", role(D, h.revokeKey))
	inner.Handle("POST /admin/settings", role(D, h.saveSettings))
	inner.Handle("GET /admin/models", role(D, h.models))
	inner.Handle("POST /admin/models/train", role(D, h.trainModel))
	inner.Handle("POST /admin/models/default", role(D, h.builtinModel))
	inner.Handle("POST /admin/models/{id}/activate", role(D, h.activateModel))
	inner.Handle("GET /admin/sources", role(D, h.sources))
	inner.Handle("POST /admin/sources", role(D, h.addSource))
	inner.Handle("POST /admin/sources/{name}/{action}", role(D, h.changeSource))
	inner.Handle("GET /admin/private-addresses", role(D, h.privateAddrs))
	inner.Handle("POST /admin/private-addresses", role(D, h.savePrivateAddrs))
	inner.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.deny(w, r, http.StatusNotFound, "") }))

	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	// Login stands outside Authenticate: it has its own anti-forgery check
	// and must work whatever session cookie the browser brings.
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.Handle("/", h.auth.Authenticate(inner))
	h.mux = mux
}

// ServeHTTP serves the UI with headers that keep pages out of caches and
// forbid loading anything from outside: raw content must never make the
// analyst's browser contact a site it mentions.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		hd.Set("Cache-Control", "no-store")
	}
	h.mux.ServeHTTP(w, r)
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string
	Lang  string
	Dir   string
	Path  string
	User  *auth.Principal
	CSRF  string
	Flash *flash
	Data  any
	// Langs are the languages offered, for the language switch.
	Langs []string
	// Zones are time zones to suggest; any IANA name is accepted.
	Zones []string
	// Outside names the user's organisation when it is not the unit: the
	// menu then offers only the pages it may open.
	Outside string
}

type flash struct {
	Kind string // ok or error
	Text string
}

// langs lists the languages the UI is offered in, sorted.
func (h *Handler) langs() []string {
	out := make([]string, 0, len(h.locales))
	for l := range h.locales {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// lang picks the language of a request: the user's choice, then the
// language cookie, then the browser's preference.
func (h *Handler) lang(r *http.Request) string {
	if p := auth.FromContext(r.Context()); p != nil && h.locales[p.Lang] != nil {
		return p.Lang
	}
	if c, err := r.Cookie("marsad_lang"); err == nil && h.locales[c.Value] != nil {
		return c.Value
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "ar") {
		return "ar"
	}
	return "en"
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, nav string, data any, fl *flash) {
	lang := h.lang(r)
	loc := h.locales[lang]
	p := page{Title: loc.T("title." + name), Nav: nav, Lang: lang, Dir: loc.Dir, Path: r.URL.RequestURI(), Data: data, Flash: fl, Langs: h.langs(), Zones: zones}
	if u := auth.FromContext(r.Context()); u != nil {
		p.User, p.CSRF = u, u.CSRF
		if reach, err := h.reach(r); err == nil && !reach.Unit() {
			p.Outside = reach.Org.Name
		}
	}
	if fl == nil {
		if k := r.URL.Query().Get("ok"); k != "" && loc.Has("ok."+k) {
			p.Flash = &flash{Kind: "ok", Text: loc.T("ok." + k)}
		}
	}
	var b strings.Builder
	tz := ""
	if p.User != nil {
		tz = p.User.TZ
	}
	set, err := h.templates(lang, tz)
	if err != nil { // a zone no longer known: show UTC
		set, err = h.templates(lang, "")
	}
	if err == nil {
		err = set[name].ExecuteTemplate(&b, "layout", p)
	}
	if err != nil {
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, "page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// deny answers a refused or failed request with a page in the user's
// language; an anonymous browser asking for a page is sent to log in.
// msg is the English reason the auth layer gives; the page shows a
// translated one.
func (h *Handler) deny(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	loc := h.locales[h.lang(r)]
	var detail string
	switch {
	case msg == auth.ErrCSRF.Error():
		detail = loc.T("err.csrf")
	case strings.HasPrefix(msg, "this needs the "):
		detail = loc.T("err.role_needed")
	}
	h.errorPage(w, r, status, detail)
}

// errorPage renders the error page: the status in words and detail,
// which is already in the user's language.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, detail string) {
	loc := h.locales[h.lang(r)]
	key := "error." + strconv.Itoa(status)
	text := loc.T("error.other")
	if loc.Has(key) {
		text = loc.T(key)
	}
	h.render(w, r, status, "error", "", struct {
		Status int
		Text   string
		Detail string
	}{status, text, detail}, nil)
}

// fail maps an error from the store or the services to a status and page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	detail := ""
	if status == http.StatusInternalServerError {
		h.log.Error("request failed", "path", r.URL.Path, "err", err)
	} else {
		// a user never sees a raw database error, nor English made for logs
		detail = errText(h.locales[h.lang(r)], err)
	}
	h.errorPage(w, r, status, detail)
}

// statusOf maps an error to its status as the API does (review.Status),
// plus the UI's own kinds.
func statusOf(err error) int {
	if s := review.Status(err); s != 0 {
		return s
	}
	if s := org.Status(err); s != 0 {
		return s
	}
	var ae *auth.InputError
	var fe *action.FieldError
	switch {
	case errors.Is(err, errBadInput), errors.As(err, &ae), errors.As(err, &fe), errors.Is(err, source.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, evidence.ErrPurged), errors.Is(err, evidence.ErrIntegrity), errors.Is(err, textmodel.ErrBusy):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badInput(name, "not_number", r.PathValue(name))
	}
	return id, nil
}

func user(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// reach is what the signed-in user's organisation may see.
func (h *Handler) reach(r *http.Request) (org.Reach, error) {
	return h.orgs.Visible(r.Context(), user(r))
}

// unitOnly refuses members of a platform or an agency a page of the
// unit's own work.
func (h *Handler) unitOnly(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		reach, err := h.reach(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if !reach.Unit() {
			_ = h.st.Audit(r.Context(), user(r).Name, "access.denied", "path:"+r.URL.Path, r.Method+" is the unit's; the user belongs to "+reach.Org.Name)
			h.errorPage(w, r, http.StatusForbidden, h.locales[h.lang(r)].T("err.org_unit_only"))
			return
		}
		fn(w, r)
	}
}

// back redirects to path with a success message key.
func back(w http.ResponseWriter, r *http.Request, path, ok string) {
	http.Redirect(w, r, path+"?ok="+url.QueryEscape(ok), http.StatusSeeOther)
}

// localPath accepts only a path on this site as a redirect target: one
// "/" followed by anything but "/" or "\\", with no control characters or
// spaces (browsers drop a tab, so "/\t/evil.example" becomes "//evil.example")
// and nothing that parses as a scheme or host. Anything else is "/".
func localPath(p string) string {
	if len(p) < 1 || p[0] != '/' || len(p) > 2048 {
		return "/"
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	for _, r := range p {
		if r <= 0x20 || r == 0x7f || r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}
