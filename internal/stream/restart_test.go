package stream

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

const natsServer = "/usr/sbin/nats-server"

// privateNATS is a nats-server of the test's own, with JetStream kept on
// disk in dir, so it can be killed and started again on the same port.
type privateNATS struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func startPrivateNATS(t *testing.T) *privateNATS {
	if _, err := os.Stat(natsServer); err != nil {
		t.Skipf("%s not installed: NATS restart not tested", natsServer)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	n := &privateNATS{t: t, port: port, dir: t.TempDir()}
	n.start()
	t.Cleanup(n.kill)
	return n
}

func (n *privateNATS) url() string { return "nats://127.0.0.1:" + strconv.Itoa(n.port) }

func (n *privateNATS) start() {
	n.t.Helper()
	n.cmd = exec.Command(natsServer, "-a", "127.0.0.1", "-p", strconv.Itoa(n.port), "-js", "-sd", n.dir)
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		nc, err := nats.Connect(n.url(), nats.Timeout(time.Second))
		if err == nil {
			nc.Close()
			return
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("private nats-server on port %d did not start: %v", n.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server at once, as a crash does.
func (n *privateNATS) kill() {
	if n.cmd != nil && n.cmd.Process != nil {
		n.cmd.Process.Kill()
		n.cmd.Wait()
		n.cmd = nil
	}
}

// stallOnce stores posts and, at the nth, waits for the server to be
// killed before returning, so its ack meets a server that is gone.
type stallOnce struct {
	p       *pipeline.Pipeline
	n       int64
	seen    atomic.Int64
	stalled chan struct{}
	resume  chan struct{}
}

func (s *stallOnce) Ingest(ctx context.Context, post *model.Post) (pipeline.Result, error) {
	r, err := s.p.Ingest(ctx, post)
	if err == nil && s.seen.Add(1) == s.n {
		close(s.stalled)
		<-s.resume
	}
	return r, err
}

// signalLog is a log handler that closes seen at the first record whose
// message holds match.
type signalLog struct {
	match string
	once  sync.Once
	seen  chan struct{}
}

func (l *signalLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *signalLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *signalLog) WithGroup(string) slog.Handler            { return l }
func (l *signalLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, l.match) {
		l.once.Do(func() { close(l.seen) })
	}
	return nil
}

// TestNATSServerRestart kills the consumer's NATS server while a post is
// being stored, before its ack, and starts it again: the consumer must
// reconnect and go on, and every message published, before and after,
// must be stored exactly once.
func TestNATSServerRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startPrivateNATS(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		publish := func(from, to int) {
			t.Helper()
			nc, err := nats.Connect(srv.url())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			js, _ := jetstream.New(nc)
			if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "posts", Subjects: []string{"posts.in"}, Storage: jetstream.FileStorage}); err != nil {
				t.Fatal(err)
			}
			for i := from; i <= to; i++ {
				body := fmt.Appendf(nil, `{"platform":"partner","source_id":"r%d","text":"بيان رقم %d"}`, i, i)
				if _, err := js.Publish(ctx, "posts.in", body); err != nil {
					t.Fatal(err)
				}
			}
		}
		publish(1, 30)
		ing := &stallOnce{p: &pipeline.Pipeline{Store: s}, n: 10, stalled: make(chan struct{}), resume: make(chan struct{})}
		var st Stats
		done := make(chan error, 1)
		logs := &signalLog{match: "consumer interrupted", seen: make(chan struct{})}
		go func() {
			done <- (&NATS{URL: srv.url(), Subject: "posts.in", Durable: "marsad", AckWait: 2 * time.Second}).Run(ctx, ing, &st, slog.New(logs))
		}()
		select {
		case <-ing.stalled:
		case err := <-done:
			t.Fatalf("the consumer ended before the restart: %v", err)
		}
		// The server stays away until the consumer has met its absence
		// (the ack times out), then comes back.
		srv.kill()
		close(ing.resume)
		select {
		case <-logs.seen:
		case err := <-done:
			t.Fatalf("the consumer ended when the server went away (%s): %v", &st, err)
		}
		srv.start()
		publish(31, 60)
		deadline := time.Now().Add(60 * time.Second)
		for {
			n, err := s.CountPosts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 60 {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("the consumer ended after the restart with %d of 60 posts stored (%s): %v", n, &st, err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of 60 posts stored after the restart (%s)", n, &st)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if st.Stored.Load() != 60 || st.Bad.Load() != 0 {
			t.Errorf("consumer counts %s, want 60 new", &st)
		}
		for i := 1; i <= 60; i++ {
			if _, err := s.PostBySource(context.Background(), "partner", fmt.Sprintf("r%d", i)); err != nil {
				t.Errorf("message %d: %v", i, err)
			}
		}
	})
}
