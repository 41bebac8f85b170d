package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

func TestUsersAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &store.User{Name: "amina", Role: "admin", PasswordHash: "h1"}
		if err := s.CreateUser(ctx, u, "cli"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, &store.User{Name: "amina", Role: "analyst", PasswordHash: "h"}, "cli"); !errors.Is(err, store.ErrExists) {
			t.Fatalf("duplicate user: %v, want ErrExists", err)
		}
		got, err := s.UserByName(ctx, "amina")
		if err != nil || got.ID != u.ID || got.Lang != "en" || got.Role != "admin" {
			t.Fatalf("UserByName = %+v, %v", got, err)
		}
		now := time.Now().UTC()
		ss := &store.Session{TokenHash: "tok1", UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
		if _, su, err := s.SessionUser(ctx, "tok1", now); err != nil || su.Name != "amina" {
			t.Fatalf("SessionUser = %+v, %v", su, err)
		}
		if _, _, err := s.SessionUser(ctx, "tok1", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session: %v, want ErrNotFound", err)
		}
		// A language change keeps sessions; a password change ends them.
		got.Lang = "ar"
		if err := s.UpdateUser(ctx, got, "amina"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "tok1", now); err != nil {
			t.Fatalf("session lost on a language change: %v", err)
		}
		got.PasswordHash = "h2"
		if err := s.UpdateUser(ctx, got, "amina"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "tok1", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session after a password change: %v, want ErrNotFound", err)
		}
		if n, err := s.PurgeSessions(ctx, now); err != nil || n != 0 {
			t.Fatalf("PurgeSessions = %d, %v", n, err)
		}
		users, _ := s.Users(ctx)
		if len(users) != 1 || users[0].Lang != "ar" {
			t.Fatalf("Users = %+v", users)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		k := &store.APIKey{Name: "partner", Prefix: "mk_abc", KeyHash: "kh", Scopes: []string{"read"}, CreatedBy: "amina"}
		if err := s.CreateAPIKey(ctx, k, "amina"); err != nil {
			t.Fatal(err)
		}
		got, err := s.APIKeyByHash(ctx, "kh")
		if err != nil || got.Name != "partner" || len(got.Scopes) != 1 {
			t.Fatalf("APIKeyByHash = %+v, %v", got, err)
		}
		if err := s.TouchAPIKeys(ctx, map[int64]time.Time{k.ID: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIKey(ctx, k.ID, "amina"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.APIKeyByHash(ctx, "kh"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked key: %v, want ErrNotFound", err)
		}
		if err := s.RevokeAPIKey(ctx, k.ID, "amina"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking twice: %v, want ErrNotFound", err)
		}
		keys, _ := s.APIKeys(ctx)
		if len(keys) != 1 || keys[0].RevokedAt.IsZero() || keys[0].LastUsedAt.IsZero() {
			t.Fatalf("APIKeys = %+v", keys)
		}
	})
}

// decidedCase stores a post with a case and decides it as harmful.
func decidedCase(t *testing.T, s *store.Store, id string) int64 {
	t.Helper()
	ctx := context.Background()
	c := &model.Case{Priority: 50, Labels: []model.Label{model.Incitement}}
	p := post(id)
	if _, _, err := s.SavePost(ctx, p, store.Analysis{Signals: []model.Signal{{Type: model.SignalSHA256, Value: sha(id)}, {Type: model.SignalURL, Value: p.Links[0]}}, Case: c}); err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(ctx, &model.Decision{CaseID: c.ID, Reviewer: "rev1", Labels: []model.Label{model.Incitement}, Action: "remove", Rationale: "r"}); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestOrdersAndReversal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		caseID := decidedCase(t, s, "o1")
		if err := s.CreateBank(ctx, &model.Bank{Name: "b", Enabled: true}, "t"); err != nil {
			t.Fatal(err)
		}
		// One entry the bank already holds; it is not the case's to remove.
		if _, err := s.AddEntries(ctx, "b", []model.BankEntry{{Type: model.SignalURL, Value: "https://example.org/o1"}}, "t"); err != nil {
			t.Fatal(err)
		}
		added, err := s.AddCaseEntries(ctx, caseID, "b", []model.BankEntry{{Type: model.SignalSHA256, Value: sha("o1")}, {Type: model.SignalURL, Value: "https://example.org/o1"}}, "rev1")
		if err != nil || added != 1 {
			t.Fatalf("AddCaseEntries = %d, %v; want 1 new", added, err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		o := &store.Order{CaseID: caseID, Kind: store.OrderRemoval, Platform: "telegram", ContentURL: "https://t.me/x/1", LegalBasis: "Art. 3",
			IssuedBy: "rev1", IssuedAt: now, Deadline: now.Add(time.Hour)}
		if err := s.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.Case(ctx, caseID); c.State != model.CaseActioned {
			t.Fatalf("case after an order is %s, want actioned", c.State)
		}
		got, err := s.Order(ctx, o.ID)
		if err != nil || !got.Deadline.Equal(o.Deadline) || got.Status != store.OrderSent || got.Overdue(now) || !got.Overdue(now.Add(2*time.Hour)) {
			t.Fatalf("Order = %+v, %v", got, err)
		}
		if _, err := s.MoveOrder(ctx, o.ID, []string{store.OrderSent}, "lost", "rev1", ""); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("unknown status: %v, want ErrInvalid", err)
		}
		if ids, _ := s.UndeliveredOrders(ctx); len(ids) != 1 {
			t.Fatalf("UndeliveredOrders = %v", ids)
		}
		if err := s.RecordDelivery(ctx, &store.Delivery{OrderID: o.ID, Attempt: 1, URL: "http://h", StatusCode: 200, OK: true}); err != nil {
			t.Fatal(err)
		}
		if ids, _ := s.UndeliveredOrders(ctx); len(ids) != 0 {
			t.Fatalf("UndeliveredOrders after a delivery = %v", ids)
		}
		if open, _ := s.Orders(ctx, store.OrderFilter{Open: true}); len(open) != 1 {
			t.Fatalf("open orders = %d", len(open))
		}
		if n, err := s.ExpireOrders(ctx, now, "marsad"); err != nil || n != 0 {
			t.Fatalf("ExpireOrders before the deadline = %d, %v", n, err)
		}
		rev, err := s.ReverseCaseActions(ctx, caseID, "rev2", "overturned")
		if err != nil || rev.OrdersWithdrawn != 1 || rev.EntriesRemoved != 1 {
			t.Fatalf("ReverseCaseActions = %+v, %v", rev, err)
		}
		ents, _ := s.Entries(ctx, store.EntryFilter{Bank: "b"})
		if len(ents) != 1 || ents[0].Type != model.SignalURL {
			t.Fatalf("bank after reversal = %+v, want only the entry it held before", ents)
		}
		ce, _ := s.CaseEntries(ctx, caseID)
		if len(ce) != 1 || ce[0].RemovedAt.IsZero() {
			t.Fatalf("CaseEntries = %+v", ce)
		}
		if got, _ := s.Order(ctx, o.ID); got.Status != store.OrderWithdrawn {
			t.Fatalf("order after reversal is %s", got.Status)
		}
		// An unanswered order past its deadline expires.
		o2 := &store.Order{CaseID: caseID, Kind: store.OrderReferral, Platform: "x", ContentURL: "https://x/1", IssuedBy: "rev1", IssuedAt: now.Add(-3 * time.Hour), Deadline: now.Add(-2 * time.Hour)}
		if err := s.CreateOrder(ctx, o2); err != nil {
			t.Fatal(err)
		}
		if n, err := s.ExpireOrders(ctx, now, "marsad"); err != nil || n != 1 {
			t.Fatalf("ExpireOrders = %d, %v", n, err)
		}
		if n, err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("audit chain (%d events): %v", n, err)
		}
	})
}

func TestEvidenceRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		old := &store.Evidence{PostID: 1, CaseID: 1, CapturedBy: "rev1", CapturedAt: time.Now().Add(-48 * time.Hour), ManifestSHA256: "m1",
			Files: []store.EvidenceFile{{Name: "post.json", SHA256: "s", Size: 3, Data: []byte("abc")}, {Name: "media/0-a.png", SHA256: "t", Size: 2, Data: []byte{0, 255}}}}
		held := &store.Evidence{PostID: 2, CapturedBy: "rev1", CapturedAt: time.Now().Add(-48 * time.Hour), ManifestSHA256: "m2", Files: []store.EvidenceFile{{Name: "post.json", Data: []byte("x")}}}
		fresh := &store.Evidence{PostID: 3, CapturedBy: "rev1", ManifestSHA256: "m3", Files: []store.EvidenceFile{{Name: "post.json", Data: []byte("y")}}}
		for _, ev := range []*store.Evidence{old, held, fresh} {
			if err := s.SaveEvidence(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Evidence(ctx, old.ID, true)
		if err != nil || len(got.Files) != 2 || string(got.Files[1].Data) != "abc" || got.Files[0].Data[1] != 255 {
			t.Fatalf("Evidence = %+v, %v", got, err)
		}
		if err := s.SetEvidenceHold(ctx, held.ID, true, "amina"); err != nil {
			t.Fatal(err)
		}
		n, err := s.PurgeEvidence(ctx, time.Now().Add(-24*time.Hour), "amina")
		if err != nil || n != 1 {
			t.Fatalf("PurgeEvidence = %d, %v; want 1 (one held, one fresh)", n, err)
		}
		got, _ = s.Evidence(ctx, old.ID, true)
		if got.PurgedAt.IsZero() || len(got.Files) != 0 || got.ManifestSHA256 != "m1" {
			t.Fatalf("purged evidence = %+v", got)
		}
		if got, _ := s.Evidence(ctx, held.ID, true); len(got.Files) != 1 {
			t.Fatal("held evidence was purged")
		}
		if list, _ := s.EvidenceList(ctx, store.EvidenceFilter{CaseID: 1}); len(list) != 1 {
			t.Fatalf("EvidenceList by case = %d", len(list))
		}
	})
}

func TestSettingsAndStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, ok, err := s.Setting(ctx, "webhook.url"); ok || err != nil {
			t.Fatalf("unset setting: ok=%v err=%v", ok, err)
		}
		for _, v := range []string{"https://a", "https://b"} {
			if err := s.SetSetting(ctx, "webhook.url", v, "amina", false); err != nil {
				t.Fatal(err)
			}
		}
		if v, ok, _ := s.Setting(ctx, "webhook.url"); !ok || v != "https://b" {
			t.Fatalf("setting = %q", v)
		}
		if err := s.SetSetting(ctx, "webhook.secret", "hunter2-hunter2-hunter2", "amina", true); err != nil {
			t.Fatal(err)
		}
		evs, _ := s.AuditEvents(ctx, store.AuditFilter{Subject: "setting:webhook.secret"})
		if len(evs) != 1 || evs[0].Detail == "hunter2-hunter2-hunter2" {
			t.Fatalf("secret setting audited as %+v", evs)
		}
		decidedCase(t, s, "s1")
		decidedCase(t, s, "s2")
		now := time.Now().UTC()
		st, err := s.Stats(ctx, now.Add(-6*24*time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		if st.Labels[model.Incitement] != 2 || st.Platforms["telegram"] != 2 || st.Reviewers["rev1"] != 2 || len(st.Days) != 7 || st.Days[6].Count != 2 {
			t.Fatalf("Stats = %+v", st)
		}
	})
}

func TestSearchPosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		texts := []string{"Join the Caravan now", "100% sure: join us", "انفروا إلى الجهاد", "nothing here"}
		for i, tx := range texts {
			p := post(fmt.Sprint("s", i))
			p.Text = tx
			p.Author = "acct" + fmt.Sprint(i%2)
			p.PostedAt = p.PostedAt.Add(time.Duration(i) * time.Hour)
			if _, _, err := s.SavePost(ctx, p, store.Analysis{Case: &model.Case{Labels: []model.Label{model.Recruitment}}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			f    store.SearchFilter
			want []string
		}{
			{store.SearchFilter{Text: "JOIN"}, []string{texts[1], texts[0]}},
			{store.SearchFilter{Text: "100%"}, []string{texts[1]}},
			{store.SearchFilter{Text: "%"}, nil}, // words only: a lone sign finds nothing
			{store.SearchFilter{Text: "_"}, nil},
			{store.SearchFilter{Text: "الجهاد"}, []string{texts[2]}},
			{store.SearchFilter{Author: "acct1"}, []string{texts[3], texts[1]}},
			{store.SearchFilter{Text: "join", Author: "acct0"}, []string{texts[0]}},
		} {
			got, err := s.SearchPosts(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var g []string
			for _, p := range got.Posts {
				g = append(g, p.Text)
			}
			// Order is by rank, tested in search_test.go; here only what is found.
			slices.Sort(g)
			slices.Sort(tc.want)
			if fmt.Sprint(g) != fmt.Sprint(tc.want) {
				t.Errorf("SearchPosts(%+v) = %q, want %q", tc.f, g, tc.want)
			}
		}
		res, _ := s.SearchPosts(ctx, store.SearchFilter{Text: "nothing"})
		got := res.Posts
		cases, err := s.CaseIDsByPost(ctx, []int64{got[0].ID, 999})
		if err != nil || cases[got[0].ID] == 0 || len(cases) != 1 {
			t.Fatalf("CaseIDsByPost = %v, %v", cases, err)
		}
	})
}
