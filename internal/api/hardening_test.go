package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// raw sends a request without checking it against the OpenAPI document
// and returns the response with its body read.
func raw(t *testing.T, method, url, ctype, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestBadTextIsRefusedByField sends NUL bytes and invalid UTF-8 in every
// place text enters the API: each is a 400 that names the field, never a
// 500 with the database's words.
func TestBadTextIsRefusedByField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newServer(t, s, 1<<20)
		c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"partner"}`), 201, nil)
		c.do("POST", "/api/v1/posts", "application/json", []byte(`{"platform":"x","source_id":"1","text":"hello"}`), 200, nil)
		var cl struct{ Cases []model.Case }
		for _, tt := range []struct {
			method, path, ctype, body, field string
		}{
			{"GET", "/api/v1/banks/%00", "", "", "name"},
			{"GET", "/api/v1/banks/a%ffb", "", "", "name"},
			{"GET", "/api/v1/banks/partner/entries?type=%00", "", "", "type"},
			{"GET", "/api/v1/cases?platform=%ff", "", "", "platform"},
			{"GET", "/api/v1/cases?lang=%00", "", "", "lang"},
			{"GET", "/api/v1/audit?subject=%00", "", "", "subject"},
			{"POST", "/api/v1/banks", "application/json", `{"name":"ok","description":"a\u0000b"}`, "description"},
			{"POST", "/api/v1/banks", "application/json", "{\"name\":\"ok\",\"owner\":\"a\xffb\"}", "owner"},
			{"PATCH", "/api/v1/banks/partner", "application/json", `{"owner":"\u0000"}`, "owner"},
			{"POST", "/api/v1/posts", "application/json", `{"platform":"x","source_id":"2","text":"a\u0000b"}`, "text"},
			{"POST", "/api/v1/posts", "application/json", `{"platform":"x\u0000","source_id":"2","text":"ab"}`, "platform"},
			{"POST", "/api/v1/posts", "application/json", "{\"platform\":\"x\",\"source_id\":\"2\",\"text\":\"a\xffb\"}", "text"},
			{"POST", "/api/v1/banks/partner/entries", "text/csv", "type,value,label,source\nurl,https://a.example/x,propaganda,s\x00x\n", "source"},
			{"POST", "/api/v1/banks/partner/entries", "text/csv", "type,value,label,source\nurl,https://a.example/x,propaganda,s\xffx\n", "source"},
			{"POST", "/api/v1/banks/partner/entries", "application/json", `[{"type":"url","value":"https://a.example/\u0000"}]`, "value"},
		} {
			resp, body := raw(t, tt.method, c.base+tt.path, tt.ctype, tt.body)
			refused := resp.StatusCode == 400
			if !refused && resp.StatusCode == 200 {
				// Batches report a bad item or line in the results.
				refused = strings.Contains(body, `"refused"`) && !strings.Contains(body, `"refused": 0`) && !strings.Contains(body, `"refused": []`)
			}
			if !refused || !strings.Contains(body, tt.field) || strings.Contains(body, "SQLSTATE") {
				t.Errorf("%s %s %q: status %d, want 400 naming %q: %s", tt.method, tt.path, tt.body, resp.StatusCode, tt.field, body)
			}
		}
		// A batch with one bad post still stores the others.
		var pr struct{ Created, Refused int }
		c.do("POST", "/api/v1/posts", "application/json", []byte(`[{"platform":"x","source_id":"3","text":"ok"},{"platform":"x","source_id":"4","text":"\u0000"}]`), 200, &pr)
		if pr.Created != 1 || pr.Refused != 1 {
			t.Errorf("batch with a NUL: %+v, want 1 created and 1 refused", pr)
		}
		c.do("GET", "/api/v1/cases", "", nil, 200, &cl)
	})
}

// TestDecisionRationaleNUL sends a decision whose rationale holds a NUL.
func TestDecisionRationaleNUL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newServer(t, s, 1<<20)
		c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"partner"}`), 201, nil)
		c.do("POST", "/api/v1/banks/partner/entries", "text/csv", []byte("type,value,label\nurl,https://a.example/x,propaganda\n"), 200, nil)
		var pr struct {
			Results []struct {
				CaseID int64 `json:"case_id"`
			}
		}
		c.do("POST", "/api/v1/posts", "application/json", []byte(`{"platform":"x","source_id":"1","text":"see https://a.example/x"}`), 200, &pr)
		path := fmt.Sprintf("%s/api/v1/cases/%d/decision", c.base, pr.Results[0].CaseID)
		resp, body := raw(t, "POST", path, "application/json", `{"labels":["propaganda"],"action":"none","rationale":"a\u0000b"}`)
		if resp.StatusCode != 400 || !strings.Contains(body, "rationale") {
			t.Errorf("rationale with NUL: %d %s, want 400 naming rationale", resp.StatusCode, body)
		}
	})
}

// TestShortBody sends less than its Content-Length and closes its half of
// the connection: that is the client's fault, a 400.
func TestShortBody(t *testing.T) {
	s := storetest.SQLite(t)
	c := newServer(t, s, 1<<20)
	for _, tt := range []struct{ path, ctype string }{
		{"/api/v1/posts", "application/json"},
		{"/api/v1/banks", "application/json"},
		{"/api/v1/match", "image/png"},
		{"/api/v1/match", "application/json"},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(c.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: 100\r\n\r\n{\"platform\":", tt.path, tt.ctype)
		conn.(*net.TCPConn).CloseWrite()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s with a short body: status %d, want 400", tt.path, resp.StatusCode)
		}
	}
}

// TestFiltersRefuseUnknownValues checks kind and type filters.
func TestFiltersRefuseUnknownValues(t *testing.T) {
	s := storetest.SQLite(t)
	c := newServer(t, s, 1<<20)
	c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"partner"}`), 201, nil)
	c.do("GET", "/api/v1/cases?kind=post", "", nil, 200, nil)
	c.do("GET", "/api/v1/cases?kind=network", "", nil, 200, nil)
	c.do("GET", "/api/v1/banks/partner/entries?type=url", "", nil, 200, nil)
	for _, path := range []string{"/api/v1/cases?kind=bogus", "/api/v1/banks/partner/entries?type=bogus"} {
		body := c.do("GET", path, "", nil, 400, nil)
		if !strings.Contains(string(body), "bogus") {
			t.Errorf("%s: %s does not name the value", path, body)
		}
	}
}

// TestOversizedCSVIs413 sends a CSV body over the limit.
func TestOversizedCSVIs413(t *testing.T) {
	s := storetest.SQLite(t)
	c := newServer(t, s, 1024)
	c.do("POST", "/api/v1/banks", "application/json", []byte(`{"name":"partner"}`), 201, nil)
	csv := "type,value\n" + strings.Repeat("url,https://a.example/"+strings.Repeat("x", 40)+"\n", 100)
	c.do("POST", "/api/v1/banks/partner/entries", "text/csv", []byte(csv), 413, nil)
}

// TestWrongMethodIs405 uses a method a route does not have.
func TestWrongMethodIs405(t *testing.T) {
	s := storetest.SQLite(t)
	a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, Matcher: exactPDQ{s}}
	for name, h := range map[string]http.Handler{"api": a.Handler()} {
		srv := httptest.NewServer(h)
		defer srv.Close()
		for _, tt := range []struct{ method, path, allow string }{
			{"PUT", "/api/v1/cases", "GET, HEAD"},
			{"DELETE", "/api/v1/posts", "POST"},
			{"GET", "/api/v1/match", "POST"},
			{"POST", "/api/v1/banks/x", "DELETE, GET, HEAD, PATCH"},
		} {
			resp, body := raw(t, tt.method, srv.URL+tt.path, "", "")
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("%s: %s %s: %d Allow=%q, want 405 Allow=%q: %s", name, tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), tt.allow, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s: Content-Type %q, want JSON", tt.method, tt.path, ct)
			}
		}
		if resp, _ := raw(t, "GET", srv.URL+"/api/v1/nothing", "", ""); resp.StatusCode != 404 {
			t.Errorf("%s: unknown route: %d, want 404", name, resp.StatusCode)
		}
	}
}

// TestNoStore checks every API response keeps out of caches: they carry
// post text and audit details.
func TestNoStore(t *testing.T) {
	s := storetest.SQLite(t)
	c := newServer(t, s, 1<<20)
	c.do("POST", "/api/v1/posts", "application/json", []byte(`{"platform":"x","source_id":"1","text":"hello"}`), 200, nil)
	for _, path := range []string{"/api/v1/posts/1", "/api/v1/cases", "/api/v1/audit", "/api/v1/openapi.json", "/api/v1/nothing", "/api/v1/posts/x"} {
		resp, _ := raw(t, "GET", c.base+path, "", "")
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", path, cc)
		}
	}
}

// TestTransientStoreFaultIs503 makes every store call fail the way a
// locked SQLite or an unreachable PostgreSQL does: the caller is told to
// come back (503 with Retry-After), not that the request or key was bad.
func TestTransientStoreFaultIs503(t *testing.T) {
	for _, fault := range []error{
		fmt.Errorf("list cases: %w", store.ErrUnavailable),
		fmt.Errorf("api key: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}),
	} {
		s := storetest.SQLite(t)
		a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, Authorize: func(r *http.Request, p api.Perm) (string, error) {
			if r.URL.Path == "/api/v1/banks" {
				return "", fault // the key lookup itself failed
			}
			return "someone", nil
		}}
		srv := httptest.NewServer(a.Handler())
		defer srv.Close()
		resp, body := raw(t, "GET", srv.URL+"/api/v1/banks", "", "")
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%v: status %d, Retry-After %q, want 503 with Retry-After: %s", fault, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		var e struct{ Error string }
		json.Unmarshal([]byte(body), &e)
		if strings.Contains(e.Error, "connection refused") || strings.Contains(e.Error, "API key") {
			t.Errorf("503 body leaks the fault or blames the key: %q", e.Error)
		}
	}
	// A closed store is a store that does not answer.
	s := storetest.SQLite(t)
	a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	s.Close()
	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/api/v1/cases", ""},
		{"POST", "/api/v1/posts", `{"platform":"x","source_id":"1","text":"hello"}`},
	} {
		resp, body := raw(t, tt.method, srv.URL+tt.path, "application/json", tt.body)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s on a closed store: %d, want 503 with Retry-After: %s", tt.method, tt.path, resp.StatusCode, body)
		}
	}
	_ = context.Background
}
