package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

func newPipeline(t *testing.T, s *store.Store) *pipeline.Pipeline {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "img.bin"), []byte("not really an image"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.bin"), nil, 0o644)
	return &pipeline.Pipeline{Store: s, Blobs: blob.New(filepath.Join(dir, "blobs"), 1<<20), MediaDir: dir, MaxMediaBytes: 1 << 20}
}

const batch = `{"platform":"x","source_id":"1","author":"a","text":"hello https://Example.com/a?utm_source=x"}
{"platform":"x","source_id":"2","text":"broken"
{"platform":"x","source_id":"3","text":"hi","colour":"red"}
{"platform":"x","text":"no id"}

{"platform":"x","source_id":"5","text":"` + "\xff\xfe" + `"}
{"platform":"x","source_id":"6","media":[{"path":"missing.png"}]}
{"platform":"x","source_id":"7","media":[{"path":"img.bin"}],"text":"with media"}
{"platform":"x","source_id":"8","media":[{"path":"empty.bin"}]}
{"platform":"x","source_id":"1","author":"a","text":"hello again"}
{"platform":"x","source_id":"9","posted_at":"yesterday","text":"bad time"}
{"platform":"x","source_id":"10","media":[{"pdq":"abc"}]}
`

func TestIngestJSONLBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		rep, err := p.IngestJSONL(ctx, strings.NewReader(batch), pipeline.IngestOptions{Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Items != 11 || rep.Created != 3 || rep.Duplicates != 1 || len(rep.Errors) != 7 {
			t.Fatalf("report = %s; errors: %v", rep, rep.Errors)
		}
		want := map[int]string{
			2:  "malformed JSON: the object is not closed",
			3:  "colour: unknown field",
			4:  "source_id: required",
			6:  "invalid UTF-8",
			7:  "media[0].path: no such file",
			11: `posted_at: "yesterday" is not an RFC 3339 time`,
			12: "media[0].pdq: pdq",
		}
		got := map[int]string{}
		for _, e := range rep.Errors {
			got[e.Item] = e.Error()
		}
		for line, frag := range want {
			if !strings.Contains(got[line], frag) {
				t.Errorf("line %d: error %q, want it to mention %q", line, got[line], frag)
			}
		}
		// Line 9's empty file is refused, its post kept.
		if _, ok := got[9]; ok || len(rep.MediaRefused) != 1 || rep.MediaRefused[0].Item != 9 || !strings.Contains(rep.MediaRefused[0].Error(), "empty") {
			t.Errorf("line 9: error %q, media refused %v; want the post kept and its empty media refused", got[9], rep.MediaRefused)
		}
		// The duplicate on line 11 changed nothing.
		post, err := s.PostBySource(ctx, "x", "1")
		if err != nil || post.Text != "hello https://Example.com/a?utm_source=x" {
			t.Fatalf("post 1 = %+v, %v", post, err)
		}
		sigs, _ := s.Signals(ctx, post.ID)
		if len(sigs) != 1 || sigs[0].Value != "https://example.com/a" {
			t.Fatalf("signals = %+v", sigs)
		}
		withMedia, _ := s.PostBySource(ctx, "x", "7")
		if withMedia.Media[0].SHA256 == "" || withMedia.Media[0].MD5 == "" || withMedia.Media[0].Type != "file" {
			t.Fatalf("media digests not recorded: %+v", withMedia.Media)
		}
		if f, err := p.Blobs.Open(withMedia.Media[0].SHA256); err != nil {
			t.Fatalf("media not kept: %v", err)
		} else {
			f.Close()
		}
		// A second run of the same batch stores nothing new.
		rep2, err := p.IngestJSONL(ctx, strings.NewReader(batch), pipeline.IngestOptions{})
		if err != nil || rep2.Created != 0 || rep2.Duplicates != 4 {
			t.Fatalf("second run: %s, %v", rep2, err)
		}
		if n, _ := s.CountPosts(ctx); n != 3 {
			t.Fatalf("%d posts stored, want 3", n)
		}
		evs, _ := s.AuditEvents(ctx, store.AuditFilter{Subject: "batch"})
		if len(evs) != 2 || !strings.Contains(evs[0].Detail, "3 new") {
			t.Fatalf("ingest audit events = %+v", evs)
		}
	})
}

func TestIngestLineTooLong(t *testing.T) {
	s := storetest.SQLite(t)
	p := newPipeline(t, s)
	in := `{"platform":"x","source_id":"1","text":"` + strings.Repeat("a", 300) + `"}` + "\n" + `{"platform":"x","source_id":"2","text":"short"}` + "\n"
	rep, err := p.IngestJSONL(context.Background(), strings.NewReader(in), pipeline.IngestOptions{MaxLineBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 1 || len(rep.Errors) != 1 || rep.Errors[0].Item != 1 || !strings.Contains(rep.Errors[0].Error(), "longer than 100") {
		t.Fatalf("report %s, errors %v", rep, rep.Errors)
	}
}

func TestBankMatchOpensCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		if err := s.CreateBank(ctx, &model.Bank{Name: "b", Enabled: true, AutoAction: true}, "t"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEntries(ctx, "b", []model.BankEntry{
			{Type: model.SignalURL, Value: "https://t.me/joinchat/abc", Label: model.Propaganda},
			{Type: model.SignalWallet, Value: "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Label: model.Financing},
		}, "t"); err != nil {
			t.Fatal(err)
		}
		res, err := p.Ingest(ctx, &model.Post{Platform: "telegram", SourceID: "9", Text: "join telegram.me/joinchat/abc and send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"})
		if err != nil {
			t.Fatal(err)
		}
		if res.CaseID == 0 || len(res.Labels) != 2 {
			t.Fatalf("result = %+v, want a case with financing and propaganda", res)
		}
		c, _ := s.Case(ctx, res.CaseID)
		if c.Priority != pipeline.PriorityAutoMatch || len(c.Reasons) != 2 || c.Reasons[0].Bank != "b" {
			t.Fatalf("case = %+v", c)
		}
		ms, _ := s.PostMatches(ctx, res.PostID)
		if len(ms) != 2 {
			t.Fatalf("matches = %+v", ms)
		}
		// A post with nothing to match opens no case.
		res, err = p.Ingest(ctx, &model.Post{Platform: "telegram", SourceID: "10", Text: "good morning"})
		if err != nil || res.CaseID != 0 || !res.Created {
			t.Fatalf("harmless post: %+v, %v", res, err)
		}
	})
}

func TestReprocessPicksUpNewEntries(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	p := newPipeline(t, s)
	res, err := p.Ingest(ctx, &model.Post{Platform: "x", SourceID: "1", Text: "see https://bad.example/page"})
	if err != nil || res.CaseID != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	s.CreateBank(ctx, &model.Bank{Name: "late", Enabled: true}, "t")
	s.AddEntries(ctx, "late", []model.BankEntry{{Type: model.SignalURL, Value: "https://bad.example/page", Label: model.Propaganda}}, "t")
	res, err = p.Reprocess(ctx, res.PostID)
	if err != nil || res.CaseID == 0 {
		t.Fatalf("reprocess: %+v %v", res, err)
	}
	// Reprocessing again keeps one case.
	res2, _ := p.Reprocess(ctx, res.PostID)
	if res2.CaseID != res.CaseID {
		t.Fatalf("second reprocess opened case %d, first %d", res2.CaseID, res.CaseID)
	}
}

func TestRoute(t *testing.T) {
	sc := func(l model.Label, v float64) model.Score {
		return model.Score{Label: l, Score: v, Threshold: 0.5, Model: "m"}
	}
	match := model.Match{Signal: model.Signal{Type: model.SignalPDQ}, BankName: "b", Entry: model.BankEntry{ID: 1, Label: model.Propaganda}}
	tests := []struct {
		name     string
		matches  []model.Match
		scores   []model.Score
		wantCase bool
		wantPrio int
	}{
		{"nothing", nil, nil, false, 0},
		{"below threshold", nil, []model.Score{sc(model.Incitement, 0.4)}, false, 0},
		{"incitement is urgent", nil, []model.Score{sc(model.Incitement, 0.9)}, true, 78},
		{"propaganda", nil, []model.Score{sc(model.Propaganda, 0.9)}, true, 58},
		{"news outscores propaganda", nil, []model.Score{sc(model.Propaganda, 0.7), sc(model.NewsReporting, 0.9)}, false, 0},
		{"counter-speech outscores incitement", nil, []model.Score{sc(model.Incitement, 0.6), sc(model.CounterSpeech, 0.8)}, false, 0},
		{"incitement outscores news", nil, []model.Score{sc(model.Incitement, 0.95), sc(model.NewsReporting, 0.6)}, true, 79},
		{"a bank match always opens a case", []model.Match{match}, []model.Score{sc(model.NewsReporting, 0.99)}, true, pipeline.PriorityMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := pipeline.Route(tt.matches, tt.scores)
			if (c != nil) != tt.wantCase {
				t.Fatalf("case = %+v, want case %v", c, tt.wantCase)
			}
			if c != nil && c.Priority != tt.wantPrio {
				t.Fatalf("priority %d, want %d", c.Priority, tt.wantPrio)
			}
		})
	}
}

func TestDecodePost(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{`{"platform":"x","source_id":"1"}`, ""},
		{`{"platform":"telegram","source_id":"1/3","reply_to":"1/2","forwarded_from":"Canal Exemple FR"}`, ""},
		{`{"platform":"x","source_id":"1","reply_to":5}`, "reply_to: want string"},
		{`{"platform":"x","source_id":"1"} {"a":1}`, "trailing data"},
		{`{"platform":1}`, "platform: want string"},
		{``, "empty input"},
		{`[1,2]`, "want model.Post"},
	} {
		_, err := pipeline.DecodePost([]byte(tt.in))
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("DecodePost(%q) = %v, want error containing %q", tt.in, err, tt.err)
		}
	}
}

func FuzzDecodePost(f *testing.F) {
	for _, line := range strings.Split(batch, "\n") {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := pipeline.DecodePost(data)
		if err == nil && p == nil {
			t.Fatal("nil post without error")
		}
		var ie *pipeline.ItemError
		_ = errors.As(err, &ie)
		_ = fmt.Sprint(err)
	})
}

// lowQualityHasher reports every image at quality 10 and a threshold of 50.
type lowQualityHasher struct{}

func (lowQualityHasher) HashImage(io.Reader) (string, int, error) {
	return strings.Repeat("cd", 32), 10, nil
}
func (lowQualityHasher) MinQuality() int { return 50 }

// nearAll matches every PDQ hash to one entry, to see which are asked.
type nearAll struct {
	entry model.BankEntry
	asked []string
}

func (n *nearAll) MatchPDQ(_ context.Context, h string) ([]model.Match, error) {
	n.asked = append(n.asked, h)
	return []model.Match{{BankName: "b", Entry: n.entry}}, nil
}

func TestPDQQualityGate(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	p := newPipeline(t, s)
	s.CreateBank(ctx, &model.Bank{Name: "b", Enabled: true}, "t")
	es := []model.BankEntry{{Type: model.SignalPDQ, Value: strings.Repeat("ab", 32), Label: model.Propaganda}}
	if _, err := s.AddEntries(ctx, "b", es, "t"); err != nil {
		t.Fatal(err)
	}
	near := &nearAll{entry: es[0]}
	p.Hasher, p.Near = lowQualityHasher{}, near
	os.WriteFile(filepath.Join(p.MediaDir, "img.png"), []byte("\x89PNG\r\n\x1a\nrest"), 0o644)
	// A hashed image below the quality threshold is recorded, not matched.
	res, err := p.Ingest(ctx, &model.Post{Platform: "x", SourceID: "1", Media: []model.Media{{Path: "img.png"}}})
	if err != nil || res.CaseID != 0 || len(near.asked) != 0 {
		t.Fatalf("low-quality image: %+v %v asked %v", res, err, near.asked)
	}
	sigs, _ := s.Signals(ctx, res.PostID)
	if !slices.ContainsFunc(sigs, func(g model.Signal) bool { return g.Type == model.SignalPDQ && g.Quality == 10 }) {
		t.Fatalf("low-quality hash not recorded: %+v", sigs)
	}
	// A hash sent without its quality is matched.
	res, err = p.Ingest(ctx, &model.Post{Platform: "x", SourceID: "2", Media: []model.Media{{PDQ: strings.Repeat("ab", 32)}}})
	if err != nil || res.CaseID == 0 || len(near.asked) != 1 {
		t.Fatalf("sender's hash: %+v %v asked %v", res, err, near.asked)
	}
}

// A post without a time is stored as of unknown time, not dated by its
// ingestion; a post whose media the export left out keeps it as missing.
func TestIngestUnknownTimeAndMissingMedia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		in := `{"platform":"x","source_id":"u1","text":"no time given","media":[{"type":"video","missing":"File not included"}]}
{"platform":"x","source_id":"u2","text":"dated","posted_at":"2026-01-02T03:04:05Z"}
`
		rep, err := p.IngestJSONL(ctx, strings.NewReader(in), pipeline.IngestOptions{Workers: 1})
		if err != nil || rep.Created != 2 {
			t.Fatalf("report %s, errors %v, err %v", rep, rep.Errors, err)
		}
		got, err := s.PostBySource(ctx, "x", "u1")
		if err != nil {
			t.Fatal(err)
		}
		if !got.PostedAtUnknown || !got.PostedAt.IsZero() {
			t.Fatalf("post without time stored as posted at %v (unknown %v)", got.PostedAt, got.PostedAtUnknown)
		}
		if len(got.Media) != 1 || got.Media[0].Missing != "File not included" {
			t.Fatalf("missing media not kept: %+v", got.Media)
		}
		dated, _ := s.PostBySource(ctx, "x", "u2")
		if dated.PostedAtUnknown || dated.PostedAt.Year() != 2026 {
			t.Fatalf("dated post: %v (unknown %v)", dated.PostedAt, dated.PostedAtUnknown)
		}
	})
}

// TestEmptyMediaKeepsPost: a post whose attachment is a zero-byte file is
// stored and its text scored, the attachment recorded as refused with its
// reason, whether it comes as a file beside a batch or as data over the
// API.
func TestEmptyMediaKeepsPost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		if err := s.CreateBank(ctx, &model.Bank{Name: "b", Enabled: true}, "t"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEntries(ctx, "b", []model.BankEntry{{Type: model.SignalURL, Value: "https://t.me/joinchat/abc", Label: model.Propaganda}}, "t"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			media model.Media
		}{
			{"file", model.Media{Path: "empty.bin"}},
			{"data", model.Media{Data: []byte{}}},
		} {
			post := &model.Post{Platform: "telegram", SourceID: tc.name, Text: "join t.me/joinchat/abc", Media: []model.Media{tc.media}}
			res, err := p.Ingest(ctx, post)
			if err != nil {
				t.Fatalf("%s: post refused: %v", tc.name, err)
			}
			if !res.Created || res.CaseID == 0 {
				t.Errorf("%s: result %+v: the text was not scored and matched", tc.name, res)
			}
			if len(res.MediaRefused) != 1 || !strings.Contains(res.MediaRefused[0], "media[0]: ") || !strings.Contains(res.MediaRefused[0], "empty (0 bytes)") {
				t.Errorf("%s: media refused %q", tc.name, res.MediaRefused)
			}
			got, err := s.Post(ctx, res.PostID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != post.Text || len(got.Media) != 1 || !strings.HasPrefix(got.Media[0].Error, pipeline.MediaRefusedPrefix) || got.Media[0].SHA256 != "" {
				t.Errorf("%s: stored post %q, media %+v", tc.name, got.Text, got.Media)
			}
		}
	})
}
