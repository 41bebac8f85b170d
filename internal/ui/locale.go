package ui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Locale is one language's translations.
type Locale struct {
	Lang     string
	Dir      string // ltr or rtl
	messages map[string]string
	fallback *Locale
}

// T translates key, formatting args into it; a missing key falls back to
// English, then to the key itself so a gap is visible rather than blank.
func (l *Locale) T(key string, args ...any) string {
	m, ok := l.messages[key]
	if !ok && l.fallback != nil {
		m, ok = l.fallback.messages[key]
	}
	if !ok {
		return key
	}
	// A message that names none of the values is shown as it is; one
	// that names only some must use indexed verbs ("%[2]s").
	if len(args) > 0 && strings.Contains(m, "%") {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// Has reports whether key is translated.
func (l *Locale) Has(key string) bool { _, ok := l.messages[key]; return ok }

// Keys returns every key of the locale.
func (l *Locale) Keys() []string {
	out := make([]string, 0, len(l.messages))
	for k := range l.messages {
		out = append(out, k)
	}
	return out
}

// rtl lists the languages written right to left.
var rtl = map[string]bool{"ar": true}

func loadLocales(fsys fs.FS) (map[string]*Locale, error) {
	files, err := fs.Glob(fsys, "translations/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]*Locale{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("translations %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".json")
		l := &Locale{Lang: lang, Dir: "ltr"}
		if rtl[lang] {
			l.Dir = "rtl"
		}
		if err := json.Unmarshal(b, &l.messages); err != nil {
			return nil, fmt.Errorf("translations %s: %w", f, err)
		}
		out[lang] = l
	}
	en := out["en"]
	if en == nil {
		return nil, fmt.Errorf("translations: en.json is missing")
	}
	for _, l := range out {
		if l != en {
			l.fallback = en
		}
	}
	return out, nil
}
