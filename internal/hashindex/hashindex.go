// Package hashindex keeps every PDQ bank entry in an in-memory multi-index
// hash table, so a perceptual hash is matched against millions of entries
// in well under a millisecond. It is built from the store at start and
// updated as entries are added.
package hashindex

import (
	"context"
	"fmt"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/mih"
	"github.com/marsad/marsad/vpdq"
)

// DefaultRadius is the Hamming distance up to which two PDQ hashes match,
// the reference's recommended threshold.
const DefaultRadius = 31

// Index matches PDQ hashes against bank entries.
type Index struct {
	store  *store.Store
	mih    *mih.Index
	radius int
	// videos holds every vPDQ entry's frames, keyed to the entry's id.
	videos *vpdq.Index
}

// Load builds the index from every PDQ entry in the store, paging through
// them. progress, if set, is told how many entries are loaded so far.
func Load(ctx context.Context, s *store.Store, radius int, progress func(loaded int)) (*Index, error) {
	if radius <= 0 {
		radius = DefaultRadius
	}
	ix := &Index{store: s, mih: mih.New(), radius: radius, videos: vpdq.NewIndex(vpdq.DefaultRule)}
	var after int64
	loaded := 0
	const page = 50000
	for {
		es, err := s.Entries(ctx, store.EntryFilter{Type: model.SignalPDQ, AfterID: after, Limit: page})
		if err != nil {
			return nil, fmt.Errorf("load PDQ index: %w", err)
		}
		ix.add(es)
		loaded += len(es)
		if progress != nil {
			progress(loaded)
		}
		if len(es) < page {
			break
		}
		after = es[len(es)-1].ID
	}
	ix.mih.Compact()
	after = 0
	for {
		es, err := s.Entries(ctx, store.EntryFilter{Type: model.SignalVPDQ, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("load vPDQ index: %w", err)
		}
		ix.add(es)
		if len(es) < 1000 {
			break
		}
		after = es[len(es)-1].ID
	}
	ix.videos.Compact()
	return ix, nil
}

// Videos is how many vPDQ entries (videos) the index holds.
func (ix *Index) Videos() int { return ix.videos.Len() }

// Len is how many hashes the index holds.
func (ix *Index) Len() int { return ix.mih.Len() }

// Added files the PDQ and vPDQ entries among es (which must carry their
// store ids).
func (ix *Index) Added(es []model.BankEntry) { ix.add(es) }

func (ix *Index) add(es []model.BankEntry) {
	batch := make([]mih.Entry, 0, len(es))
	for _, e := range es {
		if e.Type == model.SignalVPDQ && e.ID != 0 {
			if fs, err := vpdq.Unmarshal([]byte(e.Features)); err == nil {
				ix.videos.Add(uint64(e.ID), fs) // a video without good frames cannot match
			}
			continue
		}
		if e.Type != model.SignalPDQ || e.ID == 0 {
			continue
		}
		h, err := mih.ParseHex(e.Value)
		if err != nil {
			continue // the store only holds checked hashes
		}
		batch = append(batch, mih.Entry{ID: uint64(e.ID), Hash: h})
	}
	if len(batch) > 0 {
		ix.mih.AddBatch(batch)
	}
}

// MatchPDQ returns the entries of enabled banks within the radius of hash,
// nearest first. Entries removed from the store since they were indexed
// are skipped.
func (ix *Index) MatchPDQ(ctx context.Context, hash string) ([]model.Match, error) {
	q, err := mih.ParseHex(hash)
	if err != nil {
		return nil, fmt.Errorf("pdq %q: %w", hash, err)
	}
	res := ix.mih.Radius(q, ix.radius)
	if len(res) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = int64(r.ID)
	}
	found, err := ix.store.EntriesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []model.Match
	for _, r := range res {
		m, ok := found[int64(r.ID)]
		if !ok {
			continue
		}
		m.Signal = model.Signal{Type: model.SignalPDQ, Value: hash}
		m.Distance = r.Distance
		out = append(out, m)
	}
	return out, nil
}

// MatchVPDQ returns the entries of enabled banks whose video the vPDQ hash
// features (ThreatExchange's file format) matches under vPDQ's rule, with
// the shares and time spans that matched.
func (ix *Index) MatchVPDQ(ctx context.Context, features string) ([]model.Match, error) {
	fs, err := vpdq.Unmarshal([]byte(features))
	if err != nil {
		return nil, err
	}
	res := ix.videos.Query(fs)
	if len(res) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = int64(r.ID)
	}
	found, err := ix.store.EntriesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []model.Match
	for _, r := range res {
		m, ok := found[int64(r.ID)]
		if !ok {
			continue
		}
		m.Video = &model.VideoMatch{QueryPercent: r.QueryPercent, BankPercent: r.TargetPercent,
			QuerySpans: spans(r.QuerySpans), BankSpans: spans(r.TargetSpans)}
		out = append(out, m)
	}
	return out, nil
}

func spans(ss []vpdq.Span) []model.TimeSpan {
	out := make([]model.TimeSpan, len(ss))
	for i, s := range ss {
		out[i] = model.TimeSpan{Start: s.Start, End: s.End}
	}
	return out
}
