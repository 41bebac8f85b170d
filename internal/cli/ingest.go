package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/marsad/marsad/internal/pipeline"
)

func runIngest(ctx context.Context, e env) error {
	fs := newFlags(e, "ingest", "ingest [flags] FILE.jsonl|-\n\nLoads posts, one JSON object per line, and runs the pipeline on each.\nRe-sending a post (same platform and source_id) changes nothing.\nMedia paths are read relative to the file's folder (or --media).")
	var sf storeFlags
	sf.register(fs)
	mediaDir := fs.String("media", "", "folder that relative media paths are read from (default: the input file's folder; the working folder for -)")
	workers := fs.Int("j", 0, "posts processed in parallel (default: one per CPU)")
	maxLine := fs.Int("max-line", 10<<20, "largest accepted line in bytes")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: give one FILE.jsonl, or - for standard input", errUsage)
	}
	name := fs.Arg(0)
	var r io.Reader = e.stdin
	var size int64 = -1
	dir := "."
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		r, dir = f, filepath.Dir(name)
	}
	if *mediaDir != "" {
		dir = *mediaDir
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	a.pipeline.MediaDir = dir
	bar := progress(e.stderr, size, "ingest")
	cr := &countingReader{r: r}
	rep, err := a.pipeline.IngestJSONL(ctx, cr, pipeline.IngestOptions{
		Workers: *workers, MaxLineBytes: *maxLine, Actor: "cli",
		Progress: func(int) { bar.Set64(cr.n.Load()) },
	})
	bar.Finish()
	for _, ie := range rep.Errors {
		fmt.Fprintf(e.stderr, "%s: line %d: %s\n", name, ie.Item, errText(ie))
	}
	for _, ie := range rep.MediaRefused {
		fmt.Fprintf(e.stderr, "%s: line %d: %v (post kept)\n", name, ie.Item, ie.Err)
	}
	fmt.Fprintf(e.stdout, "%s\n", rep)
	if err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d of %d lines refused", len(rep.Errors), rep.Items)
	}
	return nil
}

func errText(ie *pipeline.ItemError) string {
	if ie.Field != "" {
		return ie.Field + ": " + ie.Err.Error()
	}
	return ie.Err.Error()
}

// countingReader counts bytes read, for the progress bar; workers read the
// count while the reader adds to it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
