package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

type searchHit struct {
	Post     model.Post
	Segments []segment
	CaseID   int64
}

// pager is the position in a paged list and the links around it.
type pager struct {
	Page, Size, Total, Pages int
	// From and To number the first and last item shown, from 1.
	From, To         int
	PrevURL, NextURL string
	// Sizes are the page sizes to choose from.
	Sizes []int
}

// pageSizes are the page sizes offered; the first is the default.
var pageSizes = []int{25, 50, 100}

// pageOf reads page and size from q.
func pageOf(q url.Values) (page, size int, err error) {
	page, size = 1, pageSizes[0]
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 100000 {
			return 0, 0, badInput("page", "page_number", v)
		}
	}
	if v := q.Get("size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 100 {
			return 0, 0, badInput("size", "page_size", v)
		}
	}
	return page, size, nil
}

// newPager makes the pager of path?q at page, linking its neighbours.
func newPager(path string, q url.Values, page, size, total, shown int) pager {
	p := pager{Page: page, Size: size, Total: total, Pages: (total + size - 1) / size, Sizes: pageSizes}
	if shown > 0 {
		p.From = (page-1)*size + 1
		p.To = p.From + shown - 1
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(min(page-1, max(p.Pages, 1)))
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	return p
}

type searchData struct {
	Q, Author, Platform, Lang, Label, State, From, To string
	Hits                                              []searchHit
	Searched                                          bool
	Pager                                             pager
	// Query is the search as a URL query without its page, for saving.
	Query     string
	Saved     []store.SavedSearch
	Labels    []model.Label
	States    []model.CaseState
	Platforms []string
	Langs     []string
}

// searchFields are the query parameters of a search, besides its page.
var searchFields = []string{"q", "author", "platform", "lang", "label", "state", "from", "to"}

// search finds posts by their words, author, source, language, case and
// dates, for analysts following a phrase or an account across sources.
// Searches are audited: they read raw content.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	d := searchData{Q: get("q"), Author: get("author"), Platform: get("platform"), Lang: get("lang"), Label: get("label"), State: get("state"),
		From: get("from"), To: get("to"), Labels: model.Labels, States: store.CaseStates, Langs: []string{"ar", "en", "fr"}}
	var err error
	if d.Platforms, err = h.platforms(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Saved, err = h.st.SavedSearches(ctx, user(r).Name, store.SavedSearchPosts); err != nil {
		h.fail(w, r, err)
		return
	}
	page, size, err := pageOf(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := store.SearchFilter{Text: d.Q, Author: d.Author, Platform: d.Platform, Lang: d.Lang, Label: model.Label(d.Label), State: d.State,
		Offset: (page - 1) * size, Limit: size}
	if f.From, err = day(d.From, "from"); err == nil {
		f.To, err = day(d.To, "to")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the "to" day is included
	}
	keep := url.Values{}
	for _, k := range searchFields {
		if v := get(k); v != "" {
			keep.Set(k, v)
		}
	}
	d.Query = keep.Encode()
	if len(keep) > 0 {
		d.Searched = true
		res, err := h.st.SearchPosts(ctx, f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ids := make([]int64, len(res.Posts))
		for i, p := range res.Posts {
			ids[i] = p.ID
		}
		cases, err := h.st.CaseIDsByPost(ctx, ids)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, p := range res.Posts {
			d.Hits = append(d.Hits, searchHit{Post: p, Segments: highlight(p.Text, []string{d.Q}), CaseID: cases[p.ID]})
		}
		d.Pager = newPager("/search", keep, page, size, res.Total, len(res.Posts))
		if err := h.st.Audit(ctx, user(r).Name, "post.search", "posts", d.Query); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "search", "search", d, nil)
}

// day reads a YYYY-MM-DD date field; empty is the zero time.
func day(v, field string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, badInput(field, "date_format", v)
	}
	return t, nil
}

// platforms lists the platforms posts came from, for filters.
func (h *Handler) platforms(ctx context.Context) ([]string, error) {
	return h.st.Platforms(ctx)
}

// saveSearch keeps the search or queue filter in the form under a name
// for the signed-in user.
func (h *Handler) saveSearch(w http.ResponseWriter, r *http.Request) {
	kind, path := savedKind(r)
	ss := &store.SavedSearch{User: user(r).Name, Kind: kind, Name: r.PostFormValue("name"), Query: strings.TrimPrefix(r.PostFormValue("query"), "?")}
	if _, err := url.ParseQuery(ss.Query); err != nil {
		h.fail(w, r, badInput("query", "query_unreadable"))
		return
	}
	if err := h.st.SaveSearch(r.Context(), ss); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, path+"?"+ss.Query, http.StatusSeeOther)
}

// deleteSearch removes one of the user's saved searches or filters.
func (h *Handler) deleteSearch(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.st.DeleteSavedSearch(r.Context(), user(r).Name, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, path := savedKind(r)
	back(w, r, path, "search_deleted")
}

// savedKind tells a saved search from a saved queue filter by the path
// the form was sent to.
func savedKind(r *http.Request) (kind, path string) {
	if strings.HasPrefix(r.URL.Path, "/queue/") {
		return store.SavedQueueFilter, "/queue"
	}
	return store.SavedSearchPosts, "/search"
}
