// Package cli holds the marsad subcommands: flag parsing and wiring only.
// Every subcommand parses its flags with parseFlags, which accepts flags
// before or after the positional arguments.
// Each subcommand lives in its own file and is listed in commands below.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// env is what every subcommand gets: its arguments and the process streams.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env) error
}

// commands lists every subcommand. Keep one line per command, sorted.
func commands() map[string]command {
	return map[string]command{
		"audit":     {"verify or list the hash-chained audit log", runAudit},
		"bank":      {"create, list, import, export, enable, disable or remove banks", runBank},
		"cases":     {"list cases in queue order", runCases},
		"classify":  {"score text for terrorist content and explain the scores", runClassify},
		"demo":      {"load the built-in demo posts and serve them (no servers needed)", runDemo},
		"eval":      {"measure the text classifier on held-out data", runEval},
		"evidence":  {"verify, export or purge signed evidence bundles", runEvidence},
		"extract":   {"print the URLs and wallet addresses found in text", runExtract},
		"hash":      {"print the PDQ hashes of image files and directories", runHash},
		"import":    {"load a platform export: Telegram Desktop, X/Twitter, Facebook, Instagram", runImport},
		"ingest":    {"load posts from a JSONL file or standard input", runIngest},
		"langid":    {"identify the language of text; train or measure the model", runLangid},
		"match":     {"match PDQ hashes or images against the banks", runMatch},
		"model":     {"list, activate, export text models trained from decisions; learning curve", runModel},
		"network":   {"find coordinated accounts that co-share content", runNetwork},
		"ocr":       {"read the text on images; measure OCR accuracy on rendered posters", runOCR},
		"org":       {"add, list or rename organisations: the unit, platforms, partner agencies", runOrg},
		"report":    {"print the transparency report of a period: orders, answers, appeals, banks", runReport},
		"reprocess": {"run the pipeline again on stored posts", runReprocess},
		"serve":     {"serve the API, web UI, health checks and metrics", runServe},
		"stream":    {"consume posts pushed to a Kafka topic or a NATS JetStream subject", runStream},
		"source":    {"add, list, pause, resume, remove or run sources that collect posts", runSource},
		"train":     {"train the text classifier from a data spec", runTrain},
		"user":      {"add and list users, set passwords, manage partner API keys", runUser},
		"version":   {"print the version", runVersion},
	}
}

// Version is set at build time with -ldflags "-X github.com/marsad/marsad/internal/cli.Version=...".
var Version = "dev"

// errUsage marks an error the user fixes by reading --help.
var errUsage = errors.New("usage")

// Run runs the subcommand named by args[0] and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				return exitCode(c.run(ctx, env{args: []string{"--help"}, stdin: stdin, stdout: stdout, stderr: stderr}), stderr)
			}
		}
		usage(stdout, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "marsad: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	err := c.run(ctx, env{args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr})
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "marsad %s: %v\n", args[0], err)
	}
	return exitCode(err, stderr)
}

func exitCode(err error, _ io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		return 1
	}
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "marsad finds terrorist content in social-media posts and helps people act on it.")
	fmt.Fprintln(w, "\nUsage: marsad <command> [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'marsad <command> --help' for the flags of one command.")
}

// newFlags returns a FlagSet whose usage text starts with the command's synopsis.
func newFlags(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: marsad %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses e.args into fs, turning a parse failure into errUsage.
// Flags may come anywhere, before or after the positional arguments, as
// the usage lines show them (see flagsFirst).
func parseFlags(fs *flag.FlagSet, e env) error {
	args := flagsFirst(fs, e.args)
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			// Asked-for help is output, not an error.
			fs.SetOutput(e.stdout)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// flagsFirst reorders args so that every flag comes before the positional
// arguments, which are put after a "--": the standard flag package stops
// at the first positional argument, and people type flags after them. A
// flag that takes a value ("--type pdq") keeps its value with it; "-" alone
// (standard input) is positional, and everything after a "--" is
// positional as written. Unknown flags stay with the flags, so that Parse
// names them.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if len(pos) == 0 {
		return flags
	}
	return append(append(flags, "--"), pos...)
}

func runVersion(_ context.Context, e env) error {
	fs := newFlags(e, "version", "version")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "marsad", Version)
	return nil
}
