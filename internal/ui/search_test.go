package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

var hitRe = regexp.MustCompile(`<li class="card">`)

// TestSearchFoldedOverHTTP: the search page finds Arabic posts whatever
// the spelling of the query, authors in any case, and pages with counts.
func TestSearchFoldedOverHTTP(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("rev2") // an Arabic-speaking reviewer
	incite := fmt.Sprintf(`href="/cases/%d"`, e.cases["incite"])
	for _, q := range []string{"الى الجهاد", "الجـهاد", "ٱلجهاد", "الكفّار", "EXAMPLE.org", "Channel_X"} {
		code, body := c.get("/search?q=" + url.QueryEscape(q))
		if code != 200 || !strings.Contains(body, incite) {
			t.Errorf("search %q: status %d, finds the incitement post: %v", q, code, strings.Contains(body, incite))
		}
	}
	_, body := c.get("/search?author=" + url.QueryEscape("@CHANNEL_X"))
	if n := len(hitRe.FindAllString(body, -1)); n != 2 {
		t.Errorf("author @CHANNEL_X found %d posts, want 2", n)
	}
	_, body = c.get("/search?q=" + url.QueryEscape("الجهاد") + "&platform=rss")
	if strings.Contains(body, incite) {
		t.Error("the platform filter let a telegram post through")
	}
	// 30 more posts: two pages of 25.
	ctx := context.Background()
	for i := range 30 {
		p := model.Post{Platform: "rss", SourceID: fmt.Sprint("page-", i), Lang: "ar", Text: fmt.Sprintf("بيان رقم %d عن الراية", i),
			PostedAt: time.Now().Add(-time.Duration(i) * time.Minute)}
		if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{}); err != nil {
			t.Fatal(err)
		}
	}
	code, body := c.get("/search?q=" + url.QueryEscape("الرايه"))
	if code != 200 || len(hitRe.FindAllString(body, -1)) != 25 || !strings.Contains(body, "1–25 من 30") || !strings.Contains(body, `id="page-next"`) {
		t.Fatalf("page 1: status %d, %d hits, range shown: %v", code, len(hitRe.FindAllString(body, -1)), strings.Contains(body, "1–25 من 30"))
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no next link")
	}
	_, body = c.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := len(hitRe.FindAllString(body, -1)); n != 5 || !strings.Contains(body, "26–30 من 30") || strings.Contains(body, `id="page-next"`) {
		t.Errorf("page 2: %d hits, want 5 and no next page", n)
	}
}

// TestSearchBadInput: a huge query, a NUL, invalid UTF-8 and nonsense
// filters are a clear 400, and nothing breaks.
func TestSearchBadInput(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("ana")
	for _, q := range []string{
		"q=" + strings.Repeat("%D8%A7", 1001), // 1,001 characters: the field allows 1,000
		"q=a%00b",
		"q=%FF%FE",
		"author=%C3",
		"label=nonsense",
		"state=sideways",
		"from=yesterday",
		"from=2026-05-02&to=2026-05-01",
		"q=x&page=0",
		"q=x&page=abc",
		"q=x&size=100000",
	} {
		code, body := c.get("/search?" + q)
		if code != http.StatusBadRequest || !strings.Contains(body, "<html") {
			t.Errorf("search?%s: status %d, want a 400 page", q[:min(len(q), 40)], code)
		}
	}
	for _, q := range []string{`q="`, "q=AND+OR+NOT", "q=a*+NEAR(b)", "q=%22%29%3B+DROP+TABLE+posts%3B--"} {
		if code, _ := c.get("/search?" + q); code != 200 {
			t.Errorf("search?%s: status %d, want 200", q, code)
		}
	}
	if code, _ := c.get("/queue?page=-1"); code != http.StatusBadRequest {
		t.Errorf("queue page -1: %d, want 400", code)
	}
	if code, _ := c.get("/banks/partner-a?q=%00"); code != http.StatusBadRequest {
		t.Errorf("bank entry search with NUL: %d, want 400", code)
	}
}

// TestSavedSearchesAndFilters: a user saves a search and a queue filter,
// sees and runs them, deletes them; another user does not see them.
func TestSavedSearchesAndFilters(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("ana")
	c.get("/search?q=" + url.QueryEscape("الجهاد"))
	query := "q=" + url.QueryEscape("الجهاد")
	code, _ := c.post("/search/saved", url.Values{"name": {"جهاد"}, "query": {query}})
	if code != http.StatusSeeOther {
		t.Fatalf("save search: %d", code)
	}
	_, body := c.get("/search")
	if !strings.Contains(body, `href="/search?`+query+`"`) || !strings.Contains(body, "جهاد</a>") {
		t.Fatalf("saved search not listed:\n%s", body)
	}
	code, _ = c.post("/queue/saved", url.Values{"name": {"arabic"}, "query": {"lang=ar&state=open"}})
	if code != http.StatusSeeOther {
		t.Fatalf("save queue filter: %d", code)
	}
	_, body = c.get("/queue")
	if !strings.Contains(body, `href="/queue?lang=ar&amp;state=open"`) {
		t.Fatal("saved queue filter not listed")
	}
	if code, _ := c.post("/search/saved", url.Values{"name": {" "}, "query": {"q=x"}}); code != http.StatusBadRequest {
		t.Errorf("save without a name: %d, want 400", code)
	}
	if code, _ := c.do("POST", "/search/saved", url.Values{"name": {"x"}, "query": {"q=x"}}); code != http.StatusForbidden {
		t.Errorf("save without CSRF token: %d, want 403", code)
	}
	// Someone else sees none of them and cannot delete them.
	ss, _ := e.st.SavedSearches(context.Background(), "ana", store.SavedSearchPosts)
	o := e.client(t)
	o.login("rev1")
	if _, body := o.get("/search"); strings.Contains(body, "جهاد</a>") {
		t.Error("rev1 sees ana's saved search")
	}
	if code, _ := o.post(fmt.Sprintf("/search/saved/%d/delete", ss[0].ID), nil); code != http.StatusNotFound {
		t.Errorf("rev1 deleting ana's search: %d, want 404", code)
	}
	if code, _ := c.post(fmt.Sprintf("/search/saved/%d/delete", ss[0].ID), nil); code != http.StatusSeeOther {
		t.Errorf("delete: %d", code)
	}
	if _, body := c.get("/search"); strings.Contains(body, "جهاد</a>") {
		t.Error("deleted search still listed")
	}
}

// TestQueuePages: the queue counts its cases and pages through them.
func TestQueuePages(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("rev1")
	code, body := c.get("/queue?size=3")
	cards := regexp.MustCompile(`data-case="(\d+)"`)
	if code != 200 || len(cards.FindAllString(body, -1)) != 3 || !strings.Contains(body, "1–3 of 4") || !strings.Contains(body, "Page 1 of 2") {
		t.Fatalf("page 1: %d, %d cards", code, len(cards.FindAllString(body, -1)))
	}
	first := cards.FindAllStringSubmatch(body, -1)
	_, body = c.get("/queue?size=3&page=2")
	second := cards.FindAllStringSubmatch(body, -1)
	if len(second) != 1 || !strings.Contains(body, "4–4 of 4") || !strings.Contains(body, `rel="prev"`) {
		t.Fatalf("page 2: %d cards", len(second))
	}
	for _, f := range first {
		if f[1] == second[0][1] {
			t.Errorf("case %s on both pages", f[1])
		}
	}
	_, body = c.get("/queue?bank=partner-a&size=1")
	if len(cards.FindAllString(body, -1)) != 1 || !strings.Contains(body, "1–1 of 1") {
		t.Error("the bank filter does not count its cases")
	}
}

// multipartPost sends a CSV file as the bank import form does.
func (c *client) multipartPost(path string, fields map[string]string, file string) (int, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.WriteField("csrf", c.csrf)
	fw, _ := mw.CreateFormFile("file", "entries.csv")
	io.WriteString(fw, file)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestBanksPages walks bank management in the UI over HTTP: create, add
// by hand (a duplicate is skipped, not added), import CSV with a bad line,
// search, export and re-read, disable, enable, remove; analysts only read.
func TestBanksPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.client(t)
	a.login("amina")
	a.get("/banks")
	code, _ := a.post("/banks", url.Values{"name": {"ui-bank"}, "owner": {"شريك"}, "description": {"test"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	if code, _ := a.post("/banks", url.Values{"name": {"bad name/.."}}); code != http.StatusBadRequest {
		t.Errorf("create with a bad name: %d, want 400", code)
	}
	code, body := a.post("/banks/ui-bank/entries", url.Values{"type": {"url"}, "value": {"https://Example.org/Join"}, "label": {"recruitment"}})
	if code != 200 || !strings.Contains(body, `<p class="flash ok" role="status">1 added</p>`) {
		t.Fatalf("add: %d\n%s", code, body)
	}
	code, body = a.post("/banks/ui-bank/entries", url.Values{"type": {"url"}, "value": {"https://example.org/Join"}, "label": {"recruitment"}})
	if code != 200 || !strings.Contains(body, `<p class="flash ok" role="status">0 added · 1 already in the bank (skipped)</p>`) {
		t.Errorf("duplicate: %d, message not a skip", code)
	}
	if code, body := a.post("/banks/ui-bank/entries", url.Values{"type": {"sha256"}, "value": {"abc"}}); code != 400 || !strings.Contains(body, "64 hex") {
		t.Errorf("bad hash: %d, want 400 saying why", code)
	}
	sha := strings.Repeat("ab", 32)
	csv := "type,value,label,source\nsha256," + sha + ",propaganda,partner A\nurl,https://example.org/Join,recruitment,\nmd5,xyz,,\nwallet,btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,financing,partner B\n"
	code, body = a.multipartPost("/banks/ui-bank/import", map[string]string{"type": "pdq"}, csv)
	if code != 200 || !strings.Contains(body, "2 added · 1 already in the bank (skipped) · 1 lines refused") || !strings.Contains(body, "Line 4:") {
		t.Fatalf("import: %d\n%s", code, body)
	}
	b, _ := e.st.Bank(ctx, "ui-bank")
	if b.Entries != 3 {
		t.Fatalf("bank holds %d entries, want 3", b.Entries)
	}
	_, body = a.get("/banks/ui-bank?q=" + url.QueryEscape("PARTNER"))
	if n := strings.Count(body, "data-entry="); n != 2 || !strings.Contains(body, "partner B") {
		t.Errorf("search by source found %d entries, want 2", n)
	}
	_, body = a.get("/banks/ui-bank?type=wallet")
	if n := strings.Count(body, "data-entry="); n != 1 {
		t.Errorf("type filter found %d entries, want 1", n)
	}
	if _, body := a.get("/banks"); !strings.Contains(body, `href="/banks/ui-bank"`) || !strings.Contains(body, "شريك") {
		t.Error("the list does not link the bank with its owner")
	}
	// Export reads back to the same entries.
	resp, err := a.c.Get(a.base + "/banks/ui-bank/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.HasPrefix(string(raw), "\ufefftype,value,label,source,added_at\n") {
		t.Fatalf("export: %s\n%s", ct, raw)
	}
	back, bad, err := bank.ParseCSV(bytes.NewReader(raw), bank.ParseOptions{})
	if err != nil || len(bad) != 0 || len(back) != 3 {
		t.Fatalf("export read back: %d entries, %v, %v", len(back), bad, err)
	}
	// Disable, enable.
	if code, _ := a.post("/banks/ui-bank/enabled", url.Values{"enabled": {"0"}}); code != http.StatusSeeOther {
		t.Fatalf("disable: %d", code)
	}
	if m, _ := e.st.MatchExact(ctx, model.Signal{Type: model.SignalSHA256, Value: sha}); len(m) != 0 {
		t.Error("a disabled bank still matches")
	}
	if _, body := a.get("/banks/ui-bank"); !strings.Contains(body, "Enable bank") {
		t.Error("a disabled bank offers no enable button")
	}
	a.post("/banks/ui-bank/enabled", url.Values{"enabled": {"1"}})
	if m, _ := e.st.MatchExact(ctx, model.Signal{Type: model.SignalSHA256, Value: sha}); len(m) != 1 {
		t.Error("an enabled bank does not match")
	}
	// Remove.
	es, _, _ := e.st.SearchEntries(ctx, store.EntryQuery{Bank: "ui-bank", Type: model.SignalSHA256})
	if code, _ := a.post(fmt.Sprintf("/banks/ui-bank/entries/%d/delete", es[0].ID), nil); code != http.StatusSeeOther {
		t.Fatalf("remove: %d", code)
	}
	if b, _ := e.st.Bank(ctx, "ui-bank"); b.Entries != 2 {
		t.Errorf("after remove: %d entries", b.Entries)
	}
	if code, _ := a.post(fmt.Sprintf("/banks/partner-a/entries/%d/delete", es[0].ID+100), nil); code != http.StatusNotFound {
		t.Errorf("removing a missing entry: %d, want 404", code)
	}
	// An analyst reads, a reviewer reads, neither manages.
	for _, who := range []string{"ana", "rev1"} {
		c := e.client(t)
		c.login(who)
		code, body := c.get("/banks/ui-bank")
		if code != 200 || strings.Contains(body, `id="bank-add-form"`) || strings.Contains(body, "/delete") {
			t.Errorf("%s: %d, sees management forms", who, code)
		}
		for _, p := range []string{"/banks/ui-bank/entries", "/banks/ui-bank/enabled", "/banks/ui-bank/import", fmt.Sprintf("/banks/ui-bank/entries/%d/delete", es[0].ID)} {
			if code, _ := c.post(p, url.Values{"type": {"url"}, "value": {"https://x.example/"}, "enabled": {"0"}}); code != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", who, p, code)
			}
		}
	}
	if code, _ := a.do("POST", "/banks/ui-bank/enabled", url.Values{"enabled": {"0"}}); code != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", code)
	}
	evs, _ := e.st.AuditEvents(ctx, store.AuditFilter{Subject: "bank:ui-bank"})
	kinds := map[string]bool{}
	for _, ev := range evs {
		kinds[ev.Action] = true
	}
	for _, k := range []string{"bank.create", "bank.add", "bank.update", "bank.remove", "bank.export"} {
		if !kinds[k] {
			t.Errorf("no %s in the audit log (%v)", k, kinds)
		}
	}
}

// TestAddTextOnlyCaseToBank: a case whose post has nothing a bank can
// hold says so on its page, and sending the form anyway is a clear 400;
// adding signals the bank holds already is not reported as an addition.
func TestAddTextOnlyCaseToBank(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := model.Post{Platform: "telegram", SourceID: "text-only", Lang: "ar", Text: "انفروا خفافا وثقالا", PostedAt: time.Now()}
	c := model.Case{Priority: 70, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{{Kind: "rule", Label: model.Incitement, Detail: "x"}}}
	if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{Case: &c}); err != nil {
		t.Fatal(err)
	}
	r := e.client(t)
	r.login("rev1")
	path := fmt.Sprintf("/cases/%d", c.ID)
	r.get(path)
	if code, _ := r.post(path+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"call to fight"}}); code != http.StatusSeeOther {
		t.Fatalf("decide: %d", code)
	}
	_, body := r.get(path)
	if !strings.Contains(body, `id="bank-nothing"`) || strings.Contains(body, `id="bank-form"`) {
		t.Error("the case page offers a bank form for a post with nothing to bank")
	}
	code, body := r.post(path+"/bank", url.Values{"bank": {"partner-a"}, "label": {"incitement"}})
	if code != 400 || !strings.Contains(body, "its text alone cannot go into a bank") {
		t.Errorf("add text-only case: %d, want 400 saying why", code)
	}
	// A case with a link: the second addition adds nothing and says so.
	id := e.cases["incite"]
	path = fmt.Sprintf("/cases/%d", id)
	r.get(path)
	r.post(path+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"call to kill"}})
	form := url.Values{"bank": {"partner-a"}, "label": {"incitement"}, "signal": {"url:https://t.me/channel_x/100"}}
	for i, want := range []string{"ok=banked", "ok=bank_present"} {
		req, _ := http.NewRequest("POST", r.base+path+"/bank", strings.NewReader(withCSRF(form, r.csrf).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := r.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); !strings.Contains(loc, want) {
			t.Errorf("addition %d: redirected to %q, want %s", i+1, loc, want)
		}
	}
}

func withCSRF(v url.Values, token string) url.Values {
	out := url.Values{"csrf": {token}}
	for k, vs := range v {
		out[k] = vs
	}
	return out
}

// TestBankExportGuardsFormulas imports an entry whose source a
// spreadsheet would run as a formula; the UI's export writes it quoted,
// after a byte order mark, and imports back unchanged, on each store.
func TestBankExportGuardsFormulas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st, false)
		a := e.client(t)
		a.login("amina")
		if code, _ := a.post("/banks", url.Values{"name": {"formula-bank"}}); code != http.StatusSeeOther {
			t.Fatalf("create: %d", code)
		}
		evil := "=cmd|'/c calc'!A1"
		in := "type,value,label,source\nurl,https://example.org/x,propaganda,\"" + strings.ReplaceAll(evil, `"`, `""`) + "\"\n"
		if code, body := a.multipartPost("/banks/formula-bank/import", map[string]string{"type": "pdq"}, in); code != 200 || !strings.Contains(body, "1 added") {
			t.Fatalf("import: %d\n%s", code, body)
		}
		resp, err := a.c.Get(a.base + "/banks/formula-bank/export.csv")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(string(raw), "\ufeff") || !strings.Contains(string(raw), ",'"+evil+",") || strings.Contains(string(raw), ","+evil) {
			t.Fatalf("export does not guard the formula:\n%q", raw)
		}
		back, bad, err := bank.ParseCSV(bytes.NewReader(raw), bank.ParseOptions{})
		if err != nil || len(bad) != 0 || len(back) != 1 || back[0].Source != evil {
			t.Fatalf("export read back: %+v, %v, %v", back, bad, err)
		}
	})
}

// TestSearchLongQueryPage: the search page takes as many characters as
// its field lets a person type, in Arabic too, and above that says the
// limit instead of a generic error. On each store.
func TestSearchLongQueryPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st, false)
		a := e.client(t)
		a.login("ana")
		q := string([]rune(strings.Repeat("بإخوانك الخلافة ", 60))[:700])
		if code, body := a.get("/search?q=" + url.QueryEscape(q)); code != 200 {
			t.Errorf("a query of 700 Arabic characters: %d\n%.400s", code, body)
		}
		code, body := a.get("/search?q=" + url.QueryEscape(strings.Repeat("x", 1001)))
		if code != 400 || !strings.Contains(body, "Search: longer than 1000 characters.") {
			t.Errorf("a query of 1,001 characters: %d, want 400 naming the limit\n%.600s", code, body)
		}
	})
}
