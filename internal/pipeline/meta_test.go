package pipeline_test

import (
	"context"
	"math"
	"testing"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/mediameta"
	"github.com/marsad/marsad/mediameta/mediametatest"
)

// TestIngestKeepsEXIF: a photo's GPS position and camera are read at
// ingest and stored with the post; a sender's own claim is not taken.
func TestIngestKeepsEXIF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		res, err := p.Ingest(ctx, &model.Post{Platform: "x", SourceID: "photo", Media: []model.Media{
			{Data: mediametatest.JPEGWithGPS(t)},
			{URL: "https://example.com/a.jpg", EXIF: &mediameta.Meta{Make: "forged"}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		post, err := s.Post(ctx, res.PostID)
		if err != nil {
			t.Fatal(err)
		}
		m := post.Media[0].EXIF
		if m == nil || m.GPS == nil || math.Abs(m.GPS.Latitude-mediametatest.Latitude) > 1e-9 || m.Make != mediametatest.Make || m.Taken != mediametatest.Taken {
			t.Fatalf("stored metadata %+v", m)
		}
		if post.Media[1].EXIF != nil {
			t.Errorf("sender's metadata kept: %+v", post.Media[1].EXIF)
		}
	})
}
