package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/stream"
)

func runStream(ctx context.Context, e env) error {
	if len(e.args) == 0 || (e.args[0] != "kafka" && e.args[0] != "nats") {
		fmt.Fprintln(e.stderr, "Usage: marsad stream kafka|nats [flags]\n\nConsumes posts pushed to a Kafka topic or a NATS JetStream subject, one post\nJSON (as for marsad ingest) a message, until interrupted. A message is\ncommitted or acknowledged only after its post is stored; bad messages are\nreported and skipped. A broker or server that goes away, or a store that\nfails, is logged and waited out with back-off; the consumer goes on.")
		return errUsage
	}
	kind := e.args[0]
	e.args = e.args[1:]
	fs := newFlags(e, "stream "+kind, "stream "+kind+" [flags]")
	var sf storeFlags
	sf.register(fs)
	brokers := fs.String("brokers", "127.0.0.1:9092", "Kafka seed brokers, comma-separated")
	topic := fs.String("topic", "", "Kafka topic")
	group := fs.String("group", "marsad", "Kafka consumer group / NATS durable consumer name")
	url := fs.String("url", "nats://127.0.0.1:4222", "NATS server URL")
	subject := fs.String("subject", "", "NATS subject, held by a JetStream stream")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	if kind == "kafka" && *topic == "" || kind == "nats" && *subject == "" {
		return fmt.Errorf("%w: give --topic (kafka) or --subject (nats)", errUsage)
	}
	log := logger(e.stderr, false)
	a, err := openApp(ctx, sf, log)
	if err != nil {
		return err
	}
	defer a.Close()
	var stats stream.Stats
	start := time.Now()
	switch kind {
	case "kafka":
		err = (&stream.Kafka{Brokers: strings.Split(*brokers, ","), Topic: *topic, Group: *group}).Run(ctx, a.pipeline, &stats, log)
	case "nats":
		err = (&stream.NATS{URL: *url, Subject: *subject, Durable: *group}).Run(ctx, a.pipeline, &stats, log)
	}
	fmt.Fprintf(e.stdout, "%s in %s\n", &stats, time.Since(start).Round(time.Second))
	return err
}
