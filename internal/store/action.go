package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// Order statuses. An order starts sent; the platform's answer moves it to
// acknowledged, removed or refused; one left unanswered past its deadline
// becomes expired; an appeal that overturns the decision withdraws it.
const (
	OrderSent         = "sent"
	OrderAcknowledged = "acknowledged"
	OrderRemoved      = "removed"
	OrderRefused      = "refused"
	OrderExpired      = "expired"
	OrderWithdrawn    = "withdrawn"
)

// OrderStatuses lists every order status.
var OrderStatuses = []string{OrderSent, OrderAcknowledged, OrderRemoved, OrderRefused, OrderExpired, OrderWithdrawn}

// Order kinds.
const (
	OrderRemoval  = "removal"  // a removal order with a legal deadline
	OrderReferral = "referral" // a referral for the platform to assess against its terms
)

// Order is a removal order or a referral sent to a platform about a case.
type Order struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case_id"`
	Kind       string    `json:"kind"`
	Platform   string    `json:"platform"`
	ContentURL string    `json:"content_url"`
	LegalBasis string    `json:"legal_basis"`
	IssuedBy   string    `json:"issued_by"`
	IssuedAt   time.Time `json:"issued_at"`
	Deadline   time.Time `json:"deadline"`
	Status     string    `json:"status"`
	StatusAt   time.Time `json:"status_at"`
	Note       string    `json:"note,omitempty"`
	EvidenceID int64     `json:"evidence_id,omitempty"`
}

// Open reports whether the platform still owes an answer.
func (o *Order) Open() bool { return o.Status == OrderSent || o.Status == OrderAcknowledged }

// Overdue reports whether the order is open past its deadline at now.
func (o *Order) Overdue(now time.Time) bool { return o.Open() && now.After(o.Deadline) }

// Delivery is one attempt to deliver an order to a webhook.
type Delivery struct {
	ID         int64
	OrderID    int64
	Attempt    int
	At         time.Time
	URL        string
	StatusCode int
	Error      string
	OK         bool
}

// CaseEntry is a bank entry added from a case's decision.
type CaseEntry struct {
	CaseID    int64
	EntryID   int64
	Bank      string
	Type      model.SignalType
	Value     string
	AddedBy   string
	AddedAt   time.Time
	RemovedAt time.Time
}

const orderCols = `id, case_id, kind, platform, content_url, legal_basis, issued_by, issued_at, deadline, status, status_at, note, evidence_id`

// CreateOrder records a new order and moves its case to actioned.
func (s *Store) CreateOrder(ctx context.Context, o *Order) error {
	return s.CreateOrderIf(ctx, o, nil)
}

// CreateOrderIf is CreateOrder when the case, read and held inside the
// transaction, passes check (nil: any case). A decision or appeal on the
// case waits until the order is recorded, so check sees the case the order
// is issued on, never one an appeal changed meanwhile.
func (s *Store) CreateOrderIf(ctx context.Context, o *Order, check func(*model.Case) error) error {
	if o.IssuedAt.IsZero() {
		o.IssuedAt = time.Now().UTC()
	}
	if o.Status == "" {
		o.Status = OrderSent
	}
	o.StatusAt = o.IssuedAt
	return s.tx(ctx, func(tx *sql.Tx) error {
		c, err := s.lockCase(ctx, tx, o.CaseID)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(c); err != nil {
				return err
			}
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO orders (case_id, kind, platform, content_url, legal_basis, issued_by, issued_at, deadline, status, status_at, note, evidence_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.CaseID, o.Kind, o.Platform, o.ContentURL, o.LegalBasis, o.IssuedBy, micros(o.IssuedAt), micros(o.Deadline), o.Status, micros(o.StatusAt), o.Note, o.EvidenceID)
		if err != nil {
			return fmt.Errorf("create order: %w", err)
		}
		o.ID = id
		if c.State == model.CaseDecided {
			if err := s.moveCase(ctx, tx, c, model.CaseActioned, o.IssuedAt); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("case=%d kind=%s platform=%q url=%q legal_basis=%q deadline=%s evidence=%d",
			o.CaseID, o.Kind, o.Platform, o.ContentURL, o.LegalBasis, o.Deadline.UTC().Format(time.RFC3339), o.EvidenceID)
		if o.Note != "" {
			detail += fmt.Sprintf(" note=%q", o.Note)
		}
		return s.appendAudit(ctx, tx, o.IssuedBy, "order.create", fmt.Sprintf("order:%d", id), detail)
	})
}

// Order returns one order.
func (s *Store) Order(ctx context.Context, id int64) (*Order, error) {
	o, err := scanOrder(s.row(ctx, s.db, `SELECT `+orderCols+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("order %d: %w", id, ErrNotFound)
	}
	return o, err
}

// OrderFilter selects orders.
type OrderFilter struct {
	CaseID   int64
	Status   string
	Platform string
	// Open selects orders still waiting for the platform (sent or acknowledged).
	Open bool
	// Offset and Limit page through the list (nearest deadline first).
	Offset int
	Limit  int
}

func (f OrderFilter) where() (string, []any) {
	q := ` WHERE 1 = 1`
	var args []any
	if f.CaseID != 0 {
		q += ` AND case_id = ?`
		args = append(args, f.CaseID)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Platform != "" {
		q += ` AND platform = ?`
		args = append(args, f.Platform)
	}
	if f.Open {
		q += ` AND status IN (?, ?)`
		args = append(args, OrderSent, OrderAcknowledged)
	}
	return q, args
}

// Orders lists orders, those with the nearest deadline first.
func (s *Store) Orders(ctx context.Context, f OrderFilter) ([]Order, error) {
	where, args := f.where()
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	rows, err := s.query(ctx, s.db, `SELECT `+orderCols+` FROM orders`+where+` ORDER BY deadline, id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

// CountOrders returns how many orders f selects in all, ignoring paging.
func (s *Store) CountOrders(ctx context.Context, f OrderFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := s.row(ctx, s.db, `SELECT COUNT(*) FROM orders`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count orders: %w", err)
	}
	return n, nil
}

// MoveOrder changes an order's status to to, if its status is one of from,
// in one conditional update: a change made meanwhile by someone else makes
// this one fail with ErrConflict rather than overwrite it. The allowed
// moves are the review service's; the store only makes them atomic.
func (s *Store) MoveOrder(ctx context.Context, id int64, from []string, to, actor, note string) (*Order, error) {
	if !slices.Contains(OrderStatuses, to) {
		return nil, fmt.Errorf("order %d: unknown status %q: %w", id, to, ErrInvalid)
	}
	if len(from) == 0 {
		return nil, fmt.Errorf("order %d: no status it may move to %s from: %w", id, to, ErrConflict)
	}
	var o *Order
	err := s.tx(ctx, func(tx *sql.Tx) error {
		args := []any{to, micros(time.Now()), note, id}
		for _, f := range from {
			args = append(args, f)
		}
		res, err := s.exec(ctx, tx, `UPDATE orders SET status = ?, status_at = ?, note = ? WHERE id = ? AND status IN (?`+strings.Repeat(", ?", len(from)-1)+`)`, args...)
		if err != nil {
			return fmt.Errorf("order %d: set status: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			cur, err := scanOrder(s.row(ctx, tx, `SELECT `+orderCols+` FROM orders WHERE id = ?`, id))
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("order %d: %w", id, ErrNotFound)
			} else if err != nil {
				return err
			}
			return fmt.Errorf("order %d is %s and cannot become %s: %w", id, cur.Status, to, ErrConflict)
		}
		if o, err = scanOrder(s.row(ctx, tx, `SELECT `+orderCols+` FROM orders WHERE id = ?`, id)); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actor, "order."+to, fmt.Sprintf("order:%d", id), note)
	})
	return o, err
}

// ExpireOrders marks open orders whose deadline passed before cutoff as
// expired, and returns how many it changed.
func (s *Store) ExpireOrders(ctx context.Context, cutoff time.Time, actor string) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		n = 0
		ids, err := s.ids(ctx, tx, `SELECT id FROM orders WHERE status IN (?, ?) AND deadline < ?`, OrderSent, OrderAcknowledged, micros(cutoff))
		if err != nil {
			return err
		}
		for _, id := range ids {
			// Conditional: an answer or a withdrawal recorded meanwhile stands.
			res, err := s.exec(ctx, tx, `UPDATE orders SET status = ?, status_at = ? WHERE id = ? AND status IN (?, ?)`, OrderExpired, micros(time.Now()), id, OrderSent, OrderAcknowledged)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			if err := s.appendAudit(ctx, tx, actor, "order.expired", fmt.Sprintf("order:%d", id), "deadline passed without an answer"); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("expire orders: %w", err)
	}
	return n, nil
}

// RecordDelivery stores one delivery attempt.
func (s *Store) RecordDelivery(ctx context.Context, d *Delivery) error {
	if d.At.IsZero() {
		d.At = time.Now().UTC()
	}
	id, err := s.insertID(ctx, s.db, `INSERT INTO deliveries (order_id, attempt, at, url, status_code, error, ok) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.OrderID, d.Attempt, micros(d.At), d.URL, d.StatusCode, d.Error, d.OK)
	if err != nil {
		return fmt.Errorf("order %d: record delivery: %w", d.OrderID, err)
	}
	d.ID = id
	return nil
}

// Deliveries lists the delivery attempts of an order, oldest first.
func (s *Store) Deliveries(ctx context.Context, orderID int64) ([]Delivery, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, order_id, attempt, at, url, status_code, error, ok FROM deliveries WHERE order_id = ? ORDER BY id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("order %d: deliveries: %w", orderID, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var at int64
		if err := rows.Scan(&d.ID, &d.OrderID, &d.Attempt, &at, &d.URL, &d.StatusCode, &d.Error, &d.OK); err != nil {
			return nil, err
		}
		d.At = fromMicros(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// UndeliveredOrders returns the ids of open orders with no successful delivery.
func (s *Store) UndeliveredOrders(ctx context.Context) ([]int64, error) {
	ids, err := s.ids(ctx, s.db, `SELECT o.id FROM orders o WHERE o.status IN (?, ?)
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.order_id = o.id AND d.ok) ORDER BY o.id`, OrderSent, OrderAcknowledged)
	if err != nil {
		return nil, fmt.Errorf("undelivered orders: %w", err)
	}
	return ids, nil
}

// AddCaseEntries adds signals of a case to a bank and remembers which
// entries the case added, so an appeal can take them back. Entries the
// bank already held are not the case's and are not recorded.
func (s *Store) AddCaseEntries(ctx context.Context, caseID int64, bank string, entries []model.BankEntry, actor string) (int, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return 0, err
	}
	added, err := s.AddEntries(ctx, bank, entries, actor)
	if err != nil {
		return 0, err
	}
	now := micros(time.Now())
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if e.ID == 0 {
				continue
			}
			if _, err := s.exec(ctx, tx, `INSERT INTO case_entries (case_id, entry_id, bank, type, value, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				caseID, e.ID, bank, e.Type, e.Value, actor, now); err != nil {
				return fmt.Errorf("case %d: record bank entry %d: %w", caseID, e.ID, err)
			}
		}
		return s.appendAudit(ctx, tx, actor, "case.bank", fmt.Sprintf("case:%d", caseID), fmt.Sprintf("bank=%q added=%d offered=%d", bank, added, len(entries)))
	})
	return added, err
}

// CaseEntries lists the bank entries a case added.
func (s *Store) CaseEntries(ctx context.Context, caseID int64) ([]CaseEntry, error) {
	rows, err := s.query(ctx, s.db, `SELECT case_id, entry_id, bank, type, value, added_by, added_at, removed_at FROM case_entries WHERE case_id = ? ORDER BY entry_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case %d: bank entries: %w", caseID, err)
	}
	defer rows.Close()
	var out []CaseEntry
	for rows.Next() {
		var e CaseEntry
		var added, removed int64
		if err := rows.Scan(&e.CaseID, &e.EntryID, &e.Bank, &e.Type, &e.Value, &e.AddedBy, &added, &removed); err != nil {
			return nil, err
		}
		e.AddedAt, e.RemovedAt = fromMicros(added), fromMicros(removed)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Reversal says what ReverseCaseActions undid.
type Reversal struct {
	OrdersWithdrawn int
	EntriesRemoved  int
	// Orders are the ids of the withdrawn orders, to tell the platforms.
	Orders []int64
}

// ReverseCaseActions undoes what a case's decision did outside, after an
// appeal overturned it: open and completed orders are withdrawn and the bank
// entries the case added are removed. Each step is audited.
func (s *Store) ReverseCaseActions(ctx context.Context, caseID int64, actor, why string) (Reversal, error) {
	var r Reversal
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = s.reverseTx(ctx, tx, caseID, actor, why)
		return err
	})
	if err != nil {
		return Reversal{}, err
	}
	return r, nil
}

// reverseTx is ReverseCaseActions inside tx.
func (s *Store) reverseTx(ctx context.Context, tx *sql.Tx, caseID int64, actor, why string) (Reversal, error) {
	fail := func(err error) (Reversal, error) {
		return Reversal{}, fmt.Errorf("case %d: reverse actions: %w", caseID, err)
	}
	orders, err := s.ids(ctx, tx, `SELECT id FROM orders WHERE case_id = ? AND status NOT IN (?, ?) ORDER BY id`, caseID, OrderWithdrawn, OrderExpired)
	if err != nil {
		return fail(err)
	}
	rows, err := s.query(ctx, tx, `SELECT entry_id, bank FROM case_entries WHERE case_id = ? AND removed_at = 0 ORDER BY entry_id`, caseID)
	if err != nil {
		return fail(err)
	}
	type ent struct {
		id   int64
		bank string
	}
	var ents []ent
	for rows.Next() {
		var e ent
		if err := rows.Scan(&e.id, &e.bank); err != nil {
			rows.Close()
			return fail(err)
		}
		ents = append(ents, e)
	}
	rows.Close()
	now := micros(time.Now())
	var r Reversal
	for _, id := range orders {
		res, err := s.exec(ctx, tx, `UPDATE orders SET status = ?, status_at = ?, note = ? WHERE id = ? AND status NOT IN (?, ?)`, OrderWithdrawn, now, why, id, OrderWithdrawn, OrderExpired)
		if err != nil {
			return fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if err := s.appendAudit(ctx, tx, actor, "order.withdrawn", fmt.Sprintf("order:%d", id), why); err != nil {
			return fail(err)
		}
		r.Orders = append(r.Orders, id)
	}
	for _, e := range ents {
		if _, err := s.exec(ctx, tx, `DELETE FROM bank_entries WHERE id = ?`, e.id); err != nil {
			return fail(err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE case_entries SET removed_at = ? WHERE case_id = ? AND entry_id = ?`, now, caseID, e.id); err != nil {
			return fail(err)
		}
		if err := s.appendAudit(ctx, tx, actor, "bank.remove", "bank:"+e.bank, fmt.Sprintf("entry %d removed: case %d reversed: %s", e.id, caseID, why)); err != nil {
			return fail(err)
		}
	}
	r.OrdersWithdrawn, r.EntriesRemoved = len(r.Orders), len(ents)
	return r, nil
}

func scanOrder(r scanner) (*Order, error) {
	var o Order
	var issued, deadline, statusAt int64
	if err := r.Scan(&o.ID, &o.CaseID, &o.Kind, &o.Platform, &o.ContentURL, &o.LegalBasis, &o.IssuedBy, &issued, &deadline, &o.Status, &statusAt, &o.Note, &o.EvidenceID); err != nil {
		return nil, err
	}
	o.IssuedAt, o.Deadline, o.StatusAt = fromMicros(issued), fromMicros(deadline), fromMicros(statusAt)
	return &o, nil
}
