package network

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNormalizeText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Hello,   WORLD!!", "hello world"},
		{"مُحَمَّدٌ", "محمد"},                          // harakat removed
		{"الســـلام", "السلام"},                        // tatweel removed
		{"أحمد إلى آخر ٱلكتاب", "احمد الي اخر الكتاب"}, // alef forms, alef maqsura
		{"مدرسة", "مدرسه"},                             // teh marbuta
		{"مؤمن شاطئ", "مومن شاطي"},                     // hamza on waw and yeh
		{"عام ١٤٤٥ و۲۰۲۴", "عام 1445 و2024"},           // Arabic-Indic and Persian digits
		{"ﻻ إله", "لا اله"},                            // presentation form folded by NFKC
		{"کتاب فارسی", "كتاب فارسي"},                   // keheh, Persian yeh
		{"see https://t.co/abc @user now", "see now"},
		{"a\u200bb\u200f", "ab"},
		{"#tag_one", "tag one"},
		{"", ""},
	}
	for _, c := range cases {
		if got := NormalizeText(c.in); got != c.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{"مُحَمَّدٌ https://x.y", "Hello, WORLD", "ﻻ ١٢", "\xff\xfe", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeText(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("untrimmed spaces in %q", n)
		}
		if again := NormalizeText(n); again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, again)
		}
	})
}

const base = "The brothers must gather at the northern gate after the evening prayer and bring supplies"

func TestTextIndexGroups(t *testing.T) {
	x, err := NewTextIndex(TextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text  string
		group string // "" = too short; otherwise a label shared by texts of one group
	}{
		{base, "A"},
		{strings.ToUpper(base) + "!!! https://t.co/xyz", "A"},       // identical after normalisation
		{strings.Replace(base, "supplies", "the supplies", 1), "A"}, // one word added
		{"Completely different message about the football match tonight at eight", "B"},
		{"ok", ""},
		{"يجب على الإخوة التجمع عند البوابة الشمالية بعد صلاة العشاء", "C"},
		{"يَجِبُ عَلَى الاخوة التجمّع عند البوابه الشماليه بعد صلاة العشاء", "C"}, // diacritics, hamza and teh marbuta differ
	}
	label := map[string]string{}
	for i, c := range cases {
		id, ok := x.Assign(c.text)
		if ok != (c.group != "") {
			t.Fatalf("case %d: ok = %v", i, ok)
		}
		if !ok {
			continue
		}
		if prev, seen := label[c.group]; seen && prev != id {
			t.Errorf("case %d: group %s got id %s, earlier %s", i, c.group, id, prev)
		}
		for g, other := range label {
			if g != c.group && other == id {
				t.Errorf("case %d: group %s shares id %s with group %s", i, c.group, id, g)
			}
		}
		label[c.group] = id
	}
}

func TestTextSimilarityEstimate(t *testing.T) {
	// Jaccard similarity of shingle sets and its MinHash estimate agree
	// within the estimator's spread (128 hashes: sd <= 0.045).
	a := []rune(NormalizeText(base))
	for _, cut := range []int{0, 10, 25, 40} {
		b := []rune(NormalizeText(base[:len(base)-cut] + " and something else entirely"))
		sa, sb := shingleSet(a, 5), shingleSet(b, 5)
		inter := 0
		for s := range sa {
			if sb[s] {
				inter++
			}
		}
		j := float64(inter) / float64(len(sa)+len(sb)-inter)
		x, y := signature(a, 5), signature(b, 5)
		if est := similarity(&x, &y); est < j-0.15 || est > j+0.15 {
			t.Errorf("cut %d: estimate %.2f, Jaccard %.2f", cut, est, j)
		}
	}
}

func shingleSet(r []rune, k int) map[string]bool {
	out := map[string]bool{}
	for i := 0; i+k <= len(r); i++ {
		out[string(r[i:i+k])] = true
	}
	return out
}

func TestGroupTextsCoShares(t *testing.T) {
	shares := []Share{
		{Account: "a", ObjectType: "text", Object: base, Time: at(0)},
		{Account: "b", ObjectType: "text", Object: base + " now", Time: at(20)},
		{Account: "c", ObjectType: "text", Object: "hi", Time: at(1)},
		{Account: "c", ObjectType: "url", Object: "u", Time: at(2)},
	}
	out, err := GroupTexts(shares, TextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].Object != out[1].Object || !strings.HasPrefix(out[0].Object, "t") || out[2].Object != "u" {
		t.Fatalf("GroupTexts = %+v", out)
	}
	if shares[0].Object != base {
		t.Error("GroupTexts changed its input")
	}
	_, g, err := Detect(out, Options{MinParticipation: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Edges) != 1 || g.Edges[0].A != "a" || g.Edges[0].B != "b" {
		t.Errorf("near-duplicate texts did not co-share: %+v", g.Edges)
	}
	if _, err := GroupTexts(shares, TextOptions{Threshold: 2}); err == nil {
		t.Error("threshold 2 accepted")
	}
}

func TestGroupObjectsWithinDistance(t *testing.T) {
	// Hashes within Hamming distance 2 of each other chain into one group,
	// the way a caller links PDQ hashes found by a multi-index hash.
	hashes := []string{"0000", "0003", "000f", "f000", "ffff"}
	dist := func(a, b string) int {
		var x, y uint16
		fmt.Sscanf(a, "%x", &x)
		fmt.Sscanf(b, "%x", &y)
		d := 0
		for v := x ^ y; v != 0; v &= v - 1 {
			d++
		}
		return d
	}
	near := func(h string) []string {
		var out []string
		for _, o := range hashes {
			if o != h && dist(h, o) <= 2 {
				out = append(out, o)
			}
		}
		return out
	}
	groups := GroupObjects(hashes, near)
	want := map[string]string{"0000": "0000", "0003": "0000", "000f": "0000", "f000": "f000", "ffff": "ffff"}
	for h, r := range want {
		if groups[h] != r {
			t.Errorf("group of %s = %s, want %s", h, groups[h], r)
		}
	}
	shares := Regroup([]Share{
		{Account: "a", ObjectType: "phash", Object: "000f", Time: at(0)},
		{Account: "b", ObjectType: "phash", Object: "0000", Time: at(5)},
		{Account: "c", ObjectType: "url", Object: "000f", Time: at(5)},
	}, "phash", groups)
	if got := []string{shares[0].Object, shares[1].Object, shares[2].Object}; !slices.Equal(got, []string{"0000", "0000", "000f"}) {
		t.Errorf("Regroup objects %v", got)
	}
}

func BenchmarkTextIndex(b *testing.B) {
	texts := make([]string, 1000)
	for i := range texts {
		texts[i] = fmt.Sprintf("%s number %d at %s", base, i%200, time.Duration(i)*time.Second)
	}
	b.ResetTimer()
	for b.Loop() {
		x, _ := NewTextIndex(TextOptions{})
		for _, s := range texts {
			x.Assign(s)
		}
	}
}
