// Package action does what a reviewer's decision asks outside marsad:
// removal orders and referrals to platforms with their deadlines, delivered
// by a signed webhook and exportable as a notice, and the reversal of those
// actions when an appeal overturns the decision. Evidence is preserved
// before any order is issued.
package action

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/store"
)

// DefaultDeadline is the time a platform has to remove content after a
// removal order, as under the EU regulation on terrorist content online
// (Regulation (EU) 2021/784, article 3(3)).
const DefaultDeadline = time.Hour

// Settings holding the webhook configuration.
const (
	SettingWebhookURL    = "webhook.url"
	SettingWebhookSecret = "webhook.secret"
)

// Config tunes a Service.
type Config struct {
	// MaxAttempts bounds webhook delivery attempts; default 6.
	MaxAttempts int
	// BaseDelay is the wait after the first failed attempt; it doubles each
	// time up to MaxDelay. Defaults 2 s and 5 min.
	BaseDelay, MaxDelay time.Duration
	// ExpireAfter is how long past its deadline an unanswered order is
	// marked expired; default 7 days. Until then it shows as overdue.
	ExpireAfter time.Duration
	// Guard keeps webhooks off inside addresses (loopback, private, cloud
	// metadata) unless its allow-list lets them through; nil allows
	// public addresses only. It applies to the default Client.
	Guard *netguard.Guard
	// Client sends webhooks; default a client with a 15 s timeout whose
	// every connection passes Guard at connect time.
	Client *http.Client
}

// Service issues and tracks orders.
type Service struct {
	st     *store.Store
	keeper *evidence.Keeper
	cfg    Config
}

// New returns a Service.
func New(st *store.Store, keeper *evidence.Keeper, cfg Config) *Service {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = 2 * time.Second
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 5 * time.Minute
	}
	if cfg.ExpireAfter <= 0 {
		cfg.ExpireAfter = 7 * 24 * time.Hour
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         cfg.Guard.DialContext(&net.Dialer{Timeout: 10 * time.Second}),
			TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	return &Service{st: st, keeper: keeper, cfg: cfg}
}

// Request asks for an order about a case.
type Request struct {
	CaseID     int64
	Kind       string // removal or referral
	Platform   string
	ContentURL string
	LegalBasis string
	// Deadline is the time allowed from issue; 0 means DefaultDeadline.
	Deadline time.Duration
	// DeadlineAt, when set, is the deadline itself and Deadline is ignored.
	DeadlineAt time.Time
	Note       string
}

// ErrNotActionable is returned for an order on a case no human has decided
// as harmful.
var ErrNotActionable = errors.New("not actionable")

// FieldError says which field of a Request is wrong and why. Its text
// starts with the field's name as a person reads it ("content URL: ...").
type FieldError struct {
	Field string // the request field: kind, platform, content_url, legal_basis, deadline
	Msg   string
	// Code names the problem for a translated message; Args are the
	// values it names.
	Code string
	Args []any
}

func (e *FieldError) Error() string { return e.Msg }

func fieldError(field, code, format string, args ...any) error {
	return &FieldError{Field: field, Code: code, Args: args, Msg: fmt.Sprintf(format, args...)}
}

// Validate says what is wrong with r, naming the field.
func (r *Request) Validate() error {
	if r.Kind != store.OrderRemoval && r.Kind != store.OrderReferral {
		return fieldError("kind", "kind_unknown", "kind: %q is neither removal nor referral", r.Kind)
	}
	if strings.TrimSpace(r.Platform) == "" {
		return fieldError("platform", "platform_required", "platform: required")
	}
	u, err := url.Parse(r.ContentURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fieldError("content_url", "url_invalid", "content URL: %q is not an http or https address", r.ContentURL)
	}
	if r.Kind == store.OrderRemoval && strings.TrimSpace(r.LegalBasis) == "" {
		return fieldError("legal_basis", "legal_basis_required", "legal basis: a removal order must name its legal basis")
	}
	if r.Deadline < 0 || r.Deadline > 90*24*time.Hour {
		return fieldError("deadline", "deadline_range", "deadline: %s is out of range (0 to 90 days)", r.Deadline)
	}
	if d := time.Until(r.DeadlineAt); !r.DeadlineAt.IsZero() && (d <= 0 || d > 90*24*time.Hour) {
		return fieldError("deadline", "deadline_at_range", "deadline: %s is not within the next 90 days", r.DeadlineAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// Actionable says why no order may be issued on c, if none may: the case
// must have been decided by a human with a harmful label. Nothing goes to a
// platform on a classifier score alone, and protective labels (news
// reporting, counter-speech, none) are never actioned.
func Actionable(c *model.Case) error {
	if c.State != model.CaseDecided && c.State != model.CaseActioned {
		return fmt.Errorf("case %d is %s; a reviewer must decide it first: %w", c.ID, c.State, ErrNotActionable)
	}
	if !slices.ContainsFunc(c.Labels, model.Label.Harmful) {
		return fmt.Errorf("case %d: the decision's labels %v include no harmful label: %w", c.ID, c.Labels, ErrNotActionable)
	}
	return nil
}

// Issue preserves the evidence of the case and then records the order, if
// the case is Actionable both before the evidence is taken and when the
// order is recorded (an appeal decided in between wins).
func (s *Service) Issue(ctx context.Context, r Request, actor string) (*store.Order, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("order on case %d: %w", r.CaseID, err)
	}
	c, err := s.st.Case(ctx, r.CaseID)
	if err != nil {
		return nil, err
	}
	if err := Actionable(c); err != nil {
		return nil, fmt.Errorf("order on %w", err)
	}
	ev, err := s.keeper.Preserve(ctx, c.ID, actor)
	if err != nil {
		return nil, fmt.Errorf("order on case %d: evidence must be preserved first: %w", c.ID, err)
	}
	if r.Deadline == 0 {
		r.Deadline = DefaultDeadline
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	deadline := now.Add(r.Deadline)
	if !r.DeadlineAt.IsZero() {
		deadline = r.DeadlineAt.UTC().Truncate(time.Microsecond)
	}
	o := &store.Order{CaseID: c.ID, Kind: r.Kind, Platform: strings.TrimSpace(r.Platform), ContentURL: r.ContentURL,
		LegalBasis: strings.TrimSpace(r.LegalBasis), IssuedBy: actor, IssuedAt: now, Deadline: deadline,
		Status: store.OrderSent, Note: r.Note, EvidenceID: ev.ID}
	if err := s.st.CreateOrderIf(ctx, o, func(c *model.Case) error {
		if err := Actionable(c); err != nil {
			return fmt.Errorf("order on %w", err)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return o, nil
}

// Sweep marks orders left unanswered for ExpireAfter past their deadline
// as expired.
func (s *Service) Sweep(ctx context.Context, now time.Time) (int, error) {
	return s.st.ExpireOrders(ctx, now.Add(-s.cfg.ExpireAfter), "marsad")
}

// Reverse undoes the actions of a case after an appeal overturned its
// decision: orders are withdrawn and bank entries the case added are
// removed. The caller tells the platforms by delivering EventWithdrawn for
// each of the returned orders (Deliver retries for minutes, so not inline).
func (s *Service) Reverse(ctx context.Context, caseID int64, actor, why string) (store.Reversal, error) {
	return s.st.ReverseCaseActions(ctx, caseID, actor, why)
}
