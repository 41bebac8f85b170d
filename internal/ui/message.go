package ui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/source"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/textmodel"
)

// inputError is a form the user must correct, found by the UI itself.
// Code names the translated message ("err."+Code); Args fill it.
type inputError struct {
	Field, Code string
	Args        []any
	Msg         string // English, for the log
}

func (e *inputError) Error() string { return e.Msg }

// Is makes errors.Is(err, errBadInput) true.
func (e *inputError) Is(target error) bool { return target == errBadInput }

// errBadInput marks a form the user must correct.
var errBadInput = errors.New("bad input")

// badInput says the form's field is wrong; code names the translated
// message and args the values it shows.
func badInput(field, code string, args ...any) error {
	return &inputError{Field: field, Code: code, Args: args, Msg: fmt.Sprintf("%s: %s %v", field, code, args)}
}

// coded is what the typed errors of the services carry: a code for a
// translated message and the values it names.
func coded(err error) (code string, args []any) {
	var re *review.Error
	var fe *action.FieldError
	var ae *auth.InputError
	var ie *inputError
	var se *source.FieldError
	var te *store.TextError
	var oe *org.Error
	switch {
	case errors.As(err, &oe) && oe.Code != "":
		return oe.Code, oe.Args
	case errors.As(err, &ie):
		return ie.Code, ie.Args
	case errors.As(err, &se):
		// The field is named in the reader's language, first.
		return se.Code, append([]any{sourceFieldName(se.Field)}, se.Args...)
	case errors.As(err, &te):
		return te.Code, []any{te.Max}
	case errors.As(err, &re) && re.Code != "":
		return re.Code, re.Args
	case errors.As(err, &fe) && fe.Code != "":
		return fe.Code, fe.Args
	case errors.As(err, &ae):
		return ae.Code, ae.Args
	}
	return "", nil
}

// errText says what went wrong in the reader's language: the service's
// coded message when it has one, else one sentence for the kind of error.
// The English text of an error is never shown: it is for logs.
func errText(loc *Locale, err error) string {
	if code, args := coded(err); code != "" && loc.Has("err."+code) {
		return loc.T("err."+code, localArgs(loc, args)...)
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, store.ErrExists):
		return loc.T("err.exists")
	case errors.Is(err, store.ErrNotFound):
		return loc.T("err.not_found")
	case errors.Is(err, evidence.ErrPurged):
		return loc.T("err.purged")
	case errors.Is(err, evidence.ErrIntegrity):
		return loc.T("err.integrity")
	case errors.Is(err, action.ErrNotTCO):
		return loc.T("err.order_not_tco")
	case errors.Is(err, action.ErrNotActionable):
		return loc.T("err.order_not_actionable")
	case errors.Is(err, action.ErrNotOpen):
		return loc.T("err.order_closed")
	case errors.Is(err, textmodel.ErrBusy):
		return loc.T("err.training_busy")
	case errors.Is(err, store.ErrConflict):
		return loc.T("err.conflict")
	case errors.As(err, &mbe):
		return loc.T("error.413")
	case errors.Is(err, review.ErrForbidden), errors.Is(err, org.ErrForbidden):
		return loc.T("error.403")
	}
	return loc.T("err.invalid")
}

// sourceFieldName is a source form's field, named in the reader's
// language in a message.
type sourceFieldName string

// localArgs translates the values of a message that have a translation:
// states, labels and order statuses; the rest are shown as they are.
func localArgs(loc *Locale, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case model.CaseState:
			out[i] = loc.T("state." + string(v))
		case sourceFieldName:
			out[i] = loc.T("sources.field." + string(v))
		case model.Label:
			out[i] = loc.T("label." + string(v))
		case []model.Label:
			names := make([]string, len(v))
			for j, l := range v {
				names[j] = loc.T("label." + string(l))
			}
			out[i] = strings.Join(names, loc.T("list.sep"))
		default:
			out[i] = a
		}
	}
	return out
}

// reasonText tells a reason in the reader's language from its fields.
// Values from outside (bank names) are isolated so they keep their own
// direction inside the sentence. A reason stored before its fields were
// kept is told by its kind, label and score alone.
func reasonText(loc *Locale, r model.Reason) template.HTML {
	esc := template.HTMLEscapeString
	num := func(format string, v any) string { return `<bdi dir="ltr">` + esc(fmt.Sprintf(format, v)) + `</bdi>` }
	iso := func(s string) string { return `<bdi>` + esc(s) + `</bdi>` }
	// The placeholders start at \x01: HTML escaping turns \x00 into
	// U+FFFD, which then shows as "�" in place of the label.
	var s string
	switch r.Kind {
	case "match":
		sig := loc.T("reason.a_signal")
		if r.Signal != "" {
			sig = loc.T("signal." + string(r.Signal))
		}
		s = esc(loc.T("reason.match_text", "\x01", "\x02", "\x03", "\x04"))
		s = strings.NewReplacer("\x01", esc(sig), "\x02", iso(r.Bank), "\x03", num("%d", r.EntryID), "\x04", num("%d", r.Distance)).Replace(s)
	case "score", "rule", model.ReasonTextInImage:
		key := "reason.score_text"
		if r.Threshold == 0 {
			key = "reason.score_text_nothreshold"
		}
		s = esc(loc.T(key, "\x01", "\x02", "\x03"))
		s = strings.NewReplacer("\x01", esc(loc.T("label."+string(r.Label))), "\x02", num("%.2f", r.Score), "\x03", num("%.2f", r.Threshold)).Replace(s)
	case "network":
		if r.Accounts == 0 {
			s = esc(loc.T("reason.network_score", "\x01"))
			s = strings.ReplaceAll(s, "\x01", num("%.2f", r.Score))
			break
		}
		s = esc(loc.T("reason.network_text", "\x01", "\x02", "\x03", "\x04", "\x05"))
		s = strings.NewReplacer("\x01", num("%d", r.Accounts), "\x02", num("%d", r.Items), "\x03", num("%.0f", r.MedianDelay),
			"\x04", num("%.2f", r.Density), "\x05", num("%.0f%%", 100*r.Flagged)).Replace(s)
	default:
		s = esc(loc.T("reason." + r.Kind))
	}
	return template.HTML(s)
}

// errField names the form field at fault in err, if any.
func errField(err error) string {
	var re *review.Error
	var fe *action.FieldError
	var ae *auth.InputError
	var ie *inputError
	var se *source.FieldError
	var te *store.TextError
	var oe *org.Error
	switch {
	case errors.As(err, &oe):
		return oe.Field
	case errors.As(err, &ie):
		return ie.Field
	case errors.As(err, &se):
		return se.Field
	case errors.As(err, &te):
		return te.Field
	case errors.As(err, &re):
		return re.Field
	case errors.As(err, &fe):
		return fe.Field
	case errors.As(err, &ae):
		return ae.Field
	}
	return ""
}

// formState is a form sent back to its page with a problem: what the user
// typed, so nothing is lost, and the field at fault.
type formState struct {
	Posted string     // which form of the page was sent
	Form   url.Values // what it held
	Bad    string     // the field at fault, as the services name it
}

// newFormState keeps what r's form held.
func newFormState(r *http.Request, form string, err error) formState {
	_ = r.ParseForm()
	return formState{Posted: form, Form: r.PostForm, Bad: errField(err)}
}

// Val is the value of field as sent in form, or def when the page shows
// form afresh.
func (f formState) Val(form, field, def string) string {
	if f.Posted != form {
		return def
	}
	return f.Form.Get(field)
}

// Checked says whether value was among field's values as sent in form, or
// def when the page shows form afresh.
func (f formState) Checked(form, field, value string, def bool) bool {
	if f.Posted != form {
		return def
	}
	return slices.Contains(f.Form[field], value)
}

// Invalid says whether field of form is the one at fault.
func (f formState) Invalid(form, field string) bool {
	return f.Posted == form && f.Bad == field
}

// countdown tells the time left until t ("in 2 h 5 min") or past it
// ("3 min overdue") in the reader's language. The element carries the
// deadline and the phrases, so static/app.js can count down in the page.
func countdown(loc *Locale, t, now time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	d := t.Sub(now)
	key := "time.left"
	if d < 0 {
		key, d = "time.overdue", -d
	}
	text := loc.T(key, span(loc, d))
	esc := template.HTMLEscapeString
	return template.HTML(`<span class="countdown` + map[bool]string{true: " late", false: ""}[key == "time.overdue"] +
		`" data-deadline="` + t.UTC().Format(time.RFC3339) + `" data-left="` + esc(loc.T("time.left")) + `" data-overdue="` + esc(loc.T("time.overdue")) +
		`" data-units="` + esc(loc.T("unit.days")+" "+loc.T("unit.hours")+" "+loc.T("unit.minutes")) + `">` + esc(text) + `</span>`)
}

// span writes a duration as days, hours and minutes, the two largest
// that are not zero: "2 d 3 h", "5 h 12 min", "4 min".
func span(loc *Locale, d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	parts := []struct {
		n    int
		unit string
	}{{m / (24 * 60), "unit.days"}, {m / 60 % 24, "unit.hours"}, {m % 60, "unit.minutes"}}
	var out []string
	for _, p := range parts {
		if p.n > 0 && len(out) < 2 {
			out = append(out, fmt.Sprintf("%d %s", p.n, loc.T(p.unit)))
		}
	}
	if len(out) == 0 {
		return "0 " + loc.T("unit.minutes")
	}
	return strings.Join(out, " ")
}
