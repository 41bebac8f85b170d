package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// badStrings break text handling: NUL, invalid UTF-8, surrogates, huge and
// odd values.
var badStrings = []string{
	"\x00", "a\x00b", "\xff", "\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf",
	"", " ", "null", "-1", "0", "99999999999999999999999", "1e309", "NaN",
	"' OR 1=1 --", "../../etc/passwd", "%00", "\u202eevil", "𝕏", "<script>alert(1)</script>",
	"\r\n", "\t", strings.Repeat("a", 70000), strings.Repeat("ش", 5000),
}

// badSegments are path segments and query values, already percent-encoded.
var badSegments = []string{
	"%00", "%ff", "%c3%28", "%ed%a0%80", "a%00b", "..", "%2e%2e", "..%2f..%2fetc", "%2f",
	"-1", "0", "99999999999999999999", "1e3", "0x10", "%20", "%0d%0a", "%25", "%", "%zz",
	"%f0%9d%95%8f", "null", "", strings.Repeat("a", 9000), strings.Repeat("%ff", 1500),
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO"}

// generate makes one request.
func (f *fuzzer) generate(rng *rand.Rand) *request {
	op := pick(rng, f.ops)
	req := &request{route: op.method + " " + op.path, method: op.method}
	switch x := rng.Float64(); {
	case x < 0.06:
		req.method = pick(rng, methods)
	case x < 0.09:
		req.route = "unknown path"
		op = operation{method: req.method, path: "/api/v1/" + pick(rng, []string{"x", "posts/1/x", "cases/1/decision/x", "banks/a/b/c", "%00", "openapi.json/x"})}
	}

	// The path, its parameters filled in.
	segs := strings.Split(op.path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		name := strings.Trim(s, "{}")
		if rng.IntN(4) == 0 {
			segs[i] = pick(rng, badSegments)
			continue
		}
		switch name {
		case "id":
			if strings.Contains(op.path, "posts") {
				segs[i] = pick(rng, f.postIDs)
			} else {
				segs[i] = pick(rng, f.caseIDs)
			}
		case "name":
			segs[i] = pick(rng, f.banks)
		default:
			segs[i] = "1"
		}
	}
	target := strings.Join(segs, "/")

	// Query parameters.
	var q []string
	for _, p := range op.params {
		if p.in != "query" || rng.IntN(2) == 0 {
			continue
		}
		q = append(q, p.name+"="+f.queryValue(rng, p))
	}
	if rng.IntN(10) == 0 {
		q = append(q, pick(rng, []string{"unknown=1", "limit=1&limit=2", "%ff=1", "=", "&&", "a", "state"}))
	}
	if len(q) > 0 {
		target += "?" + strings.Join(q, "&")
	}
	if rng.IntN(200) == 0 {
		// Raw bytes the HTTP layer itself must refuse.
		target = strings.Replace(target, "/api", pick(rng, []string{"/api\x00", "/api\xff", "/a pi", "/api\t"}), 1)
	}
	req.target = target

	// The body.
	if req.method != "GET" && req.method != "HEAD" || rng.IntN(20) == 0 {
		ct := "application/json"
		if len(op.contentTypes) > 0 {
			ct = pick(rng, op.contentTypes)
		}
		switch ct {
		case "text/csv":
			req.body = f.csvBody(rng)
		case "image/*":
			ct = pick(rng, []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/octet-stream", "image/svg+xml"})
			req.body = f.imageBody(rng)
		default:
			req.body = f.jsonBody(rng, op)
		}
		if rng.IntN(15) == 0 {
			ct = pick(rng, []string{"", "text/plain", "text/csv", "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "image/png", "\xff/\x00", "application/json;;;"})
		}
		if ct != "" {
			req.headers = append(req.headers, [2]string{"Content-Type", ct})
		}
		switch x := rng.Float64(); {
		case x < 0.03:
			req.shortBy = 1 + rng.IntN(5000)
		case x < 0.05:
			req.chunked = true
		case x < 0.052:
			req.body = bytes.Repeat([]byte(`[{"platform":"x","source_id":"big","text":"aaaa"},`), f.maxBody/48+1024)
		}
	}
	if rng.IntN(50) == 0 {
		// No credentials, or wrong ones.
		switch rng.IntN(3) {
		case 0:
		case 1:
			req.headers = append(req.headers, [2]string{"Authorization", "Bearer mk_" + strings.Repeat("0", 40)})
		default:
			req.headers = append(req.headers, [2]string{"Authorization", pick(rng, []string{"Basic YTpi", "Bearer", "Bearer \xff\x00", "bearer " + f.key})})
		}
		return req
	}
	f.authorize(req, op.needsAdmin && rng.IntN(10) != 0)
	return req
}

func (f *fuzzer) queryValue(rng *rand.Rand, p param) string {
	if rng.IntN(3) == 0 {
		return pick(rng, badSegments)
	}
	if len(p.enum) > 0 && rng.IntN(5) != 0 {
		return url.QueryEscape(pick(rng, p.enum))
	}
	switch p.typ {
	case "integer":
		return strconv.Itoa(rng.IntN(1000) - 10)
	}
	switch p.name {
	case "subject":
		return url.QueryEscape(pick(rng, []string{"case:1", "post:1", "bank:" + pick(rng, f.banks)}))
	case "platform":
		return pick(rng, []string{"telegram", "x", "load"})
	case "lang":
		return pick(rng, []string{"ar", "en", "fr"})
	}
	return url.QueryEscape(pick(rng, badStrings[:20]))
}

// jsonBody builds a value from the operation's schema, breaks it, and
// writes it with invalid UTF-8 and NUL kept as they are.
func (f *fuzzer) jsonBody(rng *rand.Rand, op operation) []byte {
	var v any
	if op.bodySchema != nil {
		v = f.value(rng, op.bodySchema, 0)
	} else {
		v = map[string]any{}
	}
	for i := rng.IntN(3); i > 0; i-- {
		v = mutate(rng, v)
	}
	var b bytes.Buffer
	writeJSON(&b, v)
	out := b.Bytes()
	switch x := rng.Float64(); {
	case x < 0.05 && len(out) > 1:
		out = out[:rng.IntN(len(out))] // truncated JSON
	case x < 0.07:
		out = append(out, pick(rng, []string{"{}", "]", "\x00", " garbage", "\n{\"a\":1}"})...)
	case x < 0.08:
		out = []byte(strings.Repeat("[", 100000))
	case x < 0.09:
		out = []byte(pick(rng, []string{"", "null", "[]", "{}", "0", `"x"`, "[null]", "[[]]", "[1,2,3]", "\xef\xbb\xbf{}", `{"a":1,"a":2}`}))
	}
	return out
}

// value makes a value that fits schema s, with bad strings now and then.
func (f *fuzzer) value(rng *rand.Rand, s map[string]any, depth int) any {
	if ref, ok := s["$ref"].(string); ok {
		if r, ok := f.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any); ok && depth < 6 {
			return f.value(rng, r, depth+1)
		}
		return nil
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := s[k].([]any); ok && len(alts) > 0 {
			if a, ok := pick(rng, alts).(map[string]any); ok {
				return f.value(rng, a, depth+1)
			}
		}
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 && rng.IntN(8) != 0 {
		return pick(rng, enum)
	}
	switch s["type"] {
	case "object":
		props, _ := s["properties"].(map[string]any)
		required := map[string]bool{}
		if rs, ok := s["required"].([]any); ok {
			for _, r := range rs {
				required[fmt.Sprint(r)] = true
			}
		}
		out := map[string]any{}
		for name, ps := range props {
			if !required[name] && rng.IntN(3) == 0 {
				continue
			}
			if m, ok := ps.(map[string]any); ok {
				out[name] = f.fieldValue(rng, name, m, depth+1)
			}
		}
		return out
	case "array":
		items, _ := s["items"].(map[string]any)
		n := 1 + rng.IntN(3)
		if rng.IntN(20) == 0 {
			n = rng.IntN(2) * 300
		}
		out := make([]any, n)
		for i := range out {
			out[i] = f.value(rng, items, depth+1)
		}
		return out
	case "integer":
		return pick(rng, []any{0, 1, -1, 7, 1 << 53, 1.5, "1"})
	case "boolean":
		return rng.IntN(2) == 0
	case "string":
		if s["format"] == "date-time" {
			return pick(rng, []string{"2026-11-20T08:00:00Z", "2026-13-45T99:00:00Z", "yesterday", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00"})
		}
		if s["format"] == "byte" {
			return base64.StdEncoding.EncodeToString(f.imageBody(rng))
		}
		if rng.IntN(4) == 0 {
			return pick(rng, badStrings)
		}
		return "fuzz " + strconv.Itoa(rng.IntN(1000))
	}
	return nil
}

// fieldValue knows a few fields by name, so that requests get past
// validation and reach the store.
func (f *fuzzer) fieldValue(rng *rand.Rand, name string, s map[string]any, depth int) any {
	if rng.IntN(4) != 0 {
		switch name {
		case "source_id":
			return fmt.Sprintf("fz-%d", rng.Int64())
		case "platform":
			return pick(rng, []string{"telegram", "x", "fuzz"})
		case "name":
			return fmt.Sprintf("fuzz-%d", rng.IntN(50))
		case "pdq":
			return pick(rng, f.pdqHashes)
		case "hashes":
			hs := []any{pick(rng, f.pdqHashes), strings.Repeat("0", 64)}
			if rng.IntN(3) == 0 {
				hs = append(hs, pick(rng, badStrings))
			}
			return hs
		case "value":
			return pick(rng, append([]string{"https://t.me/+abc", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", strings.Repeat("cd", 32)}, badStrings[:12]...))
		case "text", "rationale", "description", "owner", "author":
			return pick(rng, []string{"join us https://t.me/joinchat/XyZ", "يا شباب الأمة", "bonjour", "a\x00b", "\xff\xfe", "\u0000", strings.Repeat("x", 20000)})
		}
	}
	return f.value(rng, s, depth)
}

// mutate breaks one part of v: a wrong type, an unknown field, a NUL.
func mutate(rng *rand.Rand, v any) any {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 || rng.IntN(4) == 0 {
			t[pick(rng, []string{"unknown", "id", "\x00", "\xff", "__proto__", "Platform"})] = wrongValue(rng)
			return t
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		k := pick(rng, keys)
		if rng.IntN(2) == 0 {
			t[k] = wrongValue(rng)
		} else {
			t[k] = mutate(rng, t[k])
		}
		return t
	case []any:
		if len(t) == 0 {
			return append(t, wrongValue(rng))
		}
		i := rng.IntN(len(t))
		t[i] = mutate(rng, t[i])
		return t
	case string:
		p := rng.IntN(len(t) + 1)
		return t[:p] + pick(rng, badStrings[:8]) + t[p:]
	}
	return wrongValue(rng)
}

// wrongValue is a value of a type no field expects; fresh each time, as
// mutate changes maps and slices in place.
func wrongValue(rng *rand.Rand) any {
	return pick(rng, []any{nil, 0, -1, 1e300, true, "", "\x00", "\xff", []any{}, map[string]any{}, []any{nil}, strings.Repeat("z", 5000), map[string]any{"a": []any{1}}})
}

// writeJSON writes v as JSON, but copies strings byte for byte: invalid
// UTF-8 stays invalid, and control characters become \u00XX escapes.
func writeJSON(b *bytes.Buffer, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case int:
		b.WriteString(strconv.Itoa(t))
	case float64:
		b.WriteString(strconv.FormatFloat(t, 'g', -1, 64))
	case string:
		b.WriteByte('"')
		for i := 0; i < len(t); i++ {
			c := t[i]
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20:
				fmt.Fprintf(b, `\u%04x`, c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	case []any:
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, x)
		}
		b.WriteByte(']')
	case []string:
		xs := make([]any, len(t))
		for i, s := range t {
			xs[i] = s
		}
		writeJSON(b, xs)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, k)
			b.WriteByte(':')
			writeJSON(b, t[k])
		}
		b.WriteByte('}')
	default:
		writeJSON(b, fmt.Sprint(t))
	}
}

// csvBody is bank import input: sometimes well formed, mostly not.
func (f *fuzzer) csvBody(rng *rand.Rand) []byte {
	var b bytes.Buffer
	b.WriteString(pick(rng, []string{"type,value,label\n", "type,value,label,source,added_at\n", "hash\n", "pdq,quality\n", "signal;value\n", "", "\xef\xbb\xbftype,value\n", "\x00,\xff\n", "\"type,value\n"}))
	for i := rng.IntN(20); i >= 0; i-- {
		typ := pick(rng, []string{"pdq", "sha256", "md5", "url", "wallet", "", "PDQ", "\x00", "\xff"})
		val := pick(rng, append([]string{pick(rng, f.pdqHashes), "https://t.me/+x" + strconv.Itoa(rng.IntN(100)), "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", strings.Repeat("e", 64), strings.Repeat("f", 32)}, badStrings[:10]...))
		label := pick(rng, []string{"propaganda", "financing", "", "bogus", "\x00", "\xff"})
		switch rng.IntN(8) {
		case 0:
			fmt.Fprintf(&b, "%s,\"%s,%s\n", typ, val, label) // unbalanced quote
		case 1:
			b.WriteString(strings.Repeat(val+",", 200) + "\n")
		case 2:
			fmt.Fprintf(&b, "%s\r\n", val)
		default:
			fmt.Fprintf(&b, "%s,%s,%s,fuzz,2026-01-01T00:00:00Z\n", typ, val, label)
		}
	}
	if rng.IntN(20) == 0 {
		b.WriteString(strings.Repeat("x", 2<<20))
	}
	return b.Bytes()
}

// imageBody is a valid small PNG, a truncated one, one whose header claims
// a huge size, or random bytes.
func (f *fuzzer) imageBody(rng *rand.Rand) []byte {
	switch rng.IntN(5) {
	case 0:
		return f.smallImage
	case 1:
		return f.smallImage[:rng.IntN(len(f.smallImage))]
	case 2:
		return hugePNGHeader(uint32(1+rng.IntN(1<<20)), uint32(1+rng.IntN(1<<20)))
	case 3:
		b := make([]byte, rng.IntN(4096))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	return []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
}

func pngImage(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 16), 128, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// hugePNGHeader is a PNG signature and an IHDR chunk claiming w×h pixels,
// with no image data: a decoder must refuse it without allocating w×h.
func hugePNGHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}
