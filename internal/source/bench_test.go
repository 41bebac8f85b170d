package source

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
)

// BenchmarkCollectFeed measures posts collected a second from a local
// RSS feed of 1,000 items into SQLite, through the whole pipeline with the
// built-in text classifier, as marsad serve runs it. Each iteration is a
// new source, so every item is new.
func BenchmarkCollectFeed(b *testing.B) {
	const items = 1000
	texts := []string{
		"اجتماع لتنسيق مراقبة الحدود الجنوبية وتبادل المعلومات بين الأجهزة",
		"Les ministres se sont réunis pour coordonner la surveillance des frontières.",
		"Three new studies describe how recruiters move conversations to private channels.",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run := r.URL.Query().Get("run")
		var sb strings.Builder
		sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench</title><link>https://bench.example.org/</link>`)
		for i := range items {
			fmt.Fprintf(&sb, `<item><title>Item %d</title><link>https://bench.example.org/%s/%d</link><guid>https://bench.example.org/%s/%d</guid><pubDate>Tue, 10 Mar 2026 08:30:00 GMT</pubDate><description>%s %d</description></item>`,
				i, run, i, run, i, texts[i%len(texts)], i)
		}
		sb.WriteString(`</channel></rss>`)
		w.Write([]byte(sb.String()))
	}))
	defer srv.Close()
	s, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "marsad.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	m, err := classifier.Default()
	if err != nil {
		b.Fatal(err)
	}
	p := &pipeline.Pipeline{Store: s, Scorer: pipeline.TextScorer{Live: pipeline.NewLiveModel(m)}}
	svc := &Service{Store: s, Pipeline: p, Log: slog.New(slog.DiscardHandler), Env: Env{Fetcher: NewFetcher(FetchOptions{
		AllowAddrs: []string{srv.Listener.Addr().String()}, PerHost: rate.Inf, IgnoreRobots: true})}}
	ctx := context.Background()
	var created int
	var spent time.Duration
	b.ResetTimer()
	for i := range b.N {
		src := &model.Source{Kind: "feed", Name: fmt.Sprintf("bench-%d", i), Config: []byte(fmt.Sprintf(`{"url":"%s/feed.xml?run=%d"}`, srv.URL, i)), Interval: time.Minute}
		if err := svc.Add(ctx, src); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := svc.PollOnce(ctx, src.ID)
		spent += time.Since(start)
		if err != nil || res.Created != items {
			b.Fatalf("poll: %+v, %v", res, err)
		}
		created += res.Created
	}
	b.ReportMetric(float64(created)/spent.Seconds(), "posts/s")
}
