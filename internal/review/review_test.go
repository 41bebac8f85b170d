package review_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// sink is a webhook receiver that records the delivery ids it got
// ("<order>-<event>-<attempt>").
type sink struct {
	srv *httptest.Server
	mu  sync.Mutex
	all []string
}

func newSink(t *testing.T, s *store.Store) *sink {
	k := &sink{}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.mu.Lock()
		k.all = append(k.all, r.Header.Get(action.HeaderDelivery))
		k.mu.Unlock()
	}))
	t.Cleanup(k.srv.Close)
	ctx := context.Background()
	if err := s.SetSetting(ctx, action.SettingWebhookURL, k.srv.URL, "test", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, action.SettingWebhookSecret, "0123456789abcdef-secret", "test", true); err != nil {
		t.Fatal(err)
	}
	return k
}

// sent reports whether the sink got event for order id.
func (k *sink) sent(id int64, event string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.ContainsFunc(k.all, func(d string) bool { return strings.HasPrefix(d, fmt.Sprintf("%d-%s-", id, event)) })
}

func newService(t *testing.T, s *store.Store) (*review.Service, *action.Service) {
	t.Helper()
	key, err := evidence.LoadOrCreateKey(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	// The tests' webhook receivers are on loopback: the unit lists it.
	loopback, err := netguard.Parse("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	acts := action.New(s, evidence.NewKeeper(s, evidence.Media{}, key), action.Config{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxAttempts: 2, Guard: netguard.New(loopback)})
	rv := review.New(s, acts, nil)
	t.Cleanup(rv.Wait)
	return rv, acts
}

func openCase(t *testing.T, s *store.Store, id string) int64 {
	t.Helper()
	c := &model.Case{Priority: 50, Labels: []model.Label{model.Incitement}}
	p := &model.Post{Platform: "telegram", SourceID: id, URL: "https://t.me/c/" + id, Text: "t", PostedAt: time.Now()}
	if _, _, err := s.SavePost(context.Background(), p, store.Analysis{Case: c}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func harmful(caseID int64, who string) review.DecisionInput {
	return review.DecisionInput{CaseID: caseID, Reviewer: who, Labels: []model.Label{model.Incitement}, Action: "remove", Rationale: "calls to kill"}
}

func order(caseID int64) review.OrderRequest {
	return review.OrderRequest{CaseID: caseID, Platform: "telegram", LegalBasis: "Regulation (EU) 2021/784, Article 3"}
}

// TestOrderMovesOnlyForward tries every status on an order in every
// status: only the moves in the table succeed, nothing leads back to sent,
// and expired and withdrawn are final.
func TestOrderMovesOnlyForward(t *testing.T) {
	allowed := map[[2]string]bool{
		{"sent", "acknowledged"}: true, {"sent", "removed"}: true, {"sent", "refused"}: true, {"sent", "withdrawn"}: true,
		{"acknowledged", "removed"}: true, {"acknowledged", "refused"}: true, {"acknowledged", "withdrawn"}: true,
		{"removed", "withdrawn"}: true, {"refused", "withdrawn"}: true,
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rv, _ := newService(t, s)
		caseID := openCase(t, s, "f1")
		if _, _, err := rv.Decide(ctx, harmful(caseID, "rev1")); err != nil {
			t.Fatal(err)
		}
		// put brings a fresh order to status st through allowed moves.
		put := func(st string) int64 {
			now := time.Now().UTC()
			o := &store.Order{CaseID: caseID, Kind: store.OrderReferral, Platform: "p", ContentURL: "https://x/1", IssuedBy: "rev1", IssuedAt: now, Deadline: now.Add(time.Hour)}
			if st == store.OrderExpired {
				o.IssuedAt, o.Deadline = now.Add(-30*24*time.Hour), now.Add(-29*24*time.Hour)
			}
			if err := s.CreateOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
			var err error
			switch st {
			case store.OrderAcknowledged, store.OrderRemoved, store.OrderRefused:
				_, err = rv.RecordAnswer(ctx, o.ID, st, "rev1", "")
			case store.OrderWithdrawn:
				_, err = rv.WithdrawOrder(ctx, o.ID, "rev1", "test")
			case store.OrderExpired:
				_, err = rv.Expire(ctx, time.Now())
			}
			if err != nil {
				t.Fatalf("bring an order to %s: %v", st, err)
			}
			if got, _ := s.Order(ctx, o.ID); got.Status != st {
				t.Fatalf("order is %s, want %s", got.Status, st)
			}
			return o.ID
		}
		for _, from := range store.OrderStatuses {
			for _, to := range store.OrderStatuses {
				id := put(from)
				var err error
				if to == store.OrderWithdrawn {
					_, err = rv.WithdrawOrder(ctx, id, "rev2", "no longer needed")
				} else {
					_, err = rv.RecordAnswer(ctx, id, to, "rev2", "")
				}
				got, _ := s.Order(ctx, id)
				switch {
				case allowed[[2]string{from, to}]:
					if err != nil || got.Status != to {
						t.Errorf("%s → %s: %v (now %s), want allowed", from, to, err, got.Status)
					}
				case err == nil || got.Status != from:
					t.Errorf("%s → %s: allowed (now %s), want refused", from, to, got.Status)
				case review.Status(err) != http.StatusConflict && review.Status(err) != http.StatusBadRequest:
					t.Errorf("%s → %s: %v maps to %d, want 409 or 400", from, to, err, review.Status(err))
				}
			}
			if review.Final(from) != (from == store.OrderExpired || from == store.OrderWithdrawn) {
				t.Errorf("Final(%s) = %v", from, review.Final(from))
			}
		}
		if _, err := rv.WithdrawOrder(ctx, put(store.OrderSent), "rev1", " "); review.Field(err) != "reason" {
			t.Errorf("withdrawal without a reason: %v, want one naming reason", err)
		}
	})
}

// TestAppealOverturnWithdrawsForGood: an appeal that finds counter-speech
// withdraws the order in the same transaction as the decision; the
// platform is told; nobody can reopen it, the re-sender never sends it
// again, and no new order can be issued on the case.
func TestAppealOverturnWithdrawsForGood(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rv, acts := newService(t, s)
		hook := newSink(t, s)
		caseID := openCase(t, s, "a1")
		if _, out, err := rv.Decide(ctx, harmful(caseID, "rev1")); err != nil || out != review.Decided {
			t.Fatalf("decide: %v %v", out, err)
		}
		o, err := rv.IssueOrder(ctx, order(caseID), "rev1")
		if err != nil {
			t.Fatal(err)
		}
		if o.ContentURL != "https://t.me/c/a1" {
			t.Errorf("content URL %q, want the post's", o.ContentURL)
		}
		if err := rv.Appeal(ctx, caseID, "rev1", ""); review.Field(err) != "reason" {
			t.Errorf("appeal without a reason: %v", err)
		}
		if err := rv.Appeal(ctx, caseID, "rev1", "the author says it refutes the sermon"); err != nil {
			t.Fatal(err)
		}
		cs := review.DecisionInput{CaseID: caseID, Labels: []model.Label{model.CounterSpeech}, Action: "none", Rationale: "refutes it"}
		cs.Reviewer = "rev1"
		if _, _, err := rv.Decide(ctx, cs); !errors.Is(err, review.ErrConflict) {
			t.Errorf("the appealed decision's author decides the appeal: %v, want a conflict", err)
		}
		cs.Reviewer = "rev2"
		if _, out, err := rv.Decide(ctx, cs); err != nil || out != review.AppealOverturned {
			t.Fatalf("appeal decision: %v %v", out, err)
		}
		rv.Wait()
		if got, _ := s.Order(ctx, o.ID); got.Status != store.OrderWithdrawn {
			t.Fatalf("order after the appeal is %s, want withdrawn", got.Status)
		}
		if !hook.sent(o.ID, action.EventWithdrawn) {
			t.Errorf("the platform was not told of the withdrawal: %v", hook.all)
		}
		for _, st := range store.OrderStatuses {
			if _, err := rv.RecordAnswer(ctx, o.ID, st, "rev1", ""); err == nil {
				t.Errorf("a withdrawn order became %s", st)
			}
		}
		if _, err := rv.WithdrawOrder(ctx, o.ID, "rev1", "again"); !errors.Is(err, review.ErrConflict) {
			t.Errorf("withdraw twice: %v, want a conflict", err)
		}
		if _, err := rv.IssueOrder(ctx, review.OrderRequest{CaseID: caseID, Platform: "telegram", LegalBasis: "Art. 3", Justification: "please"}, "rev1"); !errors.Is(err, review.ErrConflict) {
			t.Errorf("new order on counter-speech: %v, want a conflict", err)
		}
		before := len(hook.all)
		if n, err := acts.RetryUndelivered(ctx); err != nil || n != 0 {
			t.Errorf("re-sender: %d sent, %v", n, err)
		}
		if err := acts.Deliver(ctx, o.ID, action.EventCreated); !errors.Is(err, action.ErrNotOpen) {
			t.Errorf("deliver a withdrawn order: %v, want ErrNotOpen", err)
		}
		if len(hook.all) != before {
			t.Errorf("the withdrawn order was sent again: %v", hook.all[before:])
		}
	})
}

// TestIssueAgainNeedsJustification: after an order is withdrawn, a new
// one to the same platform is a new order with its own justification.
func TestIssueAgainNeedsJustification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rv, _ := newService(t, s)
		caseID := openCase(t, s, "j1")
		if _, _, err := rv.Decide(ctx, harmful(caseID, "rev1")); err != nil {
			t.Fatal(err)
		}
		first, err := rv.IssueOrder(ctx, order(caseID), "rev1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rv.IssueOrder(ctx, order(caseID), "rev1"); !errors.Is(err, review.ErrConflict) {
			t.Errorf("second order while the first is open: %v, want a conflict", err)
		}
		if _, err := rv.WithdrawOrder(ctx, first.ID, "rev1", "wrong address"); err != nil {
			t.Fatal(err)
		}
		if _, err := rv.IssueOrder(ctx, order(caseID), "rev1"); review.Field(err) != "justification" {
			t.Errorf("order again without a justification: %v", err)
		}
		r := order(caseID)
		r.Justification = "the content is back at the same address"
		again, err := rv.IssueOrder(ctx, r, "rev1")
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == first.ID || again.Status != store.OrderSent {
			t.Errorf("order again = %+v", again)
		}
		if got, _ := s.Order(ctx, first.ID); got.Status != store.OrderWithdrawn {
			t.Errorf("the first order is %s, want withdrawn still", got.Status)
		}
		evs, _ := s.AuditEvents(ctx, store.AuditFilter{Subject: fmt.Sprintf("order:%d", again.ID)})
		if len(evs) == 0 || evs[0].Action != "order.create" || !strings.Contains(evs[0].Detail, fmt.Sprintf("order %d (withdrawn)", first.ID)) || !strings.Contains(evs[0].Detail, r.Justification) {
			t.Errorf("audit of the new order = %+v", evs)
		}
	})
}

// TestConcurrentDecisionsThroughService: 20 reviewers decide the same case
// at once through the service; exactly one decision is recorded per case.
func TestConcurrentDecisionsThroughService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rv, _ := newService(t, s)
		for i := range 4 {
			caseID := openCase(t, s, fmt.Sprintf("c%d", i))
			var wg sync.WaitGroup
			var mu sync.Mutex
			won := 0
			for g := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					in := harmful(caseID, fmt.Sprintf("rev%d", g))
					if g%2 == 0 {
						in.Labels, in.Action = []model.Label{model.None}, "none"
					}
					_, _, err := rv.Decide(ctx, in)
					if err != nil && review.Status(err) != http.StatusConflict {
						t.Errorf("decider %d: %v, want success or a conflict", g, err)
					}
					if err == nil {
						mu.Lock()
						won++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if ds, _ := s.Decisions(ctx, caseID); won != 1 || len(ds) != 1 {
				t.Errorf("case %d: %d won, %d decisions recorded; want 1", caseID, won, len(ds))
			}
		}
	})
}

// TestCaseMovesMatchDocs: each row of the case table in docs/review.md is
// one move of review.CaseMoves, with the same states and the same words
// for who may make it.
func TestCaseMovesMatchDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/review.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(doc), "### Cases\n")
	table, _, _ = strings.Cut(table, "\n\n")
	rows := map[string][]string{}
	for _, l := range strings.Split(table, "\n") {
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| event") {
			continue
		}
		f := strings.Split(strings.Trim(l, "| "), " | ")
		rows[f[0]] = f
	}
	states := func(ss []model.CaseState) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = "`" + string(s) + "`"
		}
		return strings.Join(q, ", ")
	}
	for _, m := range review.CaseMoves {
		r, ok := rows[m.Event]
		if !ok {
			t.Errorf("docs/review.md has no row for %q", m.Event)
			continue
		}
		if len(r) != 4 || r[1] != states(m.From) || r[2] != "`"+string(m.To)+"`" || strings.ReplaceAll(r[3], "`", "") != m.Who {
			t.Errorf("docs row %q, code %v -> %s by %q", r, states(m.From), m.To, m.Who)
		}
		delete(rows, m.Event)
	}
	for e := range rows {
		t.Errorf("docs/review.md row %q is no move of review.CaseMoves", e)
	}
}

// TestSecondAppealRefused: a case whose appeal was decided cannot be
// appealed again (conflict), whether the appeal was upheld or overturned;
// on each store.
func TestSecondAppealRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rv, _ := newService(t, s)
		for i, outcome := range []review.Outcome{review.AppealUpheld, review.AppealOverturned} {
			caseID := openCase(t, s, fmt.Sprintf("twice%d", i))
			if _, _, err := rv.Decide(ctx, harmful(caseID, "rev1")); err != nil {
				t.Fatal(err)
			}
			if err := rv.Appeal(ctx, caseID, "rev1", "the author asks"); err != nil {
				t.Fatal(err)
			}
			if err := rv.Appeal(ctx, caseID, "rev1", "again while pending"); !errors.Is(err, review.ErrConflict) {
				t.Errorf("appeal of an appealed case: %v, want a conflict", err)
			}
			d := harmful(caseID, "rev2")
			if outcome == review.AppealOverturned {
				d = review.DecisionInput{CaseID: caseID, Reviewer: "rev2", Labels: []model.Label{model.None}, Action: "none", Rationale: "not harmful"}
			}
			if _, out, err := rv.Decide(ctx, d); err != nil || out != outcome {
				t.Fatalf("appeal decision: %v %v, want %v", out, err, outcome)
			}
			rv.Wait()
			err := rv.Appeal(ctx, caseID, "rev1", "a second appeal")
			if !errors.Is(err, review.ErrConflict) {
				t.Errorf("second appeal after %s: %v, want a conflict", outcome, err)
			}
			c, _ := s.Case(ctx, caseID)
			if c.State != model.CaseDecided {
				t.Errorf("case %d is %s after a refused second appeal, want decided", caseID, c.State)
			}
			if ds, _ := s.Decisions(ctx, caseID); review.CanAppeal(c, ds) {
				t.Errorf("case %d offers an appeal after its appeal was decided", caseID)
			}
		}
	})
}
