package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Organisation is the unit itself, a platform or a partner agency; every
// user and API key belongs to exactly one. The rules of who may see and
// do what live in internal/org; the store only keeps them.
type Organisation struct {
	ID   int64
	Name string
	Kind string // unit, platform or agency
	// Platform is, for a platform, the name it goes by in posts and
	// orders ("telegram", "x"); "" for the unit and agencies.
	Platform  string
	CreatedAt time.Time
}

const orgCols = `id, name, kind, platform, created_at`

func scanOrg(r scanner) (*Organisation, error) {
	var o Organisation
	var created int64
	if err := r.Scan(&o.ID, &o.Name, &o.Kind, &o.Platform, &created); err != nil {
		return nil, err
	}
	o.CreatedAt = fromMicros(created)
	return &o, nil
}

// CreateOrganisation adds an organisation. Its name (and, for a platform,
// its platform) must be unused (ErrExists); a second unit is ErrExists too.
func (s *Store) CreateOrganisation(ctx context.Context, o *Organisation, actor string) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now().UTC()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO organisations (name, kind, platform, created_at) VALUES (?, ?, ?, ?)`,
			o.Name, o.Kind, o.Platform, micros(o.CreatedAt))
		if isUnique(err) {
			return fmt.Errorf("organisation %q: %w", o.Name, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("create organisation %q: %w", o.Name, err)
		}
		o.ID = id
		return s.appendAudit(ctx, tx, actor, "org.create", "org:"+o.Name, fmt.Sprintf("kind=%s platform=%q", o.Kind, o.Platform))
	})
}

// Organisations lists every organisation, the unit first, then by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+orgCols+` FROM organisations ORDER BY CASE WHEN kind = 'unit' THEN 0 ELSE 1 END, name`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	return scanAll(rows, scanOrg)
}

// OrganisationByName returns the organisation with that name.
func (s *Store) OrganisationByName(ctx context.Context, name string) (*Organisation, error) {
	o, err := scanOrg(s.row(ctx, s.db, `SELECT `+orgCols+` FROM organisations WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("organisation %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("organisation %q: %w", name, err)
	}
	return o, nil
}

// OrganisationByID returns the organisation with that id.
func (s *Store) OrganisationByID(ctx context.Context, id int64) (*Organisation, error) {
	o, err := scanOrg(s.row(ctx, s.db, `SELECT `+orgCols+` FROM organisations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("organisation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("organisation %d: %w", id, err)
	}
	return o, nil
}

// Unit returns the unit's own organisation.
func (s *Store) Unit(ctx context.Context) (*Organisation, error) {
	o, err := scanOrg(s.row(ctx, s.db, `SELECT `+orgCols+` FROM organisations WHERE kind = 'unit'`))
	if err != nil {
		return nil, fmt.Errorf("the unit's organisation: %w", err)
	}
	return o, nil
}

// RenameOrganisation gives an organisation a new, unused name.
func (s *Store) RenameOrganisation(ctx context.Context, id int64, name, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanOrg(s.row(ctx, tx, `SELECT `+orgCols+` FROM organisations WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("organisation %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = s.exec(ctx, tx, `UPDATE organisations SET name = ? WHERE id = ?`, name, id)
		if isUnique(err) {
			return fmt.Errorf("organisation %q: %w", name, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("rename organisation %q: %w", old.Name, err)
		}
		return s.appendAudit(ctx, tx, actor, "org.rename", "org:"+old.Name, "to "+name)
	})
}

// SetUserOrganisation moves a user into an organisation and ends their
// sessions, so what they may see changes at once.
func (s *Store) SetUserOrganisation(ctx context.Context, userID, orgID int64, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(s.row(ctx, tx, `SELECT `+userCols+` FROM users WHERE id = ?`, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE users SET org_id = ? WHERE id = ?`, orgID, userID); err != nil {
			return fmt.Errorf("user %q: set organisation: %w", u.Name, err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actor, "user.org", "user:"+u.Name, fmt.Sprintf("org=%d", orgID))
	})
}

// SetAPIKeyOrganisation moves a key into an organisation with the platform
// binding the organisation requires.
func (s *Store) SetAPIKeyOrganisation(ctx context.Context, keyID, orgID int64, platform, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE api_keys SET org_id = ?, platform = ? WHERE id = ?`, orgID, platform, keyID)
		if err != nil {
			return fmt.Errorf("api key %d: set organisation: %w", keyID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("api key %d: %w", keyID, ErrNotFound)
		}
		return s.appendAudit(ctx, tx, actor, "apikey.org", fmt.Sprintf("apikey:%d", keyID), fmt.Sprintf("org=%d platform=%q", orgID, platform))
	})
}

// APIKeyByID returns a key, revoked or not.
func (s *Store) APIKeyByID(ctx context.Context, id int64) (*APIKey, error) {
	k, err := scanKey(s.row(ctx, s.db, `SELECT `+keyCols+` FROM api_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("api key %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("api key %d: %w", id, err)
	}
	return k, nil
}
