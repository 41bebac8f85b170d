package csvsafe

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
)

func TestCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=cmd|'/c calc'!A1", "'=cmd|'/c calc'!A1"},
		{"+HYPERLINK(\"x\")", "'+HYPERLINK(\"x\")"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1,2)", "'@SUM(1,2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-", "'-"},
		{"-12", "-12"},
		{"+3.5", "+3.5"},
		{"-0.25", "-0.25"},
		{"-1e5", "'-1e5"},
		{"-.5", "'-.5"},
		{"'=x", "''=x"},
		{"'-12", "''-12"},
		{"'quoted", "'quoted"},
		{"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"},
		{"https://example.com/?a=1", "https://example.com/?a=1"},
		{"", ""},
		{"مرصد", "مرصد"},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := Unguard(Cell(c.in)); got != c.in {
			t.Errorf("Unguard(Cell(%q)) = %q", c.in, got)
		}
	}
}

func FuzzCellRoundTrip(f *testing.F) {
	for _, s := range []string{"=1", "'=1", "''-", "-12", "'", "@", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Cell(s)
		if Unguard(c) != s {
			t.Fatalf("Unguard(Cell(%q)) = %q", s, Unguard(c))
		}
		if c != "" && strings.ContainsRune(triggers, rune(c[0])) && !isNumber(c) {
			t.Fatalf("Cell(%q) = %q starts a formula", s, c)
		}
	})
}

func TestSpreadsheetWriter(t *testing.T) {
	var b bytes.Buffer
	w, err := NewSpreadsheetWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]string{"a", "=1+1"})
	w.Write([]string{"-7", "@x"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), BOM) {
		t.Fatalf("no BOM: %q", b.String())
	}
	recs, err := csv.NewReader(SkipBOM(&b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", "'=1+1"}, {"-7", "'@x"}}
	if len(recs) != 2 || recs[0][1] != want[0][1] || recs[1][0] != want[1][0] || recs[1][1] != want[1][1] || recs[0][0] != "a" {
		t.Fatalf("got %q, want %q", recs, want)
	}
}

func TestSkipBOM(t *testing.T) {
	for _, in := range []string{BOM + "abc", "abc", "", "\xef\xbb"} {
		b, _ := io.ReadAll(SkipBOM(strings.NewReader(in)))
		if want := strings.TrimPrefix(in, BOM); string(b) != want {
			t.Errorf("SkipBOM(%q) = %q, want %q", in, b, want)
		}
	}
}
