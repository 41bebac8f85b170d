package stream

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestKafkaBrokerErrors has the broker fail the consumer's offset commits
// and answer fetches with an error for a while, as a broker going away
// and coming back does: the consumer must log, back off and go on, and
// every post must be stored exactly once.
func TestKafkaBrokerErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "posts"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		produce := func(from, to int) {
			t.Helper()
			cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("posts"))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			for i := from; i <= to; i++ {
				r := &kgo.Record{Value: fmt.Appendf(nil, `{"platform":"partner","source_id":"k%d","text":"Statement %d"}`, i, i)}
				if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The first three commits fail, then the next three fetches.
		var commits, fetches atomic.Int32
		c.ControlKey(int16(kmsg.OffsetCommit), func(req kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			if commits.Add(1) > 3 {
				return nil, nil, false
			}
			in := req.(*kmsg.OffsetCommitRequest)
			resp := in.ResponseKind().(*kmsg.OffsetCommitResponse)
			for _, tp := range in.Topics {
				rt := kmsg.NewOffsetCommitResponseTopic()
				rt.Topic = tp.Topic
				for _, p := range tp.Partitions {
					rp := kmsg.NewOffsetCommitResponseTopicPartition()
					rp.Partition = p.Partition
					rp.ErrorCode = kerr.UnknownServerError.Code
					rt.Partitions = append(rt.Partitions, rp)
				}
				resp.Topics = append(resp.Topics, rt)
			}
			return resp, nil, true
		})
		var failFetches atomic.Bool
		c.ControlKey(int16(kmsg.Fetch), func(req kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			if !failFetches.Load() || fetches.Add(1) > 3 {
				return nil, nil, false
			}
			in := req.(*kmsg.FetchRequest)
			resp := in.ResponseKind().(*kmsg.FetchResponse)
			for _, tp := range in.Topics {
				rt := kmsg.NewFetchResponseTopic()
				rt.Topic, rt.TopicID = tp.Topic, tp.TopicID
				for _, p := range tp.Partitions {
					rp := kmsg.NewFetchResponseTopicPartition()
					rp.Partition = p.Partition
					rp.ErrorCode = kerr.UnknownServerError.Code
					rt.Partitions = append(rt.Partitions, rp)
				}
				resp.Topics = append(resp.Topics, rt)
			}
			return resp, nil, true
		})
		produce(1, 20)
		p := &pipeline.Pipeline{Store: s}
		var st Stats
		done := make(chan error, 1)
		logs := &signalLog{match: "going on", seen: make(chan struct{})}
		go func() {
			done <- (&Kafka{Brokers: c.ListenAddrs(), Topic: "posts", Group: "marsad"}).Run(ctx, p, &st, slog.New(logs))
		}()
		wait := func(n int64) {
			t.Helper()
			deadline := time.Now().Add(60 * time.Second)
			for {
				got, err := s.CountPosts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got == n {
					return
				}
				select {
				case err := <-done:
					t.Fatalf("the consumer ended with %d of %d posts stored (%s): %v", got, n, &st, err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d posts stored (%s)", got, n, &st)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		wait(20)
		failFetches.Store(true)
		produce(21, 40)
		wait(40)
		select {
		case <-logs.seen:
		default:
			t.Error("the broker's errors were not logged")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if st.Stored.Load() != 40 || st.Bad.Load() != 0 {
			t.Errorf("consumer counts %s, want 40 new", &st)
		}
	})
}
