package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// backends returns the store flags of each available back end: a SQLite
// file in data, and a fresh PostgreSQL schema when MARSAD_TEST_POSTGRES is set.
func backends(t *testing.T) map[string][]string {
	out := map[string][]string{"sqlite": nil}
	if dsn := storetest.PostgresDSN(t); dsn != "" {
		out["postgres"] = []string{"--db", dsn}
	}
	return out
}

// serveOn is serve with extra store flags.
func serveOn(t *testing.T, data string, extra []string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw, _ := os.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, extra...), strings.NewReader(""), pw, &bytes.Buffer{})
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
	}
	t.Cleanup(cancel)
	return regexp.MustCompile(`http://[0-9.:]+`).FindString(line), stop
}

// TestScopedReads checks what partner keys and roles may read: a key sees
// only its own platform's cases and posts, unless it holds all-platforms;
// the audit log needs the audit scope (or the admin role).
func TestScopedReads(t *testing.T) {
	for name, extra := range backends(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			// cmd runs a command of n words with the store flags after them.
			cmd := func(stdin string, n int, args ...string) string {
				t.Helper()
				full := append(append(append(args[:n:n], "--data", data), extra...), args[n:]...)
				code, out, errs := run(t, stdin, full...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errs)
				}
				return strings.TrimSpace(out)
			}
			cmd("", 2, "bank", "create", "partner")
			cmd("type,value,label\nurl,https://bad.example/x,propaganda\n", 2, "bank", "import", "partner", "-")
			in := filepath.Join(t.TempDir(), "posts.jsonl")
			os.WriteFile(in, []byte(`{"platform":"telegram","source_id":"1","text":"see https://bad.example/x"}
{"platform":"x","source_id":"2","text":"see https://bad.example/x"}
`), 0o644)
			cmd("", 1, "ingest", in)
			cmd("correct horse battery\n", 2, "user", "add", "--role", "admin", "amina")

			// A key must be bound to a platform or hold all-platforms.
			if code, _, errs := run(t, "", append(append([]string{"user", "key", "add", "--data", data}, extra...), "--scopes", "read", "loose")...); code != 1 || !strings.Contains(errs, "--platform") {
				t.Fatalf("key without platform: exit %d %s", code, errs)
			}
			tg := cmd("", 3, "user", "key", "add", "--scopes", "read,write", "--platform", "telegram", "tg")
			all := cmd("", 3, "user", "key", "add", "--scopes", "read,all-platforms", "everyone")
			aud := cmd("", 3, "user", "key", "add", "--scopes", "read,audit,all-platforms", "siem")
			// The audit log is every platform's: a key bound to one cannot read it.
			if code, _, errs := run(t, "", append(append([]string{"user", "key", "add", "--data", data}, extra...), "--scopes", "read,audit", "--platform", "x", "partner-siem")...); code != 1 || !strings.Contains(errs, "audit") {
				t.Fatalf("platform-bound key with the audit scope: exit %d %s", code, errs)
			}
			// A key made before platform binding existed: bound to nothing.
			st, err := store.Open(context.Background(), dsnOf(data, extra))
			if err != nil {
				t.Fatal(err)
			}
			legacy := "mk_legacy-key-without-platform-0123456789abcdef"
			if err := st.CreateAPIKey(context.Background(), &store.APIKey{Name: "old", Prefix: legacy[:10], KeyHash: sha(legacy), Scopes: []string{"read"}, CreatedBy: "test"}, "test"); err != nil {
				t.Fatal(err)
			}
			// A key given both before that rule: refused the audit log.
			boundAudit := "mk_bound-audit-key-0123456789abcdef0123456789"
			if err := st.CreateAPIKey(context.Background(), &store.APIKey{Name: "old-siem", Prefix: boundAudit[:10], KeyHash: sha(boundAudit), Scopes: []string{"read", "audit"}, Platform: "x", CreatedBy: "test"}, "test"); err != nil {
				t.Fatal(err)
			}
			st.Close()
			if list := cmd("", 3, "user", "key", "list"); !strings.Contains(list, "telegram") {
				t.Errorf("key list does not show the platform:\n%s", list)
			}

			addr, stop := serveOn(t, data, extra)
			defer stop()
			get := func(key, method, path, body string) (int, []byte) {
				req, _ := http.NewRequest(method, addr+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			platforms := func(key string) string {
				code, b := get(key, "GET", "/api/v1/cases", "")
				if code != 200 {
					t.Fatalf("cases: %d %s", code, b)
				}
				var cl struct{ Cases []struct{ Platform string } }
				json.Unmarshal(b, &cl)
				var ps []string
				for _, c := range cl.Cases {
					ps = append(ps, c.Platform)
				}
				return strings.Join(ps, ",")
			}
			if got := platforms(tg); got != "telegram" {
				t.Errorf("telegram key sees cases of %q, want only telegram", got)
			}
			if got := platforms(all); got != "x,telegram" && got != "telegram,x" {
				t.Errorf("all-platforms key sees cases of %q, want both", got)
			}
			for _, tt := range []struct {
				key, method, path, body string
				want                    int
			}{
				{tg, "GET", "/api/v1/cases?platform=x", "", 403},
				{tg, "GET", "/api/v1/cases?platform=telegram", "", 200},
				{tg, "GET", "/api/v1/cases/1", "", 200},
				{tg, "GET", "/api/v1/cases/2", "", 404},
				{tg, "GET", "/api/v1/posts/1", "", 200},
				{tg, "GET", "/api/v1/posts/2", "", 404},
				{tg, "GET", "/api/v1/audit", "", 403},
				{tg, "GET", "/api/v1/audit/verify", "", 403},
				{tg, "GET", "/api/v1/banks", "", 200},
				{tg, "POST", "/api/v1/posts", `{"platform":"x","source_id":"9","text":"hello"}`, 400},
				{tg, "POST", "/api/v1/posts", `{"platform":"telegram","source_id":"9","text":"hello"}`, 200},
				{all, "GET", "/api/v1/posts/2", "", 200},
				{all, "GET", "/api/v1/audit", "", 403},
				{aud, "GET", "/api/v1/audit", "", 200},
				{boundAudit, "GET", "/api/v1/audit", "", 403},
				{boundAudit, "GET", "/api/v1/audit/verify", "", 403},
				{aud, "GET", "/api/v1/audit/verify", "", 200},
				{aud, "GET", "/api/v1/cases/1", "", 200}, // all-platforms
				{legacy, "GET", "/api/v1/cases", "", 403},
				{legacy, "GET", "/api/v1/posts/1", "", 403},
				{legacy, "GET", "/api/v1/banks", "", 200},
				{tg, "GET", "/api/v1/orders", "", 200},
				{tg, "GET", "/api/v1/orders?platform=telegram", "", 200},
				{tg, "GET", "/api/v1/orders?platform=x", "", 403},
				{legacy, "GET", "/api/v1/orders", "", 403},
				{all, "GET", "/api/v1/orders?platform=x", "", 200},
				{tg, "POST", "/api/v1/orders", `{"case_id":1,"platform":"telegram","legal_basis":"Art. 3"}`, 403},
				{tg, "POST", "/api/v1/orders/1/withdraw", `{"reason":"x"}`, 403},
			} {
				code, b := get(tt.key, tt.method, tt.path, tt.body)
				if code != tt.want {
					t.Errorf("%s %s with key %.12s: %d, want %d: %s", tt.method, tt.path, tt.key, code, tt.want, b)
				}
			}
			// The keys' last use is written when the server stops.
			stop()
			var seen bool
			for _, line := range strings.Split(cmd("", 3, "user", "key", "list"), "\n") {
				if f := strings.Fields(line); len(f) > 1 && f[1] == "tg" {
					seen = true
					if strings.Contains(line, "never") {
						t.Errorf("the telegram key's last use was not recorded at shutdown: %s", line)
					}
				}
			}
			if !seen {
				t.Error("key list does not show the telegram key")
			}
		})
	}
}

// TestAuditNeedsAdmin maps roles onto the audit permission: only admins
// (and keys with the audit scope) read the audit log.
func TestAuditNeedsAdmin(t *testing.T) {
	for _, tt := range []struct {
		p    auth.Principal
		want bool
	}{
		{auth.Principal{Name: "amina", Role: auth.RoleAdmin}, true},
		{auth.Principal{Name: "rev1", Role: auth.RoleReviewer}, false},
		{auth.Principal{Name: "ana", Role: auth.RoleAnalyst}, false},
		{auth.Principal{Name: "key:a", Role: auth.RolePartner, Scopes: []string{"read"}}, false},
		{auth.Principal{Name: "key:b", Role: auth.RolePartner, Scopes: []string{"read", "audit", "all-platforms"}}, true},
		{auth.Principal{Name: "key:c", Role: auth.RolePartner, Scopes: []string{"read", "audit"}, Platform: "x"}, false},
	} {
		if got := allowed(&tt.p, "audit"); got != tt.want {
			t.Errorf("%s (%s %v) may read the audit log: %v, want %v", tt.p.Name, tt.p.Role, tt.p.Scopes, got, tt.want)
		}
	}
}

func dsnOf(data string, extra []string) string {
	if len(extra) == 2 {
		return extra[1]
	}
	return filepath.Join(data, "marsad.db")
}

func sha(s string) string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(s)))
}
