package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/marsad/marsad/internal/store"
)

func runAudit(ctx context.Context, e env) error {
	usage := "audit <verify|list> [flags]\n\n  audit verify   recompute the hash chain and name the first event that does not fit;\n                 check the last signed checkpoint (a cut tail fails), then sign a new one\n  audit list     print events (--subject case:12, --after N, --limit N)"
	if len(e.args) == 0 || (e.args[0] != "verify" && e.args[0] != "list") {
		fmt.Fprintf(e.stdout, "Usage: marsad %s\n", usage)
		if len(e.args) > 0 && (e.args[0] == "-h" || e.args[0] == "--help") {
			return nil
		}
		return fmt.Errorf("%w: name verify or list", errUsage)
	}
	sub := e.args[0]
	fs := newFlags(e, "audit "+sub, usage)
	var sf storeFlags
	sf.register(fs)
	subject := fs.String("subject", "", "only events about this subject, e.g. case:12 (list)")
	after := fs.Int64("after", 0, "only events after this sequence number (list)")
	limit := fs.Int("limit", 100, "events to print (list)")
	if err := parseFlags(fs, env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}); err != nil {
		return err
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "verify" {
		n, err := a.store.VerifyAudit(ctx)
		var p *store.AuditProblem
		if errors.As(err, &p) {
			return fmt.Errorf("audit log BROKEN after %d good events: %v", n, p)
		}
		if err != nil {
			return err
		}
		key, err := sf.evidenceKey(e.stderr)
		if err != nil {
			return err
		}
		checked, err := checkCheckpoints(ctx, a.store, sf.keyDir(), key.Public().(ed25519.PublicKey))
		if errors.As(err, &p) {
			return fmt.Errorf("audit log BROKEN: %d events form an intact chain, but event %v", n, p)
		}
		if err != nil {
			return err
		}
		last, _ := a.store.AuditEvents(ctx, store.AuditFilter{AfterSeq: n - 1, Limit: 1})
		head := "(empty)"
		if len(last) == 1 {
			head = last[0].Hash
		}
		fmt.Fprintf(e.stdout, "audit log OK: %d events, head %s\n", n, head)
		if checked == nil {
			fmt.Fprintln(e.stdout, "  no signed checkpoint before this one: a cut tail could not be detected yet")
		} else {
			fmt.Fprintf(e.stdout, "  consistent with the signed checkpoint of %s (%d events)\n", checked.At.Format("2006-01-02 15:04:05 MST"), checked.Seq)
		}
		if _, err := checkpointAudit(ctx, a.store, sf.keyDir(), key); err != nil {
			return err
		}
		return nil
	}
	evs, err := a.store.AuditEvents(ctx, store.AuditFilter{Subject: *subject, AfterSeq: *after, Limit: *limit})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tACTION\tSUBJECT\tDETAIL")
	for _, ev := range evs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", ev.Seq, ev.At.Format("2006-01-02 15:04:05"), ev.Actor, ev.Action, ev.Subject, ev.Detail)
	}
	return tw.Flush()
}

// checkpointFile keeps a copy of the latest signed audit checkpoint beside
// the signing key, outside the database: whoever empties both audit tables
// still cannot make the log look complete.
const checkpointFile = "audit.checkpoint"

// checkpointAudit signs the audit chain's head with the evidence key,
// stores it in the database and copies it to the key folder.
func checkpointAudit(ctx context.Context, st *store.Store, keyDir string, key ed25519.PrivateKey) (*store.AuditCheckpoint, error) {
	cp, err := st.SaveAuditCheckpoint(ctx, key)
	if err != nil || cp == nil {
		return cp, err
	}
	b, _ := json.MarshalIndent(cp, "", "  ")
	tmp := filepath.Join(keyDir, checkpointFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return cp, fmt.Errorf("audit checkpoint copy: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(keyDir, checkpointFile)); err != nil {
		return cp, fmt.Errorf("audit checkpoint copy: %w", err)
	}
	return cp, nil
}

// checkCheckpoints checks the log against the latest checkpoint in the
// database and the copy in the key folder, and returns the longer one.
func checkCheckpoints(ctx context.Context, st *store.Store, keyDir string, pub ed25519.PublicKey) (*store.AuditCheckpoint, error) {
	var cps []*store.AuditCheckpoint
	db, err := st.LatestAuditCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if db != nil {
		cps = append(cps, db)
	}
	b, err := os.ReadFile(filepath.Join(keyDir, checkpointFile))
	switch {
	case err == nil:
		var c store.AuditCheckpoint
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(keyDir, checkpointFile), err)
		}
		cps = append(cps, &c)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	var best *store.AuditCheckpoint
	for _, c := range cps {
		if err := st.CheckAuditCheckpoint(ctx, c, pub); err != nil {
			return nil, err
		}
		if best == nil || c.Seq > best.Seq {
			best = c
		}
	}
	return best, nil
}

// auditCheckpoints signs a checkpoint of the audit chain when the server
// starts and every interval while it runs, so a tail cut later is caught
// by audit verify even if verify never ran before.
func auditCheckpoints(ctx context.Context, st *store.Store, keyDir string, key ed25519.PrivateKey, every time.Duration, log *slog.Logger) {
	sign := func() {
		if err := signCheckpoint(ctx, st, keyDir, key); err != nil && ctx.Err() == nil {
			log.Error("audit checkpoint", "err", err)
		}
	}
	sign()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sign()
		}
	}
}

// signCheckpoint signs a checkpoint of the chain's head, but only over a
// log that still holds the last signed one: a log whose tail was cut is
// reported and never signed again, which would hide the cut.
func signCheckpoint(ctx context.Context, st *store.Store, keyDir string, key ed25519.PrivateKey) error {
	if _, err := checkCheckpoints(ctx, st, keyDir, key.Public().(ed25519.PublicKey)); err != nil {
		var p *store.AuditProblem
		if errors.As(err, &p) {
			return fmt.Errorf("audit log BROKEN, no checkpoint signed over it (run marsad audit verify): event %v", p)
		}
		return err
	}
	_, err := checkpointAudit(ctx, st, keyDir, key)
	return err
}
