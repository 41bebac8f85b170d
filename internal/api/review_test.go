package api_test

import (
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
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
