package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestBrowserKeyboard drives the queue and a case with the keyboard alone,
// in English and in Arabic (right to left, keys sent as an Arabic layout
// types them): j and k move, Enter opens, ? shows the help dialog and
// Escape closes it with the focus back where it was, r reveals media, c
// claims, a digit ticks a label and puts the cursor in the rationale (no
// decision is sent), keys typed in a field stay text, and n opens the
// next case.
func TestBrowserKeyboard(t *testing.T) {
	ctx, cancel := browser(t)
	defer cancel()
	e := newEnvOn(t, storetest.SQLite(t), true)
	bg := context.Background()
	// The queue's order: incite (90), inject (60), fr (55), news (40).
	order := []int64{e.cases["incite"], e.cases["inject"], e.cases["fr"], e.cases["news"]}
	path := func() string {
		u, err := url.Parse(eval[string](t, ctx, `location.href`))
		if err != nil {
			t.Fatal(err)
		}
		return u.Path
	}
	// arabicKey sends a key as an Arabic keyboard layout types it: the
	// character differs, the key's place does not.
	arabicKey := func(key, code string) {
		eval[bool](t, ctx, fmt.Sprintf(`document.activeElement.dispatchEvent(new KeyboardEvent("keydown", {key: %q, code: %q, bubbles: true, cancelable: true}))`, key, code))
	}

	// ready waits until the page's script has run.
	ready := func() {
		eval[bool](t, ctx, `new Promise(r => document.readyState === "complete" ? r(true) : addEventListener("load", () => r(true)))`)
	}
	// digit sends a digit key. Chromium's DevTools sends the character of a
	// key as its own event, which a page cannot cancel as it cancels a real
	// key press; the label keys move the cursor into the rationale, so a
	// real key is sent as the browser's own keydown alone.
	digit := func(d string) {
		eval[bool](t, ctx, fmt.Sprintf(`document.activeElement.dispatchEvent(new KeyboardEvent("keydown", {key: %q, code: "Digit%s", bubbles: true, cancelable: true}))`, d, d))
	}

	for _, run := range []struct {
		lang, user string
		pick       int // the queue item opened with the keyboard
	}{{"en", "rev1", 0}, {"ar", "rev2", 1}} {
		t.Run(run.lang, func(t *testing.T) {
			want := order[run.pick]
			step(t, ctx, "log in", loginAs(e.url, run.user), chromedp.Navigate(e.url+"/queue"), chromedp.WaitVisible(css("#queue")))
			ready()
			defer step(t, ctx, "log out", chromedp.Click(css("#logout")), chromedp.WaitVisible(css("#login-form")))
			if d := eval[string](t, ctx, `document.documentElement.dir`); d != map[string]string{"en": "ltr", "ar": "rtl"}[run.lang] {
				t.Fatalf("queue dir %q", d)
			}
			for i := 0; i <= run.pick; i++ {
				if run.lang == "ar" {
					arabicKey("ت", "KeyJ")
				} else {
					step(t, ctx, "j", chromedp.KeyEvent("j"))
				}
			}
			step(t, ctx, "j k", chromedp.KeyEvent("j"), chromedp.KeyEvent("k"))
			cur := eval[string](t, ctx, `(document.querySelector("#queue li.current") || {}).dataset.case`)
			if cur != fmt.Sprint(want) || eval[string](t, ctx, `document.activeElement.closest("li.item").dataset.case`) != cur {
				t.Fatalf("after j×%d j k the current case is %q, want %d with its link focused", run.pick+1, cur, want)
			}
			step(t, ctx, "Enter opens", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(css("#post-text")))
			ready()
			if p := path(); p != fmt.Sprintf("/cases/%d", want) {
				t.Fatalf("Enter opened %s, want case %d", p, want)
			}

			// Help: ? opens, Escape closes; focus goes back to what had it.
			step(t, ctx, "? opens help", chromedp.Focus(css("#keys-open")), chromedp.Blur(css("#keys-open")))
			if run.lang == "ar" {
				arabicKey("؟", "Slash")
			} else {
				step(t, ctx, "?", chromedp.KeyEvent("?"))
			}
			step(t, ctx, "help shown", chromedp.WaitVisible(css("#keys-help")))
			if role, id := eval[string](t, ctx, `document.querySelector("#keys-help").getAttribute("role")`), eval[string](t, ctx, `document.activeElement.id`); role != "dialog" || id != "keys-close" {
				t.Errorf("help: role %q, focus on %q; want a dialog with the focus inside", role, id)
			}
			if title := text(t, ctx, "#keys-title"); title != map[string]string{"en": "Keyboard shortcuts", "ar": "اختصارات لوحة المفاتيح"}[run.lang] {
				t.Errorf("help title %q", title)
			}
			step(t, ctx, "Escape closes", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(css("#keys-help")))
			step(t, ctx, "open from the button", chromedp.Click(css("#keys-open")), chromedp.WaitVisible(css("#keys-help")),
				chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(css("#keys-help")))
			if id := eval[string](t, ctx, `document.activeElement.id`); id != "keys-open" {
				t.Errorf("after Escape the focus is on %q, want back on the button that opened the help", id)
			}
			step(t, ctx, "blur", chromedp.Blur(css("#keys-open")))

			if run.lang == "en" {
				step(t, ctx, "r reveals", chromedp.KeyEvent("r"))
				if eval[bool](t, ctx, `document.querySelector(".reveal").classList.contains("blurred")`) {
					t.Error("media still blurred after r")
				}
				step(t, ctx, "r blurs", chromedp.KeyEvent("r"))
				if !eval[bool](t, ctx, `document.querySelector(".reveal").classList.contains("blurred")`) {
					t.Error("media not blurred again after a second r")
				}
			}

			if run.lang == "ar" {
				arabicKey("ؤ", "KeyC")
				step(t, ctx, "c claims", chromedp.WaitVisible(css("#claimed-by")))
			} else {
				step(t, ctx, "c claims", chromedp.KeyEvent("c"), chromedp.WaitVisible(css("#claimed-by")))
			}
			if c, _ := e.st.Case(bg, want); c.ClaimedBy != run.user {
				t.Fatalf("case %d claimed by %q after c, want %s", want, c.ClaimedBy, run.user)
			}

			// A label key ticks the label, moves to the rationale, and sends nothing.
			ready()
			const ticked = `[...document.querySelectorAll('#decide-form input[name="label"]:checked')].map(b => b.value).join(" ")`
			// The form comes with the case's labels ticked; 2 flips recruitment.
			was := eval[bool](t, ctx, `document.querySelector('#decide-form input[value="recruitment"]').checked`)
			digit("2")
			if eval[bool](t, ctx, `document.querySelector('#decide-form input[value="recruitment"]').checked`) == was || eval[string](t, ctx, `document.activeElement.id`) != "rationale" {
				t.Fatal("2 did not flip recruitment and focus the rationale")
			}
			before := eval[string](t, ctx, ticked)
			step(t, ctx, "typing stays text", chromedp.KeyEvent("1n"))
			if v, after := eval[string](t, ctx, `document.querySelector("#rationale").value`), eval[string](t, ctx, ticked); v != "1n" || after != before {
				t.Errorf("typing 1n in the rationale: value %q, labels %q → %q; keys in a field must be text", v, before, after)
			}
			if p := path(); p != fmt.Sprintf("/cases/%d", want) {
				t.Fatalf("n typed in the rationale navigated to %s", p)
			}
			step(t, ctx, "leave the rationale", chromedp.Blur(css("#rationale")))
			digit("0")
			if n := eval[int](t, ctx, `document.querySelectorAll('#decide-form input[name="label"]:checked').length`); n != 1 || !eval[bool](t, ctx, `document.querySelector('#decide-form input[value="none"]').checked`) {
				t.Errorf("after 0: %d labels ticked, want none alone", n)
			}
			if ds, _ := e.st.Decisions(bg, want); len(ds) != 0 {
				t.Fatalf("keys recorded a decision: %+v", ds)
			}

			next := eval[string](t, ctx, `document.querySelector("#next-case").getAttribute("href")`)
			step(t, ctx, "n opens the next case", chromedp.Blur(css("#rationale")), chromedp.KeyEvent("n"), chromedp.WaitVisible(css("#post-text")))
			if p := path(); p != next || p == fmt.Sprintf("/cases/%d", want) {
				t.Errorf("n opened %s, want the next case %s", p, next)
			}
		})
	}
}

// TestBulkForm claims, decides and releases the cases of a network case
// in bulk over the real HTTP server: a case another reviewer holds is
// skipped with its reason in the reader's language, a decision without a
// rationale decides nothing and keeps the form, an analyst and a request
// without the anti-forgery token are refused, and a post sharing a media
// hash offers its duplicate.
func TestBulkForm(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, nc := e.seedNetwork(t)
	incite, fr, news := e.cases["incite"], e.cases["fr"], e.cases["news"]
	netPath := fmt.Sprintf("/cases/%d", nc.ID)

	rev2 := e.client(t)
	rev2.login("rev2") // an Arabic reader
	if code, _ := rev2.post(fmt.Sprintf("/cases/%d/claim", fr), nil); code != http.StatusSeeOther {
		t.Fatalf("rev2 claims fr: %d", code)
	}

	r := e.client(t)
	r.login("rev1")
	code, body := r.get(netPath)
	if code != 200 || !strings.Contains(body, `id="bulk-form"`) {
		t.Fatalf("network case page: %d, no bulk form", code)
	}
	for id, want := range map[int64]bool{nc.ID: true, incite: true, fr: true, news: false} {
		if got := strings.Contains(body, fmt.Sprintf(`name="case" value="%d"`, id)); got != want {
			t.Errorf("bulk form lists case %d: %v, want %v (news is an outsider's post)", id, got, want)
		}
	}
	if strings.Contains(body, fmt.Sprintf(`name="case" value="%d" checked`, fr)) {
		t.Error("a case rev2 holds is ticked for rev1")
	}

	all := []string{fmt.Sprint(nc.ID), fmt.Sprint(incite), fmt.Sprint(fr)}
	code, body = r.post(netPath+"/bulk", url.Values{"op": {"decide"}, "case": all, "label": {"propaganda"}, "action": {"none"}, "rationale": {"  "}})
	if code != 400 || !invalidField(body, "rationale") || !strings.Contains(body, `value="propaganda" checked`) {
		t.Errorf("bulk decision without rationale: %d, want 400 marking the rationale and keeping the label", code)
	}
	for _, id := range []int64{nc.ID, incite} {
		if c, _ := e.st.Case(ctx, id); c.State != model.CaseOpen {
			t.Fatalf("case %d is %s after a refused bulk decision", id, c.State)
		}
	}

	// news is not in the network's cluster: a hand-made form adding it
	// gets it skipped and named, not decided.
	code, body = r.post(netPath+"/bulk", url.Values{"op": {"decide"}, "case": append(all, fmt.Sprint(news)), "label": {"propaganda"}, "action": {"none"}, "rationale": {"the same recruitment video shared by the network"}})
	if code != 200 || !strings.Contains(body, `id="bulk-results"`) {
		t.Fatalf("bulk decision: %d\n%s", code, body)
	}
	if !strings.Contains(body, "2 done, 2 skipped.") || !strings.Contains(body, fmt.Sprintf("Case %d is claimed by rev2.", fr)) {
		t.Errorf("bulk results do not say 2 done and why case %d was skipped", fr)
	}
	if !strings.Contains(body, fmt.Sprintf("Case %d is not in the cluster of case %d: skipped.", news, nc.ID)) {
		t.Errorf("bulk results do not name case %d as outside the cluster", news)
	}
	for id, st := range map[int64]model.CaseState{nc.ID: model.CaseDecided, incite: model.CaseDecided, fr: model.CaseOpen, news: model.CaseOpen} {
		if c, _ := e.st.Case(ctx, id); c.State != st {
			t.Errorf("case %d is %s, want %s", id, c.State, st)
		}
	}
	if ds, _ := e.st.Decisions(ctx, incite); len(ds) != 1 || ds[0].Reviewer != "rev1" || ds[0].Rationale != "the same recruitment video shared by the network" {
		t.Errorf("incite decisions %+v", ds)
	}
	if ev, _ := e.st.AuditEvents(ctx, store.AuditFilter{Subject: fmt.Sprintf("case:%d", fr)}); !strings.Contains(fmt.Sprint(ev), "case.bulk_decide") {
		t.Errorf("the skipped case's audit does not show the batch: %+v", ev)
	}

	// rev2 reads Arabic: a bulk release of a case they do not hold says so.
	rev2.get(netPath)
	code, body = rev2.post(netPath+"/bulk", url.Values{"op": {"release"}, "case": {fmt.Sprint(fr), fmt.Sprint(incite)}})
	if code != 200 || !strings.Contains(body, "نُفّذ على 1، وتُخطّي 1.") || !strings.Contains(body, fmt.Sprintf("الحالة %d غير محجوزة.", incite)) {
		t.Errorf("Arabic bulk release: %d, want one released and one skipped, in Arabic\n%s", code, body)
	}
	if c, _ := e.st.Case(ctx, fr); c.ClaimedBy != "" {
		t.Errorf("fr still claimed by %q", c.ClaimedBy)
	}

	ana := e.client(t)
	ana.login("ana")
	ana.get(netPath)
	if code, _ := ana.post(netPath+"/bulk", url.Values{"op": {"claim"}, "case": {fmt.Sprint(fr)}}); code != http.StatusForbidden {
		t.Errorf("analyst bulk claim: %d, want 403", code)
	}
	if code, _ := r.post(netPath+"/bulk", url.Values{"csrf": {"forged"}, "op": {"claim"}, "case": {fmt.Sprint(fr)}}); code != http.StatusForbidden {
		t.Errorf("bulk claim with a forged token: %d, want 403", code)
	}
	if c, _ := e.st.Case(ctx, fr); c.ClaimedBy != "" {
		t.Errorf("a refused bulk claim changed the case: claimed by %q", c.ClaimedBy)
	}

	// A post carrying the same picture as incite is its duplicate.
	inc, _ := e.st.Case(ctx, incite)
	sigs, _ := e.st.Signals(ctx, inc.PostID)
	var sha string
	for _, s := range sigs {
		if s.Type == model.SignalSHA256 {
			sha = s.Value
		}
	}
	dup := &model.Case{Priority: 30, Labels: []model.Label{model.Propaganda}}
	p := &model.Post{Platform: "telegram", SourceID: "t-dup", Author: "relay_9", Text: "repost", PostedAt: inc.CreatedAt}
	if _, _, err := e.st.SavePost(ctx, p, store.Analysis{Signals: []model.Signal{{Type: model.SignalSHA256, Value: sha}}, Case: dup}); err != nil {
		t.Fatal(err)
	}
	code, body = r.get(fmt.Sprintf("/cases/%d", dup.ID))
	if code != 200 || !strings.Contains(body, "Duplicates of this post") || !strings.Contains(body, fmt.Sprintf(`name="case" value="%d"`, incite)) {
		t.Errorf("duplicate's case page: %d, want a bulk form listing case %d", code, incite)
	}
	if code, _ := r.post(fmt.Sprintf("/cases/%d/bulk", dup.ID), url.Values{"op": {"claim"}, "case": {fmt.Sprint(dup.ID)}}); code != 200 {
		t.Errorf("bulk claim of the duplicate: %d", code)
	}
	if c, _ := e.st.Case(ctx, dup.ID); c.ClaimedBy != "rev1" {
		t.Errorf("duplicate claimed by %q, want rev1", c.ClaimedBy)
	}
}
