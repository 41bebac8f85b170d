// Package storetest opens fresh stores for tests: a SQLite file in a
// temporary directory always, and a PostgreSQL schema of its own when
// MARSAD_TEST_POSTGRES names a database.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/marsad/marsad/internal/store"
)

// EnvPostgres names the environment variable holding the PostgreSQL DSN.
const EnvPostgres = "MARSAD_TEST_POSTGRES"

var skipOnce sync.Once

// SQLite opens a store in a new SQLite file.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "marsad.db"))
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN creates a fresh schema in the database named by
// MARSAD_TEST_POSTGRES and returns a DSN that uses it, or "" when the
// variable is unset. The schema is dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		skipOnce.Do(func() {
			t.Logf("%s is not set: PostgreSQL back end not tested (set it to e.g. postgres://postgres@127.0.0.1:5432/test)", EnvPostgres)
		})
		return ""
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "marsad_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres: bad %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs fn as a subtest once per available back end, each with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		dsn := PostgresDSN(t)
		if dsn == "" {
			t.Skipf("%s not set", EnvPostgres)
		}
		s, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("open postgres store: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
}
