package source

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// xmlEncoding finds the encoding named in an XML declaration.
var xmlEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// feedUTF8 returns a feed's body in UTF-8, as feed readers read it: a
// byte-order mark first; then a body that is already valid UTF-8 is kept
// as it is, whatever a server's default charset says; else the charset
// of the Content-Type header, else the encoding of the XML declaration,
// else windows-1252 (guessed is then true). The declaration is rewritten
// to say UTF-8, so the XML parser does not decode the body twice.
func feedUTF8(body []byte, contentType string) (out []byte, guessed bool, err error) {
	if enc, name := bomEncoding(body); enc != nil {
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, false, fmt.Errorf("decode as %s: %w", name, err)
		}
		return declareUTF8(bytes.TrimPrefix(out, []byte("\uFEFF"))), false, nil
	}
	header := ""
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		header = params["charset"]
	}
	var declared string
	if m := xmlEncoding.FindSubmatch(body[:min(len(body), 512)]); m != nil {
		declared = string(m[1])
	}
	if utf8.Valid(body) && !isUTF16(header) {
		return declareUTF8(body), false, nil
	}
	for _, label := range []string{header, declared} {
		if label == "" || isUTF8(label) {
			continue
		}
		enc, name := charset.Lookup(label)
		if enc == nil {
			continue
		}
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, false, fmt.Errorf("decode as %s: %w", name, err)
		}
		return declareUTF8(out), false, nil
	}
	enc, _ := charset.Lookup("windows-1252")
	out, err = enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, false, fmt.Errorf("decode as windows-1252: %w", err)
	}
	return declareUTF8(out), true, nil
}

func bomEncoding(b []byte) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8BOM, "utf-8"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	}
	return nil, ""
}

func isUTF8(label string) bool {
	_, name := charset.Lookup(label)
	return name == "utf-8"
}

func isUTF16(label string) bool {
	_, name := charset.Lookup(label)
	return strings.HasPrefix(name, "utf-16")
}

// declareUTF8 makes an XML declaration's encoding say UTF-8.
func declareUTF8(b []byte) []byte {
	m := xmlEncoding.FindSubmatchIndex(b[:min(len(b), 512)])
	if m == nil || isUTF8(string(b[m[2]:m[3]])) {
		return b
	}
	return append(append(append([]byte(nil), b[:m[2]]...), "UTF-8"...), b[m[3]:]...)
}
