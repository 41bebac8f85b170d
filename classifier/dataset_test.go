package classifier

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSpecLoad(t *testing.T) {
	s, err := ReadSpec("testdata/spec.json")
	if err != nil {
		t.Fatal(err)
	}
	exs, err := s.Load(context.Background(), "unused", func(string) string { return "xx" })
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Example{}
	for _, e := range exs {
		byID[e.Source+"/"+e.ID] = e
	}
	if e := byID["posts/1"]; !reflect.DeepEqual(e.Labels, []Label{Incitement}) || e.HardNegative || e.Lang != "xx" {
		t.Errorf("posts/1 = %+v, want incitement, not a hard negative, lang from identify", e)
	}
	if e := byID["posts/3"]; len(e.Labels) != 0 || !e.HardNegative {
		t.Errorf("posts/3 = %+v, want no labels and a hard negative (merged from topics.csv)", e)
	}
	var news, prop, counter int
	for _, e := range exs {
		if e.Source != "written" {
			continue
		}
		switch {
		case reflect.DeepEqual(e.Labels, []Label{NewsReporting}) && e.HardNegative && e.Lang == "en":
			news++
		case reflect.DeepEqual(e.Labels, []Label{Propaganda}) && !e.HardNegative:
			prop++
		case reflect.DeepEqual(e.Labels, []Label{CounterSpeech}) && e.Lang == "ar":
			counter++
		default:
			t.Errorf("unexpected written example %+v", e)
		}
	}
	if news != 6 || prop != 3 || counter != 1 {
		t.Errorf("written: %d news, %d propaganda, %d counter-speech; want 6, 3, 1", news, prop, counter)
	}
	// Same spec, same splits.
	again, _ := s.Load(context.Background(), "unused", nil)
	for i := range exs {
		if exs[i].Split != again[i].Split {
			t.Fatalf("example %d: split %v then %v", i, exs[i].Split, again[i].Split)
		}
	}
}

func TestStrongTermsAndEveryday(t *testing.T) {
	dir := t.TempDir()
	csv := "id,text\n1,The Khilafah is remaining\n2,war news from the front\n3,الدولة الإسلامية باقية\n"
	tmpl := "@lang en\n@label none\n@hard_negative no\n- Lovely weather for the match today\n"
	spec := `{"seed": 1, "sources": [
		{"name": "acc", "files": ["a.csv"], "text": "text", "id": "id", "lang": "en", "label": "propaganda",
		 "weight": 2, "strong_terms": ["KHILAF", "الدولة الإسلامية"], "weak_weight": 0.1},
		{"name": "everyday", "files": ["e.tmpl"], "format": "templates", "everyday": true}]}`
	for name, body := range map[string]string{"a.csv": csv, "e.tmpl": tmpl, "spec.json": spec} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := ReadSpec(filepath.Join(dir, "spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	exs, err := s.Load(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"acc/1": 2, "acc/2": 0.1, "acc/3": 2}
	for _, e := range exs {
		key := e.Source + "/" + e.ID
		if e.Source == "everyday" {
			if !e.Everyday || e.HardNegative || len(e.Labels) != 0 {
				t.Errorf("%s = %+v, want an everyday post with no labels", key, e)
			}
			continue
		}
		if e.Everyday || e.Weight != want[key] {
			t.Errorf("%s: weight %v everyday %v, want weight %v, not everyday", key, e.Weight, e.Everyday, want[key])
		}
		delete(want, key)
	}
	if len(want) > 0 {
		t.Errorf("rows not loaded: %v", want)
	}
}

func TestSpecErrors(t *testing.T) {
	tests := []struct {
		name, spec, want string
	}{
		{"not json", `{`, "parse"},
		{"unknown field", `{"sources":[], "sead": 1}`, "unknown field"},
		{"no sources", `{"seed": 1}`, "no sources"},
		{"percent", `{"test_percent": 60, "calib_percent": 50, "sources":[{"name":"a","files":["x"],"text":"t"}]}`, "test_percent"},
		{"no name", `{"sources":[{"files":["x"],"text":"t"}]}`, "name is empty"},
		{"no files", `{"sources":[{"name":"a","text":"t"}]}`, "no files"},
		{"no text column", `{"sources":[{"name":"a","files":["x"]}]}`, "text column"},
		{"bad format", `{"sources":[{"name":"a","files":["x"],"format":"xml"}]}`, "format \"xml\""},
		{"bad label", `{"sources":[{"name":"a","files":["x"],"text":"t","label":"evil"}]}`, "label \"evil\" unknown"},
		{"bad map label", `{"sources":[{"name":"a","files":["x"],"text":"t","map":[{"column":"c","values":["v"],"label":"x"}]}]}`, "map 0"},
		{"empty map", `{"sources":[{"name":"a","files":["x"],"text":"t","map":[{"label":"none"}]}]}`, "column and values"},
		{"duplicate", `{"sources":[{"name":"a","files":["x"],"text":"t"},{"name":"a","files":["y"],"text":"t"}]}`, "duplicate name"},
		{"negative weight", `{"sources":[{"name":"a","files":["x"],"text":"t","weight":-1}]}`, "negative"},
		{"weak weight alone", `{"sources":[{"name":"a","files":["x"],"text":"t","weak_weight":0.1}]}`, "weak_weight without strong_terms"},
		{"strong terms, no weak weight", `{"sources":[{"name":"a","files":["x"],"text":"t","strong_terms":["khilafah"]}]}`, "weak_weight 0"},
		{"empty strong term", `{"sources":[{"name":"a","files":["x"],"text":"t","strong_terms":["!!"],"weak_weight":0.1}]}`, "strong_terms 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSpec([]byte(tt.spec))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseSpec error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, spec, want string
	}{
		{"missing file", `{"sources":[{"name":"a","files":["nope.csv"],"text":"text"}]}`, "nope.csv: not found"},
		{"missing column", `{"sources":[{"name":"a","files":["` + abs(t, "testdata/bad_columns.csv") + `"],"text":"text"}]}`, `no column "text"`},
		{"ragged row", `{"sources":[{"name":"a","files":["` + abs(t, "testdata/ragged.csv") + `"],"text":"text"}]}`, "line 3"},
		{"empty id", `{"sources":[{"name":"a","files":["` + write("noid.csv", "id,text\n,hello\n") + `"],"text":"text","id":"id"}]}`, "line 2: id column"},
		{"bad template", `{"sources":[{"name":"a","files":["` + write("bad.tmpl", "@lang en\n@label none\n- {NOPE}\n") + `"],"format":"templates"}]}`, "bad.tmpl:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write("spec.json", tt.spec)
			s, err := ReadSpec(p)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Load(context.Background(), dir, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func abs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func FuzzParseSpec(f *testing.F) {
	b, _ := os.ReadFile("testdata/spec.json")
	f.Add(b)
	f.Add([]byte(`{"sources":[{"name":"a","files":["x"],"text":"t","delimiter":";;"}]}`))
	f.Add([]byte(`{"sources":[{"name":"a","files":["x"],"text":"t","strong_terms":["khilafah","خلافة"],"weak_weight":0.1,"everyday":true}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSpec(b)
		if err == nil && len(s.Sources) == 0 {
			t.Fatal("accepted a spec without sources")
		}
		if err == nil {
			for _, src := range s.Sources {
				if len(src.StrongTerms) > 0 && src.WeakWeight <= 0 {
					t.Fatalf("accepted strong_terms with weak_weight %v", src.WeakWeight)
				}
			}
		}
	})
}

func FuzzReadTable(f *testing.F) {
	b, _ := os.ReadFile("testdata/posts.csv")
	f.Add(b)
	f.Add([]byte("id,text\n\"1,x\n"))
	src := Source{Name: "f", Text: "text", ID: "id"}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = readTable(strings.NewReader(string(b)), src, func(line int, cols map[string]string) error {
			if _, ok := cols["text"]; !ok {
				t.Fatalf("line %d: record without the text column", line)
			}
			return nil
		})
	})
}

// The default spec must read every staged data set completely: the row
// counts are those the data sets' SOURCE.md files state.
func TestDefaultSpecReadsSharedData(t *testing.T) {
	const data = "../../shared/data"
	if _, err := os.Stat(data); err != nil {
		t.Skipf("staged data not present at %s: %v", data, err)
	}
	s, err := ReadSpec("corpus/train.json")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"osact2022": 8557, "l-hsab": 5846, "mlma-ar": 3353, "mlma-en": 5647, "mlma-fr": 4014, "isis-kaggle": 16161,
		"alfifi-ar": 954, "saudinewsnet": 24823, "crisislex-boston": 8006, "crisislex-attacks": 2032}
	for _, src := range s.Sources {
		if src.Format == "templates" {
			continue
		}
		paths, err := s.Paths(src, data)
		if err != nil {
			t.Fatal(err)
		}
		var rows []row
		if src.Format == "jsonl" {
			rows, err = readJSONL(paths, src)
		} else {
			rows, err = readTables(paths, src)
		}
		if err != nil {
			t.Fatalf("%s: %v", src.Name, err)
		}
		if n, ok := want[src.Name]; ok && len(rows) != n {
			t.Errorf("%s: %d rows, SOURCE.md says %d", src.Name, len(rows), n)
		}
		if src.Name == "germeval" && len(rows) < 13169 {
			t.Errorf("germeval: %d merged posts, want at least the 13,169 of vio", len(rows))
		}
	}
}
