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

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium with an empty profile and no network
// activity of its own, or skips the test when Chromium is not installed.
func browser(t *testing.T) (context.Context, context.CancelFunc) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not found: install Debian's chromium (apt-get install -y chromium) to run the browser tests", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	if err := chromedp.Do(ctx); err != nil {
		cancelT()
		cancelC()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, func() { cancelT(); cancelC(); cancelA() }
}

// shots is where screenshots go: $MARSAD_SCREENSHOTS, else
// marsad-screenshots in the system's temporary directory. They are kept
// after the run so a person can look at them.
func shots(t *testing.T) string {
	dir := os.Getenv("MARSAD_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "marsad-screenshots")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves the whole page as PNG. A page that fits the window is
// captured as shown: Chromium's full-page capture mis-places a
// right-to-left page that has no vertical scroll bar.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		fits, err := chromedp.Evaluate[bool](`document.documentElement.scrollHeight <= window.innerHeight`)(ctx, t)
		if err != nil {
			return chromedp.Void{}, fmt.Errorf("screenshot %s: %w", name, err)
		}
		capture := chromedp.FullScreenshot(100)
		if fits {
			capture = chromedp.CaptureScreenshot()
		}
		buf, err := capture(ctx, t)
		if err != nil {
			return chromedp.Void{}, fmt.Errorf("screenshot %s: %w", name, err)
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o640)
	}
}

func loginAs(base, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(css("#login-form")),
		chromedp.SendKeys(css("#name"), name),
		chromedp.SendKeys(css("#password"), password),
		chromedp.Click(css("#login-submit")),
		chromedp.WaitVisible(css("#whoami")),
	)
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// eval runs JavaScript in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

func step(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	// A selector that never appears fails the step, not the whole run.
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestBrowserReviewWorkflow drives the UI as a reviewer and an analyst
// would, in headless Chromium: log in, open the queue, claim and decide a
// case, add its media to a bank, issue a removal order (delivered to a
// webhook), switch to Arabic and check the page runs right to left, then
// log in as an analyst and be refused a reviewer action.
func TestBrowserReviewWorkflow(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	e := newEnvOn(t, storetest.SQLite(t), true)
	dir := shots(t)
	bg := context.Background()
	caseID := e.cases["incite"]
	caseURL := e.caseURL("incite")
	_, nc := e.seedNetwork(t)
	netURL := fmt.Sprintf("%s/cases/%d", e.url, nc.ID)

	step(t, ctx, "log in", loginAs(e.url, "rev1"), chromedp.WaitVisible(css("#queue")), screenshot(dir, "queue-en"))
	if who := text(t, ctx, "#whoami"); !strings.Contains(who, "rev1") {
		t.Fatalf("signed in as %q, want rev1", who)
	}
	step(t, ctx, "open and claim",
		chromedp.Click(css(fmt.Sprintf(`li[data-case="%d"] .case-link`, caseID))),
		chromedp.WaitVisible(css("#post-text")),
		chromedp.Click(css("#claim")),
		chromedp.WaitVisible(css("#claimed-by")),
	)
	if !eval[bool](t, ctx, `document.querySelector(".reveal").classList.contains("blurred")`) {
		t.Fatal("media is not blurred before it is clicked")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#post-text mark").length`); n < 2 {
		t.Errorf("%d highlighted words in the post, want the 2 evidence terms", n)
	}
	step(t, ctx, "reveal media", screenshot(dir, "case-en-blurred"), chromedp.Click(css(".reveal")))
	if eval[bool](t, ctx, `document.querySelector(".reveal").classList.contains("blurred")`) {
		t.Error("media still blurred after a click")
	}
	if !eval[bool](t, ctx, `(() => { const i = document.querySelector(".reveal img"); return i.complete && i.naturalWidth === 64 })()`) {
		t.Error("the locally stored image did not load")
	}
	if sw, cw := eval[float64](t, ctx, `document.documentElement.scrollWidth`), eval[float64](t, ctx, `document.documentElement.clientWidth`); sw > cw {
		t.Errorf("case page is %.0f px wide in a %.0f px window: it scrolls sideways", sw, cw)
	}
	step(t, ctx, "decide", screenshot(dir, "case-en"),
		chromedp.SetValue(css("#decide-action"), "remove"),
		chromedp.SendKeys(css("#rationale"), "Explicit call to kill; not reporting."),
		chromedp.Click(css("#decide-submit")),
		chromedp.WaitVisible(css("#order-form")),
	)
	if st, fl := text(t, ctx, "#case-state"), text(t, ctx, ".flash"); !strings.Contains(st, "decided") || !strings.Contains(fl, "Decision recorded") {
		t.Fatalf("after deciding: state %q, flash %q", st, fl)
	}
	decs, _ := e.st.Decisions(bg, caseID)
	if len(decs) != 1 || decs[0].Reviewer != "rev1" || decs[0].Action != "remove" || decs[0].Labels[0] != model.Incitement {
		t.Fatalf("stored decisions = %+v", decs)
	}

	step(t, ctx, "add to bank",
		chromedp.SetValue(css("#bank-name"), "partner-a"),
		chromedp.Click(css("#bank-submit")),
		chromedp.WaitVisible(css("#case-entries")),
	)
	entries, _ := e.st.Entries(bg, store.EntryFilter{Bank: "partner-a"})
	if len(entries) != 2 {
		t.Fatalf("bank holds %d entries after adding the post's hash and URL, want 2: %+v", len(entries), entries)
	}

	eval[bool](t, ctx, `window.confirm = () => true; true`)
	step(t, ctx, "issue order",
		chromedp.Click(css("#order-submit")),
		chromedp.WaitVisible(css("#case-orders")),
		screenshot(dir, "case-en-ordered"),
	)
	orders, _ := e.st.Orders(bg, store.OrderFilter{CaseID: caseID})
	if len(orders) != 1 || orders[0].Kind != store.OrderRemoval || orders[0].EvidenceID == 0 {
		t.Fatalf("orders = %+v, want one removal order with evidence", orders)
	}
	if d := orders[0].Deadline.Sub(orders[0].IssuedAt); d != time.Hour {
		t.Errorf("deadline %s after issue, want 1h", d)
	}
	select {
	case hdr := <-e.hook.got:
		body := <-e.hook.body
		if err := action.VerifySignature([]byte("0123456789abcdef-secret"), hdr, body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
		}
		var p action.Payload
		if err := json.Unmarshal(body, &p); err != nil || p.Order.ID != orders[0].ID || p.Event != action.EventCreated {
			t.Errorf("webhook payload %s: %v", body, err)
		}
	case <-time.After(10 * time.Second):
		t.Error("no webhook delivery within 10 s")
	}

	step(t, ctx, "network case and overview",
		chromedp.Navigate(netURL), chromedp.WaitVisible(css("svg.netgraph")), screenshot(dir, "network-case-en"),
	)
	if k := eval[int](t, ctx, `document.querySelectorAll("svg.netgraph circle").length`); k != 4 {
		t.Errorf("network picture shows %d accounts, want 4", k)
	}
	if w := eval[float64](t, ctx, `document.querySelector("svg.netgraph").getBoundingClientRect().width`); w < 400 {
		t.Errorf("network picture is %.0f px wide, too small to read", w)
	}
	if sw, cw := eval[float64](t, ctx, `document.documentElement.scrollWidth`), eval[float64](t, ctx, `document.documentElement.clientWidth`); sw > cw {
		t.Errorf("network case page is %.0f px wide in a %.0f px window: it scrolls sideways", sw, cw)
	}
	step(t, ctx, "networks overview", chromedp.Navigate(e.url+"/networks"), chromedp.WaitVisible(css("#networks svg")), screenshot(dir, "networks-en"))
	step(t, ctx, "orders and dashboard",
		chromedp.Navigate(e.url+"/orders"), chromedp.WaitVisible(css("#orders")), screenshot(dir, "orders-en"),
		chromedp.Navigate(e.url+"/dashboard"), chromedp.WaitVisible(css("#tile-open")), screenshot(dir, "dashboard-en"),
	)
	if d := eval[string](t, ctx, `document.documentElement.dir`); d != "ltr" {
		t.Fatalf("English page dir = %q, want ltr", d)
	}
	step(t, ctx, "switch to Arabic", chromedp.Click(css("#lang-ar")), chromedp.WaitVisible(css(`html[dir="rtl"] #tile-open`)))
	if d, l := eval[string](t, ctx, `document.documentElement.dir`), eval[string](t, ctx, `document.documentElement.lang`); d != "rtl" || l != "ar" {
		t.Fatalf("after switching: dir %q lang %q, want rtl ar", d, l)
	}
	// Right to left means the brand sits at the right edge and the text of
	// the post starts at the right.
	right, width := eval[float64](t, ctx, `document.querySelector(".brand").getBoundingClientRect().right`), eval[float64](t, ctx, `document.documentElement.clientWidth`)
	if right < width-80 {
		t.Errorf("in Arabic the brand ends at x=%.0f of %.0f: the header is not laid out right to left", right, width)
	}
	step(t, ctx, "Arabic pages",
		screenshot(dir, "dashboard-ar"),
		chromedp.Navigate(e.url+"/queue?state=all"), chromedp.WaitVisible(css("#queue")), screenshot(dir, "queue-ar"),
		chromedp.Navigate(caseURL), chromedp.WaitVisible(css("#post-text")), screenshot(dir, "case-ar"),
	)
	if a := eval[string](t, ctx, `getComputedStyle(document.querySelector("#post-text")).direction`); a != "rtl" {
		t.Errorf("Arabic post text direction = %q, want rtl", a)
	}
	step(t, ctx, "Arabic networks",
		chromedp.Navigate(netURL), chromedp.WaitVisible(css("svg.netgraph")), screenshot(dir, "network-case-ar"),
		chromedp.Navigate(e.url+"/networks"), chromedp.WaitVisible(css("#networks svg")), screenshot(dir, "networks-ar"),
	)
	if sw, cw := eval[float64](t, ctx, `document.documentElement.scrollWidth`), eval[float64](t, ctx, `document.documentElement.clientWidth`); sw > cw {
		t.Errorf("Arabic networks page is %.0f px wide in a %.0f px window: it scrolls sideways", sw, cw)
	}
	step(t, ctx, "Arabic orders and phone",
		chromedp.Navigate(e.url+"/orders?show=all"), chromedp.WaitVisible(css("#orders")), screenshot(dir, "orders-ar"),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(caseURL), chromedp.WaitVisible(css("#post-text")), screenshot(dir, "case-ar-phone"),
		chromedp.Navigate(netURL), chromedp.WaitVisible(css("svg.netgraph")), screenshot(dir, "network-case-ar-phone"),
		chromedp.Navigate(e.url+"/queue?state=all"), chromedp.WaitVisible(css("#queue")), screenshot(dir, "queue-ar-phone"),
	)
	if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 400 {
		t.Errorf("on a 390 px phone the queue is %.0f px wide: it scrolls sideways", w)
	}
	step(t, ctx, "desktop again", chromedp.EmulateViewport(1280, 900))
	if u, _ := e.st.UserByName(bg, "rev1"); u.Lang != "ar" {
		t.Errorf("language choice not kept for the user: %q", u.Lang)
	}

	// An analyst reads but may not act.
	step(t, ctx, "analyst",
		chromedp.Click(css("#logout")), chromedp.WaitVisible(css("#login-form")),
		loginAs(e.url, "ana"),
		chromedp.Navigate(e.caseURL("news")), chromedp.WaitVisible(css("#post-text")),
	)
	if eval[bool](t, ctx, `document.querySelector("#decide-form") !== null`) {
		t.Error("an analyst is shown the decision form")
	}
	status := eval[int](t, ctx, fmt.Sprintf(`fetch("/cases/%d/claim", {method: "POST", body: new URLSearchParams({csrf: document.querySelector("input[name=csrf]").value})}).then(r => r.status)`, e.cases["news"]))
	if status != 403 {
		t.Errorf("analyst claiming a case: status %d, want 403", status)
	}
	if c, _ := e.st.Case(bg, e.cases["news"]); c.ClaimedBy != "" {
		t.Errorf("analyst's refused claim changed the case: claimed by %q", c.ClaimedBy)
	}
	step(t, ctx, "analyst on admin page", chromedp.Navigate(e.url+"/admin"), chromedp.WaitVisible(css(".error-page")), screenshot(dir, "forbidden-en"))
	if h := text(t, ctx, ".error-page h1"); !strings.Contains(h, "403") {
		t.Errorf("analyst on /admin sees %q, want 403", h)
	}
	t.Logf("screenshots in %s", dir)
}
