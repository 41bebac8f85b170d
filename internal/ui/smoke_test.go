package ui

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
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
