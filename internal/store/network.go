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

const networkCols = `id, accounts, objects, edges, density, median_delay, flagged, score, first_seen, last_seen, created_at, updated_at`

// SaveNetwork stores a network (a new one when n.ID is 0, else it replaces
// the stored one) and opens or refreshes its case, in one transaction.
func (s *Store) SaveNetwork(ctx context.Context, n *model.Network, c *model.Case) error {
	accounts, _ := json.Marshal(nonNil(n.Accounts))
	objects, _ := json.Marshal(nonNil(n.Objects))
	edges, _ := json.Marshal(nonNil(n.Edges))
	now := time.Now().UTC()
	return s.tx(ctx, func(tx *sql.Tx) error {
		if n.ID == 0 {
			n.CreatedAt = now
			id, err := s.insertID(ctx, tx, `INSERT INTO networks (accounts, objects, edges, size, density, median_delay, flagged, score, first_seen, last_seen, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				string(accounts), string(objects), string(edges), len(n.Accounts), n.Density, n.MedianDelay, n.Flagged, n.Score,
				micros(n.FirstSeen), micros(n.LastSeen), micros(now), micros(now))
			if err != nil {
				return fmt.Errorf("save network: %w", err)
			}
			n.ID = id
		} else {
			res, err := s.exec(ctx, tx, `UPDATE networks SET accounts = ?, objects = ?, edges = ?, size = ?, density = ?, median_delay = ?, flagged = ?, score = ?,
				first_seen = ?, last_seen = ?, updated_at = ? WHERE id = ?`,
				string(accounts), string(objects), string(edges), len(n.Accounts), n.Density, n.MedianDelay, n.Flagged, n.Score,
				micros(n.FirstSeen), micros(n.LastSeen), micros(now), n.ID)
			if err != nil {
				return fmt.Errorf("update network %d: %w", n.ID, err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return fmt.Errorf("network %d: %w", n.ID, ErrNotFound)
			}
		}
		n.UpdatedAt = now
		if c == nil {
			return nil
		}
		c.Kind, c.NetworkID = model.CaseNetwork, n.ID
		if c.Platform == "" {
			c.Platform = model.NetworkPlatforms(n.Accounts)
		}
		return s.upsertCase(ctx, tx, c)
	})
}

// Network returns one network.
func (s *Store) Network(ctx context.Context, id int64) (*model.Network, error) {
	n, err := scanNetwork(s.row(ctx, s.db, `SELECT `+networkCols+` FROM networks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("network %d: %w", id, ErrNotFound)
	}
	return n, err
}

// Networks lists networks, highest score first.
func (s *Store) Networks(ctx context.Context, limit int) ([]model.Network, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.query(ctx, s.db, `SELECT `+networkCols+` FROM networks ORDER BY score DESC, id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	return scanAll(rows, scanNetwork)
}

func scanNetwork(r scanner) (*model.Network, error) {
	var n model.Network
	var accounts, objects, edges string
	var first, last, created, updated int64
	if err := r.Scan(&n.ID, &accounts, &objects, &edges, &n.Density, &n.MedianDelay, &n.Flagged, &n.Score, &first, &last, &created, &updated); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(accounts), &n.Accounts)
	_ = json.Unmarshal([]byte(objects), &n.Objects)
	_ = json.Unmarshal([]byte(edges), &n.Edges)
	n.FirstSeen, n.LastSeen, n.CreatedAt, n.UpdatedAt = fromMicros(first), fromMicros(last), fromMicros(created), fromMicros(updated)
	return &n, nil
}

// ShareRow is one signal of one post, as network detection reads them.
type ShareRow struct {
	PostID   int64
	Platform string
	Author   string
	PostedAt time.Time
	Type     model.SignalType
	Value    string
}

// ShareRows returns the URL and media signals of posts with an author,
// posted at or after since, oldest first. Posts whose time is unknown are
// left out: co-sharing is sharing within seconds, which an unknown time
// can neither show nor rule out.
func (s *Store) ShareRows(ctx context.Context, since time.Time) ([]ShareRow, error) {
	rows, err := s.query(ctx, s.db, `SELECT p.id, p.platform, p.author, p.posted_at, g.type, g.value
		FROM signals g JOIN posts p ON p.id = g.post_id
		WHERE g.type IN ('url', 'sha256', 'pdq') AND p.author <> '' AND p.posted_at_unknown = 0 AND p.posted_at >= ?
		ORDER BY p.posted_at, p.id`, micros(since))
	if err != nil {
		return nil, fmt.Errorf("read shares: %w", err)
	}
	defer rows.Close()
	var out []ShareRow
	for rows.Next() {
		var r ShareRow
		var at int64
		if err := rows.Scan(&r.PostID, &r.Platform, &r.Author, &at, &r.Type, &r.Value); err != nil {
			return nil, err
		}
		r.PostedAt = fromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// FlaggedPosts returns the ids of every post that has a case.
func (s *Store) FlaggedPosts(ctx context.Context) (map[int64]bool, error) {
	ids, err := s.ids(ctx, s.db, `SELECT post_id FROM cases WHERE kind = 'post' AND post_id IS NOT NULL`)
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
