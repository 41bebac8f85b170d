// Package report computes the transparency report for a period: removal
// orders and what platforms did with them, time to removal and to first
// response, appeals and reversals, bank sizes and matches, and the share of
// flagged posts that reviewers found not harmful. Each figure is one SQL
// query, the same text for SQLite and PostgreSQL (rebound), broken down by
// platform, label, language or bank where that makes sense; medians and
// 90th percentiles are computed here from the durations the query fetches,
// since the two databases name their percentile functions differently.
// The UI page, its CSV and PDF, and `marsad report` all call Compute.
// docs/report.md defines every figure.
package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// Kind is what a figure's query returns.
type Kind int

// Kinds of figure.
const (
	// Count queries return one row per group: the group and a count.
	Count Kind = iota
	// Durations queries return one row per item: the group and a
	// duration in microseconds; Compute counts them and takes their
	// median and 90th percentile.
	Durations
)

// Breakdowns. Total is the figure over everything.
const (
	Total    = ""
	Platform = "platform"
	Label    = "label"
	Lang     = "lang"
	Bank     = "bank"
)

// base is the FROM clause a figure reads, and the SQL expression of each
// breakdown it offers. labels names the column holding a JSON array of
// labels, for the label breakdown.
type base struct {
	from   string
	dims   map[string]string
	labels string
}

var (
	ordersBase = base{from: `orders o JOIN cases c ON c.id = o.case_id`,
		dims: map[string]string{Platform: `o.platform`, Lang: `c.lang`}, labels: `c.labels`}
	casesBase     = base{from: `cases c`, dims: map[string]string{Platform: `c.platform`, Lang: `c.lang`}, labels: `c.labels`}
	decisionsBase = base{from: `decisions d JOIN cases c ON c.id = d.case_id`,
		dims: map[string]string{Platform: `c.platform`, Lang: `c.lang`}}
	auditBase   = base{from: `audit a`}
	entriesBase = base{from: `bank_entries e JOIN banks b ON b.id = e.bank_id`, dims: map[string]string{Bank: `b.name`}}
	matchesBase = base{from: `matches m JOIN bank_entries e ON e.id = m.entry_id JOIN banks b ON b.id = e.bank_id JOIN posts p ON p.id = m.post_id`,
		dims: map[string]string{Bank: `b.name`, Platform: `p.platform`, Lang: `p.lang`}}
	postsBase = base{from: `posts p`, dims: map[string]string{Platform: `p.platform`, Lang: `p.lang`}}
)

// Period is the half-open time range [From, To) a report covers; Now
// decides which open orders are overdue (those past their deadline at the
// earlier of To and Now).
type Period struct {
	From, To, Now time.Time
}

func (p Period) from() int64 { return p.From.UnixMicro() }
func (p Period) to() int64   { return p.To.UnixMicro() }
func (p Period) asOf() int64 {
	if !p.Now.IsZero() && p.Now.Before(p.To) {
		return p.Now.UnixMicro()
	}
	return p.To.UnixMicro()
}

// Figure is one number of the report and how it is counted: the rows of
// base that where selects (args gives its parameters), counted, or their
// durations (value) when Kind is Durations.
type Figure struct {
	Name  string
	Kind  Kind
	By    []string // breakdowns besides the total
	base  base
	value string // COUNT(*) unless set; the duration for Durations
	where string
	args  func(p Period) []any
}

// answered are the statuses a platform's answer leaves an order in.
var answered = []any{store.OrderAcknowledged, store.OrderRemoved, store.OrderRefused}

// inPeriod is the period condition on a column.
func inPeriod(col string) string { return col + ` >= ? AND ` + col + ` < ?` }

func period(extra ...any) func(Period) []any {
	return func(p Period) []any { return append([]any{p.from(), p.to()}, extra...) }
}

// notHarmful is the condition that a decision carries no harmful label.
func notHarmful() string {
	var parts []string
	for range model.HarmfulLabels {
		parts = append(parts, `d.labels NOT LIKE ?`)
	}
	return strings.Join(parts, ` AND `)
}

func harmfulPatterns() []any {
	var out []any
	for _, l := range model.HarmfulLabels {
		out = append(out, `%"`+string(l)+`"%`)
	}
	return out
}

// Figures are the report's figures, in the order they are shown. A new
// figure is one more entry.
var Figures = []Figure{
	{Name: "orders_sent", By: []string{Platform, Label, Lang}, base: ordersBase,
		where: inPeriod(`o.issued_at`), args: period()},
	{Name: "orders_answered", By: []string{Platform, Label, Lang}, base: ordersBase,
		where: inPeriod(`o.issued_at`) + ` AND o.status IN (?, ?, ?)`, args: period(answered...)},
	{Name: "orders_removed", By: []string{Platform, Label, Lang}, base: ordersBase,
		where: inPeriod(`o.issued_at`) + ` AND o.status = ?`, args: period(store.OrderRemoved)},
	{Name: "orders_refused", By: []string{Platform, Label, Lang}, base: ordersBase,
		where: inPeriod(`o.issued_at`) + ` AND o.status = ?`, args: period(store.OrderRefused)},
	{Name: "orders_overdue", By: []string{Platform, Label, Lang}, base: ordersBase,
		where: inPeriod(`o.issued_at`) + ` AND (o.status = ? OR (o.status IN (?, ?) AND o.deadline < ?))`,
		args: func(p Period) []any {
			return []any{p.from(), p.to(), store.OrderExpired, store.OrderSent, store.OrderAcknowledged, p.asOf()}
		}},
	{Name: "orders_withdrawn", By: []string{Platform, Label, Lang}, base: ordersBase,
		where: inPeriod(`o.issued_at`) + ` AND o.status = ?`, args: period(store.OrderWithdrawn)},
	{Name: "time_to_removal", Kind: Durations, By: []string{Platform, Label, Lang}, base: ordersBase,
		value: `o.status_at - o.issued_at`, where: inPeriod(`o.issued_at`) + ` AND o.status = ?`, args: period(store.OrderRemoved)},
	{Name: "time_to_response", Kind: Durations, By: []string{Platform, Label, Lang}, base: ordersBase,
		value: `o.status_at - o.issued_at`, where: inPeriod(`o.issued_at`) + ` AND o.status IN (?, ?, ?)`, args: period(answered...)},
	{Name: "cases_opened", By: []string{Platform, Label, Lang}, base: casesBase,
		where: inPeriod(`c.created_at`), args: period()},
	{Name: "cases_reviewed", By: []string{Platform, Lang}, base: decisionsBase,
		where: inPeriod(`d.created_at`) + ` AND d.appeal = ? AND c.kind = ?`, args: period(false, "post")},
	{Name: "cases_not_harmful", By: []string{Platform, Lang}, base: decisionsBase,
		where: inPeriod(`d.created_at`) + ` AND d.appeal = ? AND c.kind = ? AND ` + notHarmful(),
		args:  period(append([]any{false, "post"}, harmfulPatterns()...)...)},
	{Name: "appeals_filed", base: auditBase,
		where: inPeriod(`a.at`) + ` AND a.action = ?`, args: period("case.appealed")},
	{Name: "appeals_decided", By: []string{Platform, Lang}, base: decisionsBase,
		where: inPeriod(`d.created_at`) + ` AND d.appeal = ?`, args: period(true)},
	{Name: "appeals_overturned", base: auditBase,
		where: inPeriod(`a.at`) + ` AND a.action = ?`, args: period("case.appeal.overturned")},
	{Name: "bank_size", By: []string{Bank}, base: entriesBase,
		where: `e.added_at < ?`, args: func(p Period) []any { return []any{p.to()} }},
	{Name: "bank_added", By: []string{Bank}, base: entriesBase,
		where: inPeriod(`e.added_at`), args: period()},
	{Name: "matches", By: []string{Bank, Platform, Lang}, base: matchesBase,
		where: inPeriod(`m.created_at`), args: period()},
	{Name: "posts_matched", By: []string{Bank, Platform, Lang}, base: matchesBase, value: `COUNT(DISTINCT m.post_id)`,
		where: inPeriod(`m.created_at`), args: period()},
	{Name: "posts_ingested", By: []string{Platform, Lang}, base: postsBase,
		where: inPeriod(`p.ingested_at`), args: period()},
}

// Rate is a share of one figure in another, such as reversals of
// appeals decided.
type Rate struct {
	Name     string
	Num, Den string
}

// Rates are the report's shares, each of two figures.
var Rates = []Rate{
	{Name: "compliance_rate", Num: "orders_removed", Den: "orders_sent"},
	{Name: "false_positive_rate", Num: "cases_not_harmful", Den: "cases_reviewed"},
	{Name: "reversal_rate", Num: "appeals_overturned", Den: "appeals_decided"},
}

// Query returns the SQL of a figure broken down by by (Total for none),
// with ? placeholders, and its arguments for p.
func (f Figure) Query(by string, p Period) (string, []any, error) {
	value := f.value
	if value == "" {
		value = `COUNT(*)`
	}
	from := f.base.from
	var args []any
	grp := `''`
	switch {
	case by == Total:
	case by == Label && f.base.labels != "":
		// One row per label a row carries: the labels are a JSON array,
		// matched as quoted names the same way in both databases.
		var sel []string
		for _, l := range model.Labels {
			sel = append(sel, `SELECT CAST(? AS TEXT) AS name`)
			args = append(args, string(l))
		}
		from += ` JOIN (` + strings.Join(sel, ` UNION ALL `) + `) lab ON ` + f.base.labels + ` LIKE '%"' || lab.name || '"%'`
		grp = `lab.name`
	case f.base.dims[by] != "":
		grp = f.base.dims[by]
	default:
		return "", nil, fmt.Errorf("report: figure %s has no breakdown by %q", f.Name, by)
	}
	q := `SELECT ` + grp + `, ` + value + ` FROM ` + from + ` WHERE ` + f.where
	if f.Kind == Count && by != Total {
		q += ` GROUP BY ` + grp
	}
	return q, append(args, f.args(p)...), nil
}

// Value is a figure for one group: a count, and for durations their
// median and 90th percentile.
type Value struct {
	Key         string        `json:"key"`
	N           int64         `json:"n"`
	Median      time.Duration `json:"median_ns,omitempty"`
	P90         time.Duration `json:"p90_ns,omitempty"`
	durations   []time.Duration
	hasDuration bool
}

// Result is a figure under one breakdown, its groups sorted largest first.
type Result struct {
	Figure string  `json:"figure"`
	Kind   Kind    `json:"-"`
	By     string  `json:"by"`
	Values []Value `json:"values"`
}

// Report is every figure of a period.
type Report struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Results []Result  `json:"results"`
}

// ErrPeriod is returned for a period that ends before it starts.
var ErrPeriod = errors.New("the period must end after it starts")

// Compute runs every figure's queries over p.
func Compute(ctx context.Context, st *store.Store, p Period) (*Report, error) {
	if !p.To.After(p.From) {
		return nil, fmt.Errorf("report %s to %s: %w", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), ErrPeriod)
	}
	r := &Report{From: p.From.UTC(), To: p.To.UTC()}
	for _, f := range Figures {
		for _, by := range append([]string{Total}, f.By...) {
			res, err := run(ctx, st, f, by, p)
			if err != nil {
				return nil, err
			}
			r.Results = append(r.Results, res)
		}
	}
	return r, nil
}

func run(ctx context.Context, st *store.Store, f Figure, by string, p Period) (Result, error) {
	res := Result{Figure: f.Name, Kind: f.Kind, By: by}
	q, args, err := f.Query(by, p)
	if err != nil {
		return res, err
	}
	rows, err := st.DB().QueryContext(ctx, st.Rebind(q), args...)
	if err != nil {
		return res, fmt.Errorf("report: figure %s by %q: %w", f.Name, by, err)
	}
	defer rows.Close()
	groups := map[string]*Value{}
	var order []string
	for rows.Next() {
		var key string
		var n int64
		if err := rows.Scan(&key, &n); err != nil {
			return res, fmt.Errorf("report: figure %s by %q: %w", f.Name, by, err)
		}
		v := groups[key]
		if v == nil {
			v = &Value{Key: key}
			groups[key] = v
			order = append(order, key)
		}
		if f.Kind == Durations {
			v.N++
			v.durations = append(v.durations, time.Duration(n)*time.Microsecond)
			v.hasDuration = true
		} else {
			v.N += n
		}
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("report: figure %s by %q: %w", f.Name, by, err)
	}
	if by == Total && len(order) == 0 {
		order, groups[""] = []string{""}, &Value{}
	}
	for _, k := range order {
		v := groups[k]
		if v.hasDuration {
			v.Median, v.P90 = Percentile(v.durations, 50), Percentile(v.durations, 90)
		}
		v.durations = nil
		res.Values = append(res.Values, *v)
	}
	slices.SortFunc(res.Values, func(a, b Value) int {
		if a.N != b.N {
			if a.N > b.N {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	return res, nil
}

// Percentile is the nearest-rank p-th percentile of ds: the smallest
// duration that at least p percent of ds do not exceed (the median of an
// even count is the lower middle one). None is zero.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(rank, 1)-1]
}

// Result returns the figure under a breakdown, or an empty result.
func (r *Report) Result(figure, by string) Result {
	for _, res := range r.Results {
		if res.Figure == figure && res.By == by {
			return res
		}
	}
	return Result{Figure: figure, By: by}
}

// Get returns a figure's value for one group of a breakdown (key "" of
// Total is the whole figure); a group without rows is zero.
func (r *Report) Get(figure, by, key string) Value {
	for _, v := range r.Result(figure, by).Values {
		if v.Key == key {
			return v
		}
	}
	return Value{Key: key}
}

// Share returns a rate for one group: numerator, denominator and the
// share in percent (0 when the denominator is).
func (r *Report) Share(rate Rate, by, key string) (num, den int64, pct float64) {
	num, den = r.Get(rate.Num, by, key).N, r.Get(rate.Den, by, key).N
	if den > 0 {
		pct = float64(num) * 100 / float64(den)
	}
	return num, den, pct
}

// ParseDay reads a YYYY-MM-DD date as midnight UTC.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}
