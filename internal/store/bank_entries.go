package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// EntryQuery selects a page of a bank's entries for people to read.
type EntryQuery struct {
	Bank string
	// Text, when set, must occur in the entry's value or source, ignoring
	// case.
	Text  string
	Type  model.SignalType
	Label model.Label
	// Offset and Limit page through the entries, newest first (Limit at
	// most 500).
	Offset, Limit int
}

// SearchEntries returns a page of a bank's entries, newest first, and how
// many entries the query selects in all.
func (s *Store) SearchEntries(ctx context.Context, q EntryQuery) ([]model.BankEntry, int, error) {
	where := ` FROM bank_entries e JOIN banks b ON b.id = e.bank_id WHERE b.name = ?`
	args := []any{q.Bank}
	if t := strings.TrimSpace(q.Text); t != "" {
		where += ` AND (LOWER(e.value) LIKE ? ESCAPE '\' OR LOWER(e.source) LIKE ? ESCAPE '\')`
		p := "%" + likeEscape(strings.ToLower(t)) + "%"
		args = append(args, p, p)
	}
	if q.Type != "" {
		where += ` AND e.type = ?`
		args = append(args, q.Type)
	}
	if q.Label != "" {
		where += ` AND e.label = ?`
		args = append(args, q.Label)
	}
	var total int
	if err := s.row(ctx, s.db, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("bank %q: count entries: %w", q.Bank, err)
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	rows, err := s.query(ctx, s.db, `SELECT e.id, e.bank_id, e.type, e.value, e.label, e.source, e.added_at`+where+` ORDER BY e.id DESC LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("bank %q: entries: %w", q.Bank, err)
	}
	out, err := scanAll(rows, func(r scanner) (*model.BankEntry, error) {
		var e model.BankEntry
		var added int64
		err := r.Scan(&e.ID, &e.BankID, &e.Type, &e.Value, &e.Label, &e.Source, &added)
		e.AddedAt = fromMicros(added)
		return &e, err
	})
	return out, total, err
}

// EntryCount is how many entries of a bank have one type and source.
type EntryCount struct {
	Type   model.SignalType
	Source string
	N      int
}

// EntryCounts counts a bank's entries by type and source: where the bank's
// content came from.
func (s *Store) EntryCounts(ctx context.Context, bankName string) ([]EntryCount, error) {
	rows, err := s.query(ctx, s.db, `SELECT e.type, e.source, COUNT(*) FROM bank_entries e JOIN banks b ON b.id = e.bank_id
		WHERE b.name = ? GROUP BY e.type, e.source ORDER BY COUNT(*) DESC, e.type, e.source LIMIT 50`, bankName)
	if err != nil {
		return nil, fmt.Errorf("bank %q: count entries: %w", bankName, err)
	}
	return scanAll(rows, func(r scanner) (*EntryCount, error) {
		var c EntryCount
		return &c, r.Scan(&c.Type, &c.Source, &c.N)
	})
}

// RemoveEntry takes one entry out of a bank; matches made through it go
// with it, cases keep their recorded reasons. A case that added the entry
// records it as removed.
func (s *Store) RemoveEntry(ctx context.Context, bankName string, id int64, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var typ, value string
		err := s.row(ctx, tx, `SELECT e.type, e.value FROM bank_entries e JOIN banks b ON b.id = e.bank_id WHERE b.name = ? AND e.id = ?`, bankName, id).Scan(&typ, &value)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("bank %q: entry %d: %w", bankName, id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("bank %q: entry %d: %w", bankName, id, err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM bank_entries WHERE id = ?`, id); err != nil {
			return fmt.Errorf("bank %q: remove entry %d: %w", bankName, id, err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE case_entries SET removed_at = ? WHERE entry_id = ? AND removed_at = 0`, micros(time.Now()), id); err != nil {
			return fmt.Errorf("bank %q: remove entry %d: %w", bankName, id, err)
		}
		return s.appendAudit(ctx, tx, actor, "bank.remove", "bank:"+bankName, fmt.Sprintf("entry %d %s %s removed", id, typ, value))
	})
}

// likeEscape makes s match itself literally inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
