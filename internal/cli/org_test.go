package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/store"
)

// TestOrganisations: organisations from the command line, and what a
// platform's user and key see through the API, on both stores.
func TestOrganisations(t *testing.T) {
	for name, extra := range backends(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			// try runs a command of n words with the store flags after them.
			try := func(stdin string, n int, args ...string) (int, string, string) {
				t.Helper()
				return run(t, stdin, append(append(append(args[:n:n], "--data", data), extra...), args[n:]...)...)
			}
			cmd := func(stdin string, n int, args ...string) string {
				t.Helper()
				code, out, errs := try(stdin, n, args...)
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

			if code, _, errs := try("", 2, "org", "add", "--kind", "platform", "Telegram"); code != 1 || !strings.Contains(errs, "platform") {
				t.Fatalf("platform organisation without --platform: exit %d %s", code, errs)
			}
			if code, _, errs := try("", 2, "org", "add", "--kind", "club", "Club"); code != 1 || !strings.Contains(errs, "kind") {
				t.Fatalf("unknown kind: exit %d %s", code, errs)
			}
			cmd("", 2, "org", "add", "--kind", "platform", "--platform", "telegram", "Telegram")
			cmd("", 2, "org", "add", "--kind", "agency", "Partner Agency")
			if code, _, errs := try("correct horse battery\n", 2, "user", "add", "--role", "reviewer", "--org", "Telegram", "tgrev"); code != 1 || !strings.Contains(errs, "role") {
				t.Fatalf("a reviewer in a platform: exit %d %s", code, errs)
			}
			cmd("correct horse battery\n", 2, "user", "add", "--org", "Telegram", "tguser")
			cmd("correct horse battery\n", 2, "user", "add", "--org", "Partner Agency", "aguser")
			tgKey := cmd("", 3, "user", "key", "add", "--scopes", "read", "--org", "Telegram", "tg-bot")
			if code, _, errs := try("", 3, "user", "key", "add", "--scopes", "read,all-platforms", "--org", "Telegram", "tg-all"); code != 1 || !strings.Contains(errs, "scope") {
				t.Fatalf("an all-platforms key in a platform: exit %d %s", code, errs)
			}
			list := cmd("", 2, "org", "list")
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^unit\s+unit\s+-\s+amina\s+-$`),
				regexp.MustCompile(`(?m)^Telegram\s+platform\s+telegram\s+tguser\s+\d+:tg-bot$`),
				regexp.MustCompile(`(?m)^Partner Agency\s+agency\s+-\s+aguser\s+-$`),
			} {
				if !want.MatchString(list) {
					t.Errorf("org list lacks %s:\n%s", want, list)
				}
			}

			if users := cmd("", 2, "user", "list"); !regexp.MustCompile(`(?m)^tguser\s.*\sTelegram$`).MatchString(users) {
				t.Errorf("user list does not name tguser's organisation:\n%s", users)
			}
			if keys := cmd("", 3, "user", "key", "list"); !regexp.MustCompile(`(?m)\stg-bot\s.*\stelegram\s.*\sTelegram$`).MatchString(keys) {
				t.Errorf("key list does not name tg-bot's organisation:\n%s", keys)
			}
			st, err := store.Open(context.Background(), dsnOf(data, extra))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i, p := range []string{"telegram", "x"} {
				if err := st.CreateOrder(ctx, &store.Order{CaseID: int64(i + 1), Kind: store.OrderRemoval, Platform: p, ContentURL: "https://" + p + ".example/1", IssuedBy: "amina"}); err != nil {
					t.Fatal(err)
				}
			}
			st.Close()

			addr, stop := serveOn(t, data, extra)
			defer stop()
			// session signs a user in through the login form.
			session := func(name string) *http.Client {
				jar, _ := cookiejar.New(nil)
				c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := c.Get(addr + "/login")
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
				if tok == nil {
					t.Fatal("no csrf on the login page")
				}
				resp, err = c.PostForm(addr+"/login", url.Values{"name": {name}, "password": {"correct horse battery"}, "csrf": {string(tok[1])}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("login %s: %d", name, resp.StatusCode)
				}
				return c
			}
			get := func(c *http.Client, key, path string) (int, string) {
				req, _ := http.NewRequest("GET", addr+path, nil)
				if key != "" {
					req.Header.Set("Authorization", "Bearer "+key)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			platforms := func(body, list string) string {
				var v map[string][]struct{ Platform string }
				json.Unmarshal([]byte(body), &v)
				var ps []string
				for _, c := range v[list] {
					ps = append(ps, c.Platform)
				}
				return strings.Join(ps, ",")
			}
			tgUser, agUser, admin := session("tguser"), session("aguser"), session("amina")
			for _, tt := range []struct {
				who       string
				c         *http.Client
				key, path string
				want      int
				list      string // the platforms a listing shows
			}{
				{"telegram user", tgUser, "", "/api/v1/cases", 200, "telegram"},
				{"telegram user", tgUser, "", "/api/v1/orders", 200, "telegram"},
				{"telegram user", tgUser, "", "/api/v1/cases/1", 200, ""},
				{"telegram user", tgUser, "", "/api/v1/cases/2", 404, ""},
				{"telegram user", tgUser, "", "/api/v1/posts/2", 404, ""},
				{"telegram user", tgUser, "", "/api/v1/cases?platform=x", 403, ""},
				{"telegram user", tgUser, "", "/api/v1/orders?platform=x", 403, ""},
				{"telegram key", http.DefaultClient, tgKey, "/api/v1/cases", 200, "telegram"},
				{"telegram key", http.DefaultClient, tgKey, "/api/v1/orders", 200, "telegram"},
				{"telegram key", http.DefaultClient, tgKey, "/api/v1/cases/2", 404, ""},
				{"agency user", agUser, "", "/api/v1/cases", 403, ""},
				{"agency user", agUser, "", "/api/v1/orders", 403, ""},
				{"unit admin", admin, "", "/api/v1/orders", 200, "telegram,x"},
			} {
				code, body := get(tt.c, tt.key, tt.path)
				if code != tt.want {
					t.Errorf("%s GET %s: %d, want %d: %s", tt.who, tt.path, code, tt.want, body)
					continue
				}
				if tt.list != "" {
					key := "cases"
					if strings.Contains(tt.path, "orders") {
						key = "orders"
					}
					if got := platforms(body, key); got != tt.list && !(tt.list == "telegram,x" && got == "x,telegram") {
						t.Errorf("%s GET %s lists platforms %q, want %q", tt.who, tt.path, got, tt.list)
					}
				}
			}
			// A platform's user reads; deciding is the unit's.
			_, page := get(tgUser, "", "/queue")
			tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
			if tok == nil {
				t.Fatal("no csrf on the queue page")
			}
			req, _ := http.NewRequest("POST", addr+"/api/v1/cases/1/claim", nil)
			req.Header.Set("X-CSRF-Token", tok[1])
			resp, err := tgUser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("a telegram user claims a case through the API: %d, want 403", resp.StatusCode)
			}
			stop()
			for _, sub := range [][]string{{"org", "--help"}, {"org", "add", "--help"}, {"org", "list", "--help"}, {"org", "rename", "--help"}} {
				code, out, errs := run(t, "", sub...)
				if code != 0 || !strings.Contains(out+errs, "org add --kind platform") {
					t.Errorf("%v: exit %d\n%s%s", sub, code, out, errs)
				}
			}
		})
	}
}
