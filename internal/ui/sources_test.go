package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSourcesPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	add := url.Values{"kind": {"feed"}, "name": {"news-ar"}, "interval": {"10m"}, "config": {`{"url":"https://bulletin.example.org/ar/rss.xml"}`}}
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
	if code, body := adm.get("/admin/sources"); code != 200 || !strings.Contains(body, `id="no-sources"`) {
		t.Fatalf("sources page: %d\n%s", code, body)
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
	if err != nil || src.Interval != 10*time.Minute || src.Kind != "feed" {
		t.Fatalf("stored source %+v, %v", src, err)
	}
	for _, tt := range []struct {
		field, value, want string
	}{
		{"kind", "carrier-pigeon", "kind"},
		{"config", `{"url":"ftp://x"}`, "not an http or https URL"},
		{"config", `{nope`, "Configuration: not valid JSON."},
		{"interval", "1s", "shorter than"},
		{"name", "news-ar", ""},
	} {
		bad := url.Values{}
		for k, v := range add {
			bad[k] = v
		}
		bad.Del("csrf")
		bad.Set("name", "other")
		bad.Set(tt.field, tt.value)
		code, body := adm.post("/admin/sources", bad)
		if tt.want == "" {
			if code != http.StatusConflict {
				t.Errorf("duplicate name: %d, want 409", code)
			}
			continue
		}
		if code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			t.Errorf("%s=%s: %d, want 400 saying %q", tt.field, tt.value, code, tt.want)
		}
	}
	e.st.SourceFailed(ctx, src.ID, `source "news-ar": feed: XML syntax error on line 3`, time.Now())
	_, body := adm.get("/admin/sources")
	if !strings.Contains(body, `id="source-news-ar"`) || !strings.Contains(body, "XML syntax error on line 3") || !strings.Contains(body, "failing") {
		t.Errorf("health not shown:\n%s", body)
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
	// The Arabic page renders right to left with its own words.
	ar := e.client(t)
	ar.login("amina")
	ar.post("/lang", url.Values{"lang": {"ar"}, "next": {"/admin/sources"}})
	if _, body := ar.get("/admin/sources"); !strings.Contains(body, "المصادر") || !strings.Contains(body, `dir="rtl"`) {
		t.Errorf("arabic page:\n%.400s", body)
	}
	adm.get("/admin/sources")
	if code, _ := adm.post("/admin/sources/news-ar/delete", nil); code != http.StatusSeeOther {
		t.Fatalf("delete: %d", code)
	}
	if _, err := e.st.SourceByName(ctx, "news-ar"); err == nil {
		t.Error("not deleted")
	}
}
