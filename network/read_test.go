package network

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readString(t *testing.T, format, input string, opts ReadOptions) ([]Share, ReadStats, error) {
	t.Helper()
	opts.Format = format
	return ReadShares(context.Background(), strings.NewReader(input), "in."+format, opts)
}

func describe(shares []Share) []string {
	var out []string
	for _, s := range shares {
		out = append(out, fmt.Sprintf("%s %s:%s %s %s", s.Account, s.ObjectType, s.Object, s.Time.Format(time.RFC3339Nano), s.Post))
	}
	return out
}

func TestReadFixtures(t *testing.T) {
	cases := []struct {
		file   string
		opts   ReadOptions
		rows   int
		want   []string // first shares
		shares int
	}{
		{"russian_head.csv", ReadOptions{Format: "csv"}, 20, []string{
			"0fb4232d1b7b37069c13ee17579bd10e object:85d2d12251a735ce05255061f7f231e2 2021-06-16T22:04:51Z 114e22f1b2b648528277b76f0b0224e7"}, 20},
		{"german_head.csv", ReadOptions{Format: "csv"}, 4, []string{
			"fb_1 url:23678 2021-08-21T23:50:36Z 10", "fb_1 domain:3498 2021-08-21T23:50:36Z 10",
			"tw_2 hashtag:77 2021-08-21T23:50:40Z 11", "tw_2 hashtag:78 2021-08-21T23:50:40Z 11"}, 4},
		{"german_head.csv", ReadOptions{Format: "csv", Types: []string{"hashtag"}}, 4, []string{
			"tw_2 hashtag:77 2021-08-21T23:50:40Z 11"}, 2},
		{"posts.jsonl", ReadOptions{Format: "jsonl"}, 3, []string{
			"a1 url:https://example.org/x 2023-11-14T22:13:20Z 17",
			"a2 hashtag:#one #two 2023-11-14T22:13:30Z p2",
			"a2 url:https://example.org/x 2023-11-14T22:13:30Z p2",
			"a3 phash:ff00 2023-11-14T22:13:20.25Z "}, 4},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			shares, st, err := ReadShares(context.Background(), f, c.file, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := describe(shares)
			if st.Rows != c.rows || len(shares) != c.shares || st.Shares != c.shares {
				t.Errorf("rows %d shares %d, want %d and %d", st.Rows, len(shares), c.rows, c.shares)
			}
			for i, w := range c.want {
				if i >= len(got) || got[i] != w {
					t.Errorf("share %d = %q, want %q", i, got[min(i, len(got)-1)], w)
				}
			}
		})
	}
}

func TestReadBadInput(t *testing.T) {
	cases := []struct {
		name, format, input, want string
	}{
		{"empty csv", "csv", "", "in.csv: empty file"},
		{"no account column", "csv", "object_id,timestamp\nx,1\n", "header: no account column"},
		{"no time column", "csv", "account_id,object_id\na,x\n", "header: no time column"},
		{"no object column", "csv", "account_id,timestamp\na,1\n", "header: no object column"},
		{"two url columns", "csv", "account_id,timestamp,url,url_id\na,1,x,y\n", `columns "url" and "url_id" both hold url objects`},
		{"bad time", "csv", "account_id,object_id,timestamp\na,x,1\nb,y,yesterday\n", `in.csv: line 3: field "time": cannot read "yesterday"`},
		{"time in ms", "csv", "account_id,object_id,timestamp\na,x,1700000000000\n", "line 2: field \"time\": Unix time \"1700000000000\" out of range"},
		{"empty account", "csv", "account_id,object_id,timestamp\n,x,1\n", `line 2: field "account": empty`},
		{"ragged row", "csv", "account_id,object_id,timestamp\na,x\n", "wrong number of fields"},
		{"bad quote", "csv", "account_id,object_id,timestamp\na,\"x,1\n", "in.csv"},
		{"bad json", "jsonl", "{\"account_id\": \"a\", \"object_id\": \"x\", \"timestamp\": 1}\n{nope}\n", "in.jsonl: line 2: invalid character"},
		{"json array field", "jsonl", `{"account_id": ["a"], "object_id": "x", "timestamp": 1}`, `line 1: field "account_id": want a string, number or null`},
		{"json no columns", "jsonl", `{"who": "a"}`, "line 1: no account column"},
		{"json blank", "jsonl", "\n\n", "no JSON lines"},
		{"unknown format", "xml", "", `format "xml"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readString(t, c.format, c.input, ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"1629589836", "2021-08-21T23:50:36Z"},
		{"1629589836.5", "2021-08-21T23:50:36.5Z"},
		{"2021-08-21T23:50:36+02:00", "2021-08-21T21:50:36Z"},
		{"2021-08-21 23:50:36", "2021-08-21T23:50:36Z"},
		{" 2021-08-21T23:50:36Z ", "2021-08-21T23:50:36Z"},
	}
	for _, c := range cases {
		got, err := ParseTime(c.in)
		if err != nil || got.Format(time.RFC3339Nano) != c.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "-5", "0", "NaN", "Inf", "1e300", "21/08/2021", "+", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-01-01T00:00:00Z", "7258118400"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

// FuzzReadShares checks that no input makes the readers panic and that every
// share they return is valid.
func FuzzReadShares(f *testing.F) {
	for _, name := range []string{"russian_head.csv", "german_head.csv", "posts.jsonl"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.HasSuffix(name, ".jsonl"))
	}
	f.Add([]byte("account_id,object_id,timestamp\na,x,1e9\n"), false)
	f.Add([]byte(`{"account_id":"a","text":"x","timestamp":"2021-01-01T00:00:00Z"}`), true)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := "csv"
		if jsonl {
			format = "jsonl"
		}
		shares, st, err := ReadShares(context.Background(), strings.NewReader(string(data)), "fuzz", ReadOptions{Format: format})
		if err != nil {
			return
		}
		if st.Shares != len(shares) {
			t.Fatalf("stats say %d shares, got %d", st.Shares, len(shares))
		}
		for i, s := range shares {
			if err := s.validate(); err != nil {
				t.Fatalf("share %d invalid: %v", i, err)
			}
		}
		if _, _, err := Detect(shares, Options{}); err != nil {
			t.Fatalf("Detect rejected read shares: %v", err)
		}
	})
}

func TestReadFlagged(t *testing.T) {
	set, err := ReadFlagged(strings.NewReader("# from bank X\nurl:https://a.example/x?y=1\n\nphash:ff00\n"), "f")
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 2 || !set[Key{"url", "https://a.example/x?y=1"}] || !set[Key{"phash", "ff00"}] {
		t.Errorf("set %v", set)
	}
	for in, want := range map[string]string{
		"url:x\nnocolon\n": `f: line 2: want type:object, got "nocolon"`,
		":x\n":             "f: line 1",
		"url:\n":           "f: line 1",
	} {
		if _, err := ReadFlagged(strings.NewReader(in), "f"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadFlagged(%q) err = %v, want %q", in, err, want)
		}
	}
}

func FuzzReadFlagged(f *testing.F) {
	f.Add("url:x\n# c\nphash:ff\n")
	f.Add("bad")
	f.Fuzz(func(t *testing.T, in string) {
		set, err := ReadFlagged(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for k := range set {
			if k.Type == "" || k.Object == "" || strings.Contains(k.Type, ":") {
				t.Fatalf("bad key %+v", k)
			}
		}
	})
}
