package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// isVPDQ reports whether path is a vPDQ hash file, or a folder holding one.
func isVPDQ(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	if fi.IsDir() {
		files, _ := filepath.Glob(filepath.Join(path, "*.txt"))
		return len(files) > 0 && isVPDQ(files[0])
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return bank.LooksLikeVPDQ(head[:n])
}

// importVPDQ adds one entry per vPDQ hash file. Bad files are reported by
// name, line and field; the good ones are added.
func importVPDQ(ctx context.Context, e env, s *store.Store, name, path string, label model.Label, source string) error {
	entries, bad, err := bank.ParseVPDQ(path, label, source)
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintf(e.stderr, "%v\n", b)
	}
	added, err := s.AddEntries(ctx, name, entries, "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "bank %q: %d videos added, %d already present, %d files refused\n", name, added, len(entries)-added, len(bad))
	if len(bad) > 0 {
		return fmt.Errorf("%d files refused", len(bad))
	}
	return nil
}

// exportVPDQ writes each vPDQ entry of a bank to DIR/ID.txt in
// ThreatExchange's file format.
func exportVPDQ(ctx context.Context, e env, s *store.Store, name, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var after int64
	n := 0
	for {
		es, err := s.Entries(ctx, store.EntryFilter{Bank: name, Type: model.SignalVPDQ, AfterID: after, Limit: 1000})
		if err != nil {
			return err
		}
		for _, en := range es {
			if err := os.WriteFile(filepath.Join(dir, strconv.FormatInt(en.ID, 10)+".txt"), []byte(en.Features), 0o644); err != nil {
				return err
			}
			n++
		}
		if len(es) < 1000 {
			break
		}
		after = es[len(es)-1].ID
	}
	fmt.Fprintf(e.stdout, "bank %q: %d videos written to %s\n", name, n, dir)
	return nil
}
