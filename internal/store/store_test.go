package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

func post(id string) *model.Post {
	return &model.Post{Platform: "telegram", SourceID: id, Author: "acct1", Text: "نص " + id, Links: []string{"https://example.org/" + id},
		PostedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func TestSavePostIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := post("1")
		id, created, err := s.SavePost(ctx, p, store.Analysis{Signals: []model.Signal{{Type: model.SignalURL, Value: "https://example.org/1"}}})
		if err != nil || !created || id == 0 {
			t.Fatalf("first save: id=%d created=%v err=%v", id, created, err)
		}
		q := post("1")
		q.Text = "changed"
		id2, created, err := s.SavePost(ctx, q, store.Analysis{})
		if err != nil || created || id2 != id {
			t.Fatalf("second save: id=%d created=%v err=%v, want id %d not created", id2, created, err, id)
		}
		got, err := s.Post(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != p.Text || !got.PostedAt.Equal(p.PostedAt) || len(got.Links) != 1 {
			t.Fatalf("stored post changed or lost fields: %+v", got)
		}
		sigs, _ := s.Signals(ctx, id)
		if len(sigs) != 1 || sigs[0].Value != "https://example.org/1" {
			t.Fatalf("signals = %+v", sigs)
		}
		if n, _ := s.CountPosts(ctx); n != 1 {
			t.Fatalf("CountPosts = %d, want 1", n)
		}
		if _, err := s.Post(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing post: err = %v, want ErrNotFound", err)
		}
	})
}

func TestBanksAndExactMatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := &model.Bank{Name: "partner-a", Owner: "partner A", Enabled: true, AutoAction: true}
		if err := s.CreateBank(ctx, b, "admin"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateBank(ctx, &model.Bank{Name: "partner-a"}, "admin"); !errors.Is(err, store.ErrExists) {
			t.Fatalf("duplicate bank: err = %v, want ErrExists", err)
		}
		entries := []model.BankEntry{
			{Type: model.SignalURL, Value: "https://bad.example/x", Label: model.Propaganda, Source: "partner A"},
			{Type: model.SignalWallet, Value: "btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT", Label: model.Financing},
		}
		added, err := s.AddEntries(ctx, "partner-a", entries, "admin")
		if err != nil || added != 2 {
			t.Fatalf("AddEntries = %d, %v", added, err)
		}
		added, err = s.AddEntries(ctx, "partner-a", entries, "admin")
		if err != nil || added != 0 {
			t.Fatalf("re-adding entries: added %d, err %v; want 0, nil", added, err)
		}
		if _, err := s.AddEntries(ctx, "nope", entries, "admin"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown bank: err = %v", err)
		}
		ms, err := s.MatchExact(ctx, model.Signal{Type: model.SignalURL, Value: "https://bad.example/x"})
		if err != nil || len(ms) != 1 || ms[0].BankName != "partner-a" || !ms[0].AutoAction || ms[0].Entry.Label != model.Propaganda {
			t.Fatalf("MatchExact = %+v, %v", ms, err)
		}
		b.Enabled = false
		if err := s.UpdateBank(ctx, b, "admin"); err != nil {
			t.Fatal(err)
		}
		if ms, _ := s.MatchExact(ctx, model.Signal{Type: model.SignalURL, Value: "https://bad.example/x"}); len(ms) != 0 {
			t.Fatalf("disabled bank still matches: %+v", ms)
		}
		banks, _ := s.Banks(ctx)
		if len(banks) != 1 || banks[0].Entries != 2 || banks[0].Enabled {
			t.Fatalf("Banks = %+v", banks)
		}
		if err := s.DeleteBank(ctx, "partner-a", "admin"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteBank(ctx, "partner-a", "admin"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func TestCaseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, prio := range []int{10, 90, 50} {
			c := &model.Case{Priority: prio, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{{Kind: "score", Detail: "test"}}}
			if i == 1 {
				c.Labels = []model.Label{model.Propaganda}
			}
			if _, _, err := s.SavePost(ctx, post(fmt.Sprint(i)), store.Analysis{Case: c}); err != nil {
				t.Fatal(err)
			}
			if c.ID == 0 {
				t.Fatal("case id not set")
			}
		}
		cs, total, err := s.Cases(ctx, store.CaseFilter{State: model.CaseOpen})
		if err != nil || total != 3 || len(cs) != 3 {
			t.Fatalf("Cases = %d/%d, %v", len(cs), total, err)
		}
		if cs[0].Priority != 90 || cs[1].Priority != 50 || cs[2].Priority != 10 {
			t.Fatalf("queue order wrong: %d %d %d", cs[0].Priority, cs[1].Priority, cs[2].Priority)
		}
		cs, total, _ = s.Cases(ctx, store.CaseFilter{Label: model.Propaganda})
		if total != 1 || cs[0].Labels[0] != model.Propaganda {
			t.Fatalf("label filter: %+v", cs)
		}
		cs, total, _ = s.Cases(ctx, store.CaseFilter{Limit: 1, Offset: 1})
		if total != 3 || len(cs) != 1 || cs[0].Priority != 50 {
			t.Fatalf("paging: total %d %+v", total, cs)
		}
		id := cs[0].ID
		if err := s.Claim(ctx, id, "rev1"); err != nil {
			t.Fatal(err)
		}
		if err := s.Claim(ctx, id, "rev2"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second claim: %v, want ErrConflict", err)
		}
		d := &model.Decision{CaseID: id, Reviewer: "rev2", Labels: []model.Label{model.Incitement}, Action: "remove"}
		if err := s.Decide(ctx, d); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("decide a case claimed by another: %v", err)
		}
		d.Reviewer = "rev1"
		d.Labels = []model.Label{"bogus"}
		if err := s.Decide(ctx, d); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bogus label: %v", err)
		}
		d.Labels = []model.Label{model.Incitement}
		if err := s.Decide(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := s.Decide(ctx, &model.Decision{CaseID: id, Reviewer: "rev1", Labels: []model.Label{model.None}, Action: "none"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("deciding a decided case: %v", err)
		}
		if err := s.SetCaseState(ctx, id, model.CaseAppealed, "author", "appeal"); err != nil {
			t.Fatal(err)
		}
		if err := s.Decide(ctx, &model.Decision{CaseID: id, Reviewer: "rev1", Labels: []model.Label{model.NewsReporting}, Action: "none"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("same reviewer decided the appeal: %v", err)
		}
		ad := &model.Decision{CaseID: id, Reviewer: "rev2", Labels: []model.Label{model.NewsReporting}, Action: "none", Rationale: "a news report"}
		if err := s.Decide(ctx, ad); err != nil || !ad.Appeal {
			t.Fatalf("appeal decision: %v appeal=%v", err, ad.Appeal)
		}
		ds, _ := s.Decisions(ctx, id)
		if len(ds) != 2 || ds[1].Labels[0] != model.NewsReporting {
			t.Fatalf("decisions = %+v", ds)
		}
		c, _ := s.Case(ctx, id)
		if c.State != model.CaseDecided || c.Labels[0] != model.NewsReporting {
			t.Fatalf("case after appeal = %+v", c)
		}
	})
}

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			if err := s.Audit(ctx, "admin", "test", fmt.Sprintf("thing:%d", i), "detail"); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.VerifyAudit(ctx)
		if err != nil || n != 5 {
			t.Fatalf("VerifyAudit = %d, %v", n, err)
		}
		// The log refuses edits through SQL.
		if _, err := s.DB().Exec(s.Rebind(`UPDATE audit SET detail = 'x' WHERE seq = 2`)); err == nil {
			t.Fatal("audit row was editable")
		}
		// Someone with full database access drops the guard and edits a row.
		tamper(t, s, `UPDATE audit SET detail = 'edited' WHERE seq = 3`)
		var p *store.AuditProblem
		if _, err := s.VerifyAudit(ctx); !errors.As(err, &p) || p.Seq != 3 {
			t.Fatalf("edited row: err = %v, want problem at 3", err)
		}
	})
}

func TestAuditDeletedRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := 0; i < 4; i++ {
			s.Audit(ctx, "admin", "test", "x", "")
		}
		tamper(t, s, `DELETE FROM audit WHERE seq = 2`)
		var p *store.AuditProblem
		if _, err := s.VerifyAudit(ctx); !errors.As(err, &p) || p.Seq != 2 {
			t.Fatalf("deleted row: err = %v, want problem at 2", err)
		}
	})
}

// tamper runs q against the audit table with its append-only guard removed.
func tamper(t *testing.T, s *store.Store, q string) {
	t.Helper()
	drops := []string{`DROP TRIGGER audit_append_only_update`, `DROP TRIGGER audit_append_only_delete`}
	if s.Dialect() == store.Postgres {
		drops = []string{`DROP TRIGGER audit_append_only ON audit`}
	}
	for _, d := range drops {
		if _, err := s.DB().Exec(d); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	if _, err := s.DB().Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestUnknownPostedAt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		known := post("known")
		known.Links = []string{"https://example.org/same"}
		undated := post("undated")
		undated.PostedAt = time.Time{}
		undated.IngestedAt = time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)
		undated.Author = "acct2"
		var ids []int64
		for _, p := range []*model.Post{known, undated} {
			id, _, err := s.SavePost(ctx, p, store.Analysis{Signals: []model.Signal{{Type: model.SignalURL, Value: "https://example.org/same"}}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		got, err := s.Post(ctx, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		if !got.PostedAtUnknown || !got.PostedAt.IsZero() {
			t.Fatalf("undated post read back as posted at %v (unknown %v), want unknown", got.PostedAt, got.PostedAtUnknown)
		}
		if got, _ := s.Post(ctx, ids[0]); got.PostedAtUnknown || !got.PostedAt.Equal(known.PostedAt) {
			t.Fatalf("dated post read back as %v (unknown %v)", got.PostedAt, got.PostedAtUnknown)
		}
		rows, err := s.ShareRows(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.PostID == ids[1] {
				t.Fatalf("post with unknown time in co-sharing rows: %+v", r)
			}
		}
		if len(rows) != 1 {
			t.Fatalf("share rows = %+v, want the dated post's", rows)
		}
		res, err := s.SearchPosts(ctx, store.SearchFilter{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Posts) != 1 || res.Posts[0].ID != ids[0] {
			t.Fatalf("date-bounded search = %+v, want only the dated post", res.Posts)
		}
		all, err := s.SearchPosts(ctx, store.SearchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Posts) != 2 {
			t.Fatalf("unbounded search found %d posts, want both", len(all.Posts))
		}
	})
}
