package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/marsad/marsad/links"
	"github.com/marsad/marsad/wallet"
)

// maxLine is the longest input line extract reads; posts are far shorter.
const maxLine = 1 << 20

func runExtract(ctx context.Context, e env) error {
	fs := newFlags(e, "extract", "extract [FILE...]\n\n"+
		"Print the canonical URLs and checksum-valid wallet addresses found in text,\n"+
		"one line of input being one text (standard input when no FILE is given).\n"+
		"Output is tab-separated: source, line, kind (url or wallet), signal value;\n"+
		"URL lines add the URL as written and \"shortener\" when it is on a URL shortener.")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	if fs.NArg() == 0 {
		return extractFrom(ctx, "-", e.stdin, w, e.stderr)
	}
	for _, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = extractFrom(ctx, name, f, w, e.stderr)
		f.Close()
		if err != nil {
			return err
		}
	}
	return w.Flush()
}

// extractFrom writes the signals of each line of r to w; URLs that cannot be
// canonicalised are reported on stderr and skipped.
func extractFrom(ctx context.Context, name string, r io.Reader, w io.Writer, stderr io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for n := 1; sc.Scan(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		text := sc.Text()
		for _, raw := range links.Extract(text) {
			c, err := links.Canonical(raw)
			if err != nil {
				fmt.Fprintf(stderr, "%s:%d: skipped: %v\n", name, n, err)
				continue
			}
			note := ""
			if links.IsShortener(c) {
				note = "\tshortener"
			}
			fmt.Fprintf(w, "%s\t%d\turl\t%s\t%s%s\n", name, n, c, raw, note)
		}
		for _, a := range wallet.Find(text) {
			fmt.Fprintf(w, "%s\t%d\twallet\t%s\n", name, n, a)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
