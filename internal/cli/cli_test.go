package cli

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// run runs marsad with args and returns its exit code and output.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDemoTwiceIsIdempotent(t *testing.T) {
	data := t.TempDir()
	code, out, errs := run(t, "", "demo", "--no-serve", "--data", data)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s %s", code, out, errs)
	}
	m := regexp.MustCompile(`(\d+) read, (\d+) new`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Fatalf("demo output: %s", out)
	}
	code, out2, _ := run(t, "", "demo", "--no-serve", "--data", data)
	if code != 0 || !strings.Contains(out2, " 0 new") {
		t.Fatalf("second demo run: exit %d: %s", code, out2)
	}
	code, list, _ := run(t, "", "cases", "list", "--data", data)
	if code != 0 || !strings.Contains(list, "demo-partner-hashes") {
		t.Fatalf("cases list: %d %s", code, list)
	}
	// News reports and counter-speech in the demo must not be in the queue.
	s, err := store.Open(context.Background(), filepath.Join(data, "marsad.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs, _, _ := s.Cases(context.Background(), store.CaseFilter{Kind: model.CasePost, Limit: 500})
	protective := map[string]bool{"@imam_salam": true, "mubadarat.shabab": true, "@survivors_voice": true, "@paroles_de_paix": true}
	for _, c := range cs {
		p, err := s.Post(context.Background(), c.PostID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.SourceID, "news-") || protective[p.Author] {
			t.Errorf("case %d flags a news report or counter-speech: %s %q (%v)", c.ID, p.SourceID, p.Text, c.Reasons)
		}
	}
	// The re-uploaded banner matches the partner's PDQ entry.
	code, out, _ = run(t, "", "match", "--data", data, filepath.Join(data, "demo", "media", "banner-a-reupload.png"))
	if code != 0 || !strings.Contains(out, "demo-partner-hashes") {
		t.Fatalf("match: %d %s", code, out)
	}
	code, out, _ = run(t, "", "reprocess", "--data", data)
	if code != 0 || !strings.Contains(out, "reprocessed") {
		t.Fatalf("reprocess: %d %s", code, out)
	}
	code, out, _ = run(t, "", "audit", "verify", "--data", data)
	if code != 0 || !strings.Contains(out, "audit log OK") {
		t.Fatalf("audit verify: %d %s", code, out)
	}
}

func TestIngestBankAndAudit(t *testing.T) {
	data := t.TempDir()
	in := filepath.Join(data, "posts.jsonl")
	os.WriteFile(in, []byte(`{"platform":"x","source_id":"1","text":"send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}
{"platform":"x","source_id":"2","text":"hi","extra":1}
`), 0o644)
	code, out, errs := run(t, "", "ingest", "--data", data, in)
	if code != 1 || !strings.Contains(out, "1 new") || !strings.Contains(errs, "line 2: extra: unknown field") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = run(t, "", "bank", "create", "--data", data, "--owner", "unit", "wallets")
	if code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs = run(t, "", "bank", "create", "--data", data, "wallets"); code != 1 || !strings.Contains(errs, "already exists") {
		t.Fatalf("duplicate bank: %d %s", code, errs)
	}
	csv := "type,value,label\nwallet,btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,financing\nwallet,btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb,financing\nmd5,xyz,\n"
	code, out, errs = run(t, csv, "bank", "import", "--data", data, "wallets", "-")
	if code != 1 || !strings.Contains(out, "1 added") || !strings.Contains(errs, "line 3") || !strings.Contains(errs, "line 4") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run(t, "", "bank", "export", "--data", data, "wallets")
	if code != 0 || !strings.Contains(out, "wallet,btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,financing") {
		t.Fatalf("export: %d %s", code, out)
	}
	code, out, _ = run(t, "", "bank", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "wallets") {
		t.Fatalf("list: %s", out)
	}
	code, out, errs = run(t, "", "audit", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "bank.create") || !strings.Contains(out, "ingest") {
		t.Fatalf("audit list: %s %s", out, errs)
	}
	if code, _, _ = run(t, "", "bank", "frobnicate"); code != 2 {
		t.Fatalf("unknown subcommand: exit %d, want 2", code)
	}
	if code, _, _ = run(t, "", "nope"); code != 2 {
		t.Fatalf("unknown command: exit %d, want 2", code)
	}
	if code, out, _ = run(t, "", "ingest", "--help"); code != 0 {
		t.Fatalf("ingest --help: exit %d", code)
	}
}

// serve runs marsad serve on a free loopback port and returns its address
// and a function that stops it and returns its exit code.
func serve(t *testing.T, data string) (addr string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw, _ := os.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &bytes.Buffer{})
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	return regexp.MustCompile(`http://[0-9.:]+`).FindString(line), stop
}

func TestServeAnswers(t *testing.T) {
	addr, stop := serve(t, t.TempDir())
	for _, path := range []string{"/healthz", "/metrics", "/api/v1/openapi.json", "/api/v1/cases"} {
		resp, err := http.Get(addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}
