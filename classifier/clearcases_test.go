package classifier_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/textnorm"
)

// clearCases are plain examples of each harmful label in Arabic, English
// and French, written for this test (no training set holds them). The
// default model must flag each with its label at the default thresholds.
var clearCases = []struct {
	lang  string
	label classifier.Label
	text  string
}{
	{"en", classifier.Incitement, "Rise up, brothers, and slaughter the unbelievers wherever you find them, with knives or with cars."},
	{"en", classifier.Incitement, "Kill the crusaders in their streets, burn their homes, show them no mercy."},
	{"en", classifier.Recruitment, "Brothers, make hijrah to the land of the Khilafah and join the ranks of the mujahideen, message me privately for the route."},
	{"en", classifier.Financing, "Send bitcoin to equip a mujahid, whoever equips a fighter has fought himself, donate to the brothers on the front."},
	{"en", classifier.Propaganda, "The Khilafah is remaining and expanding, glory to the soldiers of the Islamic State and their blessed operations."},
	{"en", classifier.AttackPlanning, "The target is the checkpoint near the market on Friday after prayer, bring the material and wait for my signal."},
	{"ar", classifier.Incitement, "انهضوا يا أسود التوحيد واذبحوا الكفار أينما وجدتموهم ولا ترحموا منهم أحدا"},
	{"ar", classifier.Recruitment, "هاجروا إلى أرض الخلافة والتحقوا بصفوف المجاهدين، راسلوني على الخاص لترتيب الطريق"},
	{"ar", classifier.Financing, "من جهز غازيا فقد غزا، تبرعوا للمجاهدين في الثغور عبر محفظة البيتكوين"},
	{"ar", classifier.Propaganda, "تقبل الله أخانا الاستشهادي البطل الذي فجر نفسه في جموع الروافض، نحسبه شهيدا عند ربه"},
	{"ar", classifier.AttackPlanning, "الهدف هو الحاجز عند تبديل الحراسة فجر الجمعة، جهزوا العبوات وانتظروا إشارتي"},
	{"fr", classifier.Incitement, "Levez-vous et égorgez les mécréants où que vous les trouviez, tuez-les sans pitié."},
	{"fr", classifier.Recruitment, "Rejoignez les rangs des moudjahidines en terre du califat, écris-moi en privé pour le voyage."},
	{"fr", classifier.Financing, "Faites un don pour équiper les moudjahidines, envoyez vos dons en cryptomonnaie pour les frères au front."},
	{"fr", classifier.Propaganda, "Gloire aux soldats de l'État islamique, que Dieu accepte notre frère martyr de l'opération bénie."},
	{"fr", classifier.AttackPlanning, "La cible c'est la gare samedi soir, prends le matériel et attends mon signal pour frapper."},
}

// protectiveCases report on or argue against the same acts, in the same
// vocabulary; none may be flagged.
var protectiveCases = []struct{ lang, text string }{
	{"en", "ISIS claimed responsibility for the bombing of the checkpoint on Friday, police said, and 12 people were killed."},
	{"en", "Prosecutors said the men had sent bitcoin to a fighter in Syria and tried to recruit teenagers online."},
	{"en", "Their so-called caliphate brought nothing but graves and orphans; do not share their videos and report their accounts."},
	{"ar", "أعلن تنظيم داعش مسؤوليته عن التفجير الذي استهدف الحاجز، بحسب ما أفادت وكالة الأنباء، وأسفر عن مقتل 12 شخصا."},
	{"ar", "قالت النيابة العامة إن المتهمين جمعوا تبرعات لصالح التنظيم الإرهابي وحاولوا تجنيد شباب عبر الإنترنت."},
	{"ar", "يسمي داعش القتل جهادا، وليس في قتل الأبرياء أي جهاد، ولا تنشروا مقاطعهم وأبلغوا عن حساباتهم."},
	{"fr", "Selon le parquet, l'assaillant avait prêté allégeance à l'État islamique avant l'attaque de la gare."},
	{"fr", "Ne donnez jamais d'argent à ceux qui collectent pour les moudjahidines : c'est financer des assassins."},
}

func TestClearCasesFlagged(t *testing.T) {
	m, err := classifier.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clearCases {
		r := m.Classify(c.text)
		if !slices.Contains(r.Flagged(), c.label) {
			s := r.Get(c.label)
			t.Errorf("%s %s not flagged (score %.2f, threshold %.2f, flagged %v): %q", c.lang, c.label, s.Score, s.Threshold, r.Flagged(), c.text)
		}
	}
}

func TestNewsAndCounterSpeechNotFlagged(t *testing.T) {
	m, err := classifier.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range protectiveCases {
		if r := m.Classify(c.text); len(r.Flagged()) > 0 {
			t.Errorf("%s flagged %v: %q", c.lang, r.Flagged(), c.text)
		}
	}
}

// TestEvidenceHasNoStopWords fails when a word shown to a reviewer as
// evidence, alone or in a word pair, is a stop word ("the", "on", "them",
// في, les, ...), and when evidence is not made of whole tokens of the
// text.
func TestEvidenceHasNoStopWords(t *testing.T) {
	m, err := classifier.Default()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"Kill them on the roads, they are the enemies of the religion, and the soldiers of the state will come to them.",
		"They said that the attack on the market was the work of the group, and that the police were there on time.",
	}
	for _, c := range clearCases {
		texts = append(texts, c.text)
	}
	for _, c := range protectiveCases {
		texts = append(texts, c.text)
	}
	for _, text := range texts {
		toks := textnorm.Tokens(text)
		norm := " " + strings.Join(toks, " ") + " "
		r := m.Classify(text)
		for _, s := range r.Scores {
			for _, e := range s.Evidence {
				if strings.HasPrefix(e.Kind, "rule:") {
					continue
				}
				for _, w := range strings.Fields(e.Feature) {
					if classifier.IsStopWord(w) {
						t.Errorf("%s evidence %q has the stop word %q (text %q)", s.Label, e.Feature, w, text)
					}
				}
				if !strings.Contains(norm, " "+e.Feature+" ") {
					t.Errorf("%s evidence %q is not whole tokens of %q", s.Label, e.Feature, norm)
				}
			}
		}
	}
}

func TestStopWords(t *testing.T) {
	for _, w := range []string{"the", "on", "them", "في", "على", "les", "und"} {
		if !classifier.IsStopWord(textnorm.Normalize(w)) {
			t.Errorf("%q is not a stop word", w)
		}
	}
	for _, w := range []string{"kill", "khilafah", "اقتلوا", "الخلافة", "tuez", "bitcoin"} {
		if classifier.IsStopWord(textnorm.Normalize(w)) {
			t.Errorf("%q is a stop word", w)
		}
	}
}
