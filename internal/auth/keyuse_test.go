package auth_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestKeyUseOffRequestPath resolves a partner key from many requests at
// once while another writer holds SQLite's write lock: no request writes,
// so all succeed, and the last use reaches the database when it is flushed.
func TestKeyUseOffRequestPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s, err := auth.New(st, auth.Config{Params: fast})
		if err != nil {
			t.Fatal(err)
		}
		key, k, err := s.CreateAPIKey(ctx, "partner", []string{auth.ScopeRead}, "telegram", "test")
		if err != nil {
			t.Fatal(err)
		}
		release := func() {}
		if st.Dialect() == store.SQLite {
			// Another process's writer: the database is locked for writes.
			var path string
			if err := st.DB().QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
				t.Fatal(err)
			}
			other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			tx, err := other.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ('lock', 'held')`); err != nil {
				t.Fatal(err)
			}
			release = func() { tx.Rollback() }
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := httptest.NewRequest("GET", "/api/v1/cases", nil)
				req.Header.Set("Authorization", "Bearer "+key)
				p, err := s.Resolve(req)
				if err == nil && p.KeyID != k.ID {
					err = context.Canceled
				}
				errs <- err
			}()
		}
		wg.Wait()
		release()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("keyed request: %v", err)
			}
		}
		if err := s.FlushKeyUse(ctx); err != nil {
			t.Fatal(err)
		}
		keys, err := st.APIKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0].LastUsedAt.IsZero() {
			t.Fatalf("last use not stored after the flush: %+v", keys)
		}
	})
}

// TestStoreFaultIsNotABadKey closes the store under a keyed request: the
// key is not called unknown, the fault is passed on as the store's.
func TestStoreFaultIsNotABadKey(t *testing.T) {
	st := storetest.SQLite(t)
	s, err := auth.New(st, auth.Config{Params: fast})
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := s.CreateAPIKey(context.Background(), "partner", []string{auth.ScopeRead}, "telegram", "test")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	req := httptest.NewRequest("GET", "/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	_, err = s.Resolve(req)
	if err == nil || errors.Is(err, auth.ErrBadKey) || !store.Transient(err) {
		t.Fatalf("resolve on a closed store: %v, want a transient store fault, not a bad key", err)
	}
}
