package textmodel_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/internal/textmodel"
)

// small trains quickly: few buckets, few epochs.
var small = classifier.TrainOptions{Features: classifier.FeatureConfig{Bits: 14, CharMin: 3, CharMax: 4, WordBigrams: true}, Epochs: 8, Seed: 1}

var (
	places = []string{"the park", "the market", "our town", "the coast", "the valley", "the river", "the old city", "the harbour", "the hills", "the square"}
	things = []string{"bread", "football", "the weather", "the concert", "rain", "the bus", "tea", "the garden", "a film", "the school fair"}
)

// baseSet is a tiny stand-in for the built-in training data: plain talk
// about everyday things, and calls to attack in words any model knows.
func baseSet() []classifier.Example {
	var out []classifier.Example
	n := 0
	for _, p := range places {
		for _, th := range things[:6] {
			n++
			sp := classifier.SplitTrain
			if n%5 == 0 {
				sp = classifier.SplitCalib
			}
			out = append(out, classifier.Example{Source: "base", ID: fmt.Sprint("b", n), Text: fmt.Sprintf("talking about %s near %s today", th, p), Weight: 1, Split: sp, Group: fmt.Sprint(n)})
			if n%2 == 0 {
				out = append(out, classifier.Example{Source: "base", ID: fmt.Sprint("k", n), Text: fmt.Sprintf("brothers attack and kill the enemy at %s, strike them with %s", p, th),
					Labels: []classifier.Label{classifier.Incitement}, Weight: 1, Split: sp, Group: fmt.Sprint("k", n)})
			}
		}
	}
	return out
}

// dialect is a call to violence in words only this unit's reviewers know.
func dialect(i int) string {
	return fmt.Sprintf("yalla zarqoon bil-mashkook %s fi %s, zarqoonhum kullhum %d", things[i%len(things)], places[i%len(places)], i)
}

func everyday(i int) string {
	return fmt.Sprintf("we had %s near %s and it was nice %d", things[(i+3)%len(things)], places[(i+7)%len(places)], i)
}

// seedPost saves a post with an open case and returns the case id.
func seedPost(t *testing.T, st *store.Store, id, text string) int64 {
	t.Helper()
	c := &model.Case{Priority: 10, Labels: []model.Label{model.Propaganda}, Reasons: []model.Reason{{Kind: "score", Detail: "test"}}}
	p := &model.Post{Platform: "telegram", SourceID: id, Author: "acct", Text: text}
	if _, _, err := st.SavePost(context.Background(), p, store.Analysis{Case: c}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func decide(t *testing.T, st *store.Store, caseID int64, who string, ls ...model.Label) {
	t.Helper()
	if err := st.Decide(context.Background(), &model.Decision{CaseID: caseID, Reviewer: who, Labels: ls, Action: "none", Rationale: "test"}); err != nil {
		t.Fatal(err)
	}
}

func TestExamplesFromDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		appealed := seedPost(t, st, "1", "brothers go and strike them tonight")
		decide(t, st, appealed, "rev1", model.Incitement)
		if err := st.SetCaseState(ctx, appealed, model.CaseAppealed, "author", "it is a news report"); err != nil {
			t.Fatal(err)
		}
		decide(t, st, appealed, "rev2", model.NewsReporting)
		harmful := seedPost(t, st, "2", "send money to the wallet for the fighters")
		decide(t, st, harmful, "rev1", model.Financing, model.Propaganda)
		none := seedPost(t, st, "3", "the football match was great")
		decide(t, st, none, "rev1", model.None)
		pending := seedPost(t, st, "4", "an appeal still open")
		decide(t, st, pending, "rev1", model.Propaganda)
		if err := st.SetCaseState(ctx, pending, model.CaseAppealed, "author", "appeal"); err != nil {
			t.Fatal(err)
		}
		seedPost(t, st, "5", "never decided")
		empty := seedPost(t, st, "6", "")
		decide(t, st, empty, "rev1", model.None)
		net := &model.Case{Kind: model.CaseNetwork, NetworkID: 3, Priority: 1, Labels: []model.Label{model.Propaganda}}
		if err := st.SaveCase(ctx, net); err != nil {
			t.Fatal(err)
		}
		decide(t, st, net.ID, "rev1", model.Propaganda)

		exs, err := textmodel.Examples(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]classifier.Example{}
		for _, e := range exs {
			byID[e.ID] = e
			if e.Source != textmodel.SourceName || e.Weight != textmodel.DecisionWeight || e.Group == "" || e.Lang == "" {
				t.Errorf("example %s: %+v", e.ID, e)
			}
			if e.Split != classifier.SplitTrain && e.Split != classifier.SplitTest {
				t.Errorf("example %s in split %s", e.ID, e.Split)
			}
		}
		if len(exs) != 3 {
			t.Fatalf("examples = %+v, want 3 (appeal pending, undecided, empty text and network cases left out)", exs)
		}
		a := byID[fmt.Sprintf("case:%d", appealed)]
		if !slices.Equal(a.Labels, []classifier.Label{classifier.NewsReporting}) || !a.HardNegative {
			t.Fatalf("appealed case: labels %v hard %v, want the appeal decision news_reporting", a.Labels, a.HardNegative)
		}
		if a.Text != "brothers go and strike them tonight" || a.Lang != "en" {
			t.Fatalf("appealed case text %q lang %q", a.Text, a.Lang)
		}
		h := byID[fmt.Sprintf("case:%d", harmful)]
		if !slices.Equal(h.Labels, []classifier.Label{classifier.Financing, classifier.Propaganda}) || h.HardNegative {
			t.Fatalf("harmful case: %+v", h)
		}
		if n := byID[fmt.Sprintf("case:%d", none)]; n.ID == "" || len(n.Labels) != 0 || n.HardNegative {
			t.Fatalf("none case: %+v, want no labels", n)
		}
		// The split is a pure function of the post: the same store gives
		// the same splits.
		again, _ := textmodel.Examples(ctx, st)
		for i := range exs {
			if exs[i].Split != again[i].Split || exs[i].ID != again[i].ID {
				t.Fatalf("split not stable: %+v vs %+v", exs[i], again[i])
			}
		}
	})
}

// TestHeldBackShare checks that about HeldBackPercent of posts are held back.
func TestHeldBackShare(t *testing.T) {
	st := storetest.SQLite(t)
	const n = 400
	for i := 0; i < n; i++ {
		decide(t, st, seedPost(t, st, fmt.Sprint(i), everyday(i)), "rev1", model.None)
	}
	exs, err := textmodel.Examples(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, e := range exs {
		if e.Split == classifier.SplitTest {
			held++
		}
	}
	if len(exs) != n || held < n*12/100 || held > n*28/100 {
		t.Fatalf("%d of %d examples held back, want about %d%%", held, len(exs), textmodel.HeldBackPercent)
	}
}

func TestTrainFromDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		base := baseSet()
		before, err := classifier.Train(ctx, base, small)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := textmodel.TrainFromDecisions(ctx, st, base, textmodel.Options{Before: before, Train: small}); !errors.Is(err, textmodel.ErrNoDecisions) {
			t.Fatalf("training on an empty store: %v, want ErrNoDecisions", err)
		}
		for i := 0; i < 60; i++ {
			if i%2 == 0 {
				decide(t, st, seedPost(t, st, fmt.Sprint("d", i), dialect(i)), "rev1", model.Incitement)
			} else {
				decide(t, st, seedPost(t, st, fmt.Sprint("e", i), everyday(i)), "rev1", model.None)
			}
		}
		var stages []string
		r, err := textmodel.TrainFromDecisions(ctx, st, base, textmodel.Options{Actor: "amina", Before: before, Train: small,
			Progress: func(stage string, done, total int) {
				if len(stages) == 0 || stages[len(stages)-1] != stage {
					stages = append(stages, stage)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Decisions != 60 || r.Trained+r.HeldBack+r.Dropped != 60 || r.HeldBack == 0 || r.Trained < 30 {
			t.Fatalf("counts: %+v", r)
		}
		if !r.Unreliable || !strings.Contains(r.Warning(), "unreliable") {
			t.Fatalf("%d held-back decisions not flagged as unreliable: %+v", r.HeldBack, r)
		}
		if !slices.Equal(stages, []string{"training", "measuring"}) {
			t.Fatalf("progress stages %v", stages)
		}
		if r.Before == nil || r.After == nil || r.Before.N != r.HeldBack || r.After.N != r.HeldBack {
			t.Fatalf("figures: before %+v after %+v", r.Before, r.After)
		}
		if r.Before.Model != before.Version() || r.After.Model != r.Version {
			t.Fatalf("figures name models %s and %s, want %s and %s", r.Before.Model, r.After.Model, before.Version(), r.Version)
		}
		// The base set never saw the dialect; the decisions taught it.
		bf, _ := r.Before.F1(classifier.Incitement)
		af, ok := r.After.F1(classifier.Incitement)
		if !ok || af <= bf || af < 0.8 {
			t.Fatalf("incitement F1 on held-back decisions: before %.2f, after %.2f", bf, af)
		}
		if r.After.MacroF1 <= r.Before.MacroF1 {
			t.Fatalf("macro-F1 before %.2f, after %.2f", r.Before.MacroF1, r.After.MacroF1)
		}

		ms, err := st.TextModels(ctx)
		if err != nil || len(ms) != 1 {
			t.Fatalf("registry: %+v, %v", ms, err)
		}
		if m := ms[0]; m.ID != r.ModelID || m.Active || m.CreatedBy != "amina" || m.Version != r.Version || m.Decisions != r.Trained {
			t.Fatalf("stored model %+v, result %+v", m, r)
		}
		rep, err := textmodel.ReadReport(ms[0])
		if err != nil || rep.After == nil || rep.After.MacroF1 != r.After.MacroF1 || rep.ModelID != r.ModelID {
			t.Fatalf("stored report %+v, %v", rep, err)
		}
		tm, err := st.TextModel(ctx, r.ModelID)
		if err != nil {
			t.Fatal(err)
		}
		m, err := classifier.Decode(tm.Model)
		if err != nil || m.Version() != r.Version {
			t.Fatalf("stored model bytes: %v, version %s want %s", err, m.Version(), r.Version)
		}
		res := m.Classify(dialect(1001))
		if s := res.Get(classifier.Incitement); !s.Over() {
			t.Fatalf("the new model misses the dialect: incitement %.2f (threshold %.2f)", s.Score, s.Threshold)
		}
	})
}

// disagreeing trains a tiny model that calls garden talk incitement.
func disagreeing(t *testing.T) []byte {
	t.Helper()
	var exs []classifier.Example
	for i := 0; i < 40; i++ {
		sp := classifier.SplitTrain
		exs = append(exs, classifier.Example{Text: fmt.Sprintf("the garden roses bloom %d", i), Labels: []classifier.Label{classifier.Incitement}, Split: sp, Weight: 1})
		exs = append(exs, classifier.Example{Text: fmt.Sprintf("brothers attack the enemy now %d", i), Split: sp, Weight: 1})
	}
	m, err := classifier.Train(context.Background(), exs, small)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestLiveSwitch ingests the same text before and after an admin activates
// a model that disagrees with the built-in one, and back again.
func TestLiveSwitch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, err := textmodel.NewService(ctx, st, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		builtin, _ := classifier.Default()
		if svc.Live.Model().Version() != builtin.Version() || svc.ActiveID() != 0 {
			t.Fatalf("a fresh store scores with %s, want the built-in %s", svc.Live.Model().Version(), builtin.Version())
		}
		raw := disagreeing(t)
		other, _ := classifier.Decode(raw)
		tm := &store.TextModel{Name: "gardens", Version: other.Version(), CreatedBy: "amina", Model: raw}
		if err := st.SaveTextModel(ctx, tm); err != nil {
			t.Fatal(err)
		}
		p := &pipeline.Pipeline{Store: st, Scorer: pipeline.TextScorer{Live: svc.Live}}
		const text = "the garden roses bloom in spring"
		n := 0
		ingest := func() (*model.Case, []model.Score) {
			t.Helper()
			n++
			r, err := p.Ingest(ctx, &model.Post{Platform: "x", SourceID: fmt.Sprint(n), Text: text})
			if err != nil {
				t.Fatal(err)
			}
			sc, err := st.Scores(ctx, r.PostID)
			if err != nil {
				t.Fatal(err)
			}
			if r.CaseID == 0 {
				return nil, sc
			}
			c, err := st.Case(ctx, r.CaseID)
			if err != nil {
				t.Fatal(err)
			}
			return c, sc
		}
		// modelOf names the model that scored: every kept score names it.
		modelOf := func(sc []model.Score) string {
			if len(sc) == 0 {
				return ""
			}
			return strings.TrimSuffix(sc[0].Model, "+"+pipeline.RulesModel)
		}
		c, sc := ingest()
		if c != nil || modelOf(sc) != builtin.Version() {
			t.Fatalf("built-in model: case %+v, scored by %q", c, modelOf(sc))
		}
		if err := svc.Activate(ctx, tm.ID, "amina"); err != nil {
			t.Fatal(err)
		}
		c, sc = ingest()
		if c == nil || !slices.Contains(c.Labels, model.Incitement) || modelOf(sc) != other.Version() {
			t.Fatalf("after activating %s: case %+v, scored by %q", other.Version(), c, modelOf(sc))
		}
		if svc.ActiveID() != tm.ID {
			t.Fatalf("ActiveID = %d, want %d", svc.ActiveID(), tm.ID)
		}
		if err := svc.UseBuiltIn(ctx, "amina"); err != nil {
			t.Fatal(err)
		}
		if c, sc = ingest(); c != nil || modelOf(sc) != builtin.Version() {
			t.Fatalf("back to the built-in model: case %+v, scored by %q", c, modelOf(sc))
		}
		// Another process activates the model: Sync picks it up.
		if err := st.ActivateTextModel(ctx, tm.ID, "cli"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if v := svc.Live.Model().Version(); v != other.Version() {
			t.Fatalf("after Sync the live model is %s, want %s", v, other.Version())
		}
		// The operator's thresholds apply to every model put live.
		withTh, err := textmodel.NewService(ctx, st, "", map[classifier.Label]float64{classifier.Incitement: 0.99})
		if err != nil {
			t.Fatal(err)
		}
		if m := withTh.Live.Model(); m.Version() != other.Version() || m.Thresholds()[classifier.Incitement] != 0.99 {
			t.Fatalf("started as %s with incitement threshold %v", m.Version(), m.Thresholds()[classifier.Incitement])
		}
		// A model file given with --model stays in use whatever is activated.
		file := filepath.Join(t.TempDir(), "pinned.model")
		if err := builtin.WriteFile(file); err != nil {
			t.Fatal(err)
		}
		pinned, err := textmodel.NewService(ctx, st, file, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := pinned.Live.Model().Version()
		if err := pinned.Activate(ctx, tm.ID, "amina"); err != nil {
			t.Fatal(err)
		}
		if err := pinned.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if v := pinned.Live.Model().Version(); v != want || v == other.Version() {
			t.Fatalf("pinned service switched to %s", v)
		}
	})
}

func TestTrainingOneAtATime(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	svc, err := textmodel.NewService(ctx, st, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	svc.Base = func(ctx context.Context) ([]classifier.Example, error) {
		<-release
		return nil, errors.New("no data here")
	}
	if err := svc.StartTraining(ctx, "amina"); err != nil {
		t.Fatal(err)
	}
	if j := svc.Job(); j == nil || !j.Running() || j.By != "amina" {
		t.Fatalf("job = %+v", j)
	}
	if err := svc.StartTraining(ctx, "rev1"); !errors.Is(err, textmodel.ErrBusy) {
		t.Fatalf("second training: %v, want ErrBusy", err)
	}
	close(release)
	for j := svc.Job(); j.Running(); j = svc.Job() {
		time.Sleep(time.Millisecond)
	}
	if j := svc.Job(); !strings.Contains(j.Err, "no data here") || j.Result != nil {
		t.Fatalf("finished job = %+v", j)
	}
}

func TestLearningCurve(t *testing.T) {
	exs := baseSet()
	for i := 0; i < 80; i++ {
		sp := classifier.SplitTrain
		if i%4 == 0 {
			sp = classifier.SplitTest
		}
		e := classifier.Example{Source: "unit", ID: fmt.Sprint("u", i), Text: dialect(i), Labels: []classifier.Label{classifier.Incitement}, Split: sp, Weight: 1}
		if i%2 == 1 {
			e.Text, e.Labels = everyday(i), nil
		}
		exs = append(exs, e)
	}
	ctx := context.Background()
	if _, err := textmodel.LearningCurve(ctx, exs, textmodel.CurveOptions{Source: "nope", Train: small}); err == nil || !strings.Contains(err.Error(), "sources: base, unit") {
		t.Fatalf("unknown source: %v", err)
	}
	c, err := textmodel.LearningCurve(ctx, exs, textmodel.CurveOptions{Source: "unit", Sizes: []int{0, 10, 1000}, Train: small, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if c.Pool != 60 || c.Eval != 20 || !c.Capped || c.Weight != textmodel.DecisionWeight || len(c.Points) != 3 {
		t.Fatalf("curve: %+v", c)
	}
	if p := c.Points[2]; p.Requested != 1000 || p.Added != 60 || p.Figures.N != 20 {
		t.Fatalf("last point: %+v", p)
	}
	f0, _ := c.Points[0].Figures.F1(classifier.Incitement)
	f2, _ := c.Points[2].Figures.F1(classifier.Incitement)
	if f2 <= f0 || f2 < 0.8 {
		t.Fatalf("incitement F1 with 0 decisions %.2f, with 60 %.2f: the decisions taught nothing", f0, f2)
	}
}
