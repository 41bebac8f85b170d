package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Bundle limits, so a hostile archive cannot exhaust memory when verified.
const (
	maxBundleFiles    = 10000
	maxManifestBytes  = 16 << 20
	maxSignatureBytes = 1024
)

// ErrPurged is returned when exporting evidence whose files were purged.
var ErrPurged = errors.New("evidence was purged after its retention period")

// ErrIntegrity is returned when stored evidence no longer matches the
// hashes recorded when it was preserved.
var ErrIntegrity = errors.New("stored evidence does not match its recorded hashes")

// Export writes the bundle of evidence id to w.
func (k *Keeper) Export(ctx context.Context, id int64, actor string, w io.Writer) error {
	ev, err := k.st.Evidence(ctx, id, true)
	if err != nil {
		return err
	}
	if !ev.PurgedAt.IsZero() {
		return fmt.Errorf("evidence %d: %w", id, ErrPurged)
	}
	man, err := k.manifest(ev)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(man)
	if hex.EncodeToString(sum[:]) != ev.ManifestSHA256 {
		// The stored files or the signing key are not what was preserved.
		return fmt.Errorf("evidence %d: manifest no longer matches its recorded hash %s (stored data changed or the signing key was replaced): %w", id, ev.ManifestSHA256, ErrIntegrity)
	}
	for _, f := range ev.Files {
		fs := sha256.Sum256(f.Data)
		if hex.EncodeToString(fs[:]) != f.SHA256 {
			return fmt.Errorf("evidence %d: file %s: %w", id, f.Name, ErrIntegrity)
		}
	}
	zw := zip.NewWriter(w)
	put := func(name string, data []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: ev.CapturedAt})
		if err != nil {
			return err
		}
		_, err = fw.Write(data)
		return err
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(k.key, man))
	if err := put("manifest.json", man); err != nil {
		return fmt.Errorf("evidence %d: export: %w", id, err)
	}
	if err := put("manifest.sig", []byte(sig+"\n")); err != nil {
		return fmt.Errorf("evidence %d: export: %w", id, err)
	}
	for _, f := range ev.Files {
		if err := put(f.Name, f.Data); err != nil {
			return fmt.Errorf("evidence %d: export %s: %w", id, f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("evidence %d: export: %w", id, err)
	}
	return k.st.Audit(ctx, actor, "evidence.export", fmt.Sprintf("evidence:%d", id), "manifest_sha256="+ev.ManifestSHA256)
}

// Verify checks a bundle: the manifest's signature by trusted, the key the
// verifier obtained from the issuer (never the key the bundle names: a
// forger who rewrites a bundle names their own), and that the archive
// holds exactly the files the manifest lists with their sizes and
// SHA-256s. It returns the manifest when everything holds.
func Verify(r io.ReaderAt, size int64, trusted ed25519.PublicKey) (*Manifest, error) {
	if len(trusted) != ed25519.PublicKeySize {
		return nil, errors.New("bundle: no trusted key given: name the issuer's public key or its fingerprint")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("bundle: not a zip archive: %w", err)
	}
	if len(zr.File) > maxBundleFiles {
		return nil, fmt.Errorf("bundle: %d files, more than %d", len(zr.File), maxBundleFiles)
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := entries[f.Name]; dup {
			return nil, fmt.Errorf("bundle: %s appears twice", f.Name)
		}
		entries[f.Name] = f
	}
	read := func(name string, limit int64) ([]byte, error) {
		f, ok := entries[name]
		if !ok {
			return nil, fmt.Errorf("bundle: %s is missing", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, limit+1))
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", name, err)
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("bundle: %s is larger than %d bytes", name, limit)
		}
		return b, nil
	}
	man, err := read("manifest.json", maxManifestBytes)
	if err != nil {
		return nil, err
	}
	sigText, err := read("manifest.sig", maxSignatureBytes)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(man, &m); err != nil {
		return nil, fmt.Errorf("bundle: manifest.json: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("bundle: manifest.json: format %q, want %q", m.Format, Format)
	}
	pub, err := hex.DecodeString(m.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("bundle: manifest.json: public_key is not a hex Ed25519 key")
	}
	if !bytes.Equal(trusted, pub) {
		return nil, fmt.Errorf("bundle: names key %s, not the trusted key %s", Fingerprint(pub), Fingerprint(trusted))
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigText)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("bundle: manifest.sig is not a base64 Ed25519 signature")
	}
	if !ed25519.Verify(trusted, man, sig) {
		return nil, errors.New("bundle: the signature does not match manifest.json: the manifest was changed")
	}
	listed := map[string]bool{"manifest.json": true, "manifest.sig": true}
	for _, f := range m.Files {
		if listed[f.Path] {
			return nil, fmt.Errorf("bundle: manifest lists %s twice", f.Path)
		}
		listed[f.Path] = true
		zf, ok := entries[f.Path]
		if !ok {
			return nil, fmt.Errorf("bundle: %s is listed in the manifest but missing", f.Path)
		}
		if f.Size < 0 || int64(zf.UncompressedSize64) != f.Size {
			return nil, fmt.Errorf("bundle: %s: size %d, manifest says %d", f.Path, zf.UncompressedSize64, f.Size)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", f.Path, err)
		}
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(rc, f.Size+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", f.Path, err)
		}
		if n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
			return nil, fmt.Errorf("bundle: %s: content does not match its SHA-256 in the manifest", f.Path)
		}
	}
	for name := range entries {
		if !listed[name] {
			return nil, fmt.Errorf("bundle: %s is in the archive but not in the manifest", name)
		}
	}
	return &m, nil
}

// SignerKey returns the public key a bundle's manifest names, unverified:
// only for checking it against a fingerprint the verifier was given.
func SignerKey(r io.ReaderAt, size int64) (ed25519.PublicKey, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("bundle: not a zip archive: %w", err)
	}
	for _, f := range zr.File {
		if f.Name != "manifest.json" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("bundle: manifest.json: %w", err)
		}
		defer rc.Close()
		var m Manifest
		if err := json.NewDecoder(io.LimitReader(rc, maxManifestBytes)).Decode(&m); err != nil {
			return nil, fmt.Errorf("bundle: manifest.json: %w", err)
		}
		pub, err := hex.DecodeString(m.PublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, errors.New("bundle: manifest.json: public_key is not a hex Ed25519 key")
		}
		return pub, nil
	}
	return nil, errors.New("bundle: manifest.json is missing")
}
