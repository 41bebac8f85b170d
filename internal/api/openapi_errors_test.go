package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestOpenAPIListsErrorAnswers: the document lists the answers the API
// gives besides success: 400 (every route checks its path and query
// text), 401, 403, 500 and 503 with Retry-After on every route but the
// document itself, 413 on every route that reads a body, and 405 with
// Allow for a method a path does not take. The answers themselves
// validate against it.
func TestOpenAPIListsErrorAnswers(t *testing.T) {
	doc := loadDoc(t)
	for _, name := range []string{"Error", "Unavailable", "TooLarge", "MethodNotAllowed"} {
		if doc.Components.Responses[name] == nil {
			t.Fatalf("components/responses/%s is missing", name)
		}
	}
	if h := doc.Components.Responses["Unavailable"].Value.Headers["Retry-After"]; h == nil || !h.Value.Required {
		t.Error("the 503 answer does not document its Retry-After header")
	}
	if h := doc.Components.Responses["MethodNotAllowed"].Value.Headers["Allow"]; h == nil || !h.Value.Required {
		t.Error("the 405 answer does not document its Allow header")
	}
	for path, item := range doc.Paths.Map() {
		if path == "/api/v1/openapi.json" {
			continue
		}
		for method, op := range item.Operations() {
			want := []string{"400", "401", "403", "500", "503"}
			if op.RequestBody != nil {
				want = append(want, "413")
			}
			for _, code := range want {
				if op.Responses.Value(code) == nil {
					t.Errorf("%s %s does not list %s", method, path, code)
				}
			}
			if op.RequestBody == nil && op.Responses.Value("413") != nil {
				t.Errorf("%s %s reads no body but lists 413", method, path)
			}
		}
	}

	// 503 from a store that does not answer, 413 from a body over the
	// limit: both checked against the document by client.do.
	s := storetest.SQLite(t)
	c := newServer(t, s, 100)
	big := []byte(`{"platform":"x","source_id":"1","text":"` + strings.Repeat("a", 200) + `"}`)
	c.do("POST", "/api/v1/posts", "application/json", big, 413, nil)
	c.do("POST", "/api/v1/cases/1/decision", "application/json", big, 413, nil)
	c.do("POST", "/api/v1/banks", "application/json", big, 413, nil)
	c.do("POST", "/api/v1/orders", "application/json", big, 413, nil)
	c.do("GET", "/api/v1/banks?q=%00", "", nil, 400, nil)
	c.do("GET", "/api/v1/audit/verify?q=%ff", "", nil, 400, nil)
	s.Close()
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/cases", ""},
		{"GET", "/api/v1/banks", ""},
		{"GET", "/api/v1/orders", ""},
		{"POST", "/api/v1/posts", `{"platform":"x","source_id":"1","text":"hello"}`},
		{"POST", "/api/v1/cases/1/claim", ""},
	} {
		c.do(r.method, r.path, "application/json", []byte(r.body), 503, nil)
	}

	// 405 for every path with a method it does not take: Allow names the
	// documented methods (and HEAD with GET), the body is the documented one.
	s = storetest.SQLite(t)
	a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, Matcher: exactPDQ{s}}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	schema := doc.Components.Responses["MethodNotAllowed"].Value.Content.Get("application/json").Schema.Value
	for path, item := range doc.Paths.Map() {
		var allow []string
		for method := range item.Operations() {
			allow = append(allow, method)
			if method == "GET" {
				allow = append(allow, "HEAD")
			}
		}
		slices.Sort(allow)
		url := srv.URL + strings.NewReplacer("{id}", "1", "{name}", "partner").Replace(path)
		for _, method := range []string{"PUT", "PATCH", "DELETE", "POST", "GET"} {
			if slices.Contains(allow, method) {
				continue
			}
			resp, body := raw(t, method, url, "", "")
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != strings.Join(allow, ", ") {
				t.Errorf("%s %s: %d Allow=%q, want 405 Allow=%q", method, path, resp.StatusCode, resp.Header.Get("Allow"), strings.Join(allow, ", "))
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Errorf("%s %s: 405 body is not JSON: %s", method, path, body)
			} else if err := schema.VisitJSON(v); err != nil {
				t.Errorf("%s %s: 405 body does not match the document: %v", method, path, err)
			}
		}
	}
}
