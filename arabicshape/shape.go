// Package arabicshape turns Arabic text in logical order into the
// sequence of glyphs a left-to-right text engine without a shaper (such
// as a PDF library) must draw: each letter in its contextual form from
// the Unicode Arabic Presentation Forms, lam-alef as one ligature, and
// right-to-left runs reversed with embedded left-to-right runs (numbers,
// Latin words, addresses) kept in reading order.
//
// It covers the letters of Modern Standard Arabic (U+0621 to U+064A)
// and the Persian and Urdu letters that have presentation forms (پ چ ژ
// ک گ ی), with the joining classes of Unicode's ArabicShaping.txt.
//
// It does not cover: the full Unicode Bidirectional Algorithm (explicit
// embeddings and isolates, nested levels, weak-type rules beyond
// "digits and Latin keep their order"), mark positioning (marks are kept
// after their letter or dropped, see StripMarks), ligatures other than
// lam-alef, Arabic letters without presentation forms (they pass through
// unshaped), and line breaking (the caller breaks lines first, then calls
// Visual on each line).
package arabicshape

import (
	"strings"
	"unicode"
)

// joining is a letter's joining class from ArabicShaping.txt.
type joining uint8

const (
	nonJoining   joining = iota // U: joins neither side
	rightJoining                // R: joins only the letter before it
	dualJoining                 // D: joins both sides
	joinCausing                 // C: tatweel, joins both sides, no forms
	transparent                 // T: marks, skipped when joining
)

// forms are a letter's presentation forms: isolated, final, initial,
// medial. Zero means the letter has no such form.
type forms [4]rune

const (
	isolated = iota
	final
	initial
	medial
)

// letters maps a letter to its forms; a letter with only isolated and
// final forms is right-joining.
var letters = map[rune]forms{
	'\u0621': {0xFE80, 0, 0, 0},
	'\u0622': {0xFE81, 0xFE82, 0, 0},
	'\u0623': {0xFE83, 0xFE84, 0, 0},
	'\u0624': {0xFE85, 0xFE86, 0, 0},
	'\u0625': {0xFE87, 0xFE88, 0, 0},
	'\u0626': {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C},
	'\u0627': {0xFE8D, 0xFE8E, 0, 0},
	'\u0628': {0xFE8F, 0xFE90, 0xFE91, 0xFE92},
	'\u0629': {0xFE93, 0xFE94, 0, 0},
	'\u062A': {0xFE95, 0xFE96, 0xFE97, 0xFE98},
	'\u062B': {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C},
	'\u062C': {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0},
	'\u062D': {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4},
	'\u062E': {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8},
	'\u062F': {0xFEA9, 0xFEAA, 0, 0},
	'\u0630': {0xFEAB, 0xFEAC, 0, 0},
	'\u0631': {0xFEAD, 0xFEAE, 0, 0},
	'\u0632': {0xFEAF, 0xFEB0, 0, 0},
	'\u0633': {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4},
	'\u0634': {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8},
	'\u0635': {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC},
	'\u0636': {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0},
	'\u0637': {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4},
	'\u0638': {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8},
	'\u0639': {0xFEC9, 0xFECA, 0xFECB, 0xFECC},
	'\u063A': {0xFECD, 0xFECE, 0xFECF, 0xFED0},
	'\u0641': {0xFED1, 0xFED2, 0xFED3, 0xFED4},
	'\u0642': {0xFED5, 0xFED6, 0xFED7, 0xFED8},
	'\u0643': {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC},
	'\u0644': {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0},
	'\u0645': {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4},
	'\u0646': {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8},
	'\u0647': {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC},
	'\u0648': {0xFEED, 0xFEEE, 0, 0},
	// Alef maqsura is dual-joining; its initial and medial forms are in
	// Presentation Forms-A, as the Uighur/Kazakh yeh.
	'\u0649': {0xFEEF, 0xFEF0, 0xFBE8, 0xFBE9},
	'\u064A': {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4},
	'\u067E': {0xFB56, 0xFB57, 0xFB58, 0xFB59}, // peh
	'\u0686': {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D}, // tcheh
	'\u0698': {0xFB8A, 0xFB8B, 0, 0},           // jeh
	'\u06A9': {0xFB8E, 0xFB8F, 0xFB90, 0xFB91}, // keheh
	'\u06AF': {0xFB92, 0xFB93, 0xFB94, 0xFB95}, // gaf
	'\u06CC': {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF}, // Farsi yeh
}

// lamAlef maps the alef after a lam to the ligature's isolated form; the
// final form is the next code point.
var lamAlef = map[rune]rune{
	'\u0622': 0xFEF5, // لآ
	'\u0623': 0xFEF7, // لأ
	'\u0625': 0xFEF9, // لإ
	'\u0627': 0xFEFB, // لا
}

const (
	lam     = '\u0644'
	tatweel = '\u0640'
	zwj     = '\u200D'
	zwnj    = '\u200C'
)

// IsMark reports whether r is a combining mark that Arabic joining skips
// over: harakat, shadda, sukun, superscript alef, Quranic marks.
func IsMark(r rune) bool {
	return unicode.Is(unicode.Mn, r)
}

func classOf(r rune) joining {
	switch {
	case IsMark(r):
		return transparent
	case r == tatweel || r == zwj:
		return joinCausing
	}
	f, ok := letters[r]
	switch {
	case !ok:
		return nonJoining
	case f[initial] != 0:
		return dualJoining
	case f[final] != 0:
		return rightJoining
	}
	return nonJoining
}

// joinsNext reports whether a letter of class c connects to the letter
// after it.
func joinsNext(c joining) bool { return c == dualJoining || c == joinCausing }

// joinsPrev reports whether a letter of class c connects to the letter
// before it.
func joinsPrev(c joining) bool {
	return c == dualJoining || c == rightJoining || c == joinCausing
}

// Shape replaces each Arabic letter by its contextual presentation form
// and lam followed by an alef by the lam-alef ligature. The text stays in
// logical order and keeps its marks; a mark between lam and alef moves
// after the ligature.
func Shape(s string) string {
	in := []rune(s)
	cls := make([]joining, len(in))
	for i, r := range in {
		cls[i] = classOf(r)
	}
	// neighbour returns the class of the nearest non-mark letter from i
	// going in step, or nonJoining at the edge.
	neighbour := func(i, step int) (joining, int) {
		for j := i + step; j >= 0 && j < len(in); j += step {
			if cls[j] != transparent {
				return cls[j], j
			}
		}
		return nonJoining, -1
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(in); i++ {
		r := in[i]
		f, ok := letters[r]
		if !ok {
			b.WriteRune(r)
			continue
		}
		prev, _ := neighbour(i, -1)
		connectsBefore := joinsNext(prev)
		next, j := neighbour(i, +1)
		if r == lam && j >= 0 {
			if lig, ok := lamAlef[in[j]]; ok {
				if connectsBefore {
					lig++
				}
				b.WriteRune(lig)
				for _, m := range in[i+1 : j] {
					b.WriteRune(m)
				}
				i = j
				continue
			}
		}
		connectsAfter := joinsNext(cls[i]) && joinsPrev(next)
		form := isolated
		switch {
		case connectsBefore && connectsAfter:
			form = medial
		case connectsBefore:
			form = final
		case connectsAfter:
			form = initial
		}
		if connectsBefore && f[final] == 0 {
			form = isolated
		}
		b.WriteRune(f[form])
	}
	return b.String()
}

// StripMarks removes combining marks (harakat and the like), for engines
// that cannot place them over their letter, and tatweel.
func StripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if IsMark(r) || r == tatweel {
			return -1
		}
		return r
	}, s)
}
