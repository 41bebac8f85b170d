package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
)

const caseCols = `id, kind, post_id, network_id, state, priority, labels, reasons, lang, platform, claimed_by, created_at, updated_at`

// upsertCase creates the case of a post or network, or refreshes the reasons
// of the existing one. A case still open takes the new labels and priority;
// a decided one keeps its state so a human's work is never undone.
func (s *Store) upsertCase(ctx context.Context, tx *sql.Tx, c *model.Case) error {
	labels, _ := json.Marshal(nonNil(c.Labels))
	reasons, _ := json.Marshal(nonNil(c.Reasons))
	now := micros(time.Now())
	keyCol, key := "post_id", c.PostID
	if c.Kind == model.CaseNetwork {
		keyCol, key = "network_id", c.NetworkID
	}
	var id int64
	var state string
	err := s.row(ctx, tx, `SELECT id, state FROM cases WHERE kind = ? AND `+keyCol+` = ?`, c.Kind, key).Scan(&id, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if c.State == "" {
			c.State = model.CaseOpen
		}
		var postID, netID any
		if c.Kind == model.CaseNetwork {
			netID = c.NetworkID
		} else {
			postID = c.PostID
		}
		id, err = s.insertID(ctx, tx, `INSERT INTO cases (kind, post_id, network_id, state, priority, labels, reasons, lang, platform, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Kind, postID, netID, c.State, c.Priority, string(labels), string(reasons), c.Lang, c.Platform, now, now)
		if err != nil {
			return fmt.Errorf("open case: %w", err)
		}
		c.ID = id
		return s.appendAudit(ctx, tx, "pipeline", "case.open", fmt.Sprintf("case:%d", id), caseSummary(c))
	case err != nil:
		return fmt.Errorf("find case: %w", err)
	}
	c.ID = id
	if model.CaseState(state) == model.CaseOpen {
		_, err = s.exec(ctx, tx, `UPDATE cases SET priority = ?, labels = ?, reasons = ?, platform = COALESCE(NULLIF(?, ''), platform), updated_at = ? WHERE id = ?`,
			c.Priority, string(labels), string(reasons), c.Platform, now, id)
	} else {
		_, err = s.exec(ctx, tx, `UPDATE cases SET reasons = ?, platform = COALESCE(NULLIF(?, ''), platform), updated_at = ? WHERE id = ?`, string(reasons), c.Platform, now, id)
	}
	if err != nil {
		return fmt.Errorf("update case %d: %w", id, err)
	}
	return nil
}

func caseSummary(c *model.Case) string {
	var parts []string
	for _, r := range c.Reasons {
		parts = append(parts, r.Kind+":"+r.Detail)
	}
	return fmt.Sprintf("priority=%d labels=%v reasons=[%s]", c.Priority, c.Labels, strings.Join(parts, "; "))
}

// SaveCase opens or refreshes a case that has no post, such as a network case.
func (s *Store) SaveCase(ctx context.Context, c *model.Case) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.upsertCase(ctx, tx, c) })
}

// Case returns one case.
func (s *Store) Case(ctx context.Context, id int64) (*model.Case, error) {
	c, err := scanCase(s.row(ctx, s.db, `SELECT `+caseCols+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return c, err
}

// CaseFilter selects cases for a queue or a list.
type CaseFilter struct {
	State    model.CaseState
	Label    model.Label
	Kind     model.CaseKind
	Lang     string
	Platform string
	// Offset and Limit page through the queue order (priority, then age).
	Offset int
	Limit  int
}

// Cases lists cases in queue order: highest priority first, then oldest.
// It also returns how many cases the filter selects in all.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]model.Case, int, error) {
	where := ` WHERE 1 = 1`
	var args []any
	if f.State != "" {
		where += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.Kind != "" {
		where += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Label != "" {
		// labels is a JSON array of strings; the quotes make the match exact.
		where += ` AND labels LIKE ?`
		args = append(args, `%"`+string(f.Label)+`"%`)
	}
	if f.Lang != "" {
		where += ` AND lang = ?`
		args = append(args, f.Lang)
	}
	if f.Platform != "" {
		where += ` AND platform = ?`
		args = append(args, f.Platform)
	}
	var total int
	if err := s.row(ctx, s.db, `SELECT COUNT(*) FROM cases`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := s.query(ctx, s.db, `SELECT `+caseCols+` FROM cases`+where+` ORDER BY priority DESC, id LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	out, err := scanAll(rows, scanCase)
	return out, total, err
}

// Claim marks a case as being reviewed by reviewer, so no one else decides
// it at the same time. Claiming a case one already holds is a no-op;
// claiming one held by another returns ErrConflict.
func (s *Store) Claim(ctx context.Context, caseID int64, reviewer string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, `UPDATE cases SET claimed_by = ?, claimed_at = ? WHERE id = ? AND (claimed_by = '' OR claimed_by = ?)`,
			reviewer, micros(time.Now()), caseID, reviewer)
		if err != nil {
			return fmt.Errorf("claim case %d: %w", caseID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			c, err := s.caseTx(ctx, tx, caseID)
			if err != nil {
				return err
			}
			return fmt.Errorf("case %d is claimed by %s: %w", caseID, c.ClaimedBy, ErrConflict)
		}
		return s.appendAudit(ctx, tx, reviewer, "case.claim", fmt.Sprintf("case:%d", caseID), "")
	})
}

// Release gives up a claim. Only the holder (or force, for an admin) may.
func (s *Store) Release(ctx context.Context, caseID int64, reviewer string, force bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := s.lockCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if c.ClaimedBy == "" {
			return nil
		}
		if c.ClaimedBy != reviewer && !force {
			return fmt.Errorf("case %d is claimed by %s: %w", caseID, c.ClaimedBy, ErrConflict)
		}
		if _, err := s.exec(ctx, tx, `UPDATE cases SET claimed_by = '', claimed_at = 0 WHERE id = ?`, caseID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reviewer, "case.release", fmt.Sprintf("case:%d", caseID), fmt.Sprintf("held_by=%q", c.ClaimedBy))
	})
}

func (s *Store) caseTx(ctx context.Context, tx *sql.Tx, id int64) (*model.Case, error) {
	c, err := scanCase(s.row(ctx, tx, `SELECT `+caseCols+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return c, err
}

// lockCase reads a case inside tx and holds it until tx ends, so two
// transactions changing the same case take turns: the second reads what
// the first committed. PostgreSQL needs the row lock; a SQLite write
// transaction already holds the whole database.
func (s *Store) lockCase(ctx context.Context, tx *sql.Tx, id int64) (*model.Case, error) {
	if s.dialect != Postgres {
		return s.caseTx(ctx, tx, id)
	}
	c, err := scanCase(tx.QueryRowContext(ctx, s.Rebind(`SELECT `+caseCols+` FROM cases WHERE id = ? FOR UPDATE`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return c, err
}

// moveCase changes a case's state from the one it was read in, and fails
// with ErrConflict if another transaction changed it in between.
func (s *Store) moveCase(ctx context.Context, tx *sql.Tx, c *model.Case, to model.CaseState, at time.Time) error {
	res, err := s.exec(ctx, tx, `UPDATE cases SET state = ?, updated_at = ? WHERE id = ? AND state = ?`, to, micros(at), c.ID, c.State)
	if err != nil {
		return fmt.Errorf("case %d: set state: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("case %d changed while being moved from %s to %s: %w", c.ID, c.State, to, ErrConflict)
	}
	return nil
}

// ErrInvalid is returned for a request that can never succeed as given.
var ErrInvalid = errors.New("invalid")

// Decide records a reviewer's decision on a case and moves it to decided.
// A case claimed by someone else cannot be decided (ErrConflict). A decision
// on an appealed case must come from a reviewer other than the one who made
// the appealed decision, and is marked as the appeal's outcome.
func (s *Store) Decide(ctx context.Context, d *model.Decision) error {
	_, err := s.DecideWith(ctx, d, DecisionEffects{})
	return err
}

// DecisionEffects is what recording a decision does besides, in the same
// transaction. The rules that choose them live in the review service.
type DecisionEffects struct {
	// OverturnsAppeal, when the decision turns out to decide an appeal,
	// reverses the case's actions (withdraws its orders, removes the bank
	// entries it added) and records the appeal as overturned; otherwise an
	// appeal decision records the appeal as upheld.
	OverturnsAppeal bool
}

// DecideWith is Decide with the effects eff. Decisions on one case are
// serialised: of two concurrent decisions, one is recorded and the other
// fails with ErrConflict, on SQLite and PostgreSQL alike.
func (s *Store) DecideWith(ctx context.Context, d *model.Decision, eff DecisionEffects) (Reversal, error) {
	var rev Reversal
	if d.Reviewer == "" {
		return rev, fmt.Errorf("decision: reviewer is required: %w", ErrInvalid)
	}
	if len(d.Labels) == 0 {
		return rev, fmt.Errorf("decision: at least one label is required: %w", ErrInvalid)
	}
	for _, l := range d.Labels {
		if !l.Valid() {
			return rev, fmt.Errorf("decision: unknown label %q: %w", l, ErrInvalid)
		}
	}
	if !validAction(d.Action) {
		return rev, fmt.Errorf("decision: unknown action %q (want none, remove, refer or bank): %w", d.Action, ErrInvalid)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rev = Reversal{}
		c, err := s.lockCase(ctx, tx, d.CaseID)
		if err != nil {
			return err
		}
		if c.ClaimedBy != "" && c.ClaimedBy != d.Reviewer {
			return fmt.Errorf("case %d is claimed by %s: %w", c.ID, c.ClaimedBy, ErrConflict)
		}
		d.Appeal = false
		switch c.State {
		case model.CaseOpen:
		case model.CaseAppealed:
			var last string
			err := s.row(ctx, tx, `SELECT reviewer FROM decisions WHERE case_id = ? ORDER BY id DESC LIMIT 1`, c.ID).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if last == d.Reviewer {
				return fmt.Errorf("case %d: an appeal must be decided by a reviewer other than %s: %w", c.ID, last, ErrConflict)
			}
			d.Appeal = true
		default:
			return fmt.Errorf("case %d is %s, not open or appealed: %w", c.ID, c.State, ErrConflict)
		}
		d.CreatedAt = time.Now().UTC()
		labels, _ := json.Marshal(d.Labels)
		// The state in the WHERE clause makes the change conditional: if
		// another decision got in first, nothing changes and this one fails.
		res, err := s.exec(ctx, tx, `UPDATE cases SET state = ?, labels = ?, claimed_by = '', claimed_at = 0, updated_at = ? WHERE id = ? AND state = ?`,
			model.CaseDecided, string(labels), micros(d.CreatedAt), c.ID, c.State)
		if err != nil {
			return fmt.Errorf("update case %d: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("case %d was decided by someone else meanwhile: %w", c.ID, ErrConflict)
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO decisions (case_id, reviewer, labels, action, rationale, appeal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.CaseID, d.Reviewer, string(labels), d.Action, d.Rationale, d.Appeal, micros(d.CreatedAt))
		if err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		d.ID = id
		what := "case.decide"
		if d.Appeal {
			what = "case.appeal.decide"
		}
		subject := fmt.Sprintf("case:%d", c.ID)
		if err := s.appendAudit(ctx, tx, d.Reviewer, what, subject,
			fmt.Sprintf("labels=%v action=%s rationale=%q", d.Labels, d.Action, d.Rationale)); err != nil {
			return err
		}
		if !d.Appeal {
			return nil
		}
		if !eff.OverturnsAppeal {
			return s.appendAudit(ctx, tx, d.Reviewer, "case.appeal.upheld", subject, d.Rationale)
		}
		if rev, err = s.reverseTx(ctx, tx, c.ID, d.Reviewer, "appeal overturned the decision: "+d.Rationale); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, d.Reviewer, "case.appeal.overturned", subject,
			fmt.Sprintf("orders_withdrawn=%d bank_entries_removed=%d", rev.OrdersWithdrawn, rev.EntriesRemoved))
	})
	if err != nil {
		return Reversal{}, err
	}
	return rev, nil
}

func validAction(a string) bool {
	switch a {
	case "none", "remove", "refer", "bank":
		return true
	}
	return false
}

// SetCaseState moves a case to another state, such as actioned or closed,
// or appealed (which reopens it for a second reviewer, from decided or
// actioned only).
func (s *Store) SetCaseState(ctx context.Context, caseID int64, state model.CaseState, actor, why string) error {
	var from []model.CaseState
	if state == model.CaseAppealed {
		from = []model.CaseState{model.CaseDecided, model.CaseActioned}
	}
	return s.MoveCase(ctx, caseID, from, state, actor, why)
}

// MoveCase moves a case to state to if it is in one of from (nil: any),
// atomically, and audits the move as "case.<to>" with why. The allowed
// moves are the review service's; the store only makes them atomic.
func (s *Store) MoveCase(ctx context.Context, caseID int64, from []model.CaseState, to model.CaseState, actor, why string) error {
	return s.moveCaseIf(ctx, caseID, from, to, actor, why, nil)
}

// MoveCaseOnce is MoveCase for a move a case makes at most once in its
// life, whose completion is an appeal decision: it is refused with
// ErrConflict when the case already has one. The check and the move are
// one transaction, so no appeal slips in while one is being decided.
func (s *Store) MoveCaseOnce(ctx context.Context, caseID int64, from []model.CaseState, to model.CaseState, actor, why string) error {
	return s.moveCaseIf(ctx, caseID, from, to, actor, why, func(tx *sql.Tx) error {
		var n int
		if err := s.row(ctx, tx, `SELECT COUNT(*) FROM decisions WHERE case_id = ? AND appeal = ?`, caseID, true).Scan(&n); err != nil {
			return fmt.Errorf("case %d: appeal decisions: %w", caseID, err)
		}
		if n > 0 {
			return fmt.Errorf("case %d: its appeal was already decided; it cannot become %s again: %w", caseID, to, ErrConflict)
		}
		return nil
	})
}

// moveCaseIf is MoveCase with check, when not nil, run on the locked
// case's transaction before the move.
func (s *Store) moveCaseIf(ctx context.Context, caseID int64, from []model.CaseState, to model.CaseState, actor, why string, check func(*sql.Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := s.lockCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if from != nil && !slices.Contains(from, c.State) {
			return fmt.Errorf("case %d is %s: only a case that is %v can become %s: %w", caseID, c.State, from, to, ErrConflict)
		}
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		if err := s.moveCase(ctx, tx, c, to, time.Now()); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actor, "case."+string(to), fmt.Sprintf("case:%d", caseID), why)
	})
}

// Decisions returns the decisions on a case, oldest first.
func (s *Store) Decisions(ctx context.Context, caseID int64) ([]model.Decision, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, case_id, reviewer, labels, action, rationale, appeal, created_at FROM decisions WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Decision
	for rows.Next() {
		var d model.Decision
		var labels string
		var created int64
		if err := rows.Scan(&d.ID, &d.CaseID, &d.Reviewer, &labels, &d.Action, &d.Rationale, &d.Appeal, &created); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(labels), &d.Labels)
		d.CreatedAt = fromMicros(created)
		out = append(out, d)
	}
	return out, rows.Err()
}

func scanCase(r scanner) (*model.Case, error) {
	var c model.Case
	var postID, netID sql.NullInt64
	var labels, reasons string
	var created, updated int64
	if err := r.Scan(&c.ID, &c.Kind, &postID, &netID, &c.State, &c.Priority, &labels, &reasons, &c.Lang, &c.Platform, &c.ClaimedBy, &created, &updated); err != nil {
		return nil, err
	}
	c.PostID, c.NetworkID = postID.Int64, netID.Int64
	_ = json.Unmarshal([]byte(labels), &c.Labels)
	_ = json.Unmarshal([]byte(reasons), &c.Reasons)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}
