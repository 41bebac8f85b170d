package ui

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/source"
)

type sourcesData struct {
	Sources []model.Source
	Kinds   []string
	// Form holds what was typed when an add was refused.
	Form struct{ Kind, Name, Config, Interval string }
}

func (h *Handler) sources(w http.ResponseWriter, r *http.Request) {
	h.renderSources(w, r, http.StatusOK, sourcesData{}, nil)
}

func (h *Handler) renderSources(w http.ResponseWriter, r *http.Request, status int, d sourcesData, fl *flash) {
	if h.cfg.Sources == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	var err error
	if d.Sources, err = h.st.Sources(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Kinds = source.KindNames(source.DefaultKinds())
	if d.Form.Interval == "" {
		d.Form.Interval = source.DefaultInterval.String()
	}
	h.render(w, r, status, "sources", "admin", d, fl)
}

// addSource adds a source from the form; the rules are the Service's.
func (h *Handler) addSource(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Sources == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	var d sourcesData
	d.Form.Kind, d.Form.Name = r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("name"))
	d.Form.Config, d.Form.Interval = strings.TrimSpace(r.PostFormValue("config")), strings.TrimSpace(r.PostFormValue("interval"))
	refuse := func(err error) {
		text := errText(h.locales[h.lang(r)], err)
		if errors.Is(err, source.ErrInvalid) {
			// The collector's own check of its configuration names the
			// field at fault; it is shown as written, for the admin.
			text += " (" + err.Error() + ")"
		}
		h.renderSources(w, r, http.StatusBadRequest, d, &flash{Kind: "error", Text: text})
	}
	every, err := time.ParseDuration(d.Form.Interval)
	if err != nil {
		refuse(badInput("interval", "interval_format", d.Form.Interval))
		return
	}
	if !json.Valid([]byte(d.Form.Config)) {
		refuse(badInput("config", "config_json"))
		return
	}
	src := &model.Source{Kind: d.Form.Kind, Name: d.Form.Name, Config: []byte(d.Form.Config), Interval: every}
	if err := h.cfg.Sources.Add(r.Context(), src); err != nil {
		if errors.Is(err, source.ErrInvalid) {
			refuse(err)
			return
		}
		h.fail(w, r, err)
		return
	}
	back(w, r, "/admin/sources", "source_added")
}

func (h *Handler) changeSource(w http.ResponseWriter, r *http.Request) {
	svc := h.cfg.Sources
	if svc == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	name := r.PathValue("name")
	var err error
	var ok string
	switch r.PathValue("action") {
	case "pause":
		err, ok = svc.Pause(r.Context(), name), "source_paused"
	case "resume":
		err, ok = svc.Resume(r.Context(), name), "source_resumed"
	case "delete":
		err, ok = svc.Remove(r.Context(), name), "source_removed"
	default:
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/admin/sources", ok)
}

// sourceState is a source's state as a translation key suffix.
func sourceState(s model.Source) string {
	switch {
	case s.Paused:
		return "paused"
	case s.Health.Failures > 0:
		return "failing"
	case s.Health.LastSuccess.IsZero():
		return "new"
	}
	return "ok"
}
