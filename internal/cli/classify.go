package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/marsad/marsad/classifier"
)

func runClassify(_ context.Context, e env) error {
	fs := newFlags(e, "classify", "classify [--model FILE] [--threshold LABEL=V,...] [--json] [TEXT ...]\n\nWith no TEXT, each line of standard input is one text.")
	modelPath := fs.String("model", "", "model `file` (default: the embedded default model)")
	thresholds := fs.String("threshold", "", "per-label thresholds, e.g. `incitement=0.7,propaganda=0.6`")
	asJSON := fs.Bool("json", false, "write one JSON object per text")
	evidence := fs.Int("evidence", 3, "`n` features shown per label in text output")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	if *thresholds != "" {
		t, err := parseThresholds(*thresholds)
		if err != nil {
			return fmt.Errorf("%w: --threshold: %v", errUsage, err)
		}
		if m, err = m.WithThresholds(t); err != nil {
			return fmt.Errorf("%w: --threshold: %v", errUsage, err)
		}
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	emit := func(text string) error {
		r := m.Classify(text)
		if *asJSON {
			return enc.Encode(struct {
				Text    string             `json:"text"`
				Model   string             `json:"model"`
				Flagged []classifier.Label `json:"flagged"`
				classifier.Result
			}{text, m.Version(), r.Flagged(), r})
		}
		writeResult(out, text, &r, *evidence)
		return nil
	}
	if fs.NArg() > 0 {
		for _, t := range fs.Args() {
			if err := emit(t); err != nil {
				return err
			}
		}
		return nil
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if err := emit(sc.Text()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("standard input: %w", err)
	}
	return nil
}

func writeResult(w *bufio.Writer, text string, r *classifier.Result, nev int) {
	flagged := r.Flagged()
	verdict := "not flagged"
	if len(flagged) > 0 {
		parts := make([]string, len(flagged))
		for i, l := range flagged {
			parts[i] = string(l)
		}
		verdict = "FLAGGED: " + strings.Join(parts, ", ")
	}
	fmt.Fprintf(w, "%s\n  lang %s, %s\n", text, r.Lang, verdict)
	for _, s := range r.Scores {
		mark := " "
		if s.Over() {
			mark = "*"
		}
		fmt.Fprintf(w, "  %s %-16s %.3f (threshold %.2f)", mark, s.Label, s.Score, s.Threshold)
		// Evidence explains a verdict; under the threshold it is noise.
		for i, ev := range s.Evidence {
			if i == nev || !s.Over() {
				break
			}
			fmt.Fprintf(w, "  %q", ev.Feature)
		}
		fmt.Fprintln(w)
	}
}

// parseThresholds parses "label=value,label=value".
func parseThresholds(s string) (map[classifier.Label]float64, error) {
	out := map[classifier.Label]float64{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("%q: want label=value", part)
		}
		l, err := classifier.ParseLabel(k)
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			return nil, fmt.Errorf("%s=%q: want a number in 0..1", k, v)
		}
		out[l] = f
	}
	return out, nil
}
