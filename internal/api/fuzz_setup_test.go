package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/pdq"
)

// The fuzz targets send one request per input to the API handler, built
// as newServer builds it (plus a PDQ hasher, so image bodies reach the
// decoder), on a SQLite store and, when MARSAD_TEST_POSTGRES is set, a
// PostgreSQL one. A target fails on any 5xx or panic, except for inputs
// that match a finding not yet fixed (knownFailures), which are skipped
// with the finding named.
//
// Run one target for a while with, e.g.:
//
//	go test -run '^$' -fuzz '^FuzzPosts$' -fuzztime 60s ./internal/api

// fuzzMaxBody keeps oversized bodies cheap to send.
const fuzzMaxBody = 64 << 10

// fuzzInput is one request: the route's pattern with {} standing for a
// path segment, the segment, a raw query, the Content-Type and the body;
// cut > 0 ends the body after cut bytes with io.ErrUnexpectedEOF, as a
// client that sends less than its Content-Length does.
type fuzzInput struct {
	route string
	seg   string
	query string
	ctype string
	body  []byte
	cut   int
}

func (in fuzzInput) String() string {
	return fmt.Sprintf("%s seg=%q query=%q Content-Type=%q cut=%d body=%q", in.route, in.seg, in.query, in.ctype, in.cut, clip(in.body, 300))
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// knownFailure names a finding (issue 12) that makes some inputs answer
// 5xx today. When it is fixed, delete it: the inputs it excused then fail
// the target if they still answer 5xx.
type knownFailure struct {
	finding string
	match   func(dialect store.Dialect, in fuzzInput) bool
}

// knownFailures is empty: every finding of issue 12 it listed is fixed.
var knownFailures = []knownFailure{}

func hasNULOrBadUTF8(in fuzzInput) bool {
	seg, err := url.PathUnescape(in.seg)
	if err != nil {
		seg = in.seg
	}
	q, err := url.QueryUnescape(in.query)
	if err != nil {
		q = in.query
	}
	for _, s := range []string{seg, q, string(in.body)} {
		if !utf8.ValidString(s) || strings.Contains(s, "\x00") || strings.Contains(strings.ToLower(s), `\u0000`) {
			return true
		}
	}
	return false
}

// fuzzServer is the API on one store, with a bank, entries and a case.
type fuzzServer struct {
	dialect store.Dialect
	handler http.Handler
	cases   *int // posts sent to open new cases
}

// newCase opens a case by sending a post that matches the bank, so that
// inputs with the segment "new" decide, claim or release an open case.
func (fs fuzzServer) newCase(t *testing.T) string {
	*fs.cases++
	body := fmt.Sprintf(`{"platform":"fuzz","source_id":"case-%d","text":"join https://telegram.me/joinchat/XyZ now"}`, *fs.cases)
	rec := httptest.NewRecorder()
	fs.handler.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/posts", strings.NewReader(body)))
	var res struct {
		Results []struct {
			CaseID int64 `json:"case_id"`
		} `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Results) != 1 || res.Results[0].CaseID == 0 {
		t.Fatalf("%s: opening a case: %d %s", fs.dialect, rec.Code, rec.Body)
	}
	return fmt.Sprint(res.Results[0].CaseID)
}

// newOrder opens and decides a case and issues an order on it, so that
// inputs with the segment "new" withdraw an open order.
func (fs fuzzServer) newOrder(t *testing.T) string {
	id := fs.newCase(t)
	for _, r := range []struct{ path, body string }{
		{"/api/v1/cases/" + id + "/decision", `{"labels":["propaganda"],"action":"remove","rationale":"a known release"}`},
		{"/api/v1/orders", `{"case_id":` + id + `,"platform":"fuzz","content_url":"https://t.me/c/` + id + `","legal_basis":"Regulation (EU) 2021/784, Article 3"}`},
	} {
		rec := httptest.NewRecorder()
		fs.handler.ServeHTTP(rec, httptest.NewRequest("POST", r.path, strings.NewReader(r.body)))
		if rec.Code != http.StatusCreated {
			t.Fatalf("%s: opening an order: POST %s: %d %s", fs.dialect, r.path, rec.Code, rec.Body)
		}
		if r.path == "/api/v1/orders" {
			var o struct{ ID int64 }
			if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil || o.ID == 0 {
				t.Fatalf("%s: opening an order: %s", fs.dialect, rec.Body)
			}
			return fmt.Sprint(o.ID)
		}
	}
	return ""
}

func fuzzServers(f *testing.F) []fuzzServer {
	f.Helper()
	stores := []*store.Store{storetest.SQLite(f)}
	if dsn := storetest.PostgresDSN(f); dsn != "" {
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			f.Fatalf("open postgres store: %v", err)
		}
		f.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	var out []fuzzServer
	for _, s := range stores {
		p := &pipeline.Pipeline{Store: s, Hasher: pipeline.NewPDQHasher(pdq.Options{MaxPixels: 1 << 22})}
		key, err := evidence.LoadOrCreateKey(filepath.Join(f.TempDir(), "data"))
		if err != nil {
			f.Fatal(err)
		}
		// A review service that issues orders, as the server has; webhook
		// deliveries are not configured and end at once.
		rv := review.New(s, action.New(s, evidence.NewKeeper(s, evidence.Media{}, key), action.Config{MaxAttempts: 1}), nil)
		f.Cleanup(rv.Wait)
		a := &api.API{Store: s, Pipeline: p, Review: rv, MaxBody: fuzzMaxBody, Matcher: exactPDQ{s}}
		fs := fuzzServer{dialect: s.Dialect(), handler: a.Handler(), cases: new(int)}
		// Case 1 is decided as harmful, so order requests that name it reach
		// the order service; case 2 stays open, with order 1 on case 1.
		for _, r := range []struct{ method, path, ctype, body string }{
			{"POST", "/api/v1/banks", "application/json", `{"name":"partner","owner":"P","auto_action":true}`},
			{"POST", "/api/v1/banks/partner/entries", "text/csv", "type,value,label\nurl,https://t.me/joinchat/XyZ,propaganda\npdq," + strings.Repeat("ab", 32) + ",propaganda\n"},
			{"POST", "/api/v1/posts", "application/json", `{"platform":"telegram","source_id":"1","text":"join https://telegram.me/joinchat/XyZ now"}`},
			{"POST", "/api/v1/posts", "application/json", `{"platform":"telegram","source_id":"2","text":"join https://telegram.me/joinchat/XyZ now"}`},
			{"POST", "/api/v1/cases/1/decision", "application/json", `{"labels":["propaganda"],"action":"remove","rationale":"a known release"}`},
			{"POST", "/api/v1/orders", "application/json", `{"case_id":1,"platform":"seed","content_url":"https://t.me/c/1","legal_basis":"Regulation (EU) 2021/784, Article 3"}`},
		} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
			req.Header.Set("Content-Type", r.ctype)
			fs.handler.ServeHTTP(rec, req)
			if rec.Code >= 300 {
				f.Fatalf("%s: set-up %s %s: %d %s", s.Dialect(), r.method, r.path, rec.Code, rec.Body)
			}
		}
		out = append(out, fs)
	}
	return out
}

// shortBody returns its bytes up to cut and then io.ErrUnexpectedEOF.
type shortBody struct {
	r io.Reader
}

func (b *shortBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// check sends in to every store and fails on a 5xx not excused by a known
// finding, or on an answer that quotes a raw database error. A panic in a
// handler fails the target by itself. Seeds are strict (strictSeed).
func check(t *testing.T, servers []fuzzServer, in fuzzInput) {
	method, pattern, _ := strings.Cut(in.route, " ")
	seed := isSeed(in)
	for _, fs := range servers {
		seg := in.seg
		if seg == "new" {
			if strings.HasPrefix(pattern, "/api/v1/orders/") {
				seg = fs.newOrder(t)
			} else {
				seg = fs.newCase(t)
			}
		}
		target := strings.Replace(pattern, "{}", url.PathEscape(seg), 1)
		if in.query != "" {
			target += "?" + in.query
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			if seed {
				t.Fatalf("seed is not a request target: %q", target)
			}
			t.Skipf("not a request target: %q", target)
		}
		var body io.Reader = bytes.NewReader(in.body)
		if in.cut > 0 && in.cut < len(in.body) {
			body = &shortBody{bytes.NewReader(in.body[:in.cut])}
		}
		req := httptest.NewRequest(method, "/", body)
		req.URL, req.RequestURI = u, target
		req.ContentLength = int64(len(in.body))
		if in.ctype != "" {
			req.Header.Set("Content-Type", in.ctype)
		}
		rec := httptest.NewRecorder()
		fs.handler.ServeHTTP(rec, req)
		answer := bytes.TrimSpace(rec.Body.Bytes())
		if rawDBError(answer, in) {
			t.Fatalf("%s: %d quotes a database error: %s\ninput: %s", fs.dialect, rec.Code, clip(answer, 500), in)
		}
		if rec.Code < 500 {
			if seed {
				if want := strictSeed(in); want != "" && (rec.Code < 400 || rec.Code >= 500) {
					t.Fatalf("%s: seed answered %d, want %s: %s\ninput: %s", fs.dialect, rec.Code, want, clip(answer, 500), in)
				}
			}
			continue
		}
		for _, k := range knownFailures {
			if k.match(fs.dialect, in) {
				t.Skipf("%s: %d, known failure (%s); input: %s", fs.dialect, rec.Code, k.finding, in)
			}
		}
		t.Fatalf("%s: %d %s\ninput: %s", fs.dialect, rec.Code, answer, in)
	}
}

// rawDBError reports whether an answer quotes the database's own words
// that the input did not hold.
func rawDBError(answer []byte, in fuzzInput) bool {
	for _, s := range []string{"SQLSTATE", "SQL logic error", "database is locked", "constraint failed", "invalid byte sequence"} {
		if bytes.Contains(answer, []byte(s)) && !strings.Contains(in.seg+in.query+in.ctype+string(in.body), s) {
			return true
		}
	}
	return false
}

// seedInputs holds the seed corpus of every target (addSeed), by seedKey.
var seedInputs = map[string]bool{}

func seedKey(in fuzzInput) string {
	return fmt.Sprintf("%s\x00%q\x00%q\x00%q\x00%d\x00%x", in.route, in.seg, in.query, in.ctype, in.cut, in.body)
}

// addSeed adds an input to the corpus of the target for route.
func addSeed(f *testing.F, route, seg, query, ctype string, body []byte, cut int) {
	f.Helper()
	f.Add(seg, query, ctype, body, cut)
	seedInputs[seedKey(fuzzInput{route: route, seg: seg, query: query, ctype: ctype, body: body, cut: cut})] = true
}

func isSeed(in fuzzInput) bool { return seedInputs[seedKey(in)] }

// strictSeed says what a seed must be answered with beyond "not 5xx", or
// "": a seed is never skipped, and one the fixes of issue 12 refuse must
// be refused with a 4xx rather than let through:
//   - a NUL or invalid UTF-8 in the path segment or the query (every route
//     checks both);
//   - a body cut short of its Content-Length, on a route that reads it;
//   - a NUL or invalid UTF-8 in a single JSON object body.
func strictSeed(in fuzzInput) string {
	readsBody := !strings.HasSuffix(in.route, "/claim") && !strings.HasSuffix(in.route, "/release")
	seg, err := url.PathUnescape(in.seg)
	if err != nil {
		seg = in.seg
	}
	q, err := url.QueryUnescape(in.query)
	if err != nil {
		q = in.query
	}
	body := string(in.body)
	switch {
	case badUTF8OrNUL(seg) || badUTF8OrNUL(q):
		return "4xx for a NUL or invalid UTF-8 in the path or query"
	case readsBody && in.cut > 0 && in.cut < len(in.body):
		return "4xx for a body short of its Content-Length"
	case readsBody && in.ctype == "application/json" && strings.HasPrefix(strings.TrimSpace(body), "{") &&
		(badUTF8OrNUL(body) || strings.Contains(strings.ToLower(body), `\u0000`)):
		return "4xx for a NUL or invalid UTF-8 in the JSON body"
	}
	return ""
}

func badUTF8OrNUL(s string) bool { return !utf8.ValidString(s) || strings.Contains(s, "\x00") }

// seeds adds the corpus for a route: the request body example built from
// the OpenAPI document (its examples, where it gives them, or a value made
// from the schema), that example broken in the ways clients break bodies,
// and the extra bodies given.
func seeds(f *testing.F, route string, segs []string, ctypes []string, extra ...string) {
	f.Helper()
	pattern := strings.Replace(route, "{}", "{x}", 1)
	for _, ct := range ctypes {
		var bodies [][]byte
		if ex := docExample(f, pattern, ct); ex != nil {
			bodies = append(bodies, brokenVariants(ex)...)
		}
		for _, e := range extra {
			bodies = append(bodies, []byte(e))
		}
		bodies = append(bodies, nil, []byte(""), []byte("null"), bytes.Repeat([]byte("a"), fuzzMaxBody+1))
		for i, b := range bodies {
			addSeed(f, route, segs[0], "", ct, b, 0)
			if len(b) > 4 && i%3 == 0 {
				addSeed(f, route, segs[0], "", ct, b, len(b)/2)
			}
		}
		// The other segments with the example body, and without one.
		for _, seg := range segs[1:] {
			if len(bodies) > 0 {
				addSeed(f, route, seg, "", ct, bodies[0], 0)
			}
			addSeed(f, route, seg, "", ct, []byte("{}"), 0)
		}
	}
}

// docExample returns the request body example of route (METHOD /path with
// {x} for the parameter) for content type ct, as JSON, CSV or image bytes.
func docExample(f *testing.F, route, ct string) []byte {
	f.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		f.Fatal(err)
	}
	method, path, _ := strings.Cut(route, " ")
	for p, item := range doc.Paths.Map() {
		if normalise(p) != normalise(path) {
			continue
		}
		op := item.GetOperation(method)
		if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
			return nil
		}
		mt := op.RequestBody.Value.Content.Get(ct)
		if mt == nil && strings.HasPrefix(ct, "image/") {
			mt = op.RequestBody.Value.Content.Get("image/*")
		}
		if mt == nil {
			return nil
		}
		switch {
		case mt.Example != nil:
			return exampleBytes(mt.Example)
		case strings.HasPrefix(ct, "image/"):
			return smallPNG()
		case ct == "text/csv":
			return []byte("type,value,label,source\nurl,https://t.me/joinchat/Seed,propaganda,seed\npdq," + strings.Repeat("cd", 32) + ",propaganda,seed\n")
		case mt.Schema != nil:
			return exampleBytes(example(mt.Schema, "", 0))
		}
	}
	return nil
}

// normalise makes /banks/{name}/entries and /banks/{x}/entries equal.
func normalise(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

func exampleBytes(v any) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	b, _ := json.Marshal(v)
	return b
}

// example makes a value that fits the schema: the schema's own example
// when it has one, else one chosen by type, format and field name.
func example(ref *openapi3.SchemaRef, field string, depth int) any {
	s := ref.Value
	if s == nil || depth > 6 {
		return nil
	}
	if s.Example != nil {
		return s.Example
	}
	if len(s.OneOf) > 0 {
		return example(s.OneOf[0], field, depth+1)
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch {
	case s.Type.Is("object"):
		out := map[string]any{}
		for name, p := range s.Properties {
			if name == "id" || name == "bank_id" || name == "path" || name == "ingested_at" || name == "error" {
				continue // set by the server, or CLI only
			}
			out[name] = example(p, name, depth+1)
		}
		return out
	case s.Type.Is("array"):
		return []any{example(s.Items, field, depth+1)}
	case s.Type.Is("integer"), s.Type.Is("number"):
		return 1
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("string"):
		switch {
		case s.Format == "date-time":
			return "2026-11-20T08:00:00Z"
		case s.Format == "byte":
			return base64.StdEncoding.EncodeToString(smallPNG())
		}
		switch field {
		case "name":
			return "seed-bank"
		case "source_id":
			return "seed-1"
		case "platform":
			return "telegram"
		case "pdq", "hashes":
			return strings.Repeat("ab", 32)
		case "sha256":
			return strings.Repeat("0", 64)
		case "md5":
			return strings.Repeat("0", 32)
		case "value":
			return "https://t.me/joinchat/XyZ"
		case "links", "url":
			return "https://example.org/a"
		case "text":
			return "join https://telegram.me/joinchat/XyZ now"
		case "lang":
			return "en"
		}
		return "seed"
	}
	return nil
}

// brokenVariants returns body and copies broken the ways the HTTP fuzzing
// found matter: NUL and invalid UTF-8 in every string, each field of the
// wrong type, an unknown field, trailing data.
func brokenVariants(body []byte) [][]byte {
	out := [][]byte{body}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return append(out, append(append([]byte{}, body...), 0, 0xff), bytes.ReplaceAll(body, []byte(","), []byte(",\x00")))
	}
	const marker = "\u2603BAD\u2603"
	for _, bad := range []string{"a\\u0000b", "\xff\xfe", "\\ud800"} {
		b, _ := json.Marshal(mapStrings(v, func(s string) string { return s + marker }))
		out = append(out, bytes.ReplaceAll(b, []byte(marker), []byte(bad)))
	}
	if m, ok := v.(map[string]any); ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, wrong := range []any{12345, []any{"x"}, map[string]any{"a": nil}, nil} {
				c := copyMap(m)
				c[k] = wrong
				b, _ := json.Marshal(c)
				out = append(out, b)
			}
		}
		c := copyMap(m)
		c["unknown_field"] = "x"
		b, _ := json.Marshal(c)
		out = append(out, b)
	}
	out = append(out, append(append([]byte{}, body...), []byte(` {"extra":1}`)...), []byte("["+string(body)+","+string(body)+"]"))
	return out
}

func mapStrings(v any, fn func(string) string) any {
	switch t := v.(type) {
	case string:
		return fn(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = mapStrings(x, fn)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			out[k] = mapStrings(x, fn)
		}
		return out
	}
	return v
}

func copyMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func smallPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 8), uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
