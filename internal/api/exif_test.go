package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/mediameta/mediametatest"
)

// TestAPIGivesNoCameraMetadata: a photo's GPS position and camera are
// stored for analysts, but a post or case read through the API (partner
// keys) carries none of it.
func TestAPIGivesNoCameraMetadata(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newServer(t, s, 1<<20)
		photo := base64.StdEncoding.EncodeToString(mediametatest.JPEGWithGPS(t))
		var pr struct {
			Results []struct {
				PostID int64 `json:"post_id"`
				CaseID int64 `json:"case_id"`
			}
		}
		c.do("POST", "/api/v1/posts", "application/json", []byte(`[{"platform":"telegram","source_id":"photo-1","text":"kill them all, join us","media":[{"data":"`+photo+`"}]}]`), 200, &pr)
		if len(pr.Results) != 1 || pr.Results[0].PostID == 0 {
			t.Fatalf("ingest: %+v", pr)
		}
		id := pr.Results[0].PostID
		stored, err := s.Post(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Media[0].EXIF == nil || stored.Media[0].EXIF.GPS == nil {
			t.Fatalf("metadata not stored for analysts: %+v", stored.Media[0])
		}
		paths := []string{fmt.Sprintf("/api/v1/posts/%d", id)}
		if pr.Results[0].CaseID != 0 {
			paths = append(paths, fmt.Sprintf("/api/v1/cases/%d", pr.Results[0].CaseID))
		}
		for _, p := range paths {
			body := string(c.do("GET", p, "", nil, 200, nil))
			for _, leak := range []string{`"exif"`, `"gps"`, "33.31", mediametatest.Make, mediametatest.Lens} {
				if strings.Contains(body, leak) {
					t.Errorf("GET %s gives %s: %s", p, leak, body)
				}
			}
		}
	})
}
