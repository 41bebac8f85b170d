package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// guard is a trigger on table that keeps the audit log append-only.
type guard struct{ name, table, create string }

// auditGuards are the triggers of migrations 00001 and 00005, per dialect:
// the same statements, so a dropped one can be recreated at open.
var auditGuards = map[Dialect][]guard{
	SQLite: {
		{"audit_append_only_update", "audit", `CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`},
		{"audit_append_only_delete", "audit", `CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`},
		{"audit_append_only_insert", "audit", `CREATE TRIGGER audit_append_only_insert BEFORE INSERT ON audit
WHEN NEW.seq <= (SELECT COALESCE(MAX(seq), 0) FROM audit)
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`},
		{"audit_checkpoints_append_only_update", "audit_checkpoints", `CREATE TRIGGER audit_checkpoints_append_only_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END`},
		{"audit_checkpoints_append_only_delete", "audit_checkpoints", `CREATE TRIGGER audit_checkpoints_append_only_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END`},
		{"audit_checkpoints_append_only_insert", "audit_checkpoints", `CREATE TRIGGER audit_checkpoints_append_only_insert BEFORE INSERT ON audit_checkpoints
WHEN NEW.id > 0 AND NEW.id <= (SELECT COALESCE(MAX(id), 0) FROM audit_checkpoints)
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END`},
	},
	Postgres: {
		{"audit_append_only", "audit", `CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only()`},
		{"audit_no_truncate", "audit", `CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`},
		{"audit_checkpoints_append_only", "audit_checkpoints", `CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only()`},
		{"audit_checkpoints_no_truncate", "audit_checkpoints", `CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`},
	},
}

// pgAppendOnly is the function the PostgreSQL triggers call (migration 00001).
const pgAppendOnly = `CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only';
END;
$$ LANGUAGE plpgsql`

// EnsureAuditGuard makes sure every trigger protecting the audit log is
// there and working, and records in the audit log itself what it had to
// restore. Someone with database access may have dropped one, replaced it
// with one of the same name that does nothing (SQLite), disabled it
// (PostgreSQL: ALTER TABLE ... DISABLE TRIGGER, or ENABLE REPLICA TRIGGER,
// which fires only for replication) or replaced the function it calls.
// Open calls it.
func (s *Store) EnsureAuditGuard(ctx context.Context) error {
	type found struct {
		def     string // SQLite: the CREATE statement; PostgreSQL: the function called
		enabled bool
	}
	q := `SELECT name, sql, 'O' FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit', 'audit_checkpoints')`
	if s.dialect == Postgres {
		q = `SELECT t.tgname, p.proname, t.tgenabled FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
			WHERE NOT t.tgisinternal AND t.tgrelid IN ('audit'::regclass, 'audit_checkpoints'::regclass)`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("audit guard: %w", err)
	}
	have := map[string]found{}
	for rows.Next() {
		var n, def, enabled string
		if err := rows.Scan(&n, &def, &enabled); err != nil {
			rows.Close()
			return fmt.Errorf("audit guard: %w", err)
		}
		// 'O' fires in normal sessions, 'A' always; 'D' is disabled and
		// 'R' fires only in replication sessions.
		have[n] = found{def: def, enabled: enabled == "O" || enabled == "A"}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit guard: %w", err)
	}
	fnAltered := false
	if s.dialect == Postgres {
		var src string
		err := s.db.QueryRowContext(ctx, `SELECT prosrc FROM pg_proc WHERE oid = 'audit_append_only()'::regprocedure`).Scan(&src)
		fnAltered = err != nil || !strings.Contains(src, "RAISE EXCEPTION 'audit log is append-only'")
	}
	var missing, altered, disabled []string
	for _, g := range auditGuards[s.dialect] {
		f, ok := have[g.name]
		switch {
		case !ok:
			missing = append(missing, g.name)
		case s.dialect == SQLite && squash(f.def) != squash(g.create),
			s.dialect == Postgres && f.def != "audit_append_only":
			altered = append(altered, g.name)
		case !f.enabled:
			disabled = append(disabled, g.name)
		}
	}
	if len(missing)+len(altered)+len(disabled) == 0 && !fnAltered {
		return nil
	}
	var what []string
	if fnAltered {
		what = append(what, "the function audit_append_only was altered and is restored")
	}
	if len(missing) > 0 {
		what = append(what, fmt.Sprintf("triggers found missing and recreated: %v", missing))
	}
	if len(altered) > 0 {
		what = append(what, fmt.Sprintf("triggers found altered and recreated: %v", altered))
	}
	if len(disabled) > 0 {
		what = append(what, fmt.Sprintf("triggers found disabled and enabled again: %v", disabled))
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, pgAppendOnly); err != nil {
				return fmt.Errorf("audit guard: %w", err)
			}
		}
		for _, g := range auditGuards[s.dialect] {
			var stmts []string
			switch {
			case slices.Contains(missing, g.name):
				stmts = []string{g.create}
			case slices.Contains(altered, g.name) && s.dialect == SQLite:
				stmts = []string{`DROP TRIGGER ` + g.name, g.create}
			case slices.Contains(altered, g.name):
				stmts = []string{`DROP TRIGGER ` + g.name + ` ON ` + g.table, g.create}
			case slices.Contains(disabled, g.name):
				stmts = []string{`ALTER TABLE ` + g.table + ` ENABLE TRIGGER ` + g.name}
			}
			for _, q := range stmts {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("audit guard: restore trigger %s: %w", g.name, err)
				}
			}
		}
		return s.appendAudit(ctx, tx, "marsad", "audit.guard.restored", "audit", strings.Join(what, "; "))
	})
}

// squash collapses runs of white space, so two CREATE statements compare
// as SQLite keeps them.
func squash(q string) string {
	return strings.TrimSuffix(strings.Join(strings.Fields(q), " "), ";")
}

// AuditCheckpoint is a signed statement of the audit chain's head: the
// log had Seq events, the last with Hash, at At. A later log must still
// hold that event with that hash; otherwise its tail was cut.
type AuditCheckpoint struct {
	ID        int64
	Seq       int64
	Hash      string
	At        time.Time
	PublicKey string // hex Ed25519
	Signature string // base64 Ed25519 over Message()
}

// Message is the text a checkpoint's signature covers.
func (c AuditCheckpoint) Message() []byte {
	return []byte("marsad-audit-checkpoint/1\x1f" + strconv.FormatInt(c.Seq, 10) + "\x1f" + c.Hash + "\x1f" + c.At.UTC().Format(time.RFC3339Nano))
}

// Verify checks the checkpoint's signature by pub.
func (c AuditCheckpoint) Verify(pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || hex.EncodeToString(pub) != c.PublicKey || !ed25519.Verify(pub, c.Message(), sig) {
		return fmt.Errorf("audit checkpoint %d (event %d): the signature does not match the signing key", c.ID, c.Seq)
	}
	return nil
}

// SaveAuditCheckpoint signs the chain's current head with key and stores
// it. An empty log gets no checkpoint.
func (s *Store) SaveAuditCheckpoint(ctx context.Context, key ed25519.PrivateKey) (*AuditCheckpoint, error) {
	var c AuditCheckpoint
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := s.row(ctx, tx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&c.Seq, &c.Hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit checkpoint: %w", err)
		}
		var last int64
		if err := s.row(ctx, tx, `SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints`).Scan(&last); err != nil {
			return fmt.Errorf("audit checkpoint: %w", err)
		}
		if last == c.Seq {
			c.Seq = 0 // nothing new since the last checkpoint
			return nil
		}
		c.At = time.Now().UTC().Truncate(time.Microsecond)
		c.PublicKey = hex.EncodeToString(key.Public().(ed25519.PublicKey))
		c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.Message()))
		c.ID, err = s.insertID(ctx, tx, `INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)`,
			c.Seq, c.Hash, micros(c.At), c.PublicKey, c.Signature)
		if err != nil {
			return fmt.Errorf("audit checkpoint: %w", err)
		}
		return nil
	})
	if err != nil || c.Seq == 0 {
		return nil, err
	}
	return &c, nil
}

// LatestAuditCheckpoint returns the checkpoint of the longest chain, or nil.
func (s *Store) LatestAuditCheckpoint(ctx context.Context) (*AuditCheckpoint, error) {
	var c AuditCheckpoint
	var at int64
	err := s.row(ctx, s.db, `SELECT id, seq, hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq DESC, id DESC LIMIT 1`).
		Scan(&c.ID, &c.Seq, &c.Hash, &at, &c.PublicKey, &c.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint: %w", err)
	}
	c.At = fromMicros(at)
	return &c, nil
}

// CheckAuditCheckpoint verifies cp's signature by pub and that the log
// still holds the event it names, with the same hash: a log cut after the
// checkpoint (TRUNCATE, or deletes with the triggers dropped) fails here
// even though its remaining chain is intact.
func (s *Store) CheckAuditCheckpoint(ctx context.Context, cp *AuditCheckpoint, pub ed25519.PublicKey) error {
	if err := cp.Verify(pub); err != nil {
		return &AuditProblem{Seq: cp.Seq, Reason: err.Error()}
	}
	var hash string
	err := s.row(ctx, s.db, `SELECT hash FROM audit WHERE seq = ?`, cp.Seq).Scan(&hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var n int64
		_ = s.row(ctx, s.db, `SELECT COUNT(*) FROM audit`).Scan(&n)
		return &AuditProblem{Seq: cp.Seq, Reason: fmt.Sprintf("missing: a checkpoint signed %s says the log had %d events, only %d are left: its tail was cut", cp.At.Format(time.RFC3339), cp.Seq, n)}
	case err != nil:
		return fmt.Errorf("audit checkpoint: %w", err)
	case hash != cp.Hash:
		return &AuditProblem{Seq: cp.Seq, Reason: "its hash differs from the one the signed checkpoint recorded: the log was rewritten"}
	}
	return nil
}
