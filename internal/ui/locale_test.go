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
