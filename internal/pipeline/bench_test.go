package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store/storetest"
)

// BenchmarkIngestJSONL measures the whole pipeline on text-only posts into
// SQLite: decode, signals, bank lookups, the text classifier and the store.
func BenchmarkIngestJSONL(b *testing.B) {
	m, err := classifier.Default()
	if err != nil {
		b.Fatal(err)
	}
	s := storetest.SQLite(b)
	p := &pipeline.Pipeline{Store: s, Scorer: pipeline.TextScorer{Model: m}}
	var buf bytes.Buffer
	for i := 0; i < b.N; i++ {
		fmt.Fprintf(&buf, `{"platform":"x","source_id":"%d","author":"a%d","text":"the people of the city went to the market this morning https://example.org/a/%d?utm_source=x #news"}`+"\n", i, i%100, i%50)
	}
	b.ResetTimer()
	rep, err := p.IngestJSONL(context.Background(), &buf, pipeline.IngestOptions{})
	if err != nil || rep.Created != b.N {
		b.Fatalf("%s %v", rep, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}
