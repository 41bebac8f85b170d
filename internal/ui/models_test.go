package ui

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// quick trains in a blink: few buckets, few epochs.
var quick = classifier.TrainOptions{Features: classifier.FeatureConfig{Bits: 12, CharMin: 3, CharMax: 3}, Epochs: 3, Seed: 1}

// tinyBase stands in for the built-in training data.
func tinyBase(context.Context) ([]classifier.Example, error) {
	var out []classifier.Example
	for i := 0; i < 30; i++ {
		out = append(out,
			classifier.Example{Source: "base", Text: fmt.Sprintf("lovely weather at the market %d", i), Split: classifier.SplitTrain, Weight: 1},
			classifier.Example{Source: "base", Text: fmt.Sprintf("attack and kill them all %d", i), Labels: []classifier.Label{classifier.Incitement}, Split: classifier.SplitTrain, Weight: 1})
	}
	return out, nil
}

// saveModel stores a small model and returns its registry row.
func saveModel(t *testing.T, st *store.Store) *store.TextModel {
	t.Helper()
	exs, _ := tinyBase(context.Background())
	m, err := classifier.Train(context.Background(), exs, quick)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	dm, err := classifier.Decode(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	tm := &store.TextModel{Name: "unit dialects", Version: dm.Version(), CreatedBy: "amina", Model: b.Bytes(), Report: `{}`}
	if err := st.SaveTextModel(context.Background(), tm); err != nil {
		t.Fatal(err)
	}
	return tm
}

func activeModel(t *testing.T, st *store.Store) int64 {
	t.Helper()
	id, err := st.ActiveTextModelID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestModelsPageAdminOnly(t *testing.T) {
	e := newEnv(t)
	tm := saveModel(t, e.st)
	for _, who := range []string{"ana", "rev1"} {
		c := e.client(t)
		c.login(who)
		if code, _ := c.get("/admin/models"); code != http.StatusForbidden {
			t.Errorf("%s GET /admin/models: %d, want 403", who, code)
		}
		for _, path := range []string{"/admin/models/train", "/admin/models/default", fmt.Sprintf("/admin/models/%d/activate", tm.ID)} {
			// With the session's own valid token: the role refuses.
			if code, _ := c.post(path, nil); code != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", who, path, code)
			}
		}
	}
	if id := activeModel(t, e.st); id != 0 || e.models.Job() != nil {
		t.Fatalf("refused requests changed something: active %d, job %+v", id, e.models.Job())
	}
	adm := e.client(t)
	adm.login("amina")
	if code, body := adm.get("/admin"); code != 200 || !strings.Contains(body, `href="/admin/models"`) {
		t.Fatalf("admin page: %d, no link to the text models", code)
	}
	code, body := adm.get("/admin/models")
	if code != 200 || !strings.Contains(body, `id="builtin-active"`) || !strings.Contains(body, "unit dialects") {
		t.Fatalf("models page: %d\n%s", code, body)
	}
	// Forms without the session's token are refused, and change nothing.
	path := fmt.Sprintf("/admin/models/%d/activate", tm.ID)
	for _, form := range []url.Values{{"x": {"1"}}, {"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}} {
		if code, _ := adm.do("POST", path, form); code != http.StatusForbidden {
			t.Errorf("activate with csrf %q: %d, want 403", form.Get("csrf"), code)
		}
		if code, _ := adm.do("POST", "/admin/models/train", form); code != http.StatusForbidden {
			t.Errorf("train with csrf %q: %d, want 403", form.Get("csrf"), code)
		}
	}
	if id := activeModel(t, e.st); id != 0 || e.models.Job() != nil {
		t.Fatalf("forged requests changed something: active %d, job %+v", id, e.models.Job())
	}
	builtin := e.models.Live.Model().Version()

	// Activate: the registry and the live model change at once.
	adm.get("/admin/models")
	if code, _ := adm.post(path, nil); code != http.StatusSeeOther {
		t.Fatalf("activate: %d, want 303", code)
	}
	if id := activeModel(t, e.st); id != tm.ID {
		t.Fatalf("active model %d, want %d", id, tm.ID)
	}
	if v := e.models.Live.Model().Version(); v != tm.Version {
		t.Fatalf("live model %s, want %s", v, tm.Version)
	}
	_, body = adm.get("/admin/models?ok=model_activated")
	if !strings.Contains(body, `id="active-marker"`) || strings.Contains(body, `id="builtin-active"`) || !strings.Contains(body, "Model activated") {
		t.Fatalf("page after activation:\n%s", body)
	}
	// Back to the built-in model in one action.
	if code, _ := adm.post("/admin/models/default", nil); code != http.StatusSeeOther {
		t.Fatalf("use built-in: %d, want 303", code)
	}
	if id := activeModel(t, e.st); id != 0 || e.models.Live.Model().Version() != builtin {
		t.Fatalf("after going back: active %d, live %s", id, e.models.Live.Model().Version())
	}
	if code, _ := adm.post("/admin/models/999/activate", nil); code != http.StatusNotFound {
		t.Errorf("activate a missing model: %d, want 404", code)
	}
	evs, _ := e.st.AuditEvents(context.Background(), store.AuditFilter{})
	var got []string
	for _, ev := range evs {
		if strings.HasPrefix(ev.Action, "textmodel.") && ev.Actor == "amina" {
			got = append(got, ev.Action)
		}
	}
	if strings.Join(got, " ") != "textmodel.save textmodel.activate textmodel.default" {
		t.Fatalf("audited %v", got)
	}
}

func TestModelsTrainInBackground(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Decide the seeded cases and a few more, so that some posts train.
	for i := 0; i < 12; i++ {
		c := &model.Case{Priority: 10, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{{Kind: "score", Detail: "test"}}}
		p := &model.Post{Platform: "x", SourceID: fmt.Sprint("d", i), Text: fmt.Sprintf("yalla zarqoon bil-mashkook %d", i)}
		if _, _, err := e.st.SavePost(ctx, p, store.Analysis{Case: c}); err != nil {
			t.Fatal(err)
		}
		if err := e.st.Decide(ctx, &model.Decision{CaseID: c.ID, Reviewer: "rev1", Labels: []model.Label{model.Incitement}, Action: "none", Rationale: "dialect"}); err != nil {
			t.Fatal(err)
		}
	}
	release := make(chan struct{})
	e.models.Train = quick
	e.models.Base = func(ctx context.Context) ([]classifier.Example, error) {
		<-release
		return tinyBase(ctx)
	}
	adm := e.client(t)
	adm.login("amina")
	adm.get("/admin/models")
	if code, _ := adm.post("/admin/models/train", nil); code != http.StatusSeeOther {
		t.Fatalf("train: %d, want 303", code)
	}
	code, body := adm.get("/admin/models")
	if code != 200 || !strings.Contains(body, `id="job-running"`) || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("page while training: %d\n%s", code, body)
	}
	// One training at a time.
	if code, body := adm.post("/admin/models/train", nil); code != http.StatusConflict || !strings.Contains(body, "already running") {
		t.Fatalf("second training: %d, want 409\n%s", code, body)
	}
	close(release)
	for j := e.models.Job(); j.Running(); j = e.models.Job() {
		time.Sleep(5 * time.Millisecond)
	}
	if j := e.models.Job(); j.Err != "" || j.Result == nil || j.By != "amina" {
		t.Fatalf("job = %+v", j)
	}
	_, body = adm.get("/admin/models")
	r := e.models.Job().Result
	if !strings.Contains(body, `id="job-done"`) || !strings.Contains(body, fmt.Sprintf(`id="model-%d"`, r.ModelID)) || strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("page after training:\n%s", body)
	}
	// So few decisions: the page says the figures are unreliable.
	if !r.Unreliable || !strings.Contains(body, "figures are unreliable") {
		t.Fatalf("unreliable %v; page:\n%s", r.Unreliable, body)
	}
	if id := activeModel(t, e.st); id != 0 {
		t.Fatalf("a trained model became active by itself: %d", id)
	}
	// The Arabic page renders too.
	ar := e.client(t)
	ar.login("amina")
	ar.post("/lang", url.Values{"lang": {"ar"}, "next": {"/admin/models"}})
	if code, body := ar.get("/admin/models"); code != 200 || !strings.Contains(body, "نماذج النصوص") || !strings.Contains(body, `dir="rtl"`) {
		t.Fatalf("Arabic page: %d", code)
	}
}
