package store_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestAuditGuard tries what someone with database access would: replace
// a row, truncate the log, drop the triggers, cut the tail.
func TestAuditGuard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db := s.DB()
		for i := 0; i < 5; i++ {
			if err := s.Audit(ctx, "rev1", "case.view", "case:1", ""); err != nil {
				t.Fatal(err)
			}
		}
		replace := `INSERT OR REPLACE INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (2, 0, 'x', 'x', 'x', 'x', 'x', 'x')`
		if s.Dialect() == store.Postgres {
			replace = `INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (2, 0, 'x', 'x', 'x', 'x', 'x', 'x')
				ON CONFLICT (seq) DO UPDATE SET actor = 'x'`
		}
		if _, err := db.ExecContext(ctx, replace); err == nil {
			t.Error("an audit row was replaced")
		}
		if s.Dialect() == store.Postgres {
			if _, err := db.ExecContext(ctx, `TRUNCATE audit`); err == nil {
				t.Error("TRUNCATE audit succeeded")
			}
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != 5 {
			t.Fatalf("after the attempts: %d events, %v", n, err)
		}

		// A signed checkpoint, then the tail is cut with the triggers dropped.
		pub, key, _ := ed25519.GenerateKey(nil)
		cp, err := s.SaveAuditCheckpoint(ctx, key)
		if err != nil || cp == nil || cp.Seq != 5 {
			t.Fatalf("checkpoint: %+v %v", cp, err)
		}
		if err := s.CheckAuditCheckpoint(ctx, cp, pub); err != nil {
			t.Fatalf("intact log against its checkpoint: %v", err)
		}
		drop := []string{`DROP TRIGGER audit_append_only_delete`}
		if s.Dialect() == store.Postgres {
			drop = []string{`DROP TRIGGER audit_append_only ON audit`, `DROP TRIGGER audit_no_truncate ON audit`}
		}
		for _, q := range drop {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM audit WHERE seq > 3`); err != nil {
			t.Fatal(err)
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != 3 {
			t.Fatalf("the remaining chain: %d, %v (it is intact by itself)", n, err)
		}
		latest, err := s.LatestAuditCheckpoint(ctx)
		if err != nil || latest == nil {
			t.Fatalf("latest checkpoint: %v", err)
		}
		var p *store.AuditProblem
		if err := s.CheckAuditCheckpoint(ctx, latest, pub); !errors.As(err, &p) || !strings.Contains(p.Reason, "tail was cut") {
			t.Fatalf("cut tail: %v, want a problem saying the tail was cut", err)
		}
		other, _, _ := ed25519.GenerateKey(nil)
		if err := s.CheckAuditCheckpoint(ctx, latest, other); err == nil {
			t.Error("a checkpoint verified against another key")
		}

		// The dropped triggers come back, and say so in the log.
		if err := s.EnsureAuditGuard(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM audit WHERE seq = 1`); err == nil {
			t.Error("delete allowed after the guard was restored")
		}
		if s.Dialect() == store.Postgres {
			if _, err := db.ExecContext(ctx, `TRUNCATE audit`); err == nil {
				t.Error("TRUNCATE allowed after the guard was restored")
			}
		}
		evs, _ := s.AuditEvents(ctx, store.AuditFilter{AfterSeq: 3})
		if len(evs) != 1 || evs[0].Action != "audit.guard.restored" {
			t.Errorf("no audit event for the restored triggers: %+v", evs)
		}
		// Checkpoints themselves are append-only.
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_checkpoints`); err == nil {
			t.Error("checkpoints deleted")
		}
	})
}

// TestAuditGuardRestoredAtOpen disables the triggers the way someone with
// database access can without dropping them (PostgreSQL: DISABLE TRIGGER,
// ENABLE REPLICA TRIGGER; SQLite, whose triggers cannot be disabled: a
// trigger of the same name that does nothing, and a dropped one), checks
// that an UPDATE then succeeds, and that reopening the store restores
// them and says so in the log, once.
func TestAuditGuardRestoredAtOpen(t *testing.T) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "marsad.db")}
	if dsn := storetest.PostgresDSN(t); dsn != "" {
		dsns["postgres"] = dsn
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				if err := s.Audit(ctx, "rev1", "case.view", "case:1", ""); err != nil {
					t.Fatal(err)
				}
			}
			_, key, _ := ed25519.GenerateKey(nil)
			if _, err := s.SaveAuditCheckpoint(ctx, key); err != nil {
				t.Fatal(err)
			}
			sabotage := []string{
				`DROP TRIGGER audit_append_only_update`,
				`CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN SELECT 1; END`,
				`DROP TRIGGER audit_checkpoints_append_only_delete`,
			}
			want := []string{"altered and recreated: [audit_append_only_update]", "missing and recreated: [audit_checkpoints_append_only_delete]"}
			if name == "postgres" {
				sabotage = []string{
					`ALTER TABLE audit DISABLE TRIGGER audit_append_only`,
					`ALTER TABLE audit_checkpoints ENABLE REPLICA TRIGGER audit_checkpoints_append_only`,
				}
				want = []string{"disabled and enabled again: [audit_append_only audit_checkpoints_append_only]"}
			}
			for _, q := range sabotage {
				if _, err := s.DB().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.DB().ExecContext(ctx, `UPDATE audit SET detail = 'rewritten' WHERE seq = 1`); err != nil {
				t.Fatalf("the sabotage did not let an UPDATE through: %v", err)
			}
			s.Close()

			s, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.DB().ExecContext(ctx, `UPDATE audit SET detail = 'again' WHERE seq = 2`); err == nil {
				t.Error("an UPDATE of the audit log succeeded after the store reopened")
			}
			if _, err := s.DB().ExecContext(ctx, `DELETE FROM audit_checkpoints`); err == nil {
				t.Error("a DELETE of the checkpoints succeeded after the store reopened")
			}
			evs, err := s.AuditEvents(ctx, store.AuditFilter{AfterSeq: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 || evs[0].Action != "audit.guard.restored" {
				t.Fatalf("events after reopening: %+v, want one audit.guard.restored", evs)
			}
			for _, w := range want {
				if !strings.Contains(evs[0].Detail, w) {
					t.Errorf("the event says %q, not %q", evs[0].Detail, w)
				}
			}
			// A guard in order is left alone, and nothing more is recorded.
			s.Close()
			s, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if evs, _ := s.AuditEvents(ctx, store.AuditFilter{AfterSeq: 4}); len(evs) != 0 {
				t.Errorf("an intact guard was restored again: %+v", evs)
			}
		})
	}
}
