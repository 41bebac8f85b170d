package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// TestEvidenceVerifyNeedsIssuerKey replays the attack: a bundle is
// rewritten and re-signed with a key the forger made (after reading the
// unit's key, or not). verify must refuse to run without the issuer's key,
// and with it must call the forgery what it is.
func TestEvidenceVerifyNeedsIssuerKey(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(data, "marsad.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := &model.Case{Priority: 1, Labels: []model.Label{model.Propaganda}}
	if _, _, err := s.SavePost(ctx, &model.Post{Platform: "x", SourceID: "1", Text: "t", PostedAt: time.Now()}, store.Analysis{Case: c}); err != nil {
		t.Fatal(err)
	}
	// An older data folder kept the key at its top: it is moved.
	if _, err := evidence.LoadOrCreateKey(data); err != nil {
		t.Fatal(err)
	}
	s.Close()
	bundle := filepath.Join(t.TempDir(), "b.zip")
	code, _, errs := run(t, "", "evidence", "export", "--data", data, "-o", bundle, "1")
	if code != 1 || !strings.Contains(errs, "moved the evidence signing key") {
		// Evidence 1 does not exist yet: the export fails, the key moves.
		t.Fatalf("first export: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(data, evidence.KeyFile)); err == nil {
		t.Fatal("the key is still at the top of the data folder")
	}
	s, _ = store.Open(ctx, filepath.Join(data, "marsad.db"))
	key, err := evidence.LoadOrCreateKey(filepath.Join(data, evidence.KeyDir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.NewKeeper(s, evidence.Media{}, key).Preserve(ctx, c.ID, "rev1"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, _, errs := run(t, "", "evidence", "export", "--data", data, "-o", bundle, "1"); code != 0 {
		t.Fatalf("export: %d %s", code, errs)
	}
	pub := filepath.Join(data, evidence.KeyDir, evidence.PublicKeyFile)
	fp := evidence.Fingerprint(key.Public().(ed25519.PublicKey))

	// Forge: a new key pair, the manifest edited and naming the new key.
	fpub, fpriv, _ := ed25519.GenerateKey(nil)
	m := readBundle(t, bundle)
	issuerHex := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	man := strings.Replace(string(m["manifest.json"]), `"rev1"`, `"someone-else"`, 1)
	man = strings.Replace(man, issuerHex, hex.EncodeToString(fpub), 1)
	forged := filepath.Join(t.TempDir(), "forged.zip")
	writeBundle(t, forged, m, map[string][]byte{
		"manifest.json": []byte(man),
		"manifest.sig":  []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(fpriv, []byte(man))) + "\n"),
	})
	forgerPub := filepath.Join(t.TempDir(), "forger.pub")
	der, _ := x509.MarshalPKIXPublicKey(fpub)
	os.WriteFile(forgerPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"genuine, key", []string{"--key", pub, bundle}, 0, "intact"},
		{"genuine, fingerprint", []string{"--fingerprint", fp, bundle}, 0, "intact"},
		{"genuine, short fingerprint", []string{"--fingerprint", fp[:10], bundle}, 1, "32 hex digits"},
		{"genuine, no key", []string{bundle}, 2, "--key"},
		{"forged, issuer key", []string{"--key", pub, forged}, 1, "not the trusted key"},
		{"forged, issuer fingerprint", []string{"--fingerprint", fp, forged}, 1, "not by the key with fingerprint"},
		{"forged, no key", []string{forged}, 2, "--key"},
		{"forged, its own key", []string{"--key", forgerPub, forged}, 0, "intact"}, // only the key's origin makes it trusted
	} {
		code, out, errs := run(t, "", append([]string{"evidence", "verify"}, tt.args...)...)
		if code != tt.code || !strings.Contains(out+errs, tt.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", tt.name, code, tt.code, tt.want, out, errs)
		}
	}
}

func readBundle(t *testing.T, path string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return unzip(t, b)
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, _ := f.Open()
		data, _ := io.ReadAll(r)
		r.Close()
		out[f.Name] = data
	}
	return out
}

// writeBundle writes the files of m to path, with those of over replacing them.
func writeBundle(t *testing.T, path string, m, over map[string][]byte) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range m {
		if o, ok := over[name]; ok {
			data = o
		}
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
