package langid

import (
	"bytes"
	"strings"
)

// A naive Bayes model can only choose among the languages it was trained
// on, so a Portuguese or Turkish post is given the nearest of them. The
// most frequent words of a language, and a few letters and endings only
// it uses, are strong evidence of it in even a short post; when they point
// to a language the model does not know, more than to any it knows, the
// honest answer is Undetermined.

// wordLangs are the languages whose function words are listed in
// functionWords, in the order of their bits.
var wordLangs = [...]string{"en", "fr", "de", "pt", "es", "it", "tr"}

// functionWords lists each language's most frequent words: articles,
// prepositions, pronouns, auxiliaries, conjunctions. A word used by
// several languages counts for each.
var functionWords = [len(wordLangs)]string{
	"the a an and of to is in that it for with on are this was be have has not you they we from by at will his her their there were been who what all no my our your after before about i me so do just but if or as how can don t m s im u like get when",
	"le la les des du et est un une que qui dans pour pas sur au aux ce cette ces il elle nous vous ils sont avec mais ne se en de a été ont plus tout tous son sa ses leur après avant où y tu es te je j l d qu c ça très toi moi quel pourquoi bien fait faire comme ma mon",
	"der die das und ist nicht ein eine einen zu den mit von sich auf für im dem es wir ich sie auch dass wird wurden nach bei aus noch kein keine hat haben sind mehr",
	"o os a as do dos da das no nos na nas um uma uns umas e é que de em para por com não foi são está estão pelo pela pelos pelas ao aos às se seu sua mais muito também isso este esta esse essa você ele ela eles elas já ainda depois quando onde há ser tem vai vão sobre até sem hoje nossa nosso",
	"el los la las un una unos unas y que de del en por para con no se es está están fue su sus al lo más muy pero también este esta ese esa eso esto como cuando donde hay ser han ha ya todo todos sin sobre hasta desde ni le les nos ninguna ningún ninguno mi después antes",
	"il lo la gli le un una uno e è che di del della delle dei degli dello in nel nella nei per con non si sono ha hanno al alla alle ai dal dalla sul sulla anche questo questa quello quella come ci più suo sua tutti tutto tutta ancora dopo senza stato stata essere siamo cosa perché chi ieri oggi",
	"ve bir bu şu için ile çok olarak değil gibi daha ama var yok ben sen biz siz onlar kadar sonra önce şimdi bugün her hiç mi mı mu mü olan oldu diye ise ki da de en tüm büyük yeni henüz hakkında",
}

// wordTable maps a folded word to the bit set of the languages that use it.
type wordTable map[string]uint8

func newWordTable() wordTable {
	t := wordTable{}
	for i, list := range functionWords {
		for _, w := range strings.Fields(list) {
			t[w] |= 1 << i
		}
	}
	return t
}

// cues adds to hits the evidence of each language in a word: its
// function words, and letters or endings only one of the listed
// languages writes (ã õ for Portuguese, ñ and -ción for Spanish, -zione
// for Italian, ı ğ ş for Turkish).
func (t wordTable) cues(word []byte, hits *[len(wordLangs)]int) {
	if set, ok := t[string(word)]; ok {
		for i := range wordLangs {
			if set&(1<<i) != 0 {
				hits[i]++
			}
		}
	}
	switch {
	case bytes.Contains(word, []byte("ã")) || bytes.Contains(word, []byte("õ")):
		hits[3]++
	case bytes.Contains(word, []byte("ñ")) || bytes.HasSuffix(word, []byte("ción")) || bytes.HasSuffix(word, []byte("ciones")):
		hits[4]++
	case bytes.HasSuffix(word, []byte("zione")) || bytes.HasSuffix(word, []byte("zioni")):
		hits[5]++
	case bytes.Contains(word, []byte("ı")) || bytes.Contains(word, []byte("ğ")) || bytes.Contains(word, []byte("ş")):
		hits[6]++
	}
}

// foreign reports whether folded text (" w1 w2 ...") reads as a language
// of wordLangs that the model does not know: at least two cues of it, and
// more than of any language the model knows.
func (m *Model) foreign(folded []byte) bool {
	var hits [len(wordLangs)]int
	for w := range bytes.FieldsSeq(folded) {
		m.words.cues(w, &hits)
	}
	bestKnown, bestOther := 0, 0
	for i, l := range wordLangs {
		if m.knows(l) {
			bestKnown = max(bestKnown, hits[i])
		} else {
			bestOther = max(bestOther, hits[i])
		}
	}
	return bestOther >= 2 && bestOther > bestKnown
}

func (m *Model) knows(lang string) bool {
	for _, l := range m.langs {
		if l == lang {
			return true
		}
	}
	return false
}
