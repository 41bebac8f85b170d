package classifier

import (
	"fmt"
	"unicode/utf8"

	"github.com/marsad/marsad/textnorm"
)

// FeatureConfig says which n-grams the model hashes.
type FeatureConfig struct {
	// Bits is log2 of the number of hash buckets.
	Bits uint `json:"bits"`
	// CharMin and CharMax bound the character n-gram lengths (in letters,
	// counting the word-boundary markers), fastText style.
	CharMin int `json:"char_min"`
	CharMax int `json:"char_max"`
	// WordBigrams adds pairs of adjacent tokens.
	WordBigrams bool `json:"word_bigrams"`
	// StopWords gives stop words (IsStopWord) no word or character
	// features of their own; their word pairs stay.
	StopWords bool `json:"stop_words,omitempty"`
}

// DefaultFeatures is the configuration of the default model.
var DefaultFeatures = FeatureConfig{Bits: 18, CharMin: 3, CharMax: 5, WordBigrams: true, StopWords: true}

func (c FeatureConfig) check() error {
	switch {
	case c.Bits < 10 || c.Bits > 24:
		return fmt.Errorf("bits %d out of range 10-24", c.Bits)
	case c.CharMin < 0 || c.CharMax > 8 || c.CharMin > c.CharMax:
		return fmt.Errorf("char n-gram range %d-%d invalid (0 <= min <= max <= 8)", c.CharMin, c.CharMax)
	}
	return nil
}

type featKind uint8

const (
	fWord featKind = iota
	fBigram
	fChar
	fEmoji
)

var featKindNames = [...]string{"word", "bigram", "char", "emoji"}

// Edge flags of a character n-gram: it starts or ends at a word boundary.
const (
	edgeLeft  = 1
	edgeRight = 2
)

// feature is one hashed n-gram occurrence, with where its text lies in the
// normalised text so that the explanation can show it.
type feature struct {
	bucket     uint32
	start, end int32
	tok        int32 // the token it belongs to (a bigram: its second token)
	kind       featKind
	edge       uint8
}

// pairContrib is a word pair's contribution to each label.
type pairContrib struct {
	start, end int32
	tok        int32 // the pair's second token
	c          [NumLabels]float32
}

// extractor turns text into features, reusing its buffers.
type extractor struct {
	norm  textnorm.Normalizer
	toks  []textnorm.Token
	feats []feature
	offs  [72]int32
	// contrib holds each token's contribution to each label (token-major)
	// and pairs each word pair's, for explanations.
	contrib []float32
	pairs   []pairContrib
	// stop marks the tokens that are stop words; they are never evidence.
	stop []bool
	// script is the text's main script, which selects its calibration.
	script script
}

// script is the main writing system of a text. Arabic-script and
// Latin-script posts share the weights (hashing keeps their n-grams apart)
// but are calibrated apart: the same logit means different things in
// languages with different amounts of training data.
type script uint8

const (
	scriptLatin  script = iota // Latin and every other script
	scriptArabic               // more Arabic letters than Latin ones
	numScripts
)

// scriptOf returns the main script of normalised text.
func scriptOf(b []byte) script {
	var ar, lat int
	for _, c := range b {
		switch {
		case c == 0xD8 || c == 0xD9 || c == 0xDA || c == 0xDB: // lead byte of U+0600-U+06FF
			ar++
		case 'a' <= c && c <= 'z':
			lat++
		}
	}
	// An Arabic letter is one lead byte; weigh it as a Latin letter's
	// share of a word (Arabic words are shorter in letters).
	if ar*5 > lat*4 {
		return scriptArabic
	}
	return scriptLatin
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func mix(h uint32, b byte) uint32 { return (h ^ uint32(b)) * fnvPrime }

func hashRange(h uint32, b []byte) uint32 {
	for _, c := range b {
		h = (h ^ uint32(c)) * fnvPrime
	}
	return h
}

// extract returns the features of text. The slice is owned by x.
func (x *extractor) extract(text string, cfg FeatureConfig) []feature {
	toks := x.norm.Tokenize(text)
	x.toks = toks
	buf := x.norm.Bytes()
	x.script = scriptOf(buf)
	mask := uint32(1)<<cfg.Bits - 1
	x.feats = x.feats[:0]
	x.stop = x.stop[:0]
	for i, t := range toks {
		b := buf[t.Start:t.End]
		kind := fWord
		if t.Kind == textnorm.Emoji {
			kind = fEmoji
		}
		stop := t.Kind == textnorm.Word && stopWords[string(b)]
		x.stop = append(x.stop, stop)
		if cfg.WordBigrams && i > 0 {
			// Tokens are separated by one space in buf, so the pair is contiguous.
			p := toks[i-1]
			h := hashRange(mix(fnvOffset, 'b'), buf[p.Start:t.End])
			x.feats = append(x.feats, feature{bucket: h & mask, start: p.Start, end: t.End, tok: int32(i), kind: fBigram})
		}
		if stop && cfg.StopWords {
			continue
		}
		h := hashRange(mix(fnvOffset, 'w'), b)
		x.feats = append(x.feats, feature{bucket: h & mask, start: t.Start, end: t.End, tok: int32(i), kind: kind})
		if cfg.CharMax > 0 && (t.Kind == textnorm.Word || t.Kind == textnorm.Hashtag) {
			x.charGrams(b, t.Start, int32(i), cfg, mask)
		}
	}
	return x.feats
}

// charGrams adds the character n-grams of the word b (at offset base in the
// normalised text) padded with boundary markers: "<word>".
func (x *extractor) charGrams(b []byte, base, tok int32, cfg FeatureConfig, mask uint32) {
	// offs[k] is the byte offset of rune k; the markers are virtual runes
	// at index 0 and n+1.
	n := 0
	for j := 0; j < len(b) && n < len(x.offs)-1; {
		x.offs[n] = int32(j)
		n++
		if b[j] < utf8.RuneSelf {
			j++
		} else {
			_, size := utf8.DecodeRune(b[j:])
			j += size
		}
	}
	x.offs[n] = int32(len(b))
	if n < 2 {
		return
	}
	padded := n + 2
	for k := cfg.CharMin; k <= cfg.CharMax; k++ {
		if k > padded {
			break
		}
		for s := 0; s+k <= padded; s++ {
			e := s + k // padded positions [s, e)
			var edge uint8
			lo, hi := s-1, e-1 // rune indexes in b
			if s == 0 {
				edge |= edgeLeft
				lo = 0
			}
			if e == padded {
				edge |= edgeRight
				hi = n
			}
			if hi <= lo {
				continue
			}
			h := mix(fnvOffset, 'c')
			if edge&edgeLeft != 0 {
				h = mix(h, '<')
			}
			h = hashRange(h, b[x.offs[lo]:x.offs[hi]])
			if edge&edgeRight != 0 {
				h = mix(h, '>')
			}
			x.feats = append(x.feats, feature{
				bucket: h & mask, start: base + x.offs[lo], end: base + x.offs[hi], tok: tok, kind: fChar, edge: edge,
			})
		}
	}
}

// render returns the text of f in the normalised text s.
func (f feature) render(s string) string {
	t := s[f.start:f.end]
	if f.kind != fChar || f.edge == 0 {
		return t
	}
	if f.edge&edgeLeft != 0 {
		t = "<" + t
	}
	if f.edge&edgeRight != 0 {
		t += ">"
	}
	return t
}
