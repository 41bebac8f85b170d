// Package ocr reads the text written on images with the Tesseract command
// line program and its Arabic, English and French data.
//
// It runs the tesseract command rather than linking libtesseract through
// cgo so that the program using it stays one static binary: where
// Tesseract is not installed, Available says so and everything else keeps
// working. Each image is checked (format, pixel count, bytes) before
// Tesseract sees it, and each run has a deadline.
//
// The package depends on nothing else in marsad, so another project can
// use it.
package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // formats whose size is checked before Tesseract reads them
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// ErrNoTesseract is returned (wrapped) when the tesseract command or one
// of the language data files is not installed.
var ErrNoTesseract = errors.New("tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-ara tesseract-ocr-eng tesseract-ocr-fra)")

// ErrImage is returned (wrapped) for data that is not an image Tesseract
// is given: an unknown or corrupt format, or one over the size limits.
var ErrImage = errors.New("not a readable image")

// ErrTimeout is returned (wrapped) when Tesseract did not finish in time.
var ErrTimeout = errors.New("tesseract took too long")

// Defaults for Options' zero fields.
const (
	DefaultLanguages = "ara+eng+fra"
	// DefaultPSM is Tesseract's page segmentation mode 11, "sparse text":
	// posters carry a few lines of large text scattered over a picture,
	// not a page of paragraphs. It is tried first.
	DefaultPSM       = 11
	DefaultTimeout   = 30 * time.Second
	DefaultMaxPixels = 40_000_000
	DefaultMaxBytes  = 20 << 20
)

// goodEnough is the confidence (0-100) at which a read is kept without
// trying the other page segmentation modes of Options.PSMs.
const goodEnough = 90

// Options say how Tesseract is run. The zero value uses the defaults.
type Options struct {
	// Command is the tesseract program; empty means "tesseract" on PATH.
	Command string
	// Languages are Tesseract's language codes joined by "+".
	Languages string
	// PSMs are Tesseract's page segmentation modes (--psm) tried in
	// turn until one reads with confidence goodEnough; the most
	// confident read is kept. None means DefaultPSM alone.
	PSMs []int
	// Raw gives Tesseract the image as it is, without Preprocess.
	Raw bool
	// Timeout bounds one image's recognition, every mode tried included.
	Timeout time.Duration
	// MaxPixels and MaxBytes bound the images given to Tesseract.
	MaxPixels int64
	MaxBytes  int64
}

func (o Options) command() string {
	if o.Command != "" {
		return o.Command
	}
	return "tesseract"
}

func (o Options) languages() string {
	if o.Languages != "" {
		return o.Languages
	}
	return DefaultLanguages
}

func (o Options) psms() []int {
	if len(o.PSMs) > 0 {
		return o.PSMs
	}
	return []int{DefaultPSM}
}

// Available reports whether the tesseract command and every language of
// opts are installed, with ErrNoTesseract (wrapped) if not.
func (o Options) Available(ctx context.Context) error {
	path, err := exec.LookPath(o.command())
	if err != nil {
		return fmt.Errorf("%w: %s not found", ErrNoTesseract, o.command())
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--list-langs").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s --list-langs: %v", ErrNoTesseract, o.command(), err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, l := range strings.Split(o.languages(), "+") {
		if !have[l] {
			return fmt.Errorf("%w: no %q language data", ErrNoTesseract, l)
		}
	}
	return nil
}

// Recognize returns the text Tesseract reads on the image in data, with
// blank lines and lines without a letter or digit left out. An image
// with no text gives "" and no error.
func Recognize(ctx context.Context, data []byte, opts Options) (string, error) {
	r, err := Read(ctx, data, opts)
	return r.Text, err
}

// Result is what Read found on an image and how.
type Result struct {
	Text string
	// Confidence is Tesseract's mean word confidence (0-100), weighted
	// by word length; 0 when nothing was read.
	Confidence float64
	// PSM is the page segmentation mode whose read was kept.
	PSM int
	// Prepared says what Preprocess did, without the page itself (zero
	// with Options.Raw).
	Prepared Prepared
	// PrepTime is the time Preprocess took; CPU is the processor time
	// Tesseract used, every mode tried included.
	PrepTime, CPU time.Duration
}

// Read is Recognize with the confidence and the work done: the image is
// checked, preprocessed (unless opts.Raw), and read with each page
// segmentation mode of opts in turn until one is confident enough; the
// most confident read is kept.
func Read(ctx context.Context, data []byte, opts Options) (Result, error) {
	maxBytes, maxPixels := opts.MaxBytes, opts.MaxPixels
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if int64(len(data)) > maxBytes {
		return Result{}, fmt.Errorf("%w: %d bytes, more than %d", ErrImage, len(data), maxBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return Result{}, fmt.Errorf("%w: %s of %dx%d pixels, more than %d", ErrImage, format, cfg.Width, cfg.Height, maxPixels)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var res Result
	input := data
	if !opts.Raw {
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return Result{}, fmt.Errorf("%w: %s: %v", ErrImage, format, err)
		}
		start := time.Now()
		res.Prepared = Preprocess(img)
		res.PrepTime = time.Since(start)
		input = encodePGM(res.Prepared.Image)
		res.Prepared.Image = nil
	}
	best := Result{Confidence: -1}
	for _, psm := range opts.psms() {
		r, err := runTesseract(ctx, input, opts, psm)
		res.CPU += r.CPU
		if ctx.Err() == context.DeadlineExceeded {
			return Result{}, fmt.Errorf("%w: no result after %s", ErrTimeout, timeout)
		}
		if err != nil {
			return Result{}, err
		}
		if r.Confidence > best.Confidence {
			best = r
		}
		if r.Confidence >= goodEnough {
			break
		}
	}
	res.Text, res.Confidence, res.PSM = best.Text, max(best.Confidence, 0), best.PSM
	return res, nil
}

// runTesseract reads input with one page segmentation mode, asking for
// Tesseract's TSV output to have each word's confidence.
func runTesseract(ctx context.Context, input []byte, opts Options, psm int) (Result, error) {
	cmd := exec.CommandContext(ctx, opts.command(), "stdin", "stdout", "-l", opts.languages(), "--psm", strconv.Itoa(psm), "tsv")
	cmd.Stdin = bytes.NewReader(input)
	// One thread per run: the caller decides how many images run at once.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var r Result
	if cmd.ProcessState != nil {
		r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return r, fmt.Errorf("%w: %v", ErrNoTesseract, err)
		}
		return r, fmt.Errorf("%w: tesseract: %s", ErrImage, firstLine(stderr.String(), err))
	}
	text, conf := parseTSV(string(out))
	r.Text, r.Confidence, r.PSM = clean(text), conf, psm
	return r, nil
}

// parseTSV rebuilds the text of Tesseract's TSV output (words in reading
// order, one row each, with their block, paragraph and line numbers) and
// its mean word confidence weighted by word length.
func parseTSV(tsv string) (string, float64) {
	var b strings.Builder
	var line string
	var conf, chars float64
	for i, row := range strings.Split(tsv, "\n") {
		f := strings.Split(row, "\t")
		if i == 0 || len(f) < 12 || f[0] != "5" {
			continue
		}
		word := strings.TrimSpace(f[11])
		if word == "" {
			continue
		}
		if key := f[2] + "." + f[3] + "." + f[4]; key != line {
			if line != "" {
				b.WriteByte('\n')
			}
			line = key
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(word)
		c, err := strconv.ParseFloat(f[10], 64)
		if err != nil || c < 0 {
			continue
		}
		n := float64(utf8.RuneCountInString(word))
		conf += c * n
		chars += n
	}
	if chars == 0 {
		return b.String(), 0
	}
	return b.String(), conf / chars
}

// clean drops the form feed Tesseract ends a page with, the direction
// marks it puts around Latin runs in Arabic lines, blank lines and lines
// of stray marks (no letter or digit), and trims each line.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\f' {
			return '\n'
		}
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if strings.IndexFunc(l, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string, err error) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		// Tesseract reports its own defaults on stderr; they say nothing.
		if l == "" || strings.HasPrefix(l, "Estimating resolution") || strings.HasPrefix(l, "Warning: Invalid resolution") {
			continue
		}
		if len(l) > 200 {
			l = l[:200] + "..."
		}
		return l
	}
	return err.Error()
}
