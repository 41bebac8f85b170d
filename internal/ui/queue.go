package ui

import (
	"net/http"
	"net/url"
	"slices"
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
	Pager     pager
	// Query is the filter as a URL query without its page, for saving.
	Query string
	Saved []store.SavedSearch
}

// bankFilterScan bounds how many cases are read when filtering by bank,
// which the store cannot do in SQL: the bank is inside the case's reasons.
const bankFilterScan = 500

// queueFields are the query parameters of a queue filter, besides its page.
var queueFields = []string{"state", "label", "lang", "source", "bank", "size"}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	page, size, err := pageOf(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := store.CaseFilter{State: model.CaseState(q.Get("state")), Label: model.Label(q.Get("label")), Lang: q.Get("lang"), Platform: q.Get("source"),
		Offset: (page - 1) * size, Limit: size}
	if !q.Has("state") {
		f.State = model.CaseOpen
	}
	if q.Get("state") == "all" {
		f.State = ""
	}
	if f.State != "" && !slices.Contains(store.CaseStates, f.State) {
		h.fail(w, r, badInput("state", "state_unknown", string(f.State)))
		return
	}
	if f.Label != "" && !f.Label.Valid() {
		h.fail(w, r, badInput("label", "label_unknown", f.Label))
		return
	}
	d := queueData{Filter: f, Bank: q.Get("bank"), Labels: model.Labels, Now: time.Now(), States: store.CaseStates}
	keep := url.Values{}
	for _, k := range queueFields {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	d.Query = keep.Encode()
	if d.Bank != "" {
		f.Offset, f.Limit = 0, bankFilterScan
	}
	reach, err := h.reach(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !reach.All {
		f.Platform = reach.Platform
	}
	var cases []model.Case
	var total int
	if reach.All || reach.Platform != "" {
		// An agency sees no cases until something is shared with it.
		if cases, total, err = h.st.Cases(ctx, f); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if d.Bank != "" {
		var in []model.Case
		for _, c := range cases {
			if slices.ContainsFunc(c.Reasons, func(rs model.Reason) bool { return rs.Bank == d.Bank }) {
				in = append(in, c)
			}
		}
		total = len(in)
		from := min((page-1)*size, total)
		cases = in[from:min(from+size, total)]
	}
	d.Cases, d.Total = cases, total
	d.Pager = newPager("/queue", keep, page, size, total, len(cases))
	if d.Banks, err = h.st.Banks(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Platforms, err = h.platforms(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	if !reach.All {
		// Another organisation neither sees the unit's banks nor learns
		// which platforms it watches.
		d.Banks, d.Platforms = nil, nil
		if reach.Platform != "" {
			d.Platforms = []string{reach.Platform}
		}
	}
	if d.Saved, err = h.st.SavedSearches(ctx, user(r).Name, store.SavedQueueFilter); err != nil {
		h.fail(w, r, err)
		return
	}
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
