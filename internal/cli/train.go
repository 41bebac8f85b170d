package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/langid"
)

// Defaults shared by the classifier commands; paths are relative to the
// repository root.
const (
	defaultSpec    = "classifier/corpus/train.json"
	defaultDataDir = "../shared/data"
)

func runTrain(ctx context.Context, e env) error {
	fs := newFlags(e, "train", "train [--spec FILE] [--data DIR] [-o FILE] [--epochs N] [--bits N] [--char-min N] [--char-max N] [--bigrams=false] [--stop-words=false] [--lr X] [--seed N]\n       train --from-decisions [--db DSN] [--spec FILE] [--data DIR]")
	spec := fs.String("spec", defaultSpec, "training data `spec` (JSON; see docs/labels.md)")
	data := fs.String("data", defaultDataDir, "`folder` that $DATA in the spec stands for")
	out := fs.String("o", "classifier/default.model", "model `file` to write")
	epochs := fs.Int("epochs", 10, "passes over the training split")
	bits := fs.Uint("bits", classifier.DefaultFeatures.Bits, "log2 of the number of hash buckets")
	lr := fs.Float64("lr", 0.5, "initial learning rate")
	charMin := fs.Int("char-min", classifier.DefaultFeatures.CharMin, "shortest character n-gram (0 with --char-max 0: none)")
	charMax := fs.Int("char-max", classifier.DefaultFeatures.CharMax, "longest character n-gram")
	bigrams := fs.Bool("bigrams", classifier.DefaultFeatures.WordBigrams, "add word pairs")
	stopWords := fs.Bool("stop-words", classifier.DefaultFeatures.StopWords, "give stop words no features of their own (their word pairs stay)")
	seed := fs.Int64("seed", -1, "training-order seed (-1: the spec's seed)")
	fromDecisions := fs.Bool("from-decisions", false, "also learn from the reviewers' decisions in the store; save the model there, inactive, and print its figures before and after on held-back decisions")
	db := fs.String("db", os.Getenv("MARSAD_DB"), "with --from-decisions: database, a SQLite file or postgres://... (env MARSAD_DB; default MARSAD_DATA/marsad.db)")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *fromDecisions {
		feat := classifier.FeatureConfig{Bits: *bits, CharMin: *charMin, CharMax: *charMax, WordBigrams: *bigrams, StopWords: *stopWords}
		return trainFromDecisions(ctx, e, *spec, *data, *db,
			classifier.TrainOptions{Features: feat, Epochs: *epochs, LearningRate: *lr, Seed: uint64(*seed)}, *seed >= 0)
	}
	s, raw, exs, err := loadExamples(ctx, *spec, *data)
	if err != nil {
		return err
	}
	sd := s.Seed
	if *seed >= 0 {
		sd = uint64(*seed)
	}
	feat := classifier.DefaultFeatures
	feat.Bits, feat.CharMin, feat.CharMax, feat.WordBigrams, feat.StopWords = *bits, *charMin, *charMax, *bigrams, *stopWords
	sum := sha256.Sum256(raw)
	m, err := classifier.Train(ctx, exs, classifier.TrainOptions{
		Features: feat, Epochs: *epochs, LearningRate: *lr, Seed: sd,
		Info: classifier.Info{
			Name: classifier.DefaultModelName, TrainedAt: buildTime().Format(time.DateOnly),
			Spec: *spec, SpecSHA256: hex.EncodeToString(sum[:]),
		},
		Progress: progressFunc(e, "training"),
	})
	if err != nil {
		return err
	}
	if err := m.WriteFile(*out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	info := m.Info()
	fmt.Fprintf(e.stdout, "wrote %s: %.1f MB, %d training / %d calibration / %d test examples, %d epochs, %.1f s\n",
		*out, float64(st.Size())/1e6, info.Examples["train"], info.Examples["calib"], info.Examples["test"], info.Epochs, info.TrainSeconds)
	th := m.Thresholds()
	fmt.Fprint(e.stdout, "thresholds:")
	for _, l := range classifier.Labels {
		fmt.Fprintf(e.stdout, " %s=%.2f", l, th[l])
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// readSpec reads a spec file and returns it with its bytes.
func readSpec(path string) (*classifier.Spec, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	// ReadSpec resolves the spec's relative paths against its folder.
	s, err := classifier.ReadSpec(path)
	if err != nil {
		return nil, nil, err
	}
	return s, raw, nil
}

// loadExamples reads a data spec and the examples it names from dataDir,
// with each example's language identified.
func loadExamples(ctx context.Context, specPath, dataDir string) (*classifier.Spec, []byte, []classifier.Example, error) {
	s, raw, err := readSpec(specPath)
	if err != nil {
		return nil, nil, nil, err
	}
	lid, err := langid.Default()
	if err != nil {
		return nil, nil, nil, err
	}
	exs, err := s.Load(ctx, dataDir, lid.Identify)
	return s, raw, exs, err
}

// buildTime is now, or SOURCE_DATE_EPOCH when set, so that a rebuild of the
// model gives the same file.
func buildTime() time.Time {
	if v := os.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}
