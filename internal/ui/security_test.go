package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/csvsafe"
	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

func TestCSRFRequired(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("rev1")
	id := e.cases["news"]
	for _, tc := range []struct {
		name string
		csrf []string
	}{{"missing", nil}, {"empty", []string{""}}, {"wrong", []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}} {
		form := url.Values{}
		if tc.csrf != nil {
			form["csrf"] = tc.csrf
		} else {
			form["csrf"] = nil
		}
		var code int
		if tc.csrf == nil {
			code, _ = c.do("POST", fmt.Sprintf("/cases/%d/claim", id), url.Values{"x": {"1"}})
		} else {
			code, _ = c.do("POST", fmt.Sprintf("/cases/%d/claim", id), form)
		}
		if code != http.StatusForbidden {
			t.Errorf("%s CSRF token: status %d, want 403", tc.name, code)
		}
	}
	if cs, _ := e.st.Case(context.Background(), id); cs.ClaimedBy != "" {
		t.Fatalf("a forged request claimed the case for %q", cs.ClaimedBy)
	}
	// The real token works.
	if code, _ := c.post(fmt.Sprintf("/cases/%d/claim", id), nil); code != http.StatusSeeOther {
		t.Fatalf("claim with the session's token: status %d, want 303", code)
	}
	// The login form has its own token.
	anon := e.client(t)
	anon.get("/login")
	if code, _ := anon.do("POST", "/login", url.Values{"name": {"rev1"}, "password": {password}}); code != http.StatusForbidden {
		t.Errorf("login without its CSRF token: status %d, want 403", code)
	}
}

func TestRolesEnforced(t *testing.T) {
	e := newEnv(t)
	id := e.cases["news"]
	anon := e.client(t)
	if code, _ := anon.get("/queue"); code != http.StatusSeeOther {
		t.Errorf("anonymous GET /queue: %d, want 303 to the login page", code)
	}
	if code, _ := anon.do("POST", fmt.Sprintf("/cases/%d/claim", id), url.Values{}); code != http.StatusUnauthorized {
		t.Errorf("anonymous POST claim: %d, want 401", code)
	}
	ana := e.client(t)
	ana.login("ana")
	rev := e.client(t)
	rev.login("rev1")
	cases := []struct {
		who    *client
		method string
		path   string
		form   url.Values
		want   int
	}{
		{ana, "GET", fmt.Sprintf("/cases/%d", id), nil, 200},
		{ana, "GET", "/dashboard", nil, 200},
		{ana, "POST", fmt.Sprintf("/cases/%d/claim", id), url.Values{}, 403},
		{ana, "POST", fmt.Sprintf("/cases/%d/decide", id), url.Values{"label": {"none"}, "action": {"none"}, "rationale": {"x"}}, 403},
		{ana, "POST", fmt.Sprintf("/cases/%d/orders", id), url.Values{}, 403},
		{ana, "POST", fmt.Sprintf("/cases/%d/bank", id), url.Values{}, 403},
		{ana, "GET", "/admin", nil, 403},
		{rev, "GET", "/admin", nil, 403},
		{rev, "POST", "/admin/users", url.Values{"name": {"mallory"}, "role": {"admin"}, "password": {"0123456789ab"}}, 403},
		{rev, "POST", "/admin/settings", url.Values{"webhook_url": {"https://evil.example"}, "retention_days": {"1"}}, 403},
		{rev, "POST", "/evidence/purge", url.Values{}, 403},
		{rev, "POST", "/banks", url.Values{"name": {"b"}}, 403},
	}
	for _, tc := range cases {
		var code int
		if tc.method == "GET" {
			code, _ = tc.who.get(tc.path)
		} else {
			code, _ = tc.who.post(tc.path, tc.form)
		}
		if code != tc.want {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, code, tc.want)
		}
	}
	if _, err := e.st.UserByName(context.Background(), "mallory"); err == nil {
		t.Error("a reviewer created a user")
	}
	if ds, _ := e.st.Decisions(context.Background(), id); len(ds) != 0 {
		t.Errorf("an analyst's refused decision was recorded: %+v", ds)
	}
	evs, _ := e.st.AuditEvents(context.Background(), store.AuditFilter{})
	denied := 0
	for _, ev := range evs {
		if ev.Action == "access.denied" {
			denied++
		}
	}
	if denied < 9 {
		t.Errorf("%d refusals audited, want every one of the 9 or more", denied)
	}
}

func TestInjectionRendersInert(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("rev1")
	code, body := c.get(fmt.Sprintf("/cases/%d", e.cases["inject"]))
	if code != 200 {
		t.Fatalf("case page: %d", code)
	}
	for _, bad := range []string{`<script>document.title`, `<img src=x onerror`, `<b>bold</b>`, `<i>x</i>`} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains raw %q", bad)
		}
	}
	for _, good := range []string{`document.title=&#34;pwned&#34;&lt;/`, `acct&lt;b&gt;bold&lt;/b&gt;`, `DROP TABLE posts;--`} {
		if !strings.Contains(body, good) {
			t.Errorf("page lacks the escaped text %q", good)
		}
	}
	// The SQL in the text was stored as text and did nothing.
	if n, _ := e.st.CountPosts(context.Background()); n != 4 {
		t.Errorf("%d posts after rendering an injection, want 4", n)
	}
	// Filters are bound parameters, not SQL.
	if code, _ := c.get("/queue?label=" + url.QueryEscape("x' OR '1'='1")); code != http.StatusBadRequest {
		t.Errorf("queue with a forged label: %d, want 400", code)
	}
	code, body = c.get("/queue?state=all&source=" + url.QueryEscape("' OR '1'='1"))
	if code != 200 || strings.Contains(body, `data-case=`) {
		t.Errorf("queue with a forged source: status %d, cases listed: %v", code, strings.Contains(body, `data-case=`))
	}
}

func TestSessionFixationAndLogout(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	u, _ := url.Parse(e.url)
	// An attacker plants a session id before the victim logs in.
	planted := "planted-session-id-0123456789abcdefghijklmnop"
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: auth.SessionCookie, Value: planted, Path: "/"}})
	c.login("rev1")
	got := c.cookie(auth.SessionCookie)
	if got == "" || got == planted {
		t.Fatalf("session cookie after login = %q: the planted id was kept", got)
	}
	// A live session of someone else presented at login is ended, not reused.
	other := e.client(t)
	other.login("rev2")
	stolen := other.cookie(auth.SessionCookie)
	c2 := e.client(t)
	c2.get("/login")
	c2.c.Jar.SetCookies(u, []*http.Cookie{{Name: auth.SessionCookie, Value: stolen, Path: "/"}})
	if code, _ := c2.post("/login", url.Values{"name": {"ana"}, "password": {password}}); code != http.StatusSeeOther {
		t.Fatalf("login as ana: %d", code)
	}
	if v := c2.cookie(auth.SessionCookie); v == stolen || v == "" {
		t.Fatal("login kept the session id the browser brought")
	}
	if code, _ := other.get("/queue"); code != http.StatusSeeOther {
		t.Errorf("the session presented at someone else's login still works: %d", code)
	}

	// Logout ends the session on the server: replaying the cookie fails.
	old := c.cookie(auth.SessionCookie)
	c.get("/queue")
	if code, _ := c.post("/logout", nil); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	replay := e.client(t)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: auth.SessionCookie, Value: old, Path: "/"}})
	if code, _ := replay.get("/queue"); code != http.StatusSeeOther {
		t.Errorf("replayed cookie after logout: %d, want 303 to login", code)
	}
}

func TestCookieAttributesAndHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.get("/login")
	form := url.Values{"name": {"rev1"}, "password": {password}, "csrf": {c.csrf}}
	req, _ := http.NewRequest("POST", e.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(e.url)
	for _, k := range c.c.Jar.Cookies(u) {
		req.AddCookie(k)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var sc string
	for _, v := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, auth.SessionCookie+"=") {
			sc = v
		}
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("session cookie %q lacks %s", sc, attr)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("Content-Security-Policy = %q: outside content could load", csp)
	}
	// In production the cookie is Secure.
	a, _ := auth.New(e.st, auth.Config{})
	rec := &headerRecorder{h: http.Header{}}
	a.SetSessionCookie(rec, "x")
	if !strings.Contains(rec.h.Get("Set-Cookie"), "Secure") {
		t.Errorf("default session cookie %q is not Secure", rec.h.Get("Set-Cookie"))
	}
}

type headerRecorder struct{ h http.Header }

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(int)             {}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.get("/login")
	if code, _ := c.post("/login", url.Values{"name": {"rev1"}, "password": {"wrong password!"}}); code != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", code)
	}
	// Right after a failure, the same account from the same address waits.
	code, body := c.post("/login", url.Values{"name": {"rev1"}, "password": {password}})
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed attempts") {
		t.Fatalf("second attempt at once: status %d, want 429", code)
	}
}

func TestMediaServedOnlyFromMediaDir(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := &model.Post{Platform: "x", SourceID: "evil", Text: "t", PostedAt: time.Now(),
		Media: []model.Media{{Path: "../../../../etc/passwd"}, {URL: "https://evil.example/a.jpg"}, {Path: "flag.png"}}}
	id, _, err := e.st.SavePost(ctx, p, store.Analysis{})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login("ana")
	for n, want := range []int{404, 404, 200, 404} {
		code, body := c.get(fmt.Sprintf("/media/%d/%d", id, n))
		if code != want {
			t.Errorf("media %d: status %d, want %d", n, code, want)
		}
		if strings.Contains(body, "root:") {
			t.Fatal("a path outside the media directory was served")
		}
	}
}

// TestAppealReversesActions walks a decision, an order and a bank addition
// through an appeal: the same reviewer may not decide it; another
// overturns it; the order is withdrawn and the bank entries removed.
func TestAppealReversesActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.cases["incite"]
	path := fmt.Sprintf("/cases/%d", id)
	r1 := e.client(t)
	r1.login("rev1")
	r1.get(path)
	steps := []struct {
		path string
		form url.Values
		want int
	}{
		{path + "/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"call to kill"}}, 303},
		{path + "/bank", url.Values{"bank": {"partner-a"}, "label": {"incitement"}, "signal": {"sha256:" + flagSHA(t, e)}}, 303},
		{path + "/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"Art. 3"}, "deadline_minutes": {"60"}}, 303},
		{path + "/appeal", url.Values{"reason": {"channel owner says it quotes a sermon to refute it"}}, 303},
		{path + "/decide", url.Values{"label": {"counter_speech"}, "action": {"none"}, "rationale": {"I stand by it"}}, 409},
	}
	for _, s := range steps {
		if code, body := r1.post(s.path, s.form); code != s.want {
			t.Fatalf("rev1 POST %s: %d, want %d\n%s", s.path, code, s.want, body)
		}
	}
	r2 := e.client(t)
	r2.login("rev2")
	r2.get(path)
	code, _ := r2.post(path+"/decide", url.Values{"label": {"counter_speech"}, "action": {"none"}, "rationale": {"refutes the quote"}})
	if code != 303 {
		t.Fatalf("rev2 decides the appeal: %d", code)
	}
	orders, _ := e.st.Orders(ctx, store.OrderFilter{CaseID: id})
	if len(orders) != 1 || orders[0].Status != store.OrderWithdrawn {
		t.Errorf("orders after the appeal = %+v, want one withdrawn", orders)
	}
	if ents, _ := e.st.Entries(ctx, store.EntryFilter{Bank: "partner-a"}); len(ents) != 0 {
		t.Errorf("bank still holds %+v after the appeal", ents)
	}
	decs, _ := e.st.Decisions(ctx, id)
	if len(decs) != 2 || !decs[1].Appeal || decs[1].Reviewer != "rev2" {
		t.Errorf("decisions = %+v", decs)
	}
	evs, _ := e.st.AuditEvents(ctx, store.AuditFilter{Subject: fmt.Sprintf("case:%d", id)})
	var outcome bool
	for _, ev := range evs {
		outcome = outcome || ev.Action == "case.appeal.overturned"
	}
	if !outcome {
		t.Error("the appeal's outcome is not in the audit log")
	}
	if n, err := e.st.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain after %d events: %v", n, err)
	}
	// The platform is told of the withdrawal, after being told of the order.
	deadline := time.After(10 * time.Second)
	for seen := []string{}; ; {
		select {
		case hdr := <-e.hook.got:
			<-e.hook.body
			seen = append(seen, hdr.Get("X-Marsad-Event"))
			if hdr.Get("X-Marsad-Event") == "order.withdrawn" {
				return
			}
		case <-deadline:
			t.Fatalf("webhook events %v: no order.withdrawn", seen)
		}
	}
}

func TestExportsAndEvidenceBundle(t *testing.T) {
	e := newEnv(t)
	id := e.cases["incite"]
	path := fmt.Sprintf("/cases/%d", id)
	r := e.client(t)
	r.login("rev1")
	r.get(path)
	r.post(path+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"r"}})
	if code, body := r.post(path+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"=HYPERLINK(\"http://x\")"}, "legal_basis": {"Art. 3"}, "deadline_minutes": {"60"}}); code != 400 || !invalidField(body, "content_url") || !strings.Contains(body, `value="=HYPERLINK(&#34;http://x&#34;)"`) {
		t.Errorf("order with a formula for a URL: %d, want 400 naming the content URL", code)
	}
	if code, _ := r.post(path+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"-1+1"}, "deadline_minutes": {"60"}}); code != 303 {
		t.Fatalf("issue order: %d", code)
	}
	orders, _ := e.st.Orders(context.Background(), store.OrderFilter{CaseID: id})
	oid := orders[0].ID
	ana := e.client(t)
	ana.login("ana")
	_, pdf := ana.get(fmt.Sprintf("/orders/%d/notice?format=pdf", oid))
	if !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("PDF notice starts %q", pdf[:min(8, len(pdf))])
	}
	_, csvText := ana.get(fmt.Sprintf("/orders/%d/notice?format=csv", oid))
	if !strings.HasPrefix(csvText, csvsafe.BOM) {
		t.Error("CSV notice has no UTF-8 BOM")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvText, csvsafe.BOM))).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][4] != "https://t.me/channel_x/100" || recs[1][5] != "'-1+1" {
		t.Errorf("CSV notice = %q (%v); want a header and one row with the formula defused", recs, err)
	}
	_, js := ana.get(fmt.Sprintf("/orders/%d/notice?format=json", oid))
	var ns []map[string]any
	if err := json.Unmarshal([]byte(js), &ns); err != nil || len(ns) != 1 || ns[0]["evidence_manifest_sha256"] == "" {
		t.Errorf("JSON notice %s: %v", js, err)
	}
	code, zip := ana.get(fmt.Sprintf("/evidence/%d/bundle", orders[0].EvidenceID))
	if code != 200 {
		t.Fatalf("bundle: %d", code)
	}
	m, err := evidence.Verify(bytes.NewReader([]byte(zip)), int64(len(zip)), e.signer)
	if err != nil {
		t.Fatalf("verify downloaded bundle: %v", err)
	}
	if m.CaseID != id || len(m.Files) != 2 {
		t.Errorf("manifest = %+v, want the case's post.json and its image", m)
	}
}

// flagSHA returns the SHA-256 of the seeded image.
func flagSHA(t *testing.T, e *env) string {
	p, err := e.st.Post(context.Background(), 1)
	if err != nil || len(p.Media) == 0 {
		t.Fatalf("seeded post: %v", err)
	}
	return p.Media[0].SHA256
}
