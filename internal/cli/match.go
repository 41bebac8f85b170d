package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
)

func runMatch(ctx context.Context, e env) error {
	fs := newFlags(e, "match", "match [flags] HASH|FILE...\n\n"+
		"Matches PDQ hashes (64 hex characters), image files, videos and animated GIFs\n"+
		"against every enabled bank and prints the entries that match: images within\n"+
		"the PDQ match distance (DIST is the distance), videos and animated GIFs under\n"+
		"vPDQ's rule (DIST is the share of the query's frames that matched). Videos\n"+
		"need ffmpeg.")
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
		Query   string           `json:"query"`
		Type    model.SignalType `json:"type"`
		Hash    string           `json:"hash"`
		Quality int              `json:"quality,omitempty"`
		Frames  int              `json:"frames,omitempty"`
		Matches []model.Match    `json:"matches"`
	}
	var results []result
	failed := 0
	for _, arg := range fs.Args() {
		r := result{Query: arg, Type: model.SignalPDQ}
		fh := pipeline.FileHash{Type: model.SignalPDQ}
		if h, err := bank.Canonical(model.SignalPDQ, arg); err == nil {
			fh.Hash = h
		} else {
			data, err := readQueryFile(arg)
			if err != nil {
				fmt.Fprintf(e.stderr, "marsad match: %s: neither a PDQ hash nor a readable file: %v\n", arg, err)
				failed++
				continue
			}
			fh, err = a.pipeline.HashFile(ctx, data)
			if err != nil {
				fmt.Fprintf(e.stderr, "marsad match: %s: %v\n", arg, err)
				failed++
				continue
			}
		}
		r.Type, r.Hash, r.Quality, r.Frames = fh.Type, fh.Hash, fh.Quality, fh.Frames
		ms, err := a.pipeline.MatchFile(ctx, fh)
		if err != nil {
			return err
		}
		r.Matches = ms
		if r.Matches == nil {
			r.Matches = []model.Match{}
		}
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
			hash := r.Hash
			if r.Type == model.SignalVPDQ {
				hash = fmt.Sprintf("vpdq:%d frames", r.Frames)
			}
			if len(r.Matches) == 0 {
				fmt.Fprintf(tw, "%s\t%s\t-\t(no match)\t\t\t\n", r.Query, hash)
			}
			for _, m := range r.Matches {
				dist := strconv.Itoa(m.Distance)
				if m.Video != nil {
					dist = fmt.Sprintf("%.0f%%", m.Video.QueryPercent)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%t\n", r.Query, hash, dist, m.BankName, m.Entry.ID, m.Entry.Label, m.AutoAction)
			}
		}
		tw.Flush()
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d queries failed", failed, fs.NArg())
	}
	return nil
}

// readQueryFile reads a file to look up, up to the size a media file may
// have at ingest.
func readQueryFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMediaBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMediaBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxMediaBytes)
	}
	return data, nil
}
