package cli

import (
	"strings"

	"context"
	"encoding/json"
	"fmt"
	"github.com/schollz/progressbar/v3"

	"github.com/marsad/marsad/classifier"
)

func runEval(ctx context.Context, e env) error {
	fs := newFlags(e, "eval", "eval [--model FILE] [--spec FILE] [--data DIR] [--split test|calib|train] [--errors N] [--json] [--loso [--sources A,B]]")
	modelPath := fs.String("model", "", "model `file` (default: the embedded default model)")
	spec := fs.String("spec", defaultSpec, "data `spec` whose held-out split is scored")
	data := fs.String("data", defaultDataDir, "`folder` that $DATA in the spec stands for")
	split := fs.String("split", "test", "which split to score: test, calib or train")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	errs := fs.Int("errors", 0, "list up to `n` hard negatives and everyday posts the model flagged")
	loso := fs.Bool("loso", false, "also leave each source out: train without it (as `marsad train` does) and score all of it; one training per source")
	sources := fs.String("sources", "", "with --loso, the comma-separated `sources` to leave out (default: every source of the spec)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	var sp classifier.Split
	switch *split {
	case "test":
		sp = classifier.SplitTest
	case "calib":
		sp = classifier.SplitCalib
	case "train":
		sp = classifier.SplitTrain
	default:
		return fmt.Errorf("%w: --split %q: want test, calib or train", errUsage, *split)
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	s, _, exs, err := loadExamples(ctx, *spec, *data)
	if err != nil {
		return err
	}
	r, err := classifier.Evaluate(ctx, m, exs, sp, *errs, progressFunc(e, "scoring"))
	if err != nil {
		return err
	}
	if *asJSON && !*loso {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	if !*loso {
		r.WriteText(e.stdout)
		return nil
	}
	var only []string
	if *sources != "" {
		only = strings.Split(*sources, ",")
	}
	var bar *progressbar.ProgressBar
	lr, err := classifier.LeaveOneSourceOut(ctx, exs, classifier.TrainOptions{Features: classifier.DefaultFeatures, Seed: s.Seed},
		only, func(src string, fold, folds int) {
			if bar == nil {
				bar = progress(e.stderr, int64(folds), "training without each source")
			}
			bar.Describe("training without " + src)
			bar.Set(fold - 1)
		})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			InDistribution *classifier.Report     `json:"in_distribution"`
			LOSO           *classifier.LOSOReport `json:"leave_one_source_out"`
		}{r, lr})
	}
	r.WriteText(e.stdout)
	fmt.Fprintln(e.stdout)
	lr.WriteText(e.stdout, r)
	return nil
}

// loadModel reads a model file, or the embedded default for "".
func loadModel(path string) (*classifier.Model, error) {
	if path == "" {
		return classifier.Default()
	}
	return classifier.ReadFile(path)
}
