package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/demo"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/networkcase"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
)

func runDemo(ctx context.Context, e env) error {
	fs := newFlags(e, "demo", "demo [flags]\n\nCreates the data folder, loads the built-in demo posts and banks, runs the\nwhole pipeline on them and serves the result. Running it again is safe:\nposts and banks already there are left as they are.")
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", envOr("MARSAD_ADDR", defaultAddr), "address to listen on (env MARSAD_ADDR)")
	noServe := fs.Bool("no-serve", false, "load the demo and exit without serving")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	log := logger(e.stderr, false)
	a, err := openApp(ctx, sf, log)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := loadDemo(ctx, a, filepath.Join(sf.data, "demo"))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo: %s into %s\n", rep, a.store.Dialect())
	nrep, err := networkcase.Run(ctx, a.store, networkcase.Options{Texts: true, Seed: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo: networks: %s\n", nrep)
	_, open, err := a.store.Cases(ctx, store.CaseFilter{State: model.CaseOpen, Limit: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo: %d open cases; list them with: go run ./cmd/marsad cases list --data %s\n", open, sf.data)
	if *noServe {
		return nil
	}
	return a.serve(ctx, e, *addr, 10<<20)
}

// loadDemo writes the demo media into dir, creates the demo banks and
// ingests the demo posts. It is idempotent.
func loadDemo(ctx context.Context, a *app, dir string) (pipeline.Report, error) {
	if err := demo.WriteMedia(dir); err != nil {
		return pipeline.Report{}, err
	}
	for _, db := range demo.Banks() {
		b := db.Bank
		err := a.store.CreateBank(ctx, &b, "demo")
		if errors.Is(err, store.ErrExists) {
			continue
		}
		if err != nil {
			return pipeline.Report{}, err
		}
		var entries []model.BankEntry
		for _, de := range db.Entries {
			en := de.BankEntry
			if de.Image != "" {
				data, err := os.ReadFile(filepath.Join(dir, "media", de.Image))
				if err != nil {
					return pipeline.Report{}, err
				}
				switch en.Type {
				case model.SignalSHA256:
					en.Value = blob.Digest(data).SHA256
				case model.SignalPDQ:
					if a.pipeline.Hasher == nil {
						continue // no perceptual hashing in this build
					}
					h, _, err := a.pipeline.Hasher.HashImage(bytes.NewReader(data))
					if err != nil {
						return pipeline.Report{}, fmt.Errorf("demo image %s: %w", de.Image, err)
					}
					en.Value = h
				}
			}
			v, err := bank.Canonical(en.Type, en.Value)
			if err != nil {
				return pipeline.Report{}, fmt.Errorf("demo bank %s: %w", b.Name, err)
			}
			en.Value = v
			entries = append(entries, en)
		}
		if _, err := a.store.AddEntries(ctx, b.Name, entries, "demo"); err != nil {
			return pipeline.Report{}, err
		}
		if a.index != nil {
			a.index.Added(entries)
		}
	}
	a.pipeline.MediaDir = dir
	defer func() { a.pipeline.MediaDir = "" }()
	return a.pipeline.IngestJSONL(ctx, bytes.NewReader(demo.PostsJSONL()), pipeline.IngestOptions{Actor: "demo"})
}
