package classifier

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeGzip(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// A jsonl.gz source of articles becomes one example per paragraph; the
// paragraphs that mention the topic get its label and are hard negatives;
// the others are capped by other_limit; an article's paragraphs share a
// split.
func TestJSONLParagraphsAndTopic(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, `{"url":"u%d","content":"The bombing claimed by the group killed %d people, police said.\n\nshort\n\nThe football club won the league on Sunday night %d.","n":%d}`+"\n", i, i, i, i)
	}
	writeGzip(t, filepath.Join(dir, "a.jsonl.gz"), b.String())
	spec := `{"seed": 3, "test_percent": 20, "calib_percent": 10, "sources": [{"name": "news", "files": ["a.jsonl.gz"], "format": "jsonl",
		"text": "content", "id": "url", "group": "url", "lang": "en", "paragraphs": true, "min_chars": 20,
		"topic": {"terms": ["bombing"], "label": "news_reporting", "other_limit": 10}}]}`
	os.WriteFile(filepath.Join(dir, "spec.json"), []byte(spec), 0o644)
	s, err := ReadSpec(filepath.Join(dir, "spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	exs, err := s.Load(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var topic, other int
	split := map[string]Split{}
	for _, e := range exs {
		if strings.Contains(e.Text, "short") && len(e.Text) < 20 {
			t.Errorf("paragraph under min_chars kept: %q", e.Text)
		}
		if prev, ok := split[e.Group]; ok && prev != e.Split {
			t.Errorf("article %s split across %v and %v", e.Group, prev, e.Split)
		}
		split[e.Group] = e.Split
		switch {
		case strings.Contains(e.Text, "bombing"):
			topic++
			if len(e.Labels) != 1 || e.Labels[0] != NewsReporting || !e.HardNegative {
				t.Errorf("topic paragraph %+v: want news_reporting and a hard negative", e)
			}
		default:
			other++
			if len(e.Labels) != 0 || e.HardNegative {
				t.Errorf("other paragraph %+v: want no label", e)
			}
		}
	}
	if topic != 30 || other != 10 {
		t.Errorf("%d topic and %d other paragraphs, want 30 and 10 (other_limit)", topic, other)
	}

	// A line that is not JSON names its line.
	writeGzip(t, filepath.Join(dir, "a.jsonl.gz"), `{"url":"u","content":"x"}`+"\n{not json\n")
	if _, err := s.Load(context.Background(), dir, nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad jsonl: err = %v, want one naming line 2", err)
	}
	// A missing field is named.
	writeGzip(t, filepath.Join(dir, "a.jsonl.gz"), `{"url":"u","body":"x"}`+"\n")
	if _, err := s.Load(context.Background(), dir, nil); err == nil || !strings.Contains(err.Error(), `"content"`) {
		t.Errorf("missing field: err = %v, want one naming content", err)
	}
}

// Weak examples that a first model trained without them does not see as
// their label train at their floor; those it agrees with keep more.
func TestWeakLabelsWeighedByAgreement(t *testing.T) {
	exs := synthetic()
	for i := 0; i < 40; i++ {
		text := "glory to the soldiers of the caliphate remaining"
		if i%2 == 1 {
			text = "lovely weather for a walk who is cooking"
		}
		exs = append(exs, Example{Source: "accounts", ID: fmt.Sprint("w", i), Text: text, Lang: "en", Weight: 1,
			Labels: []Label{Propaganda}, AccountLevel: true, Weak: true, WeakFloor: 0.05, Split: SplitTrain})
	}
	m, err := Train(context.Background(), exs, TrainOptions{Features: smallFeatures, Epochs: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m.info.WeakExamples != 40 {
		t.Fatalf("weak examples = %d, want 40", m.info.WeakExamples)
	}
	// Half agree (about weight 1), half do not (the floor).
	if w := m.info.WeakMeanWeight; w < 0.2 || w > 0.8 {
		t.Errorf("mean weak weight %.3f, want between the floor and 1", w)
	}
	// The chatter the accounts posted does not become propaganda.
	r := m.Classify("lovely weather for a walk who is cooking")
	if p := r.Get(Propaganda); p.Over() {
		t.Errorf("chatter of weak accounts scored propaganda %.2f over %.2f", p.Score, p.Threshold)
	}
}

func TestScriptOf(t *testing.T) {
	for _, c := range []struct {
		text string
		want script
	}{
		{"الدولة الإسلامية باقية", scriptArabic},
		{"the state remains", scriptLatin},
		{"RT @x: الدولة الإسلامية باقية وتتمدد http://t.co/x", scriptArabic},
		{"Paris attack: خبر عاجل is all we know so far from the police", scriptLatin},
		{"12345 !!", scriptLatin},
	} {
		var x extractor
		x.extract(c.text, DefaultFeatures)
		if x.script != c.want {
			t.Errorf("%q: script %d, want %d", c.text, x.script, c.want)
		}
	}
}

// Leave-one-source-out scores every post of the left-out source with a
// model that never saw it and reports negative-only sources' FPR.
func TestLeaveOneSourceOut(t *testing.T) {
	exs := synthetic()
	for i, text := range []string{"lovely weather for a walk", "who is cooking dinner tonight", "police said the attack killed people"} {
		exs = append(exs, Example{Source: "chatter", ID: fmt.Sprint(i), Text: text, Lang: "en", Weight: 1, Split: SplitTest})
	}
	r, err := LeaveOneSourceOut(context.Background(), exs, TrainOptions{Features: smallFeatures, Epochs: 20, Seed: 1}, []string{"chatter"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sources) != 1 || r.Sources[0].Source != "chatter" || r.Sources[0].Overall.N != 3 || !r.Sources[0].NegativeOnly || r.Sources[0].FP.N != 3 {
		t.Fatalf("report %+v, want chatter's 3 posts, negative only", r.Sources)
	}
	if _, err := LeaveOneSourceOut(context.Background(), exs, TrainOptions{Features: smallFeatures}, []string{"nope"}, nil); err == nil {
		t.Error("unknown source: no error")
	}
	var b strings.Builder
	r.WriteText(&b, nil)
	if !strings.Contains(b.String(), "chatter") {
		t.Errorf("text report does not name the source:\n%s", b.String())
	}
}
