package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/marsad/marsad/internal/model"
)

// SearchFilter selects posts by the words of their text or their author.
type SearchFilter struct {
	// Text must occur in the post's text, ignoring the case of Latin letters.
	Text string
	// Author, when set, must equal the post's author.
	Author string
	Limit  int
}

// SearchPosts finds posts, newest first. It scans the posts table, which is
// fine for the hundreds of thousands of posts a unit keeps; a larger
// deployment would add a full-text index.
func (s *Store) SearchPosts(ctx context.Context, f SearchFilter) ([]model.Post, error) {
	q := `SELECT ` + postCols + ` FROM posts WHERE 1 = 1`
	var args []any
	if t := strings.TrimSpace(f.Text); t != "" {
		q += ` AND LOWER(body) LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(strings.ToLower(t))+"%")
	}
	if f.Author != "" {
		q += ` AND author = ?`
		args = append(args, f.Author)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.query(ctx, s.db, q+` ORDER BY posted_at DESC, id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("search posts: %w", err)
	}
	defer rows.Close()
	var out []model.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// likeEscape makes s match itself literally inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CaseIDsByPost returns the case of each of the given posts that has one.
func (s *Store) CaseIDsByPost(ctx context.Context, postIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	for _, id := range postIDs {
		var caseID int64
		err := s.row(ctx, s.db, `SELECT id FROM cases WHERE kind = 'post' AND post_id = ?`, id).Scan(&caseID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("case of post %d: %w", id, err)
		default:
			out[id] = caseID
		}
	}
	return out, nil
}
