package api_test

import (
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/pdq"
)

// TestPostWithEmptyMediaKept: over the API, a post whose attachment is
// empty is stored, and the response names the media refused.
func TestPostWithEmptyMediaKept(t *testing.T) {
	s := storetest.SQLite(t)
	c := newServer(t, s, 1<<20)
	var out struct {
		Created int
		Results []struct {
			PostID       int64    `json:"post_id"`
			Error        string   `json:"error"`
			MediaRefused []string `json:"media_refused"`
		}
	}
	c.do("POST", "/api/v1/posts", "application/json", []byte(`{"platform":"x","source_id":"e1","text":"hello","media":[{"data":""}]}`), 200, &out)
	if out.Created != 1 || len(out.Results) != 1 || out.Results[0].Error != "" || len(out.Results[0].MediaRefused) != 1 ||
		!strings.Contains(out.Results[0].MediaRefused[0], "empty") {
		t.Fatalf("response %+v", out)
	}
}

// TestMatchVideoWithoutFFmpeg: a video sent to the match endpoint of a
// server without ffmpeg gets 503 and says what is missing.
func TestMatchVideoWithoutFFmpeg(t *testing.T) {
	s := storetest.SQLite(t)
	c := serveAPI(t, &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s, Hasher: pipeline.NewPDQHasher(pdq.Options{})}, Matcher: exactPDQ{s}})
	mp4 := append([]byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"), make([]byte, 64)...)
	body := c.do("POST", "/api/v1/match", "video/mp4", mp4, 503, nil)
	if !strings.Contains(string(body), "ffmpeg is not installed") {
		t.Fatalf("body %s", body)
	}
}
