package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// Stats are the counts the dashboard shows.
type Stats struct {
	Since     time.Time
	Labels    map[model.Label]int // cases per label
	Platforms map[string]int      // cases per source platform
	States    map[model.CaseState]int
	// Days counts cases created per UTC day, oldest first, one entry per
	// day from Since to now (days without cases count zero).
	Days []DayCount
	// Reviewers counts decisions per reviewer since Since.
	Reviewers     map[string]int
	OpenOrders    int
	OverdueOrders int
}

// DayCount is the number of cases created on one UTC day.
type DayCount struct {
	Day   time.Time
	Count int
}

// Stats counts cases created since since, and orders now.
func (s *Store) Stats(ctx context.Context, since, now time.Time) (*Stats, error) {
	since = since.UTC().Truncate(24 * time.Hour)
	st := &Stats{Since: since, Labels: map[model.Label]int{}, Platforms: map[string]int{}, States: map[model.CaseState]int{}, Reviewers: map[string]int{}}
	rows, err := s.query(ctx, s.db, `SELECT labels, platform, state, created_at FROM cases WHERE created_at >= ?`, micros(since))
	if err != nil {
		return nil, fmt.Errorf("stats: cases: %w", err)
	}
	days := map[int64]int{}
	for rows.Next() {
		var labels, platform, state string
		var created int64
		if err := rows.Scan(&labels, &platform, &state, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("stats: cases: %w", err)
		}
		var ls []model.Label
		_ = json.Unmarshal([]byte(labels), &ls)
		for _, l := range ls {
			st.Labels[l]++
		}
		// A network case spans the platforms of its accounts.
		for _, p := range strings.Split(platform, ",") {
			st.Platforms[p]++
		}
		st.States[model.CaseState(state)]++
		days[fromMicros(created).Truncate(24*time.Hour).Unix()]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stats: cases: %w", err)
	}
	for d := since; !d.After(now); d = d.Add(24 * time.Hour) {
		st.Days = append(st.Days, DayCount{Day: d, Count: days[d.Unix()]})
	}
	rows, err = s.query(ctx, s.db, `SELECT reviewer, COUNT(*) FROM decisions WHERE created_at >= ? GROUP BY reviewer`, micros(since))
	if err != nil {
		return nil, fmt.Errorf("stats: decisions: %w", err)
	}
	for rows.Next() {
		var r string
		var n int
		if err := rows.Scan(&r, &n); err != nil {
			rows.Close()
			return nil, err
		}
		st.Reviewers[r] = n
	}
	rows.Close()
	err = s.row(ctx, s.db, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN deadline < ? THEN 1 ELSE 0 END), 0) FROM orders WHERE status IN (?, ?)`,
		micros(now), OrderSent, OrderAcknowledged).Scan(&st.OpenOrders, &st.OverdueOrders)
	if err != nil {
		return nil, fmt.Errorf("stats: orders: %w", err)
	}
	return st, nil
}
