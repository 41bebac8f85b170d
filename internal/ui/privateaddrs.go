package ui

import (
	"errors"
	"net/http"

	"github.com/marsad/marsad/internal/netguard"
)

type privateAddrsData struct {
	// Config is the list set when marsad was started (--allow-private),
	// shown but not changed here; Stored the one this page keeps.
	Config, Stored string
	// Form is what was typed when a change was refused.
	Form    string
	Refused bool
}

func (h *Handler) privateAddrs(w http.ResponseWriter, r *http.Request) {
	h.renderPrivateAddrs(w, r, http.StatusOK, privateAddrsData{}, nil)
}

func (h *Handler) renderPrivateAddrs(w http.ResponseWriter, r *http.Request, status int, d privateAddrsData, fl *flash) {
	if h.cfg.Guard == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	config, stored := h.cfg.Guard.Lists()
	d.Config, d.Stored = config.String(), stored.String()
	if !d.Refused {
		d.Form = d.Stored
	}
	h.render(w, r, status, "privateaddrs", "admin", d, fl)
}

// savePrivateAddrs replaces the stored allow-list; the rule and the
// audited change are netguard's.
func (h *Handler) savePrivateAddrs(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Guard == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	raw := r.PostFormValue("allow")
	if _, err := h.cfg.Guard.Save(r.Context(), h.st, raw, user(r).Name); err != nil {
		var ee *netguard.EntryError
		if !errors.As(err, &ee) {
			h.fail(w, r, err)
			return
		}
		loc := h.locales[h.lang(r)]
		h.renderPrivateAddrs(w, r, http.StatusBadRequest, privateAddrsData{Form: raw, Refused: true},
			&flash{Kind: "error", Text: loc.T("err.allow_"+ee.Code, ee.Entry)})
		return
	}
	back(w, r, "/admin/private-addresses", "private_saved")
}
