package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

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

// TestTransientClassifier runs the classifier over real errors of both
// drivers, each produced the way it happens in service where a test can
// produce it, and over PostgreSQL's SQLSTATEs of passing faults that no
// test can provoke on a shared server (a full disk, too many connections).
// A transient fault is answered 503; everything else is the request's.
func TestTransientClassifier(t *testing.T) {
	ctx := context.Background()
	type tc struct {
		name            string
		err             error
		transient, full bool
	}
	var cases []tc
	add := func(name string, err error, transient, full bool) {
		if err == nil {
			t.Fatalf("%s: no error produced", name)
		}
		cases = append(cases, tc{name, fmt.Errorf("save post: %w", err), transient, full})
	}

	// SQLite: a full database, a syntax error, a constraint.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (x TEXT UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	var pages int
	db.QueryRow(`PRAGMA page_count`).Scan(&pages)
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	_, full := db.Exec(`INSERT INTO t VALUES (?)`, strings.Repeat("x", 20000))
	add("sqlite full", full, true, true)
	_, syntax := db.Exec(`SELEC 1`)
	add("sqlite syntax error", syntax, false, false)
	db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+100))
	db.Exec(`INSERT INTO t VALUES ('a')`)
	_, unique := db.Exec(`INSERT INTO t VALUES ('a')`)
	add("sqlite unique", unique, false, false)

	// PostgreSQL: SQLSTATEs as the server sends them.
	for _, c := range []struct {
		code            string
		transient, full bool
	}{
		{"53100", true, true},   // disk_full
		{"53200", true, false},  // out_of_memory
		{"53300", true, false},  // too_many_connections
		{"58030", true, false},  // io_error
		{"57P01", true, false},  // admin_shutdown
		{"57P02", true, false},  // crash_shutdown
		{"57P03", true, false},  // cannot_connect_now
		{"08006", true, false},  // connection_failure
		{"40001", true, false},  // serialization_failure
		{"23505", false, false}, // unique_violation
		{"22P02", false, false}, // invalid_text_representation
		{"42601", false, false}, // syntax_error
	} {
		add("postgres "+c.code, &pgconn.PgError{Severity: "ERROR", Code: c.code, Message: "x"}, c.transient, c.full)
	}
	add("enospc", &os.PathError{Op: "write", Path: "media/x", Err: syscall.ENOSPC}, true, true)
	add("not found", store.ErrNotFound, false, false)
	add("invalid", store.ErrInvalid, false, false)
	add("cancelled", context.Canceled, false, false)

	if dsn := storetest.PostgresDSN(t); dsn != "" {
		// A backend killed under its session: FATAL 57P01, then the
		// closed connection on the next use.
		conn, err := pgconn.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		admin, err := pgconn.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, fmt.Sprintf(`SELECT pg_terminate_backend(%d)`, conn.PID())).ReadAll(); err != nil {
			t.Fatal(err)
		}
		_, killed := conn.Exec(ctx, `SELECT 1`).ReadAll()
		add("postgres killed backend", killed, true, false)
		_, closed := conn.Exec(ctx, `SELECT 1`).ReadAll()
		add("postgres closed connection", closed, true, false)
		_, syntax := admin.Exec(ctx, `SELEC 1`).ReadAll()
		add("postgres syntax error", syntax, false, false)

		// A connection cut without a word from the server, halfway
		// through an answer (a crash, a dropped network): the driver sees
		// an unexpected EOF.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		u, _ := url.Parse(dsn)
		target := u.Host
		var armed atomic.Bool
		go func() {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			defer in.Close()
			out, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer out.Close()
			go io.Copy(out, in)
			buf := make([]byte, 64<<10)
			for {
				n, err := out.Read(buf)
				if err != nil {
					return
				}
				if armed.Load() {
					in.Write(buf[:min(n, 100)])
					return
				}
				if _, err := in.Write(buf[:n]); err != nil {
					return
				}
			}
		}()
		u.Host = ln.Addr().String()
		cc, err := pgconn.Connect(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close(ctx)
		armed.Store(true)
		_, eof := cc.Exec(ctx, `SELECT repeat('x', 100000)`).ReadAll()
		if !errors.Is(eof, io.ErrUnexpectedEOF) {
			t.Errorf("the cut answer gave %v, not an unexpected EOF", eof)
		}
		add("postgres answer cut short", eof, true, false)
	}

	// A server that is not there.
	pg, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:1/none?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	add("postgres down", pg.PingContext(pctx), true, false)

	for _, c := range cases {
		if got := store.Transient(c.err); got != c.transient {
			t.Errorf("%s: Transient(%v) = %v, want %v", c.name, c.err, got, c.transient)
		}
		if got := store.DiskFull(c.err); got != c.full {
			t.Errorf("%s: DiskFull(%v) = %v, want %v", c.name, c.err, got, c.full)
		}
	}
}
