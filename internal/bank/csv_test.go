package bank

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
)

var pdqA = strings.Repeat("f8", 32)

func TestParseCSVShapes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opt     ParseOptions
		want    []model.BankEntry
		badLine []int
		err     string
	}{
		{name: "own shape", in: "type,value,label,source,added_at\npdq," + pdqA + ",propaganda,partner,2026-01-02\nurl,HTTPS://T.ME/joinchat/abc,propaganda,,\n",
			want: []model.BankEntry{{Type: model.SignalPDQ, Value: pdqA, Label: model.Propaganda, Source: "partner"}, {Type: model.SignalURL, Value: "https://t.me/+abc", Label: model.Propaganda}}},
		{name: "hash per line", in: pdqA + "\n# a comment\n" + strings.ToUpper(strings.Repeat("0a", 32)) + "\n",
			want: []model.BankEntry{{Type: model.SignalPDQ, Value: pdqA}, {Type: model.SignalPDQ, Value: strings.Repeat("0a", 32)}}},
		{name: "hash per line as md5", in: strings.Repeat("ab", 16) + "\n", opt: ParseOptions{Type: model.SignalMD5, Label: model.Propaganda, Source: "s"},
			want: []model.BankEntry{{Type: model.SignalMD5, Value: strings.Repeat("ab", 16), Label: model.Propaganda, Source: "s"}}},
		{name: "threatexchange style", in: "pdq_hex,quality,tags\n" + pdqA + ",100,propaganda\n",
			want: []model.BankEntry{{Type: model.SignalPDQ, Value: pdqA, Label: model.Propaganda}}},
		{name: "bad lines reported, rest kept", in: "hash,label\nnothex,propaganda\n" + pdqA + ",propaganda\n" + pdqA[:60] + ",\n" + strings.Repeat("11", 32) + ",bogus\n",
			want: []model.BankEntry{{Type: model.SignalPDQ, Value: pdqA, Label: model.Propaganda}}, badLine: []int{2, 4, 5}},
		{name: "duplicates once", in: pdqA + "\n" + pdqA + "\n", want: []model.BankEntry{{Type: model.SignalPDQ, Value: pdqA}}},
		{name: "wallet", in: "type,value\nwallet,BTC:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4\nwallet,btc:1notvalid\n",
			want: []model.BankEntry{{Type: model.SignalWallet, Value: "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}}, badLine: []int{3}},
		{name: "no header, many columns", in: pdqA + ",x\n", err: "no header"},
		{name: "header without a value column", in: "label,source\npropaganda,x\n", err: "no hash or value column"},
		{name: "unknown default type", in: pdqA + "\n", opt: ParseOptions{Type: "sha1"}, err: "unknown signal type"},
		{name: "quote error", in: "hash\n\"abc\n", badLine: []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad, err := ParseCSV(strings.NewReader(tt.in), tt.opt)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, b := range bad {
				lines = append(lines, b.Line)
			}
			if len(lines) != len(tt.badLine) {
				t.Fatalf("bad lines %v (%v), want %v", lines, bad, tt.badLine)
			}
			for i := range lines {
				if lines[i] != tt.badLine[i] {
					t.Fatalf("bad lines %v, want %v", lines, tt.badLine)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d entries %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Type != w.Type || g.Value != w.Value || g.Label != w.Label || g.Source != w.Source {
					t.Errorf("entry %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	in := []model.BankEntry{{Type: model.SignalPDQ, Value: pdqA, Label: model.Propaganda, Source: "a,b \"quoted\""}, {Type: model.SignalURL, Value: "https://x.com/i/status/1"}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, bad, err := ParseCSV(&buf, ParseOptions{})
	if err != nil || len(bad) != 0 || len(out) != 2 || out[0].Source != in[0].Source || out[1].Value != in[1].Value {
		t.Fatalf("round trip: %+v %v %v", out, bad, err)
	}
	buf.Reset()
	WriteHashes(&buf, in)
	if buf.String() != pdqA+"\n" {
		t.Fatalf("hashes = %q", buf.String())
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add("type,value,label,source,added_at\npdq," + pdqA + ",propaganda,p,2026-01-02\n")
	f.Add(pdqA + "\n")
	f.Add("pdq_hex,quality\n" + pdqA + ",90\n\"broken")
	f.Fuzz(func(t *testing.T, in string) {
		es, bad, err := ParseCSV(strings.NewReader(in), ParseOptions{})
		if err != nil {
			return
		}
		for _, e := range es {
			if v, err := Canonical(e.Type, e.Value); err != nil || v != e.Value {
				t.Fatalf("entry %+v is not canonical: %q %v", e, v, err)
			}
		}
		for _, b := range bad {
			if b.Line <= 0 {
				t.Fatalf("bad line number %d", b.Line)
			}
		}
	})
}

// TestWriteCSVGuardsFormulas: a source a spreadsheet would run as a
// formula is written quoted, after a byte order mark, and reads back as
// it was; a plain hash list stays plain hex without a mark.
func TestWriteCSVGuardsFormulas(t *testing.T) {
	evil := "=cmd|'/c calc'!A1"
	in := []model.BankEntry{
		{Type: model.SignalPDQ, Value: pdqA, Label: model.Propaganda, Source: evil},
		{Type: model.SignalURL, Value: "https://x.com/i/status/1", Source: "-2+3"},
		{Type: model.SignalURL, Value: "https://x.com/i/status/2", Source: "'=already quoted"},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\ufefftype,value,label,source,added_at\n") {
		t.Fatalf("no byte order mark and header: %q", out[:40])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"'" + evil, "'-2+3", "''=already quoted"} {
		found := false
		for _, r := range recs {
			found = found || r[3] == want
		}
		if !found {
			t.Errorf("no cell %q in %q", want, recs)
		}
	}
	back, bad, err := ParseCSV(strings.NewReader(out), ParseOptions{})
	if err != nil || len(bad) != 0 || len(back) != len(in) {
		t.Fatalf("read back: %+v %v %v", back, bad, err)
	}
	for i := range in {
		if back[i].Source != in[i].Source || back[i].Value != in[i].Value {
			t.Errorf("entry %d read back as %+v, want %+v", i, back[i], in[i])
		}
	}
	// The hash list partners exchange: hex only, no mark, and read back
	// with or without one.
	buf.Reset()
	WriteHashes(&buf, in)
	if buf.String() != pdqA+"\n" {
		t.Fatalf("hashes = %q", buf.String())
	}
	back, bad, err = ParseCSV(strings.NewReader("\ufeff"+pdqA+"\n"), ParseOptions{})
	if err != nil || len(bad) != 0 || len(back) != 1 || back[0].Value != pdqA {
		t.Fatalf("hash list with a byte order mark: %+v %v %v", back, bad, err)
	}
}
