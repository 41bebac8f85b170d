package bank

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/vpdq"
)

// CanonicalVPDQ checks a vPDQ hash (ThreatExchange's file format or
// python-threatexchange's signal string) and returns the form marsad
// stores, ThreatExchange's file format, and its SHA-256, the entry's value.
func CanonicalVPDQ(features string) (digest, canonical string, err error) {
	fs, err := vpdq.Unmarshal([]byte(features))
	if err != nil {
		return "", "", fmt.Errorf("vpdq: %w", err)
	}
	canonical = string(vpdq.Marshal(fs))
	sum := sha256.Sum256([]byte(canonical))
	return hex.EncodeToString(sum[:]), canonical, nil
}

// VPDQEntry returns the bank entry of a video's vPDQ hash.
func VPDQEntry(fs []vpdq.Feature, label model.Label, source string) model.BankEntry {
	text := string(vpdq.Marshal(fs))
	sum := sha256.Sum256([]byte(text))
	return model.BankEntry{Type: model.SignalVPDQ, Value: hex.EncodeToString(sum[:]), Features: text, Label: label, Source: source}
}

// ParseVPDQ reads vPDQ hashes in ThreatExchange's format for a bank: a
// single hash file (one video), or a folder of them (one video a file, as
// ThreatExchange's tools write them: vpdq-hash-video -d DIR). Each entry's
// source is the file's name unless source is given. A bad file is reported
// by name, line and field, and no entry is returned for it.
func ParseVPDQ(path string, label model.Label, source string) ([]model.BankEntry, []error, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	files := []string{path}
	if fi.IsDir() {
		files, err = filepath.Glob(filepath.Join(path, "*.txt"))
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, nil, fmt.Errorf("%s: no .txt vPDQ hash files in the folder", path)
		}
	}
	var out []model.BankEntry
	var bad []error
	for _, f := range files {
		e, err := readVPDQFile(f, label, source)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		out = append(out, e)
	}
	return out, bad, nil
}

func readVPDQFile(name string, label model.Label, source string) (model.BankEntry, error) {
	f, err := os.Open(name)
	if err != nil {
		return model.BankEntry{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return model.BankEntry{}, fmt.Errorf("%s: %w", name, err)
	}
	fs, err := vpdq.Unmarshal(b)
	if err != nil {
		return model.BankEntry{}, fmt.Errorf("%s: %w", name, err)
	}
	if source == "" {
		source = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	return VPDQEntry(fs, label, source), nil
}

// LooksLikeVPDQ reports whether the start of a file is a vPDQ hash file:
// its first non-blank line parses as a vPDQ frame line.
func LooksLikeVPDQ(head []byte) bool {
	for _, line := range strings.Split(string(head), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line == "" {
			continue
		}
		_, err := vpdq.ParseLine(line)
		return err == nil
	}
	return false
}
