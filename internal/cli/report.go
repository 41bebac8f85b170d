package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/marsad/marsad/internal/report"
	"github.com/marsad/marsad/internal/store"
)

func runReport(ctx context.Context, e env) error {
	fs := newFlags(e, "report", "report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|csv|json]\n\n"+
		"Prints the transparency report of a period, from --from to --to (that day excluded): orders\n"+
		"sent, answered, complied with, refused, overdue and withdrawn, time to removal and to first\n"+
		"answer, appeals and reversals, bank sizes and matches, and flagged posts found not harmful,\n"+
		"by platform, label, language and bank (docs/report.md). Without dates: this month so far.")
	var sf storeFlags
	sf.register(fs)
	fromS := fs.String("from", "", "first day of the period, YYYY-MM-DD (default: the first of this month)")
	toS := fs.String("to", "", "day after the period, YYYY-MM-DD (default: tomorrow)")
	format := fs.String("format", "text", "text, csv (UTF-8 with a byte order mark, for spreadsheets) or json")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	p := report.Period{From: time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC), To: today.Add(24 * time.Hour), Now: now}
	var err error
	if *fromS != "" {
		if p.From, err = report.ParseDay(*fromS); err != nil {
			return fmt.Errorf("%w: --from: %v", errUsage, err)
		}
	}
	if *toS != "" {
		if p.To, err = report.ParseDay(*toS); err != nil {
			return fmt.Errorf("%w: --to: %v", errUsage, err)
		}
	}
	if !p.To.After(p.From) {
		return fmt.Errorf("%w: --to %s is not after --from %s", errUsage, p.To.Format(time.DateOnly), p.From.Format(time.DateOnly))
	}
	switch *format {
	case "text", "csv", "json":
	default:
		return fmt.Errorf("%w: unknown --format %q (want text, csv or json)", errUsage, *format)
	}
	st, err := store.Open(ctx, sf.dsn())
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := report.Compute(ctx, st, p)
	if err != nil {
		return err
	}
	switch *format {
	case "csv":
		return report.WriteCSV(e.stdout, r)
	case "json":
		return report.WriteJSON(e.stdout, r)
	}
	return report.WriteText(e.stdout, r, report.English)
}
