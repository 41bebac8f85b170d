package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBankExportGuardsFormulas: `marsad bank export` writes a source a
// spreadsheet would run as a formula quoted, after a byte order mark,
// and `marsad bank import` reads the file back to the same entry; on
// each store.
func TestBankExportGuardsFormulas(t *testing.T) {
	for name, db := range backends(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			flags := append([]string{"--data", data}, db...)
			if code, _, errs := run(t, "", append(append([]string{"bank", "create"}, flags...), "evil")...); code != 0 {
				t.Fatal(errs)
			}
			evil := "=cmd|'/c calc'!A1"
			in := "type,value,label,source\nurl,https://example.org/x,propaganda,\"" + evil + "\"\n"
			if code, out, errs := run(t, in, append(append([]string{"bank", "import"}, flags...), "evil", "-")...); code != 0 || !strings.Contains(out, "1 added") {
				t.Fatalf("import: %d %s %s", code, out, errs)
			}
			file := filepath.Join(data, "evil.csv")
			if code, _, errs := run(t, "", append(append([]string{"bank", "export"}, flags...), "evil", file)...); code != 0 {
				t.Fatalf("export: %d %s", code, errs)
			}
			raw, _ := os.ReadFile(file)
			if !strings.HasPrefix(string(raw), "\ufeff") || !strings.Contains(string(raw), ",'"+evil+",") {
				t.Fatalf("export does not guard the formula:\n%q", raw)
			}
			if code, _, errs := run(t, "", append(append([]string{"bank", "create"}, flags...), "again")...); code != 0 {
				t.Fatal(errs)
			}
			if code, out, errs := run(t, "", append(append([]string{"bank", "import"}, flags...), "again", file)...); code != 0 || !strings.Contains(out, "1 added") {
				t.Fatalf("re-import: %d %s %s", code, out, errs)
			}
			code, out, _ := run(t, "", append(append([]string{"bank", "export"}, flags...), "again")...)
			if code != 0 || !strings.Contains(out, ",'"+evil+",") || strings.Contains(out, "''") {
				t.Fatalf("re-export: %d %q", code, out)
			}
		})
	}
}
