package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/marsad/marsad/internal/store"
)

func runAudit(ctx context.Context, e env) error {
	usage := "audit <verify|list> [flags]\n\n  audit verify   recompute the hash chain and name the first event that does not fit\n  audit list     print events (--subject case:12, --after N, --limit N)"
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
		last, _ := a.store.AuditEvents(ctx, store.AuditFilter{AfterSeq: n - 1, Limit: 1})
		head := "(empty)"
		if len(last) == 1 {
			head = last[0].Hash
		}
		fmt.Fprintf(e.stdout, "audit log OK: %d events, head %s\n", n, head)
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
