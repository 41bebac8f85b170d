package classifier

import (
	"strings"

	"github.com/marsad/marsad/textnorm"
)

// Stop words carry no meaning of their own. They give the model no word or
// character n-gram features (their pairs with other words stay: "kill
// them" is a phrase, "them" is not) and are never shown as evidence. The
// lists are written in ordinary spelling and normalised when the package
// is loaded, so Arabic forms match however they were spelt.
var stopWordText = map[string]string{
	"ar": `في من على الى إلى عن مع هذا هذه ذلك تلك هؤلاء التي الذي الذين اللذين اللتين اللواتي ما ماذا لا لم لن ليس
		ان إن أن كان كانت يكون تكون كانوا قد لقد و ف ثم او أو ام بل لكن هو هي هم هن هما نحن انا أنا انت أنت انتم أنتم
		كل بعض بعد قبل عند عندما حتى اذا إذا كما بين غير يا اي أي اذ إذ حيث هنا هناك اللي الي عشان شو ايش وش مش مو
		منذ خلال ضد نحو لدى لها له لهم لنا لي لك به بها بهم فيه فيها فيهم منه منها منهم عليه عليها عليهم الا إلا
		او هل كيف متى اين أين لماذا ايضا أيضا جدا فقط مثل كذلك وهو وهي وهم وفي ومن وعلى وان وأن فى ع`,
	"en": `a an the and or but if then else of to in on at by for with from into onto about as than so too very
		is are was were be been being am do does did done have has had having will would shall should can could may might must
		i me my mine we us our ours you your yours he him his she her hers it its they them their theirs this that these those
		there here what which who whom whose when where why how all any both each few more most other some such no nor not only
		own same just also up down out over under again further once rt via amp im dont cant its it's i'm don't can't`,
	"fr": `le la les l un une des du de d et ou mais donc or ni car si que qu qui quoi dont où ce cet cette ces
		je j me m moi tu te t toi il elle on nous vous ils elles lui leur leurs se s mon ma mes ton ta tes son sa ses notre nos votre vos
		est sont était étaient être été suis es sommes êtes ai as a avons avez ont avait avaient avoir
		au aux en dans par pour sur sous avec sans chez vers entre ne pas plus très aussi bien comme y ça c cela ceci`,
	"de": `der die das den dem des ein eine einer einen einem eines und oder aber wenn dann als wie so zu im in an am auf aus
		bei mit nach von vor für über unter um durch gegen ohne bis ist sind war waren sein bin bist seid hat haben hatte hatten
		wird werden wurde wurden ich du er sie es wir ihr mich mir dich dir ihn ihm uns euch sich mein meine dein deine
		sein seine ihre unser unsere nicht kein keine auch noch schon nur sehr da dass daß was wer wo man doch ja nein`,
}

// stopWords maps each normalised stop word to its language.
var stopWords = buildStopWords()

func buildStopWords() map[string]bool {
	out := map[string]bool{}
	for _, text := range stopWordText {
		for _, w := range strings.Fields(text) {
			for _, t := range textnorm.Tokens(w) {
				out[t] = true
			}
		}
	}
	return out
}

// IsStopWord reports whether the normalised token t is a stop word.
func IsStopWord(t string) bool { return stopWords[t] }
