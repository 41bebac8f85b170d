package stream

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// messages are 11 posts in Arabic, English and French with two poison
// messages among them; the last post is the sentinel a test waits for.
func messages() [][]byte {
	texts := []string{"بيان رقم %d عن الاجتماع", "Statement %d about the rally", "Communiqué n°%d sur la réunion"}
	var out [][]byte
	for i := 1; i <= 11; i++ {
		out = append(out, fmt.Appendf(nil, `{"platform":"partner","source_id":"m%d","author":"acct%d","text":%q}`, i, i%3, fmt.Sprintf(texts[i%3], i)))
		switch i {
		case 3:
			out = append(out, []byte(`{"platform":"partner","source_id":"broken"`))
		case 8:
			out = append(out, []byte(`{"platform":"partner","text":"no source id"}`))
		}
	}
	return out
}

// crashAfter stores posts and cancels the consumer's context once n are
// stored: the consumer dies after storing, before committing.
type crashAfter struct {
	p      *pipeline.Pipeline
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

func (c *crashAfter) Ingest(ctx context.Context, post *model.Post) (pipeline.Result, error) {
	r, err := c.p.Ingest(ctx, post)
	if err == nil && c.seen.Add(1) == c.n {
		c.cancel()
	}
	return r, err
}

type runner interface {
	Run(ctx context.Context, ing Ingester, stats *Stats, log *slog.Logger) error
}

// atLeastOnce runs a consumer that crashes after 5 posts, then a second
// one on the same group or durable, and checks every post is stored once,
// the crash re-delivered posts the store recognised, and the two poison
// messages were skipped.
func atLeastOnce(t *testing.T, s *store.Store, newRunner func() runner) {
	ctx := context.Background()
	p := &pipeline.Pipeline{Store: s}
	ctx1, cancel1 := context.WithCancel(ctx)
	defer cancel1()
	var st1 Stats
	if err := newRunner().Run(ctx1, &crashAfter{p: p, n: 5, cancel: cancel1}, &st1, quiet); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountPosts(ctx); n < 5 || n >= 11 {
		t.Fatalf("after the crash %d posts stored, want 5 up to the batch in flight", n)
	}
	ctx2, cancel2 := context.WithCancel(ctx)
	defer cancel2()
	var st2 Stats
	done := make(chan error, 1)
	go func() { done <- newRunner().Run(ctx2, p, &st2, quiet) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := s.PostBySource(ctx, "partner", "m11"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sentinel post never arrived; second consumer: %s", &st2)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountPosts(ctx); n != 11 {
		t.Errorf("%d posts stored, want 11", n)
	}
	if st2.Duplicates.Load() == 0 {
		t.Errorf("nothing was re-delivered after the crash: %s", &st2)
	}
	if bad := st1.Bad.Load() + st2.Bad.Load(); bad < 2 {
		t.Errorf("%d poison messages skipped, want 2 (%s / %s)", bad, &st1, &st2)
	}
	if st1.Stored.Load()+st2.Stored.Load() != 11 {
		t.Errorf("stored %s then %s, want 11 new in all", &st1, &st2)
	}
}
