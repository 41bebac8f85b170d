// Package source collects posts from where the content is: feeds, public
// Telegram channels and, through the same interfaces, file imports and
// streams. A source is configured in the store; the Service runs each
// source on its own schedule, hands what it collects to the pipeline with
// its provenance, and keeps the source's cursor and health in the store.
package source

import (
	"context"
	"encoding/json"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// Page is what one poll found.
type Page struct {
	// Posts are new since the cursor the poll was given. Each carries
	// Platform and SourceID (its id on the platform), so a post collected
	// twice is stored once.
	Posts []*model.Post
	// Cursor is stored once Posts are saved, never before.
	Cursor string
	// More asks for another poll at once, as while paging back through
	// a channel's history.
	More bool
	// Problems are faults that did not stop the poll, such as a media
	// file refused for its size; they are shown as the source's last error.
	Problems []string
	// Skipped counts, by reason (Skip...), the items the poll passed
	// over without making a post of them. Each is counted once, not again
	// on every poll that sees it.
	Skipped map[string]int
}

// Reasons an item is skipped, as counted in a source's health.
const (
	// SkipEmpty is an item with nothing to store and nothing to name it by.
	SkipEmpty = "empty"
	// SkipDuplicate is an item with the id of another in the same answer.
	SkipDuplicate = "duplicate"
	// SkipRefused is a post the pipeline refused to store.
	SkipRefused = "refused"
)

// Poller is a source that is asked, on its schedule, for what is new.
type Poller interface {
	Poll(ctx context.Context, cursor string) (Page, error)
}

// Saver stores posts and then the cursor that follows them. A nil error
// means both are durable; only then may a stream acknowledge or commit.
type Saver func(ctx context.Context, posts []*model.Post, cursor string) error

// Streamer is a source that pushes (a Kafka topic, a NATS subject). Run
// starts from cursor, calls save for each batch and commits its own
// offsets only after save returns nil; it returns when ctx ends.
type Streamer interface {
	Stream(ctx context.Context, cursor string, save Saver) error
}

// Kind makes collectors of one kind from a source's JSON config. New
// returns a Poller or a Streamer.
type Kind struct {
	Name string
	// Check validates a config before it is stored.
	Check func(config json.RawMessage) error
	New   func(src model.Source, env Env) (any, error)
}

// Env is what collectors share: the HTTP fetcher with its limits and
// guards, and the clock.
type Env struct {
	Fetcher *Fetcher
	Now     func() time.Time
}

// RetryAfter is a failed poll the platform asked to wait out (HTTP 429
// with a reset time): the source is not polled again before Until, nor
// before its back-off.
type RetryAfter struct {
	Until time.Time
	Err   error
}

func (e *RetryAfter) Error() string { return e.Err.Error() }
func (e *RetryAfter) Unwrap() error { return e.Err }
