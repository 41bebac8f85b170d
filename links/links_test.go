package links

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCanonicalVectors(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "canonical.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, cases := 0, 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		in, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("canonical.txt:%d: no tab", n)
		}
		cases++
		got, err := Canonical(in)
		if err != nil || got != want {
			t.Errorf("canonical.txt:%d: Canonical(%q) = %q, %v; want %q", n, in, got, err, want)
			continue
		}
		// The canonical form is a fixed point.
		if again, err := Canonical(got); err != nil || again != got {
			t.Errorf("canonical.txt:%d: Canonical(%q) = %q, %v; not a fixed point", n, got, again, err)
		}
	}
	if err := sc.Err(); err != nil || cases == 0 {
		t.Fatalf("canonical.txt: %d cases, %v", cases, err)
	}
}

func TestCanonicalSameLink(t *testing.T) {
	groups := [][]string{
		{"https://t.me/s/Channel_X/77", "http://telegram.me/channel_x/77", "t.me/CHANNEL_X/77?single", "tg://resolve?domain=channel_x&post=77", "https://channel_x.t.me/77"},
		{"https://youtu.be/dQw4w9WgXcQ", "youtube.com/watch?v=dQw4w9WgXcQ&t=1m", "https://m.youtube.com/shorts/dQw4w9WgXcQ?feature=share"},
		{"https://twitter.com/a/status/42", "x.com/b/status/42?s=46", "https://mobile.twitter.com/a/status/42/video/1"},
		{"https://www.example.com/a?b=1&utm_campaign=z#top", "HTTPS://EXAMPLE.COM:443/a?b=1", "example.com/a?b=1"},
	}
	for _, g := range groups {
		first, err := Canonical(g[0])
		if err != nil {
			t.Fatalf("Canonical(%q): %v", g[0], err)
		}
		for _, u := range g[1:] {
			if got, err := Canonical(u); err != nil || got != first {
				t.Errorf("Canonical(%q) = %q, %v; want %q like %q", u, got, err, first, g[0])
			}
		}
	}
}

func TestCanonicalErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty URL"},
		{"   ", "empty URL"},
		{"http://a b.com/", "white space"},
		{"https://example.com/\x00", "control character"},
		{"https://example.com/\xff", "invalid UTF-8"},
		{"ftp://example.com/", `unsupported scheme "ftp"`},
		{"javascript:alert(1)", "not a web link"},
		{"mailto:someone@example.com", "not a web link"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https://example.com:99999/", "out of range"},
		{"https://example.com:0/", "out of range"},
		{"https://a..b/", "empty"},
		{"https://ex%41mple.com/", "escape"},
		{"https://example.com/a%zzb", "invalid URL escape"},
		{"https://exa mple.com/", "white space"},
		{"https://exa<mple.com/", "host"},
		{"1http://x", "invalid scheme"},
		{"tg://resolve?domain=", "without a valid domain"},
		{"tg://join", "without a valid invite"},
		{"tg://privatepost?channel=x&post=1", "numeric channel"},
		{"tg://", "without an action"},
		{"https://" + strings.Repeat("a", MaxLength), "longer than"},
	}
	for _, tt := range tests {
		got, err := Canonical(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Canonical(%q) = %q, %v; want an error saying %q", short(tt.in), got, err, tt.want)
		}
	}
}

func TestHostAndShortener(t *testing.T) {
	tests := []struct {
		in, host string
		short    bool
	}{
		{"https://bit.ly/AbC", "bit.ly", true},
		{"t.co/xyz", "t.co", true},
		{"HTTP://WWW.TinyURL.com/abc", "tinyurl.com", true},
		{"https://vm.tiktok.com/ZM123/", "vm.tiktok.com", true},
		{"https://m.facebook.com/page", "facebook.com", false},
		{"https://t.me/x", "t.me", false},
		{"https://example.com/bit.ly", "example.com", false},
		{"not a url", "", false},
	}
	for _, tt := range tests {
		if got := Host(tt.in); got != tt.host {
			t.Errorf("Host(%q) = %q, want %q", tt.in, got, tt.host)
		}
		if got := IsShortener(tt.in); got != tt.short {
			t.Errorf("IsShortener(%q) = %v, want %v", tt.in, got, tt.short)
		}
	}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"no links", "بسم الله الرحمن الرحيم. هذا نص عادي، بلا روابط؟", nil},
		{"arabic around URL", "انضموا إلى قناتنا https://t.me/s/MyChannel/123، وتابعونا", []string{"https://t.me/s/MyChannel/123"}},
		{"arabic punctuation", "الرابط: https://example.com/a؟ والثاني https://example.com/b؛ والثالث https://example.com/c۔", []string{"https://example.com/a", "https://example.com/b", "https://example.com/c"}},
		{"sentence punctuation", "See https://example.com/x. Or https://example.com/y, or https://example.com/z!", []string{"https://example.com/x", "https://example.com/y", "https://example.com/z"}},
		{"brackets", "(راجع http://bit.ly/abc) [https://example.com/q] {https://example.com/r}", []string{"http://bit.ly/abc", "https://example.com/q", "https://example.com/r"}},
		{"balanced brackets kept", "see https://en.wikipedia.org/wiki/Foo_(bar)).", []string{"https://en.wikipedia.org/wiki/Foo_(bar)"}},
		{"guillemets and quotes", "«t.me/joinchat/AbCdEf» “https://example.com/q” \"https://example.com/r\"", []string{"t.me/joinchat/AbCdEf", "https://example.com/q", "https://example.com/r"}},
		{"schemeless", "زوروا www.Example.com/a?b=1 و t.me/xyz و example.org", []string{"www.Example.com/a?b=1", "t.me/xyz", "example.org"}},
		{"glued arabic before host", "الرابطt.me/xyz", []string{"t.me/xyz"}},
		{"glued arabic after host", "https://example.comوهذا", []string{"https://example.com"}},
		{"glued scheme", "رابطhttps://t.me/abc", []string{"https://t.me/abc"}},
		{"bidi marks", "\u200fhttps://youtu.be/dQw4w9WgXcQ\u200f \u2067t.me/abc\u2069", []string{"https://youtu.be/dQw4w9WgXcQ", "t.me/abc"}},
		{"emoji glued", "🔗t.me/abc🔥 👉https://example.com/x✅", []string{"t.me/abc", "https://example.com/x"}},
		{"markdown bold", "**https://x.com/User/status/123?s=20**", []string{"https://x.com/User/status/123?s=20"}},
		{"tg scheme", "افتح tg://resolve?domain=abcde&post=5 الآن", []string{"tg://resolve?domain=abcde&post=5"}},
		{"dedupe in order", "https://a.com/1 https://b.com/2 https://a.com/1 b.com", []string{"https://a.com/1", "https://b.com/2", "b.com"}},
		{"not URLs", "e.g. i.e. U.S.A. 3.14 v1.2 file.txt report.pdf Mr.Smith user@example.com a..b ...", nil},
		{"country domain", "bbc.co.uk and aljazeera.net and example.sa/path", []string{"bbc.co.uk", "aljazeera.net", "example.sa/path"}},
		{"port", "www.example.com:8080/x and example.com: next", []string{"www.example.com:8080/x", "example.com"}},
		{"other schemes ignored", "ftp://example.com/file and mailto:a@b.com", nil},
		{"bare scheme", "https:// and http://", nil},
		{"arabic domain with scheme", "https://مثال.إختبار/صفحة", []string{"https://مثال.إختبار/صفحة"}},
		{"line breaks", "first\nhttps://t.me/a\r\nhttps://t.me/b\t", []string{"https://t.me/a", "https://t.me/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Extract(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
			for _, u := range got {
				if _, err := Canonical(u); err != nil {
					t.Errorf("Canonical(%q) of an extracted URL: %v", u, err)
				}
			}
		})
	}
}
