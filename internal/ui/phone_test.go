package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
)

// TestBrowserPhoneLongAddresses: a case whose post carries a long link
// and a wallet address, matched and shown as signals and evidence, does
// not make the page scroll sideways on a 390 px phone, in English and
// Arabic.
func TestBrowserPhoneLongAddresses(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	e := newEnv(t)
	long := "https://files.example.org/" + strings.Repeat("a1b2c3d4e5", 12) + "/download?token=" + strings.Repeat("Zx9", 20)
	addr := "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" + strings.Repeat("q", 20)
	p := model.Post{Platform: "telegram", SourceID: "long-1", Author: "collector_channel_with_a_very_long_name_that_never_ends", Lang: "ar",
		URL:   long,
		Text:  "تبرعوا للإخوة عبر " + addr + " والرابط " + long,
		Links: []string{long}}
	sigs := []model.Signal{{Type: model.SignalWallet, Value: "btc:" + addr}, {Type: model.SignalURL, Value: long}}
	matches := []model.Match{{Signal: sigs[0], BankName: "wallets", Entry: model.BankEntry{ID: 9, Label: model.Financing}}}
	scores := []model.Score{{Label: model.Financing, Score: 1, Threshold: 0.5, Model: pipeline.RulesModel, Evidence: []string{addr, long}}}
	c := pipeline.Route(matches, scores)
	if c == nil {
		t.Fatal("the pipeline opened no case")
	}
	if _, _, err := e.st.SavePost(context.Background(), &p, store.Analysis{Signals: sigs, Scores: scores, Case: c}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Audit(context.Background(), "amina", "case.order", fmt.Sprintf("case:%d", c.ID), "url="+long+" wallet="+addr); err != nil {
		t.Fatal(err)
	}
	caseURL := fmt.Sprintf("%s/cases/%d", e.url, c.ID)
	step(t, ctx, "log in", loginAs(e.url, "amina"), chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	// Claimed, the case shows its decision and bank forms with the signals.
	step(t, ctx, "claim", chromedp.Navigate(caseURL), chromedp.Click(css("#claim")), chromedp.WaitVisible(css("#claimed-by")))
	for _, lang := range []string{"en", "ar"} {
		step(t, ctx, "language "+lang, chromedp.Navigate(e.url+"/queue"), chromedp.WaitVisible(css("#whoami")))
		if eval[string](t, ctx, `document.documentElement.lang`) != lang {
			step(t, ctx, "switch to "+lang, chromedp.Click(css("#lang-"+lang)), chromedp.WaitVisible(css(`html[lang="`+lang+`"] #whoami`)))
		}
		for _, u := range []string{caseURL, e.url + "/queue?state=all", e.url + "/search?q=" + "تبرعوا"} {
			step(t, ctx, "open "+u, chromedp.Navigate(u), chromedp.WaitVisible(css("main")))
			if sw, cw := eval[float64](t, ctx, `document.documentElement.scrollWidth`), eval[float64](t, ctx, `document.documentElement.clientWidth`); sw > cw+1 {
				wide := eval[string](t, ctx, `[...document.querySelectorAll("main *")].filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 || el.getBoundingClientRect().left < -1).slice(0, 5).map(el => el.tagName + "." + el.className).join(" ")`)
				t.Errorf("%s %s: %.0f px wide on a %.0f px phone: it scrolls sideways (too wide: %s)", lang, u, sw, cw, wide)
			}
		}
	}
}
