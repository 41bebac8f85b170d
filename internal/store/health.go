package store

import (
	"sync/atomic"
	"time"
)

// Health is the store's account of its own writes, beyond answering a
// ping: a database whose disk is full still answers reads and pings.
type Health struct {
	// DiskFullSince is when writes began failing for a full disk; zero
	// once a post has been stored since, or none has failed so for
	// five minutes.
	DiskFullSince time.Time
	// DiskFull counts writes refused for a full disk since the store
	// opened; Unavailable those failed by the database's other passing
	// faults (busy, unreachable, restarting).
	DiskFull, Unavailable int64
}

// diskFullFor is how long after the last write refused for a full disk
// the store still reports it, when no post has been stored since: small
// writes (an audit row, a session) may still fit in free pages while
// posts do not, so their success says nothing.
const diskFullFor = 5 * time.Minute

// health records writes' outcomes for Health. Safe for concurrent use.
type health struct {
	fullSince, fullLast atomic.Int64 // unix microseconds; 0 when clear
	full, unavailable   atomic.Int64
}

// note records a failed write.
func (h *health) note(err error) {
	switch {
	case err == nil:
	case DiskFull(err):
		h.full.Add(1)
		now := time.Now().UnixMicro()
		h.fullLast.Store(now)
		h.fullSince.CompareAndSwap(0, now)
	case Transient(err):
		h.unavailable.Add(1)
	}
}

// stored records that posts were stored: the disk has room again.
func (h *health) stored() {
	if h.fullSince.Load() != 0 {
		h.fullSince.Store(0)
		h.fullLast.Store(0)
	}
}

// Health reports whether writes are failing for a full disk, and how many
// writes passing faults have failed since the store opened.
func (s *Store) Health() Health {
	var h Health
	if since, last := s.health.fullSince.Load(), s.health.fullLast.Load(); since != 0 && time.Since(time.UnixMicro(last)) < diskFullFor {
		h.DiskFullSince = time.UnixMicro(since).UTC()
	}
	h.DiskFull, h.Unavailable = s.health.full.Load(), s.health.unavailable.Load()
	return h
}
