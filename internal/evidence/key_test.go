package evidence_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestResignedBundleFails rewrites a bundle's manifest, puts the forger's
// own public key in it and signs it with the forger's key, as someone who
// stole or replaced a key would: verifying against the issuer's key must
// fail, and no verification may trust the key a bundle names.
func TestResignedBundleFails(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	k, caseID, _ := setup(t, s)
	ev, err := k.Preserve(ctx, caseID, "rev1")
	if err != nil {
		t.Fatal(err)
	}
	var good bytes.Buffer
	if err := k.Export(ctx, ev.ID, "rev1", &good); err != nil {
		t.Fatal(err)
	}
	issuer := k.PublicKey()
	if _, err := evidence.Verify(bytes.NewReader(good.Bytes()), int64(good.Len()), issuer); err != nil {
		t.Fatalf("the issuer's own bundle: %v", err)
	}
	forgerPub, forger, _ := ed25519.GenerateKey(nil)
	m := readZip(t, good.Bytes())
	man := bytes.Replace(m["manifest.json"], []byte(`"rev1"`), []byte(`"rev9"`), 1)
	man = bytes.Replace(man, []byte(hex.EncodeToString(issuer)), []byte(hex.EncodeToString(forgerPub)), 1)
	m["manifest.json"] = man
	m["manifest.sig"] = []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(forger, man)) + "\n")
	z := writeZip(t, m)
	if _, err := evidence.Verify(bytes.NewReader(z), int64(len(z)), issuer); err == nil {
		t.Fatal("a re-signed bundle verified against the issuer's key")
	}
	if _, err := evidence.Verify(bytes.NewReader(z), int64(len(z)), nil); err == nil || !strings.Contains(err.Error(), "trusted key") {
		t.Fatalf("verification without a trusted key: %v, want a refusal", err)
	}
	// The fingerprint a verifier is given identifies the issuer's key.
	if evidence.Fingerprint(issuer) == evidence.Fingerprint(forgerPub) || len(evidence.Fingerprint(issuer)) < 32 {
		t.Errorf("fingerprints %q and %q", evidence.Fingerprint(issuer), evidence.Fingerprint(forgerPub))
	}
}

// TestKeyFileModeRefused refuses a signing key others can read.
func TestKeyFileModeRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := evidence.LoadOrCreateKey(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("key folder mode %v, want no access for group and others", fi.Mode().Perm())
	}
	path := filepath.Join(dir, evidence.KeyFile)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		os.Chmod(path, mode)
		if _, err := evidence.LoadOrCreateKey(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("key with mode %v: %v, want a refusal saying chmod 600", mode, err)
		}
	}
	os.Chmod(path, 0o600)
	if _, err := evidence.LoadOrCreateKey(dir); err != nil {
		t.Errorf("key with mode 0600: %v", err)
	}
}
