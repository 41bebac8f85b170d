package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
)

func runMatch(ctx context.Context, e env) error {
	fs := newFlags(e, "match", "match [flags] HASH|FILE...\n\nMatches PDQ hashes (64 hex characters) or image files against every\nenabled bank and prints the entries within the match distance.")
	var sf storeFlags
	sf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("%w: give at least one hash or image file", errUsage)
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	type result struct {
		Query   string        `json:"query"`
		Hash    string        `json:"hash"`
		Quality int           `json:"quality,omitempty"`
		Matches []model.Match `json:"matches"`
	}
	var results []result
	failed := 0
	for _, arg := range fs.Args() {
		r := result{Query: arg}
		if h, err := bank.Canonical(model.SignalPDQ, arg); err == nil {
			r.Hash = h
		} else {
			f, err := os.Open(arg)
			if err != nil {
				fmt.Fprintf(e.stderr, "marsad match: %s: neither a PDQ hash nor a readable file: %v\n", arg, err)
				failed++
				continue
			}
			r.Hash, r.Quality, err = a.pipeline.Hasher.HashImage(f)
			f.Close()
			if err != nil {
				fmt.Fprintf(e.stderr, "marsad match: %s: %v\n", arg, err)
				failed++
				continue
			}
		}
		ms, err := a.index.MatchPDQ(ctx, r.Hash)
		if err != nil {
			return err
		}
		r.Matches = ms
		results = append(results, r)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "QUERY\tHASH\tDIST\tBANK\tENTRY\tLABEL\tAUTO-ACTION")
		for _, r := range results {
			if len(r.Matches) == 0 {
				fmt.Fprintf(tw, "%s\t%s\t-\t(no match)\t\t\t\n", r.Query, r.Hash)
			}
			for _, m := range r.Matches {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%s\t%t\n", r.Query, r.Hash, m.Distance, m.BankName, m.Entry.ID, m.Entry.Label, m.AutoAction)
			}
		}
		tw.Flush()
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d queries failed", failed, fs.NArg())
	}
	return nil
}
