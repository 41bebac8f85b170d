package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// TestLoginNextStrict signs in with hostile "next" targets: only a path on
// this site is followed; anything else lands on /.
func TestLoginNextStrict(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ next, want string }{
		{"/queue", "/queue"},
		{"/cases/1?x=1", "/cases/1?x=1"},
		{"/\t/evil.example", "/"},
		{"//evil.example", "/"},
		{"/\\evil", "/"},
		{"/\\/evil", "/"},
		{"https://evil", "/"},
		{"javascript:alert(1)", "/"},
		{"/\n/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"", "/"},
		{"evil", "/"},
	} {
		c := e.client(t)
		c.get("/login")
		form := url.Values{"name": {"ana"}, "password": {password}, "next": {tt.next}, "csrf": {c.csrf}}
		req, _ := http.NewRequest("POST", e.url+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tt.want {
			t.Errorf("next=%q: status %d, Location %q; want 303 to %q", tt.next, resp.StatusCode, resp.Header.Get("Location"), tt.want)
		}
	}
}

// TestActiveMediaServedAsAttachment serves an SVG, an HTML and an XML file
// from the media store: none may be rendered by the browser from marsad's
// origin, while a raster image is still shown inline.
func TestActiveMediaServedAsAttachment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	media := e.mediaDir
	files := map[string]string{
		"x.svg":  `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>`,
		"x.html": `<html><script>alert(1)</script></html>`,
		"x.xml":  `<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>`,
		"x.jpg":  `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`, // an SVG named like an image
	}
	var ms []model.Media
	names := []string{"x.svg", "x.html", "x.xml", "x.jpg", "flag.png"}
	for _, n := range names {
		if body, ok := files[n]; ok {
			if err := os.WriteFile(filepath.Join(media, n), []byte(body), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		ms = append(ms, model.Media{Path: n})
	}
	id, _, err := e.st.SavePost(ctx, &model.Post{Platform: "x", SourceID: "svg", Text: "t", PostedAt: time.Now(), Media: ms}, store.Analysis{})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login("ana")
	for i, n := range names {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/media/%d/%d", e.url, id, i), nil)
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", n, resp.StatusCode)
			continue
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", n)
		}
		if n == "flag.png" {
			if ct != "image/png" || strings.HasPrefix(cd, "attachment") {
				t.Errorf("%s: Content-Type %q, Content-Disposition %q; want an inline image/png", n, ct, cd)
			}
			continue
		}
		if ct != "application/octet-stream" || !strings.HasPrefix(cd, "attachment") {
			t.Errorf("%s: Content-Type %q, Content-Disposition %q; want an application/octet-stream attachment", n, ct, cd)
		}
	}
}
