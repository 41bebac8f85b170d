package ui

import (
	"net/http"

	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/store"
)

// orgRow is an organisation with its members.
type orgRow struct {
	store.Organisation
	Users []store.User
	Keys  []store.APIKey
}

type orgsData struct {
	Orgs  []orgRow
	Kinds []string
	formState
}

func (h *Handler) orgsPage(w http.ResponseWriter, r *http.Request) {
	h.renderOrgs(w, r, http.StatusOK, nil, formState{})
}

func (h *Handler) renderOrgs(w http.ResponseWriter, r *http.Request, status int, fl *flash, fs formState) {
	ctx := r.Context()
	d := orgsData{Kinds: org.Kinds, formState: fs}
	orgs, err := h.orgs.List(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	users, err := h.st.Users(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	keys, err := h.st.APIKeys(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, o := range orgs {
		row := orgRow{Organisation: o}
		for _, u := range users {
			if u.OrgID == o.ID {
				row.Users = append(row.Users, u)
			}
		}
		for _, k := range keys {
			if k.OrgID == o.ID && k.RevokedAt.IsZero() {
				row.Keys = append(row.Keys, k)
			}
		}
		d.Orgs = append(d.Orgs, row)
	}
	h.render(w, r, status, "orgs", "admin", d, fl)
}

func (h *Handler) addOrg(w http.ResponseWriter, r *http.Request) {
	_, err := h.orgs.Create(r.Context(), user(r), r.PostFormValue("kind"), r.PostFormValue("name"), r.PostFormValue("platform"))
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			h.fail(w, r, err)
			return
		}
		h.renderOrgs(w, r, status, &flash{Kind: "error", Text: errText(h.locales[h.lang(r)], err)}, newFormState(r, "orgs", err))
		return
	}
	back(w, r, "/admin/orgs", "org_added")
}
