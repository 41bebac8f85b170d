package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// The demo holds a coordinated burst: the same release, link and banner
// pushed from four accounts on Telegram and X within seconds, twice. Under
// the default rules it opens a network case, and prints it; no news outlet
// or counter-speech account is in it.
func TestDemoOpensNetworkCase(t *testing.T) {
	data := t.TempDir()
	code, out, errs := run(t, "", "demo", "--no-serve", "--data", data)
	if code != 0 {
		t.Fatalf("demo: exit %d: %s %s", code, out, errs)
	}
	m := regexp.MustCompile(`demo: networks: \d+ shares, (\d+) coordinated accounts, \d+ edges, \d+ communities: (\d+) network cases opened`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" || m[2] == "0" {
		t.Fatalf("demo opened no network case:\n%s", out)
	}
	if !regexp.MustCompile(`demo: network \d+ \(case \d+, opened\): 4 accounts co-shared \d+ items .*telegram:@raya_sawda`).MatchString(out) {
		t.Errorf("demo does not print its network:\n%s", out)
	}
	s, err := store.Open(context.Background(), filepath.Join(data, "marsad.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs, total, err := s.Cases(context.Background(), store.CaseFilter{Kind: model.CaseNetwork})
	if err != nil || total < 1 {
		t.Fatalf("network cases: %d, %v", total, err)
	}
	n, err := s.Network(context.Background(), cs[0].NetworkID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"telegram:@raya_sawda", "telegram:@ansar_raya_2", "x:@ansar_raya_3", "x:@nasir_alraya"} {
		if !slices.Contains(n.Accounts, want) {
			t.Errorf("network %d lacks %s: %v", n.ID, want, n.Accounts)
		}
	}
	for _, a := range n.Accounts {
		if strings.Contains(a, "web:") || strings.Contains(a, "imam_salam") || strings.Contains(a, "survivors_voice") {
			t.Errorf("network %d holds a news or counter-speech account: %s", n.ID, a)
		}
	}
	if n.Flagged == 0 || cs[0].Platform != "telegram,x" {
		t.Errorf("network case: flagged %.2f, platform %q", n.Flagged, cs[0].Platform)
	}
	// Loading it again updates the same network.
	_, out, _ = run(t, "", "demo", "--no-serve", "--data", data)
	if !strings.Contains(out, "0 network cases opened, 1 updated") {
		t.Errorf("second demo run:\n%s", out)
	}
}
