package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// TestModelCommands trains from decisions, then lists, activates, exports
// and deactivates the model, through the commands a user types.
func TestModelCommands(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "marsad.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 15; i++ {
		c := &model.Case{Priority: 10, Labels: []model.Label{model.Propaganda}, Reasons: []model.Reason{{Kind: "score", Detail: "test"}}}
		p := &model.Post{Platform: "x", SourceID: fmt.Sprint(i), Text: fmt.Sprintf("yalla zarqoon bil-mashkook number %d", i)}
		if _, _, err := st.SavePost(ctx, p, store.Analysis{Case: c}); err != nil {
			t.Fatal(err)
		}
		if err := st.Decide(ctx, &model.Decision{CaseID: c.ID, Reviewer: "rev1", Labels: []model.Label{model.Incitement}, Action: "none", Rationale: "dialect"}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	spec := filepath.Join("..", "..", "classifier", "testdata", "spec.json")

	code, out, errs := run(t, "", "train", "--from-decisions", "--db", db, "--spec", spec, "--bits", "12", "--epochs", "3")
	if code != 0 {
		t.Fatalf("train --from-decisions: exit %d\n%s%s", code, out, errs)
	}
	m := regexp.MustCompile(`saved model (\d+) \(([^)]+)\), inactive: 15 decisions`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "WARNING: only") || !strings.Contains(out, "marsad model activate "+m[1]) {
		t.Fatalf("train --from-decisions output:\n%s", out)
	}
	id, version := m[1], m[2]
	if !strings.Contains(out, "macro-F1") && !strings.Contains(out, "no held-back decisions") {
		t.Fatalf("no before/after figures:\n%s", out)
	}

	code, out, _ = run(t, "", "model", "list", "--db", db)
	if code != 0 || !strings.Contains(out, version) || !strings.Contains(out, "built-in model is in use") {
		t.Fatalf("model list: exit %d\n%s", code, out)
	}
	if code, out, errs = run(t, "", "model", "activate", id, "--db", db); code != 0 || !strings.Contains(out, "is active") {
		t.Fatalf("model activate: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "", "model", "list", "--db", db)
	if code != 0 || !regexp.MustCompile(`(?m)^`+id+` +\*`).MatchString(out) {
		t.Fatalf("model list after activation:\n%s", out)
	}
	file := filepath.Join(t.TempDir(), "unit.model")
	if code, out, errs = run(t, "", "model", "export", id, "-o", file, "--db", db); code != 0 {
		t.Fatalf("model export: exit %d\n%s%s", code, out, errs)
	}
	em, err := classifier.ReadFile(file)
	if err != nil || em.Version() != version {
		t.Fatalf("exported model: %v, version %v want %s", err, em, version)
	}
	// The exported file is a model like any other.
	if code, out, _ = run(t, "", "classify", "--model", file, "yalla zarqoon bil-mashkook"); code != 0 || !strings.Contains(out, "incitement") {
		t.Fatalf("classify with the exported model: exit %d\n%s", code, out)
	}
	if code, out, _ = run(t, "", "model", "default", "--db", db); code != 0 || !strings.Contains(out, "built-in model") {
		t.Fatalf("model default: exit %d\n%s", code, out)
	}
	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if a, err := st.ActiveTextModelID(ctx); err != nil || a != 0 {
		t.Fatalf("active model after model default: %d, %v", a, err)
	}

	for _, bad := range [][]string{{"model"}, {"model", "nope"}, {"model", "activate", "--db", db}, {"model", "activate", "x", "--db", db}, {"model", "export", id, "--db", db}} {
		if code, _, _ := run(t, "", bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	if code, _, errs := run(t, "", "model", "activate", "999", "--db", db); code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("activate a missing model: exit %d: %s", code, errs)
	}
}

func TestModelCurveCommand(t *testing.T) {
	spec := filepath.Join("..", "..", "classifier", "testdata", "spec.json")
	code, _, errs := run(t, "", "model", "curve", "--spec", spec, "--source", "alfifi-ar")
	if code != 2 || !strings.Contains(errs, "its sources are: posts, written") {
		t.Fatalf("unknown source: exit %d: %s", code, errs)
	}
	code, out, errs := run(t, "", "model", "curve", "--spec", spec, "--source", "posts", "--sizes", "0,1,50", "--epochs", "2", "--json")
	if code != 0 {
		t.Fatalf("curve: exit %d: %s", code, errs)
	}
	var c struct {
		Source string
		Pool   int
		Capped bool
		Points []struct {
			Requested, Added int
			Figures          struct{ N int }
		}
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("curve --json: %v\n%s", err, out)
	}
	if c.Source != "posts" || len(c.Points) != 3 || !c.Capped || c.Points[1].Added != 1 || c.Points[2].Added != c.Pool || c.Points[0].Figures.N == 0 {
		t.Fatalf("curve: %+v", c)
	}
	if code, out, _ = run(t, "", "model", "curve", "--spec", spec, "--source", "posts", "--sizes", "0,50", "--epochs", "2"); code != 0 || !strings.Contains(out, "capped at the pool size") || !strings.Contains(out, "macro-F1") {
		t.Fatalf("curve table: exit %d\n%s", code, out)
	}
	if code, _, _ = run(t, "", "model", "curve", "--sizes", "0,x"); code != 2 {
		t.Errorf("bad --sizes: exit %d, want 2", code)
	}
}
