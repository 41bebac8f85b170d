package cli

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/metrics"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/server"
	"github.com/marsad/marsad/internal/source"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/textmodel"
)

// storeFlags are the flags every command that opens the store takes.
type storeFlags struct {
	data   string
	db     string
	keys   string
	stages stageFlags
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", envOr("MARSAD_DATA", "data"), "data directory: database, media, keys (env MARSAD_DATA)")
	fs.StringVar(&f.db, "db", os.Getenv("MARSAD_DB"), "database: a SQLite file path, or postgres://... (env MARSAD_DB; default DATA/marsad.db)")
	fs.StringVar(&f.keys, "keys", os.Getenv("MARSAD_KEYS"), "folder of the evidence signing key, evidence.key (mode 0600) and evidence.pub (env MARSAD_KEYS; default DATA/keys)")
	f.stages.register(fs)
}

// keyDir is the folder of the evidence signing key.
func (f *storeFlags) keyDir() string {
	if f.keys != "" {
		return f.keys
	}
	return filepath.Join(f.data, evidence.KeyDir)
}

// evidenceKey loads the signing key, creating it on first use. A key that
// an older version kept in the data folder itself is moved to the key
// folder first, with a note on w.
func (f *storeFlags) evidenceKey(w io.Writer) (ed25519.PrivateKey, error) {
	moved, err := evidence.MoveKey(f.data, f.keyDir())
	if err != nil {
		return nil, err
	}
	if moved {
		fmt.Fprintf(w, "marsad: moved the evidence signing key from %s to %s\n", f.data, f.keyDir())
	}
	return evidence.LoadOrCreateKey(f.keyDir())
}

// ownFiles are files and folders of marsad's own that ingest never reads
// as media: the signing key and the SQLite database.
func (f *storeFlags) ownFiles() []string {
	out := []string{f.keyDir(), filepath.Join(f.keyDir(), evidence.KeyFile), filepath.Join(f.data, evidence.KeyFile)}
	if dsn := f.dsn(); !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		db := strings.TrimPrefix(dsn, "sqlite:")
		out = append(out, db, db+"-wal", db+"-shm", db+"-journal")
	}
	return out
}

func (f *storeFlags) dsn() string {
	if f.db != "" {
		return f.db
	}
	return filepath.Join(f.data, "marsad.db")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// app is the wired product: store, media, pipeline and metrics.
type app struct {
	data     string // the data directory: media, keys
	flags    storeFlags
	store    *store.Store
	blobs    *blob.Store
	pipeline *pipeline.Pipeline
	metrics  *metrics.Metrics
	log      *slog.Logger
	// models holds the live text model and trains new ones; nil until plugged.
	models *textmodel.Service
	// index matches PDQ hashes against the banks; nil until plugged.
	index pdqIndex
	// sources collects posts from configured sources; nil when the
	// command does not collect.
	sources *source.Service
	// guard keeps collection and webhooks off inside addresses but those
	// the allow-list names: the stored list, and --allow-private where
	// the command has it.
	guard *netguard.Guard
	// videoStatus says whether video is hashed (vPDQ): "ok", or why not.
	videoStatus string
	// ocrStatus says whether text on images is read (OCR): "ok", or why not.
	ocrStatus string
	// progressTo is where start-up progress bars go (stderr).
	progressTo io.Writer
	// background runs while the server serves, until its context ends.
	background []func(ctx context.Context)
	// shutdown runs once the server has stopped serving.
	shutdown []func(ctx context.Context) error
	// checkpointEvery is how often a serving app signs a checkpoint of
	// the audit chain; 0 means defaultCheckpointEvery.
	checkpointEvery time.Duration
}

// pdqIndex is the in-memory PDQ index over every enabled bank.
type pdqIndex interface {
	MatchPDQ(ctx context.Context, hash string) ([]model.Match, error)
	// Added tells the index of entries just stored.
	Added(entries []model.BankEntry)
}

// maxMediaBytes bounds one media file at ingest.
const maxMediaBytes = 50 << 20

func openApp(ctx context.Context, f storeFlags, log *slog.Logger) (*app, error) {
	s, err := store.Open(ctx, f.dsn())
	if err != nil {
		return nil, err
	}
	a := &app{data: f.data, flags: f, store: s, blobs: blob.New(filepath.Join(f.data, "media"), maxMediaBytes), metrics: metrics.New(), log: log, progressTo: os.Stderr}
	a.metrics.WatchStore(server.StoreHealth(s))
	a.pipeline = &pipeline.Pipeline{Store: s, Blobs: a.blobs, MaxMediaBytes: maxMediaBytes, Metrics: a.metrics, MediaExclude: f.ownFiles()}
	if err := plugStages(ctx, a, f.stages); err != nil {
		s.Close()
		return nil, err
	}
	a.guard = netguard.New(netguard.List{})
	if err := a.guard.Load(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) Close() error { return a.store.Close() }

// progress returns a progress bar on stderr when it is a terminal, and a
// silent one otherwise, so logs and pipes stay clean.
func progress(w io.Writer, total int64, what string) *progressbar.ProgressBar {
	if !isTerminal(w) {
		return progressbar.DefaultSilent(total, what)
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("items"),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
}

func logger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// progressFunc adapts progress to a done-of-total callback, for packages
// that report progress that way.
func progressFunc(e env, what string) func(done, total int) {
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progress(e.stderr, int64(total), what)
		}
		bar.Set(done)
		if done >= total {
			bar.Finish()
		}
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
