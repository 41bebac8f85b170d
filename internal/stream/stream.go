// Package stream consumes posts pushed by platforms and partners: a Kafka
// topic or a NATS JetStream subject whose messages are each one post in
// the JSON shape of marsad ingest. Delivery is at least once: a message is
// committed (Kafka) or acknowledged (JetStream) only after its post is
// stored, and the store makes a re-delivered post a no-op. A message that
// can never become a post is counted, reported and skipped so it does not
// block the stream.
package stream

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
)

// Ingester stores one post; *pipeline.Pipeline is one.
type Ingester interface {
	Ingest(ctx context.Context, p *model.Post) (pipeline.Result, error)
}

// Stats counts what a consumer did. Safe to read while it runs.
type Stats struct {
	Stored     atomic.Int64 // new posts
	Duplicates atomic.Int64 // posts already stored, as after a re-delivery
	Bad        atomic.Int64 // messages skipped: not a post, or refused
}

func (s *Stats) String() string {
	return fmt.Sprintf("%d new, %d already stored, %d bad messages skipped", s.Stored.Load(), s.Duplicates.Load(), s.Bad.Load())
}

// handler turns one message into a stored post.
type handler struct {
	ing   Ingester
	stats *Stats
	log   *slog.Logger
}

// handle returns nil when the message is done with (stored, a duplicate,
// or bad and skipped, then bad is true) and may be committed; an error
// means the store failed and the message must be delivered again.
func (h *handler) handle(ctx context.Context, where string, body []byte) (bad bool, err error) {
	post, err := pipeline.DecodePost(body)
	if err == nil {
		var res pipeline.Result
		res, err = h.ing.Ingest(ctx, post)
		if err == nil {
			if res.Created {
				h.stats.Stored.Add(1)
			} else {
				h.stats.Duplicates.Add(1)
			}
			return false, nil
		}
		if pipeline.NewItemError(0, err).Field == "" {
			// Not the post's fault (the database, a cancelled context):
			// leave the message to be delivered again.
			return false, fmt.Errorf("%s: %w", where, err)
		}
	}
	h.stats.Bad.Add(1)
	ie := pipeline.NewItemError(0, err)
	if ie.Field != "" {
		h.log.Warn("bad message skipped", "at", where, "field", ie.Field, "err", ie.Err)
	} else {
		h.log.Warn("bad message skipped", "at", where, "err", err)
	}
	return true, nil
}

// Back-off between attempts after a broker or the store failed.
const (
	minBackoff = 250 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// backoff doubles the wait after each failure, up to maxBackoff.
type backoff struct{ d time.Duration }

// next is the wait before the next attempt.
func (b *backoff) next() time.Duration {
	if b.d == 0 {
		return minBackoff
	}
	return b.d
}

func (b *backoff) reset() { b.d = 0 }

// wait sleeps the next wait and doubles it; false if ctx ended first.
func (b *backoff) wait(ctx context.Context) bool {
	d := b.next()
	b.d = min(2*d, maxBackoff)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
