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
	// not a page of paragraphs.
	DefaultPSM       = 11
	DefaultTimeout   = 30 * time.Second
	DefaultMaxPixels = 40_000_000
	DefaultMaxBytes  = 20 << 20
)

// Options say how Tesseract is run. The zero value uses the defaults.
type Options struct {
	// Command is the tesseract program; empty means "tesseract" on PATH.
	Command string
	// Languages are Tesseract's language codes joined by "+".
	Languages string
	// PSM is Tesseract's page segmentation mode (--psm).
	PSM int
	// Timeout bounds one image's recognition.
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
	maxBytes, maxPixels := opts.MaxBytes, opts.MaxPixels
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if int64(len(data)) > maxBytes {
		return "", fmt.Errorf("%w: %d bytes, more than %d", ErrImage, len(data), maxBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return "", fmt.Errorf("%w: %s of %dx%d pixels, more than %d", ErrImage, format, cfg.Width, cfg.Height, maxPixels)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	psm := opts.PSM
	if psm == 0 {
		psm = DefaultPSM
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, opts.command(), "stdin", "stdout", "-l", opts.languages(), "--psm", strconv.Itoa(psm))
	cmd.Stdin = bytes.NewReader(data)
	// One thread per run: the caller decides how many images run at once.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() == context.DeadlineExceeded {
		return "", fmt.Errorf("%w: no result after %s", ErrTimeout, timeout)
	}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return "", fmt.Errorf("%w: %v", ErrNoTesseract, err)
		}
		return "", fmt.Errorf("%w: tesseract: %s", ErrImage, firstLine(stderr.String(), err))
	}
	return clean(string(out)), nil
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
