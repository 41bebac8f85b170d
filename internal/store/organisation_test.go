package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestOrganisationsMigration: users and keys that exist before migration
// 00018 belong to the unit it creates, on both stores.
func TestOrganisationsMigration(t *testing.T) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "old.db")}
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
			// Take the database back to before 00018, as an older marsad
			// left it, with a user and a key.
			for _, q := range []string{
				`ALTER TABLE api_keys DROP COLUMN org_id`,
				`ALTER TABLE users DROP COLUMN org_id`,
				`DROP TABLE organisations`,
				`DELETE FROM goose_db_version WHERE version_id = 18`,
				`INSERT INTO users (name, role, password_hash, lang, disabled, created_at, tz) VALUES ('old-admin', 'admin', 'x', 'en', false, 1, '')`,
				`INSERT INTO api_keys (name, prefix, key_hash, scopes, platform, created_by, created_at) VALUES ('old-key', 'mk_old', 'h', '["read"]', 'x', 'cli', 1)`,
			} {
				if _, err := s.DB().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			s.Close()
			s, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			unit, err := s.Unit(ctx)
			if err != nil || unit.Kind != "unit" {
				t.Fatalf("unit after the migration: %+v, %v", unit, err)
			}
			u, err := s.UserByName(ctx, "old-admin")
			if err != nil || u.OrgID != unit.ID {
				t.Fatalf("old user: %+v, %v; want in the unit %d", u, err, unit.ID)
			}
			keys, err := s.APIKeys(ctx)
			if err != nil || len(keys) != 1 || keys[0].OrgID != unit.ID || keys[0].Platform != "x" {
				t.Fatalf("old key: %+v, %v; want in the unit, still bound to x", keys, err)
			}
			// A new organisation after the migration gets a fresh id.
			o := &store.Organisation{Name: "Telegram", Kind: "platform", Platform: "telegram"}
			if err := s.CreateOrganisation(ctx, o, "test"); err != nil || o.ID == unit.ID {
				t.Fatalf("new organisation: %+v, %v", o, err)
			}
		})
	}
}
