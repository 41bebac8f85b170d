package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestConcurrentDecisionsOneWins decides each of several cases from 20
// goroutines at once: exactly one decision per case is recorded, the others
// are refused as conflicts, and the audit chain stays whole.
func TestConcurrentDecisionsOneWins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const cases, deciders = 6, 20
		var ids []int64
		for i := range cases {
			c := &model.Case{Priority: 50, Labels: []model.Label{model.Incitement}}
			if _, _, err := s.SavePost(ctx, post(fmt.Sprintf("race-%d", i)), store.Analysis{Case: c}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		for _, id := range ids {
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, deciders)
			for g := range deciders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					d := &model.Decision{CaseID: id, Reviewer: fmt.Sprintf("rev%d", g), Labels: []model.Label{model.None}, Action: "none", Rationale: "r"}
					if g%2 == 1 {
						d.Labels, d.Action = []model.Label{model.Incitement}, "remove"
					}
					errs[g] = s.Decide(ctx, d)
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for g, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, store.ErrConflict):
					t.Errorf("case %d, decider %d: %v, want a conflict", id, g, err)
				}
			}
			ds, err := s.Decisions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if won != 1 || len(ds) != 1 {
				t.Errorf("case %d: %d deciders succeeded and %d decisions recorded, want exactly 1", id, won, len(ds))
			}
		}
		if n, err := s.VerifyAudit(ctx); err != nil {
			t.Errorf("audit chain after %d events: %v", n, err)
		}
	})
}
