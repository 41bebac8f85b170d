package api_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// openCase stores a post with an open case and returns the case id.
func openCase(t *testing.T, s *store.Store, sourceID string, labels ...model.Label) int64 {
	t.Helper()
	c := &model.Case{Priority: 50, Labels: labels}
	p := &model.Post{Platform: "telegram", SourceID: sourceID, URL: "https://t.me/c/" + sourceID, Text: "انفروا"}
	if _, _, err := s.SavePost(t.Context(), p, store.Analysis{Case: c}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestDecisionRulesAsInUI: the API refuses the decisions the case page
// refuses, with 400 naming the field, and records nothing.
func TestDecisionRulesAsInUI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newServer(t, s, 1<<20)
		id := openCase(t, s, "r1", model.Incitement)
		path := "/api/v1/cases/" + itoa(id) + "/decision"
		for _, tc := range []struct {
			body, field string
		}{
			{`{"labels":["incitement"],"action":"remove"}`, "rationale"},
			{`{"labels":["incitement"],"action":"remove","rationale":"   "}`, "rationale"},
			{`{"labels":["none","incitement"],"action":"remove","rationale":"r"}`, "labels"},
			{`{"labels":["none"],"action":"remove","rationale":"r"}`, "action"},
			{`{"labels":["counter_speech"],"action":"remove","rationale":"r"}`, "action"},
			{`{"labels":["news_reporting"],"action":"bank","rationale":"r"}`, "action"},
			{`{"labels":[],"action":"none","rationale":"r"}`, "labels"},
			{`{"labels":["incitement"],"action":"delete","rationale":"r"}`, "action"},
		} {
			var e struct {
				Error string
				Field string
			}
			c.do("POST", path, "application/json", []byte(tc.body), 400, &e)
			if e.Field != tc.field || !strings.HasPrefix(e.Error, tc.field+":") {
				t.Errorf("%s: error %+v, want one naming %s", tc.body, e, tc.field)
			}
		}
		if ds, _ := s.Decisions(t.Context(), id); len(ds) != 0 {
			t.Fatalf("refused decisions were recorded: %+v", ds)
		}
		c.do("POST", path, "application/json", []byte(`{"labels":["counter_speech"],"action":"none","rationale":"refutes it"}`), 201, nil)
		c.do("POST", path, "application/json", []byte(`{"labels":["incitement"],"action":"remove","rationale":"r"}`), 409, nil)
		c.do("POST", "/api/v1/cases/9999/decision", "application/json", []byte(`{"labels":["incitement"],"action":"remove","rationale":"r"}`), 404, nil)
	})
}

// newReviewServer is newServer with a review service that can issue
// orders, and the actor named by the X-Actor header.
func newReviewServer(t *testing.T, s *store.Store) (*client, *review.Service) {
	t.Helper()
	key, err := evidence.LoadOrCreateKey(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	acts := action.New(s, evidence.NewKeeper(s, evidence.Media{}, key), action.Config{MaxAttempts: 1})
	rv := review.New(s, acts, nil)
	t.Cleanup(rv.Wait)
	a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, Review: rv, Authorize: func(r *http.Request, _ api.Perm) (string, error) {
		if who := r.Header.Get("X-Actor"); who != "" {
			return who, nil
		}
		return "rev1", nil
	}}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	doc := loadDoc(t)
	doc.Servers = openapi3.Servers{{URL: srv.URL}}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: srv.URL, router: r}, rv
}

type apiOrder struct {
	ID       int64
	CaseID   int64 `json:"case_id"`
	Status   string
	URL      string `json:"content_url"`
	Note     string
	Deadline time.Time
}

type apiErr struct {
	Error  string
	Status int
	Field  string
}

// TestOrdersAPI issues, lists and withdraws orders over the API, with the
// rules the case page applies: refusals name the field, orders only on a
// case decided as harmful, one open order per platform, a withdrawn order
// final, and asking again a new order with its own justification.
func TestOrdersAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c, _ := newReviewServer(t, s)
		id := openCase(t, s, "o1", model.Incitement)
		news := openCase(t, s, "o2", model.Propaganda)
		order := func(caseID int64, extra string) []byte {
			return []byte(`{"case_id":` + itoa(caseID) + `,"platform":"telegram","legal_basis":"Regulation (EU) 2021/784, Article 3"` + extra + `}`)
		}
		c.do("POST", "/api/v1/orders", "application/json", order(id, ""), 409, nil)
		c.do("POST", "/api/v1/cases/"+itoa(id)+"/decision", "application/json", []byte(`{"labels":["incitement"],"action":"remove","rationale":"calls to kill"}`), 201, nil)
		c.do("POST", "/api/v1/cases/"+itoa(news)+"/decision", "application/json", []byte(`{"labels":["news_reporting"],"action":"none","rationale":"a report"}`), 201, nil)
		c.do("POST", "/api/v1/orders", "application/json", order(news, ""), 409, nil)
		c.do("POST", "/api/v1/orders", "application/json", order(999, ""), 404, nil)
		for _, tc := range []struct{ body, field string }{
			{`{"platform":"telegram","legal_basis":"x"}`, "case_id"},
			{`{"case_id":` + itoa(id) + `,"platform":" ","legal_basis":"x"}`, "platform"},
			{`{"case_id":` + itoa(id) + `,"platform":"telegram"}`, "legal_basis"},
			{`{"case_id":` + itoa(id) + `,"platform":"telegram","legal_basis":"x","content_url":"javascript:alert(1)"}`, "content_url"},
			{`{"case_id":` + itoa(id) + `,"platform":"telegram","legal_basis":"x","kind":"ban"}`, "kind"},
			{`{"case_id":` + itoa(id) + `,"platform":"telegram","legal_basis":"x","deadline":"2001-01-01T00:00:00Z"}`, "deadline"},
		} {
			var e apiErr
			c.do("POST", "/api/v1/orders", "application/json", []byte(tc.body), 400, &e)
			if e.Field != tc.field {
				t.Errorf("%s: %+v, want the field %s named", tc.body, e, tc.field)
			}
		}
		deadline := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
		var o apiOrder
		c.do("POST", "/api/v1/orders", "application/json", order(id, `,"deadline":"`+deadline.Format(time.RFC3339)+`"`), 201, &o)
		if o.Status != "sent" || o.CaseID != id || o.URL != "https://t.me/c/o1" || !o.Deadline.Equal(deadline) {
			t.Fatalf("order = %+v", o)
		}
		c.do("POST", "/api/v1/orders", "application/json", order(id, ""), 409, nil)

		var list struct {
			Total  int
			Orders []apiOrder
		}
		c.do("GET", "/api/v1/orders?state=sent&platform=telegram", "", nil, 200, &list)
		if list.Total != 1 || list.Orders[0].ID != o.ID {
			t.Fatalf("orders = %+v", list)
		}
		c.do("GET", "/api/v1/orders?platform=x", "", nil, 200, &list)
		if list.Total != 0 || list.Orders == nil {
			t.Fatalf("orders to x = %+v", list)
		}
		c.do("GET", "/api/v1/orders?state=bogus", "", nil, 400, nil)

		path := "/api/v1/orders/" + itoa(o.ID) + "/withdraw"
		var e apiErr
		c.do("POST", path, "application/json", []byte(`{"reason":""}`), 400, &e)
		if e.Field != "reason" {
			t.Errorf("withdraw without a reason: %+v", e)
		}
		c.do("POST", "/api/v1/orders/999/withdraw", "application/json", []byte(`{"reason":"x"}`), 404, nil)
		c.do("POST", path, "application/json", []byte(`{"reason":"wrong address"}`), 200, &o)
		if o.Status != "withdrawn" || o.Note != "wrong address" {
			t.Fatalf("withdrawn order = %+v", o)
		}
		c.do("POST", path, "application/json", []byte(`{"reason":"again"}`), 409, nil)
		c.do("POST", "/api/v1/orders", "application/json", order(id, ""), 400, &e)
		if e.Field != "justification" {
			t.Errorf("order again without a justification: %+v", e)
		}
		var again apiOrder
		c.do("POST", "/api/v1/orders", "application/json", order(id, `,"justification":"back at the same address"`), 201, &again)
		if again.ID == o.ID || again.Status != "sent" || !strings.Contains(again.Note, "back at the same address") {
			t.Fatalf("order again = %+v", again)
		}
		c.do("GET", "/api/v1/orders", "", nil, 200, &list)
		if list.Total != 2 {
			t.Fatalf("all orders = %+v", list)
		}
	})
}

// TestAppealOverturnOverAPI: a second reviewer overturning an appealed
// decision over the API withdraws its order; the order cannot be withdrawn
// again or replaced while the case stands as counter-speech.
func TestAppealOverturnOverAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c, rv := newReviewServer(t, s)
		id := openCase(t, s, "ap1", model.Incitement)
		decision := "/api/v1/cases/" + itoa(id) + "/decision"
		c.do("POST", decision, "application/json", []byte(`{"labels":["incitement"],"action":"remove","rationale":"calls to kill"}`), 201, nil)
		var o apiOrder
		c.do("POST", "/api/v1/orders", "application/json", []byte(`{"case_id":`+itoa(id)+`,"platform":"telegram","legal_basis":"Art. 3"}`), 201, &o)
		if err := rv.Appeal(t.Context(), id, "rev1", "the author says it is counter-speech"); err != nil {
			t.Fatal(err)
		}
		// The author of the appealed decision may not decide the appeal.
		c.do("POST", decision, "application/json", []byte(`{"labels":["counter_speech"],"action":"none","rationale":"r"}`), 409, nil)
		req, _ := http.NewRequest("POST", c.base+decision, strings.NewReader(`{"labels":["counter_speech"],"action":"none","rationale":"it refutes the sermon"}`))
		req.Header.Set("X-Actor", "rev2")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("rev2 decides the appeal: %d", resp.StatusCode)
		}
		got, _ := s.Order(t.Context(), o.ID)
		if got.Status != store.OrderWithdrawn {
			t.Fatalf("order after the appeal is %s, want withdrawn", got.Status)
		}
		c.do("POST", "/api/v1/orders/"+itoa(o.ID)+"/withdraw", "application/json", []byte(`{"reason":"x"}`), 409, nil)
		c.do("POST", "/api/v1/orders", "application/json", []byte(`{"case_id":`+itoa(id)+`,"platform":"telegram","legal_basis":"Art. 3","justification":"please"}`), 409, nil)
	})
}

// TestBulkDecisionAPI: a bulk decision decides the cases of the anchor's
// cluster and names the ones it skipped: a case outside the cluster is
// left open; on each store.
func TestBulkDecisionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c, _ := newReviewServer(t, s)
		anchor := openCase(t, s, "bulk1", model.Incitement)
		outside := openCase(t, s, "bulk2", model.Incitement)
		body := `{"cases":[` + itoa(anchor) + `,` + itoa(outside) + `],"labels":["incitement"],"action":"none","rationale":"the same call"}`
		var got struct {
			Results []struct {
				CaseID  int64 `json:"case_id"`
				Done    bool
				Skipped string
			}
			Skipped []int64
		}
		c.do("POST", "/api/v1/cases/"+itoa(anchor)+"/bulk-decision", "application/json", []byte(body), 200, &got)
		if len(got.Skipped) != 1 || got.Skipped[0] != outside || len(got.Results) != 2 || !got.Results[0].Done || got.Results[1].Skipped != "not_in_cluster" {
			t.Fatalf("bulk decision: %+v, want case %d done and %d skipped as not_in_cluster", got, anchor, outside)
		}
		if cs, _ := s.Case(t.Context(), outside); cs.State != model.CaseOpen {
			t.Errorf("the case outside the cluster is %s", cs.State)
		}
		c.do("POST", "/api/v1/cases/"+itoa(anchor)+"/bulk-decision", "application/json", []byte(`{"cases":[`+itoa(anchor)+`],"labels":["incitement"],"action":"none"}`), 400, nil)
	})
}
