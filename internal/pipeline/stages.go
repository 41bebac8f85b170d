package pipeline

import (
	"io"
	"sync"
	"sync/atomic"

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
	// Live, when set, holds the model to use instead of Model, so that an
	// admin can switch models while posts are being scored.
	Live *LiveModel
}

// LiveModel holds the text model in use; Set switches every later score
// to another model at once. It is safe for concurrent use.
type LiveModel struct {
	m atomic.Pointer[classifier.Model]
}

// NewLiveModel returns a holder of m.
func NewLiveModel(m *classifier.Model) *LiveModel {
	l := &LiveModel{}
	l.m.Store(m)
	return l
}

// Model returns the model in use.
func (l *LiveModel) Model() *classifier.Model { return l.m.Load() }

// Set makes m the model in use.
func (l *LiveModel) Set(m *classifier.Model) { l.m.Store(m) }

// Score classifies text and returns the language and one score per label,
// with the contributing features as evidence.
func (s TextScorer) Score(text string) (string, []model.Score) {
	m := s.Model
	if s.Live != nil {
		// One load per text: a switch never mixes two models in one post.
		m = s.Live.Model()
	}
	res := m.Classify(text)
	name := m.Version()
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
