package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
)

type orderList struct {
	Total  int           `json:"total"`
	Offset int           `json:"offset"`
	Limit  int           `json:"limit"`
	Orders []store.Order `json:"orders"`
}

func (a *API) listOrders(r *http.Request) (any, error) {
	q := review.OrderQuery{Status: r.URL.Query().Get("state"), Platform: r.URL.Query().Get("platform")}
	// A caller limited to one platform lists only the orders sent to it.
	var err error
	if q.Platform, err = scopedPlatform(r.Context(), q.Platform); err != nil {
		return nil, err
	}
	if q.Limit, err = queryInt(r, "limit", 50, 500); err != nil {
		return nil, err
	}
	if q.Offset, err = queryInt(r, "offset", 0, 0); err != nil {
		return nil, err
	}
	list, total, err := a.review().Orders(r.Context(), q)
	if err != nil {
		return nil, err
	}
	return orderList{Total: total, Offset: q.Offset, Limit: q.Limit, Orders: orEmpty(list)}, nil
}

type orderRequest struct {
	CaseID        int64      `json:"case_id"`
	Kind          string     `json:"kind"`
	Platform      string     `json:"platform"`
	ContentURL    string     `json:"content_url"`
	LegalBasis    string     `json:"legal_basis"`
	Justification string     `json:"justification"`
	Deadline      *time.Time `json:"deadline"`
}

func (a *API) issueOrder(r *http.Request) (any, error) {
	var req orderRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	or := review.OrderRequest{CaseID: req.CaseID, Kind: req.Kind, Platform: req.Platform, ContentURL: req.ContentURL,
		LegalBasis: req.LegalBasis, Justification: req.Justification}
	if req.Deadline != nil {
		or.DeadlineAt = *req.Deadline
	}
	if err := a.mayOrder(r, or); err != nil {
		return nil, err
	}
	o, err := a.review().IssueOrder(r.Context(), or, Actor(r.Context()))
	if err != nil {
		return nil, err
	}
	return created{o}, nil
}

type withdrawRequest struct {
	Reason string `json:"reason"`
}

func (a *API) withdrawOrder(r *http.Request) (any, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	var req withdrawRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if limitOf(r.Context()) != nil {
		// Another platform's order is not found, as its cases are not.
		o, err := a.Store.Order(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if err := visible(r.Context(), o.Platform, fmt.Sprintf("order %d", id)); err != nil {
			return nil, err
		}
	}
	return a.review().WithdrawOrder(r.Context(), id, Actor(r.Context()), req.Reason)
}

// mayOrder refuses, for a caller limited to one platform, an order to
// another platform (403) or about a case of another platform (not found,
// as the case itself is not).
func (a *API) mayOrder(r *http.Request, or review.OrderRequest) error {
	ctx := r.Context()
	l := limitOf(ctx)
	if l == nil {
		return nil
	}
	if l.platform == "" {
		return errNoPlatform
	}
	if p := strings.TrimSpace(or.Platform); p != "" && p != l.platform {
		return fmt.Errorf("%w: this API key issues orders only to platform %q", ErrForbidden, l.platform)
	}
	if or.CaseID <= 0 {
		return nil // the review service names the missing case
	}
	c, err := a.Store.Case(ctx, or.CaseID)
	if err != nil {
		return err
	}
	return visible(ctx, c.Platform, fmt.Sprintf("case %d", or.CaseID))
}
