package classifier

import (
	"testing"

	"github.com/marsad/marsad/textnorm"
)

func TestFinancingRules(t *testing.T) {
	r := newFinancingRules()
	tests := []struct {
		name, text string
		want       float64
	}{
		{"wallet and appeal", "Donate now: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", ruleScoreWalletAppeal},
		{"eth wallet and cause", "للمجاهدين 0x52908400098527886E0F7030069857D2E4169EE7", ruleScoreWalletAppeal},
		{"fundraising formula", "من جهّز غازياً فقد غزا", ruleScorePattern},
		{"appeal for the cause", "Please donate to the mujahideen this Ramadan", ruleScoreAppealContext},
		{"arabic clitics", "تبرعوا وللمجاهدين", ruleScoreAppealContext},
		{"french appeal", "Faites un don pour les moudjahidines", ruleScoreAppealContext},
		{"channel for the cause", "bitcoin for the khilafah", ruleScoreChannelCause},
		{"ordinary charity", "Please donate to the food bank via PayPal", ruleScoreAppealChannel},
		{"wallet alone", "my address 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", ruleScoreWallet},
		{"nothing", "lovely weather today", 0},
		{"news about jihad", "The jihad debate continues in parliament", 0},
	}
	var n textnorm.Normalizer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks := n.Tokenize(tt.text)
			got, hits := r.score(tt.text, n.Bytes(), toks, nil)
			if got != tt.want {
				t.Errorf("score = %v, want %v (hits %+v)", got, tt.want, hits)
			}
			if tt.want > 0 && len(hits) == 0 {
				t.Error("a score without hits explains nothing")
			}
		})
	}
}

func TestFindWallets(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.", []string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}},
		{"1BoatSLRHtKNngkdXEeobR76b53LETtpyT and 0x52908400098527886E0F7030069857D2E4169EE7",
			[]string{"1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "0x52908400098527886E0F7030069857D2E4169EE7"}},
		{"TQ4nV8kD2mR6sX9pL3wF7hJ5cB1yG8tZ4a", []string{"TQ4nV8kD2mR6sX9pL3wF7hJ5cB1yG8tZ4a"}},
		{"0x1234 is too short, 1111111111111111111111111111 has no letters", nil},
		{"bc1 with O0Il chars bc1qO0Il0000000000000000000000", nil},
		{"phone 0123456789 and https://t.co/abcdef", nil},
	}
	for _, tt := range tests {
		var got []string
		findWallets(tt.text, func(s, e int) { got = append(got, tt.text[s:e]) })
		if len(got) != len(tt.want) {
			t.Errorf("%q: found %q, want %q", tt.text, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: found %q, want %q", tt.text, got, tt.want)
			}
		}
	}
}

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"والمجاهدين", "مجاهدين"},
		{"للمجاهدين", "مجاهدين"},
		{"بالمال", "مال"},
		{"فالجهاد", "جهاد"},
		{"ولد", "ولد"}, // too short to strip
		{"donate", "donate"},
	}
	for _, tt := range tests {
		if got := string(stem([]byte(tt.in))); got != tt.want {
			t.Errorf("stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
