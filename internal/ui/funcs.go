package ui

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marsad/marsad/internal/model"
)

// funcs are the template functions of one locale.
func funcs(loc *Locale) template.FuncMap {
	return template.FuncMap{
		"t": loc.T,
		// tk translates a key built from parts, such as "label." + l.
		"tk": func(parts ...any) string {
			var b strings.Builder
			for _, p := range parts {
				fmt.Fprint(&b, p)
			}
			return loc.T(b.String())
		},
		// when isolates the time left to right, so "2026-01-02 15:04 UTC"
		// is not reordered inside Arabic text.
		"when": func(t time.Time) template.HTML {
			if t.IsZero() {
				return "—"
			}
			return template.HTML(`<bdi dir="ltr">` + t.UTC().Format("2006-01-02 15:04 UTC") + `</bdi>`)
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"pct": func(v float64) template.HTML { return template.HTML(fmt.Sprintf(`<bdi dir="ltr">%.0f%%</bdi>`, v*100)) },
		"short": func(s string, n int) string {
			if utf8.RuneCountInString(s) <= n {
				return s
			}
			r := []rune(s)
			return string(r[:n]) + "…"
		},
		"harmful": harmful,
		"hasLabel": func(ls []model.Label, l model.Label) bool {
			for _, x := range ls {
				if x == l {
					return true
				}
			}
			return false
		},
		"add": func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		},
	}
}

// segment is a piece of post text, marked when it matched a reason.
type segment struct {
	Text string
	Mark bool
}

// highlight splits text into segments, marking every case-insensitive
// occurrence of the terms (the evidence words and n-grams of the reasons).
// Terms shorter than two characters are ignored: they would mark noise.
// Joining the segments' texts always gives back text unchanged.
func highlight(text string, terms []string) []segment {
	var ts []string
	for _, t := range terms {
		t = strings.TrimSpace(t)
		if utf8.RuneCountInString(t) >= 2 {
			ts = append(ts, asciiLower(t))
		}
	}
	if len(ts) == 0 || text == "" {
		return []segment{{Text: text}}
	}
	// marked[i] is true for bytes of text inside a match.
	marked := make([]bool, len(text))
	ls := asciiLower(text)
	for _, t := range ts {
		for off := 0; off < len(ls); {
			j := strings.Index(ls[off:], t)
			if j < 0 {
				break
			}
			for k := off + j; k < off+j+len(t); k++ {
				marked[k] = true
			}
			off += j + len(t)
		}
	}
	var out []segment
	start := 0
	for i := 1; i <= len(text); i++ {
		if i == len(text) || marked[i] != marked[start] {
			out = append(out, segment{Text: text[start:i], Mark: marked[start]})
			start = i
		}
	}
	return out
}

// asciiLower lowers ASCII letters only, so byte offsets into the result are
// offsets into s; Arabic has no case and is matched as it is.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// harmful reports whether any of ls makes content actionable.
func harmful(ls []model.Label) bool {
	for _, l := range ls {
		if l.Harmful() {
			return true
		}
	}
	return false
}
