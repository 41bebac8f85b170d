package cli

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// usageLines runs `marsad CMD --help` and returns the usage lines it
// prints, as printed (trimmed): "Usage: marsad ..." and its continuation
// lines, and the indented "  CMD sub ..." lines of commands with
// subcommands.
func usageLines(t *testing.T, cmd string) []string {
	t.Helper()
	_, out, errs := run(t, "", cmd, "--help")
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(out + errs))
	for sc.Scan() {
		l := sc.Text()
		tl := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(tl, "Usage: marsad "+cmd), strings.HasPrefix(tl, "marsad "+cmd+" "):
			lines = append(lines, tl)
		case strings.HasPrefix(l, "  "+cmd+" ") && !strings.HasPrefix(l, "   "):
			lines = append(lines, tl)
		}
	}
	return lines
}

// TestUsageLinesWithFlagsLast runs every usage line that `--help` prints,
// with the flags typed after the positional arguments, as people type
// them. Each line must be in the table (a new or changed line fails the
// test until it is added); --data always comes last and points at a data
// folder of the test, while MARSAD_DATA points elsewhere, so a --data
// that is not honoured shows.
func TestUsageLinesWithFlagsLast(t *testing.T) {
	dir := t.TempDir()
	d := filepath.Join(dir, "data")
	wrong := filepath.Join(dir, "wrong")
	t.Setenv("MARSAD_DATA", wrong)
	t.Setenv("MARSAD_DB", "")
	p := func(name string) string { return filepath.Join(dir, name) }
	md5 := strings.Repeat("ab", 16)
	pdqHex := strings.Repeat("f8", 32)
	os.WriteFile(p("md5.csv"), []byte(md5+"\n"), 0o600)
	os.WriteFile(p("video.txt"), []byte("0,100,"+pdqHex+",0.000\n1,100,"+pdqHex+",1.000\n"), 0o600)
	os.WriteFile(p("posts.jsonl"), []byte(`{"platform":"x","source_id":"2","text":"hello"}`+"\n"), 0o600)
	os.WriteFile(p("texts.txt"), []byte("see https://example.org/a\n"), 0o600)
	os.WriteFile(p("shares.csv"), []byte("account_id,object_id,timestamp_share\na,https://e.org/1,100\nb,https://e.org/1,110\na,https://e.org/2,200\nb,https://e.org/2,205\n"), 0o600)
	os.WriteFile(p("tweets.json"), []byte(`{"data":[{"id":"1","text":"hi","author_id":"9","created_at":"2026-01-02T03:04:05.000Z"}],"includes":{"users":[{"id":"9","username":"u"}]}}`), 0o600)
	os.MkdirAll(p("vpdq-out"), 0o750)

	type tc struct {
		args  []string
		stdin string
		code  int    // expected exit code
		want  string // in stdout or stderr
		skip  string // why the line is not run
	}
	dd := []string{"--data", d}
	with := func(args ...string) []string { return append(args, dd...) }
	cases := map[string]tc{
		"Usage: marsad audit <verify|list> [flags]":                                           {skip: "summary of the lines below"},
		"audit verify   recompute the hash chain and name the first event that does not fit;": {args: with("audit", "verify"), want: "audit log OK"},
		"audit list     print events (--subject case:12, --after N, --limit N)":               {args: with("audit", "list", "--limit", "1"), want: "bank"},

		"Usage: marsad bank <create|list|import|export|enable|disable|rm> [flags] ...": {skip: "summary of the lines below"},
		"bank create NAME [--owner O] [--description D] [--auto-action] [--disabled]":  {args: with("bank", "create", "b2", "--owner", "partner-o", "--description", "x", "--disabled"), want: `bank "b2" created`},
		"bank list": {args: with("bank", "list"), want: "partner-o"},
		"bank import NAME FILE.csv|-   [--type pdq|sha256|md5|url|wallet] [--label L] [--source S]": {args: with("bank", "import", "b1", p("md5.csv"), "--type", "md5", "--label", "propaganda", "--source", "S"), want: "1 added"},
		"bank import NAME FILE.txt|DIR [--format vpdq] [--label L] [--source S]":                    {args: with("bank", "import", "vb", p("video.txt"), "--format", "vpdq", "--label", "propaganda", "--source", "S"), want: "1 videos added"},
		"bank export NAME [FILE.csv]   [--format csv|hashes]":                                       {args: with("bank", "export", "b1", "--format", "csv"), want: "md5," + md5},
		"bank export NAME DIR --format vpdq":                                                        {args: with("bank", "export", "vb", p("vpdq-out"), "--format", "vpdq"), want: "1"},
		"bank enable NAME | bank disable NAME":                                                      {args: with("bank", "disable", "b1"), want: "enabled=false"},
		"bank auto-action NAME on|off":                                                              {args: with("bank", "auto-action", "b1", "on"), want: "b1"},
		"bank rm NAME":                                                                              {args: with("bank", "rm", "b2"), want: "b2"},

		"Usage: marsad cases list [--state S] [--label L] [--lang L] [--platform P] [--limit N] [--offset N] [--json]": {args: with("cases", "list", "--state", "open", "--limit", "5", "--json"), want: `"cases"`},
		"Usage: marsad classify [--model FILE] [--threshold LABEL=V,...] [--json] [TEXT ...]":                          {args: []string{"classify", "join us", "--json"}, want: `"scores"`},
		"Usage: marsad demo [flags]": {skip: "no positional argument"},
		"Usage: marsad eval [--model FILE] [--spec FILE] [--data DIR] [--split test|calib|train] [--errors N] [--json] [--loso [--sources A,B]]": {skip: "no positional argument"},

		"Usage: marsad evidence verify --key evidence.pub BUNDLE.zip":     {args: []string{"evidence", "verify", p("none.zip"), "--key", p("none.pub")}, code: 1, want: "none."},
		`marsad evidence verify --fingerprint "1a2b 3c4d ..." BUNDLE.zip`: {args: []string{"evidence", "verify", p("none.zip"), "--fingerprint", strings.Repeat("ab", 16)}, code: 1, want: "none.zip"},
		"marsad evidence export [--data DIR] [--keys DIR] [-o FILE] ID":   {args: with("evidence", "export", "7", "-o", p("bundle.zip")), code: 1, want: "7"},
		"marsad evidence purge [--data DIR]":                              {args: with("evidence", "purge"), want: "purge"},
		"Usage: marsad extract [FILE...]":                                 {args: []string{"extract", p("texts.txt")}, want: "https://example.org/a"},
		"Usage: marsad hash [flags] FILE|DIR...":                          {args: []string{"hash", p("md5.csv"), "--exact"}, code: 1, want: "md5.csv"},
		"Usage: marsad import KIND [flags] FILE|DIR":                      {args: with("import", "x", p("tweets.json")), want: "1 new"},
		"Usage: marsad ingest [flags] FILE.jsonl|-":                       {args: with("ingest", p("posts.jsonl"), "-j", "1"), want: "1 new"},
		"Usage: marsad langid [TEXT ...] | langid --eval [--spec FILE] [--data DIR] [--json] | langid --train -o FILE [--spec FILE] [--data DIR]": {args: []string{"langid", "the quick brown fox jumps over the lazy dog", "--json"}, want: `"en"`},
		"Usage: marsad match [flags] HASH|FILE...":                                                                    {args: with("match", pdqHex, "--json"), want: `"query"`},
		"Usage: marsad model <list|activate|default|export|curve> [flags] ...":                                        {skip: "summary of the lines below"},
		"model list                     the text models trained from decisions, newest first":                         {args: with("model", "list"), want: ""},
		"model activate ID              use model ID for every post scored from now on":                               {args: with("model", "activate", "99"), code: 1, want: "99"},
		"model default                  go back to the built-in model":                                                {args: with("model", "default"), want: "built-in"},
		"model export ID -o FILE        write model ID to a model file (for --model, classify, eval)":                 {args: with("model", "export", "99", "-o", p("m.bin")), code: 1, want: "99"},
		"model curve [--source NAME,...] [--sizes 0,100,500,2000] [--json]":                                           {skip: "no positional argument; trains models (slow)"},
		"Usage: marsad network [flags] FILE.csv|FILE.jsonl|-":                                                         {args: []string{"network", p("shares.csv"), "--edges", p("edges.csv"), "--window", "60s"}, want: "accounts"},
		"marsad network --store [--data DIR | --db DSN] [flags]":                                                      {skip: "no positional argument"},
		"marsad network --planted [flags]":                                                                            {skip: "no positional argument"},
		"Usage: marsad ocr [--raw] [--psm N,...] IMAGE ... | ocr --eval [--set NAME] [--raw] [--psm N,...]":           {args: []string{"ocr", p("none.png"), "--psm", "6", "--raw"}, code: 1, want: "none.png"},
		"Usage: marsad report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|csv|json]":                         {args: with("report", "--format", "csv"), want: "orders_sent"},
		"Usage: marsad reprocess [flags]":                                                                             {skip: "no positional argument"},
		"Usage: marsad serve [flags]":                                                                                 {skip: "no positional argument; serves until stopped"},
		"Usage: marsad stream kafka|nats [flags]":                                                                     {skip: "the kind is read before the flags; consumes until stopped"},
		"Usage: marsad source <add|list|pause|resume|rm|run> [flags] ...":                                             {skip: "summary of the lines below"},
		"source add --kind feed --name NAME --url URL [--interval 15m] [--no-media]":                                  {args: with("source", "add", "--kind", "feed", "--name", "f1", "--url", "https://example.org/feed.xml", "--interval", "20m"), want: "f1"},
		"source add --kind telegram --name NAME --channel NAME [--depth 100] [--base-url URL]":                        {args: with("source", "add", "--kind", "telegram", "--name", "t1", "--channel", "example_channel", "--depth", "50"), want: "t1"},
		"source add --kind x-search --name NAME --query QUERY [--max-results 100] [--max-pages 5] [--bearer-env VAR]": {args: with("source", "add", "--kind", "x-search", "--name", "x1", "--query", "example", "--max-results", "50"), want: "x1"},
		"source add --kind KIND --name NAME [--interval 15m] CONFIG-JSON":                                             {args: with("source", "add", `{"url":"https://example.org/other.xml"}`, "--kind", "feed", "--name", "f2", "--interval", "20m"), want: "f2"},
		"source list            health of each source: posts stored, items skipped":                                   {args: with("source", "list"), want: "20m"},
		"source pause NAME | source resume NAME | source rm NAME":                                                     {args: with("source", "pause", "f1")},
		"source run NAME        poll once now (and on while there is more at once)":                                   {args: with("source", "run", "nope"), code: 1, want: "nope"},
		"Usage: marsad train [--spec FILE] [--data DIR] [-o FILE] [--epochs N] [--bits N] [--char-min N] [--char-max N] [--bigrams=false] [--stop-words=false] [--lr X] [--seed N]": {skip: "no positional argument"},
		"Usage: marsad org add --kind platform --platform NAME ORG": {args: with("org", "add", "TG", "--kind", "platform", "--platform", "telegram"), want: "TG"},
		"marsad org add --kind agency ORG":                          {args: with("org", "add", "Agency", "--kind", "agency"), want: "Agency"},
		"marsad org list":                                           {args: with("org", "list"), want: "telegram"},
		"marsad org rename ORG NEW-NAME":                            {args: with("org", "rename", "unit", "CT Unit"), want: "CT Unit"},
		"marsad user key add --scopes read --org ORG PARTNER":       {args: with("user", "key", "add", "tg-bot", "--scopes", "read", "--org", "TG"), want: "platform telegram"},
		"Usage: marsad user add [--role admin|reviewer|analyst] [--lang en|ar|fr] [--org ORG] NAME": {args: with("user", "add", "rana", "--role", "reviewer", "--lang", "ar"), stdin: "a long enough password\n", want: "rana"},
		"marsad user passwd NAME": {args: with("user", "passwd", "rana"), stdin: "another long password\n", want: "rana"},
		"marsad user list":        {args: with("user", "list"), want: "reviewer"},
		"marsad user key add --scopes read,write --platform NAME PARTNER": {args: with("user", "key", "add", "partner-a", "--scopes", "read,write", "--platform", "x"), want: "partner-a"},
		"marsad user key add --scopes read,all-platforms PARTNER":         {args: with("user", "key", "add", "partner-b", "--scopes", "read,all-platforms"), want: "partner-b"},
		"marsad user key list":      {args: with("user", "key", "list"), want: "partner-a"},
		"marsad user key revoke ID": {args: with("user", "key", "revoke", "1"), want: "1"},
		"Usage: marsad version":     {skip: "no argument"},
	}

	// Banks the lines above work on, made with flags first.
	for _, b := range []string{"b1", "vb"} {
		if code, _, errs := run(t, "", "bank", "create", "--data", d, b); code != 0 {
			t.Fatalf("bank create %s: %s", b, errs)
		}
	}

	var names []string
	for n := range commands() {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	for _, cmd := range names {
		lines := usageLines(t, cmd)
		if len(lines) == 0 {
			t.Errorf("marsad %s --help prints no usage line", cmd)
		}
		for _, line := range lines {
			seen[line] = true
			c, ok := cases[line]
			if !ok {
				t.Errorf("usage line not in the table: %q", line)
				continue
			}
			if c.skip != "" {
				continue
			}
			code, out, errs := run(t, c.stdin, c.args...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Errorf("%q\n  run as %q: exit %d, want %d with %q\n  stdout: %s\n  stderr: %s", line, c.args, code, c.code, c.want, out, errs)
			}
		}
	}
	for line := range cases {
		if !seen[line] {
			t.Errorf("table line not printed by any --help: %q", line)
		}
	}
	if _, err := os.Stat(wrong); err == nil {
		t.Errorf("a command used MARSAD_DATA (%s) although --data was given after its arguments", wrong)
	}
}

// TestFlagsFirst: flags move before the positional arguments with their
// values; "-" is positional; after "--" everything is positional.
func TestFlagsFirst(t *testing.T) {
	fs := newFlags(env{stdout: &strings.Builder{}, stderr: &strings.Builder{}}, "t", "t")
	typ := fs.String("type", "", "")
	js := fs.Bool("json", false, "")
	for _, c := range []struct {
		in   []string
		typ  string
		json bool
		args []string
	}{
		{[]string{"NAME", "FILE", "--type", "pdq"}, "pdq", false, []string{"NAME", "FILE"}},
		{[]string{"NAME", "--json", "-", "--type=md5"}, "md5", true, []string{"NAME", "-"}},
		{[]string{"--type", "url", "NAME", "--", "--json", "-x"}, "url", false, []string{"NAME", "--json", "-x"}},
		{[]string{"-type", "-", "NAME"}, "-", false, []string{"NAME"}},
		{[]string{"NAME"}, "", false, []string{"NAME"}},
	} {
		*typ, *js = "", false
		if err := parseFlags(fs, env{args: c.in}); err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if *typ != c.typ || *js != c.json || strings.Join(fs.Args(), " ") != strings.Join(c.args, " ") {
			t.Errorf("%q: type %q json %t args %q, want %q %t %q", c.in, *typ, *js, fs.Args(), c.typ, c.json, c.args)
		}
	}
	if err := parseFlags(fs, env{args: []string{"NAME", "--nope"}}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("an unknown flag after the arguments: %v", err)
	}
}
