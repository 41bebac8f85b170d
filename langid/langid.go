// Package langid identifies the language of a short social-media post.
//
// It works in two steps. The script of the letters decides first: Arabic
// script gives Arabic, Persian or Urdu by the letters only those languages
// use; a script the model does not know gives "und". Latin-script text is
// scored by a naive Bayes model over hashed character 1- to 3-grams and
// whole words, trained on posts of each language (see MODEL_CARD.md); the
// embedded default model knows English, French and German. Latin-script
// text whose most frequent words are Portuguese, Spanish, Italian or
// Turkish (a language the model does not know) is "und", not the nearest
// language it knows (words.go).
package langid

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"unicode"
	"unicode/utf8"
)

// Undetermined is the code for text whose language cannot be told.
const Undetermined = "und"

// Codes for the Arabic-script languages told apart by letters.
const (
	Arabic  = "ar"
	Persian = "fa"
	Urdu    = "ur"
)

//go:embed model.bin
var defaultModel []byte

// Default returns the embedded model. Each call parses it anew; keep the
// result.
func Default() (*Model, error) {
	m, err := Read(bytes.NewReader(defaultModel))
	if err != nil {
		return nil, fmt.Errorf("langid: embedded model: %w", err)
	}
	return m, nil
}

// Model identifies languages. It is safe for concurrent use.
type Model struct {
	bits  uint
	langs []string
	// logp holds log P(feature bucket | language), bucket-major: the
	// languages of one bucket are adjacent.
	logp  []float32
	prior []float32
	// words holds the function words that tell a language the model
	// does not know (words.go).
	words wordTable
}

// Langs returns the Latin-script languages the model scores.
func (m *Model) Langs() []string { return append([]string(nil), m.langs...) }

// Sample is one training text with its language.
type Sample struct {
	Text string
	Lang string
}

// TrainOptions configures Train.
type TrainOptions struct {
	// Bits is log2 of the number of hash buckets (default 16).
	Bits uint
	// Alpha is the additive smoothing count (default 0.1).
	Alpha float64
}

// MinLetters is the number of letters below which a text is Undetermined.
const MinLetters = 3

// MinMargin is the log-likelihood lead (in nats) the best Latin-script
// language needs over the next; closer calls are Undetermined, which is the
// honest answer for two-word posts such as "Statement" or "Al hamdu lillah".
const MinMargin = 2.0

// Train fits a naive Bayes model on samples. Samples not mostly in Latin
// script are ignored (the script decides those), and so are languages left
// without samples.
func Train(samples []Sample, opts TrainOptions) (*Model, error) {
	if opts.Bits == 0 {
		opts.Bits = 16
	}
	if opts.Bits < 8 || opts.Bits > 24 {
		return nil, fmt.Errorf("langid: bits %d out of range 8-24", opts.Bits)
	}
	if opts.Alpha <= 0 {
		opts.Alpha = 0.1
	}
	// Languages with Latin-script samples, in a stable order.
	latin := func(text string, buf []byte) ([]byte, bool) {
		var st scriptCounts
		buf, st = fold(buf[:0], text)
		return buf, st.latin >= MinLetters && st.latin >= st.total/2
	}
	index := map[string]int{}
	var buf []byte
	for _, s := range samples {
		var ok bool
		if buf, ok = latin(s.Text, buf); ok && s.Lang != "" {
			index[s.Lang] = 0
		}
	}
	if len(index) < 2 {
		return nil, errors.New("langid: need Latin-script samples of at least two languages")
	}
	langs := make([]string, 0, len(index))
	for l := range index {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for i, l := range langs {
		index[l] = i
	}
	nb := 1 << opts.Bits
	L := len(langs)
	counts := make([]float64, nb*L)
	totals := make([]float64, L)
	docs := make([]float64, L)
	for _, s := range samples {
		li, known := index[s.Lang]
		var ok bool
		if buf, ok = latin(s.Text, buf); !ok || !known {
			continue
		}
		docs[li]++
		eachFeature(buf, opts.Bits, func(b uint32) {
			counts[int(b)*L+li]++
			totals[li]++
		})
	}
	m := &Model{bits: opts.Bits, langs: langs, logp: make([]float32, nb*L), prior: make([]float32, L), words: newWordTable()}
	var ndocs float64
	for _, d := range docs {
		ndocs += d
	}
	// Scale every language's counts to the same total before smoothing, so
	// that an n-gram none of them has seen is equally likely in each: a
	// smaller corpus would otherwise win every unseen feature.
	var mean float64
	for _, t := range totals {
		mean += t / float64(L)
	}
	for li := range langs {
		m.prior[li] = float32(math.Log(docs[li] / ndocs))
		k := mean / totals[li]
		den := math.Log(mean + opts.Alpha*float64(nb))
		for b := 0; b < nb; b++ {
			m.logp[b*L+li] = float32(math.Log(counts[b*L+li]*k+opts.Alpha) - den)
		}
	}
	return m, nil
}

// Identify returns the language code of text: an ISO 639-1 code the model
// knows, or Undetermined.
func (m *Model) Identify(text string) string {
	var buf [512]byte
	folded, st := fold(buf[:0], text)
	switch {
	case st.total < MinLetters:
		return Undetermined
	case st.arabic*2 >= st.total:
		return arabicScript(st)
	case st.latin*2 < st.total:
		return Undetermined
	case m.foreign(folded):
		return Undetermined
	}
	L := len(m.langs)
	var scoreBuf [8]float64
	scores := scoreBuf[:0]
	if L > len(scoreBuf) {
		scores = make([]float64, 0, L)
	}
	for _, p := range m.prior {
		scores = append(scores, float64(p))
	}
	eachFeature(folded, m.bits, func(b uint32) {
		row := m.logp[int(b)*L : int(b)*L+L]
		for i, v := range row {
			scores[i] += float64(v)
		}
	})
	best, second := 0, -1
	for i := range scores {
		switch {
		case scores[i] > scores[best]:
			best, second = i, best
		case i != best && (second < 0 || scores[i] > scores[second]):
			second = i
		}
	}
	if second >= 0 && scores[best]-scores[second] < MinMargin {
		return Undetermined
	}
	return m.langs[best]
}

// arabicScript tells Arabic, Persian and Urdu apart by their own letters.
func arabicScript(st scriptCounts) string {
	switch {
	case st.urdu >= 2 && st.urdu > st.arabicOnly:
		return Urdu
	case st.persian >= 2 && st.persian > 2*st.arabicOnly:
		return Persian
	}
	return Arabic
}

type scriptCounts struct {
	total, latin, arabic      int
	urdu, persian, arabicOnly int
}

// fold appends the lowercased Latin letters of s to dst, one space between
// words, and counts the letters of each script.
func fold(dst []byte, s string) ([]byte, scriptCounts) {
	var st scriptCounts
	space := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		// Skip links, mentions, hashtags and retweet marks: they are names,
		// not language.
		if (r == '@' || r == '#' || r == 'h' && hasHTTP(s[i-size:]) || r == 'R' && hasRT(s[i-size:])) && space {
			for i < len(s) && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' {
				i++
			}
			continue
		}
		if !unicode.IsLetter(r) {
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			continue
		}
		st.total++
		switch {
		case r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0xFB50 && r <= 0xFEFF:
			st.arabic++
			switch r {
			case 0x06D2, 0x0679, 0x0688, 0x0691, 0x06BA, 0x06BE, 0x06C1:
				st.urdu++
			case 0x067E, 0x0686, 0x0698, 0x06AF, 0x06A9, 0x06CC:
				st.persian++
			case 0x0629, 0x0649, 0x064A, 0x0643:
				st.arabicOnly++
			}
		case unicode.Is(unicode.Latin, r):
			st.latin++
			if space {
				dst = append(dst, ' ')
				space = false
			}
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst, st
}

func hasRT(s string) bool {
	return len(s) >= 3 && s[:3] == "RT " || s == "RT"
}

func hasHTTP(s string) bool {
	return len(s) >= 4 && s[:4] == "http"
}

// eachFeature calls f with the bucket of every feature of folded text (" w1
// w2 ..."): the word itself and the character 1- to 3-grams of the word
// padded with a space on each side.
func eachFeature(folded []byte, bits uint, f func(uint32)) {
	mask := uint32(1)<<bits - 1
	var pad [66]byte
	var offs [67]int
	for len(folded) > 0 {
		if folded[0] == ' ' {
			folded = folded[1:]
			continue
		}
		end := bytes.IndexByte(folded, ' ')
		if end < 0 {
			end = len(folded)
		}
		word := folded[:end]
		folded = folded[end:]
		f(hashBytes(word, 'w') & mask)
		if len(word) > len(pad)-2 {
			word = word[:len(pad)-2]
		}
		pad[0] = ' '
		copy(pad[1:], word)
		pad[len(word)+1] = ' '
		padded := pad[:len(word)+2]
		n := 0
		for j := 0; j < len(padded); {
			offs[n] = j
			n++
			_, size := utf8.DecodeRune(padded[j:])
			j += size
		}
		offs[n] = len(padded)
		for k := 1; k <= 3; k++ {
			for j := 0; j+k <= n; j++ {
				f(hashBytes(padded[offs[j]:offs[j+k]], byte('0'+k)) & mask)
			}
		}
	}
}

func hashBytes(b []byte, salt byte) uint32 {
	h := uint32(2166136261) ^ uint32(salt)
	h *= 16777619
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// The model file: magic, bits (uint8), language count (uint8), each language
// as a length-prefixed string, the priors (float32), then the log
// probabilities quantised to int16 (value = q/scale), little-endian.
const magic = "MRSDLID1"

const quantScale = 1000.0 // log-probabilities are within about -32..0

// WriteTo writes the model in the format Read reads.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	write := func(v any) {
		if err := binary.Write(bw, binary.LittleEndian, v); err == nil {
			n += int64(binary.Size(v))
		}
	}
	bw.WriteString(magic)
	n += int64(len(magic))
	write(uint8(m.bits))
	write(uint8(len(m.langs)))
	for _, l := range m.langs {
		write(uint8(len(l)))
		bw.WriteString(l)
		n += int64(len(l))
	}
	write(m.prior)
	q := make([]int16, len(m.logp))
	for i, v := range m.logp {
		q[i] = int16(max(math.MinInt16, min(math.MaxInt16, math.Round(float64(v)*quantScale))))
	}
	write(q)
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("langid: write model: %w", err)
	}
	return n, nil
}

// Read reads a model written by WriteTo.
func Read(r io.Reader) (*Model, error) {
	br := bufio.NewReader(r)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != magic {
		return nil, errors.New("not a langid model (bad magic)")
	}
	var bits, nl uint8
	if err := binary.Read(br, binary.LittleEndian, &bits); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if err := binary.Read(br, binary.LittleEndian, &nl); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if bits < 8 || bits > 24 || nl < 2 || nl > 64 {
		return nil, fmt.Errorf("model header: bits %d, languages %d out of range", bits, nl)
	}
	m := &Model{bits: uint(bits), words: newWordTable()}
	for i := 0; i < int(nl); i++ {
		var ln uint8
		if err := binary.Read(br, binary.LittleEndian, &ln); err != nil {
			return nil, fmt.Errorf("language %d: %w", i, err)
		}
		name := make([]byte, ln)
		if _, err := io.ReadFull(br, name); err != nil {
			return nil, fmt.Errorf("language %d: %w", i, err)
		}
		m.langs = append(m.langs, string(name))
	}
	m.prior = make([]float32, nl)
	if err := binary.Read(br, binary.LittleEndian, m.prior); err != nil {
		return nil, fmt.Errorf("priors: %w", err)
	}
	// Read what is there before allocating for what the header claims.
	n := (1 << bits) * int(nl)
	raw, err := io.ReadAll(io.LimitReader(br, int64(2*n)+1))
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	if len(raw) != 2*n {
		return nil, fmt.Errorf("weights: %d bytes, want %d", len(raw), 2*n)
	}
	m.logp = make([]float32, n)
	for i := range m.logp {
		m.logp[i] = float32(float64(int16(binary.LittleEndian.Uint16(raw[2*i:])))) / quantScale
	}
	return m, nil
}
