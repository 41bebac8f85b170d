package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// fakeStream is a broker that delivers posts 1-3, fails, and on restart
// from the stored cursor delivers 4 and 5.
type fakeStream struct {
	mu      sync.Mutex
	cursors []string
}

func (f *fakeStream) Stream(ctx context.Context, cursor string, save Saver) error {
	f.mu.Lock()
	f.cursors = append(f.cursors, cursor)
	f.mu.Unlock()
	batch := func(from, to int) []*model.Post {
		var out []*model.Post
		for i := from; i <= to; i++ {
			out = append(out, &model.Post{Platform: "stream", SourceID: fmt.Sprint(i), Text: "message " + fmt.Sprint(i), PostedAt: time.Now()})
		}
		return out
	}
	switch cursor {
	case "":
		if err := save(ctx, batch(1, 3), "3"); err != nil {
			return err
		}
		return errors.New("broker gone")
	case "3":
		if err := save(ctx, batch(4, 5), "5"); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

func TestStreamerResumesFromStoredCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fs := &fakeStream{}
		svc := testService(s, newFixture(t), t.TempDir())
		svc.Kinds = map[string]Kind{"fake": {
			Name:  "fake",
			Check: func(json.RawMessage) error { return nil },
			New:   func(model.Source, Env) (any, error) { return fs, nil },
		}}
		src := addSource(t, svc, "fake", "broker", `{}`)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { svc.Run(runCtx); close(done) }()
		waitFor(t, "both batches", func() bool { got, _ := s.Source(ctx, src.ID); return got.Cursor == "5" })
		stop()
		<-done
		fs.mu.Lock()
		defer fs.mu.Unlock()
		if len(fs.cursors) < 2 || fs.cursors[0] != "" || fs.cursors[1] != "3" {
			t.Errorf("stream started from %q, want \"\" then \"3\"", fs.cursors)
		}
		got, _ := s.Source(ctx, src.ID)
		if got.Health.PostsTotal != 5 || !strings.Contains(got.Health.LastError, "broker gone") {
			t.Errorf("health %+v", got.Health)
		}
		p, err := s.PostBySource(ctx, "stream", "4")
		if err != nil || p.Provenance == nil || p.Provenance.Source != src.ID {
			t.Errorf("post 4: %+v, %v", p, err)
		}
	})
}
