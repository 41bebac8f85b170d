package api

import (
	"errors"
	"net/http"

	"github.com/marsad/marsad/internal/store"
)

func (a *API) listAudit(r *http.Request) (any, error) {
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		return nil, err
	}
	after, err := queryInt(r, "after_seq", 0, 0)
	if err != nil {
		return nil, err
	}
	evs, err := a.Store.AuditEvents(r.Context(), store.AuditFilter{Subject: r.URL.Query().Get("subject"), AfterSeq: int64(after), Limit: limit})
	return orEmpty(evs), err
}

type verifyResult struct {
	OK      bool   `json:"ok"`
	Checked int64  `json:"checked"`
	BadSeq  int64  `json:"bad_seq,omitempty"`
	Problem string `json:"problem,omitempty"`
}

func (a *API) verifyAudit(r *http.Request) (any, error) {
	n, err := a.Store.VerifyAudit(r.Context())
	var p *store.AuditProblem
	if errors.As(err, &p) {
		return verifyResult{Checked: n, BadSeq: p.Seq, Problem: p.Reason}, nil
	}
	if err != nil {
		return nil, err
	}
	return verifyResult{OK: true, Checked: n}, nil
}
