// Command loadgen measures marsad's HTTP API under load: for each endpoint
// in turn it keeps -c requests in flight for -d, then prints requests/s,
// p50 and p99 latency and the responses by status class, one row per
// endpoint. Requests that get no answer (timeout, refused connection) are
// counted apart from 4xx and 5xx.
//
//	go run ./scripts/loadgen -url http://127.0.0.1:8470 -key mk_... -d 10s -c 16
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// endpoint is one kind of request under load.
type endpoint struct {
	name string
	// build makes the n-th request of worker w.
	build func(w, n int) (*http.Request, error)
}

type result struct {
	latencies           []time.Duration
	s2xx, s4xx, s5xx    int
	other, transportErr int
	firstErr            string
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8470", "server address")
	key := flag.String("key", "", "API key sent as a bearer token; empty sends no credentials")
	storeName := flag.String("store", "?", "store name for the table")
	authName := flag.String("auth", "", "auth column for the table (default: key or none)")
	dur := flag.Duration("d", 10*time.Second, "how long each endpoint is loaded")
	conc := flag.Int("c", 16, "requests in flight")
	timeout := flag.Duration("timeout", 30*time.Second, "give up on one request after this long")
	list := flag.String("endpoints", "match-hash,match-image,cases,posts", "endpoints to load, in order: match-hash, match-image, cases, posts")
	image := flag.String("image", "", "image file for match-image")
	hashes := flag.String("hashes", "", "comma-separated PDQ hashes for match-hash (default: random ones)")
	header := flag.Bool("header", false, "print the table header first")
	flag.Parse()

	if *authName == "" {
		*authName = "none"
		if *key != "" {
			*authName = "key"
		}
	}
	var img []byte
	if strings.Contains(*list, "match-image") {
		if *image == "" {
			fatalf("match-image needs -image FILE")
		}
		var err error
		if img, err = os.ReadFile(*image); err != nil {
			fatalf("%v", err)
		}
	}
	hs := strings.FieldsFunc(*hashes, func(r rune) bool { return r == ',' })
	for len(hs) < 8 {
		hs = append(hs, randomHash())
	}
	matchBody, _ := json.Marshal(map[string][]string{"hashes": hs})
	run := fmt.Sprintf("%x", time.Now().UnixNano())

	newReq := func(method, path, ctype string, body []byte) (*http.Request, error) {
		req, err := http.NewRequest(method, *base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if *key != "" {
			req.Header.Set("Authorization", "Bearer "+*key)
		}
		return req, nil
	}
	all := map[string]endpoint{
		"match-hash": {"POST /api/v1/match (hashes)", func(int, int) (*http.Request, error) {
			return newReq("POST", "/api/v1/match", "application/json", matchBody)
		}},
		"match-image": {"POST /api/v1/match (image)", func(int, int) (*http.Request, error) {
			return newReq("POST", "/api/v1/match", "image/png", img)
		}},
		"cases": {"GET /api/v1/cases", func(int, int) (*http.Request, error) {
			return newReq("GET", "/api/v1/cases?state=open&limit=50", "", nil)
		}},
		"posts": {"POST /api/v1/posts", func(w, n int) (*http.Request, error) {
			body, _ := json.Marshal(map[string]any{
				"platform": "load", "source_id": fmt.Sprintf("%s-%d-%d", run, w, n), "author": fmt.Sprintf("acct%d", n%500),
				"lang": "en", "text": postText(w, n), "posted_at": time.Now().UTC().Format(time.RFC3339),
			})
			return newReq("POST", "/api/v1/posts", "application/json", body)
		}},
	}
	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}
	if *header {
		fmt.Printf("%-9s %-28s %-5s %9s %9s %9s %9s %7s %6s %6s %6s\n", "store", "endpoint", "auth", "req/s", "p50", "p99", "max", "2xx", "4xx", "5xx", "noresp")
	}
	for _, name := range strings.Split(*list, ",") {
		ep, ok := all[strings.TrimSpace(name)]
		if !ok {
			fatalf("unknown endpoint %q", name)
		}
		res, elapsed := load(client, ep, *conc, *dur)
		lat := res.latencies
		slices.Sort(lat)
		n := res.s2xx + res.s4xx + res.s5xx + res.other
		fmt.Printf("%-9s %-28s %-5s %9.1f %9s %9s %9s %7d %6d %6d %6d\n", *storeName, ep.name, *authName,
			float64(n)/elapsed.Seconds(), pct(lat, 0.50), pct(lat, 0.99), pct(lat, 1), res.s2xx, res.s4xx, res.s5xx, res.transportErr+res.other)
		if res.firstErr != "" {
			fmt.Fprintf(os.Stderr, "  %s %s: first failure: %s\n", *storeName, ep.name, res.firstErr)
		}
	}
}

// load keeps conc requests of ep in flight for d. Requests still in flight
// when d ends are waited for and counted.
func load(client *http.Client, ep endpoint, conc int, d time.Duration) (result, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var total result
	var seq atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var r result
			for ctx.Err() == nil {
				n := int(seq.Add(1))
				req, err := ep.build(w, n)
				if err != nil {
					fatalf("%s: %v", ep.name, err)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					r.transportErr++
					if r.firstErr == "" {
						r.firstErr = err.Error()
					}
					time.Sleep(10 * time.Millisecond) // do not spin on a dead server
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				r.latencies = append(r.latencies, time.Since(t0))
				switch c := resp.StatusCode; {
				case c >= 200 && c < 300:
					r.s2xx++
				case c >= 400 && c < 500:
					r.s4xx++
				case c >= 500:
					r.s5xx++
				default:
					r.other++
				}
				if resp.StatusCode >= 400 && r.firstErr == "" {
					r.firstErr = fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(body))
				}
			}
			mu.Lock()
			total.latencies = append(total.latencies, r.latencies...)
			total.s2xx += r.s2xx
			total.s4xx += r.s4xx
			total.s5xx += r.s5xx
			total.other += r.other
			total.transportErr += r.transportErr
			if total.firstErr == "" {
				total.firstErr = r.firstErr
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	return total, time.Since(start)
}

func pct(sorted []time.Duration, p float64) string {
	if len(sorted) == 0 {
		return "-"
	}
	d := sorted[int(float64(len(sorted)-1)*p)]
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
}

var words = strings.Fields("people city today news market road school water sun evening morning children work home book sport match weather government university hospital food travel family friends")

func postText(w, n int) string {
	r := rand.New(rand.NewPCG(uint64(w), uint64(n)))
	parts := make([]string, 12+r.IntN(20))
	for i := range parts {
		parts[i] = words[r.IntN(len(words))]
	}
	return strings.Join(parts, " ")
}

func randomHash() string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(rand.IntN(256))
	}
	return fmt.Sprintf("%x", b)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	os.Exit(2)
}
