package ui

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/store"
)

// TestDecisionRulesInUI: the case page refuses a decision without a
// rationale, "none" with other labels, and an action on protective labels
// only, naming the field; nothing is recorded.
func TestDecisionRulesInUI(t *testing.T) {
	e := newEnv(t)
	path := fmt.Sprintf("/cases/%d", e.cases["incite"])
	r := e.client(t)
	r.login("rev1")
	r.get(path)
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"  "}}, "rationale"},
		{url.Values{"label": {"none", "incitement"}, "action": {"remove"}, "rationale": {"r"}}, "labels"},
		{url.Values{"label": {"counter_speech"}, "action": {"remove"}, "rationale": {"r"}}, "action"},
	} {
		code, body := r.post(path+"/decide", tc.form)
		if code != 400 || !strings.Contains(body, `<p class="flash error"`) || !invalidField(body, tc.field) {
			t.Errorf("decide %v: %d, want 400 marking %s", tc.form, code, tc.field)
		}
		// What the user typed is still there.
		if tc.form.Get("rationale") == "r" && !strings.Contains(body, `dir="auto">r</textarea>`) {
			t.Errorf("decide %v: the rationale was not kept", tc.form)
		}
		for _, l := range tc.form["label"] {
			if !strings.Contains(body, `value="`+l+`" checked`) {
				t.Errorf("decide %v: label %s was not kept", tc.form, l)
			}
		}
	}
	if ds, _ := e.st.Decisions(context.Background(), e.cases["incite"]); len(ds) != 0 {
		t.Errorf("decisions recorded: %+v", ds)
	}
}

// TestWithdrawnOrderStaysWithdrawn: after an appeal overturns a decision,
// its order is withdrawn for good. No reviewer can set it back to sent or
// any other status, "send again" does not send it, and the background
// re-sender leaves it alone.
func TestWithdrawnOrderStaysWithdrawn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.cases["incite"]
	path := fmt.Sprintf("/cases/%d", id)
	r1 := e.client(t)
	r1.login("rev1")
	r1.get(path)
	r1.post(path+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"call to kill"}})
	if code, body := r1.post(path+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"Art. 3"}, "deadline_minutes": {"60"}}); code != 303 {
		t.Fatalf("issue order: %d\n%s", code, body)
	}
	r1.post(path+"/appeal", url.Values{"reason": {"it refutes the sermon it quotes"}})
	r2 := e.client(t)
	r2.login("rev2")
	r2.get(path)
	if code, _ := r2.post(path+"/decide", url.Values{"label": {"counter_speech"}, "action": {"none"}, "rationale": {"counter-speech"}}); code != 303 {
		t.Fatalf("rev2 decides the appeal: %d", code)
	}
	orders, _ := e.st.Orders(ctx, store.OrderFilter{CaseID: id})
	if len(orders) != 1 || orders[0].Status != store.OrderWithdrawn {
		t.Fatalf("orders after the appeal = %+v, want one withdrawn", orders)
	}
	oid := orders[0].ID
	// Let the created and withdrawn deliveries finish, then forget them.
	drain := func(d time.Duration) []string {
		var seen []string
		for {
			select {
			case h := <-e.hook.got:
				<-e.hook.body
				seen = append(seen, h.Get("X-Marsad-Event"))
			case <-time.After(d):
				return seen
			}
		}
	}
	drain(time.Second)
	for _, st := range store.OrderStatuses {
		if st == store.OrderWithdrawn {
			continue
		}
		for _, c := range []*client{r1, r2} {
			if code, _ := c.post(fmt.Sprintf("/orders/%d/status", oid), url.Values{"status": {st}}); code != 409 && code != 400 {
				t.Errorf("set withdrawn order to %s: %d, want 409 or 400", st, code)
			}
		}
	}
	r1.post(fmt.Sprintf("/orders/%d/deliver", oid), nil)
	if got, _ := e.st.Order(ctx, oid); got.Status != store.OrderWithdrawn {
		t.Fatalf("order is %s after reviewers' attempts, want withdrawn", got.Status)
	}
	// The orders page offers no answer for it, only its withdrawal again.
	code, body := r1.get("/orders?show=all")
	row := body[strings.Index(body, fmt.Sprintf(`data-order="%d"`, oid)):]
	row = row[:strings.Index(row, "</tr>")]
	if code != 200 || strings.Contains(row, "/status") || strings.Contains(row, "/withdraw") || !strings.Contains(row, "/deliver") {
		t.Errorf("orders page: %d, row for the withdrawn order:\n%s", code, row)
	}
	acts := action.New(e.st, nil, action.Config{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxAttempts: 1})
	if _, err := acts.RetryUndelivered(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ev := range drain(500 * time.Millisecond) {
		if ev == action.EventCreated {
			t.Errorf("the withdrawn order was sent to the platform again (%s)", ev)
		}
	}
}

// TestWithdrawFromOrdersPage: the orders page offers only the answers an
// open order may take, and withdraws it only with a reason.
func TestWithdrawFromOrdersPage(t *testing.T) {
	e := newEnv(t)
	id := e.cases["incite"]
	path := fmt.Sprintf("/cases/%d", id)
	r := e.client(t)
	r.login("rev1")
	r.get(path)
	r.post(path+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"call to kill"}})
	if code, body := r.post(path+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"Art. 3"}, "deadline_minutes": {"60"}}); code != 303 {
		t.Fatalf("issue order: %d\n%s", code, body)
	}
	orders, _ := e.st.Orders(context.Background(), store.OrderFilter{CaseID: id})
	oid := orders[0].ID
	_, body := r.get("/orders")
	row := body[strings.Index(body, fmt.Sprintf(`data-order="%d"`, oid)):]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{`value="acknowledged"`, `value="removed"`, `value="refused"`, "/withdraw"} {
		if !strings.Contains(row, want) {
			t.Errorf("orders row lacks %s", want)
		}
	}
	if strings.Contains(row, `value="sent"`) || strings.Contains(row, `value="expired"`) {
		t.Errorf("orders row offers a status reviewers may not set:\n%s", row)
	}
	if code, _ := r.post(fmt.Sprintf("/orders/%d/withdraw", oid), url.Values{"reason": {" "}}); code != 400 {
		t.Errorf("withdraw without a reason: %d, want 400", code)
	}
	if code, _ := r.post(fmt.Sprintf("/orders/%d/withdraw", oid), url.Values{"reason": {"wrong address"}}); code != 303 {
		t.Errorf("withdraw: %d, want 303", code)
	}
	if o, _ := e.st.Order(context.Background(), oid); o.Status != store.OrderWithdrawn || o.Note != "wrong address" {
		t.Errorf("order after withdrawal = %+v", o)
	}
}

// invalidField reports whether the page marks the form field named field
// (as the services name it) invalid.
func invalidField(body, field string) bool {
	re := map[string]string{
		"rationale":   `name="rationale"[^>]*aria-invalid="true"`,
		"labels":      `<fieldset aria-invalid="true"[^>]*><legend>`,
		"action":      `name="action"[^>]*aria-invalid="true"`,
		"content_url": `name="content_url"[^>]*aria-invalid="true"`,
	}[field]
	return re != "" && regexp.MustCompile(re).MatchString(body)
}
