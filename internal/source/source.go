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

// Source is one configured place posts are collected from.
type Source struct {
	ID     int64           `json:"id"`
	Kind   string          `json:"kind"`
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config"`
	// Interval is the time between two polls of a Poller.
	Interval time.Duration `json:"interval"`
	Paused   bool          `json:"paused"`
	// Cursor is the collector's own position, opaque to everything else.
	Cursor string `json:"cursor,omitempty"`
	Health Health `json:"health"`
}

// Health is what a source's last runs did.
type Health struct {
	LastSuccess time.Time `json:"last_success,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitempty"`
	// Failures counts errors since the last success; it sets the back-off.
	Failures int `json:"failures"`
	// PostsToday counts new posts stored on Day (UTC, YYYY-MM-DD);
	// PostsTotal since the source was added.
	Day        string `json:"day,omitempty"`
	PostsToday int64  `json:"posts_today"`
	PostsTotal int64  `json:"posts_total"`
}

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
}

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
	New   func(src Source, env Env) (any, error)
}

// Env is what collectors share: the HTTP fetcher with its limits and
// guards, and the clock.
type Env struct {
	Fetcher *Fetcher
	Now     func() time.Time
}
