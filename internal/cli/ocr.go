package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/marsad/marsad/ocr"
)

func runOCR(ctx context.Context, e env) error {
	var sets []string
	for _, s := range ocr.PosterSets() {
		sets = append(sets, fmt.Sprintf("  %-9s %s", s.Name, s.About))
	}
	fs := newFlags(e, "ocr", "ocr [--raw] [--psm N,...] IMAGE ... | ocr --eval [--set NAME] [--raw] [--psm N,...]\n\n"+
		"Prints the text Tesseract reads on each image, or with --eval renders\n"+
		"posters of known Arabic, English and French sentences and prints the\n"+
		"character accuracy (1 - CER) per language and the time per image.\n"+
		"Images are preprocessed (inverted to dark on light, text enlarged,\n"+
		"deskewed, binarised, cleaned) unless --raw. Poster sets:\n"+strings.Join(sets, "\n"))
	eval := fs.Bool("eval", false, "measure character accuracy on rendered posters")
	set := fs.String("set", "own", "the poster set --eval measures: own, tuning or held-out")
	raw := fs.Bool("raw", false, "give Tesseract the image as it is, without preprocessing")
	psm := fs.String("psm", strconv.Itoa(ocr.DefaultPSM), "Tesseract page segmentation modes, comma-separated: each is tried in turn and the most confident read kept")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	opts := ocr.Options{Raw: *raw}
	for _, f := range strings.Split(*psm, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 || n > 13 {
			return fmt.Errorf("%w: --psm %q: page segmentation modes are numbers from 0 to 13", errUsage, f)
		}
		opts.PSMs = append(opts.PSMs, n)
	}
	ps, err := ocr.PosterSetNamed(*set)
	if err != nil {
		return fmt.Errorf("%w: --set: %v", errUsage, err)
	}
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
	posters, err := ps.Render(ctx)
	if err != nil {
		return err
	}
	type sum struct {
		n            int
		acc, letters float64
	}
	sums := map[string]*sum{}
	var wall, prep, cpu time.Duration
	fmt.Fprintf(e.stdout, "poster set %q: %s; preprocessing %s\n\n", ps.Name, ps.About, map[bool]string{true: "off", false: "on"}[*raw])
	fmt.Fprintln(e.stdout, "lang  accuracy  without diacritics  psm  font  tilt  sentence")
	for _, p := range posters {
		start := time.Now()
		r, err := ocr.Read(ctx, p.Data, opts)
		if err != nil {
			return fmt.Errorf("%q: %w", p.Text, err)
		}
		wall += time.Since(start)
		cpu += r.CPU
		prep += r.PrepTime
		got, want := norm.NFC.String(r.Text), norm.NFC.String(p.Text)
		a, l := ocr.CharAccuracy(got, want), ocr.CharAccuracy(ocr.StripMarks(got), ocr.StripMarks(want))
		fmt.Fprintf(e.stdout, "%s  %.3f  %.3f  %2d  %s  %+.0f  %s\n", p.Lang, a, l, r.PSM, p.Font, p.Angle, want)
		if sums[p.Lang] == nil {
			sums[p.Lang] = &sum{}
		}
		sums[p.Lang].n++
		sums[p.Lang].acc += a
		sums[p.Lang].letters += l
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
	if n := len(posters); n > 0 {
		fmt.Fprintf(e.stdout, "\nseconds per image: %.2f elapsed, of which %.2f preprocessing; %.2f Tesseract CPU\n",
			wall.Seconds()/float64(n), prep.Seconds()/float64(n), cpu.Seconds()/float64(n))
	}
	return nil
}
