package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// genesis is the prev_hash of the first audit event.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditHash is the hash an audit event must carry: SHA-256 over the
// previous hash and the event's fields, joined by the unit separator.
func AuditHash(ev model.AuditEvent) string {
	h := sha256.New()
	for i, f := range []string{ev.PrevHash, strconv.FormatInt(ev.Seq, 10), ev.At.UTC().Format(time.RFC3339Nano), ev.Actor, ev.Action, ev.Subject, ev.Detail} {
		if i > 0 {
			h.Write([]byte{0x1f})
		}
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Audit appends an event to the audit log in its own transaction.
func (s *Store) Audit(ctx context.Context, actor, action, subject, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.appendAudit(ctx, tx, actor, action, subject, detail) })
}

// appendAudit appends an event inside tx, chaining it to the last one.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, actor, action, subject, detail string) error {
	if s.dialect == Postgres {
		// Two writers must not both chain onto the same last row.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("audit: lock: %w", err)
		}
	}
	ev := model.AuditEvent{At: time.Now().UTC().Truncate(time.Microsecond), Actor: actor, Action: action, Subject: subject, Detail: detail}
	err := s.row(ctx, tx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&ev.Seq, &ev.PrevHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ev.PrevHash = genesis
	case err != nil:
		return fmt.Errorf("audit: last event: %w", err)
	}
	ev.Seq++
	ev.Hash = AuditHash(ev)
	if _, err := s.exec(ctx, tx, `INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Seq, micros(ev.At), ev.Actor, ev.Action, ev.Subject, ev.Detail, ev.PrevHash, ev.Hash); err != nil {
		return fmt.Errorf("audit: append %s: %w", action, err)
	}
	return nil
}

// AuditFilter selects audit events.
type AuditFilter struct {
	Subject  string // exact subject, e.g. "case:12"
	AfterSeq int64
	Limit    int
}

// AuditEvents lists audit events in sequence order.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]model.AuditEvent, error) {
	q := `SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit WHERE seq > ?`
	args := []any{f.AfterSeq}
	if f.Subject != "" {
		q += ` AND subject = ?`
		args = append(args, f.Subject)
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	q += ` ORDER BY seq LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return scanAll(rows, func(r scanner) (*model.AuditEvent, error) {
		var ev model.AuditEvent
		var at int64
		err := r.Scan(&ev.Seq, &at, &ev.Actor, &ev.Action, &ev.Subject, &ev.Detail, &ev.PrevHash, &ev.Hash)
		ev.At = fromMicros(at)
		return &ev, err
	})
}

// AuditProblem is the first place the audit chain does not hold.
type AuditProblem struct {
	Seq    int64
	Reason string
}

func (p *AuditProblem) Error() string { return fmt.Sprintf("audit event %d: %s", p.Seq, p.Reason) }

// VerifyAudit walks the whole audit log and returns how many events it
// checked and, if the chain is broken, an *AuditProblem naming the first
// event that does not fit: edited (its hash no longer matches), deleted
// (a gap in the sequence) or re-ordered (prev_hash does not match).
func (s *Store) VerifyAudit(ctx context.Context) (int64, error) {
	prev := genesis
	var want, n int64 = 1, 0
	var after int64
	for {
		evs, err := s.AuditEvents(ctx, AuditFilter{AfterSeq: after, Limit: 5000})
		if err != nil {
			return n, err
		}
		if len(evs) == 0 {
			return n, nil
		}
		for _, ev := range evs {
			switch {
			case ev.Seq != want:
				return n, &AuditProblem{Seq: want, Reason: fmt.Sprintf("missing (next present is %d): deleted", ev.Seq)}
			case ev.PrevHash != prev:
				return n, &AuditProblem{Seq: ev.Seq, Reason: "prev_hash does not match the event before it"}
			case AuditHash(ev) != ev.Hash:
				return n, &AuditProblem{Seq: ev.Seq, Reason: "content does not match its hash: edited"}
			}
			prev, want, after = ev.Hash, want+1, ev.Seq
			n++
		}
	}
}
