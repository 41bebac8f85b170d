// Package reporttest seeds a store with a small set of posts, cases,
// decisions, appeals, orders, banks and matches whose report figures are
// counted by hand (docs/report.md and report_test.go give the counts).
package reporttest

import (
	"context"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/report"
	"github.com/marsad/marsad/internal/store"
)

// T is the fixture's reference time; the period is March 2026 and "now"
// is 20 March.
var T = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

// Period is the fixture's report period.
var Period = report.Period{
	From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
	To:   time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
	Now:  time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC),
}

// Evil is a platform name a spreadsheet would run as a formula.
const Evil = "=HYPERLINK(\"http://x.example\")"

// Seed writes the fixture into st, beside whatever st holds outside
// March 2026.
func Seed(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	feb := time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC)
	us := func(d time.Time) int64 { return d.UnixMicro() }
	// Rows take ids from 1001 on, clear of what a test seeded before.
	id := func(n int64) int64 { return 1000 + n }
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.DB().ExecContext(ctx, st.Rebind(q), args...); err != nil {
			t.Fatalf("seed %s: %v", q, err)
		}
	}
	posts := []struct {
		id             int64
		platform, lang string
		at             time.Time
	}{
		{1, "telegram", "ar", T}, {2, "telegram", "ar", T}, {3, "x", "en", T}, {4, "x", "fr", T},
		{5, Evil, "en", T}, {6, "telegram", "ar", feb},
	}
	for _, p := range posts {
		exec(`INSERT INTO posts (id, platform, source_id, lang, posted_at, ingested_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id(p.id), p.platform, "s"+string(rune('0'+p.id)), p.lang, us(p.at), us(p.at))
	}
	cases := []struct {
		id                     int64
		labels, lang, platform string
		at                     time.Time
	}{
		{1, `["propaganda"]`, "ar", "telegram", T},
		{2, `["incitement","recruitment"]`, "ar", "telegram", T},
		{3, `["none"]`, "en", "x", T},
		{4, `["none"]`, "fr", "x", T},
		{5, `["news_reporting"]`, "en", Evil, T},
		{6, `["propaganda"]`, "ar", "telegram", feb},
	}
	for _, c := range cases {
		exec(`INSERT INTO cases (id, kind, post_id, state, labels, lang, platform, created_at, updated_at) VALUES (?, 'post', ?, 'decided', ?, ?, ?, ?, ?)`,
			id(c.id), id(c.id), c.labels, c.lang, c.platform, us(c.at), us(c.at))
	}
	decisions := []struct {
		id, caseID int64
		labels     string
		appeal     bool
		at         time.Time
	}{
		{1, 1, `["propaganda"]`, false, T.Add(time.Hour)},
		{2, 2, `["incitement","recruitment"]`, false, T.Add(time.Hour)},
		{3, 3, `["propaganda"]`, false, T.Add(time.Hour)},
		{4, 4, `["none"]`, false, T.Add(time.Hour)},
		{5, 5, `["news_reporting"]`, false, T.Add(time.Hour)},
		{6, 6, `["counter_speech"]`, false, feb},
		{7, 3, `["none"]`, true, T.Add(48 * time.Hour)},
		{8, 1, `["propaganda"]`, true, T.Add(48 * time.Hour)},
	}
	for _, d := range decisions {
		exec(`INSERT INTO decisions (id, case_id, reviewer, labels, action, appeal, created_at) VALUES (?, ?, 'rev', ?, 'remove', ?, ?)`,
			id(d.id), id(d.caseID), d.labels, d.appeal, us(d.at))
	}
	var seq int64
	if err := st.DB().QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		action, subject string
		at              time.Time
	}{
		{"case.appealed", "case:1001", T.Add(24 * time.Hour)},
		{"case.appealed", "case:1003", T.Add(24 * time.Hour)},
		{"case.appealed", "case:1006", feb},
		{"case.appeal.overturned", "case:1003", T.Add(48 * time.Hour)},
		{"case.appeal.upheld", "case:1001", T.Add(48 * time.Hour)},
	} {
		seq++
		exec(`INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, 'rev', ?, ?, '', '', '')`,
			seq, us(a.at), a.action, a.subject)
	}
	m := time.Minute
	orders := []struct {
		id, caseID int64
		platform   string
		issued     time.Time
		status     string
		after      time.Duration
	}{
		{1, 1, "telegram", T.Add(2 * time.Hour), store.OrderRemoved, 30 * m},
		{2, 2, "telegram", T.Add(2 * time.Hour), store.OrderRemoved, 90 * m},
		{3, 1, "telegram", T.Add(3 * time.Hour), store.OrderRefused, 10 * m},
		{4, 3, "x", T.Add(2 * time.Hour), store.OrderAcknowledged, 5 * m},
		{5, 3, "x", T.Add(2 * time.Hour), store.OrderWithdrawn, 48 * time.Hour},
		{6, 2, "telegram", T.Add(2 * time.Hour), store.OrderExpired, 2 * time.Hour},
		{7, 3, "x", T.Add(5 * 24 * time.Hour), store.OrderSent, 0},
		{8, 1, "telegram", time.Date(2026, 3, 19, 23, 30, 0, 0, time.UTC), store.OrderSent, 0},
		{9, 6, "telegram", feb, store.OrderRemoved, 20 * m},
		{10, 1, "telegram", T.Add(4 * time.Hour), store.OrderRemoved, 10 * m},
	}
	for _, o := range orders {
		exec(`INSERT INTO orders (id, case_id, kind, platform, content_url, issued_by, issued_at, deadline, status, status_at) VALUES (?, ?, 'removal', ?, 'https://example.org/p', 'rev', ?, ?, ?, ?)`,
			id(o.id), id(o.caseID), o.platform, us(o.issued), us(o.issued.Add(time.Hour)), o.status, us(o.issued.Add(o.after)))
	}
	exec(`INSERT INTO banks (id, name, created_at) VALUES (?, 'tcap-hashes', ?), (?, 'local-urls', ?)`, id(1), us(feb), id(2), us(feb))
	for _, e := range []struct {
		id, bank int64
		at       time.Time
	}{
		{1, 1, T.Add(-30 * 24 * time.Hour)}, {2, 1, T.Add(time.Hour)}, {3, 1, T.Add(24 * time.Hour)},
		{4, 2, T.Add(time.Hour)}, {5, 2, time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)},
	} {
		exec(`INSERT INTO bank_entries (id, bank_id, type, value, added_at) VALUES (?, ?, 'url', ?, ?)`, id(e.id), id(e.bank), "v"+string(rune('0'+e.id)), us(e.at))
	}
	for _, x := range []struct {
		post, entry int64
		at          time.Time
	}{
		{1, 1, T.Add(10 * m)}, {1, 2, T.Add(10 * m)}, {3, 4, T.Add(10 * m)}, {6, 1, feb},
	} {
		exec(`INSERT INTO matches (post_id, entry_id, signal_type, signal_value, created_at) VALUES (?, ?, 'url', ?, ?)`, id(x.post), id(x.entry), "v", us(x.at))
	}
}
