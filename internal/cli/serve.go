package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/server"
)

// defaultAddr is marsad's own port on loopback.
const defaultAddr = "127.0.0.1:8470"

// defaultCheckpointEvery is how often serve signs an audit checkpoint: a
// tail cut within that long of a crash (no shutdown checkpoint) is the
// most that can go unseen.
const defaultCheckpointEvery = 5 * time.Minute

func runServe(ctx context.Context, e env) error {
	fs := newFlags(e, "serve", "serve [flags]\n\nServes the API, the web UI, /healthz and /metrics. Signs a checkpoint of the\naudit chain at start, every --checkpoint-every and at shutdown, so that\nmarsad audit verify detects a tail cut from the log.\n\nBehind a reverse proxy, set MARSAD_TRUSTED_PROXIES to its addresses or\nnetworks (comma-separated): X-Forwarded-For is read only from them, and\nthe client is its rightmost address that is not a listed proxy.")
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", envOr("MARSAD_ADDR", defaultAddr), "address to listen on (env MARSAD_ADDR)")
	maxBody := fs.Int64("max-body", 10<<20, "largest accepted request body in bytes")
	verbose := fs.Bool("v", false, "log every request")
	checkpointEvery := fs.Duration("checkpoint-every", defaultCheckpointEvery, "how often to sign a checkpoint of the audit chain")
	var ff fetchFlags
	ff.register(fs)
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	log := logger(e.stderr, *verbose)
	a, err := openApp(ctx, sf, log)
	if err != nil {
		return err
	}
	defer a.Close()
	a.checkpointEvery = *checkpointEvery
	if err := ff.guard(ctx, a); err != nil {
		return err
	}
	a.sources = a.sourceService(ff.options())
	return a.serve(ctx, e, *addr, *maxBody)
}

// handler builds the whole HTTP surface of the app.
func (a *app) handler(maxBody int64) (http.Handler, error) {
	ap := &api.API{Store: a.store, Pipeline: a.pipeline, MaxBody: maxBody, Log: a.log}
	if a.index != nil {
		ap.Matcher = a.index
		ap.OnBankChange = a.index.Added
	}
	srv := &server.Server{Store: a.store, API: ap, Metrics: a.metrics, Log: a.log, Video: a.videoStatus, OCR: a.ocrStatus}
	if err := mountUI(a, srv, ap); err != nil {
		return nil, err
	}
	return srv.Handler(), nil
}

func (a *app) serve(ctx context.Context, e env, addr string, maxBody int64) error {
	h, err := a.handler(maxBody)
	if err != nil {
		return err
	}
	if a.sources != nil {
		// Every configured source is polled on its own schedule.
		a.background = append(a.background, a.sources.Run)
	}
	for _, run := range a.background {
		go run(ctx)
	}
	err = server.ListenAndServe(ctx, addr, h, func(ln net.Addr) {
		a.log.Info("listening", "addr", ln.String(), "store", a.store.Dialect())
		fmt.Fprintf(e.stdout, "marsad is serving on http://%s/  (API: /api/v1/, health: /healthz, metrics: /metrics; Ctrl-C stops)\n", ln)
	})
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, fn := range a.shutdown {
		if ferr := fn(sctx); ferr != nil {
			a.log.Warn("shutdown", "err", ferr)
		}
	}
	return err
}
