package ui

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/marsad/marsad/textnorm"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/source"
)

// funcs are the template functions of one locale and time zone.
func funcs(loc *Locale, tz *time.Location) template.FuncMap {
	return template.FuncMap{
		"t": loc.T,
		// audit names an audit action in this locale, or shows the action
		// as recorded when it has no translation.
		"audit": func(action string) template.HTML {
			if loc.Has("audit." + action) {
				return template.HTML(template.HTMLEscapeString(loc.T("audit." + action)))
			}
			return template.HTML(`<code dir="ltr" class="raw-action">` + template.HTMLEscapeString(action) + `</code>`)
		},
		// auditDetail is an audit event's detail in this locale.
		"auditDetail": func(action, detail string) template.HTML { return auditDetail(loc, action, detail) },
		// reason tells a case's reason in this locale from its fields.
		"reason": func(r model.Reason) template.HTML { return reasonText(loc, r) },
		// sourceState is a source's state: ok, failing, new or paused.
		"sourceState": sourceState,
		// interval is a time between polls as people write it.
		"interval": func(d time.Duration) string { return interval(loc, d) },
		// sourceReason says why a source last failed, never how Go said it.
		"sourceReason": func(r source.Reason) string { return sourceReason(loc, r) },
		// tk translates a key built from parts, such as "label." + l.
		"tk": func(parts ...any) string {
			var b strings.Builder
			for _, p := range parts {
				fmt.Fprint(&b, p)
			}
			return loc.T(b.String())
		},
		// when shows a time in the user's time zone, with UTC on hover,
		// isolated left to right so "2026-01-02 15:04" is not reordered
		// inside Arabic text.
		"when": func(t time.Time) template.HTML {
			if t.IsZero() {
				return "—"
			}
			return template.HTML(`<bdi dir="ltr" class="when" title="` + t.UTC().Format("2006-01-02 15:04 UTC") + `">` +
				template.HTMLEscapeString(t.In(tz).Format("2006-01-02 15:04 MST")) + `</bdi>`)
		},
		// posted shows when a post was published, or says the time is
		// unknown when its source gave none.
		"posted": func(v any) template.HTML {
			var p model.Post
			switch v := v.(type) {
			case model.Post:
				p = v
			case *model.Post:
				p = *v
			}
			if p.PostedAtUnknown || p.PostedAt.IsZero() {
				return template.HTML(`<span class="when unknown">` + template.HTMLEscapeString(loc.T("post.time_unknown")) + `</span>`)
			}
			return template.HTML(`<time datetime="` + p.PostedAt.UTC().Format(time.RFC3339) + `"><bdi dir="ltr" class="when" title="` + p.PostedAt.UTC().Format("2006-01-02 15:04 UTC") + `">` +
				template.HTMLEscapeString(p.PostedAt.In(tz).Format("2006-01-02 15:04 MST")) + `</bdi></time>`)
		},
		// countdown says how long is left until t from now, or how long
		// ago it passed; static/app.js keeps it current.
		"countdown": func(t, now time.Time) template.HTML { return countdown(loc, t, now) },
		// platforms splits a case's platforms: a network case has one per
		// platform its accounts post on.
		"platforms": func(s string) []string { return strings.Split(s, ",") },
		"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"pct":       func(v float64) template.HTML { return template.HTML(fmt.Sprintf(`<bdi dir="ltr">%.0f%%</bdi>`, v*100)) },
		"short": func(s string, n int) string {
			if utf8.RuneCountInString(s) <= n {
				return s
			}
			r := []rune(s)
			return string(r[:n]) + "…"
		},
		"hasLabel": func(ls []model.Label, l model.Label) bool {
			for _, x := range ls {
				if x == l {
					return true
				}
			}
			return false
		},
		"add": func(a, b int) int { return a + b },
		// delay writes a number of seconds in the unit that reads best.
		"delay": func(sec float64) template.HTML {
			var v, unit string
			switch {
			case sec < 120:
				v, unit = fmt.Sprintf("%.0f", sec), "unit.seconds"
			case sec < 2*3600:
				v, unit = fmt.Sprintf("%.0f", sec/60), "unit.minutes"
			default:
				v, unit = fmt.Sprintf("%.1f", sec/3600), "unit.hours"
			}
			return template.HTML(`<bdi dir="ltr">` + v + `</bdi> ` + template.HTMLEscapeString(loc.T(unit)))
		},
		"f2":     func(v float64) string { return fmt.Sprintf("%.2f", v) },
		"f1":     func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"colour": netColour,
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

// highlight splits text into segments, marking where the terms (the
// evidence words and n-grams of the reasons) occur. A term matches a run
// of words whose normalised forms (textnorm: Arabic letter variants,
// diacritics, tatweel and case folded) equal its own, which is how the
// classifier saw them: "الخلافه" marks "الخلافة", "اقتلوا الكفار" marks
// "اقتلوا الكفّار". A term also matches as plain text, ignoring ASCII case,
// for evidence that is not words (a wallet address, a link), but only where
// it neither begins nor ends inside a word: whole tokens only.
// Terms shorter than two characters are ignored: they would mark noise.
// Joining the segments' texts always gives back text unchanged.
func highlight(text string, terms []string) []segment {
	marked := make([]bool, len(text))
	lower := asciiLower(text)
	grams := map[string]bool{}
	maxN := 0
	for _, t := range terms {
		t = strings.TrimSpace(t)
		if utf8.RuneCountInString(t) < 2 {
			continue
		}
		lt := asciiLower(t)
		for off := 0; off < len(lower); {
			j := strings.Index(lower[off:], lt)
			if j < 0 {
				break
			}
			if wholeWord(text, off+j, off+j+len(lt)) {
				for k := off + j; k < off+j+len(lt); k++ {
					marked[k] = true
				}
			}
			off += j + len(lt)
		}
		if n := textnorm.Normalize(t); n != "" {
			grams[n] = true
			maxN = max(maxN, len(strings.Fields(n)))
		}
	}
	if maxN > 0 {
		words := wordSpans(text)
		for i := range words {
			gram := ""
			for k := 0; k < maxN && i+k < len(words); k++ {
				if k > 0 {
					gram += " "
				}
				gram += words[i+k].norm
				if grams[gram] {
					for b := words[i].start; b < words[i+k].end; b++ {
						marked[b] = true
					}
				}
			}
		}
	}
	if len(text) == 0 {
		return []segment{{Text: text}}
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

// wholeWord reports whether text[start:end] neither begins nor ends inside
// a word: "on" is not marked in "noon" or "phones". An Arabic word may
// begin after a proclitic written onto it (و ف ب ل ك, with or without
// the article): "اقتلوا" is marked in "واقتلوا".
func wholeWord(text string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:start])
		first, _ := utf8.DecodeRuneInString(text[start:])
		if isWordRune(r) && isWordRune(first) {
			ws := start
			for ws > 0 {
				p, size := utf8.DecodeLastRuneInString(text[:ws])
				if !isWordRune(p) {
					break
				}
				ws -= size
			}
			if !arabicProclitics[text[ws:start]] {
				return false
			}
		}
	}
	if end < len(text) {
		r, _ := utf8.DecodeRuneInString(text[end:])
		last, _ := utf8.DecodeLastRuneInString(text[:end])
		if isWordRune(r) && isWordRune(last) {
			return false
		}
	}
	return true
}

// arabicProclitics are the letters written onto the front of an Arabic
// word: conjunctions, prepositions and the article.
var arabicProclitics = map[string]bool{
	"و": true, "ف": true, "ب": true, "ل": true, "ك": true,
	"وب": true, "ول": true, "وك": true, "فب": true, "فل": true,
	"ال": true, "وال": true, "فال": true, "بال": true, "كال": true, "لل": true, "ولل": true,
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

type wordSpan struct {
	start, end int
	norm       string
}

// wordSpans finds the words of text (runs of letters, digits and marks; an
// underscore separates, as in hashtags) with their normalised forms.
func wordSpans(text string) []wordSpan {
	var out []wordSpan
	start := -1
	flush := func(end int) {
		if start >= 0 {
			if n := textnorm.Normalize(text[start:end]); n != "" && !strings.ContainsRune(n, ' ') {
				out = append(out, wordSpan{start: start, end: end, norm: n})
			}
			start = -1
		}
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\u0640' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
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
