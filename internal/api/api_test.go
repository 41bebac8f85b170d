package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// client talks to a real server on loopback and checks every response
// against the OpenAPI document.
type client struct {
	t      *testing.T
	base   string
	router routers.Router
}

func newServer(t *testing.T, s *store.Store, maxBody int64) *client {
	t.Helper()
	return serveAPI(t, &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, MaxBody: maxBody, Matcher: exactPDQ{s}})
}

// serveAPI serves a on loopback, with a client that checks every response
// against the OpenAPI document.
func serveAPI(t *testing.T, a *api.API) *client {
	t.Helper()
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	doc := loadDoc(t)
	doc.Servers = openapi3.Servers{{URL: srv.URL}}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: srv.URL, router: r}
}

// exactPDQ matches PDQ hashes exactly through the store, standing in for
// the index where only the API is under test.
type exactPDQ struct{ s *store.Store }

func (m exactPDQ) MatchPDQ(ctx context.Context, h string) ([]model.Match, error) {
	return m.s.MatchExact(ctx, model.Signal{Type: model.SignalPDQ, Value: h})
}

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not valid OpenAPI: %v", err)
	}
	return doc
}

func (c *client) do(method, path, ctype string, body []byte, wantStatus int, out any) []byte {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, data)
	}
	c.validate(req, body, resp, data)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return data
}

// validate checks the response against the OpenAPI document: the route,
// the status code and the body schema must all be documented.
func (c *client) validate(req *http.Request, body []byte, resp *http.Response, data []byte) {
	c.t.Helper()
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Fatalf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(data)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Fatalf("%s %s: response does not match the OpenAPI document: %v\n%s", req.Method, req.URL.Path, err, data)
	}
}

func TestOpenAPICoversRoutes(t *testing.T) {
	doc := loadDoc(t)
	a := &api.API{Matcher: exactPDQ{}}
	var fromCode, fromDoc []string
	for _, r := range a.Routes() {
		fromCode = append(fromCode, r.Pattern)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			fromDoc = append(fromDoc, method+" "+path)
		}
	}
	sort.Strings(fromCode)
	sort.Strings(fromDoc)
	if strings.Join(fromCode, "\n") != strings.Join(fromDoc, "\n") {
		t.Fatalf("routes and OpenAPI paths differ:\ncode:\n%s\n\ndocument:\n%s", strings.Join(fromCode, "\n"), strings.Join(fromDoc, "\n"))
	}
}

func TestPostsCasesDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newServer(t, s, 1<<20)
		c.do("GET", "/api/v1/openapi.json", "", nil, 200, nil)

		// A bank, filled from CSV with one bad line.
		c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"partner","owner":"P","auto_action":true}`), 201, nil)
		c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"partner"}`), 409, nil)
		c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"../x"}`), 400, nil)
		c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"y","colour":1}`), 400, nil)
		csv := "type,value,label\nurl,https://t.me/joinchat/XyZ,propaganda\nwallet,btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb,financing\npdq," + strings.Repeat("ab", 32) + ",propaganda\n"
		var imp struct {
			Added   int
			Refused []struct {
				Line  int
				Error string
			}
		}
		c.do("POST", "/api/v1/banks/partner/entries", "text/csv", []byte(csv), 200, &imp)
		if imp.Added != 2 || len(imp.Refused) != 1 || imp.Refused[0].Line != 3 {
			t.Fatalf("import = %+v", imp)
		}
		c.do("POST", "/api/v1/banks/nope/entries", "text/csv", []byte(csv), 404, nil)
		var banks []model.Bank
		c.do("GET", "/api/v1/banks", "", nil, 200, &banks)
		if len(banks) != 1 || banks[0].Entries != 2 {
			t.Fatalf("banks = %+v", banks)
		}
		c.do("GET", "/api/v1/banks/partner/entries?type=url", "", nil, 200, nil)
		c.do("PATCH", "/api/v1/banks/partner", "application/json", []byte(`{"description":"d"}`), 200, nil)

		// A batch: one matching post, one harmless, one bad, one duplicate.
		batch := `[
			{"platform":"telegram","source_id":"1","text":"join https://telegram.me/joinchat/XyZ now"},
			{"platform":"telegram","source_id":"2","text":"good morning"},
			{"platform":"telegram","text":"no id"},
			{"platform":"telegram","source_id":"1","text":"join again"}
		]`
		var pr struct {
			Created, Duplicates, Refused int
			Results                      []struct {
				Index  int
				PostID int64 `json:"post_id"`
				CaseID int64 `json:"case_id"`
				Error  string
				Field  string
			}
		}
		c.do("POST", "/api/v1/posts", "application/json", []byte(batch), 200, &pr)
		if pr.Created != 2 || pr.Duplicates != 1 || pr.Refused != 1 || pr.Results[2].Field != "source_id" || pr.Results[0].CaseID == 0 || pr.Results[3].PostID != pr.Results[0].PostID {
			t.Fatalf("posts = %+v", pr)
		}
		// One object works too; a PDQ-only media item matches exactly.
		var one struct {
			Results []struct {
				CaseID int64 `json:"case_id"`
			}
		}
		c.do("POST", "/api/v1/posts", "application/json", []byte(`{"platform":"x","source_id":"7","media":[{"pdq":"`+strings.Repeat("AB", 32)+`"}]}`), 200, &one)
		c.do("POST", "/api/v1/posts", "application/json", []byte(`{"platform":"x",`), 400, nil)
		c.do("POST", "/api/v1/posts", "application/json", []byte(`[{"platform":"x","source_id":"8","text":"`+strings.Repeat("a", 2<<20)+`"}]`), 413, nil)

		var cl struct {
			Total int
			Cases []model.Case
		}
		c.do("GET", "/api/v1/cases?state=open&label=propaganda", "", nil, 200, &cl)
		if cl.Total != 1 || cl.Cases[0].Reasons[0].Bank != "partner" {
			t.Fatalf("cases = %+v", cl)
		}
		c.do("GET", "/api/v1/cases?label=bogus", "", nil, 400, nil)
		c.do("GET", "/api/v1/cases?limit=x", "", nil, 400, nil)
		id := cl.Cases[0].ID
		path := "/api/v1/cases/" + itoa(id)
		var detail struct {
			Post    model.Post
			Signals []model.Signal
			Matches []model.Match
		}
		c.do("GET", path, "", nil, 200, &detail)
		if detail.Post.SourceID != "1" || len(detail.Matches) != 1 || detail.Signals[0].Value != "https://t.me/+XyZ" {
			t.Fatalf("case detail = %+v", detail)
		}
		c.do("GET", "/api/v1/cases/999", "", nil, 404, nil)
		c.do("GET", "/api/v1/cases/abc", "", nil, 400, nil)
		c.do("POST", path+"/claim", "", nil, 200, nil)
		c.do("POST", path+"/decision", "application/json", []byte(`{"labels":["bogus"]}`), 400, nil)
		c.do("POST", path+"/decision", "application/json", []byte(`{"labels":["propaganda"],"action":"remove","rationale":"known release"}`), 201, nil)
		c.do("POST", path+"/decision", "application/json", []byte(`{"labels":["none"]}`), 409, nil)

		var mr struct {
			Results []struct {
				Matches []model.Match
				Error   string
			}
		}
		c.do("POST", "/api/v1/match", "application/json", []byte(`{"hashes":["`+strings.Repeat("ab", 32)+`","zz"]}`), 200, &mr)
		if len(mr.Results) != 2 || mr.Results[1].Error == "" {
			t.Fatalf("match = %+v", mr)
		}
		c.do("POST", "/api/v1/match", "application/json", []byte(`{"hashes":[]}`), 400, nil)

		var v struct {
			OK      bool
			Checked int
		}
		c.do("GET", "/api/v1/audit/verify", "", nil, 200, &v)
		if !v.OK || v.Checked < 5 {
			t.Fatalf("audit verify = %+v", v)
		}
		var evs []model.AuditEvent
		c.do("GET", "/api/v1/audit?subject=case:"+itoa(id), "", nil, 200, &evs)
		actions := map[string]bool{}
		for _, e := range evs {
			actions[e.Action] = true
		}
		for _, want := range []string{"case.open", "case.read", "case.claim", "case.decide"} {
			if !actions[want] {
				t.Errorf("audit for case lacks %s: %+v", want, evs)
			}
		}
		c.do("DELETE", "/api/v1/banks/partner", "", nil, 200, nil)
		c.do("GET", "/api/v1/banks/partner", "", nil, 404, nil)
		resp, err := http.Get(c.base + "/api/v1/nothing")
		if err != nil || resp.StatusCode != 404 {
			t.Fatalf("unknown route: %v %v", resp.Status, err)
		}
		resp.Body.Close()
	})
}

func TestAuthorizeIsChecked(t *testing.T) {
	s := storetest.SQLite(t)
	a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, Authorize: func(r *http.Request, p api.Perm) (string, error) {
		switch r.Header.Get("X-Test-Role") {
		case "":
			return "", api.ErrUnauthenticated
		case "analyst":
			if p != api.PermRead {
				return "", api.ErrForbidden
			}
		}
		return "someone", nil
	}}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	for _, tt := range []struct {
		role, method, path string
		want               int
	}{
		{"", "GET", "/api/v1/cases", 401},
		{"analyst", "GET", "/api/v1/cases", 200},
		{"analyst", "POST", "/api/v1/banks", 403},
		{"analyst", "POST", "/api/v1/cases/1/decision", 403},
		{"", "GET", "/api/v1/openapi.json", 200},
	} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(`{}`))
		if tt.role != "" {
			req.Header.Set("X-Test-Role", tt.role)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s as %q: %d, want %d", tt.method, tt.path, tt.role, resp.StatusCode, tt.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
