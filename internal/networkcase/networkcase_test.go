package networkcase_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/networkcase"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

func TestRunOpensAndUpdatesNetworkCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := &pipeline.Pipeline{Store: s}
		t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		n := 0
		post := func(author, text string, at time.Time) {
			n++
			if _, err := p.Ingest(ctx, &model.Post{Platform: "x", SourceID: fmt.Sprint(n), Author: author, Text: text, PostedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		// Four accounts push two links within seconds of each other.
		for i, acct := range []string{"a1", "a2", "a3", "a4"} {
			post(acct, "read https://bad.example/one", t0.Add(time.Duration(i)*5*time.Second))
			post(acct, "and https://bad.example/two", t0.Add(time.Hour+time.Duration(i)*7*time.Second))
		}
		// Organic accounts share the same link hours apart.
		for i := 0; i < 10; i++ {
			post(fmt.Sprintf("org%d", i), "interesting https://bad.example/one", t0.Add(time.Duration(3+i)*time.Hour))
		}
		rep, err := networkcase.Run(ctx, s, networkcase.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Opened != 1 || rep.Communities != 1 || rep.Accounts != 4 {
			t.Fatalf("first run: %s", rep)
		}
		if len(rep.Saved) != 1 || !rep.Saved[0].Opened || rep.Saved[0].CaseID == 0 || len(rep.Saved[0].Network.Accounts) != 4 ||
			rep.Graph == nil || len(rep.Ranked) != 1 || rep.Types["url"] != 18 {
			t.Fatalf("first run saved %+v, ranked %d, types %v", rep.Saved, len(rep.Ranked), rep.Types)
		}
		cs, total, _ := s.Cases(ctx, store.CaseFilter{Kind: model.CaseNetwork})
		if total != 1 || cs[0].Reasons[0].Kind != "network" {
			t.Fatalf("network cases = %+v", cs)
		}
		nw, err := s.Network(ctx, cs[0].NetworkID)
		if err != nil || len(nw.Accounts) != 4 || len(nw.Objects) != 2 || nw.Accounts[0] != "x:a1" || len(nw.Edges) != 6 {
			t.Fatalf("network = %+v, %v", nw, err)
		}
		// Each pair co-shared both links: two co-shares of type url.
		for _, e := range nw.Edges {
			if e.Weight != 2 || len(e.Types) != 1 || e.Types["url"] != 2 {
				t.Errorf("edge %s-%s: weight %d, types %v; want 2 url co-shares", e.A, e.B, e.Weight, e.Types)
			}
		}
		rep, err = networkcase.Run(ctx, s, networkcase.Options{Seed: 1})
		if err != nil || rep.Opened != 0 || rep.Updated != 1 {
			t.Fatalf("second run: %s %v", rep, err)
		}
		if _, total, _ := s.Cases(ctx, store.CaseFilter{Kind: model.CaseNetwork}); total != 1 {
			t.Fatalf("second run opened another case: %d", total)
		}
		// Only the texts: the links that tied them are left out.
		rep, err = networkcase.Run(ctx, s, networkcase.Options{Seed: 1, Texts: true, Types: []string{"text"}})
		if err != nil || rep.Accounts != 0 || rep.Types["url"] != 0 {
			t.Fatalf("texts only: %s %v", rep, err)
		}
		if _, err := networkcase.Run(ctx, s, networkcase.Options{Types: []string{"hashtag"}}); err == nil || !strings.Contains(err.Error(), `object type "hashtag"`) {
			t.Fatalf("unknown type: %v", err)
		}
	})
}

// TestSharesLeaveOutUnknownTimes: posts whose time is unknown share
// nothing, by link or by text: no window can hold them.
func TestSharesLeaveOutUnknownTimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
		for i, acct := range []string{"a", "b", "c", "d"} {
			p := &model.Post{Platform: "telegram", SourceID: fmt.Sprint("u", i), Author: acct, Text: "the same statement word for word",
				Links: []string{"https://example.org/x"}}
			if i < 2 {
				p.PostedAt = at.Add(time.Duration(i) * time.Second)
			}
			if _, _, err := s.SavePost(ctx, p, store.Analysis{Signals: []model.Signal{{Type: model.SignalURL, Value: "https://example.org/x"}}}); err != nil {
				t.Fatal(err)
			}
		}
		shares, err := networkcase.Shares(ctx, s, networkcase.Options{Texts: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range shares {
			if sh.Account == "telegram:c" || sh.Account == "telegram:d" {
				t.Fatalf("a post of unknown time shares: %+v", sh)
			}
		}
		if len(shares) != 4 { // a and b, by link and by text
			t.Fatalf("shares = %+v", shares)
		}
	})
}
