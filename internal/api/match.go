package api

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
)

// Matcher finds bank entries near a PDQ hash.
type Matcher interface {
	MatchPDQ(ctx context.Context, hash string) ([]model.Match, error)
}

type matchRequest struct {
	Hashes []string `json:"hashes"`
}

type hashMatches struct {
	// Type is pdq, or vpdq for an uploaded video or animated GIF.
	Type    model.SignalType `json:"type,omitempty"`
	Hash    string           `json:"hash"`
	Quality int              `json:"quality,omitempty"`
	// VPDQ is an uploaded video's frame hashes in ThreatExchange's file
	// format; Frames counts them.
	VPDQ    string        `json:"vpdq,omitempty"`
	Frames  int           `json:"frames,omitempty"`
	Matches []model.Match `json:"matches"`
	Error   string        `json:"error,omitempty"`
}

// maxMatchHashes bounds one match request.
const maxMatchHashes = 10000

// match answers which bank entries are near the given PDQ hashes, or
// match an uploaded file (any image or video Content-Type, hashed on the
// fly as at ingest: PDQ for a still image, vPDQ for a video or an
// animated GIF).
func (a *API) match(r *http.Request) (any, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var out []hashMatches
	switch {
	case strings.HasPrefix(ct, "image/"), strings.HasPrefix(ct, "video/"), ct == "application/octet-stream":
		if a.Pipeline == nil || a.Pipeline.Hasher == nil {
			return nil, fmt.Errorf("%w: this server does not hash images", errBadRequest)
		}
		data, err := readBody(r)
		if err != nil {
			return nil, err
		}
		fh, err := a.Pipeline.HashFile(r.Context(), data)
		if errors.Is(err, pipeline.ErrNoVideoHashing) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("%w: file: %v", errBadRequest, err)
		}
		var ms []model.Match
		if fh.Type == model.SignalVPDQ {
			ms, err = a.Pipeline.MatchFile(r.Context(), fh)
		} else {
			ms, err = a.Matcher.MatchPDQ(r.Context(), fh.Hash)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, hashMatches{Type: fh.Type, Hash: fh.Hash, Quality: fh.Quality, VPDQ: fh.VPDQ, Frames: fh.Frames, Matches: orEmpty(ms)})
	default:
		var req matchRequest
		if err := decodeBody(r, &req); err != nil {
			return nil, err
		}
		if len(req.Hashes) == 0 {
			return nil, fmt.Errorf("%w: hashes: give at least one PDQ hash", errBadRequest)
		}
		if len(req.Hashes) > maxMatchHashes {
			return nil, fmt.Errorf("%w: hashes: at most %d per request", errBadRequest, maxMatchHashes)
		}
		for _, h := range req.Hashes {
			v, err := bank.Canonical(model.SignalPDQ, h)
			if err != nil {
				out = append(out, hashMatches{Hash: h, Matches: []model.Match{}, Error: err.Error()})
				continue
			}
			ms, err := a.Matcher.MatchPDQ(r.Context(), v)
			if err != nil {
				return nil, err
			}
			out = append(out, hashMatches{Type: model.SignalPDQ, Hash: v, Matches: orEmpty(ms)})
		}
	}
	return map[string]any{"results": out}, nil
}
