package ui

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTranslationsComplete checks that English and Arabic have the same keys
// and that every key a template names exists.
func TestTranslationsComplete(t *testing.T) {
	locs, err := loadLocales(assets)
	if err != nil {
		t.Fatal(err)
	}
	en, ar := locs["en"], locs["ar"]
	if en == nil || ar == nil {
		t.Fatalf("locales = %v, want en and ar", locs)
	}
	if ar.Dir != "rtl" || en.Dir != "ltr" {
		t.Errorf("directions: en %s, ar %s", en.Dir, ar.Dir)
	}
	for _, pair := range [][2]*Locale{{en, ar}, {ar, en}} {
		var missing []string
		for _, k := range pair[0].Keys() {
			if !pair[1].Has(k) {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s has keys %s lacks: %v", pair[0].Lang, pair[1].Lang, missing)
		}
	}
	re := regexp.MustCompile(`\{\{-? *t "([^"]+)"`)
	files, _ := fs.Glob(assets, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(assets, f)
		for _, m := range re.FindAllSubmatch(b, -1) {
			if !en.Has(string(m[1])) {
				t.Errorf("%s uses %q, which en.json lacks", f, m[1])
			}
		}
	}
	// Arabic strings are Arabic, not copies of the English ones.
	same := 0
	for _, k := range en.Keys() {
		if ar.T(k) == en.T(k) && utf8.RuneCountInString(en.T(k)) > 3 && !strings.ContainsAny(en.T(k), "%") {
			same++
		}
	}
	if same > 3 {
		t.Errorf("%d Arabic strings are identical to English", same)
	}
}

func TestLocaleFallback(t *testing.T) {
	locs, _ := loadLocales(assets)
	ar := locs["ar"]
	if got := ar.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key renders %q, want the key itself", got)
	}
	if got := locs["en"].T("dash.period", 14); got != "Cases opened in the last 14 days." {
		t.Errorf("formatted = %q", got)
	}
}

// TestFrenchLocale checks that French is offered left to right, names only
// keys English has, translates all but a few of them, and fills its
// values as English does.
func TestFrenchLocale(t *testing.T) {
	locs, err := loadLocales(assets)
	if err != nil {
		t.Fatal(err)
	}
	en, fr := locs["en"], locs["fr"]
	if fr == nil || fr.Dir != "ltr" {
		t.Fatalf("fr locale = %+v", fr)
	}
	verbs := regexp.MustCompile(`%(\[\d\])?[sdvq]`)
	missing := 0
	for _, k := range fr.Keys() {
		if !en.Has(k) {
			t.Errorf("fr.json has %q, which en.json lacks", k)
		}
		if a, b := verbs.FindAllString(en.T(k), -1), verbs.FindAllString(fr.T(k), -1); len(a) != len(b) {
			t.Errorf("%s: English fills %v, French %v", k, a, b)
		}
	}
	for _, k := range en.Keys() {
		if !fr.Has(k) {
			missing++
		}
	}
	// Keys added since the last translation fall back to English.
	if missing > len(en.Keys())/10 {
		t.Errorf("fr.json lacks %d of %d keys", missing, len(en.Keys()))
	}
	if got := fr.T("err.deadline_minutes", 1, 129600); !strings.Contains(got, "129600") || !strings.HasPrefix(got, "Délai") {
		t.Errorf("fr err.deadline_minutes = %q", got)
	}
}
