package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/marsad/marsad/internal/model"
)

// badText says what is wrong with s as text marsad stores, or "".
// PostgreSQL refuses a NUL byte and invalid UTF-8 in TEXT, and neither has
// a place in a post, a name or a rationale, so both are refused at the
// boundary on every store.
func badText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL character"
	}
	return ""
}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// checkRequestText checks the path parameters of pattern and every query
// parameter (names and values) of r.
func checkRequestText(r *http.Request, pattern string) error {
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		if why := badText(r.PathValue(m[1])); why != "" {
			return fmt.Errorf("%w: path parameter %s %s", errBadRequest, m[1], why)
		}
	}
	for name, vs := range r.URL.Query() {
		if why := badText(name); why != "" {
			return fmt.Errorf("%w: a query parameter name %s", errBadRequest, why)
		}
		for _, v := range vs {
			if why := badText(v); why != "" {
				return fmt.Errorf("%w: query parameter %s %s", errBadRequest, name, why)
			}
		}
	}
	return nil
}

// checkJSONText walks a JSON document and names the first string (key or
// value) that is not valid UTF-8 or holds a NUL, as a path such as
// "labels[1]" or "media[0].url". encoding/json would silently turn invalid
// UTF-8 into U+FFFD, so each string is checked in its raw form. A document
// that does not parse is left to the decoder, which says why.
func checkJSONText(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		array bool
		index int
		key   string
		isKey bool // the next string token in an object is a key
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	// after a value, move on to the next key or element.
	next := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].isKey = true
			}
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{isKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			case '}', ']':
				stack = stack[:len(stack)-1]
				next()
			}
		case string:
			raw := body[start:dec.InputOffset()]
			rawStr, ok := rawString(raw)
			top := len(stack) - 1
			if top >= 0 && !stack[top].array && stack[top].isKey {
				if why := badText(v); !ok || why != "" {
					if !ok {
						why = "is not valid UTF-8"
					}
					return fmt.Errorf("%w: %s: a field name %s", errBadRequest, path(), why)
				}
				stack[top].key, stack[top].isKey = v, false
				continue
			}
			why := badText(v)
			if !ok || !utf8.Valid(rawStr) {
				why = "is not valid UTF-8"
			}
			if why != "" {
				return fmt.Errorf("%w: %s %s", errBadRequest, path(), why)
			}
			next()
		default:
			next()
		}
	}
}

// rawString returns the bytes between the quotes of a string token as it
// appears in the input (the token may be preceded by a separator).
func rawString(raw []byte) ([]byte, bool) {
	i := bytes.IndexByte(raw, '"')
	j := bytes.LastIndexByte(raw, '"')
	if i < 0 || j <= i {
		return nil, false
	}
	return raw[i+1 : j], true
}

// validKind refuses a case kind filter that names no kind of case.
func validKind(k model.CaseKind) error {
	switch k {
	case "", model.CasePost, model.CaseNetwork:
		return nil
	}
	return fmt.Errorf("%w: kind: unknown case kind %q (want %s or %s)", errBadRequest, k, model.CasePost, model.CaseNetwork)
}
