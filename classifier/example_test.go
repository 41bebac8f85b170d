package classifier_test

import (
	"fmt"

	"github.com/marsad/marsad/classifier"
)

func ExampleModel_Classify() {
	m, err := classifier.Default()
	if err != nil {
		panic(err)
	}
	for _, text := range []string{
		"Send bitcoin to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 to equip the mujahideen.",
		"Police said the attacker had pledged allegiance to the Islamic State in a video.",
	} {
		r := m.Classify(text)
		fmt.Println(r.Lang, r.Flagged())
		if f := r.Get(classifier.Financing); f.Over() {
			fmt.Println(f.Evidence[0].Kind, f.Evidence[0].Feature)
		}
	}
	// Output:
	// en [financing]
	// rule:channel bitcoin
	// en []
}
