package twitter

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func readFile(t *testing.T, name, dir string) *Tweets {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw, err := Read(f, dir)
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

func TestReadAPIv2Page(t *testing.T) {
	tw := readFile(t, "testdata/search_page.json", "")
	if len(tw.Errors) != 0 || len(tw.Posts) != 4 {
		t.Fatalf("posts %d, errors %v", len(tw.Posts), tw.Errors)
	}
	p := tw.Posts[0]
	if p.Author != "test_media_office" || p.URL != "https://x.com/test_media_office/status/1880000000000000001" || p.Lang != "ar" ||
		!slices.Equal(p.Links, []string{"https://example.org/hamla/2025"}) || len(p.Media) != 1 || p.Media[0].URL != "https://pbs.twimg.example/media/AbCdEf.jpg" {
		t.Errorf("first = %+v", p)
	}
	ref := tw.Posts[3] // the retweeted tweet, from includes.tweets
	if ref.SourceID != "1880000000000000009" || ref.Author != "test_source" || len(ref.Media) != 1 || ref.Media[0].URL != "https://video.twimg.example/high.mp4" {
		t.Errorf("referenced = %+v", ref)
	}
	if rt := tw.Posts[1]; rt.ForwardedFrom != "test_source" || rt.ReplyTo != "" {
		t.Errorf("retweet: forwarded from %q, reply to %q", rt.ForwardedFrom, rt.ReplyTo)
	}
	if re := tw.Posts[2]; re.ReplyTo != "1880000000000000009" || re.ForwardedFrom != "" {
		t.Errorf("reply: reply to %q, forwarded from %q", re.ReplyTo, re.ForwardedFrom)
	}
	if p.ReplyTo != "" || p.ForwardedFrom != "" {
		t.Errorf("an original tweet has reply to %q, forwarded from %q", p.ReplyTo, p.ForwardedFrom)
	}
}

func TestRetweetOf(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"RT @test_source: Video", "test_source"},
		{"RT @a_b: ", "a_b"},
		{"rt @x: lower case is not a retweet", ""},
		{"RT @: empty", ""},
		{"RT @two words: no", ""},
		{"RT @no_colon", ""},
		{"Plain text", ""},
	} {
		if got := retweetOf(tc.text); got != tc.want {
			t.Errorf("retweetOf(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestReadPagesOnePerLine(t *testing.T) {
	in := `{"data":[{"id":"1","text":"a","created_at":"2025-01-01T00:00:00Z"}]}
{"data":[{"id":"2","text":"b","created_at":"2025-01-01T00:00:01Z"}],"meta":{"result_count":1}}
`
	tw, err := Read(strings.NewReader(in), "")
	if err != nil || len(tw.Posts) != 2 || tw.Posts[1].SourceID != "2" {
		t.Fatalf("%v %+v", err, tw)
	}
}

func TestReadArchive(t *testing.T) {
	tw := readFile(t, "testdata/archive/tweets.js", "testdata/archive")
	if len(tw.Errors) != 0 || len(tw.Posts) != 2 {
		t.Fatalf("posts %d, errors %v", len(tw.Posts), tw.Errors)
	}
	a, b := tw.Posts[0], tw.Posts[1]
	if a.Author != "archive_owner_test" || a.PostedAt.Format("2006-01-02T15:04") != "2023-09-08T09:00" || !slices.Equal(a.Links, []string{"https://example.com/rapport"}) {
		t.Errorf("first = %+v", a)
	}
	if b.ReplyTo != "1700000000000000101" || a.ReplyTo != "" {
		t.Errorf("archive reply to = %q, %q", a.ReplyTo, b.ReplyTo)
	}
	if len(b.Media) != 1 || b.Media[0].Path != "tweets_media/1700000000000000102-F5aBcD.jpg" || b.Media[0].URL == "" {
		t.Errorf("media = %+v", b.Media)
	}
}

func TestReadBadInput(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"malformed", "{\"data\": [\n {\"id\": \"1\",, }]}", "malformed JSON at line 2, column 13"},
		{"second page malformed", "{\"data\":[]}\n{\"data\": [}", "malformed JSON at line 2"},
		{"unknown shape", `{"statuses":[]}`, `response 1 (line 1): not an X API v2 response`},
		{"array", `[1,2]`, "not an X API v2 response"},
		{"api error", `{"errors":[{"title":"Unauthorized","detail":"bad token"}]}`, "the response is an error: Unauthorized: bad token"},
		{"wrong type", `{"data":"1"}`, "want an array, got JSON string"},
		{"wrong type in a tweet", `{"data":{"id":1}}`, "id: want a string, got JSON number"},
		{"archive no equals", `window.YTD.tweets.part0 [`, `no "="`},
		{"archive malformed", "window.YTD.tweets.part0 = [\n{\"tweet\": }]", "tweets.js: malformed JSON at line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in), "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	tw, err := Read(strings.NewReader(`{"data":[{"text":"no id"},{"id":"2","created_at":"tomorrow"},{"id":"3","text":"kept"}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(tw.Posts) != 1 || len(tw.Errors) != 2 || tw.Errors[0].Error() != "response 1 data[0]: id: required" ||
		!strings.Contains(tw.Errors[1].Error(), `response 1 data[1]: created_at: "tomorrow"`) {
		t.Fatalf("posts %+v errors %v", tw.Posts, tw.Errors)
	}
}

// TestReadLookupAndStream: a single-tweet lookup (data one object) and a
// filtered-stream capture (one such object per line, keep-alive blank
// lines, a disconnection message) are read; unwound_url is kept as a
// link; withheld tweets and tweets the response says are gone are marked;
// a tweet without created_at is counted and left without a time.
func TestReadLookupAndStream(t *testing.T) {
	tw := readFile(t, "testdata/tweet_lookup.json", "")
	if len(tw.Errors) != 0 || len(tw.Posts) != 1 || tw.NoTime != 0 {
		t.Fatalf("lookup: posts %+v, errors %v", tw.Posts, tw.Errors)
	}
	p := tw.Posts[0]
	if p.SourceID != "1880000000000000021" || p.Author != "lookup_test" || p.PostedAt.IsZero() {
		t.Errorf("lookup post = %+v", p)
	}
	if want := []string{"https://bit.example/x7", "https://example.org/bayan/final"}; !slices.Equal(p.Links, want) {
		t.Errorf("links = %q, want %q", p.Links, want)
	}
	if want := "withheld in DE, FR; the quoted tweet 1880000000000000020 is gone: Could not find tweet with referenced_tweets.id: [1880000000000000020]."; p.Notice != want {
		t.Errorf("notice = %q, want %q", p.Notice, want)
	}
	if len(tw.Gone) != 1 || !strings.HasPrefix(tw.Gone[0], "1880000000000000020: Could not find tweet") {
		t.Errorf("gone = %q", tw.Gone)
	}

	tw = readFile(t, "testdata/stream.jsonl", "")
	if len(tw.Posts) != 3 || tw.NoTime != 1 || len(tw.Errors) != 1 || !strings.Contains(tw.Errors[0].Error(), "response 3 (line 4): the response is an error: operational-disconnect") {
		t.Fatalf("stream: posts %d, no time %d, errors %v", len(tw.Posts), tw.NoTime, tw.Errors)
	}
	if b := tw.Posts[1]; b.SourceID != "1880000000000000032" || !b.PostedAt.IsZero() || b.Author != "stream_b" {
		t.Errorf("tweet without created_at = %+v", b)
	}
	if !slices.Equal(tw.Posts[0].Links, []string{"https://example.net/join"}) {
		t.Errorf("links without unwound_url = %q", tw.Posts[0].Links)
	}

	// A lookup of a deleted tweet is no error: the tweet is gone.
	tw = readFile(t, "testdata/deleted_lookup.json", "")
	if len(tw.Posts) != 0 || len(tw.Errors) != 0 || len(tw.Gone) != 1 || !strings.HasPrefix(tw.Gone[0], "1880000000000000040: ") {
		t.Fatalf("deleted: %+v", tw)
	}
}

func FuzzRead(f *testing.F) {
	for _, n := range []string{"testdata/search_page.json", "testdata/archive/tweets.js", "testdata/tweet_lookup.json", "testdata/stream.jsonl"} {
		b, _ := os.ReadFile(n)
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		tw, err := Read(strings.NewReader(in), "")
		if err == nil {
			for _, p := range tw.Posts {
				if p.SourceID == "" {
					t.Fatal("post without id")
				}
			}
		}
	})
}

func TestReadPage(t *testing.T) {
	b, err := os.ReadFile("testdata/search_page.json")
	if err != nil {
		t.Fatal(err)
	}
	pg, tw, err := ReadPage(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(tw.Posts) != 4 || len(pg.Data) != 3 || tw.Posts[0].Author != "test_media_office" {
		t.Errorf("data %d, posts %d: %+v", len(pg.Data), len(tw.Posts), tw.Posts)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"data": [`, "JSON"},
		{`[1,2]`, "not an X API v2 response"},
		{`{"errors":[{"title":"Unauthorized","detail":"Unauthorized"}]}`, "the response is an error: Unauthorized"},
	} {
		if _, _, err := ReadPage([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.in, err, tt.want)
		}
	}
	if pg, tw, err := ReadPage([]byte(`{"meta":{"result_count":0}}`)); err != nil || len(tw.Posts) != 0 || pg.Meta.NextToken != "" {
		t.Errorf("empty result: %v %+v", err, tw)
	}
}
