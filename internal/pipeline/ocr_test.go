package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/ocr"
	"github.com/marsad/marsad/pdq"
)

func textScorer(t *testing.T) pipeline.TextScorer {
	t.Helper()
	m, err := classifier.Default()
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.TextScorer{Model: m}
}

// TestPosterOpensCaseThroughOCR is issue 15's "done when": a poster with
// an incitement sentence on it, in a post with no text and no bank entry,
// opens a case whose reason is the text in the image, and search finds
// the post by a word on the poster.
func TestPosterOpensCaseThroughOCR(t *testing.T) {
	reader := pipeline.TesseractReader{}
	if err := reader.Options.Available(context.Background()); err != nil {
		t.Skip(err)
	}
	poster, err := ocr.RenderPoster(context.Background(), ocr.Sample{Lang: "eng", Text: "Kill the unbelievers wherever you find them",
		Background: color.RGBA{20, 20, 20, 255}, Background2: color.RGBA{170, 20, 20, 255}, Foreground: color.RGBA{250, 250, 250, 255}})
	if err != nil {
		t.Skip(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		p.Scorer, p.OCR = textScorer(t), reader
		res, err := p.Ingest(ctx, &model.Post{Platform: "x", SourceID: "poster", Media: []model.Media{{Data: poster}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.CaseID == 0 || !slices.Contains(res.Labels, model.Incitement) {
			t.Fatalf("no incitement case: %+v", res)
		}
		c, err := s.Case(ctx, res.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		var reason *model.Reason
		for i := range c.Reasons {
			if c.Reasons[i].Kind == model.ReasonTextInImage {
				reason = &c.Reasons[i]
			}
		}
		if reason == nil || !slices.Contains(reason.Evidence, "unbelievers") {
			t.Fatalf("no text-in-image reason naming the words: %+v", c.Reasons)
		}
		post, err := s.Post(ctx, res.PostID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(post.OCRText, "unbelievers wherever") || post.Media[0].Type != "image" {
			t.Fatalf("stored post: OCR text %q, media %+v", post.OCRText, post.Media)
		}
		found, err := s.SearchPosts(ctx, store.SearchFilter{Text: "unbelievers"})
		if err != nil {
			t.Fatal(err)
		}
		if len(found.Posts) != 1 || found.Posts[0].ID != res.PostID {
			t.Fatalf("search for a word on the poster: %+v", found.Posts)
		}
	})
}

type fakeReader map[string]string

func (f fakeReader) ReadText(ctx context.Context, data []byte) (string, error) {
	for k, v := range f {
		if bytes.Contains(data, []byte(k)) {
			if v == "timeout" {
				return "", ocr.ErrTimeout
			}
			return v, nil
		}
	}
	return "", errors.New("unknown image")
}

func pngWith(t *testing.T, marker string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16))); err != nil {
		t.Fatal(err)
	}
	// A tEXt-like trailer after IEND: still a PNG, and marks the image.
	return append(buf.Bytes(), marker...)
}

func TestOCRScoresAndErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		p.Scorer = textScorer(t)
		p.OCR = fakeReader{"#calm": "Lovely weather at the beach today", "#slow": "timeout", "#kill": "Kill the unbelievers wherever you find them"}
		tests := []struct {
			name      string
			post      model.Post
			wantCase  bool
			wantKind  string
			wantError string
		}{
			{"caption and harmless image", model.Post{Text: "Our holiday", Media: []model.Media{{Data: pngWith(t, "#calm")}}}, false, "", ""},
			{"image text opens the case", model.Post{Text: "Our holiday", Media: []model.Media{{Data: pngWith(t, "#kill")}}}, true, model.ReasonTextInImage, ""},
			{"post text opens the case, image times out", model.Post{Text: "Kill the unbelievers wherever you find them", Media: []model.Media{{Data: pngWith(t, "#slow")}, {Data: pngWith(t, "#calm")}}}, true, "score", "text in image: tesseract took too long"},
			{"corrupt image: error on that media, rest processed", model.Post{Text: "Kill the unbelievers wherever you find them", Media: []model.Media{{Data: []byte("\x89PNG\r\n\x1a\n garbage")}}}, true, "score", "perceptual hash"},
			{"not an image is not read", model.Post{Text: "hi", Media: []model.Media{{Data: []byte("%PDF-1.4 #kill")}}}, false, "", ""},
		}
		p.Hasher = pipeline.NewPDQHasher(pdq.Options{})
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				post := tt.post
				post.Platform, post.SourceID = "x", tt.name
				res, err := p.Ingest(ctx, &post)
				if err != nil {
					t.Fatal(err)
				}
				if (res.CaseID != 0) != tt.wantCase {
					t.Fatalf("case %d, want case %v", res.CaseID, tt.wantCase)
				}
				if tt.wantCase {
					c, err := s.Case(ctx, res.CaseID)
					if err != nil {
						t.Fatal(err)
					}
					if c.Reasons[0].Kind != tt.wantKind {
						t.Fatalf("reason %+v, want kind %q", c.Reasons, tt.wantKind)
					}
				}
				stored, err := s.Post(ctx, res.PostID)
				if err != nil {
					t.Fatal(err)
				}
				if tt.wantError != "" && !strings.Contains(stored.Media[0].Error, tt.wantError) {
					t.Fatalf("media error %q, want %q", stored.Media[0].Error, tt.wantError)
				}
				if len(stored.Media) > 1 && stored.OCRText != "Lovely weather at the beach today" {
					t.Fatalf("second image's text not kept after the first failed: %q", stored.OCRText)
				}
			})
			_ = i
		}
	})
}
