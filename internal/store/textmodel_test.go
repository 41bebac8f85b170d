package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// activeIDs returns the ids of the models marked active.
func activeIDs(t *testing.T, s *store.Store) []int64 {
	t.Helper()
	ms, err := s.TextModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, m := range ms {
		if m.Active {
			out = append(out, m.ID)
		}
	}
	return out
}

func TestTextModelRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.ActiveTextModel(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("active model of an empty registry: %v, want ErrNotFound", err)
		}
		if err := s.SaveTextModel(ctx, &store.TextModel{Name: "empty", CreatedBy: "amina"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("model without bytes: %v, want ErrInvalid", err)
		}
		var ms []*store.TextModel
		for i, name := range []string{"first", "second"} {
			m := &store.TextModel{Name: name, Version: "v" + name, CreatedBy: "amina", Model: []byte{0, byte(i), 0xff, 0}, Report: `{"x":1}`, Decisions: 10 + i}
			if err := s.SaveTextModel(ctx, m); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		list, err := s.TextModels(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "second" || list[0].Model != nil || list[1].Decisions != 10 {
			t.Fatalf("TextModels = %+v, %v", list, err)
		}
		if got := activeIDs(t, s); len(got) != 0 {
			t.Fatalf("a saved model is active at once: %v", got)
		}
		got, err := s.TextModel(ctx, ms[1].ID)
		if err != nil || !bytes.Equal(got.Model, ms[1].Model) || got.Version != "vsecond" || got.Report != `{"x":1}` {
			t.Fatalf("TextModel = %+v, %v", got, err)
		}
		if _, err := s.TextModel(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing model: %v", err)
		}
		if err := s.ActivateTextModel(ctx, 999, "amina"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("activate a missing model: %v", err)
		}
		for _, m := range []*store.TextModel{ms[0], ms[1], ms[1], ms[0]} {
			if err := s.ActivateTextModel(ctx, m.ID, "amina"); err != nil {
				t.Fatal(err)
			}
			if got := activeIDs(t, s); len(got) != 1 || got[0] != m.ID {
				t.Fatalf("after activating %d: active %v", m.ID, got)
			}
			a, err := s.ActiveTextModel(ctx)
			if err != nil || a.ID != m.ID || !bytes.Equal(a.Model, m.Model) {
				t.Fatalf("ActiveTextModel = %+v, %v", a, err)
			}
			if id, err := s.ActiveTextModelID(ctx); err != nil || id != m.ID {
				t.Fatalf("ActiveTextModelID = %d, %v", id, err)
			}
		}
		if err := s.DeactivateTextModels(ctx, "amina"); err != nil {
			t.Fatal(err)
		}
		if got := activeIDs(t, s); len(got) != 0 {
			t.Fatalf("after going back to the built-in model: active %v", got)
		}
		if id, err := s.ActiveTextModelID(ctx); err != nil || id != 0 {
			t.Fatalf("ActiveTextModelID = %d, %v, want 0", id, err)
		}
		evs, err := s.AuditEvents(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range evs {
			if strings.HasPrefix(ev.Action, "textmodel.") {
				actions = append(actions, ev.Action+" "+ev.Subject+" "+ev.Actor)
			}
		}
		want := []string{"textmodel.save textmodel:1 amina", "textmodel.save textmodel:2 amina",
			"textmodel.activate textmodel:1 amina", "textmodel.activate textmodel:2 amina", "textmodel.activate textmodel:2 amina",
			"textmodel.activate textmodel:1 amina", "textmodel.default textmodel:built-in amina"}
		if strings.Join(actions, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
		}
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDecidedCasesLatestDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for _, id := range []string{"a", "b", "c"} {
			c := &model.Case{Priority: 10, Labels: []model.Label{model.Propaganda}, Reasons: []model.Reason{{Kind: "score", Detail: "test"}}}
			if _, _, err := s.SavePost(ctx, post(id), store.Analysis{Case: c}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		net := &model.Case{Kind: model.CaseNetwork, NetworkID: 7, Priority: 5, Labels: []model.Label{model.Propaganda}}
		if err := s.SaveCase(ctx, net); err != nil {
			t.Fatal(err)
		}
		decide := func(id int64, who string, l model.Label) {
			t.Helper()
			if err := s.Decide(ctx, &model.Decision{CaseID: id, Reviewer: who, Labels: []model.Label{l}, Action: "none", Rationale: "r"}); err != nil {
				t.Fatal(err)
			}
		}
		decide(ids[0], "rev1", model.Propaganda)
		if err := s.SetCaseState(ctx, ids[0], model.CaseAppealed, "author", "appeal"); err != nil {
			t.Fatal(err)
		}
		decide(ids[0], "rev2", model.NewsReporting)
		decide(ids[1], "rev1", model.Incitement)
		decide(net.ID, "rev1", model.Propaganda)
		got, err := s.DecidedCases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("DecidedCases = %+v, want 3 (case c is undecided)", got)
		}
		if g := got[0]; g.CaseID != ids[0] || len(g.Labels) != 1 || g.Labels[0] != model.NewsReporting || !g.Appeal || g.Text != "نص a" || g.PostID == 0 {
			t.Fatalf("appealed case: %+v, want the appeal decision", g)
		}
		if g := got[1]; g.CaseID != ids[1] || g.Labels[0] != model.Incitement || g.Appeal {
			t.Fatalf("second case: %+v", g)
		}
		if g := got[2]; g.Kind != model.CaseNetwork || g.PostID != 0 || g.Text != "" {
			t.Fatalf("network case: %+v", g)
		}
	})
}
