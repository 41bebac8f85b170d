package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/marsad/marsad/csvsafe"
	"github.com/marsad/marsad/internal/pdftext"
)

// Words translates the report's words: figure names are "report.fig.NAME",
// rates "report.rate.NAME", breakdowns "report.by.BY", labels "label.L",
// and "report.title", "report.period" (from, to), "report.total",
// "report.median", "report.p90", "report.minutes" (a number).
type Words func(key string, args ...any) string

// English are the report's words for the command line.
func English(key string, args ...any) string {
	if w, ok := english[key]; ok {
		return fmt.Sprintf(w, args...)
	}
	name := key[strings.LastIndex(key, ".")+1:]
	return strings.ReplaceAll(name, "_", " ")
}

var english = map[string]string{
	"report.title": "Transparency report", "report.period": "From %s to %s (the end day excluded)",
	"report.total": "total", "report.median": "median", "report.p90": "90th percentile", "report.minutes": "%s min", "list.sep": ", ",
}

// Minutes writes a duration in minutes, to one decimal below ten.
func Minutes(d time.Duration) string {
	m := d.Minutes()
	if m < 10 && m != float64(int64(m)) {
		return strconv.FormatFloat(m, 'f', 1, 64)
	}
	return strconv.FormatInt(int64(m+0.5), 10)
}

var csvHeader = []string{"figure", "by", "group", "n", "median_seconds", "p90_seconds", "from", "to"}

// WriteCSV writes every figure as one row per group for a spreadsheet: a
// byte order mark, a header, and every cell guarded against formulas
// (platform, bank and language names come from outside; csvsafe). Rates
// follow as rows whose n is the share in percent.
func WriteCSV(w io.Writer, r *Report) error {
	cw, err := csvsafe.NewSpreadsheetWriter(w)
	if err != nil {
		return err
	}
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	from, to := r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)
	for _, res := range r.Results {
		for _, v := range res.Values {
			med, p90 := "", ""
			if res.Kind == Durations {
				med, p90 = strconv.FormatInt(int64(v.Median.Seconds()), 10), strconv.FormatInt(int64(v.P90.Seconds()), 10)
			}
			if err := cw.Write([]string{res.Figure, res.By, v.Key, strconv.FormatInt(v.N, 10), med, p90, from, to}); err != nil {
				return err
			}
		}
	}
	for _, rt := range Rates {
		_, _, pct := r.Share(rt, Total, "")
		if err := cw.Write([]string{rt.Name, "", "", strconv.FormatFloat(pct, 'f', 1, 64), "", "", from, to}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteJSON writes the report as JSON, rates included.
func WriteJSON(w io.Writer, r *Report) error {
	type rate struct {
		Name     string  `json:"name"`
		Num, Den int64   `json:"-"`
		Pct      float64 `json:"percent"`
	}
	out := struct {
		*Report
		Rates []rate `json:"rates"`
	}{Report: r}
	for _, rt := range Rates {
		num, den, pct := r.Share(rt, Total, "")
		out.Rates = append(out.Rates, rate{Name: rt.Name, Num: num, Den: den, Pct: pct})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// figureText is one figure in words: its total and, per breakdown, its
// groups, as the text and PDF outputs show them.
type figureText struct {
	Label, Total string
	Groups       []groupText
}

// groupText is one breakdown of a figure: its name and its groups.
type groupText struct {
	By    string
	Parts []string
}

// figureTexts puts every figure of r in the words t gives.
func figureTexts(r *Report, t Words) []figureText {
	minutes := func(d time.Duration) string { return t("report.minutes", Minutes(d)) }
	var out []figureText
	for _, f := range Figures {
		total := r.Get(f.Name, Total, "")
		ft := figureText{Label: t("report.fig." + f.Name), Total: strconv.FormatInt(total.N, 10)}
		if f.Kind == Durations {
			ft.Total += fmt.Sprintf(" (%s %s, %s %s)", t("report.median"), minutes(total.Median), t("report.p90"), minutes(total.P90))
		}
		for _, by := range f.By {
			g := groupText{By: t("report.by." + by)}
			for _, v := range r.Result(f.Name, by).Values {
				name := v.Key
				if by == Label {
					name = t("label." + v.Key)
				}
				if name == "" {
					name = "-"
				}
				part := name + " " + strconv.FormatInt(v.N, 10)
				if f.Kind == Durations {
					part += " (" + minutes(v.Median) + " / " + minutes(v.P90) + ")"
				}
				g.Parts = append(g.Parts, part)
			}
			if len(g.Parts) > 0 {
				ft.Groups = append(ft.Groups, g)
			}
		}
		out = append(out, ft)
	}
	return out
}

// Lines are the report as text lines, one per figure: its total and its
// groups under each breakdown.
func Lines(r *Report, t Words) []string {
	var out []string
	out = append(out, t("report.title"), t("report.period", r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)), "")
	for _, ft := range figureTexts(r, t) {
		out = append(out, ft.Label+": "+ft.Total)
		for _, g := range ft.Groups {
			out = append(out, "    "+g.By+": "+strings.Join(g.Parts, " · "))
		}
	}
	out = append(out, "")
	for _, rt := range Rates {
		num, den, pct := r.Share(rt, Total, "")
		out = append(out, fmt.Sprintf("%s: %.1f%% (%d / %d)", t("report.rate."+rt.Name), pct, num, den))
	}
	return out
}

// WriteText writes Lines.
func WriteText(w io.Writer, r *Report, t Words) error {
	_, err := io.WriteString(w, strings.Join(Lines(r, t), "\n")+"\n")
	return err
}

// WritePDF writes the report as an A4 PDF in the words t gives; Arabic is
// shaped and set right to left by pdftext, and an Arabic report sets its
// figure names on the right of their numbers.
func WritePDF(w io.Writer, r *Report, t Words) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("marsad transparency report "+r.From.Format(time.DateOnly), true)
	pdf.SetCreator("marsad", true)
	tx, err := pdftext.New(pdf)
	if err != nil {
		return fmt.Errorf("report PDF: %w", err)
	}
	pdf.AddPage()
	left, _, right, _ := pdf.GetMargins()
	pageW, _ := pdf.GetPageSize()
	width := pageW - left - right
	title := t("report.title")
	rtl := pdftext.IsRTL(title)
	tx.Paragraph(title, "B", 16, width, 10)
	tx.Paragraph(t("report.period", r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)), "", 10, width, 6)
	pdf.Ln(4)
	const labelW = 70
	labelX, valueX := left, left+labelW
	if rtl {
		labelX, valueX = left+width-labelW, left
	}
	// A row is never split across pages: one that would not fit (its
	// lines, and room for wrapping) starts a new page.
	_, pageH := pdf.GetPageSize()
	pdf.SetAutoPageBreak(false, 15)
	row := func(label, value string) {
		if need := float64(strings.Count(value, "\n")+2) * 5.5 * 1.5; pdf.GetY()+need > pageH-15 {
			pdf.AddPage()
		}
		y := pdf.GetY()
		pdf.SetX(labelX)
		tx.Aligned(label, "B", 9, labelW, 5.5, rtl)
		next := pdf.GetY()
		pdf.SetXY(valueX, y)
		tx.Aligned(value, "", 9, width-labelW, 5.5, rtl)
		pdf.SetY(max(next, pdf.GetY()))
		pdf.Line(left, pdf.GetY(), left+width, pdf.GetY())
	}
	for _, ft := range figureTexts(r, t) {
		value := ft.Total
		for _, g := range ft.Groups {
			value += "\n" + g.By + ": " + strings.Join(g.Parts, t("list.sep"))
		}
		row(ft.Label, value)
	}
	for _, rt := range Rates {
		num, den, pct := r.Share(rt, Total, "")
		row(t("report.rate."+rt.Name), fmt.Sprintf("%.1f%% (%d / %d)", pct, num, den))
	}
	return pdf.Output(w)
}
