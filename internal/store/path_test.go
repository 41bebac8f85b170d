package store_test

import (
	"context"
	"github.com/marsad/marsad/internal/store"
	"os"
	"path/filepath"
	"testing"
)

// A data folder whose name holds URI characters must not be cut short.
func TestOpenPathWithURICharacters(t *testing.T) {
	d := filepath.Join(t.TempDir(), "a#b?c %20d")
	s, err := store.Open(context.Background(), filepath.Join(d, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(d, "m.db")); err != nil {
		t.Fatal(err)
	}
}
