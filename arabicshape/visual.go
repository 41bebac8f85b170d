package arabicshape

import "unicode"

// class is a simplified bidirectional class.
type class uint8

const (
	neutral class = iota // spaces, punctuation: take the direction around them
	strongL              // Latin and other left-to-right letters
	strongR              // Arabic and Hebrew letters
	number               // European and Arabic-Indic digits: kept left to right
)

func bidiClass(r rune) class {
	switch {
	case unicode.IsDigit(r):
		return number
	case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana):
		if unicode.IsLetter(r) {
			return strongR
		}
		return neutral
	case unicode.IsLetter(r):
		return strongL
	}
	return neutral
}

// mirror swaps paired punctuation drawn in a right-to-left run.
var mirror = map[rune]rune{
	'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{',
	'<': '>', '>': '<', '«': '»', '»': '«', '‹': '›', '›': '‹',
}

// cluster is a base character with the marks that follow it; it moves as
// one piece when a run is reversed.
type cluster []rune

func clusters(rs []rune) []cluster {
	var out []cluster
	for _, r := range rs {
		if IsMark(r) && len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], r)
			continue
		}
		out = append(out, cluster{r})
	}
	return out
}

// IsRTL reports whether a paragraph reads right to left: its first
// strong letter is Arabic (or Hebrew). Text with no letters is left to
// right.
func IsRTL(s string) bool {
	for _, r := range s {
		switch bidiClass(r) {
		case strongR:
			return true
		case strongL:
			return false
		}
	}
	return false
}

// Visual shapes one line of text and returns it in the order a
// left-to-right engine must draw it. The line's direction is that of its
// first strong letter (IsRTL). In a right-to-left line the order of the
// pieces is reversed, while a run that starts and ends with a Latin
// letter or digit (a number, a date, a Latin name, an address, with the
// spaces and punctuation inside it) keeps its order; brackets are
// mirrored. In a left-to-right line each Arabic run is treated so. Marks
// stay after their letter; call StripMarks first to drop them.
func Visual(line string) string {
	cs := clusters([]rune(Shape(line)))
	if IsRTL(line) {
		return flatten(rtl(cs))
	}
	// Left to right: reverse each stretch from an Arabic letter to the
	// last Arabic letter before the next Latin letter.
	var out []cluster
	for i := 0; i < len(cs); {
		if bidiClass(cs[i][0]) != strongR {
			out = append(out, cs[i])
			i++
			continue
		}
		end := i
		for j := i; j < len(cs); j++ {
			c := bidiClass(cs[j][0])
			if c == strongL {
				break
			}
			if c == strongR {
				end = j
			}
		}
		out = append(out, rtl(cs[i:end+1])...)
		i = end + 1
	}
	return flatten(out)
}

// rtl lays out a right-to-left run: pieces in reverse order, where a
// piece is a single Arabic letter or neutral, or a whole left-to-right
// run (from a Latin letter or digit to the last Latin letter or digit
// before the next Arabic letter).
func rtl(cs []cluster) []cluster {
	var pieces [][]cluster
	for i := 0; i < len(cs); {
		c := bidiClass(cs[i][0])
		if c != strongL && c != number {
			pieces = append(pieces, cs[i:i+1])
			i++
			continue
		}
		end := i
		for j := i; j < len(cs); j++ {
			c := bidiClass(cs[j][0])
			if c == strongR {
				break
			}
			if c == strongL || c == number {
				end = j
			}
		}
		pieces = append(pieces, cs[i:end+1])
		i = end + 1
	}
	out := make([]cluster, 0, len(cs))
	for i := len(pieces) - 1; i >= 0; i-- {
		p := pieces[i]
		if len(p) == 1 {
			if m, ok := mirror[p[0][0]]; ok {
				p = []cluster{append(cluster{m}, p[0][1:]...)}
			}
		}
		out = append(out, p...)
	}
	return out
}

func flatten(cs []cluster) string {
	n := 0
	for _, c := range cs {
		n += len(c)
	}
	rs := make([]rune, 0, n)
	for _, c := range cs {
		rs = append(rs, c...)
	}
	return string(rs)
}
