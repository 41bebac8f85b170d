package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDemoCollectsFromItsSources(t *testing.T) {
	data := t.TempDir()
	code, out, errs := run(t, "", "demo", "--no-serve", "--data", data)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s %s", code, out, errs)
	}
	for _, want := range []string{"source demo-feed (feed) collected 3 new posts", "source demo-telegram (telegram) collected 6 new posts"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// A second run finds the fixture on a new port and stores nothing twice.
	_, out, _ = run(t, "", "demo", "--no-serve", "--data", data)
	if !strings.Contains(out, "demo-feed (feed) collected 0 new") || !strings.Contains(out, "demo-telegram (telegram) collected 0 new") {
		t.Errorf("second demo run:\n%s", out)
	}
	_, list, _ := run(t, "", "source", "list", "--data", data)
	if !regexp.MustCompile(`demo-telegram\s+telegram\s+1m\s+ok\s+\S+ \S+\s+6\s+6`).MatchString(list) {
		t.Errorf("source list:\n%s", list)
	}
}

func TestSourceCommands(t *testing.T) {
	data := t.TempDir()
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<rss version="2.0"><channel><title>t</title><item><title>a</title><guid>https://a.example/1</guid></item></channel></rss>`)
	}))
	defer feed.Close()
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"add", "--kind", "feed", "--name", "local", "--interval", "1m", `{"url":"` + feed.URL + `/feed.xml"}`}, 0, `source "local" added (feed, every 1m)`},
		{[]string{"add", "--kind", "feed", "--name", "local", `{"url":"` + feed.URL + `/feed.xml"}`}, 1, "already exists"},
		{[]string{"add", "--kind", "gopher", "--name", "g", `{}`}, 2, `kind: "gopher" is not one of feed, telegram, x-search`},
		{[]string{"add", "--kind", "telegram", "--name", "t", `{"channel":"a b"}`}, 2, "not a public channel"},
		// Named flags, read by the rules of the Sources page's form.
		{[]string{"add", "--kind", "telegram", "--name", "tg", "--channel", "https://t.me/news_channel", "--depth", "20", "--interval", "1h30m"}, 0, `source "tg" added (telegram, every 1h30m)`},
		{[]string{"add", "--kind", "telegram", "--name", "t2", "--channel", "ab"}, 2, `channel: "ab" is not a public channel's username`},
		{[]string{"add", "--kind", "x-search", "--name", "x2", "--max-results", "500", "--query", "q"}, 2, `max_results: "500" is not a whole number from 10 to 100`},
		{[]string{"add", "--kind", "feed", "--name", "f2", "--url", "http://x.example/f", "--interval", "5s"}, 2, "interval: 5s is shorter than 10s"},
		{[]string{"add", "--kind", "feed", "--name", "f3", "--url", "http://x.example/f", `{"url":"http://x.example/f"}`}, 2, "not both"},
		{[]string{"rm", "tg"}, 0, ""},
		{[]string{"pause", "local"}, 0, ""},
		{[]string{"list"}, 0, "paused"},
		{[]string{"resume", "local"}, 0, ""},
		// The collector never reaches loopback unless told to: the poll
		// fails with the guard's reason and the failure is recorded.
		{[]string{"run", "local"}, 1, "is not a public address"},
		{[]string{"list"}, 0, "failing"},
		// Listed, the same loopback feed is collected.
		{[]string{"run", "--allow-private", "127.0.0.0/8", "local"}, 0, "1 new"},
		{[]string{"run", "--allow-private", "http://nope/", "local"}, 2, `allow-list entry "http://nope/"`},
		{[]string{"rm", "local"}, 0, ""},
		{[]string{"rm", "local"}, 1, "not found"},
	}
	for _, s := range steps {
		code, out, errs := run(t, "", append(append([]string{"source"}, s.args[0], "--data", data), s.args[1:]...)...)
		if code != s.code || !strings.Contains(out+errs, s.want) {
			t.Errorf("source %v: exit %d, want %d with %q\n%s%s", s.args, code, s.code, s.want, out, errs)
		}
	}
}

func TestServeReportsSourceHealth(t *testing.T) {
	data := t.TempDir()
	run(t, "", "source", "add", "--data", data, "--kind", "feed", "--name", "inside", "--interval", "1m", `{"url":"http://10.0.0.1/feed.xml"}`)
	addr, stop := serve(t, data)
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), `marsad_source_errors_total{source="inside"} 1`) && strings.Contains(string(b), `marsad_source_up{source="inside"} 0`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no source health in /metrics:\n%s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
