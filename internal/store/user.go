package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// User is a person who signs in to the web UI.
type User struct {
	ID           int64
	Name         string
	Role         string // admin, reviewer or analyst
	PasswordHash string
	Lang         string // en, ar or fr
	TZ           string // IANA time zone name; "" is UTC
	Disabled     bool
	CreatedAt    time.Time
	// OrgID is the organisation the user belongs to; 0 when creating
	// means the unit.
	OrgID int64
}

// Session is a signed-in browser. Only the SHA-256 of its token is stored,
// so a copy of the database does not hand out live sessions.
type Session struct {
	TokenHash string
	UserID    int64
	CSRF      string
	Remote    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIKey is a partner's key for the JSON API. Only its SHA-256 is stored.
type APIKey struct {
	ID      int64
	Name    string
	Prefix  string // the first characters of the key, to recognise it in lists
	KeyHash string
	Scopes  []string
	// Platform binds the key to one platform's posts and cases; "" is none.
	Platform   string
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
	// OrgID is the organisation the key belongs to; 0 when creating
	// means the unit.
	OrgID int64
}

const userCols = `id, name, role, password_hash, lang, disabled, created_at, tz, org_id`

// CreateUser adds a user. The name must be unused (ErrExists).
func (s *Store) CreateUser(ctx context.Context, u *User, actor string) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	if u.Lang == "" {
		u.Lang = "en"
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if u.OrgID == 0 {
			if err := s.row(ctx, tx, `SELECT id FROM organisations WHERE kind = 'unit'`).Scan(&u.OrgID); err != nil {
				return fmt.Errorf("create user %q: the unit's organisation: %w", u.Name, err)
			}
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO users (name, role, password_hash, lang, disabled, created_at, tz, org_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Name, u.Role, u.PasswordHash, u.Lang, u.Disabled, micros(u.CreatedAt), u.TZ, u.OrgID)
		if isUnique(err) {
			return fmt.Errorf("user %q: %w", u.Name, ErrExists)
		}
		if err != nil {
			return fmt.Errorf("create user %q: %w", u.Name, err)
		}
		u.ID = id
		return s.appendAudit(ctx, tx, actor, "user.create", "user:"+u.Name, "role="+u.Role)
	})
}

// UserByName returns the user with the given name.
func (s *Store) UserByName(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.row(ctx, s.db, `SELECT `+userCols+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	return u, err
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// UpdateUser changes a user's role, password hash, language and disabled
// flag. Disabling a user or changing the password ends their sessions.
func (s *Store) UpdateUser(ctx context.Context, u *User, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanUser(s.row(ctx, tx, `SELECT `+userCols+` FROM users WHERE id = ?`, u.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %d: %w", u.ID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE users SET role = ?, password_hash = ?, lang = ?, disabled = ?, tz = ? WHERE id = ?`,
			u.Role, u.PasswordHash, u.Lang, u.Disabled, u.TZ, u.ID); err != nil {
			return fmt.Errorf("update user %q: %w", u.Name, err)
		}
		if u.Disabled || u.PasswordHash != old.PasswordHash || u.Role != old.Role {
			if _, err := s.exec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
				return err
			}
		}
		if u.Role == old.Role && u.PasswordHash == old.PasswordHash && u.Disabled == old.Disabled {
			return nil // a language or time zone change is a preference, not an event
		}
		return s.appendAudit(ctx, tx, actor, "user.update", "user:"+old.Name,
			fmt.Sprintf("role=%s disabled=%t password_changed=%t", u.Role, u.Disabled, u.PasswordHash != old.PasswordHash))
	})
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ss *Session) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO sessions (token_hash, user_id, csrf, remote, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		ss.TokenHash, ss.UserID, ss.CSRF, ss.Remote, micros(ss.CreatedAt), micros(ss.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns a live session and its user. An expired session, or
// one of a disabled user, is ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, tokenHash string, now time.Time) (*Session, *User, error) {
	var ss Session
	var created, expires int64
	var u User
	var ucreated int64
	err := s.row(ctx, s.db, `SELECT s.token_hash, s.user_id, s.csrf, s.remote, s.created_at, s.expires_at,
		u.id, u.name, u.role, u.password_hash, u.lang, u.disabled, u.created_at, u.tz, u.org_id
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash).
		Scan(&ss.TokenHash, &ss.UserID, &ss.CSRF, &ss.Remote, &created, &expires,
			&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.Lang, &u.Disabled, &ucreated, &u.TZ, &u.OrgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	ss.CreatedAt, ss.ExpiresAt, u.CreatedAt = fromMicros(created), fromMicros(expires), fromMicros(ucreated)
	if !now.Before(ss.ExpiresAt) || u.Disabled {
		return nil, nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	return &ss, &u, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.exec(ctx, s.db, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// PurgeSessions deletes sessions that expired before now.
func (s *Store) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.exec(ctx, s.db, `DELETE FROM sessions WHERE expires_at <= ?`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

const keyCols = `id, name, prefix, key_hash, scopes, platform, created_by, created_at, last_used_at, revoked_at, org_id`

// CreateAPIKey stores a new API key.
func (s *Store) CreateAPIKey(ctx context.Context, k *APIKey, actor string) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = time.Now().UTC()
	}
	scopes, _ := json.Marshal(nonNil(k.Scopes))
	return s.tx(ctx, func(tx *sql.Tx) error {
		if k.OrgID == 0 {
			if err := s.row(ctx, tx, `SELECT id FROM organisations WHERE kind = 'unit'`).Scan(&k.OrgID); err != nil {
				return fmt.Errorf("create api key %q: the unit's organisation: %w", k.Name, err)
			}
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO api_keys (name, prefix, key_hash, scopes, platform, created_by, created_at, org_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			k.Name, k.Prefix, k.KeyHash, string(scopes), k.Platform, k.CreatedBy, micros(k.CreatedAt), k.OrgID)
		if err != nil {
			return fmt.Errorf("create api key %q: %w", k.Name, err)
		}
		k.ID = id
		return s.appendAudit(ctx, tx, actor, "apikey.create", fmt.Sprintf("apikey:%d", id), fmt.Sprintf("name=%q scopes=%v platform=%q", k.Name, k.Scopes, k.Platform))
	})
}

// APIKeyByHash returns the unrevoked key with the given hash. It only
// reads: a keyed request must never wait for the write lock, so the last
// use is recorded apart, in batches (TouchAPIKeys).
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	k, err := scanKey(s.row(ctx, s.db, `SELECT `+keyCols+` FROM api_keys WHERE key_hash = ? AND revoked_at = 0`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("api key: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("api key: %w", err)
	}
	return k, nil
}

// TouchAPIKeys records when each key was last used, in one transaction;
// an older time never replaces a newer one.
func (s *Store) TouchAPIKeys(ctx context.Context, used map[int64]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for id, at := range used {
			if _, err := s.exec(ctx, tx, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND last_used_at < ?`, micros(at), id, micros(at)); err != nil {
				return fmt.Errorf("api key %d: record last use: %w", id, err)
			}
		}
		return nil
	})
}

// APIKeys lists every key, revoked ones included, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+keyCols+` FROM api_keys ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

// RevokeAPIKey revokes a key; it stops working at once.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, micros(time.Now()), id)
		if err != nil {
			return fmt.Errorf("revoke api key %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("api key %d: %w", id, ErrNotFound)
		}
		return s.appendAudit(ctx, tx, actor, "apikey.revoke", fmt.Sprintf("apikey:%d", id), "")
	})
}

func scanUser(r scanner) (*User, error) {
	var u User
	var created int64
	if err := r.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.Lang, &u.Disabled, &created, &u.TZ, &u.OrgID); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

func scanKey(r scanner) (*APIKey, error) {
	var k APIKey
	var scopes string
	var created, used, revoked int64
	if err := r.Scan(&k.ID, &k.Name, &k.Prefix, &k.KeyHash, &scopes, &k.Platform, &k.CreatedBy, &created, &used, &revoked, &k.OrgID); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(scopes), &k.Scopes)
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = fromMicros(created), fromMicros(used), fromMicros(revoked)
	return &k, nil
}
