package langid_test

import (
	"fmt"

	"github.com/marsad/marsad/langid"
)

func ExampleModel_Identify() {
	m, err := langid.Default()
	if err != nil {
		panic(err)
	}
	for _, s := range []string{"عاجل: انفجار في السوق", "Breaking: explosion at the market", "Explosion au marché ce matin", "Explosion auf dem Markt", "🔥🔥"} {
		fmt.Println(m.Identify(s))
	}
	// Output:
	// ar
	// en
	// fr
	// de
	// und
}
