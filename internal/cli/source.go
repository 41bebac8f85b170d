package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/time/rate"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/source"
)

const sourceSynopsis = `source <add|list|pause|resume|rm|run> [flags] ...

  source add --kind feed --name NAME --url URL [--interval 15m] [--no-media]
  source add --kind telegram --name NAME --channel NAME [--depth 100] [--base-url URL]
  source add --kind x-search --name NAME --query QUERY [--max-results 100] [--max-pages 5] [--bearer-env VAR]
  source add --kind KIND --name NAME [--interval 15m] CONFIG-JSON
  source list            health of each source: posts stored, items skipped
                         (by reason: empty, duplicate, refused), last error
  source pause NAME | source resume NAME | source rm NAME
  source run NAME        poll once now (and on while there is more at once)

A source is a place marsad collects posts from by itself; marsad serve
polls each one on its schedule. Give its configuration by named flags,
checked as the Sources page checks its form, or as CONFIG-JSON:

  feed      {"url": "https://example.org/feed.xml"}
  telegram  {"channel": "NAME", "depth": 100}
  x-search  {"query": "from:NAME -is:retweet"}

Intervals are written as people write them: 15m, 1h30m, 90s.
Addresses inside the network are refused unless --allow-private (or the
admin page Private addresses) lists them.

See docs/sources.md.`

// fetchFlags are the politeness and safety settings of collection.
type fetchFlags struct {
	userAgent    string
	hosts        string
	perHost      float64
	allowPrivate string
}

func (f *fetchFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.userAgent, "user-agent", envOr("MARSAD_USER_AGENT", source.DefaultUserAgent), "User-Agent of collection requests (env MARSAD_USER_AGENT)")
	fs.StringVar(&f.hosts, "source-hosts", os.Getenv("MARSAD_SOURCE_HOSTS"), "comma-separated hosts sources may fetch from; empty allows all public hosts (env MARSAD_SOURCE_HOSTS)")
	fs.Float64Var(&f.perHost, "per-host", 1, "requests a second to one host when collecting")
	fs.StringVar(&f.allowPrivate, "allow-private", os.Getenv("MARSAD_ALLOW_PRIVATE"), "comma-separated host names, IP addresses and CIDR ranges inside the network that sources and the webhook may reach, e.g. rss-bridge.unit.lan,10.20.0.0/16; empty allows public addresses only; admins add more under Admin > Private addresses (env MARSAD_ALLOW_PRIVATE)")
}

// guard applies --allow-private to the app's guard, beside the stored
// allow-list.
func (f *fetchFlags) guard(ctx context.Context, a *app) error {
	l, err := netguard.Parse(f.allowPrivate)
	if err != nil {
		return fmt.Errorf("%w: --allow-private: %v", errUsage, err)
	}
	g := netguard.New(l)
	if err := g.Load(ctx, a.store); err != nil {
		return err
	}
	a.guard = g
	return nil
}

func (f *fetchFlags) options() source.FetchOptions {
	var hosts []string
	for h := range strings.SplitSeq(f.hosts, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			hosts = append(hosts, h)
		}
	}
	return source.FetchOptions{UserAgent: f.userAgent, Hosts: hosts, PerHost: rate.Limit(f.perHost)}
}

// sourceService wires the source rules to the app.
func (a *app) sourceService(opt source.FetchOptions) *source.Service {
	if opt.Guard == nil {
		opt.Guard = a.guard
	}
	return &source.Service{Store: a.store, Pipeline: a.pipeline, Metrics: a.metrics, Log: a.log,
		Env: source.Env{Fetcher: source.NewFetcher(opt)}}
}

func runSource(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintf(e.stdout, "Usage: marsad %s\n", sourceSynopsis)
		if len(e.args) == 0 {
			return fmt.Errorf("%w: name a source subcommand", errUsage)
		}
		return flag.ErrHelp
	}
	sub := e.args[0]
	fs := newFlags(e, "source "+sub, sourceSynopsis)
	var sf storeFlags
	sf.register(fs)
	var ff fetchFlags
	ff.register(fs)
	kind := fs.String("kind", "", "kind of source: "+strings.Join(source.KindNames(source.DefaultKinds()), ", ")+" (add)")
	name := fs.String("name", "", "name of the source (add)")
	interval := fs.String("interval", source.FormatInterval(source.DefaultInterval), "time between polls, e.g. 15m, 1h30m (add)")
	paused := fs.Bool("paused", false, "add the source paused")
	// One flag for each named field of the kinds' forms: --url, --channel,
	// --depth, --query, --no-media, ...
	fields := map[string]func() string{}
	for _, k := range source.KindNames(source.DefaultKinds()) {
		for _, f := range source.Fields(k) {
			if _, ok := fields[f.Name]; ok {
				continue
			}
			flagName := strings.ReplaceAll(f.Name, "_", "-")
			if f.Type == "check" {
				b := fs.Bool(flagName, false, f.Name+" (add)")
				fields[f.Name] = func() string {
					if *b {
						return "1"
					}
					return ""
				}
				continue
			}
			v := fs.String(flagName, "", f.Name+" (add: "+k+")")
			fields[f.Name] = func() string { return *v }
		}
	}
	if err := parseFlags(fs, env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}); err != nil {
		return err
	}
	args := fs.Args()
	need := func(n int, what string) error {
		if len(args) != n {
			return fmt.Errorf("%w: source %s wants %s", errUsage, sub, what)
		}
		return nil
	}
	switch sub {
	case "add":
		if len(args) > 1 {
			return fmt.Errorf("%w: source add wants named flags or one CONFIG-JSON argument", errUsage)
		}
	case "list":
		if err := need(0, "no arguments"); err != nil {
			return err
		}
	case "pause", "resume", "rm", "run":
		if err := need(1, "a source name"); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: unknown source subcommand %q", errUsage, sub)
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	if err := ff.guard(ctx, a); err != nil {
		return err
	}
	svc := a.sourceService(ff.options())
	switch sub {
	case "add":
		src, err := sourceToAdd(fs, *kind, *name, *interval, args, fields)
		if err == nil {
			src.Paused = *paused
			err = svc.Add(ctx, src)
		}
		if err != nil {
			if errors.Is(err, source.ErrInvalid) {
				return fmt.Errorf("%w: %v", errUsage, err)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "source %q added (%s, every %s)\n", src.Name, src.Kind, source.FormatInterval(src.Interval))
	case "list":
		list, err := a.store.Sources(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tEVERY\tSTATE\tLAST SUCCESS\tPOSTS TODAY\tPOSTS\tSKIPPED\tLAST ERROR")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", s.Name, s.Kind, source.FormatInterval(s.Interval), sourceState(s), when(s.Health.LastSuccess),
				s.Health.PostsToday, s.Health.PostsTotal, skippedText(s.Health), s.Health.LastError)
		}
		return tw.Flush()
	case "pause":
		return svc.Pause(ctx, args[0])
	case "resume":
		return svc.Resume(ctx, args[0])
	case "rm":
		return svc.Remove(ctx, args[0])
	case "run":
		src, err := a.store.SourceByName(ctx, args[0])
		if err != nil {
			return err
		}
		total := source.Result{Skipped: map[string]int{}}
		for {
			res, err := svc.PollOnce(ctx, src.ID)
			total.Fetched += res.Fetched
			total.Created += res.Created
			total.Refused += res.Refused
			for r, n := range res.Skipped {
				total.Skipped[r] += n
			}
			for _, p := range res.Problems {
				fmt.Fprintf(e.stderr, "marsad source run: %s\n", p)
			}
			if err != nil {
				return err
			}
			if !res.More {
				break
			}
		}
		skipped := model.SourceHealth{Skipped: map[string]int64{}}
		for r, n := range total.Skipped {
			skipped.Skipped[r] = int64(n)
		}
		fmt.Fprintf(e.stdout, "%s: %d read, %d new, %d refused; items skipped: %s\n", src.Name, total.Fetched, total.Created, total.Refused, skippedText(skipped))
	}
	return nil
}

// skippedText is the count of items a source skipped, with the count of
// each reason: "3 (duplicate 2, empty 1)".
func skippedText(h model.SourceHealth) string {
	if len(h.Skipped) == 0 {
		return "0"
	}
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(h.Skipped)) {
		parts = append(parts, fmt.Sprintf("%s %d", r, h.Skipped[r]))
	}
	return fmt.Sprintf("%d (%s)", h.SkippedTotal(), strings.Join(parts, ", "))
}

// sourceState is how a source is doing, in one word.
func sourceState(s model.Source) string {
	switch {
	case s.Paused:
		return "paused"
	case s.Health.Failures > 0:
		return "failing"
	case s.Health.LastSuccess.IsZero():
		return "new"
	}
	return "ok"
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateTime)
}

// sourceToAdd is the source named on the command line: from its named
// flags, read by the same rules as the Sources page's form, or from
// CONFIG-JSON as given.
func sourceToAdd(fs *flag.FlagSet, kind, name, interval string, args []string, fields map[string]func() string) (*model.Source, error) {
	named := false
	fs.Visit(func(f *flag.Flag) {
		if _, ok := fields[strings.ReplaceAll(f.Name, "-", "_")]; ok {
			named = true
		}
	})
	if len(args) == 1 {
		if named {
			return nil, fmt.Errorf("%w: source add wants named flags or CONFIG-JSON, not both", errUsage)
		}
		every, err := source.ParseInterval(interval)
		if err != nil {
			return nil, err
		}
		return &model.Source{Kind: kind, Name: name, Config: []byte(args[0]), Interval: every}, nil
	}
	values := map[string]string{}
	for k, v := range fields {
		values[k] = v()
	}
	return source.FromForm(source.Form{Kind: kind, Name: name, Interval: interval, Values: values})
}
