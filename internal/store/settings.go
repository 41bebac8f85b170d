package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value of a setting and whether it is set.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.row(ctx, s.db, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("setting %q: %w", key, err)
	}
	return v, true, nil
}

// SetSetting sets a setting. secret keeps the value out of the audit log.
func (s *Store) SetSetting(ctx context.Context, key, value, actor string, secret bool) error {
	return s.SetSettings(ctx, []Setting{{Key: key, Value: value, Secret: secret}}, actor)
}

// Setting is one setting to set with SetSettings.
type Setting struct {
	Key, Value string
	// Secret keeps the value out of the audit log.
	Secret bool
}

// SetSettings sets several settings in one transaction: all or none.
func (s *Store) SetSettings(ctx context.Context, settings []Setting, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, st := range settings {
			if _, err := s.exec(ctx, tx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, st.Key, st.Value); err != nil {
				return fmt.Errorf("setting %q: %w", st.Key, err)
			}
			detail := st.Value
			if st.Secret {
				detail = "(secret changed)"
			}
			if err := s.appendAudit(ctx, tx, actor, "setting.set", "setting:"+st.Key, detail); err != nil {
				return err
			}
		}
		return nil
	})
}
