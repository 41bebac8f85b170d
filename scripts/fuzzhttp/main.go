// Command fuzzhttp sends randomised requests to every route of marsad's
// OpenAPI document and counts the answers by status. It varies methods,
// path segments (NUL, %ff, huge), query parameters (bad UTF-8, wrong
// numbers), JSON bodies built from the document's schemas and then broken
// (NUL, invalid UTF-8, wrong types, unknown fields, truncation), CSV
// garbage for bank import, random images for match, bodies shorter than
// their Content-Length and bodies over the server's limit. Every 5xx, and
// every request that got no answer, is printed with the request that caused
// it; the exit status is 1 if there was any.
//
// Requests go out as raw HTTP/1.1 over TCP so that framing can be wrong on
// purpose. Routes a partner key may use are sent with -key; the others
// (banks, decisions) with an admin session when -admin NAME:PASSWORD is
// given, and with the key otherwise.
//
//	go run ./scripts/fuzzhttp -url http://127.0.0.1:8470 -key mk_... -admin admin:pw -n 20000
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8470", "server address")
	key := flag.String("key", "", "API key (read,write scopes)")
	admin := flag.String("admin", "", "NAME:PASSWORD of an admin, for the routes a key may not use")
	n := flag.Int("n", 20000, "requests to send")
	conc := flag.Int("c", 4, "requests in flight")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "random seed")
	show := flag.Int("show", 10, "failing requests printed in full, besides the first of each kind")
	maxBody := flag.Int("max-body", 10<<20, "the server's body limit, to send bodies over it")
	label := flag.String("store", "", "store name printed with the results")
	flag.Parse()

	u, err := url.Parse(*base)
	if err != nil {
		fatalf("-url: %v", err)
	}
	f := &fuzzer{host: u.Host, key: *key, maxBody: *maxBody, timeout: 60 * time.Second}
	if err := f.loadDoc(); err != nil {
		fatalf("OpenAPI document: %v", err)
	}
	if *admin != "" {
		name, pw, _ := strings.Cut(*admin, ":")
		if err := f.login(name, pw); err != nil {
			fatalf("admin login: %v", err)
		}
	}
	f.discover()

	type outcome struct {
		req    *request
		status int
		body   []byte
		err    error
	}
	results := make(chan outcome, 64)
	var wg sync.WaitGroup
	per := (*n + *conc - 1) / *conc
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(*seed, uint64(w)))
			c := &conn{f: f}
			defer c.close()
			for i := 0; i < per && w*per+i < *n; i++ {
				req := f.generate(rng)
				status, body, err := c.send(req)
				results <- outcome{req, status, body, err}
			}
		}(w)
	}
	go func() { wg.Wait(); close(results) }()

	byStatus := map[string]int{}
	byRoute := map[string]map[int]int{}
	var fails []outcome
	failKinds := map[string]int{}
	nLeak, leak := 0, (*outcome)(nil)
	nFail, total := 0, 0
	start := time.Now()
	for o := range results {
		total++
		k := strconv.Itoa(o.status)
		if o.err != nil {
			k = "no answer"
			if o.req.malformed() {
				k = "no answer (malformed HTTP)"
			}
		}
		byStatus[k]++
		if byRoute[o.req.route] == nil {
			byRoute[o.req.route] = map[int]int{}
		}
		byRoute[o.req.route][o.status]++
		// A server may close the connection on a body over its limit or
		// one shorter than declared before the client has finished.
		framing := o.req.shortBy > 0 || len(o.req.body) > f.maxBody || o.req.malformed()
		if rawDBError.Match(o.body) {
			nLeak++
			if leak == nil {
				leak = &o
			}
		}
		if o.status >= 500 || (o.err != nil && !framing) {
			nFail++
			kind := o.req.route + " [" + o.req.traits() + "]"
			// The first failure of each kind, then more up to -show.
			if failKinds[kind] == 0 || len(fails) < *show {
				fails = append(fails, o)
			}
			failKinds[kind]++
		}
	}
	elapsed := time.Since(start)

	fmt.Printf("%s: %d requests in %.1f s (seed %d)\n", *label, total, elapsed.Seconds(), *seed)
	keys := make([]string, 0, len(byStatus))
	for k := range byStatus {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, byStatus[k]))
	}
	fmt.Printf("%s: by status: %s\n", *label, strings.Join(parts, ", "))
	routes := make([]string, 0, len(byRoute))
	for r := range byRoute {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		var s []string
		codes := make([]int, 0, len(byRoute[r]))
		for c := range byRoute[r] {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for _, c := range codes {
			s = append(s, fmt.Sprintf("%d×%d", c, byRoute[r][c]))
		}
		fmt.Printf("  %-40s %s\n", r, strings.Join(s, " "))
	}
	fmt.Printf("%s: 5xx or no answer: %d\n", *label, nFail)
	kinds := make([]string, 0, len(failKinds))
	for k := range failKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Printf("  %5d  %s\n", failKinds[k], k)
	}
	for _, o := range fails {
		fmt.Printf("--- %s\n", o.req)
		if o.err != nil {
			fmt.Printf("    no answer: %v\n", o.err)
		} else {
			fmt.Printf("    => %d %s\n", o.status, clip(o.body, 300))
		}
	}
	// A user never sees a raw database error; counted, not failed on.
	fmt.Printf("%s: answers quoting a raw database error: %d\n", *label, nLeak)
	if leak != nil {
		fmt.Printf("--- %s\n    => %d %s\n", leak.req, leak.status, clip(leak.body, 300))
	}
	if nFail > 0 {
		os.Exit(1)
	}
}

// request is one generated request, kept to be printed if it fails.
type request struct {
	route   string // the OpenAPI operation it came from
	method  string
	target  string // raw request target, sent as is
	headers [][2]string
	body    []byte
	shortBy int  // the body sent is this much shorter than Content-Length
	chunked bool // send the body chunked
	admin   bool
}

// malformed reports whether the request line or a header is not valid
// HTTP, which the HTTP layer refuses with a 400 and a closed connection
// (often reset before the answer can be read).
func (r *request) malformed() bool {
	for i := 0; i < len(r.target); i++ {
		c := r.target[i]
		if c <= ' ' || c >= 0x7f {
			return true
		}
		if c == '%' && (i+2 >= len(r.target) || !isHex(r.target[i+1]) || !isHex(r.target[i+2])) {
			return true
		}
	}
	for _, kv := range r.headers {
		for i := 0; i < len(kv[1]); i++ {
			if c := kv[1][i]; c < ' ' && c != '\t' || c == 0x7f {
				return true
			}
		}
	}
	return false
}

// traits names what is odd about the request, to group failures.
func (r *request) traits() string {
	var t []string
	target := lenientUnescape(r.target)
	if r.shortBy > 0 {
		t = append(t, "body short of Content-Length")
	}
	if r.chunked {
		t = append(t, "chunked")
	}
	if strings.Contains(target, "\x00") || bytes.Contains(r.body, []byte{0}) || bytes.Contains(r.body, []byte(`\u0000`)) {
		t = append(t, "NUL")
	}
	if !utf8.ValidString(target) || (!utf8.Valid(r.body) && !strings.HasPrefix(r.route, "POST /api/v1/match")) {
		t = append(t, "invalid UTF-8")
	}
	if len(t) == 0 {
		return "other"
	}
	return strings.Join(t, ", ")
}

// lenientUnescape decodes every valid %XX and leaves the rest.
func lenientUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (r *request) String() string {
	var h []string
	for _, kv := range r.headers {
		if kv[0] == "Authorization" || kv[0] == "Cookie" || kv[0] == "X-CSRF-Token" {
			continue
		}
		h = append(h, kv[0]+": "+kv[1])
	}
	who := "key"
	if r.admin {
		who = "admin"
	}
	s := fmt.Sprintf("%s %q [%s] (%s)", r.method, r.target, strings.Join(h, "; "), who)
	if r.shortBy > 0 {
		s += fmt.Sprintf(" body %d bytes short of Content-Length", r.shortBy)
	}
	if r.chunked {
		s += " chunked"
	}
	return s + fmt.Sprintf("\n    body (%d bytes): %s", len(r.body), clip(r.body, 300))
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return fmt.Sprintf("%q…", b[:n])
	}
	return fmt.Sprintf("%q", b)
}

// fuzzer holds what every worker shares: the document, credentials and
// the names and ids that exist on the server.
type fuzzer struct {
	host       string
	key        string
	session    string
	csrf       string
	maxBody    int
	timeout    time.Duration
	ops        []operation
	schemas    map[string]any
	banks      []string
	caseIDs    []string
	postIDs    []string
	pdqHashes  []string
	smallImage []byte
}

type operation struct {
	method, path string
	params       []param
	contentTypes []string
	bodySchema   map[string]any // for application/json
	needsAdmin   bool
}

type param struct {
	name, in string
	enum     []string
	typ      string
}

// loadDoc reads the OpenAPI document the server serves.
func (f *fuzzer) loadDoc() error {
	c := &conn{f: f}
	defer c.close()
	status, body, err := c.send(&request{method: "GET", target: "/api/v1/openapi.json"})
	if err != nil || status != 200 {
		return fmt.Errorf("GET /api/v1/openapi.json: %d %v", status, err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	f.schemas = doc.Components.Schemas
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				Parameters []struct {
					Name   string `json:"name"`
					In     string `json:"in"`
					Schema struct {
						Type string   `json:"type"`
						Enum []string `json:"enum"`
					} `json:"schema"`
				} `json:"parameters"`
				RequestBody struct {
					Content map[string]struct {
						Schema map[string]any `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				continue // "parameters" shared by the path item
			}
			o := operation{method: strings.ToUpper(method), path: path}
			for _, p := range op.Parameters {
				o.params = append(o.params, param{p.Name, p.In, p.Schema.Enum, p.Schema.Type})
			}
			for ct, c := range op.RequestBody.Content {
				o.contentTypes = append(o.contentTypes, ct)
				if ct == "application/json" {
					o.bodySchema = c.Schema
				}
			}
			sort.Strings(o.contentTypes)
			// A partner key reads, sends posts and matches; banks and
			// decisions need a person.
			o.needsAdmin = o.method != "GET" && o.path != "/api/v1/posts" && o.path != "/api/v1/match"
			f.ops = append(f.ops, o)
		}
	}
	if len(f.ops) == 0 {
		return fmt.Errorf("no operations")
	}
	sort.Slice(f.ops, func(i, j int) bool { return f.ops[i].method+f.ops[i].path < f.ops[j].method+f.ops[j].path })
	return nil
}

// rawDBError matches database error text that should stay in the log.
var rawDBError = regexp.MustCompile(`SQLSTATE|sqlite3?:|SQL logic error|database is locked|pq: |pgx`)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs in through the web UI's form and keeps the session cookie
// and its CSRF token.
func (f *fuzzer) login(name, password string) error {
	c := &conn{f: f}
	defer c.close()
	resp, body, err := c.roundTrip(&request{method: "GET", target: "/login"})
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(body)
	cookie := cookieValue(resp, "marsad_login")
	if m == nil || cookie == "" {
		return fmt.Errorf("GET /login: no CSRF token (status %d)", resp.StatusCode)
	}
	form := url.Values{"name": {name}, "password": {password}, "csrf": {string(m[1])}}.Encode()
	resp, _, err = c.roundTrip(&request{method: "POST", target: "/login", body: []byte(form),
		headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "marsad_login=" + cookie}}})
	if err != nil {
		return err
	}
	if f.session = cookieValue(resp, "marsad_session"); f.session == "" {
		return fmt.Errorf("POST /login: status %d, no session", resp.StatusCode)
	}
	_, body, err = c.roundTrip(&request{method: "GET", target: "/queue", headers: [][2]string{{"Cookie", "marsad_session=" + f.session}}})
	if err != nil {
		return err
	}
	if m = csrfField.FindSubmatch(body); m == nil {
		return fmt.Errorf("GET /queue: no CSRF token")
	}
	f.csrf = string(m[1])
	return nil
}

func cookieValue(resp *http.Response, name string) string {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// discover learns the banks, cases and posts that exist, so that some
// requests name real ones and reach past the lookups.
func (f *fuzzer) discover() {
	c := &conn{f: f}
	defer c.close()
	get := func(target string, v any) {
		req := &request{method: "GET", target: target}
		f.authorize(req, false)
		if status, body, err := c.send(req); err == nil && status == 200 {
			json.Unmarshal(body, v)
		}
	}
	var banks []struct {
		Name string `json:"name"`
	}
	get("/api/v1/banks", &banks)
	for _, b := range banks {
		f.banks = append(f.banks, b.Name)
		var es []struct {
			Type, Value string
		}
		get("/api/v1/banks/"+b.Name+"/entries?type=pdq", &es)
		for _, e := range es {
			f.pdqHashes = append(f.pdqHashes, e.Value)
		}
	}
	var cl struct {
		Cases []struct {
			ID     int64 `json:"id"`
			PostID int64 `json:"post_id"`
		} `json:"cases"`
	}
	get("/api/v1/cases?limit=200", &cl)
	for _, cs := range cl.Cases {
		f.caseIDs = append(f.caseIDs, strconv.FormatInt(cs.ID, 10))
		if cs.PostID > 0 {
			f.postIDs = append(f.postIDs, strconv.FormatInt(cs.PostID, 10))
		}
	}
	f.banks = append(f.banks, "fuzz-bank")
	f.caseIDs = append(f.caseIDs, "1")
	f.postIDs = append(f.postIDs, "1")
	f.pdqHashes = append(f.pdqHashes, strings.Repeat("ab", 32))
	f.smallImage = pngImage(16, 16)
}

func (f *fuzzer) authorize(req *request, admin bool) {
	if admin && f.session != "" {
		req.admin = true
		req.headers = append(req.headers, [2]string{"Cookie", "marsad_session=" + f.session}, [2]string{"X-CSRF-Token", f.csrf})
		return
	}
	if f.key != "" {
		req.headers = append(req.headers, [2]string{"Authorization", "Bearer " + f.key})
	}
}

// conn is one kept-alive connection to the server.
type conn struct {
	f  *fuzzer
	nc net.Conn
	br *bufio.Reader
}

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

func (c *conn) send(req *request) (int, []byte, error) {
	resp, body, err := c.roundTrip(req)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

// roundTrip writes req as raw HTTP/1.1 and reads the answer. A request with
// a short body goes on a connection of its own, half-closed after the body,
// so the server sees the body end early.
func (c *conn) roundTrip(req *request) (*http.Response, []byte, error) {
	if req.shortBy > 0 {
		c.close()
	}
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.f.host, 10*time.Second)
		if err != nil {
			return nil, nil, err
		}
		c.nc, c.br = nc, bufio.NewReader(nc)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.method, req.target, c.f.host)
	for _, kv := range req.headers {
		fmt.Fprintf(&b, "%s: %s\r\n", kv[0], kv[1])
	}
	switch {
	case req.chunked:
		b.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		for rest := req.body; len(rest) > 0; {
			n := min(len(rest), 1+len(rest)/3)
			fmt.Fprintf(&b, "%x\r\n%s\r\n", n, rest[:n])
			rest = rest[n:]
		}
		b.WriteString("0\r\n\r\n")
	case req.body != nil || req.method == "POST" || req.method == "PUT" || req.method == "PATCH":
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(req.body)+req.shortBy)
		b.Write(req.body)
	default:
		b.WriteString("\r\n")
	}
	c.nc.SetDeadline(time.Now().Add(c.f.timeout))
	_, werr := c.nc.Write(b.Bytes())
	if req.shortBy > 0 {
		if tc, ok := c.nc.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: req.method})
	if err != nil {
		c.close()
		if werr != nil {
			err = fmt.Errorf("%v (writing: %v)", err, werr)
		}
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close || req.shortBy > 0 || werr != nil {
		c.close()
	}
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fuzzhttp: "+format+"\n", args...)
	os.Exit(2)
}
