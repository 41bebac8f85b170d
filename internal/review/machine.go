package review

import (
	"slices"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// CaseMove is one allowed change of a case's state. docs/review.md shows
// the same table; change both together.
type CaseMove struct {
	Event string
	From  []model.CaseState
	To    model.CaseState
	Who   string
	// Once marks a move a case makes at most once: after an appeal has
	// been decided, another is a conflict.
	Once bool
}

// Case events.
const (
	EventDecide       = "decide"
	EventDecideAppeal = "decide appeal"
	EventIssueOrder   = "issue order"
	EventAppeal       = "appeal"
)

// CaseMoves is the case state machine. No move leads out of closed, and
// none leads to open: a decided case goes back to the queue only as appealed.
var CaseMoves = []CaseMove{
	{EventDecide, []model.CaseState{model.CaseOpen}, model.CaseDecided,
		"a reviewer holding the claim, or any reviewer when nobody holds it", false},
	{EventDecideAppeal, []model.CaseState{model.CaseAppealed}, model.CaseDecided,
		"a reviewer other than the one who made the appealed decision", false},
	{EventIssueOrder, []model.CaseState{model.CaseDecided}, model.CaseActioned,
		"a reviewer, when the decision has a harmful label (further orders keep it actioned)", false},
	{EventAppeal, []model.CaseState{model.CaseDecided, model.CaseActioned}, model.CaseAppealed,
		"a reviewer recording who appeals and why; once: a case whose appeal was decided cannot be appealed again", true},
}

// caseMove returns the move of event.
func caseMove(event string) CaseMove {
	for _, m := range CaseMoves {
		if m.Event == event {
			return m
		}
	}
	return CaseMove{}
}

// caseFrom returns the states a case may be in for event.
func caseFrom(event string) []model.CaseState {
	for _, m := range CaseMoves {
		if m.Event == event {
			return m.From
		}
	}
	return nil
}

// Claimable reports whether a case in state s can be claimed: only work
// waiting for a decision is.
func Claimable(s model.CaseState) bool {
	return slices.Contains(caseFrom(EventDecide), s) || slices.Contains(caseFrom(EventDecideAppeal), s)
}

// CanDecide reports whether viewer may record a decision on c now, as far
// as the case shows (an appeal's second-reviewer rule needs its decisions).
func CanDecide(c *model.Case, viewer string) bool {
	return Claimable(c.State) && (c.ClaimedBy == "" || c.ClaimedBy == viewer)
}

// CanAppeal reports whether c, with its decisions, can be appealed: it is
// in a state an appeal leaves from and, the move being once, no appeal of
// it has been decided.
func CanAppeal(c *model.Case, decisions []model.Decision) bool {
	m := caseMove(EventAppeal)
	if !slices.Contains(m.From, c.State) {
		return false
	}
	return !m.Once || !slices.ContainsFunc(decisions, func(d model.Decision) bool { return d.Appeal })
}

// Orderable reports whether c is in a state orders and appeals start from
// (decided or actioned), whatever its appeals.
func Orderable(c *model.Case) bool { return slices.Contains(caseFrom(EventAppeal), c.State) }

// Actionable reports whether orders and bank additions may be made from c:
// a human decided it, with a harmful label.
func Actionable(c *model.Case) bool { return action.Actionable(c) == nil }

// OrderMove is one allowed change of an order's status. docs/review.md
// shows the same table; change both together.
type OrderMove struct {
	From []string
	To   string
	By   string // Answer, Server or Withdrawal
}

// Who moves an order.
const (
	// ByAnswer: a reviewer records the platform's answer.
	ByAnswer = "answer"
	// ByServer: the server, when the deadline is long past.
	ByServer = "server"
	// ByWithdrawal: a reviewer withdrawing the order with a reason, or an
	// appeal that overturned the decision.
	ByWithdrawal = "withdrawal"
)

// OrderMoves is the order state machine. Orders only move forward:
// nothing leads back to sent, and expired and withdrawn are final. To ask
// a platform again, a reviewer issues a new order with its own justification.
var OrderMoves = []OrderMove{
	{[]string{store.OrderSent}, store.OrderAcknowledged, ByAnswer},
	{[]string{store.OrderSent, store.OrderAcknowledged}, store.OrderRemoved, ByAnswer},
	{[]string{store.OrderSent, store.OrderAcknowledged}, store.OrderRefused, ByAnswer},
	{[]string{store.OrderSent, store.OrderAcknowledged}, store.OrderExpired, ByServer},
	{[]string{store.OrderSent, store.OrderAcknowledged, store.OrderRemoved, store.OrderRefused}, store.OrderWithdrawn, ByWithdrawal},
}

// orderFrom returns the statuses an order may have to become to by.
func orderFrom(to, by string) []string {
	for _, m := range OrderMoves {
		if m.To == to && m.By == by {
			return m.From
		}
	}
	return nil
}

// Answers lists the statuses a reviewer may record for an order with
// status from, in the table's order.
func Answers(from string) []string {
	var out []string
	for _, m := range OrderMoves {
		if m.By == ByAnswer && slices.Contains(m.From, from) {
			out = append(out, m.To)
		}
	}
	return out
}

// Withdrawable reports whether an order with this status can be withdrawn.
func Withdrawable(status string) bool {
	return slices.Contains(orderFrom(store.OrderWithdrawn, ByWithdrawal), status)
}

// Final reports whether nothing can happen to an order with this status.
func Final(status string) bool {
	for _, m := range OrderMoves {
		if slices.Contains(m.From, status) {
			return false
		}
	}
	return true
}
