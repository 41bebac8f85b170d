package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/marsad/marsad/internal/report"
)

// reportData is what the transparency report page shows.
type reportData struct {
	From, To string // YYYY-MM-DD, To excluded
	ToShown  string // the last day included
	Tiles    []reportTile
	Rates    []reportRate
	Orders   []reportOrderRow
	Figures  []reportFigure
	// Charts, as the dashboard draws them.
	SentByPlatform, SentByLang, NotHarmfulByPlatform []bar
	SentByLabel, OpenedByLabel                       []bar
	MatchesByBank, BankSize, RemovalByPlatform       []bar
}

type reportTile struct {
	Key   string
	Value string
	Alert bool
}

type reportRate struct {
	Key      string
	Pct      string
	Num, Den int64
}

// reportOrderRow is one platform's orders.
type reportOrderRow struct {
	Platform                                             string
	Sent, Answered, Removed, Refused, Overdue, Withdrawn int64
	MedianRemoval, P90Removal, MedianResponse            string
}

type reportFigure struct {
	Key   string
	Value int64
}

// reportPeriod reads from and to (YYYY-MM-DD, to excluded); without them
// the report covers the current month so far, today included.
func reportPeriod(r *http.Request) (report.Period, error) {
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	p := report.Period{From: time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC), To: today.Add(24 * time.Hour), Now: now}
	var err error
	if s := r.URL.Query().Get("from"); s != "" {
		if p.From, err = report.ParseDay(s); err != nil {
			return p, err
		}
	}
	if s := r.URL.Query().Get("to"); s != "" {
		if p.To, err = report.ParseDay(s); err != nil {
			return p, err
		}
	}
	if !p.To.After(p.From) {
		return p, report.ErrPeriod
	}
	return p, nil
}

// computeReport parses the period and computes the report, answering the
// request itself when either fails.
func (h *Handler) computeReport(w http.ResponseWriter, r *http.Request) (*report.Report, bool) {
	p, err := reportPeriod(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, h.locales[h.lang(r)].T("report.bad_period"))
		return nil, false
	}
	rep, err := report.Compute(r.Context(), h.st, p)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return rep, true
}

// words are the report's words in the request's language.
func (h *Handler) words(r *http.Request) report.Words {
	return h.locales[h.lang(r)].T
}

func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request) {
	rep, ok := h.computeReport(w, r)
	if !ok {
		return
	}
	t := h.words(r)
	from, to := rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly)
	d := reportData{From: from, To: to, ToShown: rep.To.Add(-24 * time.Hour).Format(time.DateOnly)}
	total := func(fig string) int64 { return rep.Get(fig, report.Total, "").N }
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	d.Tiles = []reportTile{
		{Key: "report.fig.orders_sent", Value: n(total("orders_sent"))},
		{Key: "report.fig.orders_removed", Value: n(total("orders_removed"))},
		{Key: "report.fig.orders_overdue", Value: n(total("orders_overdue")), Alert: total("orders_overdue") > 0},
		{Key: "report.median_removal", Value: t("report.minutes", report.Minutes(rep.Get("time_to_removal", report.Total, "").Median))},
		{Key: "report.fig.appeals_decided", Value: n(total("appeals_decided"))},
		{Key: "report.fig.matches", Value: n(total("matches"))},
	}
	for _, rt := range report.Rates {
		num, den, pct := rep.Share(rt, report.Total, "")
		d.Rates = append(d.Rates, reportRate{Key: "report.rate." + rt.Name, Pct: fmt.Sprintf("%.1f", pct), Num: num, Den: den})
	}
	for _, v := range rep.Result("orders_sent", report.Platform).Values {
		get := func(fig string) report.Value { return rep.Get(fig, report.Platform, v.Key) }
		rm, resp := get("time_to_removal"), get("time_to_response")
		row := reportOrderRow{Platform: v.Key, Sent: v.N, Answered: get("orders_answered").N, Removed: get("orders_removed").N,
			Refused: get("orders_refused").N, Overdue: get("orders_overdue").N, Withdrawn: get("orders_withdrawn").N,
			MedianRemoval: "—", P90Removal: "—", MedianResponse: "—"}
		if rm.N > 0 {
			row.MedianRemoval, row.P90Removal = t("report.minutes", report.Minutes(rm.Median)), t("report.minutes", report.Minutes(rm.P90))
		}
		if resp.N > 0 {
			row.MedianResponse = t("report.minutes", report.Minutes(resp.Median))
		}
		d.Orders = append(d.Orders, row)
	}
	for _, f := range report.Figures {
		d.Figures = append(d.Figures, reportFigure{Key: "report.fig." + f.Name, Value: total(f.Name)})
	}
	counts := func(fig, by string) map[string]int {
		m := map[string]int{}
		for _, v := range rep.Result(fig, by).Values {
			if v.N > 0 {
				m[v.Key] = int(v.N)
			}
		}
		return m
	}
	d.SentByPlatform = bars(counts("orders_sent", report.Platform), "")
	d.SentByLang = bars(counts("orders_sent", report.Lang), "")
	d.SentByLabel = bars(counts("orders_sent", report.Label), "label.")
	d.OpenedByLabel = bars(counts("cases_opened", report.Label), "label.")
	d.NotHarmfulByPlatform = bars(counts("cases_not_harmful", report.Platform), "")
	d.MatchesByBank = bars(counts("matches", report.Bank), "")
	d.BankSize = bars(counts("bank_size", report.Bank), "")
	removal := map[string]int{}
	for _, v := range rep.Result("time_to_removal", report.Platform).Values {
		removal[v.Key] = int(v.Median.Minutes() + 0.5)
	}
	d.RemovalByPlatform = bars(removal, "")
	h.render(w, r, http.StatusOK, "report", "report", d, nil)
}

func (h *Handler) reportCSV(w http.ResponseWriter, r *http.Request) {
	rep, ok := h.computeReport(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="marsad-report-%s-%s.csv"`, rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly)))
	if err := report.WriteCSV(w, rep); err != nil {
		h.log.Error("report CSV", "err", err)
	}
}

func (h *Handler) reportPDF(w http.ResponseWriter, r *http.Request) {
	rep, ok := h.computeReport(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="marsad-report-%s-%s.pdf"`, rep.From.Format(time.DateOnly), rep.To.Format(time.DateOnly)))
	if err := report.WritePDF(w, rep, h.words(r)); err != nil {
		h.log.Error("report PDF", "err", err)
	}
}
