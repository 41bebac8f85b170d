package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestTransientFaults produces the real errors of a locked SQLite file and
// an unreachable PostgreSQL server and checks they are told apart from the
// request's own faults.
func TestTransientFaults(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	dsn := "file:" + path + "?_pragma=busy_timeout(0)&_pragma=journal_mode(WAL)"
	a, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	_, busy := b.Exec(`INSERT INTO t VALUES (2)`)
	if busy == nil {
		t.Fatal("a second writer was not refused")
	}
	if !store.Transient(fmt.Errorf("save post: %w", busy)) {
		t.Errorf("SQLite %v is not transient", busy)
	}

	pg, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:1/none?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	down := pg.PingContext(pctx)
	if down == nil {
		t.Fatal("nothing should listen on port 1")
	}
	if !store.Transient(down) {
		t.Errorf("PostgreSQL %v is not transient", down)
	}

	for _, err := range []error{store.ErrNotFound, store.ErrInvalid, errors.New("x"), context.Canceled} {
		if store.Transient(fmt.Errorf("w: %w", err)) {
			t.Errorf("%v is transient", err)
		}
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, err := s.DB().ExecContext(ctx, `SELECT * FROM no_such_table`)
		if err == nil || store.Transient(err) {
			t.Errorf("a bad query (%v) is transient", err)
		}
	})
}
