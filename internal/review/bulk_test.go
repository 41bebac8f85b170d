package review_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// savePost stores a post by author with signals and matches and an open
// case, and returns the case.
func savePost(t *testing.T, s *store.Store, id, author string, sigs []model.Signal, ms []model.Match) int64 {
	t.Helper()
	c := &model.Case{Priority: 50, Labels: []model.Label{model.Propaganda}}
	p := &model.Post{Platform: "telegram", SourceID: id, Author: author, URL: "https://t.me/c/" + id, Text: "t " + id, PostedAt: time.Now()}
	if _, _, err := s.SavePost(context.Background(), p, store.Analysis{Signals: sigs, Matches: ms, Case: c}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func caseIDs(cs []model.Case) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// code is the coded reason of a skipped case.
func code(err error) string {
	var e *review.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestBulkDuplicateCluster finds the cases sharing a media hash or a bank
// entry with a case, then claims, releases and decides them in bulk: each
// case by the single-case rules, a case another reviewer holds or already
// decided skipped with its reason, every case touched audited.
func TestBulkDuplicateCluster(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rv, _ := newService(t, s)
		if err := s.CreateBank(ctx, &model.Bank{Name: "b", Enabled: true}, "test"); err != nil {
			t.Fatal(err)
		}
		const pdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
		if _, err := s.AddEntries(ctx, "b", []model.BankEntry{{Type: model.SignalPDQ, Value: pdq, Label: model.Propaganda}}, "test"); err != nil {
			t.Fatal(err)
		}
		entries, err := s.Entries(ctx, store.EntryFilter{Bank: "b"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("entries %v %v", entries, err)
		}
		sha := []model.Signal{{Type: model.SignalSHA256, Value: strings.Repeat("ab", 32)}}
		near := func(v string) []model.Match {
			return []model.Match{{Signal: model.Signal{Type: model.SignalPDQ, Value: v}, Entry: entries[0], BankName: "b", Distance: 6}}
		}
		a := savePost(t, s, "a", "u1", sha, near(pdq))
		b := savePost(t, s, "b", "u2", sha, nil)
		c := savePost(t, s, "c", "u3", sha, nil)
		d := savePost(t, s, "d", "u4", nil, near(strings.Repeat("0f", 32))) // the same picture, another hash
		other := savePost(t, s, "e", "u5", []model.Signal{{Type: model.SignalSHA256, Value: strings.Repeat("cd", 32)}}, nil)

		cl, err := rv.Cluster(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if got := caseIDs(cl); !slices.Equal(got, []int64{a, b, c, d}) {
			t.Fatalf("cluster of %d = %v, want %v (not %d)", a, got, []int64{a, b, c, d}, other)
		}
		if cl, _ := rv.Cluster(ctx, d); !slices.Contains(caseIDs(cl), a) || slices.Contains(caseIDs(cl), b) {
			t.Errorf("cluster of the near duplicate %d = %v, want its bank-entry neighbour %d only", d, caseIDs(cl), a)
		}

		// rev2 holds c; b is already decided.
		if _, err := rv.Claim(ctx, c, "rev2"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := rv.Decide(ctx, harmful(b, "rev2")); err != nil {
			t.Fatal(err)
		}
		res, err := rv.ClaimMany(ctx, a, []int64{a, c, d, a}, "rev1")
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{a: "", c: "claimed_by", d: ""}
		if len(res) != 3 {
			t.Fatalf("claim results %+v, want one per distinct case", res)
		}
		for _, r := range res {
			if code(r.Err) != want[r.CaseID] {
				t.Errorf("claim case %d: %v, want %q", r.CaseID, r.Err, want[r.CaseID])
			}
		}
		res, err = rv.ReleaseMany(ctx, a, []int64{d, c}, "rev1", false)
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].Done() || code(res[1].Err) != "claimed_by_other" {
			t.Errorf("release results %+v: want d released, c refused as rev2's", res)
		}
		if got, _ := s.Case(ctx, c); got.ClaimedBy != "rev2" {
			t.Errorf("rev1's bulk release freed rev2's claim: %q", got.ClaimedBy)
		}

		// A decision without a rationale decides nothing.
		noWhy := review.DecisionInput{Reviewer: "rev1", Labels: []model.Label{model.Propaganda}, Action: "none"}
		if _, err := rv.DecideMany(ctx, a, []int64{a, d}, noWhy); !errors.Is(err, review.ErrInvalid) || review.Field(err) != "rationale" {
			t.Fatalf("bulk decision without rationale: %v, want invalid rationale", err)
		}
		if got, _ := s.Case(ctx, a); got.State != model.CaseOpen {
			t.Fatalf("case %d is %s after a refused bulk decision", a, got.State)
		}
		if _, err := rv.DecideMany(ctx, a, nil, harmful(0, "rev1")); review.Field(err) != "cases" {
			t.Errorf("bulk decision of no case: %v, want invalid cases", err)
		}

		// A case outside a's cluster, slipped into the form, is skipped
		// and named, and left as it was.
		res, err = rv.DecideMany(ctx, a, []int64{other}, harmful(0, "rev1"))
		if err != nil || len(res) != 1 || res[0].CaseID != other || code(res[0].Err) != "not_in_cluster" {
			t.Fatalf("deciding case %d outside the cluster of %d: %+v %v, want it skipped as not_in_cluster", other, a, res, err)
		}
		if got, _ := s.Case(ctx, other); got.State != model.CaseOpen {
			t.Fatalf("case %d outside the cluster is %s after the bulk decision", other, got.State)
		}
		res, err = rv.DecideMany(ctx, a, []int64{a, b, c, d}, harmful(0, "rev1"))
		if err != nil {
			t.Fatal(err)
		}
		want = map[int64]string{a: "", b: "not_waiting", c: "claimed_by", d: ""}
		for _, r := range res {
			if code(r.Err) != want[r.CaseID] {
				t.Errorf("decide case %d: %v, want %q", r.CaseID, r.Err, want[r.CaseID])
			}
			if r.Done() && r.Outcome != review.Decided {
				t.Errorf("decide case %d: outcome %q", r.CaseID, r.Outcome)
			}
		}
		for _, id := range []int64{a, d} {
			decs, _ := s.Decisions(ctx, id)
			if len(decs) != 1 || decs[0].Reviewer != "rev1" || decs[0].Rationale != "calls to kill" || decs[0].Action != "remove" {
				t.Errorf("case %d decisions %+v", id, decs)
			}
		}
		if decs, _ := s.Decisions(ctx, c); len(decs) != 0 {
			t.Errorf("rev2's claimed case %d was decided by the batch: %+v", c, decs)
		}
		for id, result := range map[int64]string{a: "result=done", c: "result=skipped:claimed_by"} {
			ev, err := s.AuditEvents(ctx, store.AuditFilter{Subject: fmt.Sprintf("case:%d", id)})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(ev, func(e model.AuditEvent) bool {
				return e.Action == "case.bulk_decide" && e.Actor == "rev1" && strings.Contains(e.Detail, result)
			}) {
				t.Errorf("case %d audit lacks the bulk decision (%s): %+v", id, result, ev)
			}
		}
	})
}

// TestBulkNetworkCluster lists the cases of the posts a network's member
// accounts shared, leaving out outsiders who shared the same item.
func TestBulkNetworkCluster(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rv, _ := newService(t, s)
		m1 := savePost(t, s, "n1", "m1", nil, nil)
		m2 := savePost(t, s, "n2", "m2", nil, nil)
		out := savePost(t, s, "n3", "outsider", nil, nil)
		post := func(id int64) int64 {
			c, err := s.Case(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return c.PostID
		}
		now := time.Now().UTC()
		n := &model.Network{Accounts: []string{"telegram:m1", "telegram:m2"},
			Objects:   []model.NetworkObject{{Type: "url", Value: "https://x.example/1", Shares: 3, Posts: []int64{post(m1), post(m2), post(out), 999999}}},
			Edges:     []model.NetworkEdge{{A: "telegram:m1", B: "telegram:m2", Weight: 2}},
			FirstSeen: now, LastSeen: now}
		nc := &model.Case{Priority: 70, Labels: []model.Label{}, Reasons: []model.Reason{{Kind: "network"}}}
		if err := s.SaveNetwork(ctx, n, nc); err != nil {
			t.Fatal(err)
		}
		cl, err := rv.Cluster(ctx, nc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := caseIDs(cl); !slices.Equal(got, []int64{nc.ID, m1, m2}) {
			t.Fatalf("network cluster = %v, want %v (not the outsider's %d)", got, []int64{nc.ID, m1, m2}, out)
		}
		res, err := rv.DecideMany(ctx, nc.ID, caseIDs(cl), review.DecisionInput{Reviewer: "rev1", Labels: []model.Label{model.None}, Rationale: "ordinary link sharing"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if !r.Done() {
				t.Errorf("case %d skipped: %v", r.CaseID, r.Err)
			}
		}
	})
}
