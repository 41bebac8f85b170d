package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestMediaConfinedToInputFolder feeds media paths that leave the
// JSONL file's folder: "..", absolute paths, symlinks out, and the data
// folder's own key and database. Each line is refused naming its field;
// the lines that stay inside go in; no outside file reaches the media
// store.
func TestIngestMediaConfinedToInputFolder(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	in := filepath.Join(root, "in")
	for _, d := range []string{filepath.Join(in, "images"), data} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(root, "secret.txt")
	os.WriteFile(secret, []byte("outside the input folder\n"), 0o600)
	os.WriteFile(filepath.Join(in, "images", "a.png"), []byte("\x89PNG\r\n\x1a\ninside"), 0o644)
	if err := os.Symlink(secret, filepath.Join(in, "out-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(in, "dir-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("images/a.png", filepath.Join(in, "in-link")); err != nil {
		t.Fatal(err)
	}
	// The first command creates the database and the evidence key.
	if code, _, errs := run(t, "", "evidence", "purge", "--data", data); code != 0 {
		t.Fatal(errs)
	}
	lines := []string{
		`{"platform":"x","source_id":"ok1","text":"t","media":[{"path":"images/a.png"}]}`,
		`{"platform":"x","source_id":"dotdot","text":"t","media":[{"path":"../secret.txt"}]}`,
		`{"platform":"x","source_id":"abs","text":"t","media":[{"path":"` + secret + `"}]}`,
		`{"platform":"x","source_id":"link","text":"t","media":[{"path":"out-link"}]}`,
		`{"platform":"x","source_id":"dirlink","text":"t","media":[{"path":"dir-link/secret.txt"}]}`,
		`{"platform":"x","source_id":"ok2","text":"t","media":[{"path":"in-link"}]}`,
		`{"platform":"x","source_id":"inner","text":"t","media":[{"path":"images/../images/a.png"}]}`,
		`{"platform":"x","source_id":"back","text":"t","media":[{"path":"images\\..\\..\\secret.txt"}]}`,
	}
	jsonl := filepath.Join(in, "posts.jsonl")
	os.WriteFile(jsonl, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	code, out, errs := run(t, "", "ingest", "--data", data, jsonl)
	if code != 1 || !strings.Contains(out, "2 new") {
		t.Fatalf("ingest: exit %d, want 1 with 2 posts stored\n%s\n%s", code, out, errs)
	}
	for _, n := range []string{"2", "3", "4", "5", "7", "8"} {
		if !strings.Contains(errs, "line "+n+": media[0].path:") {
			t.Errorf("line %s is not refused naming media[0].path:\n%s", n, errs)
		}
	}
	for _, want := range []string{"line 2: media[0].path: \"..\"", "line 3: media[0].path: absolute", "line 4: media[0].path: out-link resolves outside"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	sum := sha256.Sum256([]byte("outside the input folder\n"))
	assertNotInMedia(t, data, hex.EncodeToString(sum[:]))

	// With the input folder holding the data folder, the evidence key and
	// the database are still out of reach.
	keyRel, _ := filepath.Rel(root, filepath.Join(data, "keys", "evidence.key"))
	if _, err := os.Stat(filepath.Join(root, keyRel)); err != nil {
		t.Fatalf("evidence key not at DATA/keys/evidence.key: %v", err)
	}
	os.Link(filepath.Join(data, "keys", "evidence.key"), filepath.Join(root, "hardlink.key"))
	top := filepath.Join(root, "top.jsonl")
	os.WriteFile(top, []byte(`{"platform":"x","source_id":"key","text":"t","media":[{"path":"`+keyRel+`"}]}
{"platform":"x","source_id":"db","text":"t","media":[{"path":"data/marsad.db"}]}
{"platform":"x","source_id":"hard","text":"t","media":[{"path":"hardlink.key"}]}
`), 0o644)
	code, _, errs = run(t, "", "ingest", "--data", data, top)
	if code != 1 || strings.Count(errs, "media[0].path:") != 3 {
		t.Fatalf("ingest of the key and the database: exit %d\n%s", code, errs)
	}
	key, _ := os.ReadFile(filepath.Join(data, "keys", "evidence.key"))
	ks := sha256.Sum256(key)
	assertNotInMedia(t, data, hex.EncodeToString(ks[:]))
}

func assertNotInMedia(t *testing.T, data, sha string) {
	t.Helper()
	filepath.WalkDir(filepath.Join(data, "media"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), sha) {
			t.Errorf("a file from outside the input folder is in the media store: %s", p)
		}
		return nil
	})
}
