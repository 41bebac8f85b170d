package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// CaseIDsByNetwork returns the case of each of the given networks that has
// one.
func (s *Store) CaseIDsByNetwork(ctx context.Context, networkIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	for _, id := range networkIDs {
		var caseID int64
		err := s.row(ctx, s.db, `SELECT id FROM cases WHERE kind = 'network' AND network_id = ?`, id).Scan(&caseID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("case of network %d: %w", id, err)
		default:
			out[id] = caseID
		}
	}
	return out, nil
}
