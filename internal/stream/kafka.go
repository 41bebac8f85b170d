package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Kafka consumes a topic as a member of a consumer group.
type Kafka struct {
	Brokers []string
	Topic   string
	Group   string
	// Options are extra client options, as for TLS or SASL.
	Options []kgo.Opt
}

// Run consumes until ctx ends. Offsets are committed after every post of
// a fetched batch is stored, never before, so a crash re-delivers at most
// the batch in flight. A broker's error (a failed fetch or commit) and a
// store that fails are logged and waited out, backing off up to
// maxBackoff: a record is tried again until its post is stored, and a
// commit that failed is made good by the next one.
func (k *Kafka) Run(ctx context.Context, ing Ingester, stats *Stats, log *slog.Logger) error {
	if k.Topic == "" || k.Group == "" || len(k.Brokers) == 0 {
		return errors.New("kafka: brokers, topic and group are required")
	}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(k.Brokers...),
		kgo.ConsumeTopics(k.Topic),
		kgo.ConsumerGroup(k.Group),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}, k.Options...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	defer cl.Close()
	h := &handler{ing: ing, stats: stats, log: log}
	var b backoff
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		failed := false
		fetches.EachError(func(topic string, p int32, err error) {
			if errors.Is(err, kgo.ErrClientClosed) || errors.Is(err, context.Canceled) {
				return
			}
			failed = true
			log.Warn("kafka: fetch failed; going on", "topic", topic, "partition", p, "err", err, "retry_in", b.next())
		})
		recs := fetches.Records()
		for _, r := range recs {
			where := fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset)
			for {
				if ctx.Err() != nil {
					return nil // stopped mid-batch: nothing of it is committed
				}
				_, err := h.handle(ctx, where, r.Value)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					return nil
				}
				log.Warn("kafka: store failed; going on", "at", where, "err", err, "retry_in", b.next())
				if !b.wait(ctx) {
					return nil
				}
			}
		}
		if len(recs) > 0 {
			if err := cl.CommitRecords(context.WithoutCancel(ctx), recs...); err != nil {
				// The posts are stored; a later commit covers these
				// offsets, and until then a restart re-delivers them.
				failed = true
				log.Warn("kafka: commit failed; going on", "err", err, "retry_in", b.next())
			}
		}
		if !failed {
			b.reset()
			continue
		}
		if !b.wait(ctx) {
			return nil
		}
	}
}
