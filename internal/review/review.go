// Package review holds the rules of human review: claims, decisions,
// appeals, bank additions from a case and the life of removal orders and
// referrals. The web UI and the JSON API both call it and hold no rules of
// their own, so neither entry point can skip one. The allowed changes of a
// case's and an order's state are tables (CaseMoves, OrderMoves); the store
// makes each change atomic, so of two concurrent changes one wins and the
// other is a conflict.
package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// Service applies the review rules.
type Service struct {
	st   *store.Store
	acts *action.Service
	log  *slog.Logger
	// deliveries tracks webhook deliveries running in the background.
	deliveries sync.WaitGroup
}

// New returns a Service. acts issues and delivers orders; without it
// (nil) decisions, claims and appeals work but no order can be issued and
// no platform is told of a withdrawal.
func New(st *store.Store, acts *action.Service, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, acts: acts, log: log}
}

// Wait blocks until background webhook deliveries have ended.
func (s *Service) Wait() { s.deliveries.Wait() }

// Claim marks a case waiting for a decision as reviewer's, so nobody else
// decides it meanwhile.
func (s *Service) Claim(ctx context.Context, caseID int64, reviewer string) (*model.Case, error) {
	c, err := s.st.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !Claimable(c.State) {
		return nil, conflict("not_claimable", "case %d is %s: only a case waiting for a decision can be claimed", caseID, c.State)
	}
	if c.ClaimedBy != "" && c.ClaimedBy != reviewer {
		return nil, conflict("claimed_by", "case %d is claimed by %s", c.ID, c.ClaimedBy)
	}
	if err := s.st.Claim(ctx, caseID, reviewer); err != nil {
		return nil, err
	}
	return s.st.Case(ctx, caseID)
}

// Release gives up a claim; only its holder may, or an admin (force).
func (s *Service) Release(ctx context.Context, caseID int64, reviewer string, force bool) (*model.Case, error) {
	c, err := s.st.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if c.ClaimedBy != "" && c.ClaimedBy != reviewer && !force {
		return nil, &Error{Kind: ErrForbidden, Code: "claimed_by_other", Args: []any{caseID, c.ClaimedBy},
			Msg: fmt.Sprintf("case %d is claimed by %s: only they or an admin may release it", caseID, c.ClaimedBy)}
	}
	if err := s.st.Release(ctx, caseID, reviewer, force); err != nil {
		return nil, err
	}
	return s.st.Case(ctx, caseID)
}

// DecisionInput is a reviewer's decision as a form or a request gives it.
type DecisionInput struct {
	CaseID    int64
	Reviewer  string
	Labels    []model.Label
	Action    string // none (also when empty), remove, refer or bank
	Rationale string
}

// Outcome says what a decision did.
type Outcome string

// Outcomes.
const (
	Decided          Outcome = "decided"
	AppealUpheld     Outcome = "appeal_upheld"
	AppealOverturned Outcome = "appeal_overturned"
)

// Actions lists the actions a decision may ask for.
var Actions = []string{"none", "remove", "refer", "bank"}

// CheckDecision says what is wrong with in, naming the field, and returns
// the decision to record.
func CheckDecision(in DecisionInput) (*model.Decision, error) {
	d := &model.Decision{CaseID: in.CaseID, Reviewer: in.Reviewer, Action: strings.TrimSpace(in.Action), Rationale: strings.TrimSpace(in.Rationale)}
	if d.Action == "" {
		d.Action = "none"
	}
	if d.Rationale == "" {
		return nil, invalid("rationale", "rationale_required", "a decision must say why")
	}
	for _, l := range in.Labels {
		if !l.Valid() {
			return nil, invalid("labels", "label_unknown", "unknown label %q", l)
		}
		if !slices.Contains(d.Labels, l) {
			d.Labels = append(d.Labels, l)
		}
	}
	if len(d.Labels) == 0 {
		return nil, invalid("labels", "labels_required", "at least one label is required (\"none\" if nothing applies)")
	}
	if len(d.Labels) > 1 && slices.Contains(d.Labels, model.None) {
		return nil, invalid("labels", "labels_none_alone", "\"none\" cannot be combined with other labels")
	}
	if !slices.Contains(Actions, d.Action) {
		return nil, invalid("action", "action_unknown", "unknown action %q (want none, remove, refer or bank)", d.Action)
	}
	if d.Action != "none" && !slices.ContainsFunc(d.Labels, model.Label.Harmful) {
		return nil, invalid("action", "action_needs_harm", "%s needs a harmful label; news reporting, counter-speech and none are never actioned", d.Action)
	}
	return d, nil
}

// upholds reports whether an appeal decision d keeps the appealed decision:
// it still finds harm and still asks for an action.
func upholds(d *model.Decision) bool {
	return slices.ContainsFunc(d.Labels, model.Label.Harmful) && d.Action != "none"
}

// Decide records a decision on a case waiting for one. On an appealed case
// it decides the appeal: a reviewer other than the one who made the
// appealed decision must decide, and a decision that does not uphold it
// (a harmful label and an action) overturns it, which in the same
// transaction withdraws the case's orders and removes the bank entries it
// added; the platforms are then told of each withdrawal.
func (s *Service) Decide(ctx context.Context, in DecisionInput) (*model.Decision, Outcome, error) {
	c, err := s.st.Case(ctx, in.CaseID)
	if err != nil {
		return nil, "", err
	}
	// The state first: a case that cannot be decided is a conflict whatever
	// the form says.
	if !Claimable(c.State) {
		return nil, "", conflict("not_waiting", "case %d is %s, not waiting for a decision", c.ID, c.State)
	}
	if c.ClaimedBy != "" && c.ClaimedBy != in.Reviewer {
		return nil, "", conflict("claimed_by", "case %d is claimed by %s", c.ID, c.ClaimedBy)
	}
	d, err := CheckDecision(in)
	if err != nil {
		return nil, "", err
	}
	// The store checks the state, the claim and the appeal's second reviewer
	// again under the case's lock, so concurrent decisions cannot both pass.
	rev, err := s.st.DecideWith(ctx, d, store.DecisionEffects{OverturnsAppeal: !upholds(d)})
	if err != nil {
		return nil, "", err
	}
	if !d.Appeal {
		return d, Decided, nil
	}
	if upholds(d) {
		return d, AppealUpheld, nil
	}
	for _, id := range rev.Orders {
		s.deliverLater(id, action.EventWithdrawn)
	}
	return d, AppealOverturned, nil
}

// Appeal returns a decided or actioned case to the queue for a second
// reviewer; reason says who appeals and why.
func (s *Service) Appeal(ctx context.Context, caseID int64, actor, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return invalid("reason", "appeal_reason_required", "an appeal must say who appeals and why")
	}
	m := caseMove(EventAppeal)
	if m.Once {
		return s.st.MoveCaseOnce(ctx, caseID, m.From, m.To, actor, reason)
	}
	return s.st.MoveCase(ctx, caseID, m.From, m.To, actor, reason)
}

// AddToBank adds signals of a case's post (each "type:value") to a bank
// with a harmful label, remembering that the case added them so an appeal
// can take them back. The case must be Actionable.
func (s *Service) AddToBank(ctx context.Context, caseID int64, bankName string, label model.Label, signals []string, actor string) (int, error) {
	c, err := s.st.Case(ctx, caseID)
	if err != nil {
		return 0, err
	}
	if !Actionable(c) {
		return 0, conflict("bank_not_actionable", "case %d is %s with labels %v: only a case decided with a harmful label can fill a bank", c.ID, c.State, c.Labels)
	}
	if strings.TrimSpace(bankName) == "" {
		return 0, invalid("bank", "bank_required", "choose a bank")
	}
	if !label.Harmful() {
		return 0, invalid("label", "bank_label_harmful", "a bank entry needs a harmful label, not %q", label)
	}
	sigs, err := s.st.Signals(ctx, c.PostID)
	if err != nil {
		return 0, err
	}
	have := map[string]model.Signal{}
	for _, sg := range sigs {
		have[string(sg.Type)+":"+sg.Value] = sg
	}
	var entries []model.BankEntry
	for _, v := range signals {
		sg, ok := have[v]
		if !ok {
			return 0, invalid("signal", "signal_unknown", "%q is not one of this post's signals", v)
		}
		entries = append(entries, model.BankEntry{Type: sg.Type, Value: sg.Value, Label: label, Source: fmt.Sprintf("case %d", caseID)})
	}
	if len(entries) == 0 {
		if len(sigs) == 0 {
			return 0, invalid("signals", "signals_none", "this post has no image hashes, links or wallet addresses: its text alone cannot go into a bank")
		}
		return 0, invalid("signals", "signals_required", "choose at least one hash, link or wallet address")
	}
	return s.st.AddCaseEntries(ctx, caseID, bankName, entries, actor)
}

// OrderRequest asks for a removal order or a referral about a case.
type OrderRequest struct {
	CaseID int64
	// Kind is removal (when empty) or referral.
	Kind     string
	Platform string
	// ContentURL is the content's address; empty means the post's.
	ContentURL string
	LegalBasis string
	// Justification says why the order is issued. It is required when an
	// earlier order of the case to the same platform was withdrawn or
	// expired: asking again is a new order with its own reasons.
	Justification string
	// Deadline is the time allowed from issue; 0 means action.DefaultDeadline.
	Deadline time.Duration
	// DeadlineAt, when set, is the deadline itself (within 90 days).
	DeadlineAt time.Time
}

// IssueOrder preserves the case's evidence and issues an order, then sends
// it to the platform's webhook in the background. The case must be
// Actionable, and no order of the same kind to the same platform may still
// be open.
func (s *Service) IssueOrder(ctx context.Context, r OrderRequest, actor string) (*store.Order, error) {
	if r.CaseID <= 0 {
		return nil, invalid("case_id", "case_required", "required")
	}
	if s.acts == nil {
		return nil, errors.New("orders: no order service is configured")
	}
	c, err := s.st.Case(ctx, r.CaseID)
	if err != nil {
		return nil, err
	}
	if r.Kind == "" {
		r.Kind = store.OrderRemoval
	}
	r.Platform = strings.TrimSpace(r.Platform)
	r.ContentURL = strings.TrimSpace(r.ContentURL)
	r.Justification = strings.TrimSpace(r.Justification)
	if r.ContentURL == "" && c.PostID != 0 {
		p, err := s.st.Post(ctx, c.PostID)
		if err != nil {
			return nil, err
		}
		r.ContentURL = p.URL
	}
	req := action.Request{CaseID: r.CaseID, Kind: r.Kind, Platform: r.Platform, ContentURL: r.ContentURL, LegalBasis: r.LegalBasis, Deadline: r.Deadline, DeadlineAt: r.DeadlineAt}
	if err := req.Validate(); err != nil {
		return nil, fromAction(err)
	}
	if !Actionable(c) {
		return nil, conflict("order_not_actionable", "case %d is %s with labels %v: an order needs a case a reviewer decided with a harmful label", c.ID, c.State, c.Labels)
	}
	earlier, err := s.st.Orders(ctx, store.OrderFilter{CaseID: c.ID, Platform: r.Platform, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var replaces []string
	for _, o := range earlier {
		if o.Kind != r.Kind {
			continue
		}
		switch {
		case o.Open():
			return nil, conflict("order_open", "%s %d to %s is still waiting for an answer; withdraw it or record the answer first", o.Kind, o.ID, o.Platform)
		case o.Status == store.OrderWithdrawn || o.Status == store.OrderExpired:
			replaces = append(replaces, fmt.Sprintf("%d (%s)", o.ID, o.Status))
		}
	}
	if len(replaces) > 0 && r.Justification == "" {
		return nil, invalid("justification", "justification_required", "%s %s to %s was withdrawn or expired: a new order must say why it is issued again",
			r.Kind, strings.Join(replaces, ", "), r.Platform)
	}
	req.Note = r.Justification
	if len(replaces) > 0 {
		req.Note = fmt.Sprintf("issued again after order %s: %s", strings.Join(replaces, ", "), r.Justification)
	}
	o, err := s.acts.Issue(ctx, req, actor)
	if err != nil {
		return nil, fromAction(err)
	}
	s.deliverLater(o.ID, action.EventCreated)
	return o, nil
}

// fromAction names the field of an order request the action service refused.
func fromAction(err error) error {
	var fe *action.FieldError
	if errors.As(err, &fe) {
		return &Error{Kind: ErrInvalid, Field: fe.Field, Code: fe.Code, Args: fe.Args, Msg: fe.Msg}
	}
	return err
}

// RecordAnswer records the platform's answer to an order: acknowledged,
// removed or refused, as OrderMoves allows from its status.
func (s *Service) RecordAnswer(ctx context.Context, orderID int64, status, actor, note string) (*store.Order, error) {
	from := orderFrom(status, ByAnswer)
	if from == nil {
		return nil, invalid("status", "status_unknown", "%q is not a platform's answer (acknowledged, removed or refused); orders never go back to sent, expire only on the server, and are withdrawn with a reason", status)
	}
	o, err := s.st.MoveOrder(ctx, orderID, from, status, actor, strings.TrimSpace(note))
	if err != nil {
		return nil, err
	}
	return o, nil
}

// WithdrawOrder withdraws an order for reason and tells the platform.
// Withdrawn is final: asking again is a new order.
func (s *Service) WithdrawOrder(ctx context.Context, orderID int64, actor, reason string) (*store.Order, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, invalid("reason", "withdraw_reason_required", "a withdrawal must say why")
	}
	o, err := s.st.MoveOrder(ctx, orderID, orderFrom(store.OrderWithdrawn, ByWithdrawal), store.OrderWithdrawn, actor, reason)
	if err != nil {
		return nil, err
	}
	s.deliverLater(o.ID, action.EventWithdrawn)
	return o, nil
}

// Redeliver sends an order's last event to the webhook again: the order
// itself while it is open, its withdrawal once withdrawn. An answered or
// expired order is not sent again.
func (s *Service) Redeliver(ctx context.Context, orderID int64) error {
	o, err := s.st.Order(ctx, orderID)
	if err != nil {
		return err
	}
	event := action.EventCreated
	switch {
	case o.Open():
	case o.Status == store.OrderWithdrawn:
		event = action.EventWithdrawn
	default:
		return conflict("nothing_to_resend", "order %d is %s: there is nothing to send again", o.ID, o.Status)
	}
	if s.acts == nil {
		return errors.New("orders: no order service is configured")
	}
	addr, _, err := s.acts.WebhookConfig(ctx)
	if err != nil {
		return err
	}
	if addr == "" {
		return invalid("webhook", "webhook_none", "no webhook is configured: an admin sets it under Admin, or export the notice")
	}
	s.deliverLater(o.ID, event)
	return nil
}

// Expire marks orders left unanswered long past their deadline expired.
func (s *Service) Expire(ctx context.Context, now time.Time) (int, error) {
	if s.acts == nil {
		return 0, nil
	}
	return s.acts.Sweep(ctx, now)
}

// OrderQuery selects orders for a list.
type OrderQuery struct {
	Status   string
	Platform string
	Offset   int
	Limit    int
}

// Orders lists orders, nearest deadline first, and how many match in all.
func (s *Service) Orders(ctx context.Context, q OrderQuery) ([]store.Order, int, error) {
	if q.Status != "" && !slices.Contains(store.OrderStatuses, q.Status) {
		return nil, 0, invalid("state", "order_state_unknown", "unknown order state %q (want one of %s)", q.Status, strings.Join(store.OrderStatuses, ", "))
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 500)
	f := store.OrderFilter{Status: q.Status, Platform: q.Platform, Offset: q.Offset, Limit: q.Limit}
	total, err := s.st.CountOrders(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	list, err := s.st.Orders(ctx, f)
	return list, total, err
}

// deliverLater sends a webhook in the background: retries with backoff
// take minutes and nobody must wait for them. Attempts are recorded with
// the order; the background re-sender picks up open orders never delivered.
func (s *Service) deliverLater(orderID int64, event string) {
	if s.acts == nil {
		return
	}
	s.deliveries.Add(1)
	go func() {
		defer s.deliveries.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		if err := s.acts.Deliver(ctx, orderID, event); err != nil && !errors.Is(err, action.ErrNoWebhook) && !errors.Is(err, action.ErrNotOpen) {
			s.log.Warn("webhook delivery failed", "order", orderID, "event", event, "err", err)
		}
	}()
}
