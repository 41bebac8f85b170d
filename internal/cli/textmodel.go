package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/textmodel"
)

const modelSynopsis = `model <list|activate|default|export|curve> [flags] ...

  model list                     the text models trained from decisions, newest first
  model activate ID              use model ID for every post scored from now on
  model default                  go back to the built-in model
  model export ID -o FILE        write model ID to a model file (for --model, classify, eval)
  model curve [--source NAME,...] [--sizes 0,100,500,2000] [--json]
                                 simulate learning from decisions on a labelled set
                                 the model never trained on, and print the figures

Train a model from the reviewers' decisions with 'marsad train --from-decisions'.
A running server picks up an activation made here within a minute; the Admin
page's "Text models" switches at once.`

func runModel(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintf(e.stdout, "Usage: marsad %s\n", modelSynopsis)
		if len(e.args) == 0 {
			return fmt.Errorf("%w: name a model subcommand", errUsage)
		}
		return flag.ErrHelp
	}
	sub, subEnv := e.args[0], env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}
	switch sub {
	case "list", "activate", "default", "export":
		return runModelStore(ctx, sub, subEnv)
	case "curve":
		return runModelCurve(ctx, subEnv)
	}
	return fmt.Errorf("%w: unknown model subcommand %q", errUsage, sub)
}

// runModelStore runs the subcommands that work on the store's registry.
func runModelStore(ctx context.Context, sub string, e env) error {
	fs := newFlags(e, "model "+sub, modelSynopsis)
	var sf storeFlags
	fs.StringVar(&sf.data, "data", envOr("MARSAD_DATA", "data"), "data directory (env MARSAD_DATA)")
	fs.StringVar(&sf.db, "db", os.Getenv("MARSAD_DB"), "database: a SQLite file path, or postgres://... (env MARSAD_DB; default DATA/marsad.db)")
	out := fs.String("o", "", "model `file` to write (export)")
	actor := fs.String("actor", "cli", "who to name in the audit log")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	args := fs.Args()
	want := map[string]int{"list": 0, "activate": 1, "default": 0, "export": 1}[sub]
	if len(args) != want {
		return fmt.Errorf("%w: model %s takes %d argument(s), got %d", errUsage, sub, want, len(args))
	}
	var id int64
	if want == 1 {
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("%w: model %s: %q is not a model id (see marsad model list)", errUsage, sub, args[0])
		}
		id = n
	}
	if sub == "export" && *out == "" {
		return fmt.Errorf("%w: model export: -o FILE is required", errUsage)
	}
	st, err := store.Open(ctx, sf.dsn())
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "list":
		ms, err := st.TextModels(ctx)
		if err != nil {
			return err
		}
		return writeModelList(e.stdout, ms)
	case "activate":
		m, err := textmodel.Activate(ctx, st, id, *actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "model %d (%s) is active; a running server uses it within a minute\n", id, m.Version())
	case "default":
		m, err := textmodel.UseBuiltIn(ctx, st, *actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "the built-in model (%s) is in use; a running server switches within a minute\n", m.Version())
	case "export":
		tm, err := st.TextModel(ctx, id)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, tm.Model, 0o644); err != nil {
			return fmt.Errorf("model export %d: %w", id, err)
		}
		if err := st.Audit(ctx, *actor, "textmodel.export", fmt.Sprintf("textmodel:%d", id), *out); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s: model %d, %s, %d bytes\n", *out, id, tm.Version, len(tm.Model))
	}
	return nil
}

func writeModelList(w io.Writer, ms []store.TextModel) error {
	if len(ms) == 0 {
		fmt.Fprintln(w, "no models trained from decisions yet; the built-in model is in use (marsad train --from-decisions)")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACTIVE\tNAME\tVERSION\tCREATED\tBY\tDECISIONS\tMACRO-F1 BEFORE\tAFTER\tHELD BACK")
	active := false
	for _, m := range ms {
		r, err := textmodel.ReadReport(m)
		if err != nil {
			return err
		}
		mark := ""
		if m.Active {
			mark, active = "*", true
		}
		before, after := "-", "-"
		if r.Before != nil && r.After != nil {
			before, after = fmt.Sprintf("%.3f", r.Before.MacroF1), fmt.Sprintf("%.3f", r.After.MacroF1)
		}
		held := strconv.Itoa(r.HeldBack)
		if r.Unreliable {
			held += " (too few)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, mark, m.Name, m.Version,
			m.CreatedAt.Format("2006-01-02 15:04"), m.CreatedBy, m.Decisions, before, after, held)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !active {
		fmt.Fprintln(w, "no model is active: the built-in model is in use")
	}
	return nil
}

// trainSpec and trainData are where a server finds the built-in training
// data when an admin trains from decisions.
func trainSpec() string { return envOr("MARSAD_TRAIN_SPEC", defaultSpec) }
func trainData() string { return envOr("MARSAD_TRAIN_DATA", defaultDataDir) }

// baseExamples returns a loader of the built-in training examples.
func baseExamples(spec, data string) func(ctx context.Context) ([]classifier.Example, error) {
	return func(ctx context.Context) ([]classifier.Example, error) {
		_, _, exs, err := loadExamples(ctx, spec, data)
		if err != nil {
			return nil, fmt.Errorf("spec %s with data %s (set MARSAD_TRAIN_SPEC and MARSAD_TRAIN_DATA): %w", spec, data, err)
		}
		return exs, nil
	}
}

// trainFromDecisions is marsad train --from-decisions.
func trainFromDecisions(ctx context.Context, e env, spec, data, dsn string, to classifier.TrainOptions, seedSet bool) error {
	if dsn == "" {
		sf := storeFlags{data: envOr("MARSAD_DATA", "data")}
		dsn = sf.dsn()
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	s, _, base, err := loadExamples(ctx, spec, data)
	if err != nil {
		return err
	}
	if !seedSet {
		to.Seed = s.Seed
	}
	to.Info.Spec = spec
	bars := map[string]func(int, int){}
	r, err := textmodel.TrainFromDecisions(ctx, st, base, textmodel.Options{Actor: "cli", Train: to,
		Progress: func(stage string, done, total int) {
			if bars[stage] == nil || done == 0 {
				bars[stage] = progressFunc(e, stage)
			}
			bars[stage](done, total)
		}})
	if err != nil {
		return err
	}
	writeTrainResult(e.stdout, r)
	return nil
}

func writeTrainResult(w io.Writer, r *textmodel.Result) {
	fmt.Fprintf(w, "saved model %d (%s), inactive: %d decisions, %d trained on, %d held back", r.ModelID, r.Version, r.Decisions, r.Trained, r.HeldBack)
	if r.Dropped > 0 {
		fmt.Fprintf(w, ", %d left out (same text as a training example)", r.Dropped)
	}
	fmt.Fprintf(w, "; %.1f s\n", r.TrainSeconds)
	if warn := r.Warning(); warn != "" {
		fmt.Fprintf(w, "WARNING: %s\n", warn)
	}
	if r.Before == nil || r.After == nil {
		fmt.Fprintln(w, "no held-back decisions: nothing to measure on")
	} else {
		fmt.Fprintf(w, "\non the %d held-back decisions (before: %s; after: the new model)\n", r.HeldBack, r.Before.Model)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "label\tsupport\tP before\tR before\tF1 before\tP after\tR after\tF1 after\t")
		for i, b := range r.Before.Labels {
			a := r.After.Labels[i]
			if b.Support == 0 && a.Precision == 0 && b.Precision == 0 {
				continue // neither in the decisions nor predicted
			}
			fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n", b.Label, b.Support, b.Precision, b.Recall, b.F1, a.Precision, a.Recall, a.F1)
		}
		fmt.Fprintf(tw, "macro-F1\t\t\t\t%.3f\t\t\t%.3f\t\n", r.Before.MacroF1, r.After.MacroF1)
		tw.Flush()
		if r.Before.HardNegatives > 0 {
			fmt.Fprintf(w, "news and counter-speech flagged: %d of %d before, %d after\n", r.Before.HardFlagged, r.Before.HardNegatives, r.After.HardFlagged)
		}
	}
	fmt.Fprintf(w, "\nuse it with: marsad model activate %d\n", r.ModelID)
}

// runModelCurve is marsad model curve.
func runModelCurve(ctx context.Context, e env) error {
	fs := newFlags(e, "model curve", "model curve [--spec FILE] [--data DIR] [--source NAME,...] [--sizes N,N,...] [--weight W] [--epochs N] [--json]\n\n"+
		"Simulates learning from reviewers' decisions: the source named is left out of\n"+
		"training; its train split plays the reviewers' decisions (taken in a seeded\n"+
		"random order) and its test split is the evaluation set. A model is trained\n"+
		"for each size and measured there.")
	spec := fs.String("spec", defaultSpec, "training data `spec` (JSON; see docs/labels.md)")
	data := fs.String("data", defaultDataDir, "`folder` that $DATA in the spec stands for")
	source := fs.String("source", "alfifi-ar", "the spec's `sources` that play the reviewers, comma-separated")
	sizes := fs.String("sizes", "0,100,500,2000", "numbers of simulated decisions to add, comma-separated")
	weight := fs.Float64("weight", textmodel.DecisionWeight, "training weight of a simulated decision")
	epochs := fs.Int("epochs", 10, "passes over the training split")
	seed := fs.Int64("seed", -1, "seed of training and of the decisions' order (-1: the spec's seed)")
	asJSON := fs.Bool("json", false, "write the curve as JSON")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	var ns []int
	for _, p := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 {
			return fmt.Errorf("%w: --sizes: %q is not a count", errUsage, p)
		}
		ns = append(ns, n)
	}
	s, _, err := readSpec(*spec)
	if err != nil {
		return err
	}
	var names []string
	for _, src := range s.Sources {
		names = append(names, src.Name)
	}
	for _, src := range strings.Split(*source, ",") {
		if !slices.Contains(names, src) {
			return fmt.Errorf("%w: --source %q is not in %s; its sources are: %s", errUsage, src, *spec, strings.Join(names, ", "))
		}
	}
	_, _, exs, err := loadExamples(ctx, *spec, *data)
	if err != nil {
		return err
	}
	sd := s.Seed
	if *seed >= 0 {
		sd = uint64(*seed)
	}
	started := time.Now()
	var bar func(int, int)
	curve, err := textmodel.LearningCurve(ctx, exs, textmodel.CurveOptions{
		Source: *source, Sizes: ns, Weight: *weight, Seed: sd,
		Train: classifier.TrainOptions{Epochs: *epochs, Seed: sd, Info: classifier.Info{Name: "marsad-text-curve"}},
		Progress: func(n int, stage string, done, total int) {
			if bar == nil || done == 0 {
				bar = progressFunc(e, fmt.Sprintf("%s with %d", stage, n))
			}
			bar(done, total)
		},
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(curve)
	}
	writeCurve(e.stdout, curve)
	fmt.Fprintf(e.stderr, "%d trainings in %s\n", len(curve.Points), time.Since(started).Round(time.Second))
	return nil
}

func writeCurve(w io.Writer, c *textmodel.Curve) {
	fmt.Fprintf(w, "source %s left out of training: %d train-split examples play reviewers' decisions (weight %g), %d test-split examples measure\n",
		c.Source, c.Pool, c.Weight, c.Eval)
	if c.Capped {
		fmt.Fprintf(w, "sizes over %d are capped at the pool size\n", c.Pool)
	}
	if len(c.Points) == 0 {
		return
	}
	// Labels that occur in the evaluation set, or that some model predicts.
	var labels []int
	for i, lf := range c.Points[0].Figures.Labels {
		if lf.Label == classifier.None {
			continue
		}
		for _, p := range c.Points {
			if l := p.Figures.Labels[i]; l.Support > 0 || l.Precision > 0 {
				labels = append(labels, i)
				break
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "decisions\t")
	for _, i := range labels {
		l := c.Points[0].Figures.Labels[i]
		fmt.Fprintf(tw, "%s P\tR\tF1\t", l.Label)
	}
	fmt.Fprintln(tw, "macro-F1\tharmful P\tR\tF1\thard negatives flagged\t")
	for _, p := range c.Points {
		n := strconv.Itoa(p.Added)
		if p.Added < p.Requested {
			n = fmt.Sprintf("%d (of %d)", p.Added, p.Requested)
		}
		fmt.Fprintf(tw, "%s\t", n)
		for _, i := range labels {
			l := p.Figures.Labels[i]
			fmt.Fprintf(tw, "%.3f\t%.3f\t%.3f\t", l.Precision, l.Recall, l.F1)
		}
		h := p.Figures.Harmful
		fmt.Fprintf(tw, "%.3f\t%.3f\t%.3f\t%.3f\t%d of %d\t\n", p.Figures.MacroF1, h.Precision, h.Recall, h.F1, p.Figures.HardFlagged, p.Figures.HardNegatives)
	}
	tw.Flush()
	fmt.Fprint(w, "support:")
	for _, i := range labels {
		l := c.Points[0].Figures.Labels[i]
		fmt.Fprintf(w, " %s=%d", l.Label, l.Support)
	}
	fmt.Fprintln(w)
}
