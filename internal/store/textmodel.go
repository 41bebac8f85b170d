package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// TextModel is a text model kept in the store: one trained from the
// reviewers' decisions, with the figures it was trained with.
type TextModel struct {
	ID        int64
	Name      string
	Version   string // the classifier's Model.Version()
	CreatedAt time.Time
	CreatedBy string
	// Model is the model file's bytes (classifier.Decode reads them); only
	// TextModel and ActiveTextModel fill it in.
	Model []byte
	// Report is JSON describing how the model was made and measured.
	Report    string
	Active    bool
	Decisions int // decision examples it was trained on
}

const textModelCols = `id, name, version, created_at, created_by, report, active, decisions`

// SaveTextModel stores a new, inactive model and sets m.ID.
func (s *Store) SaveTextModel(ctx context.Context, m *TextModel) error {
	if len(m.Model) == 0 {
		return fmt.Errorf("save text model %q: no model bytes: %w", m.Name, ErrInvalid)
	}
	if m.Report == "" {
		m.Report = "{}"
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	m.Active = false
	return s.tx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO text_models (name, version, created_at, created_by, model, report, active, decisions)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			m.Name, m.Version, micros(m.CreatedAt), m.CreatedBy, m.Model, m.Report, false, m.Decisions)
		if err != nil {
			return fmt.Errorf("save text model %q: %w", m.Name, err)
		}
		m.ID = id
		return s.appendAudit(ctx, tx, m.CreatedBy, "textmodel.save", fmt.Sprintf("textmodel:%d", id),
			fmt.Sprintf("name=%q version=%s decisions=%d bytes=%d", m.Name, m.Version, m.Decisions, len(m.Model)))
	})
}

// TextModels lists the stored models, newest first, without their bytes.
func (s *Store) TextModels(ctx context.Context) ([]TextModel, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+textModelCols+` FROM text_models ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list text models: %w", err)
	}
	return scanAll(rows, scanTextModel)
}

// TextModel returns one stored model with its bytes.
func (s *Store) TextModel(ctx context.Context, id int64) (*TextModel, error) {
	return s.textModelWhere(ctx, `id = ?`, id)
}

// ActiveTextModel returns the active model with its bytes, or ErrNotFound
// when none is active and the built-in model is in use.
func (s *Store) ActiveTextModel(ctx context.Context) (*TextModel, error) {
	return s.textModelWhere(ctx, `active = ?`, true)
}

// ActiveTextModelID returns the id of the active model, or 0 for the
// built-in model. It is cheap enough to poll.
func (s *Store) ActiveTextModelID(ctx context.Context) (int64, error) {
	var id int64
	err := s.row(ctx, s.db, `SELECT id FROM text_models WHERE active = ?`, true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("active text model: %w", err)
	}
	return id, nil
}

func (s *Store) textModelWhere(ctx context.Context, where string, arg any) (*TextModel, error) {
	r := s.row(ctx, s.db, `SELECT `+textModelCols+`, model FROM text_models WHERE `+where, arg)
	var blob []byte
	m, err := scanTextModel(scanFunc(func(dest ...any) error { return r.Scan(append(dest, &blob)...) }))
	if errors.Is(err, sql.ErrNoRows) {
		if where == `id = ?` {
			return nil, fmt.Errorf("text model %v: %w", arg, ErrNotFound)
		}
		return nil, fmt.Errorf("active text model: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read text model: %w", err)
	}
	m.Model = blob
	return m, nil
}

// scanFunc adapts a function to scanner.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

func scanTextModel(r scanner) (*TextModel, error) {
	var m TextModel
	var created int64
	if err := r.Scan(&m.ID, &m.Name, &m.Version, &created, &m.CreatedBy, &m.Report, &m.Active, &m.Decisions); err != nil {
		return nil, err
	}
	m.CreatedAt = fromMicros(created)
	return &m, nil
}

// ActivateTextModel makes model id the one the pipeline uses, and every
// other model inactive, in one transaction.
func (s *Store) ActivateTextModel(ctx context.Context, id int64, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var version string
		var active bool
		err := s.row(ctx, tx, `SELECT version, active FROM text_models WHERE id = ?`, id).Scan(&version, &active)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("text model %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("text model %d: %w", id, err)
		}
		prev, err := s.activeID(ctx, tx)
		if err != nil {
			return err
		}
		// Clear first: the unique index allows one active row at a time.
		if _, err := s.exec(ctx, tx, `UPDATE text_models SET active = ? WHERE active = ?`, false, true); err != nil {
			return fmt.Errorf("activate text model %d: %w", id, err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE text_models SET active = ? WHERE id = ?`, true, id); err != nil {
			return fmt.Errorf("activate text model %d: %w", id, err)
		}
		return s.appendAudit(ctx, tx, actor, "textmodel.activate", fmt.Sprintf("textmodel:%d", id),
			fmt.Sprintf("version=%s previous=%s", version, modelRef(prev)))
	})
}

// DeactivateTextModels makes no stored model active, so the pipeline goes
// back to the built-in model.
func (s *Store) DeactivateTextModels(ctx context.Context, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		prev, err := s.activeID(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE text_models SET active = ? WHERE active = ?`, false, true); err != nil {
			return fmt.Errorf("deactivate text models: %w", err)
		}
		return s.appendAudit(ctx, tx, actor, "textmodel.default", "textmodel:built-in", "previous="+modelRef(prev))
	})
}

func (s *Store) activeID(ctx context.Context, tx *sql.Tx) (int64, error) {
	var id int64
	err := s.row(ctx, tx, `SELECT id FROM text_models WHERE active = ?`, true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("active text model: %w", err)
	}
	return id, nil
}

func modelRef(id int64) string {
	if id == 0 {
		return "built-in"
	}
	return fmt.Sprintf("textmodel:%d", id)
}

// DecidedCase is a case with its latest decision and, for a post case,
// the post's text.
type DecidedCase struct {
	CaseID int64
	Kind   model.CaseKind
	State  model.CaseState
	PostID int64 // 0 for a case without a post
	Text   string
	// Labels and Appeal are those of the case's latest decision.
	Labels     []model.Label
	Appeal     bool
	DecisionID int64
}

// DecidedCases returns every case that has a decision, with its latest
// decision, in case order.
func (s *Store) DecidedCases(ctx context.Context) ([]DecidedCase, error) {
	rows, err := s.query(ctx, s.db, `SELECT c.id, c.kind, c.state, c.post_id, p.body, d.id, d.labels, d.appeal
		FROM decisions d
		JOIN cases c ON c.id = d.case_id
		LEFT JOIN posts p ON p.id = c.post_id
		WHERE d.id = (SELECT MAX(d2.id) FROM decisions d2 WHERE d2.case_id = d.case_id)
		ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("decided cases: %w", err)
	}
	out, err := scanAll(rows, func(r scanner) (*DecidedCase, error) {
		var dc DecidedCase
		var postID sql.NullInt64
		var body sql.NullString
		var labels string
		if err := r.Scan(&dc.CaseID, &dc.Kind, &dc.State, &postID, &body, &dc.DecisionID, &labels, &dc.Appeal); err != nil {
			return nil, err
		}
		dc.PostID, dc.Text = postID.Int64, body.String
		if err := json.Unmarshal([]byte(labels), &dc.Labels); err != nil {
			return nil, fmt.Errorf("decision %d: labels: %w", dc.DecisionID, err)
		}
		return &dc, nil
	})
	if err != nil {
		return nil, fmt.Errorf("decided cases: %w", err)
	}
	return out, nil
}
