package stream

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// No Kafka broker runs on the build machine; kfake is franz-go's
// in-process cluster speaking the real Kafka protocol.
func fakeKafka(t testing.TB, topic string, msgs [][]byte) []string {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(msgs))
	for i, m := range msgs {
		recs[i] = &kgo.Record{Value: m}
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	return c.ListenAddrs()
}

func TestKafkaAtLeastOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		brokers := fakeKafka(t, "posts", messages())
		atLeastOnce(t, s, func() runner { return &Kafka{Brokers: brokers, Topic: "posts", Group: "marsad"} })
	})
}

// BenchmarkKafka reports posts/s from a topic into a SQLite store.
func BenchmarkKafka(b *testing.B) {
	msgs := make([][]byte, b.N)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, `{"platform":"bench","source_id":"k%d","text":"benchmark post %d https://example.org/%d"}`, i, i, i)
	}
	brokers := fakeKafka(b, "bench", msgs)
	s := storetest.SQLite(b)
	p := &pipeline.Pipeline{Store: s}
	ctx, cancel := context.WithCancel(context.Background())
	var st Stats
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() { done <- (&Kafka{Brokers: brokers, Topic: "bench", Group: "bench"}).Run(ctx, p, &st, quiet) }()
	for st.Stored.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "posts/s")
	cancel()
	<-done
}
