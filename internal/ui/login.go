package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/auth"
)

type loginData struct {
	Next  string
	Name  string
	Token string
	Other string // the language to offer switching to
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	if l := r.URL.Query().Get("lang"); h.locales[l] != nil {
		http.SetCookie(w, &http.Cookie{Name: "marsad_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/login?next="+url.QueryEscape(localPath(r.FormValue("next"))), http.StatusSeeOther)
		return
	}
	if p := h.auth.Session(r); p != nil {
		http.Redirect(w, r, "/queue", http.StatusSeeOther)
		return
	}
	h.renderLogin(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, name string, fl *flash) {
	d := loginData{Next: localPath(r.FormValue("next")), Name: name, Token: h.auth.LoginCSRF(w, r), Other: "ar"}
	if h.lang(r) == "ar" {
		d.Other = "en"
	}
	h.render(w, r, status, "login", "", d, fl)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	loc := h.locales[h.lang(r)]
	if !h.auth.CheckLoginCSRF(r) {
		h.errorPage(w, r, http.StatusForbidden, loc.T("err.csrf"))
		return
	}
	name := r.PostFormValue("name")
	var old string
	if c, err := r.Cookie(auth.SessionCookie); err == nil {
		old = c.Value
	}
	token, p, err := h.auth.Login(r.Context(), name, r.PostFormValue("password"), h.auth.ClientAddr(r), old)
	var rl *auth.RateLimitError
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
		h.renderLogin(w, r, http.StatusTooManyRequests, name, &flash{Kind: "error", Text: loc.T("login.limited")})
		return
	case errors.Is(err, auth.ErrBadLogin):
		h.renderLogin(w, r, http.StatusUnauthorized, name, &flash{Kind: "error", Text: loc.T("login.bad")})
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.auth.SetSessionCookie(w, token)
	if c, err := r.Cookie("marsad_lang"); err == nil && h.locales[c.Value] != nil && c.Value != p.Lang {
		// A language chosen on the login page becomes the user's choice.
		if u, err := h.st.UserByName(r.Context(), p.Name); err == nil {
			u.Lang = c.Value
			_ = h.st.UpdateUser(r.Context(), u, p.Name)
		}
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.auth.Logout(r.Context(), user(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.auth.ClearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// zones are the time zones the preferences form suggests: those of the
// units marsad is written for. Any IANA name is accepted.
var zones = []string{"UTC", "Africa/Algiers", "Africa/Cairo", "Africa/Casablanca", "Africa/Tripoli", "Africa/Tunis", "Asia/Amman", "Asia/Baghdad",
	"Asia/Beirut", "Asia/Damascus", "Asia/Dubai", "Asia/Kuwait", "Asia/Qatar", "Asia/Riyadh", "Europe/Berlin", "Europe/Brussels", "Europe/London",
	"Europe/Paris"}

// setPrefs keeps the user's time zone: times are shown in it.
func (h *Handler) setPrefs(w http.ResponseWriter, r *http.Request) {
	tz := strings.TrimSpace(r.PostFormValue("tz"))
	if tz == "UTC" {
		tz = ""
	}
	if _, err := time.LoadLocation(tz); err != nil || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") {
		h.fail(w, r, badInput("tz", "tz_unknown"))
		return
	}
	p := user(r)
	u, err := h.st.UserByName(r.Context(), p.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u.TZ = tz
	if err := h.st.UpdateUser(r.Context(), u, p.Name); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

func (h *Handler) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PostFormValue("lang")
	if h.locales[l] == nil {
		h.fail(w, r, badInput("lang", "lang_unknown", l))
		return
	}
	p := user(r)
	u, err := h.st.UserByName(r.Context(), p.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u.Lang = l
	if err := h.st.UpdateUser(r.Context(), u, p.Name); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "marsad_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}
