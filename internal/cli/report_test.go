package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/report/reporttest"
	"github.com/marsad/marsad/internal/store"
)

// marsad report prints the same figures as the page, in each format.
func TestReportCommand(t *testing.T) {
	data := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(data, "marsad.db"))
	if err != nil {
		t.Fatal(err)
	}
	reporttest.Seed(t, st)
	st.Close()
	code, out, errs := run(t, "", "report", "--data", data, "--from", "2026-03-01", "--to", "2026-04-01")
	if code != 0 {
		t.Fatalf("report: %d %s", code, errs)
	}
	for _, want := range []string{"Transparency report", "orders sent: 9", "platform: telegram 6 · x 3", "orders removed: 3",
		"time to removal: 3 (median 30 min, 90th percentile 90 min)", "false positive rate: 40.0% (2 / 5)", "reversal rate: 50.0% (1 / 2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "", "report", "--data", data, "--from", "2026-03-01", "--to", "2026-04-01", "--format", "csv")
	if code != 0 || !strings.HasPrefix(out, "\uFEFFfigure,by,group,n,") || !strings.Contains(out, "orders_sent,platform,telegram,6,") {
		t.Errorf("CSV report: %d %.200q", code, out)
	}
	code, out, _ = run(t, "", "report", "--data", data, "--from", "2026-03-01", "--to", "2026-04-01", "--format", "json")
	var doc struct {
		Results []struct {
			Figure, By string
			Values     []struct {
				Key string
				N   int64
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || len(doc.Results) == 0 || doc.Results[0].Figure != "orders_sent" || doc.Results[0].Values[0].N != 9 {
		t.Errorf("JSON report: %d %v %.200q", code, err, out)
	}
	for _, bad := range [][]string{{"--from", "2026-04-01", "--to", "2026-03-01"}, {"--from", "March"}, {"--format", "xml"}} {
		if code, _, errs := run(t, "", append([]string{"report", "--data", data}, bad...)...); code != 2 {
			t.Errorf("report %v: exit %d, want 2 (%s)", bad, code, errs)
		}
	}
}
