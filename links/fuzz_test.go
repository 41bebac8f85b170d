package links

import (
	"strings"
	"testing"
	"unicode"
)

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"انضموا https://t.me/s/MyChannel/123، وتابعونا",
		"(راجع http://bit.ly/abc) «t.me/joinchat/AbCdEf» www.Example.com/a?b=1.",
		"الرابطt.me/xyz https://example.comوهذا e.g. user@example.com",
		"\u200fhttps://youtu.be/dQw4w9WgXcQ\u200f tg://resolve?domain=abc",
		"https://en.wikipedia.org/wiki/Foo_(bar)).",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, u := range Extract(text) {
			if !strings.Contains(text, u) {
				t.Fatalf("Extract returned %q, not in the text", u)
			}
			if strings.IndexFunc(u, unicode.IsSpace) >= 0 {
				t.Fatalf("Extract returned %q with white space", u)
			}
			_, _ = Canonical(u)
		}
	})
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		"HTTPS://WWW.Example.COM:443/a/./b/../c?utm_source=x&b=2&a=1#frag",
		"https://مثال.إختبار/مسار?ك=ق",
		"https://twitter.com/#!/User/status/0123",
		"t.me/joinchat/AbCdEf", "tg://resolve?domain=abc&post=1", "tg://join?invite=x",
		"https://youtu.be/dQw4w9WgXcQ?t=1", "https://[::1]:443/", "example.com:8080",
		"https://example.com/%7e%2F?q=%zz&&a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := Canonical(raw)
		if err != nil {
			return
		}
		if !strings.HasPrefix(c, "https://") && !strings.HasPrefix(c, "http://") && !strings.HasPrefix(c, "tg://") {
			t.Fatalf("Canonical(%q) = %q: no scheme", raw, c)
		}
		again, err := Canonical(c)
		if err != nil {
			t.Fatalf("Canonical(%q) = %q, which fails: %v", raw, c, err)
		}
		if again != c {
			t.Fatalf("Canonical(%q) = %q, but Canonical of that = %q", raw, c, again)
		}
	})
}
