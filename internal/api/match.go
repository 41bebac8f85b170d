package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
)

// Matcher finds bank entries near a PDQ hash.
type Matcher interface {
	MatchPDQ(ctx context.Context, hash string) ([]model.Match, error)
}

type matchRequest struct {
	Hashes []string `json:"hashes"`
}

type hashMatches struct {
	Hash    string        `json:"hash"`
	Quality int           `json:"quality,omitempty"`
	Matches []model.Match `json:"matches"`
	Error   string        `json:"error,omitempty"`
}

// maxMatchHashes bounds one match request.
const maxMatchHashes = 10000

// match answers which bank entries are near the given PDQ hashes, or near
// the hash of an uploaded image (any image Content-Type, hashed on the fly).
func (a *API) match(r *http.Request) (any, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var out []hashMatches
	switch {
	case len(ct) > 6 && ct[:6] == "image/", ct == "application/octet-stream":
		if a.Pipeline == nil || a.Pipeline.Hasher == nil {
			return nil, fmt.Errorf("%w: this server does not hash images", errBadRequest)
		}
		data, err := readBody(r)
		if err != nil {
			return nil, err
		}
		h, q, err := a.Pipeline.Hasher.HashImage(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: image: %v", errBadRequest, err)
		}
		ms, err := a.Matcher.MatchPDQ(r.Context(), h)
		if err != nil {
			return nil, err
		}
		out = append(out, hashMatches{Hash: h, Quality: q, Matches: orEmpty(ms)})
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
			out = append(out, hashMatches{Hash: v, Matches: orEmpty(ms)})
		}
	}
	return map[string]any{"results": out}, nil
}
