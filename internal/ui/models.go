package ui

import (
	"context"
	"errors"
	"net/http"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/textmodel"
)

type modelsData struct {
	Rows    []modelRow
	Builtin bool   // no stored model is in use
	Pinned  string // the --model file that stays in use, if any
	Job     *textmodel.Job
	MinHeld int
}

type modelRow struct {
	store.TextModel
	Report *textmodel.Result
	Labels []labelChange // labels with held-back decisions
}

// labelChange is one label's F1 before and after, on held-back decisions.
type labelChange struct {
	Label         classifier.Label
	Support       int
	Before, After float64
}

func (h *Handler) models(w http.ResponseWriter, r *http.Request) {
	h.renderModels(w, r, http.StatusOK, nil)
}

func (h *Handler) renderModels(w http.ResponseWriter, r *http.Request, status int, fl *flash) {
	svc := h.cfg.Models
	if svc == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	ms, err := h.st.TextModels(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := modelsData{Pinned: svc.Pinned(), Job: svc.Job(), Builtin: true, MinHeld: textmodel.MinHeldBack}
	for _, m := range ms {
		rep, err := textmodel.ReadReport(m)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row := modelRow{TextModel: m, Report: rep}
		if rep.Before != nil && rep.After != nil {
			for i, b := range rep.Before.Labels {
				if b.Support > 0 && b.Label != classifier.None && i < len(rep.After.Labels) {
					row.Labels = append(row.Labels, labelChange{Label: b.Label, Support: b.Support, Before: b.F1, After: rep.After.Labels[i].F1})
				}
			}
		}
		if m.Active {
			d.Builtin = false
		}
		d.Rows = append(d.Rows, row)
	}
	h.render(w, r, status, "models", "admin", d, fl)
}

// trainModel starts a training from decisions in the background.
func (h *Handler) trainModel(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Models == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	// The training outlives this request.
	err := h.cfg.Models.StartTraining(context.WithoutCancel(r.Context()), user(r).Name)
	if errors.Is(err, textmodel.ErrBusy) {
		h.renderModels(w, r, http.StatusConflict, &flash{Kind: "error", Text: errText(h.locales[h.lang(r)], err)})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/admin/models", "model_training")
}

func (h *Handler) activateModel(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Models == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = h.cfg.Models.Activate(r.Context(), id, user(r).Name)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/admin/models", "model_activated")
}

func (h *Handler) builtinModel(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Models == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	if err := h.cfg.Models.UseBuiltIn(r.Context(), user(r).Name); err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/admin/models", "model_builtin")
}
