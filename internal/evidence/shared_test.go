package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/mediameta"
	"github.com/marsad/marsad/mediameta/mediametatest"
)

// TestBundleHasMetadataFreeCopy: the signed bundle keeps the photo as
// received (GPS and all) for a court, and beside it a copy to share that
// has no metadata and decodes to the same pixels.
func TestBundleHasMetadataFreeCopy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		photo := mediametatest.JPEGWithGPS(t)
		sum := sha256.Sum256(photo)
		sha := hex.EncodeToString(sum[:])
		if err := os.WriteFile(filepath.Join(dir, sha), photo, 0o640); err != nil {
			t.Fatal(err)
		}
		key, err := evidence.LoadOrCreateKey(filepath.Join(dir, "data"))
		if err != nil {
			t.Fatal(err)
		}
		k := evidence.NewKeeper(s, evidence.Media{Blobs: blobs(dir)}, key)
		c := &model.Case{Priority: 9, Labels: []model.Label{model.Propaganda}}
		p := &model.Post{Platform: "telegram", SourceID: "gps", Text: "x", PostedAt: time.Now(),
			Media: []model.Media{{SHA256: sha, Path: "photo.jpg", Type: "image"}}}
		if _, _, err := s.SavePost(ctx, p, store.Analysis{Case: c}); err != nil {
			t.Fatal(err)
		}
		ev, err := k.Preserve(ctx, c.ID, "rev1")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := k.Export(ctx, ev.ID, "rev1", &b); err != nil {
			t.Fatal(err)
		}
		if _, err := evidence.Verify(bytes.NewReader(b.Bytes()), int64(b.Len()), k.PublicKey()); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		orig, shared := files["media/0-photo.jpg"], files["shared/0-photo.jpg"]
		if !bytes.Equal(orig, photo) {
			t.Fatal("the preserved original is not byte-exact")
		}
		if shared == nil {
			t.Fatalf("no shared copy in %v", zr.File)
		}
		if m, err := mediameta.Read(shared); m != nil || err != nil {
			t.Fatalf("shared copy has metadata: %+v %v", m, err)
		}
		a, err := jpeg.Decode(bytes.NewReader(orig))
		if err != nil {
			t.Fatal(err)
		}
		bimg, err := jpeg.Decode(bytes.NewReader(shared))
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < a.Bounds().Dy(); y++ {
			for x := 0; x < a.Bounds().Dx(); x++ {
				if a.At(x, y) != bimg.At(x, y) {
					t.Fatalf("pixel %d,%d differs", x, y)
				}
			}
		}
	})
}
