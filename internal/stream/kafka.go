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

// Run consumes until ctx ends or the store fails. Offsets are committed
// after every post of a fetched batch is stored, never before, so a crash
// re-delivers at most the batch in flight.
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
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var ferr error
		fetches.EachError(func(topic string, p int32, err error) {
			if ferr == nil && !errors.Is(err, context.Canceled) {
				ferr = fmt.Errorf("kafka: topic %s partition %d: %w", topic, p, err)
			}
		})
		if ferr != nil {
			return ferr
		}
		recs := fetches.Records()
		for _, r := range recs {
			if ctx.Err() != nil {
				return nil // stopped mid-batch: nothing of it is committed
			}
			if _, err := h.handle(ctx, fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset), r.Value); err != nil {
				if ctx.Err() != nil {
					return nil // stopped mid-batch: nothing of it is committed
				}
				return fmt.Errorf("kafka: %w", err)
			}
		}
		if len(recs) > 0 {
			if err := cl.CommitRecords(context.WithoutCancel(ctx), recs...); err != nil {
				return fmt.Errorf("kafka: commit: %w", err)
			}
		}
	}
}
