package evidence

import (
	"errors"
	"io"
	"os"
	"path"
	"strings"

	"github.com/marsad/marsad/internal/model"
)

// BlobOpener opens a stored media file by its SHA-256, as the blob store does.
type BlobOpener interface {
	Open(sha256hex string) (*os.File, error)
}

// Media finds the locally stored copy of a post's media: in the blob store
// by its SHA-256 first, else under Dir by its path. Nothing is ever fetched
// from the URL where the media was published.
type Media struct {
	Blobs BlobOpener
	Dir   string
}

// ErrNoLocalCopy is returned for media marsad does not hold.
var ErrNoLocalCopy = errors.New("no locally stored copy")

// Open opens the local copy of m.
func (md Media) Open(m model.Media) (*os.File, error) {
	if md.Blobs != nil && m.SHA256 != "" {
		if f, err := md.Blobs.Open(m.SHA256); err == nil {
			return f, nil
		}
	}
	if md.Dir != "" && m.Path != "" {
		root, err := os.OpenRoot(md.Dir)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		// os.Root refuses paths that leave the directory, such as "../x".
		if f, err := root.Open(path.Clean(strings.TrimPrefix(m.Path, "/"))); err == nil {
			return f, nil
		}
	}
	return nil, ErrNoLocalCopy
}

// Has reports whether a local copy of m exists.
func (md Media) Has(m model.Media) bool {
	f, err := md.Open(m)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func (md Media) read(m model.Media) ([]byte, error) {
	f, err := md.Open(m)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxMediaBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxMediaBytes {
		return nil, errors.New("larger than the evidence size limit")
	}
	return data, nil
}
