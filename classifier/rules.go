package classifier

import (
	"strings"
	"unicode/utf8"

	"github.com/marsad/marsad/textnorm"
)

// The financing rules run beside the model because there is no public
// labelled corpus of terrorist fundraising: each rule is a readable list of
// phrases or an address shape, and every hit is shown as evidence.

// ruleKind groups the phrases of the financing rules.
type ruleKind uint8

const (
	ruleAppeal  ruleKind = iota // a request for money or donations
	ruleChannel                 // a way to send money
	ruleContext                 // a jihadist cause the money is for
	rulePattern                 // a known fundraising formula, strong on its own
	numRuleKinds
)

var ruleKindNames = [numRuleKinds]string{"rule:appeal", "rule:channel", "rule:context", "rule:pattern"}

// financingPhrases are written in ordinary spelling and normalised at load.
var financingPhrases = [numRuleKinds][]string{
	ruleAppeal: {
		// Arabic
		"تبرع", "تبرعوا", "تبرعكم", "تبرعات", "ادعموا", "ادعم اخوانك", "انفقوا", "أنفق", "جاهدوا بأموالكم", "الجهاد بالمال",
		"ساهموا", "ساهم", "أرسلوا", "ارسل المبلغ", "حولوا", "دعم مالي", "للتبرع", "كفالة", "اكفل", "زكاتكم", "صدقاتكم",
		// English
		"donate", "donations", "donation", "please donate", "send money", "send funds", "support financially", "fund the",
		"sponsor a", "contribute", "your zakat", "your sadaqah", "give generously", "every dollar", "every cent",
		// French
		"faites un don", "faire un don", "donnez", "dons", "soutenez financièrement", "cagnotte", "envoyez de l'argent",
		"contribuez", "participez financièrement", "votre zakat",
	},
	ruleChannel: {
		"bitcoin", "btc", "monero", "xmr", "usdt", "tether", "ethereum", "crypto", "wallet", "paypal", "western union",
		"moneygram", "cash app", "bank transfer", "iban", "hawala", "telegram bot",
		"بيتكوين", "بتكوين", "عملات رقمية", "محفظة", "حوالة", "حواله", "ويسترن يونيون", "تحويل بنكي", "رقم الحساب",
		"virement", "mandat cash", "portefeuille", "cryptomonnaie",
	},
	ruleContext: {
		"mujahid", "mujahideen", "mujahidin", "jihad", "dawla", "khilafah", "caliphate", "islamic state", "the brothers in the field",
		"ribat", "ghazi", "the sisters in al hol", "al hol", "prisoners of the dawla",
		"مجاهد", "المجاهدين", "مجاهدين", "الجهاد", "الدولة الإسلامية", "دولة الخلافة", "الخلافة", "غازي", "الغزاة", "المرابطين",
		"الأسيرات", "أسرى", "مخيم الهول", "الهول", "الإخوة في الثغور", "الثغور",
		"moudjahidine", "moudjahidines", "djihad", "califat", "état islamique", "les frères au front", "al-hol",
	},
	rulePattern: {
		"من جهز غازيا فقد غزا", "جهز غازيا", "تجهيز غازي", "تجهيز المجاهدين", "كفالة أسر الشهداء", "فك الأسيرات", "فكاك الأسرى",
		"equip a mujahid", "equip a fighter", "equip the mujahideen", "whoever equips a fighter", "sponsor a fighter",
		"free the sisters", "ransom the sisters", "weapons for the mujahideen",
		"équiper un moudjahid", "équiper les moudjahidines", "libérer les sœurs",
	},
}

// phraseSet matches token sequences against normalised phrases. Arabic
// tokens are compared without their clitic prefixes (و ف ب ل ك ال), so
// "وللمجاهدين" matches "المجاهدين".
type phraseSet struct {
	byFirst map[string][]int
	tokens  [][]string
	text    []string
	tag     []uint8
}

func newPhraseSet() *phraseSet { return &phraseSet{byFirst: map[string][]int{}} }

func (ps *phraseSet) add(phrase string, tag uint8) {
	toks := textnorm.Tokens(phrase)
	if len(toks) == 0 {
		return
	}
	for i, t := range toks {
		toks[i] = string(stem([]byte(t)))
	}
	i := len(ps.tokens)
	ps.tokens = append(ps.tokens, toks)
	ps.text = append(ps.text, strings.Join(textnorm.Tokens(phrase), " "))
	ps.tag = append(ps.tag, tag)
	ps.byFirst[toks[0]] = append(ps.byFirst[toks[0]], i)
}

// match calls f for every phrase occurring in toks (over the normalised
// text buf), with the byte range of the occurrence.
func (ps *phraseSet) match(buf []byte, toks []textnorm.Token, f func(phrase int, start, end int32)) {
	for i, t := range toks {
		cands, ok := ps.byFirst[string(stem(buf[t.Start:t.End]))]
		if !ok {
			continue
		}
	next:
		for _, p := range cands {
			pt := ps.tokens[p]
			if i+len(pt) > len(toks) {
				continue
			}
			for k := 1; k < len(pt); k++ {
				u := toks[i+k]
				if string(stem(buf[u.Start:u.End])) != pt[k] {
					continue next
				}
			}
			f(p, t.Start, toks[i+len(pt)-1].End)
		}
	}
}

// stem strips Arabic clitic prefixes: a conjunction (و ف), a preposition
// (ب ل ك) and the article (ال, or ل after ل: للـ), keeping at least three
// letters.
func stem(b []byte) []byte {
	if len(b) < 2 || b[0] != 0xD8 && b[0] != 0xD9 {
		return b
	}
	runes := utf8.RuneCount(b)
	strip := func(prefix string) bool {
		if runes-utf8.RuneCountInString(prefix) >= 3 && strings.HasPrefix(string(b), prefix) {
			b = b[len(prefix):]
			runes -= utf8.RuneCountInString(prefix)
			return true
		}
		return false
	}
	if !strip("و") {
		strip("ف")
	}
	if strip("لل") {
		return b
	}
	if !strip("ب") && !strip("ل") {
		strip("ك")
	}
	strip("ال")
	return b
}

// financingRules scores a text for financing by the phrase lists and by
// wallet-address shapes.
type financingRules struct {
	phrases *phraseSet
}

func newFinancingRules() *financingRules {
	ps := newPhraseSet()
	for k, list := range financingPhrases {
		for _, p := range list {
			ps.add(p, uint8(k))
		}
	}
	return &financingRules{phrases: ps}
}

// ruleHit is one piece of rule evidence.
type ruleHit struct {
	kind       ruleKind
	phrase     int // index in phrases, or -1 for a wallet address
	start, end int // in the raw text for wallets, the normalised text otherwise
}

// Rule scores: what the combination of hits means. They are fixed, not
// learnt, so that a reviewer can read why a post was flagged.
const (
	ruleScoreWalletAppeal  = 0.95 // an address with an appeal or a jihadist cause
	ruleScorePattern       = 0.90 // a known fundraising formula
	ruleScoreAppealContext = 0.85 // an appeal for a jihadist cause
	ruleScoreChannelCause  = 0.70 // a payment channel named for a jihadist cause
	ruleScoreAppealChannel = 0.45 // an appeal with a payment channel: ordinary charity too
	ruleScoreWallet        = 0.40 // an address alone
	// ruleProtectiveDamp scales the rule score when the model reads the text
	// as news or counter-speech: reports about fundraising quote it.
	ruleProtectiveDamp = 0.5
)

// score returns the rule score of a post and appends its hits to hits.
func (r *financingRules) score(raw string, buf []byte, toks []textnorm.Token, hits []ruleHit) (float64, []ruleHit) {
	var seen [numRuleKinds]bool
	r.phrases.match(buf, toks, func(p int, start, end int32) {
		k := ruleKind(r.phrases.tag[p])
		seen[k] = true
		hits = append(hits, ruleHit{kind: k, phrase: p, start: int(start), end: int(end)})
	})
	wallet := false
	findWallets(raw, func(start, end int) {
		wallet = true
		hits = append(hits, ruleHit{kind: ruleChannel, phrase: -1, start: start, end: end})
	})
	appeal, channel, cause, pattern := seen[ruleAppeal], seen[ruleChannel] || wallet, seen[ruleContext], seen[rulePattern]
	var s float64
	switch {
	case wallet && (appeal || cause || pattern):
		s = ruleScoreWalletAppeal
	case pattern:
		s = ruleScorePattern
	case appeal && cause:
		s = ruleScoreAppealContext
	case channel && cause:
		s = ruleScoreChannelCause
	case appeal && channel:
		s = ruleScoreAppealChannel
	case wallet:
		s = ruleScoreWallet
	}
	return s, hits
}

// findWallets calls f with the byte range of every run of ASCII letters and
// digits shaped like a cryptocurrency address: Bitcoin (legacy 1/3 base58
// and bech32 bc1), Ethereum (0x + 40 hex), Tron (T + 33 base58) and Monero
// (4/8 + 94 base58). Only the shape is checked; marsad's wallet package
// validates checksums.
func findWallets(s string, f func(start, end int)) {
	for i := 0; i < len(s); {
		if !isAlnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		if walletShaped(s[i:j]) && (j == len(s) || s[j] < utf8.RuneSelf) && (i == 0 || s[i-1] < utf8.RuneSelf) {
			f(i, j)
		}
		i = j
	}
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func walletShaped(w string) bool {
	switch {
	case len(w) == 42 && (w[:2] == "0x" || w[:2] == "0X"):
		return allIn(w[2:], "0123456789abcdefABCDEF")
	case len(w) >= 14 && len(w) <= 74 && strings.EqualFold(w[:3], "bc1"):
		return allIn(strings.ToLower(w[3:]), "qpzry9x8gf2tvdw0s3jn54khce6mua7l")
	case len(w) >= 26 && len(w) <= 35 && (w[0] == '1' || w[0] == '3'):
		return allIn(w, base58) && hasLetterAndDigit(w)
	case len(w) == 34 && w[0] == 'T':
		return allIn(w, base58) && hasLetterAndDigit(w)
	case len(w) == 95 && (w[0] == '4' || w[0] == '8'):
		return allIn(w, base58)
	}
	return false
}

const base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

func hasLetterAndDigit(s string) bool {
	var l, d bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			d = true
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			l = true
		}
	}
	return l && d
}
