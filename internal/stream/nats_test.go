package stream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

const natsURL = "nats://127.0.0.1:4222"

// natsStream makes a JetStream stream of its own holding msgs on a fresh
// subject, against the NATS server this machine runs.
func natsStream(t testing.TB, msgs [][]byte) string {
	nc, err := nats.Connect(natsURL, nats.Timeout(time.Second))
	if err != nil {
		t.Skipf("no NATS server at %s (%v): NATS consumer not tested", natsURL, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "marsad_test_" + hex.EncodeToString(b)
	subject := "marsad.test." + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Skipf("NATS at %s has no JetStream (%v): NATS consumer not tested", natsURL, err)
	}
	t.Cleanup(func() { js.DeleteStream(context.Background(), name) })
	for _, m := range msgs {
		if _, err := js.Publish(ctx, subject, m); err != nil {
			t.Fatal(err)
		}
	}
	return subject
}

func TestNATSAtLeastOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		subject := natsStream(t, messages())
		atLeastOnce(t, s, func() runner {
			return &NATS{URL: natsURL, Subject: subject, Durable: "marsad", AckWait: time.Second}
		})
	})
}

// BenchmarkNATS reports posts/s from a JetStream subject into a SQLite store.
func BenchmarkNATS(b *testing.B) {
	msgs := make([][]byte, b.N)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, `{"platform":"bench","source_id":"n%d","text":"benchmark post %d https://example.org/%d"}`, i, i, i)
	}
	subject := natsStream(b, msgs)
	p := &pipeline.Pipeline{Store: storetest.SQLite(b)}
	ctx, cancel := context.WithCancel(context.Background())
	var st Stats
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() { done <- (&NATS{URL: natsURL, Subject: subject, Durable: "bench"}).Run(ctx, p, &st, quiet) }()
	for st.Stored.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "posts/s")
	cancel()
	<-done
}
