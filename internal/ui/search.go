package ui

import (
	"net/http"
	"strings"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

type searchHit struct {
	Post     model.Post
	Segments []segment
	CaseID   int64
}

type searchData struct {
	Q, Author string
	Hits      []searchHit
	Searched  bool
}

// search finds posts by their words or author, for analysts following a
// phrase or an account across sources. Searches are audited: they read
// raw content.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := searchData{Q: strings.TrimSpace(r.URL.Query().Get("q")), Author: strings.TrimSpace(r.URL.Query().Get("author"))}
	if d.Q != "" || d.Author != "" {
		d.Searched = true
		posts, err := h.st.SearchPosts(ctx, store.SearchFilter{Text: d.Q, Author: d.Author, Limit: 100})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ids := make([]int64, len(posts))
		for i, p := range posts {
			ids[i] = p.ID
		}
		cases, err := h.st.CaseIDsByPost(ctx, ids)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, p := range posts {
			d.Hits = append(d.Hits, searchHit{Post: p, Segments: highlight(p.Text, []string{d.Q}), CaseID: cases[p.ID]})
		}
		if err := h.st.Audit(ctx, user(r).Name, "post.search", "posts", "q="+d.Q+" author="+d.Author); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "search", "search", d, nil)
}
