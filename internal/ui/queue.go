package ui

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

type queueData struct {
	Cases     []model.Case
	Total     int
	Filter    store.CaseFilter
	Bank      string
	Labels    []model.Label
	Banks     []model.Bank
	Platforms []string
	Langs     []string
	States    []model.CaseState
	Now       time.Time
}

// bankFilterScan bounds how many cases are read when filtering by bank,
// which the store cannot do in SQL: the bank is inside the case's reasons.
const bankFilterScan = 500

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := store.CaseFilter{State: model.CaseState(q.Get("state")), Label: model.Label(q.Get("label")), Lang: q.Get("lang"), Platform: q.Get("source"), Limit: 100}
	if !q.Has("state") {
		f.State = model.CaseOpen
	}
	if q.Get("state") == "all" {
		f.State = ""
	}
	if f.Label != "" && !f.Label.Valid() {
		h.fail(w, r, badInput("label", "label_unknown", f.Label))
		return
	}
	d := queueData{Filter: f, Bank: q.Get("bank"), Labels: model.Labels, Now: time.Now(),
		States: []model.CaseState{model.CaseOpen, model.CaseAppealed, model.CaseDecided, model.CaseActioned, model.CaseClosed}}
	if d.Bank != "" {
		f.Limit = bankFilterScan
	}
	cases, total, err := h.st.Cases(ctx, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Bank != "" {
		var in []model.Case
		for _, c := range cases {
			if slices.ContainsFunc(c.Reasons, func(rs model.Reason) bool { return rs.Bank == d.Bank }) {
				in = append(in, c)
			}
		}
		cases, total = in, len(in)
	}
	d.Cases, d.Total = cases, total
	if d.Banks, err = h.st.Banks(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.st.Stats(ctx, time.Unix(0, 0), time.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for p := range st.Platforms {
		if p != "" {
			d.Platforms = append(d.Platforms, p)
		}
	}
	sort.Strings(d.Platforms)
	d.Langs = []string{"ar", "en", "fr"}
	h.render(w, r, http.StatusOK, "queue", "queue", d, nil)
}

func (h *Handler) claim(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = h.rv.Claim(r.Context(), id, user(r).Name)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/cases/"+strconv.FormatInt(id, 10), "claimed")
}

func (h *Handler) release(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		p := user(r)
		_, err = h.rv.Release(r.Context(), id, p.Name, p.Can("admin"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}
