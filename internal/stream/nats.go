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

// Run consumes until ctx ends. A message is acked after its post is
// stored; a bad one is terminated (never re-delivered). When the server
// goes away or the store fails, Run logs it, waits (backing off up to
// maxBackoff) and goes on where the last acknowledged message left off;
// a post stored but not acknowledged comes again and is recognised. Only
// a consumer that cannot be set up at all (no server, no stream holding
// the subject) ends Run with an error.
func (n *NATS) Run(ctx context.Context, ing Ingester, stats *Stats, log *slog.Logger) error {
	if n.Subject == "" || n.Durable == "" {
		return errors.New("nats: subject and durable consumer name are required")
	}
	// The client reconnects by itself, forever; a session ends when
	// what it was doing fails, and a new one takes over.
	nc, err := nats.Connect(n.URL, nats.Name("marsad"), nats.MaxReconnects(-1), nats.ReconnectWait(500*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats: disconnected", "url", n.URL, "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats: reconnected", "url", c.ConnectedUrl()) }))
	if err != nil {
		return fmt.Errorf("nats %s: %w", n.URL, err)
	}
	defer nc.Close()
	h := &handler{ing: ing, stats: stats, log: log}
	var b backoff
	for first := true; ; first = false {
		progressed, err := n.session(ctx, nc, h, first)
		if ctx.Err() != nil {
			return nil
		}
		var setup *setupError
		if first && errors.As(err, &setup) {
			return err
		}
		if progressed {
			b.reset()
		}
		log.Warn("nats: consumer interrupted; going on", "subject", n.Subject, "err", err, "retry_in", b.next())
		if !b.wait(ctx) {
			return nil
		}
	}
}

// setupError is a consumer that could not be set up.
type setupError struct{ err error }

func (e *setupError) Error() string { return e.err.Error() }
func (e *setupError) Unwrap() error { return e.err }

// session consumes from a fresh consumer iterator until something fails;
// progressed says whether any message was done with.
func (n *NATS) session(ctx context.Context, nc *nats.Conn, h *handler, first bool) (progressed bool, err error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return false, &setupError{fmt.Errorf("nats: %w", err)}
	}
	streamName, err := js.StreamNameBySubject(ctx, n.Subject)
	if err != nil {
		return false, &setupError{fmt.Errorf("nats: no JetStream stream holds subject %s (create one, e.g. nats stream add): %w", n.Subject, err)}
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
		return false, &setupError{fmt.Errorf("nats: consumer %s on stream %s: %w", n.Durable, streamName, err)}
	}
	it, err := cons.Messages()
	if err != nil {
		return false, &setupError{fmt.Errorf("nats: %w", err)}
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return progressed, nil
			}
			return progressed, fmt.Errorf("nats: %w", err)
		}
		where := msg.Subject()
		if md, err := msg.Metadata(); err == nil {
			where = fmt.Sprintf("%s seq %d", where, md.Sequence.Stream)
		}
		bad, err := h.handle(ctx, where, msg.Data())
		if err != nil {
			if ctx.Err() != nil {
				return progressed, nil // not acked: delivered again after AckWait
			}
			msg.Nak()
			return progressed, fmt.Errorf("nats: %w", err)
		}
		if bad {
			err = msg.Term()
		} else {
			err = msg.DoubleAck(ctx)
		}
		if err != nil {
			if ctx.Err() != nil {
				return progressed, nil
			}
			// The post is stored; if the ack was lost it comes again
			// and is recognised.
			return progressed, fmt.Errorf("nats: ack %s: %w", where, err)
		}
		progressed = true
	}
}
