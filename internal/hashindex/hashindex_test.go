package hashindex_test

import (
	"context"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/hashindex"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// flip returns h with its first n bits inverted.
func flip(h string, n int) string {
	b := []byte(h)
	const hex = "0123456789abcdef"
	for i := 0; i < n/4; i++ {
		v := strings.IndexByte(hex, b[i])
		b[i] = hex[v^0xf]
	}
	return string(b)
}

func TestIndexMatchesNearEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := strings.Repeat("a5", 32)
		s.CreateBank(ctx, &model.Bank{Name: "on", Enabled: true, AutoAction: true}, "t")
		s.CreateBank(ctx, &model.Bank{Name: "off", Enabled: false}, "t")
		s.AddEntries(ctx, "on", []model.BankEntry{{Type: model.SignalPDQ, Value: base, Label: model.Propaganda}}, "t")
		s.AddEntries(ctx, "off", []model.BankEntry{{Type: model.SignalPDQ, Value: flip(base, 8)}}, "t")
		ix, err := hashindex.Load(ctx, s, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ix.Len() != 2 {
			t.Fatalf("Len = %d", ix.Len())
		}
		ms, err := ix.MatchPDQ(ctx, flip(base, 20))
		if err != nil || len(ms) != 1 || ms[0].Distance != 20 || ms[0].BankName != "on" || !ms[0].AutoAction {
			t.Fatalf("near query: %+v %v (the disabled bank must not answer)", ms, err)
		}
		if ms, _ := ix.MatchPDQ(ctx, flip(base, 40)); len(ms) != 0 {
			t.Fatalf("distance 40 matched: %+v", ms)
		}
		// An entry added later is visible to the next query.
		es := []model.BankEntry{{Type: model.SignalPDQ, Value: strings.Repeat("0f", 32)}}
		s.AddEntries(ctx, "on", es, "t")
		ix.Added(es)
		if ms, _ := ix.MatchPDQ(ctx, strings.Repeat("0f", 32)); len(ms) != 1 || ms[0].Distance != 0 {
			t.Fatalf("added entry: %+v", ms)
		}
		if _, err := ix.MatchPDQ(ctx, "xyz"); err == nil {
			t.Fatal("bad hash accepted")
		}
	})
}
