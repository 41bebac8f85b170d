// Command poststream sends posts to POST /api/v1/posts until it is stopped
// (SIGINT or SIGTERM), and writes the id and source id of every post the
// server acknowledged (2xx, no error for that post) to -acked. A server that
// goes away is waited for; a request without an answer is not counted.
//
// With -verify FILE it reads such a file instead and asks the server for
// every acknowledged post, then prints "acknowledged X, stored Y, lost Z"
// and exits 1 if any was lost.
//
//	go run ./scripts/poststream -url http://127.0.0.1:8470 -acked acked.txt
//	go run ./scripts/poststream -url http://127.0.0.1:8470 -verify acked.txt
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8470", "server address")
	key := flag.String("key", "", "API key sent as a bearer token; empty sends no credentials")
	conc := flag.Int("c", 4, "requests in flight")
	batch := flag.Int("batch", 5, "posts per request")
	acked := flag.String("acked", "acked.txt", "file the acknowledged posts are written to")
	verify := flag.String("verify", "", "check the acknowledged posts in this file instead of sending")
	flag.Parse()
	c := &client{base: *base, key: *key, http: &http.Client{Timeout: 30 * time.Second}}
	if *verify != "" {
		os.Exit(c.verify(*verify, *conc))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f, err := os.Create(*acked)
	if err != nil {
		fatalf("%v", err)
	}
	n, sent, failed := c.stream(ctx, f, *conc, *batch)
	if err := f.Close(); err != nil {
		fatalf("%v", err)
	}
	fmt.Fprintf(os.Stderr, "poststream: %d requests, %d without an answer or refused, %d posts acknowledged\n", sent, failed, n)
}

type client struct {
	base, key string
	http      *http.Client
}

func (c *client) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

type postResults struct {
	Results []struct {
		Index  int    `json:"index"`
		PostID int64  `json:"post_id"`
		Error  string `json:"error"`
	} `json:"results"`
}

// stream sends batches until ctx ends and records the acknowledged posts.
func (c *client) stream(ctx context.Context, out io.Writer, conc, batch int) (acked, sent, failed int64) {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	var mu sync.Mutex
	w := bufio.NewWriter(out)
	defer w.Flush()
	var nAcked, nSent, nFailed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < conc; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				ids := make([]string, batch)
				posts := make([]map[string]string, batch)
				for k := range posts {
					ids[k] = fmt.Sprintf("kill-%s-%d-%d-%d", run, g, i, k)
					posts[k] = map[string]string{"platform": "killtest", "source_id": ids[k], "text": "post " + ids[k] + " about the weather and the market today"}
				}
				body, _ := json.Marshal(posts)
				nSent.Add(1)
				status, data, err := c.do(ctx, "POST", "/api/v1/posts", body)
				if err != nil || status/100 != 2 {
					nFailed.Add(1)
					time.Sleep(20 * time.Millisecond) // the server may be restarting
					continue
				}
				var pr postResults
				if err := json.Unmarshal(data, &pr); err != nil {
					nFailed.Add(1)
					continue
				}
				mu.Lock()
				for _, r := range pr.Results {
					if r.Error == "" && r.PostID > 0 && r.Index < len(ids) {
						fmt.Fprintf(w, "%d %s\n", r.PostID, ids[r.Index])
						nAcked.Add(1)
					}
				}
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	return nAcked.Load(), nSent.Load(), nFailed.Load()
}

// verify reads every acknowledged post back through the API.
func (c *client) verify(path string, conc int) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fatalf("%v", err)
	}
	type ack struct {
		id       string
		sourceID string
	}
	var acks []ack
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if id, sid, ok := strings.Cut(line, " "); ok {
			acks = append(acks, ack{id, sid})
		}
	}
	var stored, lost atomic.Int64
	var mu sync.Mutex
	var examples []string
	next := make(chan ack)
	var wg sync.WaitGroup
	for g := 0; g < conc; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range next {
				var p struct {
					SourceID string `json:"source_id"`
				}
				status, body, err := c.do(context.Background(), "GET", "/api/v1/posts/"+a.id, nil)
				if err == nil && status == 200 && json.Unmarshal(body, &p) == nil && p.SourceID == a.sourceID {
					stored.Add(1)
					continue
				}
				lost.Add(1)
				mu.Lock()
				if len(examples) < 5 {
					examples = append(examples, fmt.Sprintf("post %s (%s): status %d %v %s", a.id, a.sourceID, status, err, strings.Join(strings.Fields(string(body)), " ")))
				}
				mu.Unlock()
			}
		}()
	}
	for _, a := range acks {
		next <- a
	}
	close(next)
	wg.Wait()
	fmt.Printf("acknowledged %d, stored %d, lost %d\n", len(acks), stored.Load(), lost.Load())
	for _, e := range examples {
		fmt.Println("  lost:", e)
	}
	if lost.Load() > 0 {
		return 1
	}
	return 0
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "poststream: "+format+"\n", args...)
	os.Exit(2)
}
