package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/marsad/marsad/internal/model"
)

const sourceCols = `id, kind, name, config, interval_secs, paused, cursor, last_success_at, last_error, last_error_at, failures, day, posts_today, posts_total`

func scanSource(r scanner) (*model.Source, error) {
	var s model.Source
	var config string
	var secs, ok, errAt int64
	if err := r.Scan(&s.ID, &s.Kind, &s.Name, &config, &secs, &s.Paused, &s.Cursor, &ok, &s.Health.LastError, &errAt,
		&s.Health.Failures, &s.Health.Day, &s.Health.PostsToday, &s.Health.PostsTotal); err != nil {
		return nil, err
	}
	s.Config = []byte(config)
	s.Interval = time.Duration(secs) * time.Second
	s.Health.LastSuccess, s.Health.LastErrorAt = fromMicros(ok), fromMicros(errAt)
	return &s, nil
}

// AddSource stores a new source; a name already taken is ErrConflict.
func (s *Store) AddSource(ctx context.Context, src *model.Source) error {
	id, err := s.insertID(ctx, s.db, `INSERT INTO sources (kind, name, config, interval_secs, paused, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		src.Kind, src.Name, string(src.Config), int64(src.Interval/time.Second), src.Paused, micros(time.Now()))
	if isUnique(err) {
		return fmt.Errorf("source %q: %w", src.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add source %q: %w", src.Name, err)
	}
	src.ID = id
	return nil
}

// Sources lists every source by name.
func (s *Store) Sources(ctx context.Context) ([]model.Source, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+sourceCols+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	list, err := scanAll(rows, scanSource)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	skips, err := s.sourceSkips(ctx, `SELECT source_id, reason, items FROM source_skips`)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Health.Skipped = skips[list[i].ID]
	}
	return list, nil
}

// Source returns one source by id.
func (s *Store) Source(ctx context.Context, id int64) (*model.Source, error) {
	src, err := scanSource(s.row(ctx, s.db, `SELECT `+sourceCols+` FROM sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("source %d: %w", id, ErrNotFound)
	}
	return s.withSkips(ctx, src, err)
}

// SourceByName returns one source by name.
func (s *Store) SourceByName(ctx context.Context, name string) (*model.Source, error) {
	src, err := scanSource(s.row(ctx, s.db, `SELECT `+sourceCols+` FROM sources WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("source %q: %w", name, ErrNotFound)
	}
	return s.withSkips(ctx, src, err)
}

func (s *Store) withSkips(ctx context.Context, src *model.Source, err error) (*model.Source, error) {
	if err != nil {
		return nil, err
	}
	skips, err := s.sourceSkips(ctx, `SELECT source_id, reason, items FROM source_skips WHERE source_id = ?`, src.ID)
	if err != nil {
		return nil, err
	}
	src.Health.Skipped = skips[src.ID]
	return src, nil
}

// sourceSkips reads counts of skipped items: source id → reason → count.
func (s *Store) sourceSkips(ctx context.Context, q string, args ...any) (map[int64]map[string]int64, error) {
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read skipped items of sources: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[string]int64{}
	for rows.Next() {
		var id, n int64
		var reason string
		if err := rows.Scan(&id, &reason, &n); err != nil {
			return nil, fmt.Errorf("read skipped items of sources: %w", err)
		}
		if out[id] == nil {
			out[id] = map[string]int64{}
		}
		out[id][reason] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read skipped items of sources: %w", err)
	}
	return out, nil
}

// PauseSource pauses or resumes a source.
func (s *Store) PauseSource(ctx context.Context, id int64, paused bool) error {
	return s.changeSource(ctx, `UPDATE sources SET paused = ? WHERE id = ?`, paused, id)
}

// DeleteSource removes a source; the posts it collected stay.
func (s *Store) DeleteSource(ctx context.Context, id int64) error {
	return s.changeSource(ctx, `DELETE FROM sources WHERE id = ?`, id)
}

func (s *Store) changeSource(ctx context.Context, q string, args ...any) error {
	res, err := s.exec(ctx, s.db, q, args...)
	if err != nil {
		return fmt.Errorf("source %v: %w", args[len(args)-1], err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("source %v: %w", args[len(args)-1], ErrNotFound)
	}
	return nil
}

// SourceDone records a successful poll: the new cursor, the count of
// new posts on the day of now, and the items skipped by reason. A problem
// that did not stop the poll (a media file refused) is kept as the last
// error. The caller has already stored the posts, so the cursor never
// runs ahead of them.
func (s *Store) SourceDone(ctx context.Context, id int64, cursor string, created int64, problem string, skipped map[string]int, now time.Time) error {
	day := now.UTC().Format(time.DateOnly)
	q := `UPDATE sources SET cursor = ?, last_success_at = ?, failures = 0,
		posts_today = CASE WHEN day = ? THEN posts_today + ? ELSE ? END, day = ?, posts_total = posts_total + ?`
	args := []any{cursor, micros(now), day, created, created, day, created}
	if problem != "" {
		q += `, last_error = ?, last_error_at = ?`
		args = append(args, problem, micros(now))
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, q+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		for reason, n := range skipped {
			if n <= 0 {
				continue
			}
			if _, err := s.exec(ctx, tx, `INSERT INTO source_skips (source_id, reason, items) VALUES (?, ?, ?)
				ON CONFLICT (source_id, reason) DO UPDATE SET items = source_skips.items + excluded.items`, id, reason, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("source %d: save cursor: %w", id, err)
	}
	return nil
}

// SourceFailed records a failed poll and returns the failures in a row.
func (s *Store) SourceFailed(ctx context.Context, id int64, msg string, now time.Time) (int, error) {
	var n int
	err := s.row(ctx, s.db, `UPDATE sources SET last_error = ?, last_error_at = ?, failures = failures + 1 WHERE id = ? RETURNING failures`,
		msg, micros(now), id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("source %d: record failure: %w", id, err)
	}
	return n, nil
}

// SetSourceConfig replaces a source's config and interval; its cursor and
// health stay.
func (s *Store) SetSourceConfig(ctx context.Context, id int64, config []byte, interval time.Duration) error {
	return s.changeSource(ctx, `UPDATE sources SET config = ?, interval_secs = ? WHERE id = ?`, string(config), int64(interval/time.Second), id)
}
