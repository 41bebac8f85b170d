// Package banks holds the rules of managing banks of known signals: what a
// bank may be called, how entries are imported, added by hand and removed,
// and who is told when the entries change. The web UI, the API and the CLI
// all call it; the store only persists.
package banks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// ErrInvalid marks a request the user must correct; it is store.ErrInvalid,
// so the UI and the API map it to 400.
var ErrInvalid = store.ErrInvalid

// nameRe is what a bank may be called: it appears in URLs and file names.
var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName reports whether name can name a bank.
func ValidName(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("bank name %q: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit: %w", name, ErrInvalid)
	}
	return nil
}

// Service manages banks over a store.
type Service struct {
	st *store.Store
	// added is told of entries that are new in a bank, so that the PDQ
	// index of this process sees them at once.
	added func([]model.BankEntry)
}

// New returns a Service; added, if not nil, is told of new entries.
func New(st *store.Store, added func([]model.BankEntry)) *Service {
	return &Service{st: st, added: added}
}

// Create creates a bank with a valid, unused name.
func (s *Service) Create(ctx context.Context, b *model.Bank, actor string) error {
	b.Name = strings.TrimSpace(b.Name)
	if err := ValidName(b.Name); err != nil {
		return err
	}
	return s.st.CreateBank(ctx, b, actor)
}

// SetEnabled turns a bank's matching on or off. A disabled bank keeps its
// entries but matches nothing.
func (s *Service) SetEnabled(ctx context.Context, name string, enabled bool, actor string) (*model.Bank, error) {
	b, err := s.st.Bank(ctx, name)
	if err != nil {
		return nil, err
	}
	if b.Enabled == enabled {
		return b, nil
	}
	b.Enabled = enabled
	return b, s.st.UpdateBank(ctx, b, actor)
}

// Result says what an import or addition did. Skipped entries were in the
// bank already (or twice in the input); refused lines could not be read.
type Result struct {
	Added   int
	Skipped int
	Refused []*bank.LineError
}

// Import reads entries from CSV in any shape bank.ParseCSV reads and adds
// them to the bank. Bad lines are refused and reported, the rest go in.
func (s *Service) Import(ctx context.Context, name string, r io.Reader, opt bank.ParseOptions, actor string) (Result, error) {
	if _, err := s.st.Bank(ctx, name); err != nil {
		return Result{}, err
	}
	if opt.Label != "" && !opt.Label.Valid() {
		return Result{}, fmt.Errorf("label %q is unknown: %w", opt.Label, ErrInvalid)
	}
	entries, bad, err := bank.ParseCSV(r, opt)
	if err != nil {
		if errors.Unwrap(err) != nil {
			return Result{}, fmt.Errorf("bank %q: import: %w", name, err) // reading failed, as a body over its limit
		}
		return Result{}, fmt.Errorf("bank %q: import: %v: %w", name, err, ErrInvalid)
	}
	res, err := s.Add(ctx, name, entries, actor)
	res.Refused = bad
	return res, err
}

// Add adds entries to a bank, each checked and put in canonical form; an
// entry the bank holds already is skipped, not added again.
func (s *Service) Add(ctx context.Context, name string, entries []model.BankEntry, actor string) (Result, error) {
	for i := range entries {
		e := &entries[i]
		v, err := bank.Canonical(e.Type, e.Value)
		if err != nil {
			return Result{}, fmt.Errorf("%v: %w", err, ErrInvalid)
		}
		if e.Label != "" && !e.Label.Valid() {
			return Result{}, fmt.Errorf("label %q is unknown: %w", e.Label, ErrInvalid)
		}
		e.Value, e.ID = v, 0
	}
	added, err := s.st.AddEntries(ctx, name, entries, actor)
	if err != nil {
		return Result{}, err
	}
	if s.added != nil && added > 0 {
		s.added(entries)
	}
	return Result{Added: added, Skipped: len(entries) - added}, nil
}

// Remove takes one entry out of a bank. The PDQ index skips removed
// entries, so nothing else needs telling.
func (s *Service) Remove(ctx context.Context, name string, id int64, actor string) error {
	return s.st.RemoveEntry(ctx, name, id, actor)
}

// exportPage is how many entries Export reads at a time, so that a bank
// of millions of hashes never sits in memory.
const exportPage = 10000

// Export writes a bank's entries as CSV (format "csv": type, value, label,
// source, added_at) or one PDQ hash per line ("hashes"): the shapes
// Import and `marsad bank import` read back.
func (s *Service) Export(ctx context.Context, name, format string, w io.Writer) error {
	if format != "csv" && format != "hashes" {
		return fmt.Errorf("unknown format %q (want csv or hashes; vpdq exports go to a folder): %w", format, ErrInvalid)
	}
	if _, err := s.st.Bank(ctx, name); err != nil {
		return err
	}
	var after int64
	for first := true; ; first = false {
		es, err := s.st.Entries(ctx, store.EntryFilter{Bank: name, AfterID: after, Limit: exportPage})
		if err != nil {
			return err
		}
		switch {
		case format == "hashes":
			err = bank.WriteHashes(w, es)
		case first:
			err = bank.WriteCSV(w, es)
		default:
			err = bank.WriteCSVRows(w, es)
		}
		if err != nil {
			return fmt.Errorf("bank %q: export: %w", name, err)
		}
		if len(es) < exportPage {
			return nil
		}
		after = es[len(es)-1].ID
	}
}
