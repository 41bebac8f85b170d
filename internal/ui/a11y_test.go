package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// networkCaseID returns the id of e's network case.
func (e *env) networkCaseID(t *testing.T) int64 {
	t.Helper()
	cs, _, err := e.st.Cases(context.Background(), store.CaseFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind == model.CaseNetwork {
			return c.ID
		}
	}
	t.Fatal("no network case")
	return 0
}

// TestBrowserPhoneLayouts opens the network case, dashboard, orders and
// queue pages on a 390 px phone in Arabic and English: nothing scrolls
// sideways, the dashboard's day labels are readable, the orders show
// their deadline and status, the network picture scrolls with the arrow
// keys, and a network case shows its platforms.
func TestBrowserPhoneLayouts(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	e := newEnv(t)
	e.seedRich(t)
	netURL := fmt.Sprintf("%s/cases/%d", e.url, e.networkCaseID(t))
	step(t, ctx, "log in", loginAs(e.url, "amina"), chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, lang := range []string{"en", "ar"} {
		step(t, ctx, "language "+lang, chromedp.Navigate(e.url+"/queue"), chromedp.WaitVisible(css("#whoami")))
		if eval[string](t, ctx, `document.documentElement.lang`) != lang {
			step(t, ctx, "switch to "+lang, chromedp.Click(css("#lang-"+lang)), chromedp.WaitVisible(css(`html[lang="`+lang+`"] #whoami`)))
		}
		for _, p := range []string{netURL, e.url + "/dashboard", e.url + "/orders?show=all", e.url + "/queue?state=all", e.url + "/networks", e.caseURL("incite")} {
			step(t, ctx, "open "+p, chromedp.Navigate(p), chromedp.WaitVisible(css("main")))
			if sw, cw := eval[float64](t, ctx, `document.documentElement.scrollWidth`), eval[float64](t, ctx, `document.documentElement.clientWidth`); sw > cw+1 {
				t.Errorf("%s %s: %.0f px wide on a %.0f px phone: it scrolls sideways", lang, p, sw, cw)
			}
		}
		step(t, ctx, "dashboard", chromedp.Navigate(e.url+"/dashboard"), chromedp.WaitVisible(css(".chart")))
		if h := eval[float64](t, ctx, `Math.min(...[...document.querySelectorAll(".chart .tick")].map(t => t.getBoundingClientRect().height))`); h < 10 {
			t.Errorf("%s: dashboard day labels are %.1f px high on a phone, want at least 10", lang, h)
		}
		if eval[bool](t, ctx, `[...document.querySelectorAll("#dash-sources .bar-name")].some(n => n.textContent.trim() === "")`) {
			t.Errorf("%s: an empty bar in cases per source", lang)
		}
		step(t, ctx, "orders", chromedp.Navigate(e.url+"/orders?show=all"), chromedp.WaitVisible(css("#orders")))
		for _, col := range []string{"deadline", "status"} {
			js := fmt.Sprintf(`[...document.querySelectorAll("#orders tbody .col-%s")].every(c => { const r = c.getBoundingClientRect(); return r.width > 20 && r.left >= 0 && r.right <= document.documentElement.clientWidth && getComputedStyle(c).visibility !== "hidden" })`, col)
			if !eval[bool](t, ctx, js) {
				t.Errorf("%s: orders on a phone do not show the %s", lang, col)
			}
		}
		// The deadline counts down in the page.
		got := eval[string](t, ctx, `(() => { const el = document.querySelector("#orders .countdown"); el.setAttribute("data-deadline", new Date(Date.now() + 3*3600e3 + 61e3).toISOString()); tick(); return el.textContent })()`)
		if want := map[string]string{"en": "in 3 h 1 min", "ar": "خلال 3 س 1 د"}[lang]; got != want {
			t.Errorf("%s: countdown reads %q, want %q", lang, got, want)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#orders .no-channel").length`); n != 1 {
			t.Errorf("%s: %d orders say they have no delivery channel, want 1", lang, n)
		}
		step(t, ctx, "network case", chromedp.Navigate(netURL), chromedp.WaitVisible(css(".netpic.big")))
		before := eval[float64](t, ctx, `document.querySelector(".netpic.big").scrollLeft`)
		key := kb.ArrowRight
		if lang == "ar" {
			key = kb.ArrowLeft
		}
		step(t, ctx, "scroll the picture by keyboard", chromedp.Focus(css(".netpic.big")), chromedp.KeyEvent(key+key+key+key+key), chromedp.Sleep(500*time.Millisecond))
		if after := eval[float64](t, ctx, `document.querySelector(".netpic.big").scrollLeft`); after == before {
			t.Errorf("%s: the network picture did not scroll with the arrow keys (scrollLeft %.0f)", lang, after)
		}
		if p := eval[string](t, ctx, `(document.querySelector("#case-platform") || {}).textContent || ""`); !strings.Contains(p, "telegram") || !strings.Contains(p, "x") {
			t.Errorf("%s: network case platform %q, want telegram and x", lang, p)
		}
	}
}

// TestBrowserSkipLink: the first Tab on a page reaches a link that skips
// to the main content.
func TestBrowserSkipLink(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	e := newEnv(t)
	step(t, ctx, "log in", loginAs(e.url, "rev2"), chromedp.Navigate(e.url+"/queue"), chromedp.WaitVisible(css("#queue")),
		chromedp.KeyEvent(kb.Tab))
	if got := eval[string](t, ctx, `document.activeElement.getAttribute("href")`); got != "#main" {
		t.Fatalf("first Tab focuses %q, want the skip link to #main", got)
	}
	if vis := eval[bool](t, ctx, `document.activeElement.getBoundingClientRect().height > 0`); !vis {
		t.Error("the focused skip link is not visible")
	}
	step(t, ctx, "follow it", chromedp.KeyEvent(kb.Enter))
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "main" {
		t.Errorf("after the skip link, focus is on %q, want main", got)
	}
}

// axeJS is axe-core, vendored for the tests (testdata/axe/README.md).
const axeJS = "testdata/axe/axe.min.js"

// TestBrowserAccessibility runs axe-core on the main pages in Arabic and
// English, on a laptop and a phone, and fails on any serious or critical
// violation.
func TestBrowserAccessibility(t *testing.T) {
	src, err := os.ReadFile(filepath.FromSlash(axeJS))
	if err != nil {
		t.Skipf("axe-core not found at %s (%v): see testdata/axe/README.md to fetch it", axeJS, err)
	}
	ctx, cancel := browser(t)
	defer cancel()
	e := newEnv(t)
	e.seedRich(t)
	pages := []string{"/queue?state=all", e.caseURL("incite")[len(e.url):], fmt.Sprintf("/cases/%d", e.networkCaseID(t)), "/search?q=attack",
		"/orders?show=all", "/dashboard", "/networks", "/banks", "/evidence", "/admin"}
	step(t, ctx, "log in", loginAs(e.url, "amina"))
	for _, lang := range []string{"en", "ar"} {
		step(t, ctx, "language "+lang, chromedp.Navigate(e.url+"/queue"), chromedp.WaitVisible(css("#whoami")))
		if eval[string](t, ctx, `document.documentElement.lang`) != lang {
			step(t, ctx, "switch to "+lang, chromedp.Click(css("#lang-"+lang)), chromedp.WaitVisible(css(`html[lang="`+lang+`"] #whoami`)))
		}
		for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
			step(t, ctx, "size", chromedp.EmulateViewport(size[0], size[1]))
			for _, p := range pages {
				step(t, ctx, "open "+p, chromedp.Navigate(e.url+p), chromedp.WaitVisible(css("main")))
				if !eval[bool](t, ctx, `typeof axe !== "undefined"`) {
					eval[bool](t, ctx, string(src)+"\n;true")
				}
				res := eval[string](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`)
				var vs []struct {
					ID    string   `json:"id"`
					Help  string   `json:"help"`
					Nodes []string `json:"nodes"`
				}
				if err := json.Unmarshal([]byte(res), &vs); err != nil {
					t.Fatalf("axe result %s: %v", res, err)
				}
				for _, v := range vs {
					t.Errorf("%s %dpx %s: %s (%s) at %v", lang, size[0], p, v.ID, v.Help, v.Nodes)
				}
			}
		}
	}
}
