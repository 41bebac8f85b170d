package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/banks"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

func (a *API) listBanks(r *http.Request) (any, error) {
	bs, err := a.Store.Banks(r.Context())
	return orEmpty(bs), err
}

type bankRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Owner       string `json:"owner"`
	Enabled     *bool  `json:"enabled"`
	AutoAction  bool   `json:"auto_action"`
}

func (a *API) createBank(r *http.Request) (any, error) {
	var req bankRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if err := banks.ValidName(req.Name); err != nil {
		return nil, err
	}
	b := &model.Bank{Name: req.Name, Description: req.Description, Owner: req.Owner, Enabled: req.Enabled == nil || *req.Enabled, AutoAction: req.AutoAction}
	if err := a.Store.CreateBank(r.Context(), b, Actor(r.Context())); err != nil {
		return nil, err
	}
	return created{b}, nil
}

func (a *API) getBank(r *http.Request) (any, error) {
	return a.Store.Bank(r.Context(), r.PathValue("name"))
}

type bankPatch struct {
	Description *string `json:"description"`
	Owner       *string `json:"owner"`
	Enabled     *bool   `json:"enabled"`
	AutoAction  *bool   `json:"auto_action"`
}

func (a *API) updateBank(r *http.Request) (any, error) {
	b, err := a.Store.Bank(r.Context(), r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	var p bankPatch
	if err := decodeBody(r, &p); err != nil {
		return nil, err
	}
	if p.Description != nil {
		b.Description = *p.Description
	}
	if p.Owner != nil {
		b.Owner = *p.Owner
	}
	if p.Enabled != nil {
		b.Enabled = *p.Enabled
	}
	if p.AutoAction != nil {
		b.AutoAction = *p.AutoAction
	}
	if err := a.Store.UpdateBank(r.Context(), b, Actor(r.Context())); err != nil {
		return nil, err
	}
	return b, nil
}

func (a *API) deleteBank(r *http.Request) (any, error) {
	name := r.PathValue("name")
	if err := a.Store.DeleteBank(r.Context(), name, Actor(r.Context())); err != nil {
		return nil, err
	}
	return map[string]string{"deleted": name}, nil
}

func (a *API) listEntries(r *http.Request) (any, error) {
	if _, err := a.Store.Bank(r.Context(), r.PathValue("name")); err != nil {
		return nil, err
	}
	limit, err := queryInt(r, "limit", 1000, 10000)
	if err != nil {
		return nil, err
	}
	after, err := queryInt(r, "after_id", 0, 0)
	if err != nil {
		return nil, err
	}
	typ := model.SignalType(r.URL.Query().Get("type"))
	if typ != "" && !typ.Valid() {
		return nil, fmt.Errorf("%w: type: unknown signal type %q", errBadRequest, typ)
	}
	es, err := a.Store.Entries(r.Context(), store.EntryFilter{Bank: r.PathValue("name"), Type: typ, AfterID: int64(after), Limit: limit})
	return orEmpty(es), err
}

type lineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

type importResult struct {
	Added   int         `json:"added"`
	Present int         `json:"already_present"`
	Refused []lineError `json:"refused"`
}

// addEntries takes entries as CSV (text/csv, any shape bank.ParseCSV reads)
// or as a JSON array of entries.
func (a *API) addEntries(r *http.Request) (any, error) {
	name := r.PathValue("name")
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var entries []model.BankEntry
	res := importResult{Refused: []lineError{}}
	switch ct {
	case "text/csv", "text/plain":
		q := r.URL.Query()
		opt := bank.ParseOptions{Type: model.SignalType(q.Get("type")), Source: q.Get("source"), Label: model.Label(q.Get("label"))}
		es, bad, err := bank.ParseCSV(r.Body, opt)
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, bodyError(err)
		case err != nil:
			return nil, fmt.Errorf("%w: %v", errBadRequest, err)
		}
		entries = es
		for _, b := range bad {
			res.Refused = append(res.Refused, lineError{Line: b.Line, Error: b.Err.Error()})
		}
	case "application/json", "":
		var in []model.BankEntry
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		for i, e := range in {
			v, err := bank.Canonical(e.Type, e.Value)
			if err == nil && e.Label != "" && !e.Label.Valid() {
				err = fmt.Errorf("unknown label %q", e.Label)
			}
			if err != nil {
				res.Refused = append(res.Refused, lineError{Line: i + 1, Error: err.Error()})
				continue
			}
			e.Value, e.ID = v, 0
			entries = append(entries, e)
		}
	default:
		return nil, fmt.Errorf("%w: Content-Type %q: send text/csv or application/json", errBadRequest, ct)
	}
	added, err := a.Store.AddEntries(r.Context(), name, entries, Actor(r.Context()))
	if err != nil {
		return nil, err
	}
	res.Added, res.Present = added, len(entries)-added
	if a.OnBankChange != nil {
		a.OnBankChange(entries)
	}
	return res, nil
}
