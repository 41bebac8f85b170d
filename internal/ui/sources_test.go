package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/store"
)

func TestSourcesPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	add := url.Values{"kind": {"feed"}, "name": {"news-ar"}, "interval": {"10m"}, "url": {"https://bulletin.example.org/ar/rss.xml"}}
	for _, who := range []string{"ana", "rev1"} {
		c := e.client(t)
		c.login(who)
		if code, _ := c.get("/admin/sources"); code != http.StatusForbidden {
			t.Errorf("%s GET /admin/sources: %d, want 403", who, code)
		}
		if code, _ := c.post("/admin/sources", add); code != http.StatusForbidden {
			t.Errorf("%s POST /admin/sources: %d, want 403", who, code)
		}
	}
	add.Del("csrf") // post set the last user's token in the form
	adm := e.client(t)
	adm.login("amina")
	if code, body := adm.get("/admin"); code != 200 || !strings.Contains(body, `href="/admin/sources"`) {
		t.Fatalf("admin page: %d, no link to the sources", code)
	}
	code, body := adm.get("/admin/sources")
	if code != 200 || !strings.Contains(body, `id="no-sources"`) {
		t.Fatalf("sources page: %d\n%s", code, body)
	}
	// One form for each kind, with its named fields and no JSON.
	for _, want := range []string{`id="add-feed"`, `id="feed-url"`, `id="add-telegram"`, `id="telegram-channel"`, `id="telegram-depth"`,
		`id="add-x-search"`, `id="x-search-query"`, `id="x-search-max_results"`, `value="15m"`} {
		if !strings.Contains(body, want) {
			t.Errorf("sources page lacks %s", want)
		}
	}
	if strings.Contains(body, `name="config"`) || strings.Contains(body, "15m0s") {
		t.Error("the page still asks for JSON or shows Go's durations")
	}
	forged := url.Values{}
	for k, v := range add {
		forged[k] = v
	}
	forged.Set("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if code, _ := adm.do("POST", "/admin/sources", forged); code != http.StatusForbidden {
		t.Errorf("add with a forged token: %d, want 403", code)
	}
	if code, body := adm.post("/admin/sources", add); code != http.StatusSeeOther {
		t.Fatalf("add: %d, want 303\n%s", code, body)
	}
	src, err := e.st.SourceByName(ctx, "news-ar")
	if err != nil || src.Interval != 10*time.Minute || src.Kind != "feed" || string(src.Config) != `{"url":"https://bulletin.example.org/ar/rss.xml"}` {
		t.Fatalf("stored source %+v, %v", src, err)
	}
	for _, f := range []url.Values{
		{"kind": {"telegram"}, "name": {"tg-news"}, "interval": {"1h30m"}, "channel": {"@news_channel"}, "depth": {"20"}, "no_media": {"1"}},
		{"kind": {"x-search"}, "name": {"x-news"}, "interval": {"2 h"}, "query": {"from:someone -is:retweet"}, "max_results": {"50"}},
	} {
		if code, body := adm.post("/admin/sources", f); code != http.StatusSeeOther {
			t.Fatalf("add %s: %d\n%s", f.Get("kind"), code, body)
		}
	}
	if s, _ := e.st.SourceByName(ctx, "tg-news"); s == nil || string(s.Config) != `{"channel":"news_channel","depth":20,"no_media":true}` || s.Interval != 90*time.Minute {
		t.Errorf("telegram source %+v", s)
	}
	if s, _ := e.st.SourceByName(ctx, "x-news"); s == nil || string(s.Config) != `{"max_results":50,"query":"from:someone -is:retweet"}` || s.Interval != 2*time.Hour {
		t.Errorf("x-search source %+v", s)
	}

	// A refused form says what is wrong with which field, in the
	// reader's language, keeps what was typed, and marks the field.
	fr := e.adminIn(t, "gestionnaire", "fr")
	ar := e.adminIn(t, "mudir", "ar")
	for _, tt := range []struct {
		form       url.Values
		en, fr, ar string
		invalid    string
		status     int
	}{
		{url.Values{"kind": {"feed"}, "name": {"f1"}, "url": {"ftp://x.example/f"}}, "Feed address: “ftp://x.example/f” is not an http or https address.",
			"Adresse du flux : « ftp://x.example/f » n’est pas une adresse http ou https.", "عنوان الخلاصة: «ftp://x.example/f» ليس عنوان http أو https.", `id="feed-url"`, 400},
		{url.Values{"kind": {"feed"}, "name": {"f1"}, "url": {""}}, "Feed address: required.", "Adresse du flux : obligatoire.", "عنوان الخلاصة: حقل مطلوب.", `id="feed-url"`, 400},
		{url.Values{"kind": {"telegram"}, "name": {"t1"}, "channel": {"ab"}}, "Channel: “ab” is not a public channel’s username",
			"Chaîne : « ab » n’est pas le nom d’utilisateur", "القناة: «ab» ليس اسم مستخدم لقناة عامة", `id="telegram-channel"`, 400},
		{url.Values{"kind": {"telegram"}, "name": {"t1"}, "channel": {"news_channel"}, "depth": {"lots"}}, "Messages to read back: “lots” is not a whole number from 0 to 100000.",
			"Messages à relire : « lots » n’est pas un nombre entier de 0 à 100000.", "عدد الرسائل السابقة المقروءة: «lots» ليس عددًا صحيحًا من 0 إلى 100000.", `id="telegram-depth"`, 400},
		{url.Values{"kind": {"x-search"}, "name": {"x1"}, "query": {"q"}, "max_pages": {"0"}}, "Pages per poll: “0” is not a whole number from 1 to 100.",
			"Pages par interrogation : « 0 » n’est pas un nombre entier de 1 à 100.", "صفحات لكل استطلاع: «0» ليس عددًا صحيحًا من 1 إلى 100.", `id="x-search-max_pages"`, 400},
		{url.Values{"kind": {"x-search"}, "name": {"x1"}, "query": {" "}}, "Search query: required.", "Requête de recherche : obligatoire.", "استعلام البحث: حقل مطلوب.", `id="x-search-query"`, 400},
		{url.Values{"kind": {"feed"}, "name": {"f1"}, "url": {"https://x.example/f"}, "interval": {"1s"}}, "Every: 1s is too short; at least 10s.",
			"Intervalle : 1s est trop court ; au moins 10s.", "الفاصل الزمني: ‏1s قصير جدًا؛ الحد الأدنى 10s.", `id="feed-interval"`, 400},
		{url.Values{"kind": {"feed"}, "name": {"f1"}, "url": {"https://x.example/f"}, "interval": {"soon"}}, "Every: “soon” is not a time such as 15m or 1h30m.",
			"Intervalle : « soon » n’est pas une durée", "الفاصل الزمني: «soon» ليس مدة", `id="feed-interval"`, 400},
		{url.Values{"kind": {"carrier-pigeon"}, "name": {"p1"}}, "Kind: “carrier-pigeon” is not a kind marsad collects from",
			"Type : « carrier-pigeon » n’est pas un type", "النوع: «carrier-pigeon» ليس نوعًا", "", 400},
		{url.Values{"kind": {"feed"}, "name": {"news-ar"}, "url": {"https://x.example/f"}}, "That name is already taken.", "Ce nom est déjà pris.", "هذا الاسم مستخدم من قبل.", `id="feed-name"`, 409},
	} {
		for _, c := range []struct {
			who  *client
			want string
		}{{adm, tt.en}, {fr, tt.fr}, {ar, tt.ar}} {
			if c.want == "" {
				continue
			}
			f := url.Values{}
			for k, v := range tt.form {
				f[k] = v
			}
			code, body := c.who.post("/admin/sources", f)
			if code != tt.status || !strings.Contains(body, c.want) {
				t.Errorf("%v: %d, want %d saying %q\n%s", tt.form, code, tt.status, c.want, flashOf(body))
				continue
			}
			if tt.invalid != "" && !strings.Contains(body, tt.invalid) || tt.invalid != "" && !hasInvalid(body, tt.invalid) {
				t.Errorf("%v: field %s not marked invalid", tt.form, tt.invalid)
			}
			if v := tt.form.Get("name"); tt.invalid != "" && !strings.Contains(body, `value="`+v+`"`) {
				t.Errorf("%v: what was typed is lost", tt.form)
			}
		}
	}

	// Health: the interval as people write it, the reason of the last
	// error in words, never the resolver's address or Go's wording.
	e.st.SourceFailed(ctx, src.ID, `source "news-ar": get https://bulletin.example.org/ar/rss.xml: dial tcp: lookup bulletin.example.org on 127.0.0.53:53: no such host`, time.Now())
	_, body = adm.get("/admin/sources")
	row := rowOf(body, "source-news-ar")
	if !strings.Contains(row, "The site’s name could not be found.") || !strings.Contains(row, "failing") || !strings.Contains(row, "10 min") {
		t.Errorf("health not shown:\n%s", row)
	}
	if !strings.Contains(rowOf(body, "source-tg-news"), "1 h 30 min") || !strings.Contains(rowOf(body, "source-tg-news"), "news_channel") {
		t.Errorf("telegram row:\n%s", rowOf(body, "source-tg-news"))
	}
	_, arBody := ar.get("/admin/sources")
	if !strings.Contains(rowOf(arBody, "source-news-ar"), "تعذّر العثور على اسم الموقع.") || !strings.Contains(rowOf(arBody, "source-news-ar"), "10 د") ||
		!strings.Contains(rowOf(arBody, "source-tg-news"), "1 س 30 د") {
		t.Errorf("arabic rows:\n%s", rowOf(arBody, "source-news-ar"))
	}
	for _, b := range []string{body, arBody} {
		for _, raw := range []string{"127.0.0.53", "dial tcp", "lookup ", "no such host", "10m0s", "1h30m0s"} {
			if strings.Contains(b, raw) {
				t.Errorf("the page shows %q", raw)
			}
		}
	}
	if code, _ := adm.post("/admin/sources/news-ar/pause", nil); code != http.StatusSeeOther {
		t.Fatalf("pause: %d", code)
	}
	if s, _ := e.st.SourceByName(ctx, "news-ar"); !s.Paused {
		t.Error("not paused")
	}
	adm.post("/admin/sources/news-ar/resume", nil)
	if s, _ := e.st.SourceByName(ctx, "news-ar"); s.Paused {
		t.Error("not resumed")
	}
	if !strings.Contains(arBody, "المصادر") || !strings.Contains(arBody, `dir="rtl"`) {
		t.Errorf("arabic page:\n%.400s", arBody)
	}
	if runs := englishRuns(arBody); len(runs) > 0 {
		t.Errorf("English on the Arabic sources page: %q", runs)
	}
	_, body = ar.post("/admin/sources", url.Values{"kind": {"telegram"}, "name": {"t9"}, "channel": {"ab"}})
	if runs := englishRuns(body); len(runs) > 0 {
		t.Errorf("English on the Arabic refused form: %q", runs)
	}
	adm.get("/admin/sources")
	if code, _ := adm.post("/admin/sources/news-ar/delete", nil); code != http.StatusSeeOther {
		t.Fatalf("delete: %d", code)
	}
	if _, err := e.st.SourceByName(ctx, "news-ar"); err == nil {
		t.Error("not deleted")
	}
}

// adminIn is a new admin, name, who reads the pages in lang.
func (e *env) adminIn(t *testing.T, name, lang string) *client {
	t.Helper()
	c := e.client(t)
	c.login("amina")
	if code, body := c.post("/admin/users", url.Values{"name": {name}, "role": {"admin"}, "password": {password}, "lang": {lang}}); code != http.StatusSeeOther {
		t.Fatalf("add user %s: %d\n%s", name, code, flashOf(body))
	}
	u := e.client(t)
	u.login(name)
	return u
}

// rowOf is the table row with id in body.
func rowOf(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</tr>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// flashOf is the page's flash message, for failure output.
func flashOf(body string) string {
	i := strings.Index(body, `class="flash`)
	if i < 0 {
		return "(no flash)"
	}
	return body[i:min(len(body), i+300)]
}

// hasInvalid says whether the element with attribute attr is marked
// aria-invalid.
func hasInvalid(body, attr string) bool {
	i := strings.Index(body, attr)
	if i < 0 {
		return false
	}
	j := strings.IndexByte(body[i:], '>')
	return strings.Contains(body[i:i+j], `aria-invalid="true"`)
}

// TestPrivateAddressesPage: an admin sets the allow-list of inside
// hosts; a bad entry is refused by name in the reader's language, a
// good list applies at once and is written to the audit log; no other
// role may see or change it.
func TestPrivateAddressesPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, who := range []string{"ana", "rev1"} {
		c := e.client(t)
		c.login(who)
		if code, _ := c.get("/admin/private-addresses"); code != http.StatusForbidden {
			t.Errorf("%s GET: %d, want 403", who, code)
		}
		if code, _ := c.post("/admin/private-addresses", url.Values{"allow": {"10.0.0.0/8"}}); code != http.StatusForbidden {
			t.Errorf("%s POST: %d, want 403", who, code)
		}
	}
	adm := e.client(t)
	adm.login("amina")
	if _, body := adm.get("/admin"); !strings.Contains(body, `href="/admin/private-addresses"`) {
		t.Error("no link from the admin page")
	}
	code, body := adm.get("/admin/private-addresses")
	if code != 200 || !strings.Contains(body, `id="private-addresses"`) || !strings.Contains(body, `id="private-config"`) {
		t.Fatalf("page: %d\n%s", code, body)
	}
	code, body = adm.post("/admin/private-addresses", url.Values{"allow": {"rss-bridge.unit.lan, http://mirror/"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "“http://mirror/” is not a host name, an IP address or a CIDR range") || !strings.Contains(body, "http://mirror/</textarea>") {
		t.Fatalf("bad entry: %d\n%s", code, flashOf(body))
	}
	ar := e.adminIn(t, "mudir", "ar")
	if code, body := ar.post("/admin/private-addresses", url.Values{"allow": {"0.0.0.0/0"}}); code != http.StatusBadRequest || !strings.Contains(body, "«0.0.0.0/0» نطاق واسع جدًا") {
		t.Errorf("arabic, too wide: %d\n%s", code, flashOf(body))
	}
	if _, body := ar.get("/admin/private-addresses"); len(englishRuns(body)) > 0 {
		t.Errorf("English on the Arabic page: %q", englishRuns(body))
	}
	if v, set, _ := e.st.Setting(ctx, netguard.SettingAllowPrivate); set {
		t.Fatalf("a refused list was stored: %q", v)
	}
	if code, _ := adm.post("/admin/private-addresses", url.Values{"allow": {"rss-bridge.unit.lan\n10.20.0.0/16"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	if _, body := adm.get("/admin/private-addresses"); !strings.Contains(body, "rss-bridge.unit.lan, 10.20.0.0/16</textarea>") {
		t.Error("saved list not shown")
	}
	evs, _ := e.st.AuditEvents(ctx, store.AuditFilter{Subject: "setting:" + netguard.SettingAllowPrivate})
	if len(evs) != 1 || evs[0].Actor != "amina" || evs[0].Detail != "rss-bridge.unit.lan, 10.20.0.0/16" {
		t.Errorf("audit %+v", evs)
	}
	// The list applies to the webhook at once: an inside receiver named
	// in it is accepted, cloud metadata is not.
	for _, tt := range []struct {
		hook string
		code int
	}{
		{"http://169.254.169.254/latest/meta-data/", http.StatusBadRequest},
		{"http://10.20.0.9/hook", http.StatusSeeOther},
	} {
		code, body := adm.post("/admin/settings", url.Values{"webhook_url": {tt.hook}, "retention_days": {"30"}})
		if code != tt.code {
			t.Errorf("webhook %s: %d, want %d\n%s", tt.hook, code, tt.code, flashOf(body))
		}
		if tt.code == http.StatusBadRequest && !strings.Contains(body, "is inside the network and not in the allow-list") {
			t.Errorf("webhook %s: refusal does not say why\n%s", tt.hook, flashOf(body))
		}
	}
	if v, _, _ := e.st.Setting(ctx, action.SettingWebhookURL); v != "http://10.20.0.9/hook" {
		t.Errorf("webhook setting %q", v)
	}
}
