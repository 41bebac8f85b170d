package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
)

// postResult is the outcome for one post of a batch.
type postResult struct {
	Index   int           `json:"index"`
	PostID  int64         `json:"post_id,omitempty"`
	Created bool          `json:"created"`
	CaseID  int64         `json:"case_id,omitempty"`
	Labels  []model.Label `json:"labels,omitempty"`
	Error   string        `json:"error,omitempty"`
	Field   string        `json:"field,omitempty"`
	// MediaRefused names media items not kept (empty or too large) of a
	// post that was stored.
	MediaRefused []string `json:"media_refused,omitempty"`
}

type postsResponse struct {
	Created    int          `json:"created"`
	Duplicates int          `json:"duplicates"`
	Refused    int          `json:"refused"`
	Results    []postResult `json:"results"`
}

// createPosts accepts one post object or an array of them. Each post is
// checked and stored on its own: a bad one is reported by index and the
// rest go in.
func (a *API) createPosts(r *http.Request) (any, error) {
	if _, err := scopedPlatform(r.Context(), ""); err != nil {
		return nil, err
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	var raws [][]byte
	isArray := len(body) > 0 && body[0] == '['
	switch {
	case len(body) == 0:
		return nil, fmt.Errorf("%w: empty body: send a post object or an array of posts", errBadRequest)
	case isArray:
		items, err := splitArray(body)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errBadRequest, err)
		}
		raws = items
	default:
		raws = [][]byte{body}
	}
	posts := make([]*model.Post, len(raws))
	results := make([]postResult, len(raws))
	decodeErr := make([]error, len(raws))
	var ok []*model.Post
	var okIdx []int
	for i, raw := range raws {
		if err := checkJSONText(raw); err != nil {
			decodeErr[i] = err
			continue
		}
		p, err := pipeline.DecodePost(raw)
		if err == nil {
			err = a.mayPost(r.Context(), p)
		}
		if err != nil {
			decodeErr[i] = err
			continue
		}
		// Provenance names one of marsad's own sources; a sender cannot claim it.
		p.Provenance = nil
		posts[i] = p
		ok = append(ok, p)
		okIdx = append(okIdx, i)
	}
	res, rep := a.Pipeline.IngestBatch(r.Context(), ok, Actor(r.Context()))
	out := postsResponse{Created: rep.Created, Duplicates: rep.Duplicates}
	for i := range results {
		results[i].Index = i
		if decodeErr[i] != nil {
			ie := pipeline.NewItemError(i, decodeErr[i])
			results[i].Error, results[i].Field = strings.TrimPrefix(ie.Err.Error(), errBadRequest.Error()+": "), ie.Field
		}
	}
	for k, i := range okIdx {
		results[i].PostID, results[i].Created, results[i].CaseID, results[i].Labels = res[k].PostID, res[k].Created, res[k].CaseID, res[k].Labels
		results[i].MediaRefused = res[k].MediaRefused
	}
	for _, e := range rep.Errors {
		if e.Field == "" {
			// The server (the database, its disk), not the post, failed:
			// 503 for a passing fault, so the caller sends the batch again
			// (posts already stored are not stored twice); never a refusal
			// of a valid post.
			return nil, e.Err
		}
		i := okIdx[e.Item-1]
		results[i].Error, results[i].Field = e.Err.Error(), e.Field
	}
	for _, r := range results {
		if r.Error != "" {
			out.Refused++
		}
	}
	if !isArray && out.Refused == 1 {
		// One post sent on its own: its error is the request's.
		msg := results[0].Error
		if results[0].Field != "" {
			msg = results[0].Field + ": " + msg
		}
		return nil, fmt.Errorf("%w: %s", errBadRequest, msg)
	}
	out.Results = results
	return out, nil
}

func (a *API) getPost(r *http.Request) (any, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := a.Store.Post(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := visible(r.Context(), p.Platform, fmt.Sprintf("post %d", id)); err != nil {
		return nil, err
	}
	if err := a.Store.Audit(r.Context(), Actor(r.Context()), "post.read", fmt.Sprintf("post:%d", id), "api"); err != nil {
		return nil, err
	}
	return withoutMetadata(p), nil
}

// withoutMetadata drops the camera metadata (GPS position, device, time)
// of a post's media. API keys are partners': that metadata is shown to
// the unit's analysts only and never leaves marsad.
func withoutMetadata(p *model.Post) *model.Post {
	for i := range p.Media {
		p.Media[i].EXIF = nil
	}
	return p
}

// mayPost refuses a post for another platform than the caller's own.
func (a *API) mayPost(ctx context.Context, p *model.Post) error {
	if l := limitOf(ctx); l != nil && p.Platform != l.platform {
		return pipeline.FieldError("platform", fmt.Errorf("this API key sends posts only for platform %q", l.platform))
	}
	return nil
}
