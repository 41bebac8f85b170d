package source

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/marsad/marsad/internal/model"
)

// Field is one named field of a kind's form; its Name is also the key of
// the kind's JSON configuration.
type Field struct {
	Name string
	// Type is how the field is typed: "url", "text", "number" or "check".
	Type     string
	Required bool
	// Min and Max bound a number; MaxLen a text.
	Min, Max, MaxLen int
	// Default is what an empty field means, shown as its placeholder;
	// Example is shown there when there is no default.
	Default, Example string
	// Advanced fields are rarely changed (another site, another token).
	Advanced bool
}

// kindFields are the named fields of each kind's configuration, in the
// order a form shows them.
var kindFields = map[string][]Field{
	"feed": {
		{Name: "url", Type: "url", Required: true, Example: "https://example.org/feed.xml"},
		{Name: "no_media", Type: "check"},
	},
	"telegram": {
		{Name: "channel", Type: "text", Required: true, MaxLen: 64, Example: "@NAME"},
		{Name: "depth", Type: "number", Min: 0, Max: 100000, Default: strconv.Itoa(DefaultDepth)},
		{Name: "no_media", Type: "check"},
		{Name: "base_url", Type: "url", Default: "https://t.me", Advanced: true},
	},
	"x-search": {
		{Name: "query", Type: "text", Required: true, MaxLen: 1024, Example: "from:NAME -is:retweet"},
		{Name: "max_results", Type: "number", Min: 10, Max: 100, Default: "100"},
		{Name: "max_pages", Type: "number", Min: 1, Max: 100, Default: "5"},
		{Name: "no_media", Type: "check"},
		{Name: "bearer_env", Type: "text", MaxLen: 128, Default: DefaultBearerEnv, Advanced: true},
	},
}

// Fields returns the named fields of kind's form, nil for a kind that
// has none.
func Fields(kind string) []Field { return kindFields[kind] }

// FieldError is a source refused for one of its fields. Field is "kind",
// "name", "interval" or a configuration field's name; Code names the
// problem for a translated message and Args the values it shows.
type FieldError struct {
	Field, Code string
	Args        []any
	Msg         string
}

func (e *FieldError) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

func fieldErr(field, code, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Code: code, Args: args, Msg: fmt.Sprintf("%s: ", field) + fmt.Sprintf(format, args...)}
}

// Form is a source as typed in a form: its kind, name and interval, and
// the values of the kind's named fields.
type Form struct {
	Kind, Name, Interval string
	Values               map[string]string
}

// tmeLink is a channel given by its link or as @name, as people copy it.
var tmeLink = regexp.MustCompile(`^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?([^/?#]+)/?(?:[?#].*)?$`)

// FromForm builds the source a form describes. The first wrong field is
// the error, a *FieldError naming it; a form with nothing wrong gives a
// source Service.Add accepts but for its name being taken.
func FromForm(f Form) (*model.Source, error) {
	fields, ok := kindFields[f.Kind]
	if !ok {
		return nil, fieldErr("kind", "source_kind", "%q is not one of %s", f.Kind, strings.Join(KindNames(DefaultKinds()), ", "))
	}
	name := strings.TrimSpace(f.Name)
	if !validName.MatchString(name) {
		return nil, fieldErr("name", "source_name", "%q: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	every, err := ParseInterval(f.Interval)
	if err != nil {
		return nil, err
	}
	config := map[string]any{}
	for _, fd := range fields {
		v := strings.TrimSpace(f.Values[fd.Name])
		if v == "" {
			if fd.Required {
				return nil, fieldErr(fd.Name, "source_required", "required")
			}
			continue
		}
		if fd.MaxLen > 0 && utf8.RuneCountInString(v) > fd.MaxLen {
			return nil, fieldErr(fd.Name, "source_too_long", "longer than %d characters", fd.MaxLen)
		}
		switch fd.Type {
		case "check":
			if v != "" && v != "0" && v != "off" && v != "false" {
				config[fd.Name] = true
			}
		case "number":
			n, err := strconv.Atoi(toASCIIDigits(v))
			if err != nil || n < fd.Min || n > fd.Max {
				return nil, fieldErr(fd.Name, "source_range", "%q is not a whole number from %d to %d", v, fd.Min, fd.Max)
			}
			config[fd.Name] = n
		case "url":
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fieldErr(fd.Name, "source_url", "%q is not an http or https address", v)
			}
			config[fd.Name] = v
		default:
			switch fd.Name {
			case "channel":
				if m := tmeLink.FindStringSubmatch(v); m != nil {
					v = m[1]
				}
				v = strings.TrimPrefix(v, "@")
				if !channelName.MatchString(v) {
					return nil, fieldErr(fd.Name, "source_channel", "%q is not a public channel's username (5 to 32 letters, digits or _, starting with a letter)", v)
				}
			case "bearer_env":
				if !envName.MatchString(v) {
					return nil, fieldErr(fd.Name, "source_env", "%q is not an environment variable's name", v)
				}
			}
			config[fd.Name] = v
		}
	}
	raw, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("source %q: config: %w", name, err)
	}
	if err := DefaultKinds()[f.Kind].Check(raw); err != nil {
		// The named fields above hold every rule of the kinds; this is
		// the collector's own check, kept so the two cannot drift apart
		// unseen.
		return nil, &FieldError{Field: "config", Code: "source_config", Msg: fmt.Sprintf("config: %v", err)}
	}
	return &model.Source{Kind: f.Kind, Name: name, Config: raw, Interval: every}, nil
}

// FormValues are a stored source's configuration as the values of its
// kind's form fields, for showing it by name.
func FormValues(src model.Source) map[string]string {
	var m map[string]any
	out := map[string]string{}
	if json.Unmarshal(src.Config, &m) != nil {
		return out
	}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case bool:
			if v {
				out[k] = "1"
			}
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return out
}

// toASCIIDigits turns Arabic-Indic and Eastern Arabic-Indic digits into
// ASCII ones, as people type numbers on an Arabic keyboard.
func toASCIIDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		}
		return r
	}, s)
}
