package classifier

// KeywordBaseline is the trivial baseline every evaluation reports beside
// the model: a label is predicted when one of its keywords occurs. It shows
// what the model adds over a word list, above all on the hard negatives,
// which quote the same words.
type KeywordBaseline struct {
	phrases *phraseSet
	norm    extractor
}

// baselineKeywords are the keywords per label in Arabic, English, French
// and German, written in ordinary spelling and normalised at load.
var baselineKeywords = map[Label][]string{
	Incitement: {
		"اقتلوا", "اقتل", "اذبحوا", "اذبح", "فجروا", "اضربوا", "اقتلوهم",
		"kill", "kill them", "slaughter", "behead", "attack them", "burn them",
		"tuez", "tuez-les", "égorgez", "attaquez", "brûlez",
		"tötet", "umbringen", "erschießen", "aufhängen", "vergasen", "abknallen",
	},
	Recruitment: {
		"انضموا", "انضم", "الهجرة", "هاجروا", "انفروا", "التحقوا",
		"join us", "join the", "hijrah", "make hijrah", "migrate", "recruit",
		"rejoignez", "rejoindre", "hijra", "recrutement",
		"anschließen", "mitmachen", "macht mit",
	},
	Financing: {
		"تبرع", "تبرعوا", "بيتكوين", "تجهيز غازي",
		"donate", "donations", "bitcoin", "fund", "fundraising",
		"faites un don", "cagnotte", "dons",
		"spenden", "spende", "spendet",
	},
	Propaganda: {
		"الخلافة", "الدولة الإسلامية", "المجاهدين", "الشهيد", "الصليبيين", "المرتدين", "باقية", "دولة الخلافة",
		"caliphate", "islamic state", "mujahideen", "martyr", "crusaders", "apostates", "khilafah", "kuffar",
		"califat", "moudjahidines", "croisés", "apostats",
		"heil", "reich", "widerstand", "volksverräter",
	},
	AttackPlanning: {
		"الهدف", "متفجرات", "عبوة", "حزام ناسف", "سلاح", "العملية",
		"target", "explosives", "bomb", "the plan", "weapons", "detonate",
		"cible", "explosifs", "bombe", "armes",
		"sprengstoff", "bombe", "anschlag", "waffen",
	},
	NewsReporting: {
		"أفادت", "قال", "وكالة", "مصادر", "الشرطة", "أعلنت", "مراسل",
		"reported", "said", "according", "police", "officials", "reuters", "journalist",
		"selon", "a déclaré", "police", "rapporte", "journaliste",
		"laut", "berichtet", "polizei", "meldet",
	},
	CounterSpeech: {
		"ندين", "الإرهاب", "إرهابي", "ضحايا", "لا يمثل", "نرفض",
		"condemn", "terrorism", "terrorists", "not islam", "victims", "reject",
		"condamnons", "terrorisme", "victimes", "rejetons",
		"verurteilen", "terror", "opfer",
	},
}

// NewKeywordBaseline builds the baseline. It is not safe for concurrent use.
func NewKeywordBaseline() *KeywordBaseline {
	ps := newPhraseSet()
	for li, l := range Labels {
		for _, k := range baselineKeywords[l] {
			ps.add(k, uint8(li))
		}
	}
	return &KeywordBaseline{phrases: ps}
}

// Scores returns 1 for each label with a keyword in text and 0 for the
// others; None is 1 when no other label is.
func (b *KeywordBaseline) Scores(text string) [NumLabels]float64 {
	toks := b.norm.norm.Tokenize(text)
	var s [NumLabels]float64
	b.phrases.match(b.norm.norm.Bytes(), toks, func(p int, _, _ int32) {
		s[b.phrases.tag[p]] = 1
	})
	any := false
	for li, l := range Labels {
		if l != None && s[li] == 1 {
			any = true
		}
	}
	if !any {
		s[None.Index()] = 1
	}
	return s
}
