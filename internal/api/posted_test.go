package api_test

import (
	"encoding/json"
	"testing"

	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestPostWithoutTime: a post sent without posted_at is answered with
// posted_at absent and posted_at_unknown true, not dated by its ingestion.
func TestPostWithoutTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		c := newServer(t, s, 1<<20)
		var pr struct {
			Results []struct {
				PostID int64 `json:"post_id"`
			}
		}
		c.do("POST", "/api/v1/posts", "application/json", []byte(`[{"platform":"x","source_id":"undated","text":"no time"},{"platform":"x","source_id":"dated","text":"a time","posted_at":"2026-01-02T03:04:05Z"}]`), 200, &pr)
		if len(pr.Results) != 2 {
			t.Fatalf("results = %+v", pr)
		}
		var undated, dated map[string]any
		json.Unmarshal(c.do("GET", "/api/v1/posts/"+itoa(pr.Results[0].PostID), "", nil, 200, nil), &undated)
		json.Unmarshal(c.do("GET", "/api/v1/posts/"+itoa(pr.Results[1].PostID), "", nil, 200, nil), &dated)
		if _, ok := undated["posted_at"]; ok || undated["posted_at_unknown"] != true {
			t.Fatalf("post without time answered as %v", undated)
		}
		if dated["posted_at"] != "2026-01-02T03:04:05Z" || dated["posted_at_unknown"] != nil {
			t.Fatalf("dated post answered as %v", dated)
		}
	})
}
