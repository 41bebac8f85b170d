// Package pipeline turns posts into signals, matches, scores and cases:
// normalise → signals → match + score → route. Each stage is a plain
// function over plain values; Pipeline wires them to the store.
package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/metrics"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// ImageHasher computes the perceptual hash of an image.
type ImageHasher interface {
	// HashImage returns the hash as 64 hex characters and its quality.
	HashImage(r io.Reader) (hash string, quality int, err error)
	// MinQuality is the quality below which a hash is recorded but not matched.
	MinQuality() int
}

// NearMatcher finds bank entries within a distance of a perceptual hash.
type NearMatcher interface {
	MatchPDQ(ctx context.Context, hash string) ([]model.Match, error)
}

// Scorer scores a post's text for every label and names its language.
type Scorer interface {
	Score(text string) (lang string, scores []model.Score)
}

// Pipeline processes posts and saves them with their analysis.
type Pipeline struct {
	Store *store.Store
	// Blobs keeps media files; nil means media files are hashed but not kept.
	Blobs *blob.Store
	// MediaDir is where relative media paths are read from. Empty means
	// media paths are refused, as for posts sent over the API. A path may
	// not leave it: absolute paths, ".." and symlinks that resolve outside
	// are refused.
	MediaDir string
	// MediaExclude names files and folders never read as media even when
	// inside MediaDir, such as the evidence signing key and the database:
	// whatever is read becomes media that every user can open.
	MediaExclude []string
	// MaxMediaBytes bounds one media file.
	MaxMediaBytes int64
	Hasher        ImageHasher // optional
	Near          NearMatcher // optional
	// Video hashes videos and animated GIFs with vPDQ; nil leaves them
	// with their digests only (as when ffmpeg is not installed).
	Video VideoHasher
	// VideoNear matches vPDQ hashes against video banks; optional.
	VideoNear VideoMatcher
	Scorer    Scorer // optional
	// OCR reads the text on images; nil leaves images unread (as when
	// Tesseract is not installed).
	OCR TextReader
	// Frames samples stills from videos so OCR reads the text on them;
	// nil leaves videos unread.
	Frames  FrameSampler
	Metrics *metrics.Metrics
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ItemError is why one post of a batch was refused.
type ItemError struct {
	Item  int    // 1-based line or array index
	Field string // the offending field, if one
	Err   error
}

func (e *ItemError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("item %d: %s: %v", e.Item, e.Field, e.Err)
	}
	return fmt.Sprintf("item %d: %v", e.Item, e.Err)
}

func (e *ItemError) Unwrap() error { return e.Err }

// fieldError names the field at fault.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// FieldError is err as the fault of one field of a post, so a batch
// reports it by item and field like the pipeline's own checks.
func FieldError(field string, err error) error { return &fieldError{field: field, err: err} }

func fieldErr(field string, format string, args ...any) error {
	return &fieldError{field: field, err: fmt.Errorf(format, args...)}
}

// Result is what happened to one post.
type Result struct {
	PostID  int64
	Created bool // false: the post was already stored and nothing changed
	CaseID  int64
	Labels  []model.Label
	// MediaRefused names the media items not kept (empty or too large),
	// as "media[i]: reason"; the post itself was stored.
	MediaRefused []string
}

// Ingest processes a post and stores it. A post already stored (same
// platform and source id) is left as it is and reported as not created.
func (p *Pipeline) Ingest(ctx context.Context, post *model.Post) (Result, error) {
	a, dup, err := p.prepare(ctx, post)
	if err != nil || dup != nil {
		return deref(dup), err
	}
	id, created, err := p.Store.SavePost(ctx, post, a)
	if err != nil {
		return Result{}, err
	}
	res := p.saved(a, id, created)
	res.MediaRefused = RefusedMedia(post)
	return res, nil
}

func deref(r *Result) Result {
	if r == nil {
		return Result{}
	}
	return *r
}

// prepare checks, normalises and analyses a post. For a post already
// stored it returns the stored post's result instead.
func (p *Pipeline) prepare(ctx context.Context, post *model.Post) (store.Analysis, *Result, error) {
	if err := p.normalise(post); err != nil {
		return store.Analysis{}, nil, err
	}
	if existing, err := p.Store.PostBySource(ctx, post.Platform, post.SourceID); err == nil {
		return store.Analysis{}, &Result{PostID: existing.ID}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Analysis{}, nil, err
	}
	if err := p.readMedia(ctx, post); err != nil {
		return store.Analysis{}, nil, err
	}
	a, err := p.Analyse(ctx, post)
	return a, nil, err
}

// saved turns a stored post into its Result and counts it.
func (p *Pipeline) saved(a store.Analysis, id int64, created bool) Result {
	r := Result{PostID: id, Created: created}
	if !created {
		return r
	}
	for _, m := range a.Matches {
		p.Metrics.Matched(string(m.Signal.Type), 1)
	}
	if a.Case != nil {
		p.Metrics.CaseOpened()
		r.CaseID, r.Labels = a.Case.ID, a.Case.Labels
	}
	return r
}

// Reprocess analyses a stored post again, as after new bank entries or a
// new model, and saves the new analysis.
func (p *Pipeline) Reprocess(ctx context.Context, id int64) (Result, error) {
	post, err := p.Store.Post(ctx, id)
	if err != nil {
		return Result{}, err
	}
	a, err := p.Analyse(ctx, post)
	if err != nil {
		return Result{}, err
	}
	if err := p.Store.UpdateAnalysis(ctx, post, a); err != nil {
		return Result{}, err
	}
	r := Result{PostID: id}
	if a.Case != nil {
		r.CaseID, r.Labels = a.Case.ID, a.Case.Labels
	}
	return r, nil
}

// Analyse computes a post's signals, matches, scores and case without
// storing anything. Media must already carry their digests.
func (p *Pipeline) Analyse(ctx context.Context, post *model.Post) (store.Analysis, error) {
	var a store.Analysis
	a.Signals = Signals(post)
	if p.Scorer != nil {
		a.Scores = p.score(post)
	}
	minQ := 0
	if p.Hasher != nil {
		minQ = p.Hasher.MinQuality()
	}
	for _, sg := range a.Signals {
		var ms []model.Match
		var err error
		if sg.Type == model.SignalPDQ {
			if p.Near == nil || (sg.Quality >= 0 && sg.Quality < minQ) {
				continue
			}
			ms, err = p.Near.MatchPDQ(ctx, sg.Value)
		} else if sg.Type == model.SignalVPDQ {
			ms, err = p.matchVideo(ctx, post, sg)
		} else {
			ms, err = p.Store.MatchExact(ctx, sg)
		}
		if err != nil {
			return a, fmt.Errorf("match %s %s: %w", sg.Type, sg.Value, err)
		}
		for i := range ms {
			ms[i].Signal = sg
		}
		a.Matches = append(a.Matches, ms...)
	}
	a.Case = Route(a.Matches, a.Scores)
	a.Scores = kept(a.Scores)
	return a, nil
}

// minStoredScore is the score below which a label's score is not stored:
// it says nothing a reviewer needs, and most posts score near zero on
// most labels.
const minStoredScore = 0.05

func kept(scores []model.Score) []model.Score {
	out := scores[:0]
	for _, s := range scores {
		if s.Score >= minStoredScore || s.Score >= s.Threshold {
			out = append(out, s)
		}
	}
	return out
}

// normalise checks a post's required fields and puts its text in NFC.
func (p *Pipeline) normalise(post *model.Post) error {
	post.Platform = strings.ToLower(strings.TrimSpace(post.Platform))
	post.SourceID = strings.TrimSpace(post.SourceID)
	switch {
	case post.Platform == "":
		return fieldErr("platform", "required")
	case post.SourceID == "":
		return fieldErr("source_id", "required")
	case len(post.Platform) > 64:
		return fieldErr("platform", "longer than 64 bytes")
	case len(post.SourceID) > 256:
		return fieldErr("source_id", "longer than 256 bytes")
	case strings.TrimSpace(post.Text) == "" && len(post.Links) == 0 && len(post.Media) == 0:
		return fieldErr("text", "a post needs text, links or media")
	}
	// PostgreSQL refuses invalid UTF-8 and NUL in text; neither belongs in
	// a post, so both are refused on every store, naming the field.
	fields := [][2]string{{"platform", post.Platform}, {"source_id", post.SourceID}, {"text", post.Text},
		{"author", post.Author}, {"channel", post.Channel}, {"signature", post.Signature}, {"platform_notice", post.Notice}, {"url", post.URL}}
	for i, l := range post.Links {
		fields = append(fields, [2]string{fmt.Sprintf("links[%d]", i), l})
	}
	for i, m := range post.Media {
		for _, f := range [][2]string{{"path", m.Path}, {"url", m.URL}, {"type", m.Type}, {"sha256", m.SHA256}, {"md5", m.MD5}, {"pdq", m.PDQ}, {"missing", m.Missing}} {
			fields = append(fields, [2]string{fmt.Sprintf("media[%d].%s", i, f[0]), f[1]})
		}
	}
	for _, f := range fields {
		switch {
		case !utf8.ValidString(f[1]):
			return fieldErr(f[0], "invalid UTF-8")
		case strings.IndexByte(f[1], 0) >= 0:
			return fieldErr(f[0], "contains a NUL character")
		}
	}
	post.Text = norm.NFC.String(post.Text)
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	post.IngestedAt = now().UTC()
	// A post without a time stays without one: dating it by its ingestion
	// would put it in the wrong place in every timeline and co-sharing
	// window (docs/importers.md, "Unknown times").
	if post.PostedAtUnknown || post.PostedAt.IsZero() {
		post.PostedAt, post.PostedAtUnknown = time.Time{}, true
	} else {
		post.PostedAt = post.PostedAt.UTC()
	}
	return nil
}

// readMedia reads each media item (a local file or inline data), keeps it
// in the blob store and records its digests and perceptual hash. Digests a
// sender supplied without the file are checked for form and kept.
func (p *Pipeline) readMedia(ctx context.Context, post *model.Post) error {
	post.OCRText = ""
	for i := range post.Media {
		m := &post.Media[i]
		field := fmt.Sprintf("media[%d]", i)
		m.Error = ""
		m.EXIF = nil // read from the file, never taken from a sender
		var data []byte
		var refused refusedMedia
		switch {
		case m.Data != nil && len(m.Data) == 0:
			// Sent as data, but empty ("data": "").
			m.Data = nil
			refused = "the file is empty (0 bytes)"
		case len(m.Data) > 0:
			data = m.Data
			m.Data = nil
		case m.Path != "":
			if p.MediaDir == "" {
				return fieldErr(field+".path", "local paths are not accepted here; send the file as data")
			}
			b, err := p.readLocal(m.Path)
			if errors.As(err, &refused) {
				break
			}
			if err != nil {
				return fieldErr(field+".path", "%v", err)
			}
			data = b
		}
		if refused != "" {
			// The post is kept, its text scored; only this file is not.
			m.Error = joinErr(m.Error, MediaRefusedPrefix+string(refused))
			continue
		}
		if data != nil {
			if err := p.hashMedia(m, field, data); errors.As(err, &refused) {
				m.Error = joinErr(m.Error, MediaRefusedPrefix+string(refused))
				continue
			} else if err != nil {
				return err
			}
			readMeta(m, data)
			p.readText(ctx, post, m, data)
			p.readVideoText(ctx, post, m, data)
			continue
		}
		// No file: keep what the sender computed, if well formed.
		for _, h := range []struct {
			t model.SignalType
			v *string
		}{{model.SignalSHA256, &m.SHA256}, {model.SignalMD5, &m.MD5}, {model.SignalPDQ, &m.PDQ}} {
			if *h.v == "" {
				continue
			}
			c, err := bank.Canonical(h.t, *h.v)
			if err != nil {
				return fieldErr(field+"."+string(h.t), "%v", err)
			}
			*h.v = c
		}
		if m.PDQ != "" && m.Quality == 0 {
			m.Quality = -1 // not stated by the sender
		}
		if m.VPDQ != "" {
			_, c, err := bank.CanonicalVPDQ(m.VPDQ)
			if err != nil {
				return fieldErr(field+".vpdq", "%v", err)
			}
			m.VPDQ = c
		}
		if m.SHA256 == "" && m.MD5 == "" && m.PDQ == "" && m.VPDQ == "" && m.URL == "" && m.Missing == "" {
			return fieldErr(field, "needs a path, data, a hash, a url or why it is missing")
		}
	}
	return nil
}

func (p *Pipeline) maxMedia() int64 {
	if p.MaxMediaBytes > 0 {
		return p.MaxMediaBytes
	}
	return 50 << 20
}

// refusedMedia is why a media file that arrived was not kept: an empty
// file, or one over the size limit. The post is kept and the reason is
// recorded on the media item, so its text is still stored and scored.
type refusedMedia string

func (e refusedMedia) Error() string { return string(e) }

// MediaRefusedPrefix starts the Error of a media item that was refused, so
// that the people and programs reading a post can tell it from a file
// that was kept but could not be hashed.
const MediaRefusedPrefix = "refused: "

// RefusedMedia lists the media items of post that were refused, as
// "media[i]: reason".
func RefusedMedia(post *model.Post) []string {
	var out []string
	for i, m := range post.Media {
		for _, e := range strings.Split(m.Error, "; ") {
			if strings.HasPrefix(e, MediaRefusedPrefix) {
				out = append(out, fmt.Sprintf("media[%d]: %s", i, strings.TrimPrefix(e, MediaRefusedPrefix)))
			}
		}
	}
	return out
}

// hashMedia keeps and hashes media item field. A file too large is
// refused on its own (refusedMedia); a failure to keep it (a full disk)
// is the server's and names no field, so the post is not refused as
// malformed.
func (p *Pipeline) hashMedia(m *model.Media, field string, data []byte) error {
	if int64(len(data)) > p.maxMedia() {
		return refusedMedia(fmt.Sprintf("the file is larger than %d bytes", p.maxMedia()))
	}
	sums := blob.Digest(data)
	if p.Blobs != nil {
		var err error
		if sums, err = p.Blobs.Put(bytes.NewReader(data)); err != nil {
			if errors.Is(err, blob.ErrTooLarge) {
				return fieldErr(field, "%v", err)
			}
			return fmt.Errorf("%s: keep the file: %w", field, err)
		}
	}
	m.SHA256, m.MD5 = sums.SHA256, sums.MD5
	// The bytes decide what a file is, never a name or a sender's word:
	// a "photo.jpg" that is a video is hashed as a video.
	m.Type = MediaType(data)
	if m.Type == "image" && p.Hasher != nil {
		h, q, err := p.Hasher.HashImage(bytes.NewReader(data))
		if err != nil {
			// The file is kept and its digests still match; only the
			// perceptual hash is missing, and the reason is recorded.
			m.Error = "perceptual hash: " + err.Error()
			return nil
		}
		m.PDQ, m.Quality = h, q
	}
	p.hashVideo(m, data)
	return nil
}

// MediaType says from a file's first bytes whether it is an image, a
// video or another file. http.DetectContentType knows the common image
// formats, MP4, WebM/Matroska and AVI; the magic numbers below add the
// containers it does not (QuickTime, 3GP, HEIF, MPEG-TS, FLV).
func MediaType(data []byte) string {
	ct := http.DetectContentType(data)
	switch {
	case strings.HasPrefix(ct, "image/"):
		return "image"
	case strings.HasPrefix(ct, "video/"):
		return "video"
	}
	if len(data) >= 12 && string(data[4:8]) == "ftyp" {
		switch brand := string(data[8:12]); {
		case brand == "heic" || brand == "heix" || brand == "mif1" || brand == "avif":
			return "image"
		case brand == "qt  " || strings.HasPrefix(brand, "3g") || strings.HasPrefix(brand, "iso") || strings.HasPrefix(brand, "M4V"):
			return "video"
		}
	}
	switch {
	case bytes.HasPrefix(data, []byte("FLV\x01")):
		return "video"
	case len(data) >= 189 && data[0] == 0x47 && data[188] == 0x47: // MPEG-TS sync bytes
		return "video"
	}
	return "file"
}

// readLocal reads a media file named relative to MediaDir. It is opened
// through os.Root, so no path, symlink or ".." inside a path can reach a
// file outside the folder; ".." and absolute paths are refused outright,
// with a message saying why.
func (p *Pipeline) readLocal(name string) ([]byte, error) {
	if filepath.IsAbs(name) || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) || filepath.VolumeName(name) != "" {
		return nil, errors.New("absolute paths are not accepted: give a path relative to the input file's folder")
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return nil, errors.New(`".." is not accepted: media must be inside the input file's folder`)
		}
	}
	root, err := os.OpenRoot(p.MediaDir)
	if err != nil {
		return nil, fmt.Errorf("cannot open the media folder: %w", err)
	}
	defer root.Close()
	f, err := root.Open(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no such file %s in the input file's folder", name)
	case err != nil && strings.Contains(err.Error(), "escapes"):
		return nil, fmt.Errorf("%s resolves outside the input file's folder (a symlink out of it is not followed)", name)
	case err != nil:
		return nil, fmt.Errorf("cannot read media: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read media %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	if p.excluded(filepath.Join(p.MediaDir, name), fi) {
		return nil, fmt.Errorf("%s is one of marsad's own files (a key or the database) and is never read as media", name)
	}
	max := p.maxMedia()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read media %s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, refusedMedia(fmt.Sprintf("%s is larger than %d bytes", name, max))
	}
	if len(b) == 0 {
		return nil, refusedMedia(fmt.Sprintf("%s is empty (0 bytes)", name))
	}
	return b, nil
}

// excluded reports whether the file at path (already opened, fi) is or
// lies under one of MediaExclude, by resolved path or as the same file
// (a hard link).
func (p *Pipeline) excluded(path string, fi os.FileInfo) bool {
	if len(p.MediaExclude) == 0 {
		return false
	}
	real, err := filepath.EvalSymlinks(path)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	if err != nil {
		return true // cannot tell: do not read it
	}
	for _, ex := range p.MediaExclude {
		if r, err := filepath.EvalSymlinks(ex); err == nil {
			ex = r
		}
		if a, err := filepath.Abs(ex); err == nil {
			ex = a
		}
		if real == ex || strings.HasPrefix(real, ex+string(filepath.Separator)) {
			return true
		}
		if efi, err := os.Stat(ex); err == nil && os.SameFile(fi, efi) {
			return true
		}
	}
	return false
}
