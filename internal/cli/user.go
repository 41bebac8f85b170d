package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/org"
	"github.com/marsad/marsad/internal/store"
)

const userSynopsis = `user add [--role admin|reviewer|analyst] [--lang en|ar|fr] [--org ORG] NAME
       marsad user passwd NAME
       marsad user list
       marsad user key add --scopes read,write --platform NAME PARTNER
       marsad user key add --scopes read,all-platforms PARTNER
       marsad user key add --scopes read --org ORG PARTNER
       marsad user key list
       marsad user key revoke ID

Manages the people who sign in to the web UI and the partners' API keys.
A password is read from standard input (its first line), or asked for twice
when standard input is a terminal. An API key is printed once: only its hash
is kept. Scopes: read (GET requests), write (send posts, match), audit
(read the audit log: for the unit's own tools only, so not with
--platform), all-platforms (every
platform's cases and posts). A key is bound to its partner's platform with
--platform, and then reads and sends only that platform's posts and cases;
a key without --platform needs the all-platforms scope.
Users and keys belong to the unit unless --org names another organisation
(marsad org list): a platform's users are analysts who see only their
platform's cases and orders, and its keys are bound to that platform; an
agency's users and keys see nothing until something is shared with it.
Create the first admin with: marsad user add --role admin NAME`

func runUser(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintf(e.stdout, "Usage: marsad %s\n", userSynopsis)
		if len(e.args) == 0 {
			return fmt.Errorf("%w: a subcommand is required: add, passwd, list or key", errUsage)
		}
		return flag.ErrHelp
	}
	// The subcommand (and the key's) come first; flags follow them.
	sub, rest := []string{e.args[0]}, e.args[1:]
	if sub[0] == "key" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		sub, rest = append(sub, rest[0]), rest[1:]
	}
	fs := newFlags(e, "user "+strings.Join(sub, " "), userSynopsis)
	var sf storeFlags
	sf.register(fs)
	role := fs.String("role", auth.RoleAnalyst, "role of a new user: admin, reviewer or analyst")
	lang := fs.String("lang", "en", "language of a new user's pages: en or ar")
	scopes := fs.String("scopes", auth.ScopeRead, "scopes of a new API key, comma-separated: read, write, audit, all-platforms")
	platform := fs.String("platform", "", "the one platform whose posts and cases a new API key may read and send")
	orgName := fs.String("org", "", "the organisation a new user or API key belongs to (default: the unit)")
	if err := parseFlags(fs, env{args: rest, stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}); err != nil {
		return err
	}
	args := append(sub, fs.Args()...)
	st, err := store.Open(ctx, sf.dsn())
	if err != nil {
		return err
	}
	defer st.Close()
	as, err := auth.New(st, auth.Config{})
	if err != nil {
		return err
	}
	const actor = "cli"
	// The command line is the unit's admin: whoever holds the database.
	cliAdmin := &auth.Principal{Name: actor, Role: auth.RoleAdmin}
	orgs := org.New(st, as)
	switch args[0] {
	case "add":
		if len(args) != 2 {
			return fmt.Errorf("%w: user add takes one NAME", errUsage)
		}
		pw, err := readPassword(e, args[1])
		if err != nil {
			return err
		}
		u, err := orgs.AddUser(ctx, cliAdmin, *orgName, args[1], *role, pw, *lang)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s added with role %s\n", u.Name, u.Role)
	case "passwd":
		if len(args) != 2 {
			return fmt.Errorf("%w: user passwd takes one NAME", errUsage)
		}
		pw, err := readPassword(e, args[1])
		if err != nil {
			return err
		}
		if err := as.SetPassword(ctx, args[1], pw, actor); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of %s changed; their sessions are ended\n", args[1])
	case "list":
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		orgName, err := orgNames(ctx, st)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tLANG\tSTATE\tCREATED\tORGANISATION")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, u.Lang, state, u.CreatedAt.Format("2006-01-02"), orgName[u.OrgID])
		}
		return tw.Flush()
	case "key":
		return runUserKey(ctx, e, st, orgs, cliAdmin, args[1:], *scopes, *platform, *orgName)
	default:
		return fmt.Errorf("%w: unknown subcommand %q (want add, passwd, list or key)", errUsage, args[0])
	}
	return nil
}

func runUserKey(ctx context.Context, e env, st *store.Store, orgs *org.Service, admin *auth.Principal, args []string, scopes, platform, orgName string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: user key needs add, list or revoke", errUsage)
	}
	switch args[0] {
	case "add":
		if len(args) != 2 {
			return fmt.Errorf("%w: user key add takes one PARTNER name", errUsage)
		}
		var sc []string
		for _, s := range strings.Split(scopes, ",") {
			if s = strings.TrimSpace(s); s != "" {
				sc = append(sc, s)
			}
		}
		key, k, err := orgs.AddKey(ctx, admin, orgName, args[1], sc, platform)
		if err != nil {
			return err
		}
		bound := "every platform"
		switch {
		case k.Platform != "":
			bound = "platform " + k.Platform
		case !slices.Contains(k.Scopes, auth.ScopeAllPlatforms):
			bound = "no platform"
		}
		fmt.Fprintf(e.stderr, "API key %d for %s with scopes %s, for %s; it is shown only now:\n", k.ID, k.Name, strings.Join(k.Scopes, ","), bound)
		fmt.Fprintln(e.stdout, key)
	case "list":
		keys, err := st.APIKeys(ctx)
		if err != nil {
			return err
		}
		orgName, err := orgNames(ctx, st)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPARTNER\tSTARTS\tSCOPES\tPLATFORM\tCREATED\tLAST USED\tSTATE\tORGANISATION")
		for _, k := range keys {
			state, used := "active", "never"
			if !k.RevokedAt.IsZero() {
				state = "revoked " + k.RevokedAt.Format("2006-01-02")
			}
			if !k.LastUsedAt.IsZero() {
				used = k.LastUsedAt.Format("2006-01-02 15:04")
			}
			platform := k.Platform
			if platform == "" {
				platform = "-"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, strings.Join(k.Scopes, ","), platform, k.CreatedAt.Format("2006-01-02"), used, state, orgName[k.OrgID])
		}
		return tw.Flush()
	case "revoke":
		if len(args) != 2 {
			return fmt.Errorf("%w: user key revoke takes one ID", errUsage)
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: key id %q is not a number", errUsage, args[1])
		}
		if err := st.RevokeAPIKey(ctx, id, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "API key %d revoked\n", id)
	default:
		return fmt.Errorf("%w: unknown key subcommand %q (want add, list or revoke)", errUsage, args[0])
	}
	return nil
}

// readPassword asks for the password twice on a terminal, or reads the
// first line of standard input otherwise.
func readPassword(e env, name string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(e.stderr, "Password for %s: ", name)
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(e.stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), auth.CheckPassword(string(a))
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input (pipe it in, e.g. printf '%s\\n' \"$PW\" | marsad user add ...)")
	}
	return pw, auth.CheckPassword(pw)
}

// orgNames maps organisation ids to names, for listings.
func orgNames(ctx context.Context, st *store.Store) (map[int64]string, error) {
	list, err := st.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(list))
	for _, o := range list {
		out[o.ID] = o.Name
	}
	return out, nil
}
