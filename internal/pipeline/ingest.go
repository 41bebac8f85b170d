package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/marsad/marsad/internal/metrics"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// DecodePost parses one post from JSON. Unknown fields, trailing data and
// invalid UTF-8 are errors that name the problem.
func DecodePost(data []byte) (*model.Post, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p model.Post
	if err := dec.Decode(&p); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	return &p, nil
}

// jsonError rewrites encoding/json errors into the field-naming form users need.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &fieldError{field: te.Field, err: fmt.Errorf("want %s, got JSON %s", te.Type, te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("malformed JSON: the object is not closed")
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return &fieldError{field: "posted_at", err: fmt.Errorf("%q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", strings.Trim(pe.Value, `"`))}
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		return &fieldError{field: strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`), err: errors.New("unknown field")}
	}
	if errors.Is(err, io.EOF) {
		return errors.New("empty input")
	}
	return err
}

// Report summarises an ingest.
type Report struct {
	Items      int // lines or array elements read
	Created    int
	Duplicates int
	Cases      int
	Errors     []*ItemError
	// MediaRefused are the media items not kept (empty or too large) of
	// posts that were stored, one per item, with the reason.
	MediaRefused []*ItemError
}

func (r Report) String() string {
	s := fmt.Sprintf("%d read, %d new, %d already stored, %d cases opened, %d refused", r.Items, r.Created, r.Duplicates, r.Cases, len(r.Errors))
	if n := len(r.MediaRefused); n > 0 {
		s += fmt.Sprintf(" (%d media files not kept; their posts were)", n)
	}
	return s
}

// add counts the outcome of item n.
func (r *Report) add(n int, res Result, err error, m *metrics.Metrics) {
	switch {
	case err != nil:
		r.Errors = append(r.Errors, toItemError(n, err))
		m.Ingested("refused")
	case res.Created:
		r.Created++
		for _, m := range res.MediaRefused {
			r.MediaRefused = append(r.MediaRefused, &ItemError{Item: n, Err: errors.New(m)})
		}
		if res.CaseID != 0 {
			r.Cases++
		}
		m.Ingested("created")
	default:
		r.Duplicates++
		m.Ingested("duplicate")
	}
}

// IngestOptions tune a batch ingest.
type IngestOptions struct {
	// Workers process posts in parallel; 0 means one per CPU.
	Workers int
	// MaxLineBytes bounds one JSON line; 0 means 10 MiB.
	MaxLineBytes int
	// Progress, if set, is called after each item with the count so far.
	Progress func(done int)
	// Actor is recorded in the audit log.
	Actor string
}

// writeBatch is how many posts one transaction saves at most.
const writeBatch = 256

type item struct {
	n    int
	post *model.Post
	err  error
}

// IngestJSONL reads one post per line from r and ingests each. A bad line
// is reported with its number and the rest still go in; each post is saved
// in its own transaction. Blank lines are skipped. The whole batch is one
// audit event.
func (p *Pipeline) IngestJSONL(ctx context.Context, r io.Reader, opt IngestOptions) (Report, error) {
	maxLine := opt.MaxLineBytes
	if maxLine <= 0 {
		maxLine = 10 << 20
	}
	return p.ingest(ctx, opt, func(dispatch func(n int, post *model.Post, err error)) (int, error) {
		br := bufio.NewReaderSize(r, 64<<10)
		lineNo, items := 0, 0
		for {
			if ctx.Err() != nil {
				return items, ctx.Err()
			}
			line, tooLong, err := readLine(br, maxLine)
			if len(line) > 0 || tooLong {
				lineNo++
				switch {
				case tooLong:
					items++
					dispatch(lineNo, nil, fmt.Errorf("line longer than %d bytes", maxLine))
				case len(bytes.TrimSpace(line)) > 0: // blank lines are not items
					items++
					post, err := DecodePost(line)
					dispatch(lineNo, post, err)
				}
			}
			if err == io.EOF {
				return items, nil
			}
			if err != nil {
				return items, fmt.Errorf("read line %d: %w", lineNo+1, err)
			}
		}
	})
}

// IngestPosts ingests posts already decoded, as a source collects them,
// the way IngestJSONL does: analysed in parallel, saved in batches, each
// post under its own savepoint, one audit event. Errors are reported per
// item by 1-based index.
func (p *Pipeline) IngestPosts(ctx context.Context, posts []*model.Post, opt IngestOptions) (Report, error) {
	return p.ingest(ctx, opt, func(dispatch func(n int, post *model.Post, err error)) (int, error) {
		for i, post := range posts {
			if ctx.Err() != nil {
				return i, ctx.Err()
			}
			dispatch(i+1, post, nil)
		}
		return len(posts), nil
	})
}

// ingest runs the parallel analysis and the batching writer over the
// items that produce hands to dispatch (a post, or why item n has none);
// produce returns how many items it read and why it stopped early.
func (p *Pipeline) ingest(ctx context.Context, opt IngestOptions, produce func(dispatch func(n int, post *model.Post, err error)) (int, error)) (Report, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		rep Report
		mu  sync.Mutex
		wg  sync.WaitGroup
	)
	record := func(n int, res Result, err error) {
		mu.Lock()
		defer mu.Unlock()
		rep.add(n, res, err, p.Metrics)
		if opt.Progress != nil {
			opt.Progress(rep.Created + rep.Duplicates + len(rep.Errors))
		}
	}
	// Workers analyse posts in parallel; one writer saves them in batches,
	// each post under its own savepoint. Posts with the same platform and
	// source id go to the same worker, in order, so the first of several
	// copies in a batch is the one kept.
	type prepared struct {
		n    int
		post *model.Post
		a    store.Analysis
	}
	ready := make(chan prepared, 256)
	queues := make([]chan item, workers)
	for w := range queues {
		queues[w] = make(chan item, 16)
		wg.Add(1)
		go func(q chan item) {
			defer wg.Done()
			for it := range q {
				if it.err != nil {
					record(it.n, Result{}, it.err)
					continue
				}
				a, dup, err := p.prepare(ctx, it.post)
				if err != nil || dup != nil {
					record(it.n, deref(dup), err)
					continue
				}
				ready <- prepared{n: it.n, post: it.post, a: a}
			}
		}(queues[w])
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		batch := make([]prepared, 0, writeBatch)
		flush := func() {
			if len(batch) == 0 {
				return
			}
			items := make([]store.PostAnalysis, len(batch))
			for i, b := range batch {
				items[i] = store.PostAnalysis{Post: b.post, Analysis: b.a}
			}
			saved, err := p.Store.SavePosts(context.WithoutCancel(ctx), items)
			for i, b := range batch {
				switch {
				case err != nil:
					record(b.n, Result{}, err)
				case saved[i].Err != nil:
					record(b.n, Result{}, saved[i].Err)
				default:
					res := p.saved(b.a, saved[i].ID, saved[i].Created)
					res.MediaRefused = RefusedMedia(b.post)
					record(b.n, res, nil)
				}
			}
			batch = batch[:0]
		}
		for pr := range ready {
			batch = append(batch, pr)
			// Save when the batch is full or no more work is waiting, so a
			// slow trickle of posts is not held back.
			if len(batch) >= writeBatch || len(ready) == 0 {
				flush()
			}
		}
		flush()
	}()
	dispatch := func(n int, post *model.Post, err error) {
		q := queues[0]
		if err == nil {
			h := fnv.New32a()
			h.Write([]byte(post.Platform))
			h.Write([]byte{0})
			h.Write([]byte(post.SourceID))
			q = queues[h.Sum32()%uint32(workers)]
		}
		q <- item{n: n, post: post, err: err}
	}
	items, readErr := produce(dispatch)
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	close(ready)
	<-writerDone
	rep.Items = items
	sortErrors(rep.Errors)
	sortErrors(rep.MediaRefused)
	actor := opt.Actor
	if actor == "" {
		actor = "ingest"
	}
	if err := p.Store.Audit(context.WithoutCancel(ctx), actor, "ingest", "batch", rep.String()); err != nil && readErr == nil {
		readErr = err
	}
	return rep, readErr
}

// IngestBatch ingests posts already decoded, as from the API. Errors are
// reported per item, by 1-based index.
func (p *Pipeline) IngestBatch(ctx context.Context, posts []*model.Post, actor string) ([]Result, Report) {
	results := make([]Result, len(posts))
	var rep Report
	rep.Items = len(posts)
	for i, post := range posts {
		res, err := p.Ingest(ctx, post)
		results[i] = res
		rep.add(i+1, res, err, p.Metrics)
	}
	p.Store.Audit(context.WithoutCancel(ctx), actor, "ingest", "batch", rep.String())
	return results, rep
}

func toItemError(n int, err error) *ItemError {
	var fe *fieldError
	if errors.As(err, &fe) {
		return &ItemError{Item: n, Field: fe.field, Err: fe.err}
	}
	return &ItemError{Item: n, Err: err}
}

func sortErrors(errs []*ItemError) {
	sort.Slice(errs, func(i, j int) bool { return errs[i].Item < errs[j].Item })
}

// readLine reads up to a newline. A line over max bytes is consumed and
// reported as too long rather than returned.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > max {
			tooLong = true
		} else {
			buf = append(buf, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			return nil, true, err
		}
		return buf, false, err
	}
}

// NewItemError wraps err as the error of item n, naming the field at fault
// when the error carries one.
func NewItemError(n int, err error) *ItemError { return toItemError(n, err) }
