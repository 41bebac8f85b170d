package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/langid"
)

func runLangid(ctx context.Context, e env) error {
	fs := newFlags(e, "langid", "langid [TEXT ...] | langid --eval [--spec FILE] [--data DIR] [--json] | langid --train -o FILE [--spec FILE] [--data DIR]\n\nWith no TEXT, each line of standard input is one text.")
	train := fs.Bool("train", false, "train a model on the spec's training split of Latin-script sources")
	eval := fs.Bool("eval", false, "measure accuracy on the spec's test split of every source with a fixed language")
	out := fs.String("o", "langid/model.bin", "model `file` written by --train")
	spec := fs.String("spec", defaultSpec, "data `spec` (the classifier's)")
	data := fs.String("data", defaultDataDir, "`folder` that $DATA in the spec stands for")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if *train || *eval {
		if *train && *eval {
			return fmt.Errorf("%w: --train and --eval exclude each other", errUsage)
		}
		s, _, err := readSpec(*spec)
		if err != nil {
			return err
		}
		// Languages come from the spec, never from the model being made.
		exs, err := s.Load(ctx, *data, nil)
		if err != nil {
			return err
		}
		want := classifier.SplitTrain
		if *eval {
			want = classifier.SplitTest
		}
		var samples []langid.Sample
		for _, x := range exs {
			if x.Split == want && x.Lang != langid.Undetermined {
				samples = append(samples, langid.Sample{Text: x.Text, Lang: x.Lang})
			}
		}
		if *train {
			m, err := langid.Train(samples, langid.TrainOptions{})
			if err != nil {
				return err
			}
			f, err := os.Create(*out)
			if err != nil {
				return err
			}
			n, err := m.WriteTo(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s: %d bytes, languages %v, %d samples\n", *out, n, m.Langs(), len(samples))
			return nil
		}
		m, err := langid.Default()
		if err != nil {
			return err
		}
		acc := m.Evaluate(samples)
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(acc)
		}
		fmt.Fprintf(e.stdout, "Language identification on the test split of %s:\n", *spec)
		acc.WriteText(e.stdout)
		return nil
	}
	m, err := langid.Default()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	emit := func(t string) {
		if *asJSON {
			json.NewEncoder(w).Encode(map[string]string{"text": t, "lang": m.Identify(t)})
			return
		}
		fmt.Fprintf(w, "%s\t%s\n", m.Identify(t), t)
	}
	if fs.NArg() > 0 {
		for _, t := range fs.Args() {
			emit(t)
		}
		return nil
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			emit(sc.Text())
		}
	}
	return sc.Err()
}
