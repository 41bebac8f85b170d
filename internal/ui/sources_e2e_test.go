package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAddFeedSource adds a feed through its form in headless
// Chromium: a wrong address is refused by name with the field marked and
// what was typed kept; the corrected form adds the source, listed with its
// address and its interval as people write it.
func TestBrowserAddFeedSource(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := browser(t)
	defer cancel()
	dir := shots(t)
	step(t, ctx, "log in", loginAs(e.url, "amina"))
	step(t, ctx, "open the sources",
		chromedp.Navigate(e.url+"/admin/sources"), chromedp.WaitVisible(css("#add-feed")),
		chromedp.SendKeys(css("#feed-name"), "bulletin"),
		chromedp.SendKeys(css("#feed-url"), "ftp://bulletin.example.org/rss.xml"),
		chromedp.SetValue(css("#feed-interval"), "1h30m"),
		chromedp.Click(css("#add-feed button.primary")),
		chromedp.WaitVisible(css(`#feed-url[aria-invalid="true"]`)),
		screenshot(dir, "sources-refused-en"))
	if got := text(t, ctx, ".flash.error"); !strings.Contains(got, "Feed address:") || !strings.Contains(got, "is not an http or https address") {
		t.Errorf("refusal: %q", got)
	}
	if v := eval[string](t, ctx, `document.querySelector("#feed-name").value`); v != "bulletin" {
		t.Errorf("name typed was lost: %q", v)
	}
	step(t, ctx, "correct and add",
		chromedp.SetValue(css("#feed-url"), "https://bulletin.example.org/rss.xml"),
		chromedp.Click(css("#add-feed button.primary")),
		chromedp.WaitVisible(css("#source-bulletin")),
		screenshot(dir, "sources-added-en"))
	row := text(t, ctx, "#source-bulletin")
	if !strings.Contains(row, "https://bulletin.example.org/rss.xml") || !strings.Contains(row, "1 h 30 min") || strings.Contains(row, "0s") {
		t.Errorf("row: %q", row)
	}
	src, err := e.st.SourceByName(context.Background(), "bulletin")
	if err != nil || src.Interval != 90*time.Minute || string(src.Config) != `{"url":"https://bulletin.example.org/rss.xml"}` {
		t.Errorf("stored %+v, %v", src, err)
	}
}
