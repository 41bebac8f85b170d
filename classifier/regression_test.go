package classifier_test

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/pipeline"
)

// maxEverydayFPR bounds the share of held-out everyday posts (sport, food,
// weather, family, prayer, ...) that the default model may flag at its
// default thresholds. A reviewer queue fed by a model that flags ordinary
// posts at a higher rate is flooded.
const maxEverydayFPR = 0.03

// maxEverydayLangFPR bounds the share in each language: a model may not
// pass the overall bound by being clean in one language only.
const maxEverydayLangFPR = 0.10

// TestEverydayHeldOut scores testdata/everyday_heldout.tsv, everyday posts
// that no training spec reads, and fails when more than maxEverydayFPR of
// them reach a harmful label's threshold.
func TestEverydayHeldOut(t *testing.T) {
	m, err := classifier.Default()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/everyday_heldout.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, flagged, line := 0, 0, 0
	byLang := map[string][2]int{}
	for sc.Scan() {
		line++
		s := sc.Text()
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		lang, text, ok := strings.Cut(s, "\t")
		if !ok || text == "" {
			t.Fatalf("everyday_heldout.tsv:%d: want language, tab, text", line)
		}
		n++
		c := byLang[lang]
		c[0]++
		if r := m.Classify(text); len(r.Flagged()) > 0 {
			flagged++
			c[1]++
			t.Logf("flagged %v: %q", r.Flagged(), text)
		}
		byLang[lang] = c
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("only %d held-out posts read", n)
	}
	for lang, c := range byLang {
		t.Logf("%s: %d of %d flagged", lang, c[1], c[0])
		if fpr := float64(c[1]) / float64(c[0]); fpr > maxEverydayLangFPR {
			t.Errorf("%s: %d of %d everyday posts flagged (FPR %.3f), want at most %.3f", lang, c[1], c[0], fpr, maxEverydayLangFPR)
		}
	}
	if fpr := float64(flagged) / float64(n); fpr > maxEverydayFPR {
		t.Errorf("%d of %d everyday posts flagged (FPR %.3f), want at most %.3f", flagged, n, fpr, maxEverydayFPR)
	}
}

type demoPost struct {
	SourceID string `json:"source_id"`
	Author   string `json:"author"`
	Text     string `json:"text"`
}

// killWords are the explicit calls to kill in the demo's incitement posts.
var killWords = regexp.MustCompile(`(?i)\bkill\b|اقتلوا|\btuez\b`)

// TestDemoPosts checks the default model, routed as the pipeline routes it,
// on the demo posts (internal/demo/posts.jsonl, never trained on): the
// calls to kill by the demo's extremist accounts must reach the incitement
// threshold, and news, counter-speech and everyday posts must open no case.
func TestDemoPosts(t *testing.T) {
	m, err := classifier.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../internal/demo/posts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	inciters := map[string]bool{"@raya_sawda": true, "@black_banner_en": true, "@etendard_noir_fr": true}
	harmless := map[string]bool{
		"@imam_salam": true, "mubadarat.shabab": true, "@survivors_voice": true, "@paroles_de_paix": true, // counter-speech
		"@ahmad_k": true, "@foodie_sam": true, "@marie_cuisine": true, "charity.water.relief": true, // everyday
	}
	scorer := pipeline.TextScorer{Model: m}
	var nKill, nHarmless int
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var p demoPost
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("posts.jsonl:%d: %v", i+1, err)
		}
		_, scores := scorer.Score(p.Text)
		switch {
		case inciters[p.Author] && killWords.MatchString(p.Text):
			nKill++
			for _, s := range scores {
				if s.Label == "incitement" && s.Score < s.Threshold {
					t.Errorf("%s (%s): incitement %.3f under threshold %.2f: %q", p.SourceID, p.Author, s.Score, s.Threshold, p.Text)
				}
			}
		case strings.HasPrefix(p.SourceID, "news-") || harmless[p.Author]:
			nHarmless++
			if c := pipeline.Route(nil, scores); c != nil {
				t.Errorf("%s (%s): opened a case %v: %q", p.SourceID, p.Author, c.Labels, p.Text)
			}
		}
	}
	if nKill < 3 || nHarmless < 12 {
		t.Fatalf("demo posts changed: %d calls to kill, %d news/counter-speech/everyday posts", nKill, nHarmless)
	}
}
