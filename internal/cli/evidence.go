package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/store"
)

const evidenceSynopsis = `evidence verify [--key evidence.pub] BUNDLE.zip
       marsad evidence export [--data DIR] [-o FILE] ID
       marsad evidence purge [--data DIR]

verify checks a signed evidence bundle: the Ed25519 signature of its
manifest, and the SHA-256 and size of every file. With --key, the bundle
must be signed by that public key (the evidence.pub of the data folder that
made it); without, by the key the manifest names, whose fingerprint is
printed so it can be compared. Exit status 0 means the bundle is intact.

export writes the bundle of one evidence record; purge deletes the files of
evidence older than the retention period set in the web UI (default 730
days), except evidence on legal hold.`

func runEvidence(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintf(e.stdout, "Usage: marsad %s\n", evidenceSynopsis)
		if len(e.args) == 0 {
			return fmt.Errorf("%w: a subcommand is required: verify, export or purge", errUsage)
		}
		return flag.ErrHelp
	}
	fs := newFlags(e, "evidence "+e.args[0], evidenceSynopsis)
	var sf storeFlags
	sf.register(fs)
	keyPath := fs.String("key", "", "PEM public key the bundle must be signed with (verify)")
	out := fs.String("o", "", "output file (export; default marsad-evidence-ID.zip)")
	if err := parseFlags(fs, env{args: e.args[1:], stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}); err != nil {
		return err
	}
	args := append([]string{e.args[0]}, fs.Args()...)
	switch args[0] {
	case "verify":
		if len(args) != 2 {
			return fmt.Errorf("%w: evidence verify takes one BUNDLE", errUsage)
		}
		var trusted ed25519.PublicKey
		if *keyPath != "" {
			k, err := evidence.ReadPublicKey(*keyPath)
			if err != nil {
				return err
			}
			trusted = k
		}
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		m, err := evidence.Verify(f, fi.Size(), trusted)
		if err != nil {
			return fmt.Errorf("%s: %w", args[1], err)
		}
		signer := "the key it names (compare the fingerprint with the issuer's evidence.pub)"
		if trusted != nil {
			signer = "the trusted key " + *keyPath
		}
		fmt.Fprintf(e.stdout, "%s: intact\n  case %d, post %d (%s %s)\n  preserved %s by %s\n  %d files, signed by %s\n  key fingerprint %s\n",
			args[1], m.CaseID, m.PostID, m.Platform, m.SourceID, m.CapturedAt.Format("2006-01-02 15:04:05 MST"), m.CapturedBy, len(m.Files), signer, fingerprint(m.PublicKey))
		return nil
	case "export", "purge":
		st, err := store.Open(ctx, sf.dsn())
		if err != nil {
			return err
		}
		defer st.Close()
		key, err := evidence.LoadOrCreateKey(sf.data)
		if err != nil {
			return err
		}
		k := evidence.NewKeeper(st, evidence.Media{}, key)
		if args[0] == "purge" {
			ret, err := evidence.Retention(ctx, st)
			if err != nil {
				return err
			}
			n, err := k.Purge(ctx, ret, "cli")
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d evidence records older than %d days purged\n", n, int(ret.Hours()/24))
			return nil
		}
		if len(args) != 2 {
			return fmt.Errorf("%w: evidence export takes one ID", errUsage)
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: evidence id %q is not a number", errUsage, args[1])
		}
		path := *out
		if path == "" {
			path = filepath.Join(".", fmt.Sprintf("marsad-evidence-%d.zip", id))
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := k.Export(ctx, id, "cli", f); err != nil {
			f.Close()
			os.Remove(path)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "evidence %d written to %s\n", id, path)
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q (want verify, export or purge)", errUsage, args[0])
}

// fingerprint shows the first 8 bytes of a hex key in groups, short
// enough to compare over the phone.
func fingerprint(hexKey string) string {
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) < 8 {
		return hexKey
	}
	s := hex.EncodeToString(b[:8])
	return s[:4] + " " + s[4:8] + " " + s[8:12] + " " + s[12:16]
}
