package action_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marsad/marsad/csvsafe"
	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

const secret = "a-webhook-secret-of-some-length"

// loopback is a guard letting the tests' receivers, on loopback, through.
func loopback(t *testing.T) *netguard.Guard {
	l, err := netguard.Parse("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	return netguard.New(l)
}

// setup stores one post with a case and returns the service and case id.
func setup(t *testing.T, s *store.Store, decided bool, labels ...model.Label) (*action.Service, int64) {
	t.Helper()
	ctx := context.Background()
	key, err := evidence.LoadOrCreateKey(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	svc := action.New(s, evidence.NewKeeper(s, evidence.Media{}, key), action.Config{BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxAttempts: 4, Guard: loopback(t)})
	c := &model.Case{Priority: 80, Labels: labels}
	p := &model.Post{Platform: "telegram", SourceID: "1", URL: "https://t.me/c/1", Text: "t", PostedAt: time.Now()}
	if _, _, err := s.SavePost(ctx, p, store.Analysis{Case: c}); err != nil {
		t.Fatal(err)
	}
	if decided {
		if err := s.Decide(ctx, &model.Decision{CaseID: c.ID, Reviewer: "rev1", Labels: labels, Action: "remove", Rationale: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	return svc, c.ID
}

func request(caseID int64) action.Request {
	return action.Request{CaseID: caseID, Kind: store.OrderRemoval, Platform: "telegram", ContentURL: "https://t.me/c/1", LegalBasis: "Regulation (EU) 2021/784, Art. 3"}
}

func TestIssueNeedsAHuman(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, open := setup(t, s, false, model.Incitement)
		if _, err := svc.Issue(context.Background(), request(open), "rev1"); !errors.Is(err, action.ErrNotActionable) {
			t.Errorf("order on an undecided case: %v, want ErrNotActionable", err)
		}
	})
}

func TestIssueNeedsAHarmfulLabel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, news := setup(t, s, true, model.NewsReporting)
		if _, err := svc.Issue(context.Background(), request(news), "rev1"); !errors.Is(err, action.ErrNotActionable) {
			t.Errorf("order on news reporting: %v, want ErrNotActionable", err)
		}
	})
}

func TestRequestValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(*action.Request)
		want string
	}{
		{func(r *action.Request) { r.Kind = "ban" }, "kind"},
		{func(r *action.Request) { r.Platform = " " }, "platform"},
		{func(r *action.Request) { r.ContentURL = "javascript:alert(1)" }, "content URL"},
		{func(r *action.Request) { r.ContentURL = "/relative" }, "content URL"},
		{func(r *action.Request) { r.LegalBasis = "" }, "legal basis"},
		{func(r *action.Request) { r.Deadline = -time.Minute }, "deadline"},
		{func(r *action.Request) { r.Kind, r.LegalBasis = store.OrderReferral, "" }, ""},
	} {
		r := request(1)
		tc.edit(&r)
		err := r.Validate()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("Validate(%+v) = %v, want an error naming %q", r, err, tc.want)
		}
	}
}

// TestDeliverRetriesWithBackoff sends an order to a receiver that fails
// twice, then accepts: three attempts, each signed, are recorded.
func TestDeliverRetriesWithBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, caseID := setup(t, s, true, model.Incitement)
		var mu sync.Mutex
		var bodies [][]byte
		var headers []http.Header
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			bodies, headers = append(bodies, b), append(headers, r.Header.Clone())
			if err := action.VerifySignature([]byte(secret), r.Header, b, time.Now(), time.Minute); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			if len(bodies) < 3 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		}))
		defer srv.Close()
		s.SetSetting(ctx, action.SettingWebhookURL, srv.URL, "amina", false)
		s.SetSetting(ctx, action.SettingWebhookSecret, secret, "amina", true)
		o, err := svc.Issue(ctx, request(caseID), "rev1")
		if err != nil {
			t.Fatal(err)
		}
		if d := o.Deadline.Sub(o.IssuedAt); d != action.DefaultDeadline {
			t.Errorf("default deadline %s, want 1h", d)
		}
		if o.EvidenceID == 0 {
			t.Fatal("order issued without preserved evidence")
		}
		if err := svc.Deliver(ctx, o.ID, action.EventCreated); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		ds, _ := s.Deliveries(ctx, o.ID)
		if len(ds) != 3 || ds[0].OK || ds[0].StatusCode != 503 || !ds[2].OK || ds[2].StatusCode != 202 {
			t.Fatalf("deliveries = %+v, want 503, 503, 202", ds)
		}
		var p action.Payload
		if err := json.Unmarshal(bodies[2], &p); err != nil || p.Order.ID != o.ID || p.Evidence == nil || p.Labels[0] != model.Incitement {
			t.Fatalf("payload %s: %v", bodies[2], err)
		}
		if headers[0].Get(action.HeaderDelivery) == headers[1].Get(action.HeaderDelivery) {
			t.Error("two attempts share a delivery id")
		}
		// A receiver that refuses (4xx) is not retried.
		srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusBadRequest) }))
		defer srv2.Close()
		s.SetSetting(ctx, action.SettingWebhookURL, srv2.URL, "amina", false)
		if err := svc.Deliver(ctx, o.ID, action.EventCreated); err == nil {
			t.Fatal("delivery to a refusing receiver succeeded")
		}
		if ds, _ := s.Deliveries(ctx, o.ID); len(ds) != 4 {
			t.Fatalf("%d deliveries, want 4: a 400 is not retried", len(ds))
		}
		s.SetSetting(ctx, action.SettingWebhookURL, "", "amina", false)
		if err := svc.Deliver(ctx, o.ID, action.EventCreated); !errors.Is(err, action.ErrNoWebhook) {
			t.Fatalf("no webhook: %v", err)
		}
	})
}

func TestSignature(t *testing.T) {
	body := []byte(`{"event":"order.created"}`)
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	h.Set(action.HeaderTimestamp, "1800000000")
	h.Set(action.HeaderSignature, action.Sign([]byte("k"), 1_800_000_000, body))
	// What a receiver computes with nothing but its HMAC library.
	m := hmac.New(sha256.New, []byte("k"))
	m.Write([]byte("1800000000." + string(body)))
	if got, want := h.Get(action.HeaderSignature), "sha256="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	for _, tc := range []struct {
		name   string
		secret string
		body   []byte
		at     time.Time
		ok     bool
	}{
		{"good", "k", body, now, true},
		{"wrong secret", "x", body, now, false},
		{"changed body", "k", []byte(`{"event":"order.withdrawn"}`), now, false},
		{"replayed late", "k", body, now.Add(10 * time.Minute), false},
	} {
		err := action.VerifySignature([]byte(tc.secret), h, tc.body, tc.at, 5*time.Minute)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, 2 * time.Second}, {2, 4 * time.Second}, {3, 8 * time.Second}, {8, 256 * time.Second}, {9, 5 * time.Minute}, {200, 5 * time.Minute}} {
		if got := action.Backoff(tc.n, 2*time.Second, 5*time.Minute); got != tc.want {
			t.Errorf("Backoff(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}

func TestNotices(t *testing.T) {
	o := store.Order{ID: 7, CaseID: 3, Kind: store.OrderRemoval, Platform: "منصة", ContentURL: "https://t.me/c/1", LegalBasis: "=cmd|' /C calc'!A0",
		IssuedBy: "rev1", IssuedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Deadline: time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC), Status: store.OrderSent}
	n := action.Notice{Issuer: "Unit", Order: o, EvidenceSHA256: "abc"}
	var b bytes.Buffer
	if err := action.WriteCSV(&b, []action.Notice{n}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), csvsafe.BOM) {
		t.Errorf("CSV starts %q, want a UTF-8 BOM so spreadsheets read Arabic", b.String()[:min(8, b.Len())])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), csvsafe.BOM))).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][5] != "'=cmd|' /C calc'!A0" || recs[1][3] != "منصة" || recs[1][8] != "2026-01-02T04:04:05Z" {
		t.Fatalf("CSV = %q, %v", recs, err)
	}
	b.Reset()
	if err := action.WriteJSON(&b, []action.Notice{n}); err != nil {
		t.Fatal(err)
	}
	var back []action.Notice
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back[0].Order.LegalBasis != o.LegalBasis || !back[0].Order.Deadline.Equal(o.Deadline) {
		t.Fatalf("JSON round trip: %+v %v", back, err)
	}
	b.Reset()
	if err := action.WritePDF(&b, n); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) || b.Len() < 800 {
		t.Fatalf("PDF of %d bytes starting %q", b.Len(), b.Bytes()[:8])
	}
}

// An order whose receiver was down when it was issued is delivered by the
// background loop once the receiver answers.
func TestBackgroundResendsUndelivered(t *testing.T) {
	s := storetest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, caseID := setup(t, s, true, model.Incitement)
	var mu sync.Mutex
	up, got := false, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !up {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		got++
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	s.SetSetting(ctx, action.SettingWebhookURL, srv.URL, "amina", false)
	s.SetSetting(ctx, action.SettingWebhookSecret, secret, "amina", true)
	o, err := svc.Issue(ctx, request(caseID), "rev1")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Deliver(ctx, o.ID, action.EventCreated); err == nil {
		t.Fatal("delivery to a receiver that is down succeeded")
	}
	mu.Lock()
	up = true
	mu.Unlock()
	go svc.Background(ctx, 10*time.Millisecond, slog.New(slog.DiscardHandler))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ids, _ := s.UndeliveredOrders(ctx); len(ids) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if got == 0 {
		t.Fatal("the background loop did not re-send the order")
	}
	if ids, _ := s.UndeliveredOrders(ctx); len(ids) != 0 {
		t.Fatalf("orders still undelivered: %v", ids)
	}
}

// TestDeliverStopsWhenWithdrawn: an order withdrawn while its delivery is
// being retried is not sent again.
func TestDeliverStopsWhenWithdrawn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc, caseID := setup(t, s, true, model.Incitement)
		o, err := svc.Issue(ctx, request(caseID), "rev1")
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		hits := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hits++
			mu.Unlock()
			// The platform is down; meanwhile an appeal overturns the decision.
			if _, err := s.ReverseCaseActions(ctx, caseID, "rev2", "appeal overturned"); err != nil {
				t.Error(err)
			}
			http.Error(w, "down", http.StatusServiceUnavailable)
		}))
		defer srv.Close()
		s.SetSetting(ctx, action.SettingWebhookURL, srv.URL, "amina", false)
		s.SetSetting(ctx, action.SettingWebhookSecret, secret, "amina", true)
		if err := svc.Deliver(ctx, o.ID, action.EventCreated); !errors.Is(err, action.ErrNotOpen) {
			t.Errorf("Deliver = %v, want ErrNotOpen", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if hits != 1 {
			t.Errorf("the receiver got %d attempts, want 1: the withdrawn order was sent again", hits)
		}
	})
}

// TestWebhookInsideRefused: a webhook address inside the network (cloud
// metadata, loopback, private) is refused when it is set and again when
// a delivery connects, unless the allow-list names it.
func TestWebhookInsideRefused(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	strict := action.New(s, nil, action.Config{MaxAttempts: 3, BaseDelay: time.Millisecond})
	l, _ := netguard.Parse("10.0.0.0/8")
	listed := action.New(s, nil, action.Config{Guard: netguard.New(l)})
	for _, tt := range []struct {
		addr           string
		strict, listed bool // accepted without and with the list
	}{
		{"http://169.254.169.254/latest/meta-data/", false, false},
		{"http://127.0.0.1:8470/hook", false, false},
		{"http://[::1]/hook", false, false},
		{"http://localhost/hook", false, false},
		{"http://[::ffff:169.254.169.254]/", false, false},
		{"http://10.0.0.5/hook", false, true},
		{"https://93.184.215.14/hook", true, true},
		{"", true, true},
	} {
		err := strict.CheckWebhookURL(ctx, tt.addr)
		var fe *action.FieldError
		if (err == nil) != tt.strict || err != nil && (!errors.As(err, &fe) || fe.Field != "webhook_url" || fe.Code != "webhook_inside") {
			t.Errorf("%q without a list: %v, want accepted %v", tt.addr, err, tt.strict)
		}
		if err := listed.CheckWebhookURL(ctx, tt.addr); (err == nil) != tt.listed {
			t.Errorf("%q with 10.0.0.0/8 listed: %v, want accepted %v", tt.addr, err, tt.listed)
		}
	}

	// An address stored before the guard, or a name that resolves inside
	// later, is refused when the delivery connects, and not retried.
	svc, caseID := setup(t, s, true, model.Incitement)
	svc = action.New(s, evidence.NewKeeper(s, evidence.Media{}, mustKey(t)), action.Config{MaxAttempts: 3, BaseDelay: time.Millisecond})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	s.SetSetting(ctx, action.SettingWebhookURL, srv.URL, "amina", false)
	o, err := svc.Issue(ctx, request(caseID), "rev1")
	if err != nil {
		t.Fatal(err)
	}
	err = svc.Deliver(ctx, o.ID, action.EventCreated)
	if !errors.Is(err, netguard.ErrBlocked) || hits.Load() != 0 {
		t.Fatalf("delivery to loopback: %v, %d requests received", err, hits.Load())
	}
	if ds, _ := s.Deliveries(ctx, o.ID); len(ds) != 1 || ds[0].OK {
		t.Errorf("deliveries %+v, want one refused attempt", ds)
	}
}

func mustKey(t *testing.T) ed25519.PrivateKey {
	key, err := evidence.LoadOrCreateKey(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// TestSettingsFormCheck: the whole settings form is checked before
// anything is written; a wrong field is named, and nothing is returned
// to write.
func TestSettingsFormCheck(t *testing.T) {
	for _, c := range []struct {
		f     action.SettingsForm
		field string
		n     int
	}{
		{action.SettingsForm{WebhookURL: "https://h.example/x", RetentionDays: "30"}, "", 2},
		{action.SettingsForm{WebhookURL: "https://h.example/x", WebhookSecret: "0123456789abcdef", RetentionDays: "30", Texts: map[string]string{"legal_basis": " b "}}, "", 4},
		{action.SettingsForm{WebhookURL: "https://h.example/x", WebhookSecret: "short", RetentionDays: "30"}, "webhook_secret", 0},
		{action.SettingsForm{WebhookURL: "https://h.example/x", RetentionDays: "0"}, "retention_days", 0},
		{action.SettingsForm{WebhookURL: "gopher://h", RetentionDays: "30"}, "webhook_url", 0},
	} {
		set, err := c.f.Check()
		var fe *action.FieldError
		if c.field == "" && (err != nil || len(set) != c.n) || c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field || set != nil) {
			t.Errorf("%+v: %d settings, %v; want %d settings, field %q", c.f, len(set), err, c.n, c.field)
		}
	}
}
