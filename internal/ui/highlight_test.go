package ui

import (
	"strings"
	"testing"
)

func TestHighlight(t *testing.T) {
	for _, tc := range []struct {
		text  string
		terms []string
		want  string // marked parts in [brackets]
	}{
		{"Kill them all", []string{"kill"}, "[Kill] them all"},
		{"انفروا إلى الجهاد", []string{"انفروا"}, "[انفروا] إلى الجهاد"},
		{"abc abc", []string{"abc"}, "[abc] [abc]"},
		{"overlap", []string{"over", "verl"}, "overlap"}, // whole words only
		{"noon: phones on", []string{"on"}, "noon: phones [on]"},
		{"over-the-top", []string{"over"}, "[over]-the-top"},
		{"انفروا واقتلوا الكفار", []string{"اقتلوا الكفار"}, "انفروا و[اقتلوا الكفار]"}, // after a proclitic
		{"لا تقتلوا", []string{"قتلوا"}, "لا تقتلوا"},                                   // ت is not a proclitic
		{"كالمجاهدين", []string{"مجاهد"}, "كالمجاهدين"},                                 // ends inside the word
		{"no match here", []string{"absent"}, "no match here"},
		{"a b", []string{"a", " "}, "a b"}, // one-character terms are ignored
		{"", []string{"x"}, ""},
		{"ÉCOLE école", []string{"école"}, "[ÉCOLE] [école]"},
		{"نشر الخلافة اليوم", []string{"الخلافه"}, "نشر [الخلافة] اليوم"},
		{"اقتلوا الكفّار الآن", []string{"اقتلوا الكفار"}, "[اقتلوا الكفّار] الآن"},
		{"#الراية_السوداء", []string{"الرايه السوداء"}, "#[الراية_السوداء]"},
		{"send to bc1qxyz now", []string{"bc1qxyz"}, "send to [bc1qxyz] now"},
	} {
		var b strings.Builder
		for _, s := range highlight(tc.text, tc.terms) {
			if s.Mark {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		if b.String() != tc.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", tc.text, tc.terms, b.String(), tc.want)
		}
	}
}

// FuzzHighlight checks that highlighting never loses or changes text and
// never marks two neighbouring segments the same way.
func FuzzHighlight(f *testing.F) {
	f.Add("Kill them all", "kill")
	f.Add("انفروا إلى الجهاد", "الجهاد")
	f.Add("\xff\xfe broken utf8", "\xfe b")
	f.Fuzz(func(t *testing.T, text, term string) {
		segs := highlight(text, []string{term, strings.ToUpper(term)})
		var b strings.Builder
		for i, s := range segs {
			if i > 0 && segs[i-1].Mark == s.Mark {
				t.Fatalf("segments %d and %d both marked=%v", i-1, i, s.Mark)
			}
			b.WriteString(s.Text)
		}
		if b.String() != text {
			t.Fatalf("joined segments %q != text %q", b.String(), text)
		}
	})
}
