package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Evidence is a preserved copy of a post and its media, kept before any
// action so that what was removed can still be shown.
type Evidence struct {
	ID         int64
	CaseID     int64
	PostID     int64
	CapturedBy string
	CapturedAt time.Time
	Platform   string
	SourceID   string
	URL        string
	// ManifestSHA256 is the SHA-256 of the bundle manifest; it survives a purge.
	ManifestSHA256 string
	Hold           bool // a legal hold: retention never purges it
	PurgedAt       time.Time
	Files          []EvidenceFile
}

// EvidenceFile is one preserved file: the post record or a media file.
type EvidenceFile struct {
	Name   string
	SHA256 string
	Size   int64
	Data   []byte // nil when listed without contents
}

const evidenceCols = `id, case_id, post_id, captured_by, captured_at, platform, source_id, url, manifest_sha256, hold, purged_at`

// SaveEvidence stores preserved evidence with its files in one transaction.
func (s *Store) SaveEvidence(ctx context.Context, ev *Evidence) error {
	if ev.CapturedAt.IsZero() {
		ev.CapturedAt = time.Now().UTC()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO evidence (case_id, post_id, captured_by, captured_at, platform, source_id, url, manifest_sha256, hold)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ev.CaseID, ev.PostID, ev.CapturedBy, micros(ev.CapturedAt), ev.Platform, ev.SourceID, ev.URL, ev.ManifestSHA256, ev.Hold)
		if err != nil {
			return fmt.Errorf("save evidence of post %d: %w", ev.PostID, err)
		}
		ev.ID = id
		for _, f := range ev.Files {
			if _, err := s.exec(ctx, tx, `INSERT INTO evidence_files (evidence_id, name, sha256, size, data) VALUES (?, ?, ?, ?, ?)`,
				id, f.Name, f.SHA256, f.Size, nonNil(f.Data)); err != nil {
				return fmt.Errorf("save evidence %d: file %q: %w", id, f.Name, err)
			}
		}
		return s.appendAudit(ctx, tx, ev.CapturedBy, "evidence.preserve", fmt.Sprintf("evidence:%d", id),
			fmt.Sprintf("case=%d post=%d files=%d manifest_sha256=%s", ev.CaseID, ev.PostID, len(ev.Files), ev.ManifestSHA256))
	})
}

// Evidence returns one evidence record; withData loads the file contents.
func (s *Store) Evidence(ctx context.Context, id int64, withData bool) (*Evidence, error) {
	ev, err := scanEvidence(s.row(ctx, s.db, `SELECT `+evidenceCols+` FROM evidence WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("evidence %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence %d: %w", id, err)
	}
	cols := `name, sha256, size, NULL`
	if withData {
		cols = `name, sha256, size, data`
	}
	rows, err := s.query(ctx, s.db, `SELECT `+cols+` FROM evidence_files WHERE evidence_id = ? ORDER BY name`, id)
	if err != nil {
		return nil, fmt.Errorf("evidence %d: files: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f EvidenceFile
		if err := rows.Scan(&f.Name, &f.SHA256, &f.Size, &f.Data); err != nil {
			return nil, err
		}
		ev.Files = append(ev.Files, f)
	}
	return ev, rows.Err()
}

// EvidenceFilter selects evidence records.
type EvidenceFilter struct {
	CaseID int64
	PostID int64
	Limit  int
}

// EvidenceList lists evidence records, newest first, without files.
func (s *Store) EvidenceList(ctx context.Context, f EvidenceFilter) ([]Evidence, error) {
	q := `SELECT ` + evidenceCols + ` FROM evidence WHERE 1 = 1`
	var args []any
	if f.CaseID != 0 {
		q += ` AND case_id = ?`
		args = append(args, f.CaseID)
	}
	if f.PostID != 0 {
		q += ` AND post_id = ?`
		args = append(args, f.PostID)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	rows, err := s.query(ctx, s.db, q+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		ev, err := scanEvidence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *ev)
	}
	return out, rows.Err()
}

// SetEvidenceHold places or lifts a legal hold.
func (s *Store) SetEvidenceHold(ctx context.Context, id int64, hold bool, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE evidence SET hold = ? WHERE id = ?`, hold, id)
		if err != nil {
			return fmt.Errorf("evidence %d: hold: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("evidence %d: %w", id, ErrNotFound)
		}
		return s.appendAudit(ctx, tx, actor, "evidence.hold", fmt.Sprintf("evidence:%d", id), fmt.Sprintf("hold=%t", hold))
	})
}

// PurgeEvidence deletes the files of evidence captured before cutoff and not
// on hold. The record and its manifest hash stay, marked purged, so the
// audit trail still shows what existed.
func (s *Store) PurgeEvidence(ctx context.Context, cutoff time.Time, actor string) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ids, err := s.ids(ctx, tx, `SELECT id FROM evidence WHERE captured_at < ? AND purged_at = 0 AND NOT hold ORDER BY id`, micros(cutoff))
		if err != nil {
			return err
		}
		now := micros(time.Now())
		for _, id := range ids {
			if _, err := s.exec(ctx, tx, `DELETE FROM evidence_files WHERE evidence_id = ?`, id); err != nil {
				return err
			}
			if _, err := s.exec(ctx, tx, `UPDATE evidence SET purged_at = ? WHERE id = ?`, now, id); err != nil {
				return err
			}
			if err := s.appendAudit(ctx, tx, actor, "evidence.purge", fmt.Sprintf("evidence:%d", id), "retention period ended"); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("purge evidence: %w", err)
	}
	return n, nil
}

func scanEvidence(r scanner) (*Evidence, error) {
	var ev Evidence
	var captured, purged int64
	if err := r.Scan(&ev.ID, &ev.CaseID, &ev.PostID, &ev.CapturedBy, &captured, &ev.Platform, &ev.SourceID, &ev.URL, &ev.ManifestSHA256, &ev.Hold, &purged); err != nil {
		return nil, err
	}
	ev.CapturedAt, ev.PurgedAt = fromMicros(captured), fromMicros(purged)
	return &ev, nil
}
