package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/store"
)

// TestTCONotice: a removal order downloads as the EU removal order form
// (Regulation (EU) 2021/784, Annex I) in the reader's language, for every
// role that may download the unit's notice; a referral is refused with a
// message; an unknown template or a CSV of the form is refused.
func TestTCONotice(t *testing.T) {
	e := newEnv(t)
	id := e.cases["incite"]
	path := fmt.Sprintf("/cases/%d", id)
	rev := e.client(t)
	rev.login("rev1")
	rev.get(path)
	rev.post(path+"/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"r"}})
	if code, _ := rev.post(path+"/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"Regulation (EU) 2021/784, Article 3"}, "deadline_minutes": {"60"}}); code != 303 {
		t.Fatalf("issue removal order: %d", code)
	}
	if code, _ := rev.post(path+"/orders", url.Values{"kind": {"referral"}, "platform": {"x"}, "content_url": {"https://x.com/a/status/1"}, "deadline_minutes": {"60"}}); code != 303 {
		t.Fatalf("issue referral: %d", code)
	}
	orders, _ := e.st.Orders(context.Background(), store.OrderFilter{CaseID: id})
	var removal, referral int64
	for _, o := range orders {
		if o.Kind == store.OrderRemoval {
			removal = o.ID
		} else {
			referral = o.ID
		}
	}
	tco := fmt.Sprintf("/orders/%d/notice?template=tco&format=", removal)

	if _, page := rev.get("/orders"); !strings.Contains(page, fmt.Sprintf(`href="/orders/%d/notice?format=pdf&amp;template=tco"`, removal)) ||
		strings.Contains(page, fmt.Sprintf(`href="/orders/%d/notice?format=pdf&amp;template=tco"`, referral)) {
		t.Error("the orders page does not link the EU form for the removal order only")
	}

	ana := e.client(t)
	ana.login("ana")
	for _, c := range []*client{rev, ana} {
		code, pdf := c.get(tco + "pdf")
		if code != 200 || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("EU form PDF: %d %q", code, pdf[:min(8, len(pdf))])
		}
		text := pdfText(t, pdf)
		for _, want := range []string{"(Removal order)", "(Section A: Issuing authority and addressee)", "(Section G: Information about redress)", "(telegram)", "(Test Unit)", "(https://t.me/channel_x/100)"} {
			if !strings.Contains(text, want) {
				t.Errorf("EU form PDF does not draw %q", want)
			}
		}
		code, js := c.get(tco + "json")
		var f struct {
			Template   string
			Categories []string
			Sections   []struct{ Key string }
		}
		if err := json.Unmarshal([]byte(js), &f); code != 200 || err != nil || f.Template != "tco" || len(f.Sections) != 7 || strings.Join(f.Categories, ",") != "2(7)(a)" {
			t.Errorf("EU form JSON: %d %v %+v", code, err, f)
		}
	}

	// In Arabic for an Arabic reader: no English label.
	ar := e.client(t)
	ar.login("rev2")
	if code, pdf := ar.get(tco + "pdf"); code != 200 {
		t.Errorf("Arabic EU form: %d", code)
	} else {
		text := pdfText(t, pdf)
		for _, english := range []string{"Removal order", "Section", "Legal basis", "Deadline", "Addressee", "redress", "to be completed"} {
			if strings.Contains(text, english) {
				t.Errorf("an Arabic reader's EU form prints %q", english)
			}
		}
	}

	// In French, for a reader who chose French.
	rev.post("/lang", url.Values{"lang": {"fr"}, "next": {"/orders"}})
	if _, js := rev.get(tco + "json"); !strings.Contains(js, `"title": "Injonction de retrait"`) || !strings.Contains(js, "Informations sur les voies de recours") {
		t.Errorf("French EU form: %s", js[:min(300, len(js))])
	}
	rev.post("/lang", url.Values{"lang": {"en"}, "next": {"/orders"}})

	// A referral is no removal order under Article 3.
	if code, body := rev.get(fmt.Sprintf("/orders/%d/notice?template=tco&format=pdf", referral)); code == 200 || !strings.Contains(body, "Only a removal order still in force") {
		t.Errorf("EU form of a referral: %d", code)
	}
	if code, _ := rev.get(tco + "csv"); code != 400 {
		t.Errorf("EU form as CSV: %d, want 400", code)
	}
	if code, _ := rev.get(fmt.Sprintf("/orders/%d/notice?template=dsa&format=pdf", removal)); code != 400 {
		t.Errorf("unknown template: %d, want 400", code)
	}
	// Without a session, nothing.
	if code, _ := e.client(t).get(tco + "pdf"); code == 200 {
		t.Error("EU form downloaded without signing in")
	}
}

// TestTCONoticeAfterAppeal: once an appeal decides the content is
// counter-speech, its order (withdrawn, on a case a protective label now
// names) can no longer be printed as an EU removal order.
func TestTCONoticeAfterAppeal(t *testing.T) {
	e := newEnv(t)
	id := e.cases["incite"]
	path := fmt.Sprintf("/cases/%d", id)
	r1 := e.client(t)
	r1.login("rev1")
	r1.get(path)
	for _, s := range []struct {
		path string
		form url.Values
	}{
		{path + "/decide", url.Values{"label": {"incitement"}, "action": {"remove"}, "rationale": {"call to kill"}}},
		{path + "/orders", url.Values{"kind": {"removal"}, "platform": {"telegram"}, "content_url": {"https://t.me/channel_x/100"}, "legal_basis": {"Art. 3"}, "deadline_minutes": {"60"}}},
		{path + "/appeal", url.Values{"reason": {"it quotes a sermon to refute it"}}},
	} {
		if code, body := r1.post(s.path, s.form); code != 303 {
			t.Fatalf("POST %s: %d\n%s", s.path, code, body)
		}
	}
	orders, _ := e.st.Orders(context.Background(), store.OrderFilter{CaseID: id})
	tco := fmt.Sprintf("/orders/%d/notice?template=tco&format=pdf", orders[0].ID)
	if code, _ := r1.get(tco); code != 200 {
		t.Fatalf("EU form before the appeal is decided: %d", code)
	}
	r2 := e.client(t)
	r2.login("rev2")
	r2.get(path)
	if code, _ := r2.post(path+"/decide", url.Values{"label": {"counter_speech"}, "action": {"none"}, "rationale": {"refutes the quote"}}); code != 303 {
		t.Fatalf("rev2 decides the appeal: %d", code)
	}
	if code, body := r1.get(tco); code != 409 || !strings.Contains(body, "Only a removal order still in force") {
		t.Errorf("EU form after the appeal: %d, want 409 with the reason", code)
	}
}
