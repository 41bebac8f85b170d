package textnorm_test

import (
	"fmt"

	"github.com/marsad/marsad/textnorm"
)

func ExampleNormalize() {
	fmt.Println(textnorm.Normalize("عـــاجل: أُعلِنَت الدَّولة ٣ مرات #ولاية_دمشق @user https://t.co/x 🔥🔥"))
	// Output: عاجل اعلنت الدوله 3 مرات ولايه دمشق <user> <url> 🔥
}

func ExampleTokens() {
	fmt.Printf("%q\n", textnorm.Tokens("#StopTheHate: Déjà vu!"))
	// Output: ["stop" "the" "hate" "deja" "vu"]
}
