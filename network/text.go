package network

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalizeText prepares text for near-duplicate comparison. It applies
// NFKC (which folds Arabic presentation forms), lower-cases, removes Arabic
// diacritics, Quranic marks, tatweel and invisible format characters, folds
// alef variants to bare alef, alef maqsura and yeh with hamza to yeh, teh
// marbuta to heh, waw with hamza to waw, Persian yeh and keheh to their
// Arabic forms, Arabic-Indic digits to ASCII, drops URLs and @mentions, and
// turns punctuation and symbols into single spaces. Copies of one message
// that differ only in these respects normalise to the same string.
func NormalizeText(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading and repeated spaces
	for _, tok := range strings.Fields(s) {
		l := strings.ToLower(tok)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "www.") || strings.HasPrefix(tok, "@") {
			continue
		}
		for _, r := range tok {
			r = foldRune(r)
			switch {
			case r < 0 || unicode.Is(unicode.Mn, r):
				continue
			case unicode.IsLetter(r) || unicode.IsNumber(r):
				b.WriteRune(unicode.ToLower(r))
				space = false
			case !space:
				b.WriteByte(' ')
				space = true
			}
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// foldRune maps one rune as NormalizeText describes; -1 drops it.
func foldRune(r rune) rune {
	switch {
	case r >= 0x064B && r <= 0x065F, r == 0x0670, r >= 0x06D6 && r <= 0x06ED, r == 0x0640:
		return -1 // harakat, superscript alef, Quranic marks, tatweel
	case r >= 0x200B && r <= 0x200F, r == 0xFEFF, r == 0x061C, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return -1 // zero-width and bidirectional controls
	case r >= 0x0660 && r <= 0x0669:
		return '0' + r - 0x0660
	case r >= 0x06F0 && r <= 0x06F9:
		return '0' + r - 0x06F0
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ى', 'ئ', 'ی':
		return 'ي'
	case 'ة':
		return 'ه'
	case 'ؤ':
		return 'و'
	case 'ک':
		return 'ك'
	}
	return r
}

// Text grouping defaults.
const (
	DefaultTextThreshold = 0.7
	DefaultShingle       = 5
	DefaultTextMinRunes  = 16
	minhashes            = 128
	bands                = 32 // of minhashes/bands rows each
)

// TextOptions tune near-duplicate text grouping. Zero values take defaults.
type TextOptions struct {
	// Threshold is the estimated Jaccard similarity of character shingles
	// at or above which a text joins an earlier text's group. Default 0.7.
	Threshold float64
	// Shingle is the shingle length in runes. Default 5.
	Shingle int
	// MinRunes drops texts shorter than this after normalisation: short
	// phrases are shared by everyone. Default 16.
	MinRunes int
}

func (o TextOptions) normalised() (TextOptions, error) {
	if o.Threshold == 0 {
		o.Threshold = DefaultTextThreshold
	}
	if o.Shingle == 0 {
		o.Shingle = DefaultShingle
	}
	if o.MinRunes == 0 {
		o.MinRunes = DefaultTextMinRunes
	}
	if !(o.Threshold > 0 && o.Threshold <= 1) || o.Shingle < 1 || o.MinRunes < 1 {
		return o, fmt.Errorf("text options %+v: want 0 < threshold <= 1, shingle >= 1, min runes >= 1", o)
	}
	return o, nil
}

// TextIndex assigns texts to near-duplicate groups incrementally with MinHash
// (128 hashes of character shingles of the normalised text) and locality
// sensitive hashing (32 bands of 4). A text joins the group of the most
// similar earlier text whose estimated Jaccard similarity reaches the
// threshold, else starts a group; groups never merge, so ids stay stable as
// texts arrive. A TextIndex is not safe for concurrent use.
type TextIndex struct {
	opts  TextOptions
	exact map[uint64]int32     // hash of normalised text -> text index
	bands []map[uint64][]int32 // band hash -> text indexes
	sigs  [][minhashes]uint32  // signature per text
	group []string             // group id per text
}

// NewTextIndex returns an empty index.
func NewTextIndex(opts TextOptions) (*TextIndex, error) {
	o, err := opts.normalised()
	if err != nil {
		return nil, err
	}
	x := &TextIndex{opts: o, exact: map[uint64]int32{}, bands: make([]map[uint64][]int32, bands)}
	for i := range x.bands {
		x.bands[i] = map[uint64][]int32{}
	}
	return x, nil
}

// Assign returns the group id of text: "t" and 16 hex digits of the hash of
// the normalised text that started the group. ok is false when the text is
// too short to compare.
func (x *TextIndex) Assign(text string) (id string, ok bool) {
	n := NormalizeText(text)
	runes := []rune(n)
	if len(runes) < x.opts.MinRunes {
		return "", false
	}
	h := hash64(n)
	if i, seen := x.exact[h]; seen {
		return x.group[i], true
	}
	sig := signature(runes, x.opts.Shingle)
	best, bestSim := int32(-1), 0.0
	seen := map[int32]bool{}
	for b := range bands {
		for _, c := range x.bands[b][bandHash(&sig, b)] {
			if seen[c] {
				continue
			}
			seen[c] = true
			if s := similarity(&sig, &x.sigs[c]); s >= x.opts.Threshold && (s > bestSim || s == bestSim && c < best) {
				best, bestSim = c, s
			}
		}
	}
	i := int32(len(x.sigs))
	x.sigs = append(x.sigs, sig)
	x.exact[h] = i
	for b := range bands {
		k := bandHash(&sig, b)
		x.bands[b][k] = append(x.bands[b][k], i)
	}
	if best >= 0 {
		id = x.group[best]
	} else {
		id = fmt.Sprintf("t%016x", h)
	}
	x.group = append(x.group, id)
	return id, true
}

func hash64(s string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(s))
	return f.Sum64()
}

// mix is splitmix64's finaliser: a cheap, well-spread 64-bit permutation.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// signature is the MinHash of the rune shingles of a normalised text; hash
// function i is mix(shingle hash + i·golden ratio).
func signature(runes []rune, k int) [minhashes]uint32 {
	var sig [minhashes]uint32
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	k = min(k, len(runes))
	for start := 0; start+k <= len(runes); start++ {
		h := hash64(string(runes[start : start+k]))
		for i := range sig {
			if v := uint32(mix(h+uint64(i)*0x9e3779b97f4a7c15) >> 32); v < sig[i] {
				sig[i] = v
			}
		}
	}
	return sig
}

func bandHash(sig *[minhashes]uint32, b int) uint64 {
	const rows = minhashes / bands
	h := uint64(b)
	for _, v := range sig[b*rows : (b+1)*rows] {
		h = mix(h ^ uint64(v))
	}
	return h
}

// similarity estimates Jaccard similarity as the share of equal minhashes.
func similarity(a, b *[minhashes]uint32) float64 {
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	return float64(eq) / minhashes
}

// GroupTexts replaces the Object of every share of type "text" (the raw
// text) by its near-duplicate group id, assigning texts in time order so
// that each group is named after its earliest text. Text shares too short to
// compare are dropped; other shares pass unchanged. The input is not changed.
func GroupTexts(shares []Share, opts TextOptions) ([]Share, error) {
	x, err := NewTextIndex(opts)
	if err != nil {
		return nil, err
	}
	var order []int
	for i, s := range shares {
		if s.ObjectType == "text" {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(i, j int) int { return shares[i].Time.Compare(shares[j].Time) })
	ids := make(map[int]string, len(order))
	for _, i := range order {
		if id, ok := x.Assign(shares[i].Object); ok {
			ids[i] = id
		}
	}
	out := make([]Share, 0, len(shares))
	for i, s := range shares {
		if s.ObjectType == "text" {
			id, ok := ids[i]
			if !ok {
				continue
			}
			s.Object = id
		}
		out = append(out, s)
	}
	return out, nil
}
