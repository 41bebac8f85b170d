package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// orgMembers adds a Telegram platform with the analyst "tguser" and an
// agency with "aguser", and an order to telegram and one to x.
func orgMembers(t *testing.T, e *env) (tgOrder, xOrder int64) {
	t.Helper()
	ctx := context.Background()
	as, err := auth.New(e.st, auth.Config{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	orgs := org.New(e.st, as)
	admin := &auth.Principal{Name: "amina", Role: auth.RoleAdmin}
	if _, err := orgs.Create(ctx, admin, org.KindPlatform, "Telegram", "telegram"); err != nil {
		t.Fatal(err)
	}
	if _, err := orgs.Create(ctx, admin, org.KindAgency, "Agency", ""); err != nil {
		t.Fatal(err)
	}
	for user, o := range map[string]string{"tguser": "Telegram", "aguser": "Agency"} {
		if _, err := orgs.AddUser(ctx, admin, o, user, auth.RoleAnalyst, password, "en"); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for _, c := range []struct{ name, platform string }{{"incite", "telegram"}, {"inject", "x"}} {
		o := &store.Order{CaseID: e.cases[c.name], Kind: store.OrderRemoval, Platform: c.platform, ContentURL: "https://" + c.platform + ".example/order", IssuedBy: "rev1"}
		if err := e.st.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	return ids[0], ids[1]
}

// TestPlatformUserSeesOwnPlatform: a platform's user sees only the cases
// and orders addressed to their platform, an agency's user none, and
// neither reaches the unit's own pages or actions; both stores.
func TestPlatformUserSeesOwnPlatform(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st, false)
		tgOrder, xOrder := orgMembers(t, e)
		c := e.client(t)
		c.login("tguser")
		caseLink := func(name string) string { return fmt.Sprintf(`href="/cases/%d"`, e.cases[name]) }
		for _, q := range []string{"/queue?state=all", "/queue?state=all&source=x"} {
			_, body := c.get(q)
			if !strings.Contains(body, caseLink("incite")) || !strings.Contains(body, caseLink("fr")) {
				t.Errorf("%s: the telegram user does not see the telegram cases", q)
			}
			for _, other := range []string{"inject", "news"} {
				if strings.Contains(body, caseLink(other)) {
					t.Errorf("%s: the telegram user sees case %s of another platform", q, other)
				}
			}
		}
		for _, tt := range []struct {
			method, path string
			want         int
		}{
			{"GET", fmt.Sprintf("/cases/%d", e.cases["incite"]), 200},
			{"GET", fmt.Sprintf("/cases/%d", e.cases["inject"]), 404},
			{"GET", fmt.Sprintf("/orders/%d/notice", tgOrder), 200},
			{"GET", fmt.Sprintf("/orders/%d/notice", xOrder), 404},
			{"GET", "/dashboard", 403},
			{"GET", "/search?q=x", 403},
			{"GET", "/networks", 403},
			{"GET", "/banks", 403},
			{"GET", "/evidence", 403},
			{"POST", fmt.Sprintf("/cases/%d/claim", e.cases["incite"]), 403},
		} {
			var code int
			var body string
			if tt.method == "POST" {
				code, body = c.post(tt.path, url.Values{})
			} else {
				code, body = c.get(tt.path)
			}
			if code != tt.want {
				t.Errorf("telegram user %s %s: %d, want %d\n%.300s", tt.method, tt.path, code, tt.want, body)
			}
		}
		_, body := c.get("/orders?show=all")
		if strings.Contains(body, `href="/dashboard"`) || !strings.Contains(body, `<bdi id="whoorg">Telegram</bdi>`) {
			t.Error("the telegram user's menu offers the unit's pages, or does not name their organisation")
		}
		if !strings.Contains(body, "https://telegram.example/order") || strings.Contains(body, "https://x.example/order") {
			t.Errorf("the telegram user's orders page does not show exactly the telegram order")
		}
		_, body = c.get("/orders/export.csv")
		if !strings.Contains(body, "https://telegram.example/order") || strings.Contains(body, "https://x.example/order") {
			t.Errorf("the telegram user's orders export does not hold exactly the telegram order:\n%s", body)
		}

		a := e.client(t)
		a.login("aguser")
		_, body = a.get("/queue?state=all")
		for name := range e.cases {
			if strings.Contains(body, caseLink(name)) {
				t.Errorf("the agency user sees case %s", name)
			}
		}
		_, body = a.get("/orders?show=all")
		if strings.Contains(body, ".example/order") {
			t.Error("the agency user sees orders")
		}
		if code, _ := a.get(fmt.Sprintf("/cases/%d", e.cases["incite"])); code != http.StatusNotFound {
			t.Errorf("the agency user opens a case: %d, want 404", code)
		}

		// The unit's analyst still sees every platform.
		u := e.client(t)
		u.login("ana")
		_, body = u.get("/queue?state=all")
		if !strings.Contains(body, `href="/dashboard"`) || strings.Contains(body, `id="whoorg"`) {
			t.Error("the unit's analyst lacks the dashboard in the menu, or is named as outside the unit")
		}
		if !strings.Contains(body, caseLink("inject")) || !strings.Contains(body, caseLink("incite")) {
			t.Error("the unit's analyst does not see every platform's cases")
		}
	})
}

// TestOrganisationsPage: the admin lists organisations with their people
// and adds one; a refused form names the field, in the reader's language.
func TestOrganisationsPage(t *testing.T) {
	e := newEnv(t)
	orgMembers(t, e)
	c := e.client(t)
	c.login("amina")
	code, body := c.get("/admin/orgs")
	if code != 200 || !strings.Contains(body, `data-org="Telegram"`) || !strings.Contains(body, "tguser") || !strings.Contains(body, `data-org="unit"`) {
		t.Fatalf("organisations page: %d\n%s", code, body)
	}
	code, body = c.post("/admin/orgs", url.Values{"name": {"Meta"}, "kind": {"platform"}, "platform": {""}})
	if code != http.StatusBadRequest || !strings.Contains(body, `name="platform" dir="ltr" maxlength="64" value="" aria-invalid="true"`) {
		t.Fatalf("platform without its platform name: %d\n%s", code, body)
	}
	code, _ = c.post("/admin/orgs", url.Values{"name": {"Meta"}, "kind": {"platform"}, "platform": {"facebook"}})
	if code != http.StatusSeeOther {
		t.Fatalf("add Meta: %d", code)
	}
	if o, err := e.st.OrganisationByName(context.Background(), "Meta"); err != nil || o.Platform != "facebook" {
		t.Fatalf("Meta after the form: %+v, %v", o, err)
	}
	if code, _ := c.post("/admin/orgs", url.Values{"csrf": {"wrong"}, "name": {"Other"}, "kind": {"agency"}}); code != http.StatusForbidden {
		t.Errorf("form without the CSRF token: %d, want 403", code)
	}
	// The users form puts a new user in the chosen organisation, and
	// refuses a reviewer there, naming the role.
	code, body = c.post("/admin/users", url.Values{"name": {"metarev"}, "role": {"reviewer"}, "password": {password}, "lang": {"fr"}, "org": {"Meta"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "analysts") {
		t.Fatalf("reviewer in a platform: %d\n%s", code, body)
	}
	if code, _ := c.post("/admin/users", url.Values{"name": {"metaana"}, "role": {"analyst"}, "password": {password}, "lang": {"fr"}, "org": {"Meta"}}); code != http.StatusSeeOther {
		t.Fatalf("analyst in Meta: %d", code)
	}
	meta, _ := e.st.OrganisationByName(context.Background(), "Meta")
	if u, err := e.st.UserByName(context.Background(), "metaana"); err != nil || u.OrgID != meta.ID {
		t.Fatalf("metaana: %+v, %v; want in Meta", u, err)
	}
	// The keys form binds a platform's key to its platform.
	code, body = c.post("/admin/keys", url.Values{"name": {"meta-bot"}, "scope": {"read"}, "org": {"Meta"}})
	if code != 200 || !strings.Contains(body, `id="new-key"`) {
		t.Fatalf("key for Meta: %d", code)
	}
	keys, _ := e.st.APIKeys(context.Background())
	if keys[0].Name != "meta-bot" || keys[0].Platform != "facebook" || keys[0].OrgID != meta.ID {
		t.Fatalf("Meta's key: %+v", keys[0])
	}
	// A reviewer of the unit may not manage organisations.
	r := e.client(t)
	r.login("rev1")
	if code, _ := r.get("/admin/orgs"); code != http.StatusForbidden {
		t.Errorf("reviewer opens the organisations page: %d, want 403", code)
	}
	// In Arabic and French, the page and its errors are translated.
	for lang, want := range map[string]string{"ar": "الجهات", "fr": "Organisations"} {
		c.post("/lang", url.Values{"lang": {lang}, "next": {"/admin/orgs"}})
		_, body := c.post("/admin/orgs", url.Values{"name": {"Bad"}, "kind": {"agency"}, "platform": {"x"}})
		if !strings.Contains(body, want) {
			t.Errorf("%s: organisations page lacks %q", lang, want)
		}
		if !strings.Contains(body, map[string]string{"ar": "الجهة الشريكة لا تمثل منصة", "fr": "une agence ne représente aucune plateforme"}[lang]) {
			t.Errorf("%s: the platform error is not translated", lang)
		}
	}
}
