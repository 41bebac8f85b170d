package wallet

import (
	"reflect"
	"testing"
)

// naiveFind is Find without the skipping scan: it tries every maximal run
// of letters and digits. Find must agree with it.
func naiveFind(text string) []Address {
	var out []Address
	for i := 0; i < len(text); {
		if !alnum(text[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && alnum(text[j]) {
			j++
		}
		if a, err := Parse(text[i:j]); err == nil && !seen(out, a) {
			out = append(out, a)
		}
		i = j
	}
	return out
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"تبرعوا 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa و TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
		"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
		"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0 ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea",
		"1111111111111111111111111111111111 zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		found := Find(text)
		if want := naiveFind(text); !reflect.DeepEqual(found, want) {
			t.Fatalf("Find(%q) = %v, but trying every run gives %v", text, found, want)
		}
		for _, a := range found {
			if err := Validate(a.Chain, a.Value); err != nil {
				t.Fatalf("Find reported %v, which does not validate: %v", a, err)
			}
			got := Find(a.Value)
			if len(got) != 1 || got[0] != a {
				t.Fatalf("Find(%q) = %v, want [%v]", a.Value, got, a)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "bc1sw50qgdz25j", "4", "0x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			_ = err.Error()
			return
		}
		if b, err := Parse(a.Value); err != nil || b != a {
			t.Fatalf("Parse(%q) = %v but Parse(%q) = %v, %v", s, a, a.Value, b, err)
		}
	})
}
