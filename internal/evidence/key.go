package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile and PublicKeyFile are the names of the signing key files in the
// data directory.
const (
	KeyFile       = "evidence.key"
	PublicKeyFile = "evidence.pub"
)

// KeyDir is the folder of the data directory that holds the signing key
// when no other folder is named: apart from the media store and from any
// folder posts are ingested from.
const KeyDir = "keys"

// LoadOrCreateKey reads the Ed25519 signing key from dir/evidence.key, or
// creates it (mode 0600, in a folder only its owner may enter) with
// dir/evidence.pub beside it on first use. A key file that its group or
// others may read or write is refused, as ssh refuses such a private key:
// whoever reads it can sign bundles in the unit's name.
func LoadOrCreateKey(dir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dir, KeyFile)
	f, err := os.Open(path)
	if err == nil {
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("evidence key %s: %w", path, err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return nil, fmt.Errorf("evidence key %s: mode %04o lets others read or change it; run chmod 600 %s (and consider the key exposed: make a new one if others may have read it)", path, perm, path)
		}
		b, err := io.ReadAll(io.LimitReader(f, 64<<10))
		if err != nil {
			return nil, fmt.Errorf("evidence key %s: %w", path, err)
		}
		return parsePrivate(path, b)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("evidence key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("evidence key %s: %w", path, err)
	}
	pder, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, PublicKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), 0o644); err != nil {
		return nil, fmt.Errorf("evidence public key: %w", err)
	}
	return priv, nil
}

func parsePrivate(path string, b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("evidence key %s: not a PEM PRIVATE KEY", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("evidence key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("evidence key %s: not an Ed25519 key", path)
	}
	return priv, nil
}

// ReadPublicKey reads a PEM Ed25519 public key, such as evidence.pub.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("public key %s: not a PEM PUBLIC KEY", path)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key %s: not an Ed25519 key", path)
	}
	return pub, nil
}

// MoveKey moves the key pair from the folder where older versions kept it
// (the data folder itself) to dir, if it is there and dir has none. It
// reports whether it moved anything.
func MoveKey(oldDir, dir string) (bool, error) {
	oldKey, newKey := filepath.Join(oldDir, KeyFile), filepath.Join(dir, KeyFile)
	if _, err := os.Stat(oldKey); err != nil {
		return false, nil
	}
	if _, err := os.Stat(newKey); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("evidence key: %w", err)
	}
	if err := os.Rename(oldKey, newKey); err != nil {
		return false, fmt.Errorf("evidence key: move to %s: %w", dir, err)
	}
	_ = os.Rename(filepath.Join(oldDir, PublicKeyFile), filepath.Join(dir, PublicKeyFile))
	return true, nil
}

// Fingerprint identifies a public key: the hex SHA-256 of its 32 bytes,
// in groups of four, long enough that nobody can make another key with
// the same fingerprint. Read it out to whoever verifies bundles.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:])
	var b []byte
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, h[i:i+4]...)
	}
	return string(b)
}

// MatchFingerprint reports whether fp (as Fingerprint prints it, with or
// without spaces or colons, any case) names pub. At least the first 32 hex
// digits (128 bits) must be given.
func MatchFingerprint(pub ed25519.PublicKey, fp string) bool {
	clean := strings.ToLower(strings.NewReplacer(" ", "", ":", "", "-", "").Replace(fp))
	full := strings.ReplaceAll(Fingerprint(pub), " ", "")
	return len(clean) >= 32 && strings.HasPrefix(full, clean)
}
