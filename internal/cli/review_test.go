package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

func TestUserCommands(t *testing.T) {
	data := t.TempDir()
	if code, out, errs := run(t, "correct horse battery\n", "user", "add", "--data", data, "--role", "admin", "amina"); code != 0 || !strings.Contains(out, "amina added with role admin") {
		t.Fatalf("user add: %d %s %s", code, out, errs)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		err   string
	}{
		{"correct horse battery\n", []string{"add", "--role", "admin", "amina"}, 1, "already exists"},
		{"short\n", []string{"add", "bob"}, 1, "at least 10 characters"},
		{"", []string{"add", "bob"}, 1, "no password on standard input"},
		{"correct horse battery\n", []string{"add", "--role", "root", "bob"}, 1, "unknown role"},
		{"", []string{"frob"}, 2, "unknown subcommand"},
		{"", []string{"key", "add", "--scopes", "admin", "p"}, 1, "unknown scope"},
	} {
		n := 1
		if tc.args[0] == "key" {
			n = 2
		}
		args := append(append([]string{"user"}, tc.args[:n]...), "--data", data)
		code, _, errs := run(t, tc.stdin, append(args, tc.args[n:]...)...)
		if code != tc.code || !strings.Contains(errs, tc.err) {
			t.Errorf("user %v: exit %d %q, want %d and %q", tc.args, code, errs, tc.code, tc.err)
		}
	}
	code, out, _ := run(t, "", "user", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "amina") || !strings.Contains(out, "admin") {
		t.Fatalf("user list: %s", out)
	}
	code, key, errs := run(t, "", "user", "key", "add", "--data", data, "--scopes", "read", "--platform", "telegram", "partner-a")
	if code != 0 || !strings.HasPrefix(key, "mk_") {
		t.Fatalf("key add: %d %q %s", code, key, errs)
	}
	code, out, _ = run(t, "", "user", "key", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "partner-a") || strings.Contains(out, strings.TrimSpace(key)) {
		t.Fatalf("key list shows %q (must not show the key itself)", out)
	}
	if code, out, _ = run(t, "", "user", "key", "revoke", "--data", data, "1"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("key revoke: %d %s", code, out)
	}
	if code, _, _ = run(t, "", "user", "--help"); code != 0 {
		t.Fatalf("user --help: exit %d", code)
	}
}

// TestServeGuardsAPIAndUI runs marsad serve once a user exists: the UI
// asks to log in and the API wants a key or a session.
func TestServeGuardsAPIAndUI(t *testing.T) {
	data := t.TempDir()
	if code, _, errs := run(t, "correct horse battery\n", "user", "add", "--data", data, "--role", "reviewer", "rev1"); code != 0 {
		t.Fatal(errs)
	}
	_, readKey, _ := run(t, "", "user", "key", "add", "--data", data, "--scopes", "read,all-platforms", "reader")
	_, writeKey, _ := run(t, "", "user", "key", "add", "--data", data, "--scopes", "read,write,all-platforms", "writer")
	addr, stop := serve(t, data)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := `{"platform":"x","source_id":"1","text":"hello"}`
	for _, tc := range []struct {
		method, path, key, body string
		want                    int
	}{
		{"GET", "/", "", "", 303},
		{"GET", "/login", "", "", 200},
		{"GET", "/healthz", "", "", 200},
		{"GET", "/api/v1/cases", "", "", 401},
		{"GET", "/api/v1/cases", "mk_not-a-key", "", 401},
		{"GET", "/api/v1/cases", readKey, "", 200},
		{"POST", "/api/v1/posts", readKey, post, 403},
		{"POST", "/api/v1/posts", writeKey, post, 200},
		{"POST", "/api/v1/banks", writeKey, `{"name":"b"}`, 403},
	} {
		req, _ := http.NewRequest(tc.method, addr+tc.path, strings.NewReader(tc.body))
		if tc.key != "" {
			req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tc.key))
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if tc.want == 200 && resp.StatusCode == 201 {
			resp.StatusCode = 200
		}
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s (key %.6s): %d, want %d", tc.method, tc.path, tc.key, resp.StatusCode, tc.want)
		}
	}
	stop()
}

func TestEvidenceExportAndVerify(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(data, "marsad.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := &model.Case{Priority: 1, Labels: []model.Label{model.Propaganda}}
	if _, _, err := s.SavePost(ctx, &model.Post{Platform: "x", SourceID: "1", Text: "t", PostedAt: time.Now()}, store.Analysis{Case: c}); err != nil {
		t.Fatal(err)
	}
	key, err := evidence.LoadOrCreateKey(filepath.Join(data, evidence.KeyDir))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := evidence.NewKeeper(s, evidence.Media{}, key).Preserve(ctx, c.ID, "rev1")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	bundle := filepath.Join(t.TempDir(), "b.zip")
	if code, out, errs := run(t, "", "evidence", "export", "--data", data, "-o", bundle, "1"); code != 0 || ev.ID != 1 {
		t.Fatalf("export: %d %s %s", code, out, errs)
	}
	pub := filepath.Join(data, evidence.KeyDir, evidence.PublicKeyFile)
	if code, out, errs := run(t, "", "evidence", "verify", "--key", pub, bundle); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify: %d %s %s", code, out, errs)
	}
	// Change post.json inside the archive: verification must fail.
	tampered := filepath.Join(t.TempDir(), "t.zip")
	rewriteZip(t, bundle, tampered, "post.json", []byte(`{"post":{"text":"edited"}}`))
	if code, _, errs := run(t, "", "evidence", "verify", "--key", pub, tampered); code != 1 || !strings.Contains(errs, "post.json") {
		t.Fatalf("tampered bundle: exit %d %s", code, errs)
	}
	// A bundle signed by another key is refused when a key is given.
	other := t.TempDir()
	if _, err := evidence.LoadOrCreateKey(other); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "", "evidence", "verify", "--key", filepath.Join(other, evidence.PublicKeyFile), bundle); code != 1 || !strings.Contains(errs, "not the trusted key") {
		t.Fatalf("wrong key: exit %d %s", code, errs)
	}
}

func rewriteZip(t *testing.T, src, dst, name string, data []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, _ := os.Create(dst)
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		w, _ := zw.Create(e.Name)
		if e.Name == name {
			w.Write(data)
			continue
		}
		r, _ := e.Open()
		var b bytes.Buffer
		b.ReadFrom(r)
		r.Close()
		w.Write(b.Bytes())
	}
	zw.Close()
}
