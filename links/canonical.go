package links

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxLength is the longest URL Canonical accepts, in bytes.
const MaxLength = 16 << 10

// ErrEmpty is returned by Canonical for an empty or all-space input.
var ErrEmpty = errors.New("empty URL")

// Canonical returns the canonical form of the URL raw (see the package
// documentation), or an error naming what is wrong with it.
func Canonical(raw string) (string, error) {
	u, err := parse(raw)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Host returns the canonical host of the URL u (lowercase, punycode, without
// "www." and with mobile hosts folded), or "" when u is not a valid URL.
func Host(u string) string {
	c, err := parse(u)
	if err != nil {
		return ""
	}
	return c.host
}

// IsShortener reports whether u is a link on a known URL shortener, whose
// target can only be learned by contacting the shortener.
func IsShortener(u string) bool {
	c, err := parse(u)
	return err == nil && shortener(c.host)
}

// canon is a URL in canonical form, not yet joined.
type canon struct {
	scheme, host, port, path string
	params                   []param
	opaque                   string // a whole canonical URL that needs no joining (tg:// forms)
}

// param is one query parameter: its decoded, lowercased key for comparison
// and its normalised raw text for output.
type param struct {
	key, raw string
}

// String joins c.
func (c canon) String() string {
	if c.opaque != "" {
		return c.opaque
	}
	var b strings.Builder
	b.Grow(len(c.scheme) + len(c.host) + len(c.path) + 16*len(c.params) + 8)
	b.WriteString(c.scheme)
	b.WriteString("://")
	b.WriteString(c.host)
	if c.port != "" {
		b.WriteByte(':')
		b.WriteString(c.port)
	}
	b.WriteString(c.path)
	for i, p := range c.params {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.raw)
	}
	return b.String()
}

func parse(raw string) (canon, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return canon{}, ErrEmpty
	}
	if len(s) > MaxLength {
		return canon{}, fmt.Errorf("URL is %d bytes, longer than the %d allowed", len(s), MaxLength)
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return canon{}, fmt.Errorf("URL %q: invalid UTF-8 at byte %d", short(s), i)
			}
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return canon{}, fmt.Errorf("URL %q: white space or control character at byte %d", short(s), i)
		}
	}
	k := strings.Index(s, "://")
	if k < 0 || !validScheme(s[:k]) {
		if k >= 0 {
			return canon{}, fmt.Errorf("URL %q: invalid scheme %q", short(s), s[:k])
		}
		if i := strings.IndexByte(s, ':'); i > 0 && validScheme(s[:i]) && !allDigits(strings.SplitN(s[i+1:], "/", 2)[0]) {
			return canon{}, fmt.Errorf("URL %q: scheme %q without \"//\" is not a web link", short(s), s[:i])
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return canon{}, fmt.Errorf("URL %q: %w", short(raw), err)
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "http", "https":
	case "tg":
		return telegramScheme(u)
	default:
		return canon{}, fmt.Errorf("URL %q: unsupported scheme %q (want http, https or tg)", short(raw), u.Scheme)
	}
	if u.Host == "" {
		return canon{}, fmt.Errorf("URL %q: no host", short(raw))
	}
	host, err := canonicalHost(u.Hostname())
	if err != nil {
		return canon{}, fmt.Errorf("URL %q: %w", short(raw), err)
	}
	port := u.Port()
	if port != "" {
		if p := strings.TrimLeft(port, "0"); p == "" || len(p) > 5 || p > "65535" && len(p) == 5 {
			return canon{}, fmt.Errorf("URL %q: port %q out of range", short(raw), port)
		} else {
			port = p
		}
		if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
			port = ""
		}
	}
	if b, ok := strings.CutPrefix(host, "www."); ok && strings.Contains(b, ".") {
		host = b
	}
	host = foldHost(host)

	path := normEscapes(u.EscapedPath())
	if host == "x.com" && (path == "" || path == "/") && u.RawQuery == "" && strings.HasPrefix(u.Fragment, "!/") {
		// Twitter's old AJAX form: twitter.com/#!/name/status/1. The
		// fragment is shorter than the URL, so this recursion ends.
		return parse("https://x.com" + u.EscapedFragment()[1:])
	}
	if path == "" {
		path = "/"
	}
	path = removeDotSegments(path)
	c := canon{scheme: scheme, host: host, port: port, path: path}
	params := parseQuery(u.RawQuery)
	if port == "" {
		switch {
		case host == "t.me":
			return telegram(segments(path), params, "")
		case strings.HasSuffix(host, ".t.me"):
			if name := strings.TrimSuffix(host, ".t.me"); telegramName(name) {
				return telegram(segments(path), params, name)
			}
		case host == "x.com":
			if t, ok := twitter(segments(path)); ok {
				return t, nil
			}
		case host == "youtube.com" || host == "youtu.be":
			if id := youtubeID(host, segments(path), params); id != "" {
				return canon{scheme: "https", host: "youtube.com", path: "/watch", params: []param{{"v", "v=" + id}}}, nil
			}
		}
	}
	c.params = dropTracking(host, params)
	return c, nil
}

// validScheme reports whether s has the syntax of a URL scheme.
func validScheme(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// short trims s for an error message.
func short(s string) string {
	const n = 120
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// canonicalHost lowercases host and converts it to punycode.
func canonicalHost(host string) (string, error) {
	if strings.Contains(host, "%") {
		return "", fmt.Errorf("percent-encoded host %q", host)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is6() && !a.Is4In6() {
			return "[" + a.String() + "]", nil
		}
		return a.Unmap().String(), nil
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", errors.New("empty host")
	}
	if strings.Contains(host, "..") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", fmt.Errorf("host %q: empty label", host)
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err == nil {
		if err := dnsLength(ascii); err != nil {
			return "", fmt.Errorf("host %q: %w", short(host), err)
		}
		return ascii, nil
	}
	// Lookup applies the STD3 rules, which reject underscores; real hosts
	// carry them in subdomains, so plain ASCII names get a looser check.
	lower := strings.ToLower(host)
	if err := dnsLength(lower); err != nil {
		return "", fmt.Errorf("host %q: %w", short(host), err)
	}
	for _, label := range strings.Split(lower, ".") {
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isASCIILetter(c) && !isDigit(c) && c != '-' && c != '_' {
				return "", fmt.Errorf("host %q: %w", short(host), err)
			}
		}
	}
	return lower, nil
}

// dnsLength checks the DNS limits of an ASCII host name: labels of 1 to 63
// bytes, 253 bytes in all.
func dnsLength(host string) error {
	if len(host) > 253 {
		return fmt.Errorf("%d bytes long, over the 253 of DNS", len(host))
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" {
			return errors.New("empty label")
		}
		if len(label) > 63 {
			return fmt.Errorf("label of %d bytes, over the 63 of DNS", len(label))
		}
	}
	return nil
}

// segments splits a path into its non-empty segments.
func segments(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
}

// unreserved reports whether c is an RFC 3986 unreserved character.
func unreserved(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// mustEscape reports whether c never appears unescaped in a canonical URL.
func mustEscape(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return true
	}
	switch c {
	case '"', '<', '>', '\\', '^', '`', '{', '|', '}', '#':
		return true
	}
	return false
}

func unhex(c byte) (byte, bool) {
	switch {
	case isDigit(c):
		return c - '0', true
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return c | 0x20 - 'a' + 10, true
	}
	return 0, false
}

// normEscapes normalises percent-encoding (RFC 3986 section 6.2.2.2):
// escapes of unreserved characters are decoded, hex digits upper-cased,
// and characters that may not appear raw (non-ASCII bytes among them) are
// escaped. A "%" that starts no escape becomes "%25".
func normEscapes(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || mustEscape(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) {
				hi, ok1 := unhex(s[i+1])
				lo, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					v := hi<<4 | lo
					if unreserved(v) {
						b.WriteByte(v)
					} else {
						b.WriteByte('%')
						b.WriteByte(hexdig[hi])
						b.WriteByte(hexdig[lo])
					}
					i += 2
					continue
				}
			}
			b.WriteString("%25")
			continue
		}
		if mustEscape(c) {
			b.WriteByte('%')
			b.WriteByte(hexdig[c>>4])
			b.WriteByte(hexdig[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// removeDotSegments applies RFC 3986 section 5.2.4 to an absolute path.
func removeDotSegments(p string) string {
	if !strings.Contains(p, "/.") {
		return p
	}
	segs := strings.Split(p, "/")[1:]
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/")
}

// parseQuery splits a raw query into normalised parameters, in order.
func parseQuery(q string) []param {
	if q == "" {
		return nil
	}
	var ps []param
	for q != "" {
		var piece string
		piece, q, _ = strings.Cut(q, "&")
		if piece == "" {
			continue
		}
		raw := normEscapes(piece)
		k, _, _ := strings.Cut(raw, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		ps = append(ps, param{key: strings.ToLower(k), raw: raw})
	}
	return ps
}

// dropTracking removes tracking parameters and sorts the rest by key,
// keeping the order of repeated keys.
func dropTracking(host string, ps []param) []param {
	out := ps[:0]
	for _, p := range ps {
		if !trackingParam(host, p.key) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].raw[:keyLen(out[i].raw)] < out[j].raw[:keyLen(out[j].raw)] })
	return out
}

// keyLen returns the length of the key in a raw "key=value" parameter.
func keyLen(raw string) int {
	if i := strings.IndexByte(raw, '='); i >= 0 {
		return i
	}
	return len(raw)
}

// value returns the decoded value of the first parameter named key.
func value(ps []param, key string) (string, bool) {
	for _, p := range ps {
		if p.key == key {
			_, v, _ := strings.Cut(p.raw, "=")
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			return v, true
		}
	}
	return "", false
}

// keep returns the parameters whose key is in keys, sorted.
func keep(ps []param, keys ...string) []param {
	var out []param
	for _, p := range ps {
		for _, k := range keys {
			if p.key == k {
				out = append(out, p)
				break
			}
		}
	}
	return dropTracking("", out)
}
