package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// TestSourceListSkipped: source list shows the items a source skipped,
// with the count of each reason.
func TestSourceListSkipped(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(data, "marsad.db"))
	if err != nil {
		t.Fatal(err)
	}
	src := &model.Source{Kind: "feed", Name: "tessalit", Config: []byte(`{"url":"https://commune.example.ml/rss.xml"}`), Interval: time.Hour}
	if err := s.AddSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := s.SourceDone(ctx, src.ID, "", 4, "", map[string]int{"duplicate": 2, "empty": 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errs := run(t, "", "source", "list", "--data", data)
	if code != 0 || !strings.Contains(out, "SKIPPED") || !strings.Contains(out, "3 (duplicate 2, empty 1)") {
		t.Errorf("source list: exit %d\n%s%s", code, out, errs)
	}
}
