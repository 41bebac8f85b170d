// Package blob keeps media files by content: each file is stored once under
// its SHA-256, so evidence survives the original being deleted or changed.
package blob

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrTooLarge is returned for a file over the store's size limit.
var ErrTooLarge = errors.New("too large")

// Store is a directory of content-addressed files.
type Store struct {
	dir      string
	maxBytes int64
}

// New returns a store rooted at dir that refuses files over maxBytes.
func New(dir string, maxBytes int64) *Store { return &Store{dir: dir, maxBytes: maxBytes} }

// Sums are the digests of a stored file.
type Sums struct {
	SHA256 string
	MD5    string
	Size   int64
}

// Digest returns the digests of data without storing it.
func Digest(data []byte) Sums {
	sh, m5 := sha256.Sum256(data), md5.Sum(data)
	return Sums{SHA256: hex.EncodeToString(sh[:]), MD5: hex.EncodeToString(m5[:]), Size: int64(len(data))}
}

// Put copies r into the store and returns its digests. Storing the same
// content twice keeps one copy.
func (s *Store) Put(r io.Reader) (Sums, error) {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return Sums{}, fmt.Errorf("blob store: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".incoming-*")
	if err != nil {
		return Sums{}, fmt.Errorf("blob store: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	sh, m5 := sha256.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(tmp, sh, m5), io.LimitReader(r, s.maxBytes+1))
	if err != nil {
		return Sums{}, fmt.Errorf("blob store: read: %w", err)
	}
	if n > s.maxBytes {
		return Sums{}, fmt.Errorf("media over %d bytes: %w", s.maxBytes, ErrTooLarge)
	}
	sums := Sums{SHA256: hex.EncodeToString(sh.Sum(nil)), MD5: hex.EncodeToString(m5.Sum(nil)), Size: n}
	dst := s.Path(sums.SHA256)
	if _, err := os.Stat(dst); err == nil {
		return sums, nil
	}
	if err := tmp.Close(); err != nil {
		return Sums{}, fmt.Errorf("blob store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Sums{}, fmt.Errorf("blob store: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Sums{}, fmt.Errorf("blob store: %w", err)
	}
	return sums, nil
}

// Path is where the file with the given SHA-256 is kept.
func (s *Store) Path(sha256hex string) string {
	if len(sha256hex) < 2 {
		return filepath.Join(s.dir, "_", sha256hex)
	}
	return filepath.Join(s.dir, sha256hex[:2], sha256hex)
}

// Open opens a stored file by its SHA-256.
func (s *Store) Open(sha256hex string) (*os.File, error) {
	if !isHex64(sha256hex) {
		return nil, fmt.Errorf("blob %q: not a SHA-256: %w", sha256hex, os.ErrNotExist)
	}
	return os.Open(s.Path(sha256hex))
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
