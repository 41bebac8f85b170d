package textnorm

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"tashkeel", "الْحَمْدُ لِلَّهِ", "الحمد لله"},
		{"tatweel", "جـــهاد", "جهاد"},
		{"alef forms", "أحمد إسلام آمن ٱلله", "احمد اسلام امن الله"},
		{"hamza carriers", "مؤمن رئيس", "مومن رييس"},
		{"ta marbuta", "دولة الخلافة", "دوله الخلافه"},
		{"alef maqsura", "على مستشفى", "علي مستشفي"},
		{"persian urdu letters", "کتاب یک گروہ پاکستان", "كتاب يك كروه باكستان"},
		{"arabic-indic digits", "قتل ٣٥ شخصا في ۱۲ هجوم", "قتل 35 شخصا في 12 هجوم"},
		{"arabic elongation", "جدااااا ههههههه", "جدا ه"},
		{"latin elongation", "Sooooo goooood", "soo good"},
		{"double letters kept", "الله cool", "الله cool"},
		{"digits not elongation", "1000 ٣٠٠٠ 0x5290000", "1000 3000 0x5290000"},
		{"presentation forms", "ﻻ ﺍﻟﻠﻪ", "لا الله"},
		{"full width latin", "ＩＳＩＳ", "isis"},
		{"latin accents", "Déjà été Straße", "deja ete straße"},
		{"url", "see https://t.co/abc?x=1 now", "see <url> now"},
		{"www url", "WWW.example.com/x", "<url>"},
		{"bare URL placeholder", "خبر URL", "خبر <url>"},
		{"at-url placeholder", "news @url", "news <url>"},
		{"mention", "@RamiAlLolah: breaking", "<user> breaking"},
		{"arabic hashtag", "#ولاية_دمشق الآن", "ولايه دمشق الان"},
		{"camel hashtag", "#StopTheHate2024", "stop the hate 2024"},
		{"emoji kept", "نصر 🔥🔥🔥 👍🏽 ❤️", "نصر 🔥 👍 ❤"},
		{"LF placeholder", "سطر<LF>سطر", "سطر سطر"},
		{"punctuation", "«Attention!», dit-il.", "attention dit il"},
		{"arabic punctuation", "لماذا؟ لأن،", "لماذا لان"},
		{"ligature", "محمد ﷺ", "محمد صلياللهعليهوسلم"},
		{"zero width", "دا\u200cعش", "داعش"},
		{"empty", "", ""},
		{"only marks", "\u064e\u064f", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenKinds(t *testing.T) {
	var n Normalizer
	toks := n.Tokenize("@user قال #عاجل_الان 15 قتيلا 😢 http://x.y")
	var got []string
	for _, tok := range toks {
		got = append(got, fmt.Sprintf("%s:%s", tok.Kind, n.Text(tok)))
	}
	want := "mention:<user> word:قال hashtag:عاجل hashtag:الان number:15 word:قتيلا emoji:😢 url:<url>"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}

// The compatibility folding must give the same tokens as NFKC applied first.
func TestNFKCInvariant(t *testing.T) {
	for _, s := range []string{"ﻫﺬﺍ ﺧﺒﺮ", "ﬁn du ﬂux", "①② ㎞", "Ａｒａｂｉｃ ﷲ", "é vs e\u0301"} {
		if a, b := Normalize(s), Normalize(norm.NFKC.String(s)); a != b {
			t.Errorf("%q: %q != NFKC first %q", s, a, b)
		}
	}
}

func TestNormalizerReuse(t *testing.T) {
	var n Normalizer
	first := Normalize("الخلافة باقية")
	n.Tokenize("a much longer text that fills the buffer with other words")
	n.Tokenize("الخلافة باقية")
	if got := string(n.Bytes()); got != first {
		t.Errorf("reused normalizer: %q, want %q", got, first)
	}
}

func TestTokenizeAllocations(t *testing.T) {
	var n Normalizer
	s := "عاجل: مقتل ١٥ شخصاً في هجوم انتحاري على سوق في #بغداد @reuters https://t.co/x 😢"
	n.Tokenize(s)
	if a := testing.AllocsPerRun(100, func() { n.Tokenize(s) }); a != 0 {
		t.Errorf("Tokenize allocates %v times per call with warm buffers", a)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "#a_b", "@", "#", "http://", "ﷺ", "😢🏽\u200d", "جدااا", "\xff\xfe", "URL", "<LF>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n Normalizer
		toks := n.Tokenize(s)
		out := n.Bytes()
		if !utf8.Valid(out) && utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 output %q from %q", out, s)
		}
		fields := bytes.Split(out, []byte{' '})
		if len(out) == 0 {
			fields = nil
		}
		if len(fields) != len(toks) {
			t.Fatalf("%d tokens but %d space-separated fields in %q", len(toks), len(fields), out)
		}
		for i, tok := range toks {
			if tok.Start >= tok.End || int(tok.End) > len(out) {
				t.Fatalf("token %d bounds %d:%d in %d bytes", i, tok.Start, tok.End, len(out))
			}
			if !bytes.Equal(n.Text(tok), fields[i]) {
				t.Fatalf("token %d = %q, field %q", i, n.Text(tok), fields[i])
			}
		}
	})
}

func BenchmarkTokenize(b *testing.B) {
	var n Normalizer
	s := "عاجل: مقتل ١٥ شخصاً في هجوم انتحاري على سوق شعبي وسط #بغداد والشرطة تفتح تحقيقا @reuters https://t.co/x"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		n.Tokenize(s)
	}
}

func TestProclitics(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"والجهاد", []string{"الجهاد", "جهاد"}},
		{"الجهاد", []string{"جهاد"}},
		{"وجهاد", []string{"جهاد"}},
		{"بالجهاد", []string{"الجهاد", "جهاد"}},
		{"فبالسلاح", []string{"بالسلاح", "السلاح", "سلاح"}},
		{"للمجاهدين", []string{"مجاهدين"}},
		{"بيت", nil},
		{"كتاب", nil},
		{"ولد", nil}, // و + two letters
		{"الي", nil},
		{"jihad", nil},
	} {
		if got := Proclitics(Normalize(c.in)); !slices.Equal(got, normAll(c.want)) {
			t.Errorf("Proclitics(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func normAll(ws []string) []string {
	var out []string
	for _, w := range ws {
		out = append(out, Normalize(w))
	}
	return out
}

func TestQueryForms(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"والخلافة", []string{"والخلافة", "الخلافة", "خلافة"}},
		{"بإخوانك", []string{"بإخوانك", "إخوانك"}},
		{"وبإخوانك", []string{"وبإخوانك", "بإخوانك", "إخوانك"}},
		{"لإخوانكم", []string{"لإخوانكم", "إخوانكم"}},
		{"بالجهاد", []string{"بالجهاد", "الجهاد", "جهاد"}},
		{"الخلافة", []string{"الخلافة", "خلافة"}},
		{"بلاد", []string{"بلاد"}}, // ب + three letters: not a preposition
		{"كتاب", []string{"كتاب"}},
		{"بيت", []string{"بيت"}},
		{"caliphate", []string{"caliphate"}},
	} {
		if got := QueryForms(Normalize(c.in)); !slices.Equal(got, normAll(c.want)) {
			t.Errorf("QueryForms(%q) = %q, want %q", c.in, got, normAll(c.want))
		}
	}
}
