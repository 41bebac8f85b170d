package api

import (
	"fmt"
	"net/http"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
)

type caseList struct {
	Total  int          `json:"total"`
	Offset int          `json:"offset"`
	Limit  int          `json:"limit"`
	Cases  []model.Case `json:"cases"`
}

func (a *API) listCases(r *http.Request) (any, error) {
	q := r.URL.Query()
	f := store.CaseFilter{
		State: model.CaseState(q.Get("state")), Label: model.Label(q.Get("label")), Kind: model.CaseKind(q.Get("kind")),
		Lang: q.Get("lang"), Platform: q.Get("platform"),
	}
	if err := validKind(f.Kind); err != nil {
		return nil, err
	}
	var err error
	if f.Platform, err = scopedPlatform(r.Context(), f.Platform); err != nil {
		return nil, err
	}
	if f.Label != "" && !f.Label.Valid() {
		return nil, fmt.Errorf("%w: unknown label %q", errBadRequest, f.Label)
	}
	switch f.State {
	case "", model.CaseOpen, model.CaseDecided, model.CaseActioned, model.CaseAppealed, model.CaseClosed:
	default:
		return nil, fmt.Errorf("%w: unknown state %q", errBadRequest, f.State)
	}
	if f.Limit, err = queryInt(r, "limit", 50, 500); err != nil {
		return nil, err
	}
	if f.Offset, err = queryInt(r, "offset", 0, 0); err != nil {
		return nil, err
	}
	cs, total, err := a.Store.Cases(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return caseList{Total: total, Offset: f.Offset, Limit: f.Limit, Cases: orEmpty(cs)}, nil
}

// caseDetail is a case with everything a reviewer needs to decide it.
type caseDetail struct {
	Case      *model.Case      `json:"case"`
	Post      *model.Post      `json:"post,omitempty"`
	Signals   []model.Signal   `json:"signals"`
	Matches   []model.Match    `json:"matches"`
	Scores    []model.Score    `json:"scores"`
	Decisions []model.Decision `json:"decisions"`
}

func (a *API) getCase(r *http.Request) (any, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := a.Store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := visible(ctx, c.Platform, fmt.Sprintf("case %d", id)); err != nil {
		return nil, err
	}
	d := caseDetail{Case: c}
	if c.PostID != 0 {
		if d.Post, err = a.Store.Post(ctx, c.PostID); err != nil {
			return nil, err
		}
		withoutMetadata(d.Post)
		if d.Signals, err = a.Store.Signals(ctx, c.PostID); err != nil {
			return nil, err
		}
		if d.Matches, err = a.Store.PostMatches(ctx, c.PostID); err != nil {
			return nil, err
		}
		if d.Scores, err = a.Store.Scores(ctx, c.PostID); err != nil {
			return nil, err
		}
	}
	if d.Decisions, err = a.Store.Decisions(ctx, id); err != nil {
		return nil, err
	}
	d.Signals, d.Matches, d.Scores, d.Decisions = orEmpty(d.Signals), orEmpty(d.Matches), orEmpty(d.Scores), orEmpty(d.Decisions)
	// Reading a case shows raw content: it is audited.
	if err := a.Store.Audit(ctx, Actor(ctx), "case.read", fmt.Sprintf("case:%d", id), "api"); err != nil {
		return nil, err
	}
	return d, nil
}

type decisionRequest struct {
	Labels    []model.Label `json:"labels"`
	Action    string        `json:"action"`
	Rationale string        `json:"rationale"`
}

func (a *API) decide(r *http.Request) (any, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	var req decisionRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	d, _, err := a.review().Decide(r.Context(), review.DecisionInput{CaseID: id, Reviewer: Actor(r.Context()), Labels: req.Labels, Action: req.Action, Rationale: req.Rationale})
	if err != nil {
		return nil, err
	}
	return created{d}, nil
}

func (a *API) claim(r *http.Request) (any, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return a.review().Claim(r.Context(), id, Actor(r.Context()))
}

func (a *API) release(r *http.Request) (any, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return a.review().Release(r.Context(), id, Actor(r.Context()), false)
}

// orEmpty makes a nil slice an empty one, so JSON shows [] rather than null.
func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// bulkDecisionRequest is one decision for several cases of a cluster.
type bulkDecisionRequest struct {
	Cases     []int64       `json:"cases"`
	Labels    []model.Label `json:"labels"`
	Action    string        `json:"action"`
	Rationale string        `json:"rationale"`
}

// bulkResult is what a bulk decision did to one case.
type bulkResult struct {
	CaseID  int64          `json:"case_id"`
	Done    bool           `json:"done"`
	Outcome review.Outcome `json:"outcome,omitempty"`
	// Skipped is why the case was left alone (a code: not_in_cluster,
	// claimed_by, not_waiting, ...); Reason says it in words.
	Skipped string `json:"skipped,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// bulkAnswer lists each case's result, and the skipped ones by number.
type bulkAnswer struct {
	Results []bulkResult `json:"results"`
	Skipped []int64      `json:"skipped"`
}

// bulkDecide records one decision on the cases of case {id}'s cluster,
// as the case page's bulk form does; cases outside the cluster, or that
// the rules refuse, are skipped and named.
func (a *API) bulkDecide(r *http.Request) (any, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	var req bulkDecisionRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	res, err := a.review().DecideMany(r.Context(), id, req.Cases, review.DecisionInput{Reviewer: Actor(r.Context()), Labels: req.Labels, Action: req.Action, Rationale: req.Rationale})
	if err != nil {
		return nil, err
	}
	out := bulkAnswer{Results: make([]bulkResult, len(res)), Skipped: []int64{}}
	for i, x := range res {
		out.Results[i] = bulkResult{CaseID: x.CaseID, Done: x.Done(), Outcome: x.Outcome}
		if !x.Done() {
			out.Results[i].Skipped = review.Code(x.Err)
			out.Results[i].Reason = x.Err.Error()
			out.Skipped = append(out.Skipped, x.CaseID)
		}
	}
	return out, nil
}
