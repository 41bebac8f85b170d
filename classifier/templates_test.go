package classifier

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestReadTemplates(t *testing.T) {
	f, err := os.Open("testdata/small.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ts, err := ReadTemplates(f, "small.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 {
		t.Fatalf("%d templates, want 4", len(ts))
	}
	want := Template{File: "small.tmpl", Line: 7, Lang: "en", Labels: []Label{NewsReporting}, HardNegative: true, Count: 3,
		Text: "Police in {CITY} said {N} people were killed in an attack."}
	got := ts[0]
	got.slots = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("template 0 = %+v\nwant %+v", got, want)
	}
	if ts[2].HardNegative || ts[3].Lang != "ar" || ts[3].Count != 1 {
		t.Errorf("directives not applied: %+v / %+v", ts[2], ts[3])
	}
	a, b := ts[0].Expand(1), ts[0].Expand(1)
	if !reflect.DeepEqual(a, b) || len(a) != 3 {
		t.Errorf("Expand(1) = %q then %q, want the same 3 sentences", a, b)
	}
	for _, s := range a {
		if strings.ContainsAny(s, "{}") {
			t.Errorf("unfilled slot in %q", s)
		}
	}
}

func TestReadTemplatesErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"template first", "- hello\n", "t:1: template before @lang and @label"},
		{"unknown directive", "@colour red\n", "t:1: unknown directive @colour"},
		{"bad label", "@label evil\n", `t:1: unknown label "evil"`},
		{"bad count", "@count many\n", "t:1: @count"},
		{"empty slot", "@slot X  |  \n", "t:1: slot X has no values"},
		{"undefined slot", "@lang en\n@label none\n- a {X}\n", "t:3: slot {X} is not defined"},
		{"unclosed", "@lang en\n@label none\n@slot X a\n- a {X\n", "t:4: unclosed {"},
		{"stray text", "@lang en\nhello\n", "t:2: want a comment"},
		{"bad hard negative", "@hard_negative maybe\n", "t:1: @hard_negative"},
		{"empty template", "@lang en\n@label none\n- \n", "t:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTemplates(strings.NewReader(tt.in), "t")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func FuzzReadTemplates(f *testing.F) {
	b, _ := os.ReadFile("testdata/small.tmpl")
	f.Add(string(b))
	f.Add("@lang en\n@label none\n@slot A {\n- {A}\n")
	f.Fuzz(func(t *testing.T, in string) {
		ts, err := ReadTemplates(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for _, tm := range ts {
			out := tm.Expand(3)
			if len(out) == 0 || len(out) > tm.Count {
				t.Fatalf("%q expanded to %d sentences, count %d", tm.Text, len(out), tm.Count)
			}
		}
	})
}
