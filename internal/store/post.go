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

// Analysis is what the pipeline computed for a post; it is saved with the
// post in one transaction.
type Analysis struct {
	Signals []model.Signal
	Matches []model.Match
	Scores  []model.Score
	// Case is nil when nothing about the post needs a human.
	Case *model.Case
}

const postCols = `id, platform, source_id, author, channel, url, lang, body, links, media, posted_at, ingested_at, ocr_text, prov_source, prov_fetched_at, prov_url, views, forwarded_from, reply_to, posted_at_unknown, signature, platform_notice`

// SavePost stores a new post with its analysis. If a post with the same
// platform and source id exists, nothing changes and created is false.
func (s *Store) SavePost(ctx context.Context, p *model.Post, a Analysis) (id int64, created bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		id, created, err = s.savePost(ctx, tx, p, a)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("save post %s/%s: %w", p.Platform, p.SourceID, err)
	}
	s.health.stored()
	p.ID = id
	return id, created, nil
}

// PostAnalysis is a post with its analysis, for SavePosts.
type PostAnalysis struct {
	Post     *model.Post
	Analysis Analysis
}

// Saved is what SavePosts did with one post.
type Saved struct {
	ID      int64
	Created bool
	Err     error
}

// SavePosts saves many posts in one transaction, each under its own
// savepoint: a post that fails is rolled back alone and reported, the
// others are kept. This is SavePost's all-or-nothing per post, at the cost
// of one commit per batch rather than one per post.
func (s *Store) SavePosts(ctx context.Context, items []PostAnalysis) ([]Saved, error) {
	out := make([]Saved, len(items))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for i, it := range items {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT post`); err != nil {
				return err
			}
			id, created, err := s.savePost(ctx, tx, it.Post, it.Analysis)
			if err != nil {
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT post`); rerr != nil {
					return rerr
				}
				out[i].Err = fmt.Errorf("save post %s/%s: %w", it.Post.Platform, it.Post.SourceID, err)
				s.health.note(err)
				continue
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT post`); err != nil {
				return err
			}
			out[i] = Saved{ID: id, Created: created}
			it.Post.ID = id
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save %d posts: %w", len(items), err)
	}
	for _, o := range out {
		if o.Err == nil {
			s.health.stored()
			break
		}
	}
	return out, nil
}

func (s *Store) savePost(ctx context.Context, tx *sql.Tx, p *model.Post, a Analysis) (id int64, created bool, err error) {
	links, _ := json.Marshal(nonNil(p.Links))
	media, _ := json.Marshal(nonNil(p.Media))
	if p.IngestedAt.IsZero() {
		p.IngestedAt = time.Now().UTC()
	}
	var prov model.Provenance
	var provAt int64
	// A post without a time is ordered by its ingestion but flagged, so
	// no time window counts it (migration 00016).
	posted, unknown := p.PostedAt, 0
	if p.PostedAtUnknown || posted.IsZero() {
		posted, unknown = p.IngestedAt, 1
	}
	if p.Provenance != nil {
		prov, provAt = *p.Provenance, micros(p.Provenance.FetchedAt)
	}
	// ON CONFLICT makes concurrent ingests of the same post safe on both
	// back ends: one inserts, the others find it.
	err = s.row(ctx, tx, `INSERT INTO posts (platform, source_id, author, channel, url, lang, body, links, media, posted_at, ingested_at, search_text, author_key, ocr_text, prov_source, prov_fetched_at, prov_url, views, forwarded_from, reply_to, posted_at_unknown, signature, platform_notice)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, source_id) DO NOTHING RETURNING id`,
		p.Platform, p.SourceID, p.Author, p.Channel, p.URL, p.Lang, p.Text, string(links), string(media), micros(posted), micros(p.IngestedAt),
		searchText(p), authorKey(p.Author), p.OCRText, prov.Source, provAt, prov.URL, p.Views, p.ForwardedFrom, p.ReplyTo, unknown, p.Signature, p.Notice).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.row(ctx, tx, `SELECT id FROM posts WHERE platform = ? AND source_id = ?`, p.Platform, p.SourceID).Scan(&id)
		return id, false, err
	}
	if err != nil {
		return 0, false, err
	}
	return id, true, s.saveAnalysis(ctx, tx, id, p, a)
}

// UpdateAnalysis replaces the signals, matches and scores of a stored post,
// as when it is processed again with new banks or a new model. An open case
// is updated; a case a human already decided keeps its state and gains the
// new reasons.
func (s *Store) UpdateAnalysis(ctx context.Context, p *model.Post, a Analysis) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM signals WHERE post_id = ?`, `DELETE FROM matches WHERE post_id = ?`, `DELETE FROM scores WHERE post_id = ?`} {
			if _, err := s.exec(ctx, tx, q, p.ID); err != nil {
				return fmt.Errorf("reprocess post %d: %w", p.ID, err)
			}
		}
		if _, err := s.exec(ctx, tx, `UPDATE posts SET lang = ? WHERE id = ?`, p.Lang, p.ID); err != nil {
			return err
		}
		return s.saveAnalysis(ctx, tx, p.ID, p, a)
	})
}

func (s *Store) saveAnalysis(ctx context.Context, tx *sql.Tx, postID int64, p *model.Post, a Analysis) error {
	now := micros(time.Now())
	for _, sg := range a.Signals {
		if _, err := s.exec(ctx, tx, `INSERT INTO signals (post_id, type, value, quality) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			postID, sg.Type, sg.Value, sg.Quality); err != nil {
			return fmt.Errorf("signal %s: %w", sg.Type, err)
		}
	}
	for _, m := range a.Matches {
		if _, err := s.exec(ctx, tx, `INSERT INTO matches (post_id, entry_id, signal_type, signal_value, distance, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			postID, m.Entry.ID, m.Signal.Type, m.Signal.Value, m.Distance, now); err != nil {
			return fmt.Errorf("match: %w", err)
		}
		detail := fmt.Sprintf("%s %s matched bank %q entry %d at distance %d", m.Signal.Type, m.Signal.Value, m.BankName, m.Entry.ID, m.Distance)
		if err := s.appendAudit(ctx, tx, "pipeline", "match", fmt.Sprintf("post:%d", postID), detail); err != nil {
			return err
		}
	}
	for _, sc := range a.Scores {
		ev, _ := json.Marshal(nonNil(sc.Evidence))
		if _, err := s.exec(ctx, tx, `INSERT INTO scores (post_id, label, score, threshold, model, evidence) VALUES (?, ?, ?, ?, ?, ?)`,
			postID, sc.Label, sc.Score, sc.Threshold, sc.Model, string(ev)); err != nil {
			return fmt.Errorf("score %s: %w", sc.Label, err)
		}
	}
	if a.Case != nil {
		c := *a.Case
		c.Kind = model.CasePost
		c.PostID = postID
		if c.Lang == "" {
			c.Lang = p.Lang
		}
		if c.Platform == "" {
			c.Platform = p.Platform
		}
		if err := s.upsertCase(ctx, tx, &c); err != nil {
			return err
		}
		a.Case.ID = c.ID
	}
	return nil
}

// Post returns one post.
func (s *Store) Post(ctx context.Context, id int64) (*model.Post, error) {
	p, err := scanPost(s.row(ctx, s.db, `SELECT `+postCols+` FROM posts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("post %d: %w", id, ErrNotFound)
	}
	return p, err
}

// PostBySource returns the post with the given platform and source id.
func (s *Store) PostBySource(ctx context.Context, platform, sourceID string) (*model.Post, error) {
	p, err := scanPost(s.row(ctx, s.db, `SELECT `+postCols+` FROM posts WHERE platform = ? AND source_id = ?`, platform, sourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("post %s/%s: %w", platform, sourceID, ErrNotFound)
	}
	return p, err
}

// PostFilter selects posts.
type PostFilter struct {
	Platform string
	Author   string
	// AfterID pages through posts in id order.
	AfterID int64
	Limit   int
}

// Posts lists posts in id order.
func (s *Store) Posts(ctx context.Context, f PostFilter) ([]model.Post, error) {
	q := `SELECT ` + postCols + ` FROM posts WHERE id > ?`
	args := []any{f.AfterID}
	if f.Platform != "" {
		q += ` AND platform = ?`
		args = append(args, f.Platform)
	}
	if f.Author != "" {
		q += ` AND author = ?`
		args = append(args, f.Author)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, s.db, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	return scanAll(rows, scanPost)
}

// PostsWithSignal returns the ids of posts that carry the signal, oldest first.
func (s *Store) PostsWithSignal(ctx context.Context, t model.SignalType, value string, limit int) ([]int64, error) {
	return s.ids(ctx, s.db, `SELECT post_id FROM signals WHERE type = ? AND value = ? ORDER BY post_id LIMIT ?`, t, value, limit)
}

// CountPosts returns how many posts are stored.
func (s *Store) CountPosts(ctx context.Context) (int64, error) {
	var n int64
	err := s.row(ctx, s.db, `SELECT COUNT(*) FROM posts`).Scan(&n)
	return n, err
}

// Signals returns the signals of a post.
func (s *Store) Signals(ctx context.Context, postID int64) ([]model.Signal, error) {
	rows, err := s.query(ctx, s.db, `SELECT type, value, quality FROM signals WHERE post_id = ? ORDER BY type, value`, postID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Signal
	for rows.Next() {
		var sg model.Signal
		if err := rows.Scan(&sg.Type, &sg.Value, &sg.Quality); err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// Scores returns the classifier scores of a post.
func (s *Store) Scores(ctx context.Context, postID int64) ([]model.Score, error) {
	rows, err := s.query(ctx, s.db, `SELECT label, score, threshold, model, evidence FROM scores WHERE post_id = ? ORDER BY score DESC`, postID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Score
	for rows.Next() {
		var sc model.Score
		var ev string
		if err := rows.Scan(&sc.Label, &sc.Score, &sc.Threshold, &sc.Model, &ev); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(ev), &sc.Evidence)
		out = append(out, sc)
	}
	return out, rows.Err()
}

// PostMatches returns the bank matches of a post.
func (s *Store) PostMatches(ctx context.Context, postID int64) ([]model.Match, error) {
	rows, err := s.query(ctx, s.db, `SELECT m.signal_type, m.signal_value, m.distance, `+matchCols+`
		FROM matches m JOIN bank_entries e ON e.id = m.entry_id JOIN banks b ON b.id = e.bank_id
		WHERE m.post_id = ? ORDER BY m.distance, e.id`, postID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(r scanner) (*model.Match, error) {
		var m model.Match
		var added int64
		err := r.Scan(&m.Signal.Type, &m.Signal.Value, &m.Distance, &m.Entry.ID, &m.Entry.BankID, &m.Entry.Type, &m.Entry.Value,
			&m.Entry.Label, &m.Entry.Source, &added, &m.BankName, &m.AutoAction)
		m.Entry.AddedAt = fromMicros(added)
		return &m, err
	})
}

type scanner interface{ Scan(dest ...any) error }

func scanPost(r scanner) (*model.Post, error) {
	var p model.Post
	var links, media string
	var posted, ingested, provAt, unknown int64
	var prov model.Provenance
	if err := r.Scan(&p.ID, &p.Platform, &p.SourceID, &p.Author, &p.Channel, &p.URL, &p.Lang, &p.Text, &links, &media, &posted, &ingested,
		&p.OCRText, &prov.Source, &provAt, &prov.URL, &p.Views, &p.ForwardedFrom, &p.ReplyTo, &unknown, &p.Signature, &p.Notice); err != nil {
		return nil, err
	}
	if prov.Source != 0 || prov.URL != "" {
		prov.FetchedAt = fromMicros(provAt)
		p.Provenance = &prov
	}
	_ = json.Unmarshal([]byte(links), &p.Links)
	_ = json.Unmarshal([]byte(media), &p.Media)
	if unknown != 0 {
		p.PostedAtUnknown = true
	} else {
		p.PostedAt = fromMicros(posted)
	}
	p.IngestedAt = fromMicros(ingested)
	return &p, nil
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// PostsMatchingEntry returns the ids of posts that matched a bank entry,
// oldest first: posts whose media is the same picture within the match
// distance, though their hashes differ.
func (s *Store) PostsMatchingEntry(ctx context.Context, entryID int64, limit int) ([]int64, error) {
	return s.ids(ctx, s.db, `SELECT DISTINCT post_id FROM matches WHERE entry_id = ? ORDER BY post_id LIMIT ?`, entryID, limit)
}
