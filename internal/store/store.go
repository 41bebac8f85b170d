// Package store keeps marsad's posts, signals, banks, matches, cases,
// decisions and audit log in SQLite (the embedded default) or PostgreSQL.
// One Store serves both: SQL is written once with ? placeholders and
// rebound for PostgreSQL; migrations are kept per dialect.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Dialect is the SQL flavour of a Store.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when the thing asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a change contradicts the stored state, such as
// deciding a case claimed by someone else.
var ErrConflict = errors.New("conflict")

// Store is marsad's persistent state.
type Store struct {
	db      *sql.DB
	dialect Dialect
	// writeMu serialises this process's SQLite write transactions. SQLite
	// allows one writer at a time; waiting on a mutex is far cheaper than
	// its busy handler's sleep-and-retry.
	writeMu sync.Mutex
	// stmts caches prepared statements by query text.
	stmts sync.Map
	// health counts the writes failed by the database's passing faults.
	health health
}

// Open opens the store named by dsn and brings its schema up to date.
// A dsn starting with postgres:// or postgresql:// is PostgreSQL; anything
// else is a SQLite file path, optionally prefixed with "sqlite:".
func Open(ctx context.Context, dsn string) (*Store, error) {
	var (
		db      *sql.DB
		dialect Dialect
		err     error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = Postgres
		db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(16)
	default:
		dialect = SQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("open sqlite: empty path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("open sqlite: %w", err)
			}
		}
		q := "?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		// The path is a URI here: escape what would end it early.
		esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
		db, err = sql.Open("sqlite", "file:"+esc+q)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		db.SetMaxOpenConns(4)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s store: %w", dialect, err)
	}
	s := &Store{db: db, dialect: dialect}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.EnsureAuditGuard(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.backfillSearch(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	gd := goose.DialectSQLite3
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, s.db, sub, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s schema: %w", s.dialect, err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// Dialect reports which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the underlying database, for packages that keep tables of
// their own in the same database.
func (s *Store) DB() *sql.DB { return s.db }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Rebind turns ? placeholders into the store's dialect.
func (s *Store) Rebind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx runs fn in a transaction, committing when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.dialect == SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.health.note(err)
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		s.health.note(err)
		return err
	}
	if err := tx.Commit(); err != nil {
		s.health.note(err)
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stmt returns the prepared statement for q (already rebound), preparing
// it once per store. Parsing SQL is most of the cost of a small statement.
func (s *Store) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// on returns the statement for q bound to qr: the store's own for the
// database, or its transaction-specific copy inside a transaction. Only
// SQLite statements are cached here: the PostgreSQL driver caches its own
// per connection, and preparing an INSERT on a second connection would wait
// for locks the transaction itself holds.
func (s *Store) on(ctx context.Context, qr querier, q string) (*sql.Stmt, error) {
	if s.dialect != SQLite {
		return nil, errNoCache
	}
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if tx, ok := qr.(*sql.Tx); ok {
		return tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

// errNoCache says a statement is run unprepared.
var errNoCache = errors.New("no statement cache")

// exec, query and row run q, with ? placeholders, on qr.
func (s *Store) exec(ctx context.Context, qr querier, q string, args ...any) (res sql.Result, err error) {
	if qr == s.db {
		defer func() { s.health.note(err) }()
	}
	if st, err := s.on(ctx, qr, q); err == nil {
		return st.ExecContext(ctx, args...)
	}
	return qr.ExecContext(ctx, s.Rebind(q), args...)
}

func (s *Store) query(ctx context.Context, qr querier, q string, args ...any) (*sql.Rows, error) {
	if st, err := s.on(ctx, qr, q); err == nil {
		return st.QueryContext(ctx, args...)
	}
	return qr.QueryContext(ctx, s.Rebind(q), args...)
}

func (s *Store) row(ctx context.Context, qr querier, q string, args ...any) *sql.Row {
	if st, err := s.on(ctx, qr, q); err == nil {
		return st.QueryRowContext(ctx, args...)
	}
	return qr.QueryRowContext(ctx, s.Rebind(q), args...)
}

// insertID runs an INSERT ... RETURNING id and returns the id.
func (s *Store) insertID(ctx context.Context, qr querier, q string, args ...any) (int64, error) {
	var id int64
	err := s.row(ctx, qr, q+" RETURNING id", args...).Scan(&id)
	if qr == s.db {
		s.health.note(err)
	}
	return id, err
}

// micros and fromMicros convert times to the stored form: UTC unix microseconds.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505")
}

// scanAll reads every row with scan and closes rows.
func scanAll[T any](rows *sql.Rows, scan func(scanner) (*T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// ids runs q on qr and returns the first column of every row.
func (s *Store) ids(ctx context.Context, qr querier, q string, args ...any) ([]int64, error) {
	rows, err := s.query(ctx, qr, q, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(r scanner) (*int64, error) {
		var id int64
		return &id, r.Scan(&id)
	})
}
