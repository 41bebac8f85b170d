package links

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Extract returns the URLs found in text, as written (trailing punctuation
// removed), deduplicated in order of first appearance. See the package
// documentation for what counts as a URL.
func Extract(text string) []string {
	// Every URL Extract accepts has a dot in its host or a "://"; posts
	// without either (most of them) cost one or two byte scans.
	if strings.IndexByte(text, '.') < 0 && !strings.Contains(text, "://") {
		return nil
	}
	var out []string
	// The next '.' and ':' at or after i, found with the vectorised
	// IndexByte and searched again only once passed; -1 when there is none.
	dot, colon := -2, -2
	i := 0
	for i < len(text) {
		dot = nextByte(text, i, '.', dot)
		colon = nextByte(text, i, ':', colon)
		p := dot
		if p < 0 || colon >= 0 && colon < p {
			p = colon
		}
		if p < 0 {
			break
		}
		start := tokenStart(text, p, i)
		end := tokenEnd(text, p)
		if u := candidate(text[start:end]); u != "" && !contains(out, u) {
			out = append(out, u)
		}
		if end <= p {
			end = p + 1
		}
		i = end
	}
	return out
}

// nextByte returns the index of the first c in text at or after i, given
// the previous answer prev (-2 before the first search, -1 for none left).
func nextByte(text string, i int, c byte, prev int) int {
	if prev >= i || prev == -1 {
		return prev
	}
	j := strings.IndexByte(text[i:], c)
	if j < 0 {
		return -1
	}
	return i + j
}

// contains reports whether list holds s; posts carry few URLs, so a linear
// scan beats a map.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// tokenStart returns the start of the token holding byte p, not before min.
func tokenStart(text string, p, min int) int {
	for p > min {
		r, n := utf8.DecodeLastRuneInString(text[min:p])
		if boundary(r) {
			return p
		}
		p -= n
	}
	return p
}

// tokenEnd returns the end of the token holding byte p.
func tokenEnd(text string, p int) int {
	for p < len(text) {
		c := text[p]
		if c < utf8.RuneSelf {
			if asciiBoundary(c) {
				return p
			}
			p++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[p:])
		if boundary(r) {
			return p
		}
		p += n
	}
	return p
}

// asciiBoundary reports whether ASCII byte c cannot be part of a URL.
func asciiBoundary(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '<', '>', '"', '{', '}', '|', '\\', '^', '`':
		return true
	}
	return c < 0x20 || c == 0x7f
}

// boundary reports whether r ends a URL.
func boundary(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiBoundary(byte(r))
	}
	switch r {
	case '،', '؛', '؟', '«', '»', '‹', '›', '“', '”', '„', '「', '」', '『', '』',
		'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', // zero-width marks
		'\u200e', '\u200f', '\u061c', // LRM, RLM, ALM
		'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', // embeddings and overrides
		'\u2066', '\u2067', '\u2068', '\u2069', // isolates
		utf8.RuneError:
		return true
	}
	// Emoji and other pictographs (category So) and emoji variation
	// selectors are glued to links in social posts but are not part of them.
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.So, r) || r == '\ufe0f'
}

// candidate returns the URL held by token, or "".
func candidate(tok string) string {
	if k := strings.Index(tok, "://"); k >= 0 {
		return withScheme(tok, k)
	}
	return schemeless(tok)
}

// withScheme handles a token with "://" at k.
func withScheme(tok string, k int) string {
	s := k
	for s > 0 && isASCIILetter(tok[s-1]) {
		s--
	}
	scheme := strings.ToLower(tok[s:k])
	switch {
	case strings.HasSuffix(scheme, "https"):
		s = k - len("https")
	case strings.HasSuffix(scheme, "http"):
		s = k - len("http")
	case scheme == "tg":
	default:
		return ""
	}
	rest := tok[k+3:]
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	// Arabic text glued after a host without a path: cut it off.
	if cut := mixedScriptEnd(rest[:hostEnd]); cut < hostEnd {
		rest = rest[:cut]
	}
	u := trimTrailing(tok[s : k+3+len(rest)])
	if len(u) <= k+3-s {
		return ""
	}
	return u
}

// schemeless handles a token without "://": it is a URL when its host is
// certainly a host (see the package documentation).
func schemeless(tok string) string {
	dot := strings.IndexByte(tok, '.')
	if dot <= 0 {
		return ""
	}
	// The host starts after the last character before the first dot that
	// cannot be in a host name; "@" there makes it an email address.
	start := dot
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(tok[:start])
		if !hostRune(r) {
			if r == '@' || r == '/' || r == '\\' || r == '%' || r == '=' || r == '&' {
				return ""
			}
			break
		}
		start -= n
	}
	tok = tok[start:]
	hostEnd := strings.IndexAny(tok, "/?#")
	if hostEnd < 0 {
		hostEnd = len(tok)
	}
	hostPort := tok[:hostEnd]
	// Right-to-left words glued before the host: keep the Latin part.
	if cut := mixedScriptStart(hostPort); cut > 0 {
		tok, hostPort = tok[cut:], hostPort[cut:]
		hostEnd -= cut
	}
	if cut := mixedScriptEnd(hostPort); cut < len(hostPort) {
		tok, hostPort = tok[:cut], hostPort[:cut]
		hostEnd = cut
	}
	host := hostPort
	if c := strings.IndexByte(hostPort, ':'); c >= 0 {
		host = hostPort[:c]
		if !allDigits(hostPort[c+1:]) {
			// "word:more" is not host:port; a trailing ":" is punctuation.
			if c+1 != len(hostPort) {
				return ""
			}
			tok = tok[:c]
			hostEnd = c
		}
	}
	host = strings.TrimRight(host, ".")
	if !plausibleHost(strings.ToLower(host), hostEnd < len(tok)) {
		return ""
	}
	u := trimTrailing(tok)
	if strings.IndexByte(u, '.') < 0 {
		return ""
	}
	return u
}

// plausibleHost reports whether a schemeless host is taken for a URL host.
func plausibleHost(host string, hasPath bool) bool {
	labels := 0
	last := ""
	for rest := host; ; {
		label, after, more := strings.Cut(rest, ".")
		if !validASCIILabel(label) {
			return false
		}
		labels++
		last = label
		if !more {
			break
		}
		rest = after
	}
	if labels < 2 {
		return false
	}
	bare := strings.TrimPrefix(host, "www.")
	switch {
	case strings.HasPrefix(host, "www.") && bare != "" && strings.Contains(bare, "."):
		return true
	case knownHost(bare), strings.HasSuffix(bare, ".t.me"):
		return true
	case genericTLD(last):
		return true
	case len(last) == 2 && isASCIILetter(last[0]) && isASCIILetter(last[1]):
		// A two-letter country domain; "e.g" and "U.S" fail because every
		// label before it must have two characters or a path must follow.
		if hasPath {
			return true
		}
		for _, l := range strings.Split(host, ".") {
			if len(l) < 2 {
				return false
			}
		}
		return true
	case strings.HasPrefix(last, "xn--"):
		return true
	}
	return false
}

// validASCIILabel reports whether label is a LDH label of a schemeless host.
func validASCIILabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !isASCIILetter(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// hostRune reports whether r may appear in a host name as written.
func hostRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isASCIILetter(c) || isDigit(c) || c == '-' || c == '.' || c == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// rtl reports whether r is a right-to-left letter.
func rtl(r rune) bool {
	return r >= 0x0590 && r <= 0x08ff || r >= 0xfb1d && r <= 0xfdff || r >= 0xfe70 && r <= 0xfeff
}

// mixedScriptStart returns where the host begins when right-to-left letters
// are glued before a Latin host label: a label may not mix the two
// (RFC 5893), so the right-to-left run is a word of the text.
func mixedScriptStart(host string) int {
	cut := 0
	prevRTL := false
	for i, r := range host {
		switch {
		case r == '.':
			return cut
		case rtl(r):
			prevRTL = true
		case r < utf8.RuneSelf && isASCIILetter(byte(r)) && prevRTL:
			cut = i
			prevRTL = false
		}
	}
	return cut
}

// mixedScriptEnd returns where the host ends when right-to-left letters are
// glued after the Latin last label.
func mixedScriptEnd(host string) int {
	dot := strings.LastIndexByte(host, '.')
	if dot < 0 {
		return len(host)
	}
	latin := false
	for i, r := range host[dot+1:] {
		switch {
		case r < utf8.RuneSelf && isASCIILetter(byte(r)):
			latin = true
		case rtl(r) && latin:
			return dot + 1 + i
		}
	}
	return len(host)
}

// trimTrailing removes sentence punctuation and unbalanced closing brackets
// from the end of u.
func trimTrailing(u string) string {
	for u != "" {
		r, n := utf8.DecodeLastRuneInString(u)
		switch r {
		case '.', ',', ';', ':', '!', '?', '\'', '*', '…', '،', '؛', '؟', '۔', '’', '‘':
			u = u[:len(u)-n]
			continue
		case ')', ']', '}':
			if strings.Count(u, string(opening(r))) < strings.Count(u, string(r)) {
				u = u[:len(u)-n]
				continue
			}
		}
		return u
	}
	return u
}

// opening returns the opening bracket matching closing bracket r.
func opening(r rune) rune {
	switch r {
	case ')':
		return '('
	case ']':
		return '['
	}
	return '{'
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
