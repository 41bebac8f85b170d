package ui

import (
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// auditPair is one key=value of an audit detail as marsad writes them:
// the value a Go-quoted string, a bracketed list or a bare word.
var auditPair = regexp.MustCompile(`([a-z_]+)=("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^\s]*)`)

// legacyAudit are details written as English sentences before they were
// written as pairs; they are read as the pairs they stand for.
var legacyAudit = []struct {
	re   *regexp.Regexp
	keys []string
}{
	{regexp.MustCompile(`^held by (\S+)$`), []string{"held_by"}},
	{regexp.MustCompile(`^orders withdrawn=(\d+) bank entries removed=(\d+)$`), []string{"orders_withdrawn", "bank_entries_removed"}},
}

// personDetail are the actions whose whole detail a person wrote: an
// appeal's reason, the rationale of an appeal that upheld the decision.
var personDetail = map[string]bool{"case.appealed": true, "case.appeal.upheld": true}

// auditDetail shows the detail of an audit event in the reader's
// language: the pairs marsad writes (priority=69 labels=[incitement])
// with their names and values translated, and text a person wrote (a
// rationale, an appeal's reason) as written, isolated. A detail marsad
// wrote in a form this page does not know is shown as recorded, in code.
// The record itself is hash-chained and never rewritten; this is only
// how it reads.
func auditDetail(loc *Locale, action, detail string) template.HTML {
	detail = strings.TrimSpace(detail)
	if detail == "" {
		return ""
	}
	if personDetail[action] {
		return userText(detail)
	}
	pairs, ok := auditPairs(detail)
	if !ok {
		for _, l := range legacyAudit {
			if m := l.re.FindStringSubmatch(detail); m != nil {
				pairs, ok = nil, true
				for i, k := range l.keys {
					pairs = append(pairs, [2]string{k, m[i+1]})
				}
				break
			}
		}
	}
	if !ok {
		if loc.Has("auditval." + detail) {
			return template.HTML(template.HTMLEscapeString(loc.T("auditval." + detail)))
		}
		return template.HTML(`<code dir="ltr" class="raw-detail">` + template.HTMLEscapeString(detail) + `</code>`)
	}
	var parts []string
	for _, p := range pairs {
		parts = append(parts, template.HTMLEscapeString(loc.T("auditkey."+p[0]))+" "+auditValue(loc, p[0], p[1]))
	}
	return template.HTML(strings.Join(parts, " · "))
}

// auditPairs splits detail into its pairs; ok is false when anything
// else is in it or a name is not one marsad writes.
func auditPairs(detail string) (pairs [][2]string, ok bool) {
	rest := auditPair.ReplaceAllStringFunc(detail, func(m string) string {
		sub := auditPair.FindStringSubmatch(m)
		pairs = append(pairs, [2]string{sub[1], sub[2]})
		return ""
	})
	if strings.TrimSpace(rest) != "" || len(pairs) == 0 {
		return nil, false
	}
	for _, p := range pairs {
		if !auditKeys[p[0]] {
			return nil, false
		}
	}
	return pairs, true
}

// auditKeys are the names marsad writes in audit details and the UI
// translates ("auditkey." + name).
var auditKeys = map[string]bool{
	"priority": true, "labels": true, "reasons": true, "action": true, "rationale": true, "held_by": true,
	"bank": true, "added": true, "offered": true, "batch": true, "result": true,
	"orders_withdrawn": true, "bank_entries_removed": true, "format": true, "hold": true, "post": true, "case": true, "files": true,
}

// auditValue shows one value: labels, actions and results in words,
// counts as numbers, and what a person wrote as written.
func auditValue(loc *Locale, key, v string) string {
	esc := template.HTMLEscapeString
	if u, err := strconv.Unquote(v); err == nil && strings.HasPrefix(v, `"`) {
		v = u
	}
	list := func(prefix string) string {
		items := strings.Fields(strings.Trim(v, "[]"))
		for i, it := range items {
			items[i] = esc(loc.T(prefix + it))
		}
		if len(items) == 0 {
			return "—"
		}
		return strings.Join(items, loc.T("list.sep"))
	}
	switch key {
	case "labels":
		return list("label.")
	case "action":
		return esc(loc.T("action." + v))
	case "reasons":
		// The reasons are shown in full on the case; here, how many.
		n := 0
		if s := strings.Trim(v, "[]"); strings.TrimSpace(s) != "" {
			n = strings.Count(s, "; ") + 1
		}
		return `<bdi dir="ltr">` + strconv.Itoa(n) + `</bdi>`
	case "result":
		what, _, _ := strings.Cut(v, ":") // skipped:code, the code for tools
		return esc(loc.T("auditval." + what))
	case "hold":
		return esc(loc.T("auditval." + v))
	case "priority", "added", "offered", "orders_withdrawn", "bank_entries_removed", "batch", "format", "post", "case", "files":
		return `<bdi dir="ltr">` + esc(v) + `</bdi>`
	}
	return string(userText(v))
}

// userText is text a person wrote, shown as written and isolated so that
// its direction does not reorder the words around it.
func userText(s string) template.HTML {
	return template.HTML(`<bdi dir="auto" class="user-text">` + template.HTMLEscapeString(s) + `</bdi>`)
}
