package cli

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/store"
)

const evidenceSynopsis = `evidence verify --key evidence.pub BUNDLE.zip
       marsad evidence verify --fingerprint "1a2b 3c4d ..." BUNDLE.zip
       marsad evidence export [--data DIR] [--keys DIR] [-o FILE] ID
       marsad evidence purge [--data DIR]

verify checks a signed evidence bundle against the issuer's public key,
which the verifier must name: --key with the issuer's evidence.pub (from
DATA/keys, handed over out of band), or --fingerprint with the key's
fingerprint as the issuer read it out (at least its first 32 hex digits).
The key a bundle names is never trusted by itself: anyone can rewrite a
bundle and sign it with a key of their own. Then the SHA-256 and size of
every file are checked. Exit status 0 means the bundle is intact and
signed by that key.

export writes the bundle of one evidence record; purge deletes the files of
evidence older than the retention period set in the web UI (default 730
days), except evidence on legal hold. The signing key is DATA/keys/evidence.key
(or --keys DIR); it must be mode 0600.`

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
	keyPath := fs.String("key", "", "the issuer's PEM public key the bundle must be signed with (verify)")
	fp := fs.String("fingerprint", "", "fingerprint of the issuer's public key, instead of --key (verify)")
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
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		var trusted ed25519.PublicKey
		var signer string
		switch {
		case *keyPath != "" && *fp != "":
			return fmt.Errorf("%w: give --key or --fingerprint, not both", errUsage)
		case *keyPath != "":
			if trusted, err = evidence.ReadPublicKey(*keyPath); err != nil {
				return err
			}
			signer = "the trusted key " + *keyPath
		case *fp != "":
			named, err := evidence.SignerKey(f, fi.Size())
			if err != nil {
				return fmt.Errorf("%s: %w", args[1], err)
			}
			if !evidence.MatchFingerprint(named, *fp) {
				return fmt.Errorf("%s: signed by key %s, not by the key with fingerprint %s (give at least 32 hex digits)", args[1], evidence.Fingerprint(named), *fp)
			}
			trusted, signer = named, "the key with the given fingerprint"
		default:
			return fmt.Errorf("%w: evidence verify needs the issuer's public key: --key evidence.pub or --fingerprint \"...\"", errUsage)
		}
		m, err := evidence.Verify(f, fi.Size(), trusted)
		if err != nil {
			return fmt.Errorf("%s: %w", args[1], err)
		}
		fmt.Fprintf(e.stdout, "%s: intact\n  case %d, post %d (%s %s)\n  preserved %s by %s\n  %d files, signed by %s\n  key fingerprint %s\n",
			args[1], m.CaseID, m.PostID, m.Platform, m.SourceID, m.CapturedAt.Format("2006-01-02 15:04:05 MST"), m.CapturedBy, len(m.Files), signer, evidence.Fingerprint(trusted))
		return nil
	case "export", "purge":
		st, err := store.Open(ctx, sf.dsn())
		if err != nil {
			return err
		}
		defer st.Close()
		key, err := sf.evidenceKey(e.stderr)
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
