package arabicshape

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// The expected strings are worked out by hand from ArabicShaping.txt
// (joining classes) and the Arabic Presentation Forms-B chart.
func TestShape(t *testing.T) {
	for _, tc := range []struct{ in, want, why string }{
		{"محمد", "\uFEE3\uFEA4\uFEE4\uFEAA", "initial, medial, medial, final"},
		{"بيت", "\uFE91\uFEF4\uFE96", "dual-joining letters"},
		{"دار", "\uFEA9\uFE8D\uFEAD", "right-joining letters never join the next"},
		{"مدرسة", "\uFEE3\uFEAA\uFEAD\uFEB3\uFE94", "dal breaks the word; taa marbuta final"},
		{"مسؤول", "\uFEE3\uFEB4\uFE86\uFEED\uFEDD", "waw with hamza is right-joining"},
		{"ماء", "\uFEE3\uFE8E\uFE80", "hamza is non-joining"},
		{"الله", "\uFE8D\uFEDF\uFEE0\uFEEA", "no special ligature for the name of God"},
		{"على", "\uFECB\uFEE0\uFEF0", "alef maqsura final"},
		{"إلى", "\uFE87\uFEDF\uFEF0", "hamza below alef isolated"},
		{"سلام", "\uFEB3\uFEFC\uFEE1", "lam-alef final ligature"},
		{"لا", "\uFEFB", "lam-alef isolated"},
		{"لأن", "\uFEF7\uFEE5", "lam-alef with hamza above"},
		{"الآن", "\uFE8D\uFEF5\uFEE5", "lam-alef with madda"},
		{"فلإ", "\uFED3\uFEFA", "lam-alef with hamza below, final"},
		{"بإسم", "\uFE91\uFE88\uFEB3\uFEE2", "alef joins the letter before"},
		{"كَتَبَ", "\uFEDB\u064E\uFE98\u064E\uFE90\u064E", "marks are skipped when joining and kept"},
		{"لَا", "\uFEFB\u064E", "a mark between lam and alef moves after the ligature"},
		{"بـ", "\uFE91\u0640", "tatweel makes the letter before it initial"},
		{"ب\u200cت", "\uFE8F\u200c\uFE95", "zero-width non-joiner stops joining"},
		{"پیک", "\uFB58\uFBFF\uFB8F", "Persian letters"},
		{"abc 123", "abc 123", "other text passes through"},
	} {
		if got := Shape(tc.in); got != tc.want {
			t.Errorf("Shape(%q) (%s) = %s, want %s", tc.in, tc.why, hex(got), hex(tc.want))
		}
	}
}

func TestVisual(t *testing.T) {
	for _, tc := range []struct{ in, want, why string }{
		{"سلام", "\uFEE1\uFEFC\uFEB3", "a word is reversed"},
		{"رقم 12 من 2021/784", "2021/784 \uFEE6\uFEE3 12 \uFEE2\uFED7\uFEAD", "numbers keep their order, pieces are reversed"},
		{"انظر https://example.com/a?b=1 الآن", "\uFEE5\uFEF5\uFE8D https://example.com/a?b=1 \uFEAE\uFEC8\uFEE7\uFE8D", "an address keeps its order"},
		{"منصة Telegram تحذف", "\uFED1\uFEAC\uFEA4\uFE97 Telegram \uFE94\uFEBC\uFEE8\uFEE3", "a Latin word inside Arabic"},
		{"(نص)", "(\uFEBA\uFEE7)", "brackets are mirrored"},
		{"عدد ١٢٣", "١٢٣ \uFEA9\uFEAA\uFECB", "Arabic-Indic digits keep their order"},
		{"كَتَبَ", "\uFE90\u064E\uFE98\u064E\uFEDB\u064E", "marks stay after their letter"},
		{"Platform منصة X", "Platform \uFE94\uFEBC\uFEE8\uFEE3 X", "an Arabic run in a left-to-right line"},
		{"Case 12: عدد ٣ منشورات.", "Case 12: \uFE95\uFE8D\uFEAD\uFEEE\uFEB8\uFEE8\uFEE3 ٣ \uFEA9\uFEAA\uFECB.", "numbers inside an Arabic run in a left-to-right line"},
		{"Regulation (EU) 2021/784", "Regulation (EU) 2021/784", "left-to-right text is unchanged"},
		{"", "", "empty line"},
	} {
		if got := Visual(tc.in); got != tc.want {
			t.Errorf("Visual(%q) (%s) = %s, want %s", tc.in, tc.why, hex(got), hex(tc.want))
		}
	}
}

func TestStripMarks(t *testing.T) {
	if got, want := StripMarks("كَتَبَ بـالقلمِ"), "كتب بالقلم"; got != want {
		t.Errorf("StripMarks = %q, want %q", got, want)
	}
}

func TestIsRTL(t *testing.T) {
	for in, want := range map[string]bool{"سلام": true, "123 سلام": true, "Hi سلام": false, "123": false, "": false} {
		if got := IsRTL(in); got != want {
			t.Errorf("IsRTL(%q) = %v, want %v", in, got, want)
		}
	}
}

// Every shaped letter is a presentation form, so no Arabic letter with
// forms is left for a font engine to draw in its isolated default.
func TestShapeLeavesNoBaseLetter(t *testing.T) {
	var all strings.Builder
	for r := range letters {
		all.WriteRune(r)
	}
	for _, r := range Shape(all.String()) {
		if _, ok := letters[r]; ok {
			t.Errorf("Shape left %U unshaped", r)
		}
	}
}

func FuzzVisual(f *testing.F) {
	for _, s := range []string{"سلام", "رقم 12 من 2021/784", "(نص) Telegram", "لَا", "a\u200dب"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		v := Visual(s)
		if utf8.RuneCountInString(v) > utf8.RuneCountInString(s) {
			t.Errorf("Visual(%q) has more characters than its input: %q", s, v)
		}
	})
}

func hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "<%04X>", r)
	}
	return b.String()
}
