// Package textnorm normalises and tokenises social-media text, Arabic first.
//
// Normalisation folds the spelling variation that carries no meaning for
// classification: Unicode compatibility forms (NFKC mappings, so Arabic
// presentation forms and full-width Latin become plain letters), diacritics
// (Arabic tashkeel and Latin accents), tatweel, the alef and hamza-carrier
// forms (أ إ آ ٱ → ا, ؤ → و, ئ → ي), ta marbuta (ة → ه), alef maqsura
// (ى → ي), Persian and Urdu letter variants (ک → ك, ی → ي, ہ ھ → ه, ...),
// Arabic-Indic and Persian digits (٣ ۳ → 3), letter elongation (جدااااا →
// جدا, soooo → soo) and case.
//
// Tokenisation keeps what a post is made of: words, numbers, URLs and
// mentions (replaced by the tokens <url> and <user>), hashtags (split into
// their words: #ولاية_دمشق → ولايه دمشق, #StopTheHate → stop the hate) and
// emoji (one token each, skin tones and variation selectors dropped).
package textnorm

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kind says what a token is.
type Kind uint8

// Token kinds.
const (
	Word    Kind = iota // a run of letters (and digits)
	Number              // a run of digits only
	URL                 // a link, written as URLToken
	Mention             // an @-mention, written as MentionToken
	Hashtag             // one word of a hashtag
	Emoji               // one emoji
)

var kindNames = [...]string{"word", "number", "url", "mention", "hashtag", "emoji"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Replacement tokens for links and mentions: their targets say little about
// the content and would only spread the vocabulary.
const (
	URLToken     = "<url>"
	MentionToken = "<user>"
)

// Token is one token of a normalised text: the bytes Start:End of
// Normalizer.Bytes.
type Token struct {
	Start, End int32
	Kind       Kind
}

// Normalizer normalises and tokenises text, reusing its buffers between
// calls so that the classifier's hot path does not allocate. A Normalizer is
// not safe for concurrent use; give each goroutine its own.
type Normalizer struct {
	out  []byte
	toks []Token
	// elongation tracking for the token being written
	last    rune
	run     int
	runFrom int
}

// Bytes returns the normalised text of the last Tokenize call: the tokens
// separated by single spaces. It is valid until the next call.
func (n *Normalizer) Bytes() []byte { return n.out }

// Text returns the bytes of tok in the last Tokenize call's output.
func (n *Normalizer) Text(tok Token) []byte { return n.out[tok.Start:tok.End] }

// Tokenize normalises s and returns its tokens. The slice and the bytes it
// points to are owned by n and valid until the next call.
func (n *Normalizer) Tokenize(s string) []Token {
	n.out = n.out[:0]
	n.toks = n.toks[:0]
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '#' && i+1 < len(s) && startsWord(s[i+1:]):
			i = n.hashtag(s, i+1)
			continue
		case c == '@' && i+1 < len(s) && startsWord(s[i+1:]):
			i = n.mention(s, i+1)
			continue
		case (c == 'h' || c == 'H' || c == 'w' || c == 'W') && isURLStart(s[i:]):
			i = skipNonSpace(s, i)
			n.special(URLToken, URL)
			continue
		case c == '<' && strings.HasPrefix(s[i:], "<LF>"):
			// Some corpora write newlines as <LF>.
			i += 4
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isWordAt(s[i:], r):
			i = n.word(s, i, Word)
		case isEmoji(r):
			i = n.emoji(s, i)
		default:
			i += size
		}
	}
	return n.toks
}

// startsWord reports whether s starts with a rune that can begin a word.
func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r) || r == '_'
}

func isURLStart(s string) bool {
	return hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://") || hasPrefixFold(s, "www.")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func skipNonSpace(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// isWordRune reports whether r belongs inside a word. Marks count, so that
// tashkeel does not split a word before it is dropped.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if isArabic(r) { // fast path for the common script
		switch {
		case r <= 0x060F, r == 0x061B, r >= 0x061D && r <= 0x061F, r >= 0x066A && r <= 0x066D,
			r == 0x06D4, r == 0x06DD, r == 0x06DE, r == 0x06E9, r == 0x06FD, r == 0x06FE:
			return false
		}
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) ||
		unicode.Is(unicode.Cf, r) && !isEmojiModifier(r)
}

// isWordAt reports whether the rune r at the start of s belongs inside a
// word, counting symbols whose compatibility form is a letter or digit
// (①, ㎞).
func isWordAt(s string, r rune) bool {
	if isWordRune(r) {
		return true
	}
	if r < utf8.RuneSelf || isEmoji(r) {
		return false
	}
	d := norm.NFKD.PropertiesString(s).Decomposition()
	if d == nil {
		return false
	}
	dr, _ := utf8.DecodeRune(d)
	return isWordRune(dr)
}

// isEmoji reports whether r is a pictographic symbol kept as a token.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F300 && r <= 0x1FAFF, // pictographs, emoticons, transport, supplemental
		r >= 0x2600 && r <= 0x27BF,   // miscellaneous symbols, dingbats
		r >= 0x1F000 && r <= 0x1F2FF, // mahjong, cards, enclosed alphanumerics
		r >= 0x2B00 && r <= 0x2BFF,   // arrows and stars (⭐)
		r == 0x2764 || r == 0x203C || r == 0x2049:
		return !isEmojiModifier(r)
	}
	return false
}

// isEmojiModifier reports runes that only adjust the emoji before them.
func isEmojiModifier(r rune) bool {
	return r >= 0x1F3FB && r <= 0x1F3FF || r == 0xFE0F || r == 0xFE0E || r == 0x200D
}

func (n *Normalizer) begin() int {
	if len(n.out) > 0 {
		n.out = append(n.out, ' ')
	}
	n.last, n.run, n.runFrom = 0, 0, len(n.out)
	return len(n.out)
}

func (n *Normalizer) end(start int, kind Kind) {
	if len(n.out) == start {
		// Everything in the token was dropped (e.g. only tatweel): undo the separator.
		if start > 0 {
			n.out = n.out[:start-1]
		}
		return
	}
	if kind == Word && allDigits(n.out[start:]) {
		kind = Number
	}
	n.toks = append(n.toks, Token{Start: int32(start), End: int32(len(n.out)), Kind: kind})
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (n *Normalizer) special(text string, kind Kind) {
	start := n.begin()
	n.out = append(n.out, text...)
	n.end(start, kind)
}

// word writes the word starting at s[i] and returns the index after it.
func (n *Normalizer) word(s string, i int, kind Kind) int {
	// Corpora write removed links as a bare "URL".
	if strings.HasPrefix(s[i:], "URL") && (i+3 == len(s) || !startsWord(s[i+3:])) {
		n.special(URLToken, URL)
		return i + 3
	}
	start := n.begin()
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordAt(s[i:], r) {
			break
		}
		n.rune(s[i:i+size], r)
		i += size
	}
	n.end(start, kind)
	return i
}

// mention writes a mention token for the name starting at s[i].
func (n *Normalizer) mention(s string, i int) int {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isWordRune(r) && r != '_' && r != '.' {
			break
		}
		j += size
	}
	name := strings.TrimRight(s[i:j], ".")
	j = i + len(name)
	// Corpora write removed links as "@url" or "@URL".
	if strings.EqualFold(name, "url") {
		n.special(URLToken, URL)
	} else {
		n.special(MentionToken, Mention)
	}
	return j
}

// hashtag writes the words of the hashtag whose body starts at s[i]: it
// splits on underscores, on lower-to-upper case changes and between letters
// and digits.
func (n *Normalizer) hashtag(s string, i int) int {
	start := -1
	var prev rune
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '_' {
			if start >= 0 {
				n.end(start, Hashtag)
				start = -1
			}
			prev = r
			i += size
			continue
		}
		if !isWordRune(r) {
			break
		}
		if start >= 0 && boundary(prev, r) {
			n.end(start, Hashtag)
			start = -1
		}
		if start < 0 {
			start = n.begin()
		}
		n.rune(s[i:i+size], r)
		prev = r
		i += size
	}
	if start >= 0 {
		n.end(start, Hashtag)
	}
	return i
}

// boundary reports a word boundary inside a hashtag between prev and r.
func boundary(prev, r rune) bool {
	switch {
	case unicode.IsLower(prev) && unicode.IsUpper(r):
		return true
	case unicode.IsDigit(prev) != unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r):
		return true
	}
	return false
}

// emoji writes the emoji at s[i] as one token, and skips repeats of it and
// the modifiers that follow.
func (n *Normalizer) emoji(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	start := n.begin()
	n.out = utf8.AppendRune(n.out, r)
	n.end(start, Emoji)
	i += size
	for i < len(s) {
		r2, size2 := utf8.DecodeRuneInString(s[i:])
		if r2 != r && !isEmojiModifier(r2) {
			break
		}
		i += size2
	}
	return i
}

// rune writes the normalised form of r (whose UTF-8 bytes are raw) to the
// current token.
func (n *Normalizer) rune(raw string, r rune) {
	if r >= utf8.RuneSelf && !isArabic(r) { // foldArabic handles the block's few decompositions
		// Compatibility decomposition; the marks it splits off are dropped
		// below, so the result is NFKC with diacritics removed.
		if d := norm.NFKD.PropertiesString(raw).Decomposition(); d != nil {
			for len(d) > 0 {
				dr, size := utf8.DecodeRune(d)
				if !unicode.IsSpace(dr) { // ligatures such as ﷺ expand to phrases
					n.put(fold(dr))
				}
				d = d[size:]
			}
			return
		}
	}
	n.put(fold(r))
}

// put appends r, collapsing elongation: three or more of the same Arabic
// letter become one, three or more of any other letter become two. Digits
// are kept as they are.
func (n *Normalizer) put(r rune) {
	if r < 0 {
		return
	}
	if r == n.last && !('0' <= r && r <= '9') { // digits are never elongation: 1000
		n.run++
		switch {
		case n.run == 3 && isArabic(r):
			n.out = n.out[:n.runFrom+utf8.RuneLen(r)]
			return
		case n.run >= 3:
			return
		}
	} else {
		n.last, n.run, n.runFrom = r, 1, len(n.out)
	}
	if r < utf8.RuneSelf {
		n.out = append(n.out, byte(r))
		return
	}
	n.out = utf8.AppendRune(n.out, r)
}

func isArabic(r rune) bool { return r >= 0x0600 && r <= 0x06FF }

// fold maps one rune to its normalised form, or -1 to drop it.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if r >= 0x0600 && r <= 0x06FF {
		return foldArabic(r)
	}
	if r >= 0x0750 && r <= 0x077F { // Arabic supplement: rare letter variants, kept
		return r
	}
	if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Cf, r) || r == 0xFE0F || r == 0xFE0E {
		return -1
	}
	return unicode.ToLower(r)
}

// foldArabic maps a rune of the Arabic block.
func foldArabic(r rune) rune {
	switch {
	case r >= 0x064B && r <= 0x065F, r == 0x0670, r >= 0x0610 && r <= 0x061A, r >= 0x06D6 && r <= 0x06ED && r != 0x06E5 && r != 0x06E6:
		return -1 // tashkeel and Quranic marks
	case r >= 0x0660 && r <= 0x0669:
		return '0' + r - 0x0660 // Arabic-Indic digits
	case r >= 0x06F0 && r <= 0x06F9:
		return '0' + r - 0x06F0 // Persian/Urdu digits
	}
	switch r {
	case 0x0640, 0x061C: // tatweel, Arabic letter mark
		return -1
	case 0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673, 0x0675: // آ أ إ ٱ ٲ ٳ ٵ
		return 0x0627
	case 0x0624, 0x0676: // ؤ ٶ
		return 0x0648
	case 0x0626, 0x0678, 0x0649, 0x06CC, 0x06D0, 0x06D2, 0x06D3, 0x06CD: // ئ ٸ ى ی ې ے ۓ ۍ
		return 0x064A
	case 0x0629, 0x06C0, 0x06C1, 0x06C2, 0x06C3, 0x06BE, 0x06D5: // ة ۀ ہ ۂ ۃ ھ ە
		return 0x0647
	case 0x06A9, 0x06AA, 0x06AF: // ک ڪ گ
		return 0x0643
	case 0x067E: // پ
		return 0x0628
	case 0x0686: // چ
		return 0x062C
	case 0x0698: // ژ
		return 0x0632
	case 0x06A4: // ڤ
		return 0x0641
	case 0x0679: // ٹ
		return 0x062A
	case 0x0688: // ڈ
		return 0x062F
	case 0x0691: // ڑ
		return 0x0631
	case 0x06BA: // ں
		return 0x0646
	case 0x060C: // ،
		return ','
	case 0x061B: // ؛
		return ';'
	case 0x061F: // ؟
		return '?'
	}
	return r
}

// Normalize returns the normalised tokens of s joined by single spaces.
func Normalize(s string) string {
	var n Normalizer
	n.Tokenize(s)
	return string(n.out)
}

// Tokens returns the normalised tokens of s.
func Tokens(s string) []string {
	var n Normalizer
	toks := n.Tokenize(s)
	out := make([]string, len(toks))
	text := string(n.out)
	for i, t := range toks {
		out[i] = text[t.Start:t.End]
	}
	return out
}

// Proclitics returns the shorter forms of the normalised Arabic word w
// without the letters written onto its front: a conjunction (و ف), a
// preposition with the article (بال كال), the article (ال) or the
// contracted لل; "والجهاد" gives "الجهاد" and "جهاد". It strips only what
// leaves at least three letters, and a preposition only before the
// article, so "بيت" and "كتاب" give nothing. Search indexes these forms
// beside the word, so that "جهاد" finds "والجهاد".
func Proclitics(w string) []string {
	var out []string
	rest := w
	for _, conj := range []string{"و", "ف"} {
		if r, ok := strings.CutPrefix(rest, conj); ok && utf8.RuneCountInString(r) >= 3 {
			rest = r
			out = append(out, rest)
			break
		}
	}
	for _, art := range []string{"بال", "كال", "ال", "لل"} {
		if r, ok := strings.CutPrefix(rest, art); ok && utf8.RuneCountInString(r) >= 3 {
			if art != "ال" && art != "لل" {
				out = append(out, "ال"+r) // بالجهاد is also الجهاد
			}
			out = append(out, r)
			break
		}
	}
	return out
}

// QueryForms returns the forms a search word w (normalised) may take in
// the index: w itself, the forms Proclitics gives, and, for a word
// opening with a one-letter preposition (ب ل ك, after و or ف or not)
// that leaves at least four letters, the word without it and its own
// forms: "والخلافة" gives "والخلافة", "الخلافة", "خلافة"; "بإخوانك" gives
// "باخوانك", "اخوانك". A post matches the word when it holds any form,
// so the query is folded as the index is. Four letters, not three, keep
// "بلاد" from asking for "لاد" and "كتاب" for "تاب".
func QueryForms(w string) []string {
	out := []string{w}
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, f := range Proclitics(w) {
		add(f)
	}
	rest := w
	for _, conj := range []string{"و", "ف"} {
		if r, ok := strings.CutPrefix(rest, conj); ok && utf8.RuneCountInString(r) >= 4 {
			rest = r
			break
		}
	}
	for _, prep := range []string{"ب", "ل", "ك"} {
		r, ok := strings.CutPrefix(rest, prep)
		if !ok || utf8.RuneCountInString(r) < 4 || strings.HasPrefix(r, "ال") || strings.HasPrefix(rest, "لل") {
			continue // the article forms are Proclitics' own
		}
		add(r)
		for _, f := range Proclitics(r) {
			add(f)
		}
		break
	}
	return out
}
