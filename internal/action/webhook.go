package action

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/store"
)

// Webhook events.
const (
	EventCreated   = "order.created"
	EventWithdrawn = "order.withdrawn"
)

// Webhook headers.
const (
	HeaderEvent     = "X-Marsad-Event"
	HeaderDelivery  = "X-Marsad-Delivery"
	HeaderTimestamp = "X-Marsad-Timestamp"
	HeaderSignature = "X-Marsad-Signature"
)

// Payload is the JSON body of a webhook.
type Payload struct {
	Event    string        `json:"event"`
	Order    store.Order   `json:"order"`
	Labels   []model.Label `json:"labels"`
	Evidence *EvidenceRef  `json:"evidence,omitempty"`
	SentAt   time.Time     `json:"sent_at"`
}

// EvidenceRef names the evidence preserved for an order.
type EvidenceRef struct {
	ID             int64  `json:"id"`
	ManifestSHA256 string `json:"manifest_sha256"`
}

// ErrNoWebhook is returned by Deliver when no webhook is configured.
var ErrNoWebhook = errors.New("no webhook is configured")

// ErrNotOpen is returned by Deliver for an order.created event on an order
// no longer waiting for the platform (withdrawn, expired or answered).
var ErrNotOpen = errors.New("the order is no longer open")

// Sign returns the signature header value for a body sent at ts:
// "sha256=" and the hex HMAC-SHA256 of "<ts>.<body>" under secret.
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a received webhook as a receiver should: the
// signature must match and the timestamp be within tolerance of now, so a
// captured delivery cannot be replayed later.
func VerifySignature(secret []byte, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(header.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: %s header is not a unix time", HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook: timestamp is %s away from now, more than %s", d.Round(time.Second), tolerance)
	}
	if !hmac.Equal([]byte(header.Get(HeaderSignature)), []byte(Sign(secret, ts, body))) {
		return errors.New("webhook: signature does not match")
	}
	return nil
}

// Backoff is the wait after failed attempt n (1-based): base doubled n-1
// times, at most max.
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n; i++ {
		d *= 2
		if d >= max || d <= 0 {
			return max
		}
	}
	return min(d, max)
}

// WebhookConfig returns the configured webhook address and secret.
func (s *Service) WebhookConfig(ctx context.Context) (addr string, secret []byte, err error) {
	addr, _, err = s.st.Setting(ctx, SettingWebhookURL)
	if err != nil {
		return "", nil, err
	}
	sec, _, err := s.st.Setting(ctx, SettingWebhookSecret)
	return addr, []byte(sec), err
}

// CheckWebhookURL says what is wrong with a webhook address, if anything:
// not an http or https address, or one inside the network (an inside IP
// address, or a name that resolves only inside) that the allow-list does
// not let through. Delivery checks again at connect time.
func (s *Service) CheckWebhookURL(ctx context.Context, addr string) error {
	u, err := webhookSyntax(addr)
	if err != nil || u == nil {
		return err
	}
	if err := s.cfg.Guard.CheckHost(ctx, u.Hostname()); err != nil {
		return fieldError("webhook_url", "webhook_inside", "webhook URL %q: %s is inside the network and not in the allow-list of private addresses", addr, u.Hostname())
	}
	return nil
}

// webhookSyntax reads a webhook address: nil for none, an error naming
// the field for one that is not an http or https address.
func webhookSyntax(addr string) (*url.URL, error) {
	if addr == "" {
		return nil, nil
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fieldError("webhook_url", "webhook_url", "webhook URL %q: not an http or https address", addr)
	}
	return u, nil
}

// Deliver posts an order event to the webhook, retrying with exponential
// backoff on network errors, 408, 429 and 5xx answers. Every attempt is
// recorded with the order. It returns nil once the receiver answers 2xx.
func (s *Service) Deliver(ctx context.Context, orderID int64, event string) error {
	addr, secret, err := s.WebhookConfig(ctx)
	if err != nil {
		return err
	}
	if addr == "" {
		return ErrNoWebhook
	}
	o, err := s.st.Order(ctx, orderID)
	if err != nil {
		return err
	}
	c, err := s.st.Case(ctx, o.CaseID)
	if err != nil {
		return err
	}
	p := Payload{Event: event, Order: *o, Labels: c.Labels}
	if o.EvidenceID != 0 {
		if ev, err := s.st.Evidence(ctx, o.EvidenceID, false); err == nil {
			p.Evidence = &EvidenceRef{ID: ev.ID, ManifestSHA256: ev.ManifestSHA256}
		}
	}
	var last error
	for n := 1; n <= s.cfg.MaxAttempts; n++ {
		if n > 1 {
			t := time.NewTimer(Backoff(n-1, s.cfg.BaseDelay, s.cfg.MaxDelay))
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("order %d: delivery stopped after %d attempts: %w", orderID, n-1, ctx.Err())
			case <-t.C:
			}
		}
		// An order is announced to the platform only while it is open:
		// one withdrawn or expired between attempts is never sent again.
		if event == EventCreated {
			if o, err = s.st.Order(ctx, orderID); err != nil {
				return err
			}
			if !o.Open() {
				return fmt.Errorf("order %d is %s: %w", orderID, o.Status, ErrNotOpen)
			}
			p.Order = *o
		}
		p.SentAt = time.Now().UTC()
		body, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("order %d: %w", orderID, err)
		}
		code, err := s.post(ctx, addr, secret, event, fmt.Sprintf("%d-%s-%d", orderID, event, n), p.SentAt.Unix(), body)
		d := &store.Delivery{OrderID: orderID, Attempt: n, URL: addr, StatusCode: code, OK: err == nil}
		if err != nil {
			d.Error = err.Error()
		}
		if rerr := s.st.RecordDelivery(ctx, d); rerr != nil {
			return rerr
		}
		if err == nil {
			return nil
		}
		last = err
		if !retryable(code) || errors.Is(err, netguard.ErrBlocked) {
			break
		}
	}
	return fmt.Errorf("order %d: webhook delivery failed: %w", orderID, last)
}

// retryable reports whether an attempt that got code may succeed later;
// code 0 is a network error.
func retryable(code int) bool {
	return code == 0 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

func (s *Service) post(ctx context.Context, addr string, secret []byte, event, id string, ts int64, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, addr, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "marsad-webhook/1")
	req.Header.Set(HeaderEvent, event)
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp.StatusCode, nil
}

// RetryUndelivered delivers every open order that has no successful
// delivery yet, as after a restart or a receiver outage.
func (s *Service) RetryUndelivered(ctx context.Context) (int, error) {
	ids, err := s.st.UndeliveredOrders(ctx)
	if err != nil {
		return 0, err
	}
	ok := 0
	for _, id := range ids {
		if err := s.Deliver(ctx, id, EventCreated); err == nil {
			ok++
		} else if errors.Is(err, ErrNoWebhook) || ctx.Err() != nil {
			return ok, err
		}
	}
	return ok, nil
}

// Background keeps orders moving while the server runs: every interval it
// marks overdue orders expired and re-sends orders whose delivery failed
// (a receiver that was down, a restart). It returns when ctx ends.
func (s *Service) Background(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if n, err := s.Sweep(ctx, now); err != nil {
				log.Warn("orders: expire", "err", err)
			} else if n > 0 {
				log.Info("orders: expired", "count", n)
			}
			n, err := s.RetryUndelivered(ctx)
			switch {
			case errors.Is(err, ErrNoWebhook), ctx.Err() != nil:
			case err != nil:
				log.Warn("orders: re-send", "err", err)
			case n > 0:
				log.Info("orders: re-sent", "count", n)
			}
		}
	}
}
