package org_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

const pw = "a long enough password"

func setup(t *testing.T, st *store.Store) (*org.Service, *auth.Service, *auth.Principal) {
	t.Helper()
	as, err := auth.New(st, auth.Config{Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := as.CreateUser(context.Background(), "boss", auth.RoleAdmin, pw, "en", "test")
	if err != nil {
		t.Fatal(err)
	}
	return org.New(st, as), as, &auth.Principal{Name: u.Name, Role: u.Role, UserID: u.ID, OrgID: u.OrgID}
}

// refused checks that err is of kind and names field.
func refused(t *testing.T, err error, status int, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want %d on %q", status, field)
	}
	if got := org.Status(err); got != status {
		t.Fatalf("status %d for %v, want %d", got, err, status)
	}
	if got := org.Field(err); got != field {
		t.Fatalf("field %q for %v, want %q", got, err, field)
	}
}

// Rule: exactly one organisation is the unit; users and keys made without
// an organisation belong to it; no second unit can be made.
func TestOneUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		orgs, _, admin := setup(t, st)
		list, err := orgs.List(ctx)
		if err != nil || len(list) != 1 || list[0].Kind != org.KindUnit {
			t.Fatalf("organisations of a new store: %+v, %v; want the unit alone", list, err)
		}
		if admin.OrgID != list[0].ID {
			t.Fatalf("a new user belongs to organisation %d, want the unit %d", admin.OrgID, list[0].ID)
		}
		_, err = orgs.Create(ctx, admin, org.KindUnit, "second unit", "")
		refused(t, err, http.StatusBadRequest, "kind")
		// Even past the rules, the database keeps one unit.
		if err := st.CreateOrganisation(ctx, &store.Organisation{Name: "rogue", Kind: org.KindUnit}, "test"); !errors.Is(err, store.ErrExists) {
			t.Fatalf("a second unit in the store: %v, want ErrExists", err)
		}
	})
}

// Rule: only an admin of the unit creates, renames and assigns.
func TestOnlyUnitAdminManages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		orgs, _, admin := setup(t, st)
		tg, err := orgs.Create(ctx, admin, org.KindPlatform, "Telegram", "telegram")
		if err != nil {
			t.Fatal(err)
		}
		for name, p := range map[string]*auth.Principal{
			"nobody":               nil,
			"a reviewer":           {Name: "rev", Role: auth.RoleReviewer, OrgID: admin.OrgID},
			"a partner key":        {Name: "key:p", Role: auth.RolePartner, Scopes: []string{auth.ScopeAllPlatforms}, OrgID: admin.OrgID},
			"an admin of platform": {Name: "tgadmin", Role: auth.RoleAdmin, OrgID: tg.ID},
		} {
			_, err := orgs.Create(ctx, p, org.KindAgency, "Agency of "+name, "")
			if org.Status(err) != http.StatusForbidden {
				t.Errorf("%s creates an organisation: %v, want 403", name, err)
			}
			if err := orgs.Rename(ctx, p, "Telegram", "TG"); org.Status(err) != http.StatusForbidden {
				t.Errorf("%s renames an organisation: %v, want 403", name, err)
			}
			if err := orgs.AssignUser(ctx, p, "boss", "Telegram"); org.Status(err) != http.StatusForbidden {
				t.Errorf("%s assigns a user: %v, want 403", name, err)
			}
		}
	})
}

// Rule: a platform names its platform as posts write it; an agency names
// none; names and platforms are each taken once.
func TestCreateChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		orgs, _, admin := setup(t, st)
		for _, c := range []struct {
			kind, name, platform string
			status               int
			field                string
		}{
			{org.KindPlatform, "X Corp", "x", 0, ""},
			{org.KindAgency, "Europol IRU", "", 0, ""},
			{org.KindPlatform, "Meta", "", http.StatusBadRequest, "platform"},
			{org.KindPlatform, "Meta", "Face Book", http.StatusBadRequest, "platform"},
			{org.KindAgency, "Interpol", "telegram", http.StatusBadRequest, "platform"},
			{"club", "Club", "", http.StatusBadRequest, "kind"},
			{org.KindAgency, "  ", "", http.StatusBadRequest, "name"},
			{org.KindAgency, "X Corp", "", http.StatusConflict, "name"},
			{org.KindPlatform, "Another X", "x", http.StatusConflict, "name"},
		} {
			o, err := orgs.Create(ctx, admin, c.kind, c.name, c.platform)
			if c.status == 0 {
				if err != nil || o.Kind != c.kind || o.Platform != c.platform {
					t.Errorf("create %s %q %q: %+v, %v", c.kind, c.name, c.platform, o, err)
				}
				continue
			}
			refused(t, err, c.status, c.field)
		}
	})
}

// Rule: any organisation, the unit too, may be renamed to an unused name.
func TestRename(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		orgs, _, admin := setup(t, st)
		if _, err := orgs.Create(ctx, admin, org.KindAgency, "Agency", ""); err != nil {
			t.Fatal(err)
		}
		if err := orgs.Rename(ctx, admin, "unit", "National CT Unit"); err != nil {
			t.Fatal(err)
		}
		if u, err := st.Unit(ctx); err != nil || u.Name != "National CT Unit" {
			t.Fatalf("unit after rename: %+v, %v", u, err)
		}
		refused(t, orgs.Rename(ctx, admin, "Agency", "National CT Unit"), http.StatusConflict, "name")
		refused(t, orgs.Rename(ctx, admin, "Agency", ""), http.StatusBadRequest, "name")
		if err := orgs.Rename(ctx, admin, "nobody", "x"); org.Status(err) != http.StatusNotFound {
			t.Fatalf("rename of a missing organisation: %v, want 404", err)
		}
	})
}

// Rule: outside the unit people are analysts only, when added, moved or
// given a new role; moving a user ends their sessions.
func TestMembersOutsideUnitAreAnalysts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		orgs, as, admin := setup(t, st)
		tg, err := orgs.Create(ctx, admin, org.KindPlatform, "Telegram", "telegram")
		if err != nil {
			t.Fatal(err)
		}
		_, err = orgs.AddUser(ctx, admin, "Telegram", "tgrev", auth.RoleReviewer, pw, "en")
		refused(t, err, http.StatusBadRequest, "role")
		if _, err := st.UserByName(ctx, "tgrev"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused user was created: %v", err)
		}
		_, err = orgs.AddUser(ctx, admin, "Nowhere", "lost", auth.RoleAnalyst, pw, "en")
		refused(t, err, http.StatusBadRequest, "org")
		u, err := orgs.AddUser(ctx, admin, "Telegram", "tgana", auth.RoleAnalyst, pw, "en")
		if err != nil || u.OrgID != tg.ID {
			t.Fatalf("add analyst to Telegram: %+v, %v", u, err)
		}
		refused(t, orgs.RoleAllowed(ctx, tg.ID, auth.RoleAdmin), http.StatusBadRequest, "role")
		refused(t, orgs.AssignUser(ctx, admin, "boss", "Telegram"), http.StatusBadRequest, "role")

		// Moving a signed-in analyst into the unit ends the session.
		if _, _, err := as.Login(ctx, "tgana", pw, "192.0.2.1", ""); err != nil {
			t.Fatal(err)
		}
		if err := orgs.AssignUser(ctx, admin, "tgana", ""); err != nil {
			t.Fatal(err)
		}
		moved, _ := st.UserByName(ctx, "tgana")
		if moved.OrgID != admin.OrgID {
			t.Fatalf("tgana in organisation %d, want the unit", moved.OrgID)
		}
		var n int
		if err := st.DB().QueryRowContext(ctx, st.Rebind(`SELECT COUNT(*) FROM sessions WHERE user_id = ?`), moved.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("sessions after a move: %d, %v; want none", n, err)
		}
	})
}

// Rule: a platform's key is bound to its platform, an agency's to none,
// and neither has the all-platforms or audit scope.
func TestKeyBinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		orgs, as, admin := setup(t, st)
		tg, _ := orgs.Create(ctx, admin, org.KindPlatform, "Telegram", "telegram")
		ag, _ := orgs.Create(ctx, admin, org.KindAgency, "Agency", "")
		_, k, err := orgs.AddKey(ctx, admin, "Telegram", "tg-bot", []string{auth.ScopeRead}, "")
		if err != nil || k.Platform != "telegram" || k.OrgID != tg.ID {
			t.Fatalf("Telegram key: %+v, %v; want bound to telegram", k, err)
		}
		_, _, err = orgs.AddKey(ctx, admin, "Telegram", "tg-x", []string{auth.ScopeRead}, "x")
		refused(t, err, http.StatusBadRequest, "platform")
		_, _, err = orgs.AddKey(ctx, admin, "Telegram", "tg-all", []string{auth.ScopeRead, auth.ScopeAllPlatforms}, "")
		refused(t, err, http.StatusBadRequest, "scope")
		_, _, err = orgs.AddKey(ctx, admin, "Agency", "ag-audit", []string{auth.ScopeRead, auth.ScopeAudit}, "")
		refused(t, err, http.StatusBadRequest, "scope")
		_, ak, err := orgs.AddKey(ctx, admin, "Agency", "ag", []string{auth.ScopeRead}, "telegram")
		if err != nil || ak.Platform != "" || ak.OrgID != ag.ID {
			t.Fatalf("agency key: %+v, %v; want bound to no platform", ak, err)
		}
		// The unit's keys keep their rule: a platform or all-platforms.
		_, _, err = orgs.AddKey(ctx, admin, "", "unit-none", []string{auth.ScopeRead}, "")
		var ie *auth.InputError
		if !errors.As(err, &ie) || ie.Field != "platform" {
			t.Fatalf("unit key with neither platform nor all-platforms: %v", err)
		}
		// Moving a unit key bound to x into Telegram is refused; one bound
		// to telegram moves, and one with no binding is bound on the way.
		_, kx, _ := as.CreateAPIKey(ctx, "unit-x", []string{auth.ScopeRead}, "x", "test")
		refused(t, orgs.AssignKey(ctx, admin, kx.ID, "Telegram"), http.StatusBadRequest, "platform")
		_, kall, _ := as.CreateAPIKey(ctx, "unit-all", []string{auth.ScopeRead, auth.ScopeAllPlatforms}, "", "test")
		refused(t, orgs.AssignKey(ctx, admin, kall.ID, "Agency"), http.StatusBadRequest, "scope")
		if err := orgs.AssignKey(ctx, admin, kx.ID, "Agency"); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.APIKeyByID(ctx, kx.ID); got.OrgID != ag.ID || got.Platform != "" {
			t.Fatalf("key moved to the agency: %+v; want the agency's, bound to none", got)
		}
		if err := orgs.AssignKey(ctx, admin, kx.ID, "Telegram"); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.APIKeyByID(ctx, kx.ID); got.OrgID != tg.ID || got.Platform != "telegram" {
			t.Fatalf("key moved to Telegram: %+v; want bound to telegram", got)
		}
	})
}

// Rule (Visible): the unit sees everything; a platform sees its own
// platform; an agency sees nothing until sharing exists.
func TestVisible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		orgs, _, admin := setup(t, st)
		tg, _ := orgs.Create(ctx, admin, org.KindPlatform, "Telegram", "telegram")
		ag, _ := orgs.Create(ctx, admin, org.KindAgency, "Agency", "")
		for _, c := range []struct {
			name   string
			p      *auth.Principal
			unit   bool
			sees   []string
			hidden []string
		}{
			{"unit analyst", &auth.Principal{Name: "a", Role: auth.RoleAnalyst, OrgID: admin.OrgID}, true, []string{"telegram", "x", ""}, nil},
			{"unit key, all platforms", &auth.Principal{Name: "k", Role: auth.RolePartner, Scopes: []string{auth.ScopeAllPlatforms}, OrgID: admin.OrgID}, true, []string{"telegram", "x"}, nil},
			{"unit key bound to x", &auth.Principal{Name: "k", Role: auth.RolePartner, Platform: "x", OrgID: admin.OrgID}, true, []string{"x"}, []string{"telegram", ""}},
			{"platform user", &auth.Principal{Name: "t", Role: auth.RoleAnalyst, OrgID: tg.ID}, false, []string{"telegram"}, []string{"x", ""}},
			{"platform key", &auth.Principal{Name: "k", Role: auth.RolePartner, Platform: "telegram", OrgID: tg.ID}, false, []string{"telegram"}, []string{"x"}},
			{"agency user", &auth.Principal{Name: "g", Role: auth.RoleAnalyst, OrgID: ag.ID}, false, nil, []string{"telegram", "x", ""}},
		} {
			r, err := orgs.Visible(ctx, c.p)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if r.Unit() != c.unit {
				t.Errorf("%s: Unit() = %t", c.name, r.Unit())
			}
			for _, p := range c.sees {
				if !r.Sees(p) {
					t.Errorf("%s does not see platform %q", c.name, p)
				}
			}
			for _, p := range c.hidden {
				if r.Sees(p) {
					t.Errorf("%s sees platform %q", c.name, p)
				}
			}
		}
		if _, err := orgs.Visible(ctx, nil); org.Status(err) != http.StatusForbidden {
			t.Fatalf("Visible(nil): %v, want 403", err)
		}
	})
}
