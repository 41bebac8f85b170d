package pipeline

import (
	"context"
	"strings"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/ocr"
)

// TextReader reads the text written on an image (OCR).
type TextReader interface {
	ReadText(ctx context.Context, image []byte) (string, error)
}

// TesseractReader reads text on images with package ocr (Tesseract).
type TesseractReader struct {
	Options ocr.Options
}

// ReadText returns the text Tesseract reads on the image.
func (r TesseractReader) ReadText(ctx context.Context, image []byte) (string, error) {
	return ocr.Recognize(ctx, image, r.Options)
}

// readText reads the text on an image and adds it to the post's OCRText.
// A failure is recorded in m.Error; the rest of the post is processed.
func (p *Pipeline) readText(ctx context.Context, post *model.Post, m *model.Media, data []byte) {
	if p.OCR == nil || m.Type != "image" {
		return
	}
	text, err := p.OCR.ReadText(ctx, data)
	if err != nil {
		m.Error = joinErr(m.Error, "text in image: "+err.Error())
		return
	}
	if text = strings.TrimSpace(text); text != "" {
		if post.OCRText != "" {
			post.OCRText += "\n\n"
		}
		post.OCRText += text
	}
}

// score scores the post's text and the text read on its images, apart:
// a poster's words are judged on their own, not diluted by a caption.
// For each label the higher score is kept; one from the images is marked
// with Source ScoreFromImage, and Route gives it a reason of its own kind.
func (p *Pipeline) score(post *model.Post) []model.Score {
	var scores []model.Score
	if strings.TrimSpace(post.Text) != "" {
		lang, s := p.Scorer.Score(post.Text)
		if post.Lang == "" {
			post.Lang = lang
		}
		scores = s
	}
	if strings.TrimSpace(post.OCRText) == "" {
		return scores
	}
	lang, fromImage := p.Scorer.Score(post.OCRText)
	if post.Lang == "" {
		post.Lang = lang
	}
	at := map[model.Label]int{}
	for i, s := range scores {
		at[s.Label] = i
	}
	for _, s := range fromImage {
		s.Source = model.ScoreFromImage
		i, ok := at[s.Label]
		switch {
		case !ok:
			at[s.Label] = len(scores)
			scores = append(scores, s)
		case s.Score > scores[i].Score:
			scores[i] = s
		}
	}
	return scores
}
