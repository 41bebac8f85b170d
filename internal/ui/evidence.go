package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/mediameta"
)

type evidenceData struct {
	Evidence      []evidenceRow
	RetentionDays int
	// Fingerprint identifies the signing key, for verifiers to compare.
	Fingerprint string
}

// evidenceRow is one evidence record with its media's camera metadata.
type evidenceRow struct {
	store.Evidence
	Meta []*mediameta.Meta
}

func (h *Handler) evidenceList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	evs, err := h.st.EvidenceList(ctx, store.EvidenceFilter{Limit: 500})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ret, err := evidence.Retention(ctx, h.st)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The camera metadata of the preserved media: analysts see here which
	// records hold a GPS position, which shared copies leave out.
	rows := make([]evidenceRow, len(evs))
	posts := map[int64]*model.Post{}
	for i, ev := range evs {
		rows[i].Evidence = ev
		p, seen := posts[ev.PostID]
		if !seen {
			p, _ = h.st.Post(ctx, ev.PostID) // a deleted post leaves the record without metadata
			posts[ev.PostID] = p
		}
		if p == nil {
			continue
		}
		for _, m := range p.Media {
			if m.EXIF != nil {
				rows[i].Meta = append(rows[i].Meta, m.EXIF)
			}
		}
	}
	h.render(w, r, http.StatusOK, "evidence", "evidence", evidenceData{Evidence: rows, RetentionDays: int(ret.Hours() / 24),
		Fingerprint: evidence.Fingerprint(h.cfg.Evidence.PublicKey())}, nil)
}

func (h *Handler) evidenceBundle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Build the bundle in memory first, so a failure is a clear page and
	// not half a download.
	var buf bytes.Buffer
	if err := h.cfg.Evidence.Export(r.Context(), id, user(r).Name, &buf); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="marsad-evidence-%d.zip"`, id))
	_, _ = w.Write(buf.Bytes())
}

func (h *Handler) evidenceHold(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.st.SetEvidenceHold(r.Context(), id, r.PostFormValue("hold") == "1", user(r).Name)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/evidence", "hold")
}

func (h *Handler) evidencePurge(w http.ResponseWriter, r *http.Request) {
	ret, err := evidence.Retention(r.Context(), h.st)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.cfg.Evidence.Purge(r.Context(), ret, user(r).Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/evidence?ok=purged&n="+strconv.Itoa(n), http.StatusSeeOther)
}
