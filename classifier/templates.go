package classifier

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Template is one line of a written set: a sentence with {SLOT}s that
// Expand fills from the slot lists in force where the line stands.
//
// The written-set format is line based:
//
//	# a comment
//	@lang en                     language of the lines that follow
//	@label news_reporting        comma-separated labels ("none" for none)
//	@hard_negative yes           must not be flagged (default: yes when every label is protective)
//	@count 4                     how many fillings of each template line
//	@slot CITY Mosul | Raqqa     a slot and its values, separated by |
//	- Police in {CITY} said ...  a template line
type Template struct {
	File         string
	Line         int
	Lang         string
	Labels       []Label
	HardNegative bool
	Count        int
	Text         string
	slots        map[string][]string
}

// ReadTemplates parses a written set; name is used in errors and IDs.
func ReadTemplates(r io.Reader, name string) ([]Template, error) {
	var (
		out      []Template
		lang     string
		labels   []Label
		hard     = -1 // -1: by labels
		count    = 1
		slots    = map[string][]string{}
		sc       = bufio.NewScanner(r)
		line     int
		haveLabs bool
	)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("%s:%d: invalid UTF-8", name, line)
		}
		switch {
		case s == "" || strings.HasPrefix(s, "#"):
			continue
		case strings.HasPrefix(s, "@"):
			key, val, _ := strings.Cut(s[1:], " ")
			val = strings.TrimSpace(val)
			switch key {
			case "lang":
				if val == "" {
					return nil, fmt.Errorf("%s:%d: @lang needs a language code", name, line)
				}
				lang = val
			case "label":
				labels = labels[:0:0]
				for _, l := range strings.Split(val, ",") {
					lab, err := ParseLabel(strings.TrimSpace(l))
					if err != nil {
						return nil, fmt.Errorf("%s:%d: %w", name, line, err)
					}
					if lab != None {
						labels = append(labels, lab)
					}
				}
				haveLabs = true
			case "hard_negative":
				switch val {
				case "yes", "true":
					hard = 1
				case "no", "false":
					hard = 0
				case "auto":
					hard = -1
				default:
					return nil, fmt.Errorf("%s:%d: @hard_negative %q: want yes, no or auto", name, line, val)
				}
			case "count":
				n, err := strconv.Atoi(val)
				if err != nil || n < 1 || n > 1000 {
					return nil, fmt.Errorf("%s:%d: @count %q: want 1..1000", name, line, val)
				}
				count = n
			case "slot":
				sname, vals, _ := strings.Cut(val, " ")
				if sname == "" || strings.ContainsAny(sname, "{}") {
					return nil, fmt.Errorf("%s:%d: @slot needs a name", name, line)
				}
				var vs []string
				for _, v := range strings.Split(vals, "|") {
					if v = strings.TrimSpace(v); v != "" {
						vs = append(vs, v)
					}
				}
				if len(vs) == 0 {
					return nil, fmt.Errorf("%s:%d: slot %s has no values", name, line, sname)
				}
				// Copy on write: templates keep the slots in force where they stand.
				next := make(map[string][]string, len(slots)+1)
				for k, v := range slots {
					next[k] = v
				}
				next[sname] = vs
				slots = next
			default:
				return nil, fmt.Errorf("%s:%d: unknown directive @%s", name, line, key)
			}
		case strings.HasPrefix(s, "- "):
			text := strings.TrimSpace(s[2:])
			if text == "" {
				return nil, fmt.Errorf("%s:%d: empty template", name, line)
			}
			if lang == "" || !haveLabs {
				return nil, fmt.Errorf("%s:%d: template before @lang and @label", name, line)
			}
			if err := checkSlots(text, slots); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			h := hard == 1
			if hard == -1 {
				h = len(labels) > 0
				for _, l := range labels {
					if l != NewsReporting && l != CounterSpeech {
						h = false
					}
				}
			}
			out = append(out, Template{File: name, Line: line, Lang: lang, Labels: labels, HardNegative: h, Count: count, Text: text, slots: slots})
		default:
			return nil, fmt.Errorf("%s:%d: want a comment, an @directive or a \"- \" template line", name, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return out, nil
}

// checkSlots reports a {SLOT} in text that no @slot defines, or an unclosed brace.
func checkSlots(text string, slots map[string][]string) error {
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			if strings.IndexByte(text, '}') >= 0 {
				return errors.New("unmatched }")
			}
			return nil
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return errors.New("unclosed {")
		}
		name := text[i+1 : i+j]
		if _, ok := slots[name]; !ok {
			return fmt.Errorf("slot {%s} is not defined", name)
		}
		text = text[i+j+1:]
	}
}

// Expand returns up to Count distinct fillings of the template, chosen by a
// random source seeded from seed and the template's place, so that the same
// seed always gives the same sentences.
func (t Template) Expand(seed uint64) []string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s:%d", t.File, t.Line)
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	seen := map[string]bool{}
	var out []string
	for try := 0; try < t.Count*10 && len(out) < t.Count; try++ {
		var b strings.Builder
		rest := t.Text
		for {
			i := strings.IndexByte(rest, '{')
			if i < 0 {
				b.WriteString(rest)
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			b.WriteString(rest[:i])
			vals := t.slots[rest[i+1:i+j]]
			b.WriteString(vals[rng.IntN(len(vals))])
			rest = rest[i+j+1:]
		}
		s := b.String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
