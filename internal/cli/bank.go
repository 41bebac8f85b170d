package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/banks"
	"github.com/marsad/marsad/internal/model"
)

const bankSynopsis = `bank <create|list|import|export|enable|disable|rm> [flags] ...

  bank create NAME [--owner O] [--description D] [--auto-action] [--disabled]
  bank list
  bank import NAME FILE.csv|-   [--type pdq|sha256|md5|url|wallet] [--label L] [--source S]
  bank import NAME FILE.txt|DIR [--format vpdq] [--label L] [--source S]
  bank export NAME [FILE.csv]   [--format csv|hashes]
  bank export NAME DIR --format vpdq
  bank enable NAME | bank disable NAME
  bank auto-action NAME on|off
  bank rm NAME

A bank is a named list of known-bad signals with provenance. import reads
marsad's own CSV (type,value,label,source,added_at), one hash per line, or
any header naming a hash column (hash, pdq, pdq_hex, signal, value, with
optional label, source, quality, time). Bad lines are reported by number and
the rest are imported.

export writes CSV for spreadsheets: a UTF-8 byte order mark, and a quote
before any cell a spreadsheet would run as a formula (starting with = + -
@, tab or CR; plain numbers such as -12 stay as they are). import reads
such a file back unchanged. --format hashes writes plain hex, one hash a
line, for partners' tools.

Video banks use ThreatExchange's vPDQ hash files (frame,quality,pdq_hex,
seconds a line; one video a file). import recognises such a file, or a
folder of them, by its content (or take --format vpdq); each file becomes
one entry, its source the file name unless --source is given. export
--format vpdq writes one ID.txt file per video into DIR.`

func runBank(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintf(e.stdout, "Usage: marsad %s\n", bankSynopsis)
		if len(e.args) == 0 {
			return fmt.Errorf("%w: name a bank subcommand", errUsage)
		}
		return flag.ErrHelp
	}
	sub := e.args[0]
	fs := newFlags(e, "bank "+sub, bankSynopsis)
	var sf storeFlags
	sf.register(fs)
	owner := fs.String("owner", "", "who shared the bank (create)")
	desc := fs.String("description", "", "what the bank holds (create)")
	auto := fs.Bool("auto-action", false, "the owner allows action without a human decision on a match (create)")
	disabled := fs.Bool("disabled", false, "create the bank disabled")
	typ := fs.String("type", "", "signal type of rows that name none (import; default pdq)")
	label := fs.String("label", "", "label of rows that name none (import)")
	source := fs.String("source", "", "source of rows that name none (import)")
	format := fs.String("format", "", "import: csv or vpdq (default: recognised from the file); export: csv (type,value,label,source,added_at, the default), hashes (one PDQ hash per line) or vpdq (ThreatExchange's vPDQ files, one per video, into a folder)")
	if err := parseFlags(fs, env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}); err != nil {
		return err
	}
	args := fs.Args()
	need := func(n int, what string) error {
		if len(args) != n {
			return fmt.Errorf("%w: bank %s wants %s", errUsage, sub, what)
		}
		return nil
	}
	switch sub {
	case "create", "list", "import", "export", "enable", "disable", "auto-action", "rm":
	default:
		return fmt.Errorf("%w: unknown bank subcommand %q", errUsage, sub)
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	s := a.store
	svc := banks.New(s, nil) // the CLI process keeps no PDQ index
	switch sub {
	case "create":
		if err := need(1, "NAME"); err != nil {
			return err
		}
		b := &model.Bank{Name: args[0], Owner: *owner, Description: *desc, Enabled: !*disabled, AutoAction: *auto}
		if err := svc.Create(ctx, b, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "bank %q created\n", b.Name)
	case "list":
		bs, err := s.Banks(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tENTRIES\tENABLED\tAUTO-ACTION\tOWNER\tCREATED")
		for _, b := range bs {
			fmt.Fprintf(tw, "%s\t%d\t%t\t%t\t%s\t%s\n", b.Name, b.Entries, b.Enabled, b.AutoAction, b.Owner, b.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	case "import":
		if err := need(2, "NAME FILE.csv|-"); err != nil {
			return err
		}
		if _, err := s.Bank(ctx, args[0]); err != nil {
			return err
		}
		if *format == "vpdq" || (*format == "" && args[1] != "-" && isVPDQ(args[1])) {
			return importVPDQ(ctx, e, s, args[0], args[1], model.Label(*label), *source)
		}
		if *format != "" && *format != "csv" {
			return fmt.Errorf("%w: unknown import format %q (want csv or vpdq)", errUsage, *format)
		}
		var r io.Reader = e.stdin
		if args[1] != "-" {
			f, err := os.Open(args[1])
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		res, err := svc.Import(ctx, args[0], r, bank.ParseOptions{Type: model.SignalType(*typ), Label: model.Label(*label), Source: *source}, "cli")
		if err != nil {
			return fmt.Errorf("%s: %w", args[1], err)
		}
		for _, b := range res.Refused {
			fmt.Fprintf(e.stderr, "%s: %v\n", args[1], b)
		}
		fmt.Fprintf(e.stdout, "bank %q: %d added, %d already present, %d lines refused\n", args[0], res.Added, res.Skipped, len(res.Refused))
		if len(res.Refused) > 0 {
			return fmt.Errorf("%d lines refused", len(res.Refused))
		}
	case "export":
		if len(args) < 1 || len(args) > 2 {
			return fmt.Errorf("%w: bank export wants NAME [FILE.csv]", errUsage)
		}
		if _, err := s.Bank(ctx, args[0]); err != nil {
			return err
		}
		if *format == "vpdq" {
			if len(args) != 2 || args[1] == "-" {
				return fmt.Errorf("%w: bank export NAME DIR --format vpdq writes one file per video into DIR", errUsage)
			}
			return exportVPDQ(ctx, e, s, args[0], args[1])
		}
		if *format == "" {
			*format = "csv"
		}
		w := e.stdout
		if len(args) == 2 && args[1] != "-" {
			f, err := os.Create(args[1])
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		return svc.Export(ctx, args[0], *format, w)
	case "enable", "disable", "auto-action":
		want := 1
		if sub == "auto-action" {
			want = 2
		}
		if err := need(want, "NAME"); err != nil {
			return err
		}
		b, err := s.Bank(ctx, args[0])
		if err != nil {
			return err
		}
		switch sub {
		case "enable":
			b.Enabled = true
		case "disable":
			b.Enabled = false
		default:
			if args[1] != "on" && args[1] != "off" {
				return fmt.Errorf("%w: bank auto-action NAME on|off", errUsage)
			}
			b.AutoAction = args[1] == "on"
		}
		if err := s.UpdateBank(ctx, b, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "bank %q: enabled=%t auto-action=%t\n", b.Name, b.Enabled, b.AutoAction)
	case "rm":
		if err := need(1, "NAME"); err != nil {
			return err
		}
		if err := s.DeleteBank(ctx, args[0], "cli"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "bank %q removed\n", args[0])
	}
	return nil
}
