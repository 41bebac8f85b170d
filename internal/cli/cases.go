package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

func runCases(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "list" {
		if len(e.args) > 0 && (e.args[0] == "-h" || e.args[0] == "--help") {
			fmt.Fprintln(e.stdout, "Usage: marsad cases list [--state S] [--label L] [--lang L] [--platform P] [--limit N] [--offset N] [--json]")
			return nil
		}
		return fmt.Errorf("%w: marsad cases list [flags]", errUsage)
	}
	fs := newFlags(e, "cases list", "cases list [flags]\n\nLists cases in queue order: highest priority first, then oldest.")
	var sf storeFlags
	sf.register(fs)
	state := fs.String("state", "open", "open, decided, actioned, appealed, closed, or all")
	label := fs.String("label", "", "only cases with this label")
	lang := fs.String("lang", "", "only cases in this language")
	platform := fs.String("platform", "", "only cases from this platform")
	limit := fs.Int("limit", 50, "cases per page")
	offset := fs.Int("offset", 0, "cases to skip")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}); err != nil {
		return err
	}
	if *label != "" && !model.Label(*label).Valid() {
		return fmt.Errorf("%w: unknown label %q (want one of %v)", errUsage, *label, model.Labels)
	}
	if *state == "all" {
		*state = ""
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	cs, total, err := a.store.Cases(ctx, store.CaseFilter{State: model.CaseState(*state), Label: model.Label(*label), Lang: *lang, Platform: *platform, Limit: *limit, Offset: *offset})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"total": total, "cases": cs})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPRIO\tSTATE\tKIND\tLANG\tPLATFORM\tLABELS\tWHY")
	for _, c := range cs {
		labels := make([]string, len(c.Labels))
		for i, l := range c.Labels {
			labels[i] = string(l)
		}
		why := ""
		if len(c.Reasons) > 0 {
			why = c.Reasons[0].Detail
			if len(c.Reasons) > 1 {
				why += fmt.Sprintf(" (+%d)", len(c.Reasons)-1)
			}
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Priority, c.State, c.Kind, c.Lang, c.Platform, strings.Join(labels, ","), why)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d of %d cases\n", len(cs), total)
	return nil
}
