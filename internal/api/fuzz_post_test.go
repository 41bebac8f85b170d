package api_test

import (
	"strings"
	"testing"
)

// One fuzz target per POST route. Each input is a path segment (where the
// route has one), a raw query, a Content-Type, a body and a cut (see
// fuzzInput); the seeds come from the OpenAPI document (seeds).

func fuzzRoute(f *testing.F, route string) {
	servers := fuzzServers(f)
	f.Fuzz(func(t *testing.T, seg, query, ctype string, body []byte, cut int) {
		check(t, servers, fuzzInput{route: route, seg: seg, query: query, ctype: ctype, body: body, cut: cut})
	})
}

// caseSegs are ids for the case routes: a newly opened case (see
// fuzzServer.newCase), the seeded one, one missing, and the segments HTTP
// fuzzing found trouble with.
var caseSegs = []string{"new", "1", "999", "abc", "\x00", "\xff", "-1", strings.Repeat("9", 40)}

func FuzzPosts(f *testing.F) {
	seeds(f, "POST /api/v1/posts", []string{""}, []string{"application/json", "text/plain"},
		`[{"platform":"telegram","source_id":"s1","text":"join https://telegram.me/joinchat/XyZ now"},{"platform":"telegram","text":"no id"},{"platform":"telegram","source_id":"s1"}]`,
		`{"platform":"x","source_id":"s2","media":[{"pdq":"`+strings.Repeat("AB", 32)+`"}]}`,
		`{"platform":"x","source_id":"s3","media":[{"data":"not base64"}]}`,
		`{"platform":"x","source_id":"s4","media":[{"path":"../../etc/passwd"}]}`,
		`{"platform":"x","source_id":"s5","posted_at":"yesterday"}`,
		`{"platform":"x","source_id":"s6","text":"a\u0000b"}`,
		`[{"platform":"x","source_id":"s7"},`,
		`{"platform":"x",`)
	fuzzRoute(f, "POST /api/v1/posts")
}

func FuzzMatch(f *testing.F) {
	seeds(f, "POST /api/v1/match", []string{""}, []string{"application/json", "image/png", "image/jpeg", "application/octet-stream"},
		`{"hashes":["`+strings.Repeat("ab", 32)+`","zz"]}`,
		`{"hashes":[]}`,
		`{"hashes":["\u0000"]}`,
		"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x0f\xff\xff\x00\x0f\xff\xff\x08\x06\x00\x00\x00",
		"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	fuzzRoute(f, "POST /api/v1/match")
}

func FuzzDecision(f *testing.F) {
	seeds(f, "POST /api/v1/cases/{}/decision", caseSegs, []string{"application/json"},
		`{"labels":["bogus"]}`,
		`{"labels":["propaganda"],"action":"remove","rationale":"known release"}`,
		`{"labels":["none","propaganda"],"action":"explode"}`,
		`{"labels":["propaganda"],"rationale":"a\u0000b"}`)
	fuzzRoute(f, "POST /api/v1/cases/{}/decision")
}

func FuzzClaim(f *testing.F) {
	seeds(f, "POST /api/v1/cases/{}/claim", caseSegs, []string{"", "application/json"})
	fuzzRoute(f, "POST /api/v1/cases/{}/claim")
}

func FuzzRelease(f *testing.F) {
	seeds(f, "POST /api/v1/cases/{}/release", caseSegs, []string{"", "application/json"})
	fuzzRoute(f, "POST /api/v1/cases/{}/release")
}

func FuzzCreateBank(f *testing.F) {
	seeds(f, "POST /api/v1/banks", []string{""}, []string{"application/json"},
		`{"name":"partner"}`, `{"name":"../x"}`, `{"name":"y","colour":1}`, `{"name":"z","owner":"a\u0000b"}`, `{"name":"w","description":"\udc00"}`)
	fuzzRoute(f, "POST /api/v1/banks")
}

func FuzzAddEntries(f *testing.F) {
	segs := []string{"partner", "nope", "\x00", "\xff", strings.Repeat("b", 5000)}
	seeds(f, "POST /api/v1/banks/{}/entries", segs, []string{"text/csv", "application/json", "text/plain"},
		"type,value,label\nurl,https://t.me/joinchat/XyZ,propaganda\nwallet,btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb,financing\npdq,"+strings.Repeat("ab", 32)+",propaganda\n",
		"hash\n"+strings.Repeat("ef", 32)+"\n",
		"type,value\nurl,\"https://unbalanced\n",
		"type,value,label\nurl,https://t.me/a\x00b,propaganda\n",
		"type,value,label\nurl,https://t.me/\xff\xfe,propaganda\n",
		`[{"type":"url","value":"https://t.me/x","label":"bogus"}]`)
	for _, q := range []string{"type=pdq", "label=propaganda&source=s", "type=%00", "label=%ff", "source=%ff%fe"} {
		addSeed(f, "POST /api/v1/banks/{}/entries", "partner", q, "text/csv", []byte(strings.Repeat("ab", 32)+"\n"), 0)
	}
	fuzzRoute(f, "POST /api/v1/banks/{}/entries")
}

func FuzzIssueOrder(f *testing.F) {
	seeds(f, "POST /api/v1/orders", []string{""}, []string{"application/json"},
		`{"case_id":1,"platform":"telegram","legal_basis":"Regulation (EU) 2021/784, Article 3"}`,
		`{"case_id":1,"platform":"seed","legal_basis":"Art. 3"}`,
		`{"case_id":1,"platform":"x","legal_basis":"Art. 3","kind":"referral","content_url":"https://t.me/c/1","deadline":"2099-01-01T00:00:00Z"}`,
		`{"case_id":1,"platform":"x","legal_basis":"Art. 3","deadline":"yesterday"}`,
		`{"case_id":1,"platform":"x","legal_basis":"Art. 3","content_url":"javascript:alert(1)"}`,
		`{"case_id":2,"platform":"telegram","legal_basis":"Art. 3"}`,
		`{"case_id":-1,"platform":"telegram","legal_basis":"Art. 3"}`,
		`{"case_id":99999999999999999999,"platform":"telegram"}`,
		`{"case_id":1,"platform":"a\u0000b","legal_basis":"Art. 3"}`,
		`{"case_id":1,"platform":"telegram","legal_basis":"Art. 3","justification":"\udc00"}`)
	fuzzRoute(f, "POST /api/v1/orders")
}

func FuzzWithdrawOrder(f *testing.F) {
	segs := []string{"new", "1", "999", "abc", "\x00", "\xff", "-1", strings.Repeat("9", 40)}
	seeds(f, "POST /api/v1/orders/{}/withdraw", segs, []string{"application/json", ""},
		`{"reason":"wrong address"}`, `{"reason":""}`, `{"reason":"   "}`, `{"reason":"a\u0000b"}`, `{"reason":1}`)
	fuzzRoute(f, "POST /api/v1/orders/{}/withdraw")
}
