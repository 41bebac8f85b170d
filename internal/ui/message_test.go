package ui

import (
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
)

// Every kind of reason reads in full in each language: each placeholder
// is replaced by its value, none is left as "�" or a control character.
func TestReasonTextFillsEveryPlaceholder(t *testing.T) {
	locs, err := loadLocales(assets)
	if err != nil {
		t.Fatal(err)
	}
	reasons := []model.Reason{
		{Kind: "match", Label: model.Propaganda, Bank: "partner-a", EntryID: 7, Distance: 3, Signal: model.SignalPDQ},
		{Kind: "score", Label: model.Incitement, Score: 0.97, Threshold: 0.14},
		{Kind: "rule", Label: model.Recruitment, Score: 1},
		{Kind: "network", Score: 0.8},
		{Kind: "network", Accounts: 3, Items: 5, MedianDelay: 40, Density: 0.9, Flagged: 0.5},
	}
	for lang, loc := range locs {
		for _, r := range reasons {
			got := string(reasonText(loc, r))
			if strings.ContainsAny(got, "\ufffd\x00\x01\x02\x03\x04\x05") {
				t.Errorf("%s: %s reason reads %q", lang, r.Kind, got)
			}
			if r.Kind == "score" && !strings.Contains(got, loc.T("label.incitement")) {
				t.Errorf("%s: score reason %q does not name its label", lang, got)
			}
		}
	}
}
