package pipeline

import (
	"io"
	"sync"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/pdq"
)

// PDQHasher hashes images with package pdq. It is safe for concurrent use:
// each call borrows a pdq.Hasher, whose buffers are reused between images.
type PDQHasher struct {
	opts pdq.Options
	pool sync.Pool
}

// NewPDQHasher returns a hasher with the given options (decompression-bomb
// pixel limit, resolution).
func NewPDQHasher(opts pdq.Options) *PDQHasher {
	h := &PDQHasher{opts: opts}
	h.pool.New = func() any { return pdq.NewHasher(h.opts) }
	return h
}

// HashImage returns the PDQ hash of the image in r and its quality.
func (h *PDQHasher) HashImage(r io.Reader) (string, int, error) {
	hs := h.pool.Get().(*pdq.Hasher)
	defer h.pool.Put(hs)
	sum, q, err := hs.HashReader(r)
	if err != nil {
		return "", 0, err
	}
	return sum.String(), q, nil
}

// MinQuality is the reference's quality threshold for matching.
func (h *PDQHasher) MinQuality() int { return pdq.MinQuality }

// TextScorer scores text with a classifier model.
type TextScorer struct {
	Model *classifier.Model
}

// Score classifies text and returns the language and one score per label,
// with the contributing features as evidence.
func (s TextScorer) Score(text string) (string, []model.Score) {
	res := s.Model.Classify(text)
	name := s.Model.Version()
	out := make([]model.Score, 0, len(res.Scores))
	for _, sc := range res.Scores {
		ms := model.Score{Label: model.Label(sc.Label), Score: sc.Score, Threshold: sc.Threshold, Model: name}
		rule := false
		for _, ev := range sc.Evidence {
			ms.Evidence = append(ms.Evidence, ev.Feature)
			if len(ev.Kind) > 5 && ev.Kind[:5] == "rule:" {
				rule = true
			}
		}
		if rule && sc.Label == classifier.Financing {
			ms.Model = name + "+" + RulesModel
		}
		out = append(out, ms)
	}
	return res.Lang, out
}
