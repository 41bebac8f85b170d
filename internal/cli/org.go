package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/store"
)

const orgSynopsis = `org add --kind platform --platform NAME ORG
       marsad org add --kind agency ORG
       marsad org list
       marsad org rename ORG NEW-NAME

Manages organisations: the unit itself (created with the database; every
user and key made without --org belongs to it), each platform and each
partner agency. A platform organisation names its platform as posts and
orders write it (telegram, x, facebook): its users and keys see only that
platform's cases and orders. An agency sees only what is shared with it,
and nothing is shared yet. Put people and keys in one with
marsad user add --org ORG and marsad user key add --org ORG
(docs/organisations.md).`

func runOrg(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintf(e.stdout, "Usage: marsad %s\n", orgSynopsis)
		if len(e.args) == 0 {
			return fmt.Errorf("%w: a subcommand is required: add, list or rename", errUsage)
		}
		return flag.ErrHelp
	}
	sub, rest := e.args[0], e.args[1:]
	fs := newFlags(e, "org "+sub, orgSynopsis)
	var sf storeFlags
	sf.register(fs)
	kind := fs.String("kind", "", "kind of a new organisation: platform or agency")
	platform := fs.String("platform", "", "for a platform: its name as posts and orders write it (telegram, x, facebook)")
	if err := parseFlags(fs, env{args: rest, stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}); err != nil {
		return err
	}
	args := fs.Args()
	st, err := store.Open(ctx, sf.dsn())
	if err != nil {
		return err
	}
	defer st.Close()
	as, err := auth.New(st, auth.Config{})
	if err != nil {
		return err
	}
	orgs := org.New(st, as)
	admin := &auth.Principal{Name: "cli", Role: auth.RoleAdmin}
	switch sub {
	case "add":
		if len(args) != 1 {
			return fmt.Errorf("%w: org add takes one ORG name (quote a name with spaces)", errUsage)
		}
		o, err := orgs.Create(ctx, admin, *kind, args[0], *platform)
		if err != nil {
			return err
		}
		if o.Platform != "" {
			fmt.Fprintf(e.stdout, "organisation %s added: %s for platform %s\n", o.Name, o.Kind, o.Platform)
		} else {
			fmt.Fprintf(e.stdout, "organisation %s added: %s\n", o.Name, o.Kind)
		}
	case "list":
		if len(args) != 0 {
			return fmt.Errorf("%w: org list takes no arguments", errUsage)
		}
		list, err := orgs.List(ctx)
		if err != nil {
			return err
		}
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		keys, err := st.APIKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tPLATFORM\tUSERS\tKEYS")
		for _, o := range list {
			var un, kn []string
			for _, u := range users {
				if u.OrgID == o.ID {
					un = append(un, u.Name)
				}
			}
			for _, k := range keys {
				if k.OrgID == o.ID && k.RevokedAt.IsZero() {
					kn = append(kn, fmt.Sprintf("%d:%s", k.ID, k.Name))
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Name, o.Kind, dash(o.Platform), dash(strings.Join(un, ",")), dash(strings.Join(kn, ",")))
		}
		return tw.Flush()
	case "rename":
		if len(args) != 2 {
			return fmt.Errorf("%w: org rename takes ORG and NEW-NAME", errUsage)
		}
		if err := orgs.Rename(ctx, admin, args[0], args[1]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "organisation %s renamed %s\n", args[0], args[1])
	default:
		return fmt.Errorf("%w: unknown subcommand %q (want add, list or rename)", errUsage, sub)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
