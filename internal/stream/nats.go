package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATS consumes a JetStream subject with a durable consumer, so a
// restart resumes where the last acknowledged message left off.
type NATS struct {
	URL     string
	Subject string
	Durable string
	// AckWait is how long an unacknowledged message waits before it is
	// delivered again; 0 means 30s.
	AckWait time.Duration
}

// Run consumes until ctx ends or the store fails. A message is acked after
// its post is stored; a bad one is terminated (never re-delivered).
func (n *NATS) Run(ctx context.Context, ing Ingester, stats *Stats, log *slog.Logger) error {
	if n.Subject == "" || n.Durable == "" {
		return errors.New("nats: subject and durable consumer name are required")
	}
	nc, err := nats.Connect(n.URL, nats.Name("marsad"))
	if err != nil {
		return fmt.Errorf("nats %s: %w", n.URL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	streamName, err := js.StreamNameBySubject(ctx, n.Subject)
	if err != nil {
		return fmt.Errorf("nats: no JetStream stream holds subject %s (create one, e.g. nats stream add): %w", n.Subject, err)
	}
	wait := n.AckWait
	if wait == 0 {
		wait = 30 * time.Second
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, streamName, jetstream.ConsumerConfig{
		Durable:       n.Durable,
		FilterSubject: n.Subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       wait,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("nats: consumer %s on stream %s: %w", n.Durable, streamName, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	h := &handler{ing: ing, stats: stats, log: log}
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			return fmt.Errorf("nats: %w", err)
		}
		where := msg.Subject()
		if md, err := msg.Metadata(); err == nil {
			where = fmt.Sprintf("%s seq %d", where, md.Sequence.Stream)
		}
		bad, err := h.handle(ctx, where, msg.Data())
		if err != nil {
			if ctx.Err() != nil {
				return nil // not acked: delivered again after AckWait
			}
			msg.Nak()
			return fmt.Errorf("nats: %w", err)
		}
		if bad {
			err = msg.Term()
		} else {
			err = msg.DoubleAck(ctx)
		}
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("nats: ack %s: %w", where, err)
		}
	}
}
