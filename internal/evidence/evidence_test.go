package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// blobs is a content-addressed directory like the product's blob store.
type blobs string

func (b blobs) Open(sha string) (*os.File, error) { return os.Open(filepath.Join(string(b), sha)) }

func setup(t *testing.T, s *store.Store) (*evidence.Keeper, int64, []byte) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	img := []byte("\x89PNG\r\n\x1a\n not really an image, but bytes to keep")
	sum := sha256.Sum256(img)
	sha := hex.EncodeToString(sum[:])
	if err := os.WriteFile(filepath.Join(dir, sha), img, 0o640); err != nil {
		t.Fatal(err)
	}
	key, err := evidence.LoadOrCreateKey(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	k := evidence.NewKeeper(s, evidence.Media{Blobs: blobs(dir)}, key)
	c := &model.Case{Priority: 9, Labels: []model.Label{model.Propaganda}}
	p := &model.Post{Platform: "telegram", SourceID: "42", URL: "https://t.me/c/42", Text: "نص المنشور", PostedAt: time.Now(),
		Media: []model.Media{{SHA256: sha, Path: "a/b/flag.png"}, {URL: "https://elsewhere.example/x.jpg"}, {SHA256: strings.Repeat("0", 64)}}}
	if _, _, err := s.SavePost(ctx, p, store.Analysis{Case: c, Signals: []model.Signal{{Type: model.SignalSHA256, Value: sha}}}); err != nil {
		t.Fatal(err)
	}
	return k, c.ID, img
}

func TestPreserveExportVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		k, caseID, img := setup(t, s)
		ev, err := k.Preserve(ctx, caseID, "rev1")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := k.Export(ctx, ev.ID, "rev1", &b); err != nil {
			t.Fatal(err)
		}
		m, err := evidence.Verify(bytes.NewReader(b.Bytes()), int64(b.Len()), k.PublicKey())
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if m.CaseID != caseID || m.Platform != "telegram" || m.SourceID != "42" || m.CapturedBy != "rev1" || len(m.Files) != 2 {
			t.Fatalf("manifest = %+v", m)
		}
		zr, _ := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
		var gotImg, post []byte
		for _, f := range zr.File {
			r, _ := f.Open()
			var buf bytes.Buffer
			buf.ReadFrom(r)
			r.Close()
			switch {
			case f.Name == "media/0-flag.png":
				gotImg = buf.Bytes()
			case f.Name == "post.json":
				post = buf.Bytes()
			}
		}
		if !bytes.Equal(gotImg, img) {
			t.Error("the preserved image differs from the stored one")
		}
		if !bytes.Contains(post, []byte("نص المنشور")) || !bytes.Contains(post, []byte("media_errors")) || !bytes.Contains(post, []byte("elsewhere.example")) {
			t.Errorf("post.json lacks the text, the missing media or the outside URL:\n%s", post)
		}
		// Purge after the retention period; the export then refuses.
		time.Sleep(2 * time.Millisecond)
		if n, err := k.Purge(ctx, time.Millisecond, "amina"); err != nil || n != 1 {
			t.Fatalf("Purge = %d, %v", n, err)
		}
		if err := k.Export(ctx, ev.ID, "rev1", &b); !errors.Is(err, evidence.ErrPurged) {
			t.Fatalf("export after purge: %v, want ErrPurged", err)
		}
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	k, caseID, _ := setup(t, s)
	ev, _ := k.Preserve(ctx, caseID, "rev1")
	var good bytes.Buffer
	k.Export(ctx, ev.ID, "rev1", &good)
	entries := readZip(t, good.Bytes())
	other, _ := evidence.LoadOrCreateKey(t.TempDir())
	for _, tc := range []struct {
		name string
		edit func(map[string][]byte)
		want string
	}{
		{"edited post", func(m map[string][]byte) { m["post.json"] = []byte(`{}`) }, "post.json"},
		{"edited manifest", func(m map[string][]byte) {
			m["manifest.json"] = bytes.Replace(m["manifest.json"], []byte(`"rev1"`), []byte(`"rev2"`), 1)
		}, "signature does not match"},
		{"extra file", func(m map[string][]byte) { m["media/9-x.png"] = []byte("x") }, "not in the manifest"},
		{"missing file", func(m map[string][]byte) { delete(m, "media/0-flag.png") }, "missing"},
		{"missing signature", func(m map[string][]byte) { delete(m, "manifest.sig") }, "manifest.sig is missing"},
		{"bad signature", func(m map[string][]byte) { m["manifest.sig"] = []byte("AAAA") }, "not a base64 Ed25519 signature"},
	} {
		m := map[string][]byte{}
		for k, v := range entries {
			m[k] = v
		}
		tc.edit(m)
		z := writeZip(t, m)
		if _, err := evidence.Verify(bytes.NewReader(z), int64(len(z)), k.PublicKey()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := evidence.Verify(bytes.NewReader(good.Bytes()), int64(good.Len()), other.Public().(ed25519.PublicKey)); err == nil {
		t.Error("bundle verified against a key that did not sign it")
	}
	if _, err := evidence.Verify(strings.NewReader("not a zip"), 9, k.PublicKey()); err == nil || !strings.Contains(err.Error(), "not a zip") {
		t.Errorf("garbage: %v", err)
	}
}

func readZip(t *testing.T, b []byte) map[string][]byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, _ := f.Open()
		var buf bytes.Buffer
		buf.ReadFrom(r)
		r.Close()
		out[f.Name] = buf.Bytes()
	}
	return out
}

func writeZip(t testing.TB, m map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range m {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	return b.Bytes()
}

// FuzzVerify feeds arbitrary archives to Verify: it must return an error or
// a manifest, never panic or accept a bundle without a valid signature.
func FuzzVerify(f *testing.F) {
	f.Add(writeZip(f, map[string][]byte{"manifest.json": []byte(`{"format":"marsad-evidence/1","public_key":"00","files":[]}`), "manifest.sig": []byte("AA==")}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := evidence.Verify(bytes.NewReader(b), int64(len(b)), make(ed25519.PublicKey, ed25519.PublicKeySize)); err == nil && m == nil {
			t.Fatal("nil manifest without an error")
		}
	})
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	k1, err := evidence.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := evidence.LoadOrCreateKey(dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("the key was not kept between loads")
	}
	fi, _ := os.Stat(filepath.Join(dir, evidence.KeyFile))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	pub, err := evidence.ReadPublicKey(filepath.Join(dir, evidence.PublicKeyFile))
	if err != nil || !bytes.Equal(pub, k1.Public().(ed25519.PublicKey)) {
		t.Fatalf("public key file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.pub"), []byte("nope"), 0o644)
	if _, err := evidence.ReadPublicKey(filepath.Join(dir, "bad.pub")); err == nil {
		t.Error("a non-PEM public key was read")
	}
}
