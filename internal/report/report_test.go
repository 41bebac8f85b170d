package report_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/report"
	"github.com/marsad/marsad/internal/report/reporttest"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// Every figure on the fixture, counted by hand (see reporttest.Seed):
// nine orders in March, one in February left out.
func TestFiguresOnHandCountedFixture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		reporttest.Seed(t, st)
		r, err := report.Compute(context.Background(), st, reporttest.Period)
		if err != nil {
			t.Fatal(err)
		}
		m := time.Minute
		counts := []struct {
			fig, by, key string
			want         int64
		}{
			{"orders_sent", "", "", 9},
			{"orders_sent", "platform", "telegram", 6},
			{"orders_sent", "platform", "x", 3},
			{"orders_sent", "label", "propaganda", 4},
			{"orders_sent", "label", "incitement", 2},
			{"orders_sent", "label", "recruitment", 2},
			{"orders_sent", "label", "none", 3},
			{"orders_sent", "label", "counter_speech", 0},
			{"orders_sent", "lang", "ar", 6},
			{"orders_sent", "lang", "en", 3},
			{"orders_answered", "", "", 5},
			{"orders_answered", "platform", "telegram", 4},
			{"orders_answered", "platform", "x", 1},
			{"orders_removed", "", "", 3},
			{"orders_removed", "platform", "telegram", 3},
			{"orders_removed", "platform", "x", 0},
			{"orders_removed", "label", "propaganda", 2},
			{"orders_refused", "", "", 1},
			// Expired order 6, order 7 still sent past its deadline, and
			// order 4 acknowledged but not acted on by its deadline;
			// order 8's deadline comes after "now".
			{"orders_overdue", "", "", 3},
			{"orders_overdue", "platform", "telegram", 1},
			{"orders_overdue", "platform", "x", 2},
			{"orders_withdrawn", "", "", 1},
			{"time_to_removal", "", "", 3},
			{"time_to_response", "", "", 5},
			{"time_to_response", "platform", "telegram", 4},
			{"cases_opened", "", "", 5},
			{"cases_opened", "platform", "telegram", 2},
			{"cases_opened", "platform", reporttest.Evil, 1},
			{"cases_opened", "label", "none", 2},
			{"cases_opened", "label", "news_reporting", 1},
			{"cases_opened", "lang", "fr", 1},
			{"cases_reviewed", "", "", 5},
			{"cases_not_harmful", "", "", 2},
			{"cases_reviewed", "platform", "x", 2},
			{"cases_not_harmful", "platform", "x", 1},
			{"cases_not_harmful", "platform", "telegram", 0},
			{"appeals_filed", "", "", 2},
			{"appeals_decided", "", "", 2},
			{"appeals_overturned", "", "", 1},
			{"bank_size", "", "", 4},
			{"bank_size", "bank", "tcap-hashes", 3},
			{"bank_size", "bank", "local-urls", 1},
			{"bank_added", "", "", 3},
			{"bank_added", "bank", "tcap-hashes", 2},
			{"matches", "", "", 3},
			{"matches", "bank", "tcap-hashes", 2},
			{"matches", "platform", "telegram", 2},
			{"matches", "lang", "en", 1},
			{"posts_matched", "", "", 2},
			{"posts_matched", "bank", "tcap-hashes", 1},
			{"posts_ingested", "", "", 5},
			{"posts_ingested", "lang", "ar", 2},
		}
		for _, c := range counts {
			if got := r.Get(c.fig, c.by, c.key).N; got != c.want {
				t.Errorf("%s by %q %q = %d, want %d", c.fig, c.by, c.key, got, c.want)
			}
		}
		durs := []struct {
			fig, by, key string
			median, p90  time.Duration
		}{
			{"time_to_removal", "", "", 30 * m, 90 * m},
			{"time_to_response", "", "", 10 * m, 90 * m},
			{"time_to_response", "platform", "telegram", 10 * m, 90 * m},
			{"time_to_response", "platform", "x", 5 * m, 5 * m},
		}
		for _, d := range durs {
			v := r.Get(d.fig, d.by, d.key)
			if v.Median != d.median || v.P90 != d.p90 {
				t.Errorf("%s by %q %q: median %v p90 %v, want %v and %v", d.fig, d.by, d.key, v.Median, v.P90, d.median, d.p90)
			}
		}
		rates := map[string][3]float64{
			"compliance_rate":     {3, 9, 100.0 / 3},
			"false_positive_rate": {2, 5, 40},
			"reversal_rate":       {1, 2, 50},
		}
		for _, rt := range report.Rates {
			num, den, pct := r.Share(rt, "", "")
			w := rates[rt.Name]
			if float64(num) != w[0] || float64(den) != w[1] || pct != w[2] {
				t.Errorf("%s = %d/%d (%.2f%%), want %v/%v (%.2f%%)", rt.Name, num, den, pct, w[0], w[1], w[2])
			}
		}
	})
}

func TestPercentileNearestRank(t *testing.T) {
	ds := []time.Duration{90, 10, 30, 10, 5}
	if got := report.Percentile(ds, 50); got != 10 {
		t.Errorf("median %v, want 10", got)
	}
	if got := report.Percentile(ds, 90); got != 90 {
		t.Errorf("p90 %v, want 90", got)
	}
	if got := report.Percentile([]time.Duration{4, 2}, 50); got != 2 {
		t.Errorf("median of two %v, want the lower, 2", got)
	}
	if got := report.Percentile(nil, 90); got != 0 {
		t.Errorf("p90 of none %v, want 0", got)
	}
}

func TestPeriodMustEndAfterStart(t *testing.T) {
	st := storetest.SQLite(t)
	d := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := report.Compute(context.Background(), st, report.Period{From: d, To: d}); err == nil {
		t.Fatal("an empty period was accepted")
	}
}

// docs/report.md defines every figure and rate.
func TestEveryFigureDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range report.Figures {
		if !strings.Contains(string(doc), "| `"+f.Name+"` |") {
			t.Errorf("docs/report.md has no row for the figure %s", f.Name)
		}
	}
	for _, r := range report.Rates {
		if !strings.Contains(string(doc), "| `"+r.Name+"` |") {
			t.Errorf("docs/report.md has no row for the rate %s", r.Name)
		}
	}
}
