package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// posts is a small CooRTweet-style file: a, b and c push two links within
// seconds; d shares one of them much later.
const posts = `account_id,object_id,timestamp_share,content_id
a,u1,1700000000,p1
b,u1,1700000004,p2
c,u1,1700000009,p3
a,u2,1700000600,p4
b,u2,1700000602,p5
c,u2,1700000610,p6
d,u1,1700003600,p7
`

func TestNetworkCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "posts.csv")
	if err := os.WriteFile(in, []byte(posts), 0o644); err != nil {
		t.Fatal(err)
	}
	out := func(name string) string { return filepath.Join(dir, name) }
	code, stdout, stderr := run(t, "", "network", "--window", "30s", "--gexf", out("g.gexf"), "--graphml", out("g.graphml"),
		"--edges", out("e.csv"), "--accounts", out("a.csv"), "--json", out("c.json"), in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"7 rows, 7 shares", "co-shares:    6, object 6", "accounts:     3", "edges:        3 (0 self-loops)", "groups:       1 connected", "communities:  1 (Leiden)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	edges, _ := os.ReadFile(out("e.csv"))
	if want := "source,target,weight,objects,median_delay_s,community,mean_delay_s,types\na,b,2,2,3,1,3,object:2\na,c,2,2,9.5,1,9.5,object:2\nb,c,2,2,6.5,1,6.5,object:2\n"; string(edges) != want {
		t.Errorf("edges.csv:\n%s\nwant:\n%s", edges, want)
	}
	for _, f := range []string{"g.gexf", "g.graphml"} {
		b, _ := os.ReadFile(out(f))
		if !bytes.Contains(b, []byte(`<?xml`)) || !bytes.Contains(b, []byte(">c<")) && !bytes.Contains(b, []byte(`label="c"`)) {
			t.Errorf("%s does not hold account c:\n%s", f, b)
		}
	}
	var cases struct {
		Communities []struct {
			Accounts []string `json:"accounts"`
			Timeline []struct {
				Post string `json:"post"`
			} `json:"timeline"`
		} `json:"communities"`
	}
	b, _ := os.ReadFile(out("c.json"))
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases.Communities) != 1 || len(cases.Communities[0].Timeline) != 6 || cases.Communities[0].Timeline[0].Post != "p1" {
		t.Errorf("communities JSON: %s", b)
	}
}

func TestNetworkCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("account_id,object_id,timestamp\na,x,1700000000\nb,y,soon\n"), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"network", bad}, 1, `bad.csv: line 3: field "time": cannot read "soon"`},
		{[]string{"network", filepath.Join(dir, "missing.csv")}, 1, "no such file"},
		{[]string{"network"}, 2, "want one FILE"},
		{[]string{"network", "--min-participation", "0", bad}, 2, "must be positive"},
		{[]string{"network", "--bogus", bad}, 2, "flag provided but not defined"},
	}
	for _, c := range cases {
		code, _, stderr := run(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

func TestNetworkHelp(t *testing.T) {
	code, stdout, stderr := run(t, "", "network", "--help")
	if code != 0 || !strings.Contains(stderr+stdout, "Usage: marsad network [flags] FILE") || !strings.Contains(stderr+stdout, "-min-participation") {
		t.Errorf("help: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestNetworkPlanted(t *testing.T) {
	code, stdout, stderr := run(t, "", "network", "--planted", "--planted-runs", "1", "--planted-organic", "200", "--planted-posts", "2000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "recall") || strings.Count(stdout, "\n") < 14 {
		t.Errorf("planted table:\n%s", stdout)
	}
}

func TestNetworkFlagged(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "posts.csv")
	os.WriteFile(in, []byte(posts), 0o644)
	good := filepath.Join(dir, "flagged.txt")
	os.WriteFile(good, []byte("# bank matches\nobject:u1\n\n"), 0o644)
	code, stdout, stderr := run(t, "", "network", "--window", "30s", "--flagged", good, in)
	if code != 0 || !strings.Contains(stdout, " 0.50 ") {
		t.Errorf("exit %d, want flagged share 0.50 in:\n%s%s", code, stdout, stderr)
	}
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("object:u1\nu2\n"), 0o644)
	code, _, stderr = run(t, "", "network", "--flagged", bad, in)
	if code != 1 || !strings.Contains(stderr, `bad.txt: line 2: want type:object, got "u2"`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestNetworkCommandText(t *testing.T) {
	// a and b post two messages each, the copies differing in diacritics,
	// hamza, punctuation and a link; c posts an unrelated text.
	lines := []string{
		`{"account_id": "a", "text": "يجب على الإخوة التجمع عند البوابة الشمالية بعد صلاة العشاء", "timestamp": 1700000000}`,
		`{"account_id": "b", "text": "يَجِبُ على الاخوة التجمّع عند البوابه الشماليه بعد صلاة العشاء!! https://t.co/x", "timestamp": 1700000020}`,
		`{"account_id": "a", "text": "The supplies arrive on Friday at the old market, tell everyone", "timestamp": 1700005000}`,
		`{"account_id": "b", "text": "the supplies arrive on friday at the old market - tell everyone", "timestamp": 1700005030}`,
		`{"account_id": "c", "text": "Football tonight at eight, who is coming to watch the match?", "timestamp": 1700005010}`,
	}
	in := filepath.Join(t.TempDir(), "posts.jsonl")
	os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	code, stdout, stderr := run(t, "", "network", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"5 rows, 5 shares", "text 5", "accounts:     2", "edges:        1 (0 self-loops)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
}

// TestNetworkCommandRules runs CooRTweet's rules and the strict variant on
// posts where they differ: a co-shares twice, b and c once each.
func TestNetworkCommandRules(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "posts.csv")
	os.WriteFile(in, []byte(`account_id,object_id,timestamp_share,content_id
a,x,1700000000,p1
b,x,1700000001,p2
a,y,1700000000,p3
c,y,1700000001,p4
b,q,1700000500,p5
c,r,1700000900,p6
`), 0o644)
	cs := filepath.Join(dir, "coshares.csv")
	code, stdout, stderr := run(t, "", "network", "--coshares", cs, "--skip-communities", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"rules CooRTweet, per object type", "co-shares:    2, object 2", "accounts:     3", "edges:        2 (0 self-loops)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "communities:") {
		t.Errorf("--skip-communities still reports communities:\n%s", stdout)
	}
	b, _ := os.ReadFile(cs)
	if want := "object_type,object_id,account_id,content_id,account_id_y,content_id_y,time_delta\nobject,x,a,p1,b,p2,1\nobject,y,a,p3,c,p4,1\n"; string(b) != want {
		t.Errorf("coshares.csv:\n%s\nwant:\n%s", b, want)
	}
	code, stdout, stderr = run(t, "", "network", "--strict", in)
	if code != 0 || !strings.Contains(stdout, "rules strict, types pooled") || !strings.Contains(stdout, "accounts:     0") {
		t.Errorf("--strict: exit %d, %s%s", code, stdout, stderr)
	}
}

// storePosts: four accounts push two links within seconds, twice; two
// organic accounts share one of them hours later.
func storePosts() string {
	var b strings.Builder
	n := 0
	post := func(author, text, at string) {
		n++
		fmt.Fprintf(&b, `{"platform":"x","source_id":"%d","author":"%s","text":"%s","posted_at":"%s"}`+"\n", n, author, text, at)
	}
	for i, a := range []string{"a1", "a2", "a3", "a4"} {
		post(a, "read https://bad.example/one", fmt.Sprintf("2026-05-01T12:00:%02dZ", 5*i))
		post(a, "and https://bad.example/two", fmt.Sprintf("2026-05-01T13:00:%02dZ", 7*i))
	}
	post("org1", "interesting https://bad.example/one", "2026-05-01T18:00:00Z")
	post("org2", "interesting https://bad.example/one", "2026-05-01T20:00:00Z")
	return b.String()
}

// With --store, the summary and every export flag work as they do on a
// file, and flags that only apply to a file are refused by name.
func TestNetworkStoreExports(t *testing.T) {
	data := t.TempDir()
	in := filepath.Join(data, "posts.jsonl")
	if err := os.WriteFile(in, []byte(storePosts()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, "", "ingest", "--data", data, in); code != 0 {
		t.Fatalf("ingest: %d %s %s", code, out, errs)
	}
	out := func(name string) string { return filepath.Join(data, name) }
	code, stdout, stderr := run(t, "", "network", "--store", "--data", data, "--gexf", out("g.gexf"), "--graphml", out("g.graphml"),
		"--edges", out("e.csv"), "--accounts", out("a.csv"), "--json", out("c.json"), "--coshares", out("co.csv"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"1 network cases opened", "network 1 (case 1, opened): 4 accounts co-shared 2 items", "accounts:     4", "edges:        6 (0 self-loops)", "communities:  1 (Leiden)", "x:a1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	edges, _ := os.ReadFile(out("e.csv"))
	if !strings.HasPrefix(string(edges), "source,target,weight,") || strings.Count(string(edges), "\n") != 7 || !strings.Contains(string(edges), "x:a1,x:a2,2,2,") {
		t.Errorf("edges.csv:\n%s", edges)
	}
	accts, _ := os.ReadFile(out("a.csv"))
	if strings.Count(string(accts), "\n") != 5 || strings.Contains(string(accts), "org1") {
		t.Errorf("accounts.csv:\n%s", accts)
	}
	co, _ := os.ReadFile(out("co.csv"))
	if strings.Count(string(co), "\n") != 13 {
		t.Errorf("coshares.csv has %d lines, want 12 co-shares and a header:\n%s", strings.Count(string(co), "\n"), co)
	}
	for _, f := range []string{"g.gexf", "g.graphml"} {
		b, _ := os.ReadFile(out(f))
		if !bytes.Contains(b, []byte(`<?xml`)) || !bytes.Contains(b, []byte("x:a4")) {
			t.Errorf("%s does not hold account x:a4:\n%s", f, b)
		}
	}
	var cj struct {
		Communities []struct {
			Accounts []string `json:"accounts"`
			Timeline []struct {
				Post string `json:"post"`
			} `json:"timeline"`
		} `json:"communities"`
	}
	b, _ := os.ReadFile(out("c.json"))
	if err := json.Unmarshal(b, &cj); err != nil || len(cj.Communities) != 1 || len(cj.Communities[0].Accounts) != 4 || len(cj.Communities[0].Timeline) != 8 {
		t.Errorf("communities JSON (%v): %s", err, b)
	}

	// --top 0 lists no community; --type text finds no network in links.
	_, stdout, _ = run(t, "", "network", "--store", "--data", data, "--top", "0")
	if strings.Contains(stdout, "first account") {
		t.Errorf("--top 0 still lists communities:\n%s", stdout)
	}
	_, stdout, _ = run(t, "", "network", "--store", "--data", data, "--top", "1")
	if !strings.Contains(stdout, "first account") || !strings.Contains(stdout, "1 updated") {
		t.Errorf("--top 1:\n%s", stdout)
	}
	_, stdout, _ = run(t, "", "network", "--store", "--data", data, "--type", "text")
	if !strings.Contains(stdout, "0 coordinated accounts") || strings.Contains(stdout, "url") {
		t.Errorf("--type text:\n%s", stdout)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "hashtag"}, `--type hashtag: the store's object types are url, media, phash, text`},
		{[]string{"--format", "csv"}, "--format does not apply with --store"},
		{[]string{"--flagged", in}, "--flagged does not apply with --store"},
		{[]string{"--skip-communities"}, "--skip-communities does not apply with --store"},
		{[]string{"--default-type", "url"}, "--default-type does not apply with --store"},
		{[]string{"--synthetic", "10"}, "--synthetic does not apply with --store"},
		{[]string{"--min-accounts", "0"}, "must be positive"},
	} {
		code, _, stderr := run(t, "", append([]string{"network", "--store", "--data", data}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
