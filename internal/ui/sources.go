package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/source"
	"github.com/marsad/marsad/internal/store"
)

type sourcesData struct {
	Sources []sourceRow
	// Kinds are the kinds' add forms, each with its named fields.
	Kinds []kindForm
	// Form holds what was typed when an add was refused; Bad names the
	// field at fault.
	Form struct {
		Kind, Name, Interval string
		Values               map[string]string
	}
	Bad string
	// DefaultInterval is shown in each form's interval field.
	DefaultInterval string
}

// sourceRow is a source as the list shows it: its configuration by
// field name and, when it last went wrong, the reason in words.
type sourceRow struct {
	model.Source
	Values []fieldValue
	Reason source.Reason
}

type fieldValue struct{ Name, Value string }

// kindForm is one kind's add form, holding what was typed in it when
// it was the form refused.
type kindForm struct {
	Kind           string
	Name, Interval string
	BadName        bool
	BadInterval    bool
	Fields         []formField
	Advanced       []formField
}

type formField struct {
	source.Field
	Kind, Value string
	Bad         bool
}

func (h *Handler) sources(w http.ResponseWriter, r *http.Request) {
	h.renderSources(w, r, http.StatusOK, sourcesData{}, nil)
}

func (h *Handler) renderSources(w http.ResponseWriter, r *http.Request, status int, d sourcesData, fl *flash) {
	if h.cfg.Sources == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	list, err := h.st.Sources(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, s := range list {
		row := sourceRow{Source: s, Reason: source.ReasonOf(s.Health.LastError)}
		vals := source.FormValues(s)
		for _, f := range source.Fields(s.Kind) {
			if v, ok := vals[f.Name]; ok && f.Type != "check" {
				row.Values = append(row.Values, fieldValue{f.Name, v})
			}
		}
		d.Sources = append(d.Sources, row)
	}
	d.DefaultInterval = source.FormatInterval(source.DefaultInterval)
	for _, k := range source.KindNames(source.DefaultKinds()) {
		kf := kindForm{Kind: k, Interval: d.DefaultInterval}
		mine := d.Form.Kind == k
		if mine {
			kf.Name, kf.Interval = d.Form.Name, d.Form.Interval
			kf.BadName, kf.BadInterval = d.Bad == "name", d.Bad == "interval"
		}
		for _, f := range source.Fields(k) {
			ff := formField{Field: f, Kind: k}
			if mine {
				ff.Value, ff.Bad = d.Form.Values[f.Name], d.Bad == f.Name
			}
			if f.Advanced {
				kf.Advanced = append(kf.Advanced, ff)
			} else {
				kf.Fields = append(kf.Fields, ff)
			}
		}
		d.Kinds = append(d.Kinds, kf)
	}
	h.render(w, r, status, "sources", "admin", d, fl)
}

// addSource adds a source from its kind's form; the form's rules and its
// mapping to a configuration are the source package's.
func (h *Handler) addSource(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Sources == nil {
		h.deny(w, r, http.StatusNotFound, "")
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badInput("form", "form_unreadable"))
		return
	}
	var d sourcesData
	d.Form.Kind, d.Form.Name, d.Form.Interval = r.PostFormValue("kind"), r.PostFormValue("name"), r.PostFormValue("interval")
	d.Form.Values = map[string]string{}
	for _, f := range source.Fields(d.Form.Kind) {
		d.Form.Values[f.Name] = r.PostFormValue(f.Name)
	}
	src, err := source.FromForm(source.Form{Kind: d.Form.Kind, Name: d.Form.Name, Interval: d.Form.Interval, Values: d.Form.Values})
	if err == nil {
		err = h.cfg.Sources.Add(r.Context(), src)
	}
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			h.fail(w, r, err)
			return
		}
		d.Bad = errField(err)
		if errors.Is(err, store.ErrExists) {
			d.Bad = "name"
		}
		h.renderSources(w, r, status, d, &flash{Kind: "error", Text: errText(h.locales[h.lang(r)], err)})
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

// interval writes a time between polls in the reader's language, as
// people write it: "15 min", "1 h 30 min", "15 د".
func interval(loc *Locale, d time.Duration) string {
	d = d.Round(time.Second)
	var out []string
	for _, u := range []struct {
		unit time.Duration
		key  string
	}{{time.Hour, "unit.hours"}, {time.Minute, "unit.minutes"}, {time.Second, "unit.seconds"}} {
		if n := d / u.unit; n > 0 {
			out = append(out, strconv.FormatInt(int64(n), 10)+" "+loc.T(u.key))
			d -= n * u.unit
		}
	}
	if len(out) == 0 {
		return "0 " + loc.T("unit.seconds")
	}
	return strings.Join(out, " ")
}

// sourceReason says why a source last failed in the reader's language;
// the error's own text stays in the server log.
func sourceReason(loc *Locale, r source.Reason) string {
	if r.Code == "status" {
		return loc.T("sources.reason.status", r.Status)
	}
	return loc.T("sources.reason." + r.Code)
}
