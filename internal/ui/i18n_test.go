package ui

import (
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// seedRich adds to e what a working day leaves behind: a case routed by
// the pipeline from a bank match and scores (so its reasons are the real
// ones), a network case, decisions, an order delivered by webhook, one
// issued with no delivery channel, preserved evidence and an appeal.
func (e *env) seedRich(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	e.seedNetwork(t)
	p := model.Post{Platform: "x", SourceID: "x-rich", Author: "relay_account", Lang: "ar", URL: "https://x.example/rich",
		Text: "بيعة وجهاد: انضموا الآن", Media: []model.Media{{Path: "flag.png", Type: "image", SHA256: flagSHA(t, e)}}}
	sig := model.Signal{Type: model.SignalPDQ, Value: strings.Repeat("f0", 32)}
	matches := []model.Match{{Signal: sig, BankName: "partner-a", Distance: 3, Entry: model.BankEntry{ID: 7, Label: model.Propaganda}}}
	scores := []model.Score{
		{Label: model.Incitement, Score: 0.97, Threshold: 0.14, Model: "text-3", Evidence: []string{"جهاد"}},
		{Label: model.Recruitment, Score: 1, Threshold: 0.5, Model: pipeline.RulesModel, Evidence: []string{"انضموا"}},
	}
	c := pipeline.Route(matches, scores)
	if c == nil {
		t.Fatal("the pipeline opened no case")
	}
	if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{Signals: []model.Signal{sig}, Scores: scores, Case: c}); err != nil {
		t.Fatal(err)
	}
	e.cases["routed"] = c.ID

	r1 := e.client(t)
	r1.login("rev1")
	do := func(path string, form url.Values, want int) {
		t.Helper()
		r1.get("/queue")
		if code, body := r1.post(path, form); code != want {
			t.Fatalf("POST %s: %d, want %d\n%s", path, code, want, body)
		}
	}
	incite := fmt.Sprintf("/cases/%d", e.cases["incite"])
	do(incite+"/claim", nil, 303)
	do(incite+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"دعوة صريحة إلى القتل"}}, 303)
	do(incite+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"},
		"legal_basis": {"المادة 3"}, "deadline_minutes": {"60"}}, 303)
	// The first order is delivered in the background; wait for its
	// attempt to be recorded before the webhook is unset below, so that
	// exactly one order (the second) is left without a delivery.
	if os, err := e.st.Orders(ctx, store.OrderFilter{}); err != nil || len(os) == 0 {
		t.Fatalf("orders after issuing one: %v, %v", os, err)
	} else {
		deadline := time.Now().Add(20 * time.Second)
		for {
			ds, err := e.st.Deliveries(ctx, os[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first order's delivery was never recorded")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	fr := fmt.Sprintf("/cases/%d", e.cases["fr"])
	do(fr+"/decide", url.Values{"label": {"financing"}, "action": {"refer"}, "rationale": {"collecte de fonds"}}, 303)
	// No delivery channel: the order can only be exported.
	if err := e.st.SetSetting(ctx, action.SettingWebhookURL, "", "test", false); err != nil {
		t.Fatal(err)
	}
	do(fr+"/orders", url.Values{"kind": {"referral"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/200"}, "deadline_minutes": {"1440"}}, 303)
	news := fmt.Sprintf("/cases/%d", e.cases["news"])
	do(news+"/decide", url.Values{"label": {"news_reporting"}, "action": {"none"}, "rationale": {"تقرير صحفي"}}, 303)
	do(news+"/appeal", url.Values{"reason": {"طلب الشرطة مراجعة ثانية"}}, 303)
}

// arabicClient signs in as a new user of role whose language is Arabic.
func (e *env) arabicClient(t *testing.T, name, role string) *client {
	t.Helper()
	c := e.client(t)
	c.login("amina")
	if code, body := c.post("/admin/users", url.Values{"name": {name}, "role": {role}, "password": {password}, "lang": {"ar"}}); code != 303 {
		t.Fatalf("add user %s: %d\n%s", name, code, body)
	}
	u := e.client(t)
	u.login(name)
	return u
}

// TestArabicPagesHaveNoEnglish renders every page, form error and
// conflict for Arabic users over a working day's data and fails on any
// run of Latin words the server wrote: user content (post text, names,
// addresses, hashes) is set apart in bdi, code, textarea and dir="auto"
// or dir="ltr" elements and is left out of the check.
func TestArabicPagesHaveNoEnglish(t *testing.T) {
	e := newEnv(t)
	e.seedRich(t)
	admin := e.arabicClient(t, "mudir", "admin")
	rev := e.arabicClient(t, "muraji", "reviewer")
	ana := e.arabicClient(t, "muhallil", "analyst")
	var netCase int64
	cs, _, _ := e.st.Cases(context.Background(), store.CaseFilter{Limit: 100})
	for _, c := range cs {
		if c.Kind == model.CaseNetwork {
			netCase = c.ID
		}
	}
	type page struct {
		who  *client
		name string
		code int
		body string
	}
	var pages []page
	news := fmt.Sprintf("/cases/%d", e.cases["news"])
	get := func(who *client, path string, want int) {
		t.Helper()
		code, body := who.get(path)
		if code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
		pages = append(pages, page{who, "GET " + path, code, body})
	}
	post := func(who *client, path string, form url.Values, want int) {
		t.Helper()
		code, body := who.post(path, form)
		if code != want {
			t.Errorf("POST %s: %d, want %d\n%s", path, code, want, body)
		}
		pages = append(pages, page{who, "POST " + path, code, body})
	}
	// A partner key, so that the keys table shows its scopes.
	post(admin, "/admin/keys", url.Values{"name": {"partner-key"}, "scope": {"read", "write"}, "platform": {"telegram"}}, 200)
	// A claim released by another, and a case read through the API.
	post(rev, news+"/claim", nil, 303)
	post(admin, news+"/release", nil, 303)
	if err := e.st.Audit(context.Background(), "partner", "case.read", "case:"+strings.TrimPrefix(news, "/cases/"), "api"); err != nil {
		t.Fatal(err)
	}
	// Sources of each kind, one failing with a resolver's error and one
	// with a skipped item, so that kinds, intervals and errors show.
	for i, src := range []model.Source{
		{Kind: "feed", Name: "wire", Config: []byte(`{"url":"https://feeds.example.org/rss"}`), Interval: 15 * time.Minute},
		{Kind: "telegram", Name: "channel-preview", Config: []byte(`{"channel":"example_channel"}`), Interval: 90 * time.Minute},
		{Kind: "x-search", Name: "search", Config: []byte(`{"query":"example"}`), Interval: time.Hour},
	} {
		if err := e.st.AddSource(context.Background(), &src); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := e.st.SourceFailed(context.Background(), src.ID, `fetch https://feeds.example.org/rss: dial tcp: lookup feeds.example.org on 127.0.0.53:53: no such host`, time.Now()); err != nil {
				t.Fatal(err)
			}
		} else if err := e.st.SourceDone(context.Background(), src.ID, "", 3, "", map[string]int{"empty": 1}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"/admin/sources", "/admin/private-addresses", "/queue", "/queue?state=all", "/queue?state=appealed", "/dashboard", "/orders", "/orders?show=all", "/evidence",
		"/banks", "/admin", "/admin/models", "/networks", "/search?q=" + url.QueryEscape("جهاد"), "/search?author=channel_x"} {
		get(admin, p, 200)
	}
	for name, id := range e.cases {
		get(admin, fmt.Sprintf("/cases/%d", id), 200)
		get(rev, fmt.Sprintf("/cases/%d", id), 200)
		_ = name
	}
	get(ana, fmt.Sprintf("/cases/%d", netCase), 200)
	get(ana, "/queue", 200)
	get(ana, "/admin", 403)
	get(admin, "/cases/999999", 404)
	get(admin, "/cases/abc", 400)
	get(admin, "/nowhere", 404)
	get(admin, "/queue?label=nonsense", 400)
	get(admin, "/orders/1/notice?format=doc", 400)

	routed := fmt.Sprintf("/cases/%d", e.cases["routed"])
	incite := fmt.Sprintf("/cases/%d", e.cases["incite"])
	rev.get(routed)
	post(rev, routed+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}}, 400)
	post(rev, routed+"/decide", url.Values{"action": {"remove"}, "rationale": {"x"}}, 400)
	post(rev, routed+"/decide", url.Values{"label": {"news_reporting"}, "action": {"remove"}, "rationale": {"x"}}, 400)
	post(rev, routed+"/decide", url.Values{"label": {"none", "incitement"}, "rationale": {"x"}}, 400)
	post(rev, incite+"/decide", url.Values{"label": {"incitement"}, "rationale": {"again"}}, 409)
	post(rev, incite+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"x"}, "deadline_minutes": {"80136266"}}, 400)
	post(rev, incite+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"x"}, "deadline_minutes": {"60"}}, 409)
	post(rev, incite+"/orders", url.Values{"kind": {"removal"}, "platform": {"x"}, "content_url": {"not a url"}, "legal_basis": {"x"}, "deadline_minutes": {"60"}}, 400)
	post(rev, incite+"/orders", url.Values{"kind": {"removal"}, "platform": {"x"}, "content_url": {"https://x.example/1"}, "deadline_minutes": {"60"}}, 400)
	post(rev, incite+"/bank", url.Values{"bank": {"partner-a"}, "label": {"incitement"}}, 400)
	post(rev, incite+"/appeal", url.Values{"reason": {" "}}, 400)
	post(rev, news+"/claim", nil, 303)
	post(admin, news+"/decide", url.Values{"label": {"news_reporting"}, "rationale": {"x"}}, 409)
	post(rev, routed+"/bank", url.Values{"bank": {"partner-a"}, "label": {"incitement"}}, 409)
	post(admin, "/admin/users", url.Values{"name": {"short"}, "role": {"analyst"}, "password": {"short"}}, 400)
	post(admin, "/admin/users", url.Values{"name": {"two words"}, "role": {"analyst"}, "password": {password}}, 400)
	post(admin, "/admin/users", url.Values{"name": {"amina"}, "role": {"analyst"}, "password": {password}}, 409)
	post(admin, "/admin/users/mudir", url.Values{"role": {"analyst"}}, 400)
	post(admin, "/admin/keys", url.Values{"name": {"partner"}}, 400)
	post(admin, "/admin/keys", url.Values{"name": {"partner"}, "scope": {"read"}}, 400)
	post(admin, "/admin/settings", url.Values{"webhook_url": {"ftp://x"}, "retention_days": {"30"}}, 400)
	post(admin, "/admin/settings", url.Values{"webhook_url": {""}, "retention_days": {"-4"}}, 400)
	post(admin, "/banks", url.Values{"name": {" "}}, 400)
	post(admin, "/orders/2/deliver", nil, 400)
	post(admin, "/orders/1/status", url.Values{"status": {"sent"}}, 400)
	post(admin, "/orders/1/withdraw", url.Values{"reason": {""}}, 400)
	post(ana, routed+"/claim", nil, 403)
	post(rev, "/prefs", url.Values{"tz": {"Mars/Olympus"}}, 400)

	// What the sources page sets apart as data is still not raw: Go's
	// durations, a resolver's address, a Go error.
	for _, p := range pages {
		if p.name != "GET /admin/sources" {
			continue
		}
		for _, raw := range []string{"15m0s", "1h30m0s", "1h0m0s", "dial tcp", "127.0.0.53", "no such host"} {
			if strings.Contains(p.body, raw) {
				t.Errorf("%s: shows %q", p.name, raw)
			}
		}
	}
	// The printed notice speaks the reader's language too.
	if code, pdf := admin.get("/orders/1/notice?format=pdf"); code != 200 {
		t.Errorf("notice PDF: %d", code)
	} else {
		text := pdfText(t, pdf)
		for _, english := range []string{"Removal order", "Platform", "Content URL", "Legal basis", "Deadline", "Status", "Evidence", "Issued by"} {
			if strings.Contains(text, english) {
				t.Errorf("an Arabic reader's notice PDF prints %q", english)
			}
		}
	}
	for _, p := range pages {
		if p.code == http.StatusSeeOther {
			continue
		}
		if !strings.Contains(p.body, `lang="ar"`) {
			t.Errorf("%s: not an Arabic page", p.name)
			continue
		}
		for _, run := range englishRuns(p.body) {
			t.Errorf("%s (%d): English on an Arabic page: %q", p.name, p.code, run)
		}
		// The case's history names its actions and details in Arabic,
		// whatever the markup sets apart: only what a person wrote (the
		// actor, a rationale) may be in another language.
		for _, bad := range auditEnglish(p.body) {
			t.Errorf("%s (%d): English in the case history: %q", p.name, p.code, bad)
		}
	}
}

var (
	// latinRun is two or more Latin words in a row.
	latinRun = regexp.MustCompile(`[A-Za-z][A-Za-z'’]*(?:[\s,:;()/]+[A-Za-z][A-Za-z'’]*)+`)
	// rawKey is a translation key shown instead of its translation, or a
	// formatting fault.
	rawKey = regexp.MustCompile(`\b[a-z]+\.[a-z_]+[a-z]\b|%!|%\[?[0-9]*\]?[sdvq]`)
	// notEnglish are Latin words an Arabic page may show: formats, hash
	// names and the name of the other languages on the language switch.
	// ownWords are marsad's own identifiers, which an Arabic page must
	// show translated: scope names, source kinds, the pairs of audit
	// details, and durations in Go's notation.
	ownWords = regexp.MustCompile(`\b(read|write|all-platforms|x-search|feed|[a-z_]+=\S*|\d+h\d+m\d+s|\d+m\d+s)(?:\s|$|[,.;:])`)
	// auditItem is one event of a case's history; personText is what a
	// person wrote in it.
	auditItem  = regexp.MustCompile(`(?s)<ol class="audit">(.*?)</ol>`)
	personText = regexp.MustCompile(`(?s)<strong><bdi>.*?</bdi></strong>|<bdi dir="auto" class="user-text">.*?</bdi>|<bdi dir="ltr" class="when"[^>]*>.*?</bdi>`)
	auditRaw   = regexp.MustCompile(`[a-z_]+=\S*|\b(case|order)\.[a-z_.]+|\b[A-Za-z]{3,}(?:\s+[A-Za-z]{2,})+`)
	notEnglish = regexp.MustCompile(`\b(PDF|CSV|JSON|SHA-256|PDQ|MD5|URL|UTC|English|Français|marsad)\b`)
)

// auditEnglish returns what a case page's history shows in Latin letters
// outside what people wrote: raw action names, key=value pairs, English
// sentences.
func auditEnglish(page string) []string {
	var out []string
	for _, m := range auditItem.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], `class="raw-detail"`) || strings.Contains(m[1], `class="raw-action"`) {
			out = append(out, "a detail or action shown as recorded: "+m[1])
		}
		text := personText.ReplaceAllString(m[1], " ")
		text = html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(text, " "))
		text = notEnglish.ReplaceAllString(text, " ")
		out = append(out, auditRaw.FindAllString(text, -1)...)
	}
	return out
}

// englishRuns returns the runs of Latin words in the text and the
// labelling attributes of page, leaving out user content.
func englishRuns(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"unparsable page: " + err.Error()}
	}
	var out []string
	check := func(s string) {
		s = notEnglish.ReplaceAllString(s, " ")
		out = append(out, latinRun.FindAllString(s, -1)...)
		out = append(out, rawKey.FindAllString(s, -1)...)
		out = append(out, ownWords.FindAllString(s+" ", -1)...)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "bdi", "code", "textarea", "head":
				return
			case "title", "text":
				if n.Namespace == "svg" {
					return // account names on the network picture
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "dir":
					if a.Val == "auto" || a.Val == "ltr" {
						return
					}
				case "title", "placeholder", "aria-label", "alt":
					check(a.Val)
				}
			}
			if n.Data == "option" && n.FirstChild != nil && attr(n, "value") == n.FirstChild.Data {
				return // a value from the data (a bank, a platform)
			}
		}
		if n.Type == html.TextNode {
			check(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestEnglishRunsFindsEnglish keeps the check above honest.
func TestEnglishRunsFindsEnglish(t *testing.T) {
	for _, tc := range []struct {
		page string
		want int
	}{
		{`<html lang="ar"><body><p>pdq matched bank "a" at distance 0</p></body></html>`, 2},
		{`<html lang="ar"><body><p>طابق <bdi>partner bank</bdi></p><div dir="auto">join us now</div></body></html>`, 0},
		{`<html lang="ar"><body><input placeholder="new password"></body></html>`, 1},
		{`<html lang="ar"><body><p>reason.match_text</p></body></html>`, 1},
		{`<html lang="ar"><body><a>PDF</a> <a>CSV</a> <a>JSON</a></body></html>`, 0},
		{`<html lang="ar"><body><select><option value="telegram">telegram</option><option value="open">open case</option></select></body></html>`, 1},
	} {
		if got := englishRuns(tc.page); len(got) != tc.want {
			t.Errorf("englishRuns(%s) = %q, want %d", tc.page, got, tc.want)
		}
	}
}

// TestErrorsTranslated checks that the services' typed errors come out
// in each language with the values they name, and never as the English
// sentence made for logs.
func TestErrorsTranslated(t *testing.T) {
	locs, err := loadLocales(assets)
	if err != nil {
		t.Fatal(err)
	}
	errs := []error{
		badInput("deadline_minutes", "deadline_minutes", 1, maxDeadlineMinutes),
		&action.FieldError{Field: "deadline", Code: "deadline_range", Msg: "deadline: 1335604h26m24s is out of range (0 to 90 days)"},
	}
	for lang, loc := range locs {
		for _, err := range errs {
			got := errText(loc, err)
			if strings.Contains(got, "out of range") || strings.Contains(got, "h26m") || got == loc.T("err.invalid") || strings.Contains(got, "%!") {
				t.Errorf("%s: %v → %q", lang, err, got)
			}
		}
		if got := errText(loc, errs[0]); !strings.Contains(got, "129600") {
			t.Errorf("%s: the deadline message %q does not name the allowed range", lang, got)
		}
	}
	if code, _ := coded(fmt.Errorf("wrapped: %w", errs[1])); code != "deadline_range" {
		t.Errorf("coded(wrapped) = %q", code)
	}
}

// TestTimeZoneAndCountdown: a user who sets a time zone sees times in it,
// with UTC on hover, and open orders count down to their deadline.
func TestTimeZoneAndCountdown(t *testing.T) {
	e := newEnv(t)
	e.seedRich(t)
	c := e.client(t)
	c.login("rev2")
	if code, _ := c.post("/prefs", url.Values{"tz": {"Asia/Amman"}, "next": {"/orders"}}); code != 303 {
		t.Fatalf("set time zone: %d", code)
	}
	if u, _ := e.st.UserByName(context.Background(), "rev2"); u.TZ != "Asia/Amman" {
		t.Fatalf("time zone stored = %q", u.TZ)
	}
	os, _ := e.st.Orders(context.Background(), store.OrderFilter{})
	var open store.Order
	for _, o := range os {
		if o.Open() {
			open = o
		}
	}
	_, body := c.get("/orders?show=all")
	amman, _ := time.LoadLocation("Asia/Amman")
	local := open.Deadline.In(amman).Format("2006-01-02 15:04 MST")
	utc := open.Deadline.UTC().Format("2006-01-02 15:04 UTC")
	if !strings.Contains(body, `title="`+utc+`">`+local+`</bdi>`) {
		t.Errorf("orders page lacks the deadline in Amman time (%s) with UTC (%s) on hover", local, utc)
	}
	if !regexp.MustCompile(`class="countdown" data-deadline="[^"]+"[^>]*>خلال \d+ [يسد]( \d+ [سد])?</span>`).MatchString(body) {
		t.Errorf("orders page lacks an Arabic countdown:\n%s", regexp.MustCompile(`(?s)<table.*</table>`).FindString(body))
	}
	if code, _ := c.post("/prefs", url.Values{"tz": {"../../etc/passwd"}}); code != 400 {
		t.Errorf("a path for a time zone: %d, want 400", code)
	}
}

func TestSpan(t *testing.T) {
	locs, _ := loadLocales(assets)
	en := locs["en"]
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 min"}, {4 * time.Minute, "4 min"}, {5*time.Hour + 12*time.Minute, "5 h 12 min"},
		{2*24*time.Hour + 3*time.Hour + 4*time.Minute, "2 d 3 h"}, {2*24*time.Hour + 4*time.Minute, "2 d 4 min"},
	} {
		if got := span(en, tc.d); got != tc.want {
			t.Errorf("span(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestUnitOrderTexts: the legal basis and notice requests are the unit's
// settings, prefilled on the order form and printed on notices.
func TestUnitOrderTexts(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t)
	admin.login("amina")
	admin.get("/admin")
	const basis, ask = "قانون مكافحة الإرهاب، المادة 12", "يُرجى إزالة المحتوى خلال المهلة."
	form := url.Values{"webhook_url": {e.hook.srv.URL}, "retention_days": {"30"}, "legal_basis": {basis}, "removal_text": {ask}, "referral_text": {""}}
	if code, body := admin.post("/admin/settings", form); code != 303 {
		t.Fatalf("save settings: %d\n%s", code, body)
	}
	_, body := admin.get("/admin")
	if !strings.Contains(body, `value="`+basis+`"`) || !strings.Contains(body, ask+"</textarea>") || !strings.Contains(body, action.DefaultReferralText) {
		t.Error("the admin page does not show the unit's texts")
	}
	r := e.client(t)
	r.login("rev1")
	path := e.caseURL("incite")[len(e.url):]
	r.get(path)
	r.post(path+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"r"}})
	_, body = r.get(path)
	if !strings.Contains(body, `id="order-legal" dir="auto" value="`+basis+`"`) {
		t.Error("the order form does not offer the unit's legal basis")
	}
	if code, _ := r.post(path+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {basis}, "deadline_minutes": {"60"}}); code != 303 {
		t.Fatalf("issue order: %d", code)
	}
	os, _ := e.st.Orders(context.Background(), store.OrderFilter{})
	_, js := r.get(fmt.Sprintf("/orders/%d/notice?format=json", os[0].ID))
	if !strings.Contains(js, `"request": "`+ask+`"`) || !strings.Contains(js, basis) {
		t.Errorf("notice JSON lacks the unit's texts:\n%s", js)
	}
}

// pdfText is the text of a PDF's content streams, inflated, for a search
// of the Latin words it draws.
func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	var b strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllStringSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(strings.NewReader(m[1]))
		if err != nil {
			continue
		}
		if data, err := io.ReadAll(zr); err == nil {
			b.Write(data)
		}
	}
	if b.Len() == 0 {
		t.Fatal("no content stream in the PDF")
	}
	return b.String()
}

// TestSettingsRefusedSavesNothing: a settings form with one wrong field
// (a secret too short after a new webhook address, or retention out of
// range after new texts) is refused whole: no field of it is saved and
// nothing is audited. On each store.
func TestSettingsRefusedSavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st, false)
		ctx := context.Background()
		admin := e.client(t)
		admin.login("amina")
		admin.get("/admin")
		good := url.Values{"webhook_url": {"https://hooks.example.org/a"}, "retention_days": {"30"}, "legal_basis": {"basis A"}}
		if code, body := admin.post("/admin/settings", good); code != 303 {
			t.Fatalf("save settings: %d\n%s", code, body)
		}
		events, _ := st.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
		secret, _, _ := st.Setting(ctx, action.SettingWebhookSecret)
		for _, bad := range []url.Values{
			{"webhook_url": {"https://hooks.example.org/b"}, "webhook_secret": {"short"}, "retention_days": {"30"}},
			{"webhook_url": {"https://hooks.example.org/b"}, "retention_days": {"0"}, "legal_basis": {"basis B"}},
			{"webhook_url": {"ftp://hooks.example.org/b"}, "retention_days": {"60"}, "legal_basis": {"basis B"}},
		} {
			if code, _ := admin.post("/admin/settings", bad); code != 400 {
				t.Errorf("%v: %d, want 400", bad, code)
			}
			for key, want := range map[string]string{action.SettingWebhookURL: "https://hooks.example.org/a", evidence.SettingRetentionDays: "30", action.SettingLegalBasis: "basis A"} {
				if v, _, _ := st.Setting(ctx, key); v != want {
					t.Errorf("after refusing %v: %s = %q, want %q", bad, key, v, want)
				}
			}
			if v, _, _ := st.Setting(ctx, action.SettingWebhookSecret); v != secret {
				t.Errorf("after refusing %v: the secret changed", bad)
			}
		}
		after, _ := st.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
		if len(after) != len(events) {
			t.Errorf("refused forms wrote %d audit events", len(after)-len(events))
		}
	})
}
