package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/demo"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/networkcase"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/source"
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
	printSaved(e.stdout, "demo: ", nrep.Saved)
	_, open, err := a.store.Cases(ctx, store.CaseFilter{State: model.CaseOpen, Limit: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo: %d open cases; list them with: go run ./cmd/marsad cases list --data %s\n", open, sf.data)
	stopSources, err := demoSources(ctx, a, e)
	if err != nil {
		return err
	}
	defer stopSources()
	if err := demoUsers(ctx, a, filepath.Join(sf.data, "demo", "credentials.txt"), e); err != nil {
		return err
	}
	if *noServe {
		return nil
	}
	return a.serve(ctx, e, *addr, 10<<20)
}

// demoUsers creates one user per role with a random password the first
// time, and keeps the passwords in a file only the owner can read, so the
// web UI can be tried at once.
func demoUsers(ctx context.Context, a *app, path string, e env) error {
	users, err := a.store.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		as, err := auth.New(a.store, auth.Config{})
		if err != nil {
			return err
		}
		var lines []string
		for _, role := range []string{"admin", "reviewer", "analyst"} {
			pw := rand.Text()[:16]
			lang := "en"
			if role == "reviewer" {
				lang = "ar"
			}
			if _, err := as.CreateUser(ctx, "demo-"+role, role, pw, lang, "demo"); err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("demo-%s\t%s\t(%s)", role, pw, role))
		}
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			return err
		}
	}
	creds, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(e.stdout, "demo: users already exist; add one with: marsad user add --role admin NAME\n")
		return nil
	}
	fmt.Fprintf(e.stdout, "demo: web UI users (name, password, role; kept in %s):\n%s", path, indent(string(creds)))
	fmt.Fprintln(e.stdout, "demo: open the address below and log in as demo-reviewer to decide cases (the reviewer's pages are in Arabic; switch language at the top)")
	return nil
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString("  " + l)
		}
	}
	return b.String()
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

// demoSources serves the demo's feed and Telegram preview fixture on
// loopback, points the demo's two sources at it (creating them the first
// time) and collects from them once, so sources are seen at work with no
// internet. The fixture's address is the only inside address the
// collector may reach.
func demoSources(ctx context.Context, a *app, e env) (stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: demo.SourceServer(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	stop = func() { hs.Close() }
	base := "http://" + ln.Addr().String()
	a.sources = a.sourceService(source.FetchOptions{AllowAddrs: []string{ln.Addr().String()}})
	for _, d := range []struct{ kind, name, config string }{
		{"feed", "demo-feed", `{"url":"` + base + `/feed.xml"}`},
		{"telegram", "demo-telegram", `{"channel":"` + demo.DemoChannel + `","depth":20,"base_url":"` + base + `"}`},
	} {
		src, err := a.store.SourceByName(ctx, d.name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			src = &model.Source{Kind: d.kind, Name: d.name, Config: []byte(d.config), Interval: time.Minute}
			err = a.sources.Add(ctx, src)
		case err == nil:
			// The fixture listens on a new port each run.
			err = a.store.SetSourceConfig(ctx, src.ID, []byte(d.config), src.Interval)
		}
		if err != nil {
			stop()
			return nil, err
		}
		var created int
		for range 10 {
			res, err := a.sources.PollOnce(ctx, src.ID)
			if err != nil {
				stop()
				return nil, err
			}
			created += res.Created
			if !res.More {
				break
			}
		}
		fmt.Fprintf(e.stdout, "demo: source %s (%s) collected %d new posts from %s\n", d.name, d.kind, created, base)
	}
	return stop, nil
}
