package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/marsad/marsad/internal/importer"
	"github.com/marsad/marsad/internal/importer/facebook"
	"github.com/marsad/marsad/internal/importer/telegram"
	"github.com/marsad/marsad/internal/importer/twitter"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
)

// importKinds lists the formats of marsad import, one per platform export.
func importKinds() map[string]command {
	return map[string]command{
		"facebook":        {"Facebook page and group posts: CrowdTangle-style CSV or Content Library API JSON", runImportFacebook},
		"instagram":       {"Instagram account posts: CrowdTangle-style CSV or Content Library API JSON", runImportInstagram},
		"telegram-export": {"a Telegram Desktop JSON export folder (result.json and its media)", runImportTelegram},
		"x":               {"X/Twitter API v2 responses (JSON) or an archive's tweets.js", runImportX},
	}
}

func runImport(ctx context.Context, e env) error {
	kinds := importKinds()
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		names := make([]string, 0, len(kinds))
		for n := range kinds {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintln(e.stdout, "Usage: marsad import KIND [flags] FILE|DIR\n\nLoads a platform's export into the pipeline. Importing the same file again changes nothing.\n\nKinds:")
		for _, n := range names {
			fmt.Fprintf(e.stdout, "  %-16s %s\n", n, kinds[n].summary)
		}
		if len(e.args) == 0 {
			return errUsage
		}
		return nil
	}
	k, ok := kinds[e.args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown import kind %q (see marsad import --help)", errUsage, e.args[0])
	}
	e.args = e.args[1:]
	return k.run(ctx, e)
}

func runImportTelegram(ctx context.Context, e env) error {
	fs := newFlags(e, "import telegram-export", "import telegram-export [flags] DIR\n\nImports a Telegram Desktop export (Export chat history, format JSON): DIR/result.json\nand the media files it names, read from DIR only.")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: give the export folder", errUsage)
	}
	dir := fs.Arg(0)
	name := filepath.Join(dir, "result.json")
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		// Accept result.json itself; its folder holds the media.
		name, dir = dir, filepath.Dir(dir)
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	ex, err := telegram.Read(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var notes []string
	if ex.Skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d service messages skipped", ex.Skipped))
	}
	if ex.NotIncluded > 0 {
		notes = append(notes, fmt.Sprintf("%d media files not included in the export", ex.NotIncluded))
	}
	return importPosts(ctx, e, sf, name, dir, ex.Posts, ex.Errors, notes)
}

// importPosts runs the pipeline on posts read from file name, media paths
// confined to dir ("" refuses local media). Items the reader refused come
// in bad; each refusal is printed and the rest still go in.
func importPosts(ctx context.Context, e env, sf storeFlags, name, dir string, posts []*model.Post, bad []*importer.Error, notes []string) error {
	for _, ie := range bad {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, ie)
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	a.pipeline.MediaDir = dir
	_, rep := a.pipeline.IngestBatch(ctx, posts, "cli import")
	for _, ie := range rep.Errors {
		fmt.Fprintf(e.stderr, "%s: %s %s: %s\n", name, posts[ie.Item-1].Platform, posts[ie.Item-1].SourceID, errText(ie))
	}
	for _, ie := range rep.MediaRefused {
		fmt.Fprintf(e.stderr, "%s: %s %s: %v (post kept)\n", name, posts[ie.Item-1].Platform, posts[ie.Item-1].SourceID, ie.Err)
	}
	rep.Items += len(bad)
	for _, ie := range bad {
		rep.Errors = append(rep.Errors, pipeline.NewItemError(0, ie))
	}
	out := rep.String()
	if len(notes) > 0 {
		out += "; " + strings.Join(notes, ", ")
	}
	fmt.Fprintln(e.stdout, out)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d of %d items refused", len(rep.Errors), rep.Items)
	}
	return nil
}

func runImportX(ctx context.Context, e env) error {
	fs := newFlags(e, "import x", "import x [flags] FILE\n\nImports X/Twitter data: API v2 responses (one, or one per line: search and\ntimeline pages, single-tweet lookups, filtered-stream captures) with their\nusers, media and tweets expansions, or an account archive's data/tweets.js\n(with account.js and tweets_media/ beside it, read from that folder only).")
	sf, name, f, err := importFile(fs, e)
	if err != nil {
		return err
	}
	defer f.Close()
	dir := filepath.Dir(name)
	tw, err := twitter.Read(f, dir)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var notes []string
	if tw.NoTime > 0 {
		notes = append(notes, fmt.Sprintf("%d tweets without created_at (time stored as unknown)", tw.NoTime))
	}
	if len(tw.Gone) > 0 {
		notes = append(notes, fmt.Sprintf("%d tweets deleted or not visible", len(tw.Gone)))
		for _, g := range tw.Gone {
			fmt.Fprintf(e.stderr, "%s: tweet %s\n", name, g)
		}
	}
	return importPosts(ctx, e, sf, name, dir, tw.Posts, tw.Errors, notes)
}

// importFile parses the store flags and opens the one FILE argument of an
// import command; the caller closes it.
func importFile(fs *flag.FlagSet, e env) (storeFlags, string, *os.File, error) {
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, e); err != nil {
		return sf, "", nil, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return sf, "", nil, fmt.Errorf("%w: give one FILE", errUsage)
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	return sf, name, f, err
}

func runImportFacebook(ctx context.Context, e env) error {
	return runImportMeta(ctx, e, facebook.Facebook)
}

func runImportInstagram(ctx context.Context, e env) error {
	return runImportMeta(ctx, e, facebook.Instagram)
}

// runImportMeta imports a Facebook or Instagram export. Media are recorded
// by address and never fetched, so no folder is opened for them.
func runImportMeta(ctx context.Context, e env, platform string) error {
	fs := newFlags(e, "import "+platform, "import "+platform+" [flags] FILE\n\nImports "+platform+" posts from a CrowdTangle-style historical CSV export or from\nContent Library API JSON (an array of posts, a response with \"data\", or one per line).\nMedia are recorded by address, never fetched. See docs/importers.md.")
	sf, name, f, err := importFile(fs, e)
	if err != nil {
		return err
	}
	defer f.Close()
	ps, err := facebook.Read(f, platform)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return importPosts(ctx, e, sf, name, "", ps.Posts, ps.Errors, nil)
}
