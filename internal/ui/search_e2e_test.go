package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSearchAndBanks drives search in Arabic and bank management
// in English in headless Chromium: a query written without hamza finds
// the post written with it on a right-to-left page, and an admin adds an
// entry by hand, then the same entry again, and is told it was skipped.
func TestBrowserSearchAndBanks(t *testing.T) {
	e := newEnv(t)
	dir := shots(t)
	ctx, cancel := browser(t)
	step(t, ctx, "search in Arabic", loginAs(e.url, "rev2"),
		chromedp.Navigate(e.url+"/search"),
		chromedp.WaitVisible(css("#search-q")),
		chromedp.SendKeys(css("#search-q"), "الى الجهاد"),
		chromedp.Click(css("#search-form button.primary")),
		chromedp.WaitVisible(css("#hits li")),
		screenshot(dir, "search-ar"))
	if dir := eval[string](t, ctx, `document.documentElement.dir`); dir != "rtl" {
		t.Errorf("search page runs %q, want rtl", dir)
	}
	if got := text(t, ctx, "#search-total"); strings.TrimSpace(got) != "1" {
		t.Errorf("search total shows %q, want 1", got)
	}
	link := fmt.Sprintf(`#hits a[href="/cases/%d"]`, e.cases["incite"])
	if n := eval[int](t, ctx, `document.querySelectorAll('`+link+`').length`); n != 1 {
		t.Errorf("the hit does not link its case")
	}
	step(t, ctx, "save the search",
		chromedp.SendKeys(css(`#save-search input[name="name"]`), "الجهاد"),
		chromedp.Click(css("#save-search button")),
		chromedp.WaitVisible(css("#saved-searches a")))
	cancel()

	ctx, cancel = browser(t)
	defer cancel()
	step(t, ctx, "add to a bank in English", loginAs(e.url, "amina"),
		chromedp.Navigate(e.url+"/banks"),
		chromedp.WaitVisible(css(`#banks a[href="/banks/partner-a"]`)),
		chromedp.Click(css(`#banks a[href="/banks/partner-a"]`)),
		chromedp.WaitVisible(css("#bank-add-form")),
		chromedp.SetValue(css("#entry-type"), "url"),
		chromedp.SendKeys(css("#entry-value"), "https://example.org/recruit"),
		chromedp.Click(css("#entry-submit")),
		chromedp.WaitVisible(css(".flash")))
	if got := text(t, ctx, ".flash"); got != "1 added" {
		t.Errorf("after adding: %q, want \"1 added\"", got)
	}
	step(t, ctx, "add the same entry again",
		chromedp.Navigate(e.url+"/banks/partner-a"), // a page without the last message
		chromedp.WaitVisible(css("#bank-add-form")),
		chromedp.SetValue(css("#entry-type"), "url"),
		chromedp.SendKeys(css("#entry-value"), "https://EXAMPLE.org/recruit"),
		chromedp.Click(css("#entry-submit")),
		chromedp.WaitVisible(css(".flash")),
		screenshot(dir, "bank-en"))
	if got := text(t, ctx, ".flash"); !strings.Contains(got, "0 added") || !strings.Contains(got, "skipped") {
		t.Errorf("after adding a duplicate: %q, want it reported as skipped", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#entries tr[data-entry]').length`); n != 1 {
		t.Errorf("the bank lists %d entries, want 1", n)
	}
}
