package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
)

// ErrExists is returned when creating something whose name is taken.
var ErrExists = errors.New("already exists")

const bankCols = `b.id, b.name, b.description, b.owner, b.enabled, b.auto_action, b.created_at,
	(SELECT COUNT(*) FROM bank_entries e WHERE e.bank_id = b.id)`

// CreateBank creates a bank. The name must be unused.
func (s *Store) CreateBank(ctx context.Context, b *model.Bank, actor string) error {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = time.Now().UTC()
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO banks (name, description, owner, enabled, auto_action, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			b.Name, b.Description, b.Owner, b.Enabled, b.AutoAction, micros(b.CreatedAt))
		if isUnique(err) {
			return fmt.Errorf("bank %q: %w", b.Name, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("create bank %q: %w", b.Name, err)
		}
		b.ID = id
		return s.appendAudit(ctx, tx, actor, "bank.create", "bank:"+b.Name,
			fmt.Sprintf("owner=%q enabled=%t auto_action=%t", b.Owner, b.Enabled, b.AutoAction))
	})
	return err
}

// Bank returns the bank with the given name.
func (s *Store) Bank(ctx context.Context, name string) (*model.Bank, error) {
	b, err := scanBank(s.row(ctx, s.db, `SELECT `+bankCols+` FROM banks b WHERE b.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("bank %q: %w", name, ErrNotFound)
	}
	return b, err
}

// Banks lists every bank by name.
func (s *Store) Banks(ctx context.Context) ([]model.Bank, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+bankCols+` FROM banks b ORDER BY b.name`)
	if err != nil {
		return nil, fmt.Errorf("list banks: %w", err)
	}
	return scanAll(rows, scanBank)
}

// UpdateBank changes a bank's description, owner, enabled flag and
// automatic-action rule.
func (s *Store) UpdateBank(ctx context.Context, b *model.Bank, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE banks SET description = ?, owner = ?, enabled = ?, auto_action = ? WHERE name = ?`,
			b.Description, b.Owner, b.Enabled, b.AutoAction, b.Name)
		if err != nil {
			return fmt.Errorf("update bank %q: %w", b.Name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("bank %q: %w", b.Name, ErrNotFound)
		}
		return s.appendAudit(ctx, tx, actor, "bank.update", "bank:"+b.Name,
			fmt.Sprintf("owner=%q enabled=%t auto_action=%t", b.Owner, b.Enabled, b.AutoAction))
	})
}

// DeleteBank removes a bank and its entries. Matches made through them are
// removed too; cases keep their recorded reasons.
func (s *Store) DeleteBank(ctx context.Context, name, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int64
		if err := s.row(ctx, tx, `SELECT COUNT(*) FROM bank_entries e JOIN banks b ON b.id = e.bank_id WHERE b.name = ?`, name).Scan(&n); err != nil {
			return err
		}
		res, err := s.exec(ctx, tx, `DELETE FROM banks WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("delete bank %q: %w", name, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return fmt.Errorf("bank %q: %w", name, ErrNotFound)
		}
		return s.appendAudit(ctx, tx, actor, "bank.delete", "bank:"+name, fmt.Sprintf("%d entries removed", n))
	})
}

// AddEntries adds entries to a bank in one transaction, each checked and
// put in canonical form (bank.Canonical); one bad entry refuses them all. Entries already in
// the bank (same type and value) are skipped; added reports how many were new.
// The entries' ID fields are set for the new ones.
func (s *Store) AddEntries(ctx context.Context, bankName string, entries []model.BankEntry, actor string) (added int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var bankID int64
		if err := s.row(ctx, tx, `SELECT id FROM banks WHERE name = ?`, bankName).Scan(&bankID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("bank %q: %w", bankName, ErrNotFound)
			}
			return err
		}
		now := time.Now().UTC()
		for i := range entries {
			e := &entries[i]
			v, err := bank.Canonical(e.Type, e.Value)
			if e.Type == model.SignalVPDQ {
				// The value is the digest of the frame hashes, never taken on trust.
				v, e.Features, err = bank.CanonicalVPDQ(e.Features)
			} else {
				e.Features = ""
			}
			if err != nil {
				return fmt.Errorf("bank %q: entry %d: %v: %w", bankName, i+1, err, ErrInvalid)
			}
			if e.Label != "" && !e.Label.Valid() {
				return fmt.Errorf("bank %q: entry %d: unknown label %q: %w", bankName, i+1, e.Label, ErrInvalid)
			}
			e.Value = v
			e.BankID = bankID
			if e.AddedAt.IsZero() {
				e.AddedAt = now
			}
			var id int64
			err = s.row(ctx, tx, `INSERT INTO bank_entries (bank_id, type, value, label, source, added_at, features) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
				bankID, e.Type, e.Value, e.Label, e.Source, micros(e.AddedAt), e.Features).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue // already in the bank
			}
			if err != nil {
				return fmt.Errorf("bank %q: add %s %s: %w", bankName, e.Type, e.Value, err)
			}
			e.ID = id
			added++
		}
		return s.appendAudit(ctx, tx, actor, "bank.add", "bank:"+bankName, fmt.Sprintf("%d entries added, %d already present", added, len(entries)-added))
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// EntryFilter selects bank entries.
type EntryFilter struct {
	Bank    string
	Type    model.SignalType
	AfterID int64
	Limit   int
}

// Entries lists bank entries in id order.
func (s *Store) Entries(ctx context.Context, f EntryFilter) ([]model.BankEntry, error) {
	q := `SELECT e.id, e.bank_id, e.type, e.value, e.label, e.source, e.added_at, e.features FROM bank_entries e JOIN banks b ON b.id = e.bank_id WHERE e.id > ?`
	args := []any{f.AfterID}
	if f.Bank != "" {
		q += ` AND b.name = ?`
		args = append(args, f.Bank)
	}
	if f.Type != "" {
		q += ` AND e.type = ?`
		args = append(args, f.Type)
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	q += ` ORDER BY e.id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list bank entries: %w", err)
	}
	return scanAll(rows, func(r scanner) (*model.BankEntry, error) {
		var e model.BankEntry
		var added int64
		err := r.Scan(&e.ID, &e.BankID, &e.Type, &e.Value, &e.Label, &e.Source, &added, &e.Features)
		e.AddedAt = fromMicros(added)
		return &e, err
	})
}

// CountEntries returns how many bank entries of type t there are.
func (s *Store) CountEntries(ctx context.Context, t model.SignalType) (int64, error) {
	var n int64
	err := s.row(ctx, s.db, `SELECT COUNT(*) FROM bank_entries WHERE type = ?`, t).Scan(&n)
	return n, err
}

// MatchExact returns the entries of enabled banks whose type and value
// equal the signal's.
func (s *Store) MatchExact(ctx context.Context, sg model.Signal) ([]model.Match, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+matchCols+` FROM bank_entries e JOIN banks b ON b.id = e.bank_id
		WHERE e.type = ? AND e.value = ? AND b.enabled ORDER BY e.id`, sg.Type, sg.Value)
	if err != nil {
		return nil, fmt.Errorf("match %s: %w", sg.Type, err)
	}
	ms, err := scanAll(rows, scanMatch)
	for i := range ms {
		ms[i].Signal = sg
	}
	return ms, err
}

// matchCols are the columns scanMatch reads, from bank_entries e and banks b.
const matchCols = `e.id, e.bank_id, e.type, e.value, e.label, e.source, e.added_at, b.name, b.auto_action`

// scanMatch reads a bank entry with its bank's name and rule.
func scanMatch(r scanner) (*model.Match, error) {
	var m model.Match
	var added int64
	err := r.Scan(&m.Entry.ID, &m.Entry.BankID, &m.Entry.Type, &m.Entry.Value, &m.Entry.Label, &m.Entry.Source, &added, &m.BankName, &m.AutoAction)
	m.Entry.AddedAt = fromMicros(added)
	return &m, err
}

// EntriesByID returns bank entries with their bank, for entries found by an
// index (such as the PDQ index). Entries of disabled banks are left out.
func (s *Store) EntriesByID(ctx context.Context, ids []int64) (map[int64]model.Match, error) {
	out := make(map[int64]model.Match, len(ids))
	for _, id := range ids {
		m, err := scanMatch(s.row(ctx, s.db, `SELECT `+matchCols+` FROM bank_entries e JOIN banks b ON b.id = e.bank_id WHERE e.id = ? AND b.enabled`, id))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bank entry %d: %w", id, err)
		}
		out[id] = *m
	}
	return out, nil
}

func scanBank(r scanner) (*model.Bank, error) {
	var b model.Bank
	var created int64
	if err := r.Scan(&b.ID, &b.Name, &b.Description, &b.Owner, &b.Enabled, &b.AutoAction, &created, &b.Entries); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMicros(created)
	return &b, nil
}
