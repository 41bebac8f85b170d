package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestClassifyCommand(t *testing.T) {
	code, out, errs := run(t, "", "classify", "--json",
		"Send bitcoin to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 to equip the mujahideen.",
		"Police said the attacker had pledged allegiance to the Islamic State.")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d JSON lines, want 2:\n%s", len(lines), out)
	}
	var r struct {
		Text    string   `json:"text"`
		Lang    string   `json:"lang"`
		Flagged []string `json:"flagged"`
		Scores  []struct {
			Label     string  `json:"label"`
			Score     float64 `json:"score"`
			Threshold float64 `json:"threshold"`
			Evidence  []struct {
				Feature, Kind string
			} `json:"evidence"`
		} `json:"scores"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Lang != "en" || len(r.Flagged) != 1 || r.Flagged[0] != "financing" || len(r.Scores) != 8 {
		t.Errorf("first result: lang %s, flagged %v, %d scores", r.Lang, r.Flagged, len(r.Scores))
	}
	if r.Scores[2].Label != "financing" || len(r.Scores[2].Evidence) == 0 {
		t.Errorf("financing score without evidence: %+v", r.Scores[2])
	}

	code, out, _ = run(t, "first line\n\nsecond line\n", "classify")
	if code != 0 || strings.Count(out, "threshold") != 16 {
		t.Errorf("stdin: exit %d, output:\n%s", code, out)
	}
}

func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"classify", "--threshold", "evil=0.5", "x"}, 2, `unknown label "evil"`},
		{[]string{"classify", "--threshold", "propaganda=2", "x"}, 2, "want a number in 0..1"},
		{[]string{"classify", "--threshold", "propaganda", "x"}, 2, "want label=value"},
		{[]string{"classify", "--model", "/nonexistent/model", "x"}, 1, "no such file"},
		{[]string{"eval", "--split", "dev"}, 2, `--split "dev"`},
		{[]string{"train", "--spec", "/nonexistent/spec.json"}, 1, "no such file"},
		{[]string{"langid", "--train", "--eval"}, 2, "exclude each other"},
	}
	for _, tt := range tests {
		code, _, errs := run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errs, tt.code, tt.want)
		}
	}
}

func TestTrainEvalCommands(t *testing.T) {
	spec := filepath.Join("..", "..", "classifier", "testdata", "spec.json")
	model := filepath.Join(t.TempDir(), "m.model")
	code, out, errs := run(t, "", "train", "--spec", spec, "--bits", "12", "--epochs", "3", "--char-min", "2", "--char-max", "4", "-o", model)
	if code != 0 || !strings.Contains(out, "wrote "+model) {
		t.Fatalf("train: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "", "eval", "--model", model, "--spec", spec, "--split", "train", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errs)
	}
	var r struct {
		Split    string
		Examples int
		Model    struct{ Name string }
		Baseline struct{ Name string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, out)
	}
	if r.Split != "train" || r.Examples == 0 || r.Model.Name != "model" || r.Baseline.Name != "keyword baseline" {
		t.Errorf("eval report: %+v", r)
	}
	// Leave one source out: each fold trains without its source and
	// scores all of it; an unknown source is named.
	code, out, errs = run(t, "", "eval", "--model", model, "--spec", spec, "--split", "train", "--loso", "--sources", "posts")
	if code != 0 || !strings.Contains(out, "Leave one source out") || !strings.Contains(out, "posts") {
		t.Errorf("eval --loso: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs = run(t, "", "eval", "--model", model, "--spec", spec, "--loso", "--sources", "nope"); code == 0 || !strings.Contains(errs, `"nope"`) {
		t.Errorf("eval --loso --sources nope: exit %d, %s", code, errs)
	}
	code, out, _ = run(t, "", "classify", "--model", model, "Police in Paris said 2 people were killed in an attack.")
	if code != 0 || !strings.Contains(out, "news_reporting") {
		t.Errorf("classify with a trained model: exit %d\n%s", code, out)
	}
}

func TestLangidCommand(t *testing.T) {
	code, out, _ := run(t, "Das ist ein Test\n", "langid", "هذا خبر عاجل", "this is breaking news")
	if code != 0 || out != "ar\tهذا خبر عاجل\nen\tthis is breaking news\n" {
		t.Errorf("exit %d, output %q", code, out)
	}
	code, out, _ = run(t, "Das ist ein Test von heute\n", "langid")
	if code != 0 || !strings.HasPrefix(out, "de\t") {
		t.Errorf("stdin: exit %d, output %q", code, out)
	}
}

func TestClassifierHelp(t *testing.T) {
	for _, cmd := range []string{"train", "eval", "classify", "langid"} {
		code, out, errs := run(t, "", cmd, "--help")
		out += errs // the flag package writes usage where the FlagSet's output points
		if code != 0 || !strings.Contains(out, "Usage: marsad "+cmd) {
			t.Errorf("%s --help: exit %d, output %q", cmd, code, out)
		}
	}
}

func FuzzParseThresholds(f *testing.F) {
	for _, s := range []string{"incitement=0.7", "propaganda=0.6,financing=1", "none=", "=0.5", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseThresholds(s)
		if err != nil {
			return
		}
		for l, v := range m {
			if l.Index() < 0 || !(v >= 0 && v <= 1) {
				t.Fatalf("%q gave %s=%v", s, l, v)
			}
		}
	})
}
