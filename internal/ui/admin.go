package ui

import (
	"net/http"
	"strings"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/store"
)

type adminData struct {
	Users         []store.User
	Keys          []store.APIKey
	Roles         []string
	Scopes        []string
	WebhookURL    string
	SecretSet     bool
	RetentionDays int
	// Texts are the unit's legal basis and notice requests.
	Texts   action.Texts
	NewKey  string
	Models  bool // the Text models page is served
	Sources bool // the Sources page is served
	Private bool // the Private addresses page is served
	// NewRole is the role the Add user form offers first: the least
	// privilege.
	NewRole string
	// Langs are the languages a user may be given.
	Langs []string
	// Orgs are the organisations a new user or key may belong to.
	Orgs []store.Organisation
	formState
}

func (h *Handler) admin(w http.ResponseWriter, r *http.Request) {
	h.renderAdmin(w, r, http.StatusOK, "", nil, formState{})
}

func (h *Handler) renderAdmin(w http.ResponseWriter, r *http.Request, status int, newKey string, fl *flash, fs formState) {
	ctx := r.Context()
	d := adminData{Roles: auth.Roles, Scopes: auth.Scopes, NewKey: newKey, Models: h.cfg.Models != nil, Sources: h.cfg.Sources != nil, Private: h.cfg.Guard != nil, NewRole: auth.RoleAnalyst, formState: fs, Langs: h.langs()}
	var err error
	if d.Users, err = h.st.Users(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Keys, err = h.st.APIKeys(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Orgs, err = h.orgs.List(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	addr, secret, err := h.cfg.Actions.WebhookConfig(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.WebhookURL, d.SecretSet = addr, len(secret) > 0
	ret, err := evidence.Retention(ctx, h.st)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.RetentionDays = int(ret.Hours() / 24)
	if d.Texts, err = h.cfg.Actions.Texts(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "admin", "admin", d, fl)
}

func (h *Handler) adminError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		h.fail(w, r, err)
		return
	}
	// The form is named by the path: users, keys, settings, or the user's
	// name for a change to one user.
	form := strings.TrimPrefix(r.URL.Path, "/admin/")
	h.renderAdmin(w, r, status, "", &flash{Kind: "error", Text: errText(h.locales[h.lang(r)], err)}, newFormState(r, form, err))
}

func (h *Handler) addUser(w http.ResponseWriter, r *http.Request) {
	_, err := h.orgs.AddUser(r.Context(), user(r), r.PostFormValue("org"), r.PostFormValue("name"), r.PostFormValue("role"), r.PostFormValue("password"), r.PostFormValue("lang"))
	if err != nil {
		h.adminError(w, r, err)
		return
	}
	back(w, r, "/admin", "user_added")
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := h.st.UserByName(ctx, r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if role := r.PostFormValue("role"); role != "" {
		if !auth.ValidRole(role) {
			h.adminError(w, r, badInput("role", "role_unknown", role))
			return
		}
		if err := h.orgs.RoleAllowed(ctx, u.OrgID, role); err != nil {
			h.adminError(w, r, err)
			return
		}
		u.Role = role
	}
	u.Disabled = r.PostFormValue("disabled") == "1"
	if u.Name == user(r).Name && (u.Disabled || u.Role != auth.RoleAdmin) {
		h.adminError(w, r, badInput("role", "self_demote"))
		return
	}
	if err := h.st.UpdateUser(ctx, u, user(r).Name); err != nil {
		h.fail(w, r, err)
		return
	}
	if pw := r.PostFormValue("password"); pw != "" {
		if err := h.auth.SetPassword(ctx, u.Name, pw, user(r).Name); err != nil {
			h.adminError(w, r, err)
			return
		}
	}
	back(w, r, "/admin", "user_updated")
}

func (h *Handler) addKey(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badInput("form", "form_unreadable"))
		return
	}
	key, _, err := h.orgs.AddKey(r.Context(), user(r), r.PostFormValue("org"), strings.TrimSpace(r.PostFormValue("name")), r.PostForm["scope"], r.PostFormValue("platform"))
	if err != nil {
		h.adminError(w, r, err)
		return
	}
	// The key is shown once, in this response; only its hash is kept.
	h.renderAdmin(w, r, http.StatusOK, key, nil, formState{})
}

func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.st.RevokeAPIKey(r.Context(), id, user(r).Name)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/admin", "key_revoked")
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badInput("form", "form_unreadable"))
		return
	}
	f := action.SettingsForm{WebhookURL: r.PostFormValue("webhook_url"), WebhookSecret: r.PostFormValue("webhook_secret"),
		RetentionDays: r.PostFormValue("retention_days"), Texts: map[string]string{}}
	for _, field := range []string{"legal_basis", "removal_text", "referral_text"} {
		if _, sent := r.PostForm[field]; sent {
			f.Texts[field] = r.PostFormValue(field)
		}
	}
	if err := h.cfg.Actions.SaveSettings(r.Context(), f, user(r).Name); err != nil {
		h.adminError(w, r, err)
		return
	}
	back(w, r, "/admin", "settings")
}
