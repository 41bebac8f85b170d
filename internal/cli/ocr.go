package cli

import (
	"context"
	"fmt"
	"os"
	"sort"

	"golang.org/x/text/unicode/norm"

	"github.com/marsad/marsad/ocr"
)

func runOCR(ctx context.Context, e env) error {
	fs := newFlags(e, "ocr", "ocr IMAGE ... | ocr --eval\n\nPrints the text Tesseract reads on each image, or with --eval renders\nposters of known Arabic, English and French sentences and prints the\ncharacter accuracy (1 - CER) per language.")
	eval := fs.Bool("eval", false, "measure character accuracy on rendered posters")
	psm := fs.Int("psm", ocr.DefaultPSM, "Tesseract page segmentation mode")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	opts := ocr.Options{PSM: *psm}
	if err := opts.Available(ctx); err != nil {
		return err
	}
	if !*eval {
		if fs.NArg() == 0 {
			return fmt.Errorf("%w: give image files or --eval", errUsage)
		}
		for _, name := range fs.Args() {
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			text, err := ocr.Recognize(ctx, b, opts)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Fprintf(e.stdout, "%s\n%s\n\n", name, text)
		}
		return nil
	}
	type sum struct {
		n            int
		acc, letters float64
	}
	sums := map[string]*sum{}
	for _, s := range ocr.Samples() {
		b, err := ocr.RenderPoster(ctx, s)
		if err != nil {
			return err
		}
		got, err := ocr.Recognize(ctx, b, opts)
		if err != nil {
			return fmt.Errorf("%q: %w", s.Text, err)
		}
		got, want := norm.NFC.String(got), norm.NFC.String(s.Text)
		a, l := ocr.CharAccuracy(got, want), ocr.CharAccuracy(ocr.StripMarks(got), ocr.StripMarks(want))
		fmt.Fprintf(e.stdout, "%s  %.3f  %.3f  %s\n", s.Lang, a, l, want)
		if sums[s.Lang] == nil {
			sums[s.Lang] = &sum{}
		}
		sums[s.Lang].n++
		sums[s.Lang].acc += a
		sums[s.Lang].letters += l
	}
	langs := make([]string, 0, len(sums))
	for l := range sums {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	fmt.Fprintln(e.stdout, "\nlanguage  posters  accuracy  without diacritics")
	for _, l := range langs {
		s := sums[l]
		fmt.Fprintf(e.stdout, "%-8s  %7d  %8.3f  %.3f\n", l, s.n, s.acc/float64(s.n), s.letters/float64(s.n))
	}
	return nil
}
