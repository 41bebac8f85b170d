package ui

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	// A network case has no post: its page shows the reasons alone.
	nc := &model.Case{Kind: model.CaseNetwork, NetworkID: 9, Priority: 70, Labels: []model.Label{model.Propaganda},
		Reasons: []model.Reason{{Kind: "network", Detail: "12 accounts shared one video within 5 minutes"}}}
	if err := e.st.SaveCase(context.Background(), nc); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login("amina")
	for _, p := range []string{"/queue", "/queue?state=all&label=incitement", "/queue?bank=partner-a", "/dashboard", "/dashboard?days=90", "/orders", "/orders?show=all",
		"/evidence", "/banks", "/admin", "/cases/1", "/cases/2", "/cases/3", fmt.Sprintf("/cases/%d", nc.ID)} {
		code, body := c.get(p)
		if code != http.StatusOK {
			t.Errorf("GET %s: %d\n%s", p, code, body)
		}
	}
}

func TestQueueFilters(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("ana")
	for _, tc := range []struct {
		query string
		want  []string // seed names whose cases must be listed, in order
	}{
		{"", []string{"incite", "inject", "fr", "news"}},
		{"?label=financing", []string{"fr"}},
		{"?lang=en", []string{"inject", "news"}},
		{"?source=telegram", []string{"incite", "fr"}},
		{"?bank=partner-a", []string{"incite"}},
		{"?state=decided", nil},
	} {
		code, body := c.get("/queue" + tc.query)
		if code != 200 {
			t.Fatalf("queue%s: %d", tc.query, code)
		}
		var got []string
		for _, m := range regexp.MustCompile(`data-case="(\d+)"`).FindAllStringSubmatch(body, -1) {
			for name, id := range e.cases {
				if fmt.Sprint(id) == m[1] {
					got = append(got, name)
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("queue%s lists %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestOverdueOrdersAndDashboard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.cases["fr"]
	if err := e.st.Decide(ctx, &model.Decision{CaseID: id, Reviewer: "rev1", Labels: []model.Label{model.Financing}, Action: "refer", Rationale: "wallet"}); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-3 * time.Hour)
	for i, dl := range []time.Time{past.Add(time.Hour), time.Now().Add(time.Hour)} {
		o := &store.Order{CaseID: id, Kind: store.OrderReferral, Platform: "telegram", ContentURL: fmt.Sprintf("https://t.me/c/%d", i), IssuedBy: "rev1", IssuedAt: past, Deadline: dl}
		if err := e.st.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client(t)
	c.login("ana")
	_, body := c.get("/orders")
	if n := strings.Count(body, `<tr class="overdue"`); n != 1 {
		t.Errorf("%d overdue rows on the orders page, want 1", n)
	}
	if !strings.Contains(body, `id="overdue-count">1 overdue`) {
		t.Error("the orders page does not count the overdue order")
	}
	_, body = c.get("/dashboard")
	for _, want := range []string{`id="tile-orders">2<`, `id="tile-overdue">1<`, `id="tile-open">3<`, `>rev1</bdi>`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if strings.Count(body, `class="col"`) != 14 {
		t.Errorf("day chart has %d columns, want 14", strings.Count(body, `class="col"`))
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("ana")
	code, body := c.get("/search?q=" + "DROP+TABLE")
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`href="/cases/%d"`, e.cases["inject"])) || strings.Contains(body, "<script>document") {
		t.Fatalf("search for injected text: %d, links to its case: %v", code, strings.Contains(body, fmt.Sprintf(`/cases/%d`, e.cases["inject"])))
	}
	if !strings.Contains(body, "<mark>DROP TABLE</mark>") {
		t.Error("the searched words are not marked")
	}
	_, body = c.get("/search?author=channel_x")
	if n := strings.Count(body, `class="card"`); n != 2 {
		t.Errorf("author search found %d posts, want 2", n)
	}
	evs, _ := e.st.AuditEvents(context.Background(), store.AuditFilter{Subject: "posts"})
	if len(evs) != 2 || evs[0].Actor != "ana" {
		t.Errorf("searches audited as %+v", evs)
	}
}
