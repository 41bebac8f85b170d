package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/marsad/marsad/internal/networkcase"
	"github.com/marsad/marsad/network"
)

const networkSynopsis = `network [flags] FILE.csv|FILE.jsonl|-
       marsad network --store [--data DIR | --db DSN] [flags]
       marsad network --planted [flags]

Finds accounts that share the same objects (URLs, media hashes, hashtag
sequences, near-duplicate texts) within a time window of each other, groups
them into communities and ranks them. FILE holds one post per row with the
CooRTweet columns account_id, object_id, timestamp_share (or timestamp),
optionally content_id/post_id and object_type, or typed object columns
url_id, hashtag_id, domain_id, phash_id, pdq, media_hash, text; see
docs/network.md. With --planted, it instead generates synthetic planted
networks and prints recall and false positives per parameter setting.
With --store, it reads marsad's own posts (links, media, near-duplicate
texts; accounts are platform:author) and opens a case for each community of
--min-accounts or more; running it again updates those cases. It prints each
network saved and the summary, and writes the exports (--gexf, --graphml,
--edges, --accounts, --json, --coshares) from the network it saved; --type
takes url, media, phash and text there, and the flags that describe a file
or another mode (--format, --default-type, --flagged, --skip-communities,
--synthetic, --planted-*) are refused.`

type networkFlags struct {
	format, types, defType, flagged           string
	gexf, graphml, edges, accounts, jsonOut   string
	coshares                                  string
	strict, skipCommunities                   bool
	window                                    time.Duration
	minPart, minWeight, top                   int
	keepLoops, planted                        bool
	textThreshold, resolution                 float64
	seed                                      uint64
	plantedOrganic, plantedPosts, plantedRuns int
	synthetic                                 int
	fromStore                                 bool
	minAccounts                               int
	since                                     time.Duration
	store                                     storeFlags
}

func runNetwork(ctx context.Context, e env) error {
	fs := newFlags(e, "network", networkSynopsis)
	var f networkFlags
	fs.StringVar(&f.format, "format", "", "input format: csv or jsonl (default: from the file name; csv for stdin)")
	fs.DurationVar(&f.window, "window", network.DefaultWindow, "largest gap between two shares of an object that counts as a co-share")
	fs.IntVar(&f.minPart, "min-participation", network.DefaultMinParticipation, "shares of an object type an account needs to take part, and co-shared shares one of the two accounts of a co-share needs (CooRTweet's min_participation)")
	fs.BoolVar(&f.strict, "strict", false, "marsad's stricter filter instead of CooRTweet's: types pooled, participation counts distinct objects, both accounts of an edge must reach it")
	fs.BoolVar(&f.skipCommunities, "skip-communities", false, "detect the network and its connected groups only, without communities")
	fs.StringVar(&f.coshares, "coshares", "", "write every co-share (CooRTweet's detect_groups result) as CSV to `FILE`")
	fs.IntVar(&f.minWeight, "min-weight", 1, "drop edges with fewer co-shares")
	fs.BoolVar(&f.keepLoops, "keep-loops", false, "keep self-coordination (one account sharing an object twice within the window)")
	fs.StringVar(&f.types, "type", "", "comma-separated object types to keep (url, hashtag, domain, phash, text, object, ...); empty keeps all")
	fs.StringVar(&f.defType, "default-type", "object", "object type of an object_id column when there is no object_type column")
	fs.Float64Var(&f.textThreshold, "text-threshold", network.DefaultTextThreshold, "estimated Jaccard similarity at which two texts are near-duplicates")
	fs.StringVar(&f.flagged, "flagged", "", "file of already flagged objects, one `type:object` per line, for ranking")
	fs.Float64Var(&f.resolution, "resolution", 1, "community resolution (Leiden modularity)")
	fs.Uint64Var(&f.seed, "seed", 1, "community seed: the same seed gives the same partition")
	fs.IntVar(&f.top, "top", 10, "communities to list in the summary")
	fs.StringVar(&f.gexf, "gexf", "", "write the graph as GEXF for Gephi to `FILE`")
	fs.StringVar(&f.graphml, "graphml", "", "write the graph as GraphML to `FILE`")
	fs.StringVar(&f.edges, "edges", "", "write the edge list as CSV to `FILE`")
	fs.StringVar(&f.accounts, "accounts", "", "write accounts with community and component as CSV to `FILE`")
	fs.StringVar(&f.jsonOut, "json", "", "write the ranked communities with objects and timeline as JSON to `FILE`")
	fs.BoolVar(&f.planted, "planted", false, "evaluate on synthetic planted networks instead of reading FILE")
	fs.IntVar(&f.plantedOrganic, "planted-organic", 2000, "with --planted: organic accounts")
	fs.IntVar(&f.plantedPosts, "planted-posts", 40000, "with --planted: organic posts")
	fs.IntVar(&f.plantedRuns, "planted-runs", 3, "with --planted: data sets (seeds) per setting")
	fs.IntVar(&f.synthetic, "synthetic", 0, "instead of reading FILE, generate about `N` synthetic posts at a constant rate (for timing)")
	fs.BoolVar(&f.fromStore, "store", false, "read the stored posts and open network cases")
	fs.IntVar(&f.minAccounts, "min-accounts", 3, "with --store: smallest community that becomes a case")
	fs.DurationVar(&f.since, "since", 0, "with --store: only posts of this last period (e.g. 720h); 0 means all")
	f.store.register(fs)
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if f.fromStore {
		if fs.NArg() != 0 || f.planted {
			return fmt.Errorf("%w: --store takes no FILE and no --planted", errUsage)
		}
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		return runNetworkStore(ctx, e, f, set)
	}
	if f.planted {
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: --planted takes no FILE", errUsage)
		}
		return runPlanted(ctx, e, f)
	}
	if f.synthetic < 0 || (f.synthetic > 0) == (fs.NArg() == 1) || fs.NArg() > 1 {
		return fmt.Errorf("%w: want one FILE (or - for stdin) or --synthetic N, got %d arguments", errUsage, fs.NArg())
	}
	opts := network.Options{Window: f.window, MinParticipation: f.minPart, MinWeight: f.minWeight, KeepLoops: f.keepLoops, Strict: f.strict}
	if f.minPart < 1 || f.minWeight < 1 || f.window <= 0 {
		return fmt.Errorf("%w: --window, --min-participation and --min-weight must be positive", errUsage)
	}
	copts := network.CommunityOptions{Resolution: f.resolution, Seed: f.seed}
	if f.flagged != "" {
		set, err := readFlagged(f.flagged)
		if err != nil {
			return err
		}
		copts.Flagged = func(k network.Key) bool { return set[k] }
	}

	start := time.Now()
	d, err := network.NewDetector(opts)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	name := fs.Arg(0)
	var st network.ReadStats
	// Shares stream into the detector as they are read; texts wait until
	// all are read, because grouping near-duplicates needs them all.
	var texts []network.Share
	add := func(batch []network.Share) error {
		rest := batch[:0]
		for _, s := range batch {
			if s.ObjectType == "text" {
				texts = append(texts, s)
			} else {
				rest = append(rest, s)
			}
		}
		return d.Add(rest)
	}
	if f.synthetic > 0 {
		name = fmt.Sprintf("synthetic(%d)", f.synthetic)
		err = network.StreamPlanted(network.ScaledConfig(f.synthetic, f.seed), 1<<16, func(batch []network.Share) error {
			st.Rows += len(batch)
			return d.Add(batch)
		})
		st.Shares, st.ObjectTypes = st.Rows, map[string]int{"url": st.Rows}
	} else {
		st, err = streamShares(ctx, e, name, f, add)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(texts) > 0 {
		grouped, err := network.GroupTexts(texts, network.TextOptions{Threshold: f.textThreshold})
		if err != nil {
			return err
		}
		if err := d.Add(grouped); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		texts = nil
	}
	loaded := time.Now()
	stop := spinner(e, "filtering co-shares")
	g := d.Graph()
	stop()
	detected := time.Now()
	var cs []network.Community
	if !f.skipCommunities {
		stop = spinner(e, fmt.Sprintf("finding communities among %d accounts, %d edges", len(g.Accounts), len(g.Edges)))
		cs, err = network.Communities(g, copts)
		stop()
		if err != nil {
			return err
		}
	}
	done := time.Now()

	printSummary(e.stdout, name, st, g, cs, f.top, !f.skipCommunities)
	fmt.Fprintf(e.stderr, "time: read and pair %.2fs, filter %.2fs, communities %.2fs, total %.2fs\n",
		loaded.Sub(start).Seconds(), detected.Sub(loaded).Seconds(), done.Sub(detected).Seconds(), done.Sub(start).Seconds())

	return writeExports(f, d, g, cs)
}

// writeExports writes the files the flags ask for.
func writeExports(f networkFlags, d *network.Detector, g *network.Graph, cs []network.Community) error {
	writers := []struct {
		path  string
		write func(io.Writer) error
	}{
		{f.gexf, func(w io.Writer) error { return network.WriteGEXF(w, g, cs) }},
		{f.graphml, func(w io.Writer) error { return network.WriteGraphML(w, g, cs) }},
		{f.edges, func(w io.Writer) error { return network.WriteEdgesCSV(w, g, cs) }},
		{f.accounts, func(w io.Writer) error { return network.WriteAccountsCSV(w, g, cs) }},
		{f.coshares, func(w io.Writer) error { return network.WriteCoSharesCSV(w, d.CoShares()) }},
		{f.jsonOut, func(w io.Writer) error { return writeCommunitiesJSON(w, d, g, cs) }},
	}
	for _, wr := range writers {
		if wr.path == "" {
			continue
		}
		if err := writeFile(wr.path, wr.write); err != nil {
			return err
		}
	}
	return nil
}

// streamShares reads FILE (or stdin for "-") with a progress bar on a
// terminal, handing the shares to fn in batches.
func streamShares(ctx context.Context, e env, path string, f networkFlags, fn func([]network.Share) error) (network.ReadStats, error) {
	format := f.format
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".jsonl", ".ndjson", ".json":
			format = "jsonl"
		default:
			format = "csv"
		}
	}
	ropts := network.ReadOptions{Format: format, DefaultType: f.defType}
	ropts.Types = splitList(f.types)
	var r io.Reader = e.stdin
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return network.ReadStats{}, err
		}
		defer file.Close()
		r = file
		if info, err := file.Stat(); err == nil && isTerminal(e.stderr) {
			bar := progressbar.DefaultBytes(info.Size(), "reading "+filepath.Base(path))
			defer bar.Finish()
			r = io.TeeReader(file, bar)
		}
	}
	return network.StreamShares(ctx, bufio.NewReaderSize(r, 1<<20), path, ropts, fn)
}

// spinner shows desc with a spinner and elapsed time on a terminal stderr
// until the returned function is called.
func spinner(e env, desc string) func() {
	if !isTerminal(e.stderr) {
		return func() {}
	}
	bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription(desc),
		progressbar.OptionSpinnerType(14), progressbar.OptionSetSpinnerChangeInterval(100*time.Millisecond),
		progressbar.OptionSetElapsedTime(true), progressbar.OptionClearOnFinish(), progressbar.OptionSetRenderBlankState(true))
	return func() { bar.Finish() }
}

// readFlagged reads a --flagged file.
func readFlagged(path string) (map[network.Key]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return network.ReadFlagged(f, path)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func printSummary(w io.Writer, name string, st network.ReadStats, g *network.Graph, cs []network.Community, top int, communities bool) {
	loops := 0
	for _, e := range g.Edges {
		if e.A == e.B {
			loops++
		}
	}
	groups := 0
	for _, c := range network.Components(g) {
		groups = max(groups, c)
	}
	o := g.Options
	loopWord := "removed"
	if o.KeepLoops {
		loopWord = "kept"
	}
	fmt.Fprintf(w, "input:        %s: %d rows, %d shares (%d distinct)", name, st.Rows, st.Shares, g.Shares)
	for _, t := range sortedKeys(st.ObjectTypes) {
		fmt.Fprintf(w, ", %s %d", t, st.ObjectTypes[t])
	}
	fmt.Fprintln(w)
	rules := "CooRTweet, per object type"
	if o.Strict {
		rules = "strict, types pooled"
	}
	fmt.Fprintf(w, "parameters:   window %s, min participation %d, min weight %d, loops %s, rules %s\n", o.Window, o.MinParticipation, o.MinWeight, loopWord, rules)
	total := 0
	for _, tc := range g.Types {
		total += tc.CoShares
	}
	fmt.Fprintf(w, "co-shares:    %d", total)
	for _, tc := range g.Types {
		fmt.Fprintf(w, ", %s %d", tc.Type, tc.CoShares)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "accounts:     %d\n", len(g.Accounts))
	fmt.Fprintf(w, "edges:        %d (%d self-loops)\n", len(g.Edges), loops)
	fmt.Fprintf(w, "groups:       %d connected components\n", groups)
	if !communities {
		return
	}
	fmt.Fprintf(w, "communities:  %d (Leiden)\n", len(cs))
	if len(cs) == 0 || top <= 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rank\taccounts\tedges\tco-shares\tdensity\tmedian delay\tobjects\tflagged\tscore\tfirst account\t")
	for _, c := range cs[:min(top, len(cs))] {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%.3f\t%s\t%d\t%.2f\t%.3f\t%s\t\n", c.Rank, len(c.Accounts), c.Edges, c.Weight,
			c.Density, c.MedianDelay, len(c.Objects), c.Flagged, c.Score, c.Accounts[0])
	}
	tw.Flush()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// communityJSON is one ranked community as a case would hold it.
type communityJSON struct {
	Rank          int            `json:"rank"`
	Score         float64        `json:"score"`
	Accounts      []string       `json:"accounts"`
	Component     int            `json:"component"`
	Edges         int            `json:"edges"`
	CoShares      int            `json:"coshares"`
	Density       float64        `json:"density"`
	MedianDelayS  float64        `json:"median_delay_s"`
	FlaggedShare  float64        `json:"flagged"`
	Objects       []network.Key  `json:"objects"`
	Timeline      []timelineJSON `json:"timeline"`
	TimelineCount int            `json:"timeline_count"`
}

type timelineJSON struct {
	Time    time.Time `json:"time"`
	Account string    `json:"account"`
	Type    string    `json:"object_type"`
	Object  string    `json:"object"`
	Post    string    `json:"post,omitempty"`
}

// maxTimeline bounds the timeline written per community; the count is kept.
const maxTimeline = 1000

func writeCommunitiesJSON(w io.Writer, d *network.Detector, g *network.Graph, cs []network.Community) error {
	out := make([]communityJSON, 0, len(cs))
	for _, c := range cs {
		tl := d.Timeline(c.Accounts, c.Objects)
		cj := communityJSON{Rank: c.Rank, Score: c.Score, Accounts: c.Accounts, Component: c.Component, Edges: c.Edges,
			CoShares: c.Weight, Density: c.Density, MedianDelayS: c.MedianDelay.Seconds(), FlaggedShare: c.Flagged,
			Objects: c.Objects, TimelineCount: len(tl)}
		for _, s := range tl[:min(len(tl), maxTimeline)] {
			cj.Timeline = append(cj.Timeline, timelineJSON{s.Time, s.Account, s.ObjectType, s.Object, s.Post})
		}
		out = append(out, cj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(map[string]any{
		"window_s": g.Options.Window.Seconds(), "min_participation": g.Options.MinParticipation,
		"keep_loops": g.Options.KeepLoops, "min_weight": g.Options.MinWeight, "strict": g.Options.Strict, "communities": out,
	})
}

// plantedSettings are the parameter settings --planted reports.
var plantedSettings = []network.Options{
	{Window: 10 * time.Second, MinParticipation: 2}, {Window: 10 * time.Second, MinParticipation: 3}, {Window: 10 * time.Second, MinParticipation: 5},
	{Window: 30 * time.Second, MinParticipation: 2}, {Window: 30 * time.Second, MinParticipation: 3}, {Window: 30 * time.Second, MinParticipation: 5},
	{Window: 60 * time.Second, MinParticipation: 2}, {Window: 60 * time.Second, MinParticipation: 3}, {Window: 60 * time.Second, MinParticipation: 5},
	{Window: 300 * time.Second, MinParticipation: 2}, {Window: 300 * time.Second, MinParticipation: 3}, {Window: 300 * time.Second, MinParticipation: 5},
}

// runPlanted prints recall and false positives of planted networks per
// parameter setting, summed over --planted-runs seeds.
func runPlanted(ctx context.Context, e env, f networkFlags) error {
	if f.plantedRuns < 1 || f.plantedOrganic < 1 || f.plantedPosts < 1 {
		return fmt.Errorf("%w: --planted-runs, --planted-organic and --planted-posts must be positive", errUsage)
	}
	sets := make([]network.Planted, f.plantedRuns)
	for i := range sets {
		sets[i] = network.GeneratePlanted(network.PlantedConfig{Seed: f.seed + uint64(i), Organic: f.plantedOrganic, OrganicPosts: f.plantedPosts})
	}
	fmt.Fprintf(e.stdout, "planted networks: %d data sets (seeds %d..%d), each %d organic accounts with %d shares of 500 Zipf-popular URLs over 7 days,\n",
		len(sets), f.seed, f.seed+uint64(len(sets))-1, f.plantedOrganic, f.plantedPosts)
	fmt.Fprintf(e.stdout, "plus 5 networks x 10 accounts, 8 bursts each (30 s spread, 80%% participation, half on popular URLs).\n\n")
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "window\tmin part.\tplanted\tfound\trecall\tfalse pos.\tFP rate\tprecision\tmixed comm.\t")
	for _, o := range plantedSettings {
		if err := ctx.Err(); err != nil {
			return err
		}
		var sum network.PlantedScore
		organic := 0
		for _, p := range sets {
			_, g, err := network.Detect(p.Shares, o)
			if err != nil {
				return err
			}
			cs, err := network.Communities(g, network.CommunityOptions{Seed: f.seed})
			if err != nil {
				return err
			}
			s := p.Score(g, cs)
			sum.Planted += s.Planted
			sum.Found += s.Found
			sum.FalsePositives += s.FalsePositives
			sum.MixedCommunities += s.MixedCommunities
			organic += p.Organic
		}
		prec := 1.0
		if sum.Found+sum.FalsePositives > 0 {
			prec = float64(sum.Found) / float64(sum.Found+sum.FalsePositives)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%d\t%.4f\t%.3f\t%d\t\n", o.Window, o.MinParticipation, sum.Planted, sum.Found,
			float64(sum.Found)/float64(sum.Planted), sum.FalsePositives, float64(sum.FalsePositives)/float64(organic), prec, sum.MixedCommunities)
	}
	return tw.Flush()
}

// storeRefuses are the flags that only make sense on a file: --store
// refuses them rather than ignore them.
var storeRefuses = map[string]string{
	"format":           "the store is not a file",
	"default-type":     "the store's object types are url, media, phash and text",
	"flagged":          "the store ranks by its own cases",
	"skip-communities": "cases are opened for communities",
	"synthetic":        "the store is read instead",
	"planted-organic":  "--planted is not run",
	"planted-posts":    "--planted is not run",
	"planted-runs":     "--planted is not run",
}

// runNetworkStore detects networks among the stored posts, saves them as
// network cases, prints the summary and writes the same exports as from a
// file.
func runNetworkStore(ctx context.Context, e env, f networkFlags, set map[string]bool) error {
	for _, name := range slices.Sorted(maps.Keys(storeRefuses)) {
		if set[name] {
			return fmt.Errorf("%w: --%s does not apply with --store: %s", errUsage, name, storeRefuses[name])
		}
	}
	if f.minPart < 1 || f.minWeight < 1 || f.window <= 0 || f.minAccounts < 1 {
		return fmt.Errorf("%w: --window, --min-participation, --min-weight and --min-accounts must be positive", errUsage)
	}
	opt := networkcase.Options{
		Network:     network.Options{Window: f.window, MinParticipation: f.minPart, MinWeight: f.minWeight, KeepLoops: f.keepLoops, Strict: f.strict},
		MinAccounts: f.minAccounts, PDQRadius: f.store.stages.radius, Texts: true, Seed: f.seed, Resolution: f.resolution,
		Text: network.TextOptions{Threshold: f.textThreshold}, Types: splitList(f.types),
	}
	for _, t := range opt.Types {
		if !slices.Contains(networkcase.ObjectTypes, t) {
			return fmt.Errorf("%w: --type %s: the store's object types are %s", errUsage, t, strings.Join(networkcase.ObjectTypes, ", "))
		}
	}
	if f.since > 0 {
		opt.Since = time.Now().Add(-f.since)
	}
	a, err := openApp(ctx, f.store, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := networkcase.Run(ctx, a.store, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, rep)
	printSaved(e.stdout, "", rep.Saved)
	st := network.ReadStats{Rows: rep.Shares, Shares: rep.Shares, ObjectTypes: rep.Types}
	fmt.Fprintln(e.stdout)
	printSummary(e.stdout, "store", st, rep.Graph, rep.Ranked, f.top, true)
	return writeExports(f, rep.Detector, rep.Graph, rep.Ranked)
}

// printSaved prints one line per saved network: its case, accounts and
// what tied them.
func printSaved(w io.Writer, prefix string, saved []networkcase.Saved) {
	for _, sv := range saved {
		n := sv.Network
		verb := "updated"
		if sv.Opened {
			verb = "opened"
		}
		shown := n.Accounts[:min(len(n.Accounts), 6)]
		more := ""
		if len(n.Accounts) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(n.Accounts)-len(shown))
		}
		fmt.Fprintf(w, "%snetwork %d (case %d, %s): %d accounts co-shared %d items within %.0fs (median), %.0f%% already flagged: %s%s\n",
			prefix, n.ID, sv.CaseID, verb, len(n.Accounts), len(n.Objects), n.MedianDelay, 100*n.Flagged, strings.Join(shown, ", "), more)
	}
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
