package pdq

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// DefaultMaxPixels is the pixel limit when Options.MaxPixels is zero: an
// 8192x8192 image. A decoded image costs 4 bytes a pixel or more, so the
// limit keeps one image under about 300 MB however small its file is.
const DefaultMaxPixels = 8192 * 8192

// ErrTooLarge is returned (wrapped) for an image whose header declares more
// pixels than the limit; nothing past the header has been decoded.
var ErrTooLarge = errors.New("image too large")

// ErrFormat is returned (wrapped) for input that is not a JPEG, PNG, GIF,
// WebP, BMP or TIFF image.
var ErrFormat = errors.New("unknown image format")

// Options says how images are decoded and hashed.
type Options struct {
	// MaxPixels refuses images whose header declares more than this many
	// pixels (width times height), before any pixel is decoded: the guard
	// against decompression bombs. Zero means DefaultMaxPixels; a negative
	// value means no limit.
	MaxPixels int64

	// FullResolution hashes images at their own size, as the pdqhash
	// Python binding (python-threatexchange, HMA) and the Java port do. By
	// default images wider or taller than 512 pixels are first resized to
	// 512x512 by nearest neighbour, as the C++ reference pdq-photo-hasher
	// does; that is also several times faster on large images.
	FullResolution bool

	// Exact decodes JPEGs in full with image/jpeg and rebuilds their
	// colour as libjpeg does before taking luminance: the path whose
	// conformance CONFORMANCE.md reports bit for bit. By default JPEGs
	// are decoded luminance only and reduced in the DCT domain to the
	// size the hash needs (see fastjpeg.go), about three times faster:
	// within 8 bits of the reference on photos, but far from it on
	// images with detail at pixel scale (CONFORMANCE.md gives the
	// figures). Other formats hash the same either way.
	Exact bool

	// OnFallback, when set, is called each time a JPEG the fast path
	// did not decode is decoded by the exact path instead: reason is
	// FallbackUnsupported for a feature the fast decoder does not
	// implement (CMYK, arithmetic coding, 12-bit samples) and
	// FallbackError when it failed on the file, with its error. It lets
	// a server count them; it must be safe for concurrent use when
	// several Hashers share the Options.
	OnFallback func(reason string, err error)
}

// Reasons given to Options.OnFallback.
const (
	FallbackUnsupported = "unsupported"
	FallbackError       = "error"
)

func (o Options) maxPixels() int64 {
	if o.MaxPixels == 0 {
		return DefaultMaxPixels
	}
	return o.MaxPixels
}

// format is one image format the package decodes, recognised by its magic
// bytes ('?' matches any byte).
type format struct {
	name   string
	magic  string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// formats are tried in order. Listing them here, rather than relying on the
// image package's global registry, fixes which decoders outside input can
// reach.
var formats = []format{
	{"jpeg", "\xff\xd8", jpeg.DecodeConfig, jpeg.Decode},
	{"png", "\x89PNG\r\n\x1a\n", png.DecodeConfig, png.Decode},
	{"gif", "GIF87a", gif.DecodeConfig, gif.Decode},
	{"gif", "GIF89a", gif.DecodeConfig, gif.Decode},
	{"webp", "RIFF????WEBPVP8", webp.DecodeConfig, webp.Decode},
	{"bmp", "BM????\x00\x00\x00\x00", bmp.DecodeConfig, bmp.Decode},
	{"tiff", "II\x2a\x00", tiff.DecodeConfig, tiff.Decode},
	{"tiff", "MM\x00\x2a", tiff.DecodeConfig, tiff.Decode},
}

func sniff(b []byte) *format {
	for i := range formats {
		f := &formats[i]
		if len(b) < len(f.magic) {
			continue
		}
		ok := true
		for j := 0; j < len(f.magic); j++ {
			if f.magic[j] != '?' && f.magic[j] != b[j] {
				ok = false
				break
			}
		}
		if ok {
			return f
		}
	}
	return nil
}

// Decode reads one image (the first frame of an animated GIF) and returns it
// with its format name. It reads the header first and refuses images larger
// than opts allows before decoding any pixel.
func Decode(r io.Reader, opts Options) (img image.Image, name string, err error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(16)
	if len(magic) == 0 {
		return nil, "", fmt.Errorf("%w: empty input", ErrFormat)
	}
	f := sniff(magic)
	if f == nil {
		return nil, "", fmt.Errorf("%w (starts with %q)", ErrFormat, magic[:min(len(magic), 8)])
	}
	// The decoders are fuzzed upstream, but a crash on one hostile file
	// must not take down a worker hashing thousands.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%s: decoder failed on malformed input: %v", f.name, p)
		}
	}()

	// Keep the bytes the header parser consumes so the full decode can
	// read them again without the whole file being held in memory.
	var head bytes.Buffer
	cfg, err := f.config(io.TeeReader(br, &head))
	if err != nil {
		if f.name == "jpeg" {
			if kind := jpegKind(head.Bytes()); kind != "" {
				return nil, f.name, fmt.Errorf("jpeg: %s JPEG is not supported (%v)", kind, err)
			}
		}
		return nil, f.name, fmt.Errorf("%s header: %w", f.name, noEOF(err))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, f.name, fmt.Errorf("%s header: image has no pixels (%dx%d)", f.name, cfg.Width, cfg.Height)
	}
	if limit := opts.maxPixels(); limit > 0 && int64(cfg.Width)*int64(cfg.Height) > limit {
		return nil, f.name, fmt.Errorf("%s: %w: %dx%d is %d pixels, limit %d",
			f.name, ErrTooLarge, cfg.Width, cfg.Height, int64(cfg.Width)*int64(cfg.Height), limit)
	}
	img, err = f.decode(io.MultiReader(&head, br))
	if err != nil {
		err = noEOF(err)
		if strings.HasPrefix(err.Error(), f.name+":") {
			// The standard decoders already name their format.
			return nil, f.name, err
		}
		return nil, f.name, fmt.Errorf("%s: %w", f.name, err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		// A decoder that disagrees with its own header could slip past the
		// pixel limit.
		if int64(b.Dx())*int64(b.Dy()) > int64(cfg.Width)*int64(cfg.Height) {
			return nil, f.name, fmt.Errorf("%s: decoded %dx%d but header says %dx%d", f.name, b.Dx(), b.Dy(), cfg.Width, cfg.Height)
		}
	}
	return img, f.name, nil
}

// jpegKind names the coding process of a JPEG that no decoder here reads
// (arithmetic coding, lossless, hierarchical), from its frame header in
// b, or returns "" for the processes image/jpeg decodes (SOF0-2) or when
// b holds no frame header.
func jpegKind(b []byte) string {
	for i := 2; i+3 < len(b); {
		if b[i] != 0xff {
			return ""
		}
		m := b[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0x01 || (m >= 0xd0 && m <= 0xd8):
			i += 2
			continue
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			n := m - 0xc0
			switch {
			case n <= 2:
				return ""
			case n >= 9:
				return fmt.Sprintf("arithmetic-coded (SOF%d)", n)
			case n == 3:
				return "lossless (SOF3)"
			default:
				return fmt.Sprintf("hierarchical (SOF%d)", n)
			}
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return ""
}

// noEOF turns a bare EOF from a decoder into a message a user understands.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated file: %w", io.ErrUnexpectedEOF)
	}
	return err
}

// HashReader decodes one image from r and returns its PDQ hash and quality.
func HashReader(r io.Reader, opts Options) (Hash, int, error) {
	return NewHasher(opts).HashReader(r)
}

// DihedralReader decodes one image from r and returns the hashes of its
// eight dihedral transforms and its quality.
func DihedralReader(r io.Reader, opts Options) (Dihedral, int, error) {
	return NewHasher(opts).DihedralReader(r)
}

// HashReader decodes one image from r with the Hasher's options and returns
// its PDQ hash and quality.
func (h *Hasher) HashReader(r io.Reader) (Hash, int, error) {
	fast, err := h.readLuma(r)
	if err != nil {
		return Hash{}, 0, err
	}
	hash, q := h.hashLoaded()
	if fast && q < MinQuality {
		if err := h.redoExact(); err != nil {
			return Hash{}, 0, err
		}
		hash, q = h.hashLoaded()
	}
	return hash, q, nil
}

// DihedralReader decodes one image from r with the Hasher's options and
// returns the hashes of its eight dihedral transforms and its quality.
func (h *Hasher) DihedralReader(r io.Reader) (Dihedral, int, error) {
	fast, err := h.readLuma(r)
	if err != nil {
		return Dihedral{}, 0, err
	}
	d, q := h.dihedralLoaded()
	if fast && q < MinQuality {
		if err := h.redoExact(); err != nil {
			return Dihedral{}, 0, err
		}
		d, q = h.dihedralLoaded()
	}
	return d, q, nil
}

// readLuma decodes one image from r into the luminance buffer, through
// the fast JPEG path unless the options ask for the exact one; fast says
// whether it did.
func (h *Hasher) readLuma(r io.Reader) (fast bool, err error) {
	if !h.opts.Exact {
		if h.br == nil {
			h.br = bufio.NewReaderSize(r, 32<<10)
		} else {
			h.br.Reset(r)
		}
		defer h.br.Reset(nil)
		r = h.br
		if magic, _ := h.br.Peek(2); string(magic) == "\xff\xd8" {
			ok, reason, err := h.fastJPEG(h.br)
			if ok {
				return true, nil
			}
			if errors.Is(err, ErrTooLarge) {
				return false, err
			}
			// Unsupported here, or the fast decoder failed: image/jpeg
			// reads the file again from the start. Any failure falls
			// back, not only the ones known, because a valid file the
			// fast decoder gets wrong must still be hashed; a file that
			// is truly broken fails there too, with that decoder's
			// error.
			if h.opts.OnFallback != nil {
				h.opts.OnFallback(reason, err)
			}
			r = io.MultiReader(bytes.NewReader(h.head.Bytes()), h.br)
		}
	}
	img, _, err := Decode(r, h.opts)
	if err != nil {
		return false, err
	}
	h.loadLuma(img)
	return false, nil
}

// redoExact hashes the JPEG the fast path just read through the exact path
// instead. A hash below MinQuality comes from a nearly flat image whose
// bits turn on differences of a fraction of a grey level, which is all
// that separates the two paths; such hashes are never matched, but they
// should not depend on the path. The fast path kept the bytes it read.
func (h *Hasher) redoExact() error {
	img, _, err := Decode(bytes.NewReader(h.head.Bytes()), h.opts)
	if err != nil {
		return err
	}
	h.loadLuma(img)
	return nil
}
