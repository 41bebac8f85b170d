package ui

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// bar is one row of a horizontal bar chart; HTML bars follow the page's
// direction by themselves.
type bar struct {
	Key   string // translation key or raw name
	Name  string
	Count int
	Pct   int // of the largest bar, 0-100
}

// column is one day of the SVG column chart, in SVG units.
type column struct {
	X, Y, W, H float64
	MidX       float64
	Count      int
	Day        string
	Tick       bool // label this column
}

type dashData struct {
	Days                    int
	Labels, Sources, People []bar
	Columns                 []column
	ChartW, ChartH          int
	MaxDay                  int
	OpenCases, Appealed     int
	OpenOrders, Overdue     int
}

func bars(m map[string]int, keyPrefix string) []bar {
	var out []bar
	max := 0
	for k, v := range m {
		if k == "" {
			continue // cases stored before they carried a platform
		}
		out = append(out, bar{Key: keyPrefix + k, Name: k, Count: v})
		max = maxInt(max, v)
	}
	slices.SortFunc(out, func(a, b bar) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	for i := range out {
		if max > 0 {
			out[i].Pct = out[i].Count * 100 / max
		}
	}
	return out
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	if days <= 0 || days > 365 {
		days = 14
	}
	now := time.Now().UTC()
	st, err := h.st.Stats(r.Context(), now.Add(-time.Duration(days-1)*24*time.Hour), now)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := dashData{Days: days, ChartW: 900, ChartH: 220, OpenOrders: st.OpenOrders, Overdue: st.OverdueOrders,
		OpenCases: st.States["open"], Appealed: st.States["appealed"]}
	labels := map[string]int{}
	for l, n := range st.Labels {
		labels[string(l)] = n
	}
	d.Labels = bars(labels, "label.")
	d.Sources = bars(st.Platforms, "")
	d.People = bars(st.Reviewers, "")
	for _, dc := range st.Days {
		d.MaxDay = maxInt(d.MaxDay, dc.Count)
	}
	n := len(st.Days)
	rtl := h.locales[h.lang(r)].Dir == "rtl"
	// The bottom keeps room for day labels large enough to read when the
	// chart is shrunk to a phone's width.
	const top, bottom = 16.0, 44.0
	slot := float64(d.ChartW) / float64(maxInt(n, 1))
	for i, dc := range st.Days {
		hgt := 0.0
		if d.MaxDay > 0 {
			hgt = float64(dc.Count) / float64(d.MaxDay) * (float64(d.ChartH) - top - bottom)
		}
		pos := i
		if rtl {
			pos = n - 1 - i // time runs right to left in Arabic
		}
		d.Columns = append(d.Columns, column{X: float64(pos)*slot + slot*0.15, W: slot * 0.7, MidX: float64(pos)*slot + slot/2, Y: float64(d.ChartH) - bottom - hgt, H: hgt,
			Count: dc.Count, Day: dc.Day.Format("01-02"), Tick: i%(n/8+1) == 0})
	}
	h.render(w, r, http.StatusOK, "dashboard", "dashboard", d, nil)
}
