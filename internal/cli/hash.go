package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/pdq"
	"github.com/marsad/marsad/vpdq"
)

// hashImageExts are the file name endings hashed when walking a directory;
// files named on the command line are hashed whatever their name.
var hashImageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".bmp": true, ".tif": true, ".tiff": true,
	".mp4": true, ".m4v": true, ".mov": true, ".webm": true, ".mkv": true,
	".avi": true, ".3gp": true, ".flv": true,
}

// hashJob is one file to hash and, once done, its output lines or error.
type hashJob struct {
	path  string
	lines []string
	err   error
	done  chan struct{}
}

func runHash(ctx context.Context, e env) error {
	fl := newFlags(e, "hash", "hash [flags] FILE|DIR...\n\n"+
		"Prints the PDQ hash of each image as hash,quality,filename, like the reference\n"+
		"pdq-photo-hasher. Directories are walked for image and video files. Images of\n"+
		fmt.Sprintf("quality below %d are not worth matching.\n\n", pdq.MinQuality)+
		"Videos and animated GIFs are hashed with vPDQ: one line per sampled frame\n"+
		"(one a second), hash,quality,filename,frame,seconds. The first three fields\n"+
		"are as for an image; awk -F, '{print $4\",\"$2\",\"$1\",\"$5}' turns them into\n"+
		"ThreatExchange's vPDQ file format for bank import. Videos need ffmpeg.")
	dihedral := fl.Bool("dihedral", false, "print the 8 dihedral hashes (original, rotate90, rotate180, rotate270, flipx, flipy, flipplus1, flipminus1), one line each")
	full := fl.Bool("full-resolution", false, "hash at full size, as the pdqhash binding does, instead of resizing images larger than 512x512 to 512x512 as pdq-photo-hasher does")
	exact := fl.Bool("exact", false, "decode JPEGs in full and rebuild their colour as libjpeg does (slower; the path whose conformance pdq/CONFORMANCE.md reports bit for bit) instead of decoding luminance straight to the hash's working size")
	unletterbox := fl.Bool("unletterbox", false, "remove black borders before hashing")
	black := fl.Int("black-threshold", pdq.DefaultBlackThreshold, "channel value (0-255) at or below which a border pixel counts as black, with --unletterbox")
	maxPixels := fl.Int64("max-pixels", pdq.DefaultMaxPixels, "refuse images whose header declares more pixels than this (decompression-bomb guard; -1 for no limit)")
	jobs := fl.Int("j", runtime.GOMAXPROCS(0), "number of images hashed in parallel")
	if err := parseFlags(fl, e); err != nil {
		return err
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return fmt.Errorf("%w: no files or directories given", errUsage)
	}
	if *black < 0 || *black > 255 {
		return fmt.Errorf("%w: --black-threshold %d is not in 0-255", errUsage, *black)
	}
	if *jobs < 1 {
		return fmt.Errorf("%w: -j %d: need at least 1", errUsage, *jobs)
	}
	if *maxPixels == 0 {
		return fmt.Errorf("%w: --max-pixels 0 would refuse every image", errUsage)
	}
	opts := pdq.Options{MaxPixels: *maxPixels, FullResolution: *full, Exact: *exact}

	paths, walkErrs := hashPaths(fl.Args())
	for _, err := range walkErrs {
		fmt.Fprintf(e.stderr, "marsad hash: %v\n", err)
	}
	bar := progress(e.stderr, int64(len(paths)), "hashing")

	jobsCh := make(chan *hashJob)
	all := make([]*hashJob, len(paths))
	for i, p := range paths {
		all[i] = &hashJob{path: p, done: make(chan struct{})}
	}
	var wg sync.WaitGroup
	for range min(*jobs, max(len(paths), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := pdq.NewHasher(opts)
			for j := range jobsCh {
				j.lines, j.err = hashFile(ctx, h, j.path, *dihedral, *unletterbox, uint8(*black))
				close(j.done)
			}
		}()
	}
	go func() {
		defer close(jobsCh)
		for _, j := range all {
			select {
			case jobsCh <- j:
			case <-ctx.Done():
				return
			}
		}
	}()

	// Print in the order the files were given, as each one's turn comes.
	failed := len(walkErrs)
	var werr error
	for _, j := range all {
		select {
		case <-j.done:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		if j.err != nil {
			failed++
			bar.Clear()
			fmt.Fprintf(e.stderr, "marsad hash: %v\n", j.err)
		}
		for _, l := range j.lines {
			if _, err := io.WriteString(e.stdout, l); err != nil && werr == nil {
				werr = fmt.Errorf("writing output: %w", err)
			}
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	wg.Wait()
	if bar != nil {
		bar.Finish()
	}
	if werr != nil {
		return werr
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs failed", failed, len(paths)+len(walkErrs))
	}
	return nil
}

// hashFile hashes one file and returns its output lines.
func hashFile(ctx context.Context, h *pdq.Hasher, path string, dihedral, unletterbox bool, black uint8) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	kind := pipeline.MediaType(head)
	if kind == "video" || (kind == "image" && bytes.HasPrefix(head, []byte("GIF8"))) {
		fs, err := hashMotion(ctx, f, path, kind)
		switch {
		case errors.Is(err, vpdq.ErrStill):
			// A GIF of one frame is an image.
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, fmt.Errorf("%s: %w", path, err)
		case dihedral || unletterbox:
			return nil, fmt.Errorf("%s: --dihedral and --unletterbox apply to still images, not to a video", path)
		default:
			lines := make([]string, len(fs))
			for i, ft := range fs {
				lines[i] = fmt.Sprintf("%v,%d,%s,%d,%.3f\n", ft.Hash, ft.Quality, path, ft.Frame, ft.Timestamp)
			}
			return lines, nil
		}
	}
	if !unletterbox {
		return hashDecoded(h, f, path, dihedral)
	}
	img, _, err := pdq.Decode(f, h.Options())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if unletterbox {
		img = pdq.Unletterbox(img, black)
	}
	if !dihedral {
		hash, q := h.Hash(img)
		return []string{fmt.Sprintf("%v,%d,%s\n", hash, q, path)}, nil
	}
	d, q := h.Dihedral(img)
	lines := make([]string, len(d))
	for i, hash := range d {
		lines[i] = fmt.Sprintf("%v,%d,%s\n", hash, q, path)
	}
	return lines, nil
}

// hashMotion hashes a video (through ffmpeg) or an animated GIF with vPDQ,
// sampled as at ingest.
func hashMotion(ctx context.Context, f *os.File, path, kind string) ([]vpdq.Feature, error) {
	opts := vpdq.Options{SecondsPerHash: -1, MaxFrames: maxVideoFrames}
	if kind == "image" {
		return vpdq.HashAnimation(f, opts)
	}
	if err := opts.Available(); err != nil {
		return nil, fmt.Errorf("cannot hash a video: %w", err)
	}
	fs, err := vpdq.HashFile(ctx, path, opts)
	if err == nil && len(fs) == 0 {
		err = fmt.Errorf("%w: no frame could be hashed", vpdq.ErrVideo)
	}
	return fs, err
}

// hashDecoded hashes one file as the Hasher decodes it, which lets the
// hasher decode JPEGs straight to the size it needs.
func hashDecoded(h *pdq.Hasher, f io.Reader, path string, dihedral bool) ([]string, error) {
	if !dihedral {
		hash, q, err := h.HashReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return []string{fmt.Sprintf("%v,%d,%s\n", hash, q, path)}, nil
	}
	d, q, err := h.DihedralReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	lines := make([]string, len(d))
	for i, hash := range d {
		lines[i] = fmt.Sprintf("%v,%d,%s\n", hash, q, path)
	}
	return lines, nil
}

// hashPaths expands the arguments into the files to hash: files as given,
// directories walked in lexical order for image files.
func hashPaths(args []string) (paths []string, errs []error) {
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			paths = append(paths, arg)
			continue
		}
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, err)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && hashImageExts[strings.ToLower(filepath.Ext(p))] {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.SkipDir) {
			errs = append(errs, err)
		}
	}
	return paths, errs
}
