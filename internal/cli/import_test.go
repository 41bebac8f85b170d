package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/store"
)

// copyDir copies a fixture folder so a test can change it.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o750)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openStoreOf opens the store a command ran against, to look at what it saved.
func openStoreOf(t *testing.T, data string, extra []string) *store.Store {
	t.Helper()
	dsn := filepath.Join(data, "marsad.db")
	if len(extra) == 2 && extra[0] == "--db" {
		dsn = extra[1]
	}
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestImportTelegramExport imports a composed channel export into each
// store: every message but the service one, with its photos and file read
// from the export folder; a second import changes nothing; a missing photo
// and a symlink out of the folder refuse their message only, and once the
// photo is back the message goes in.
func TestImportTelegramExport(t *testing.T) {
	for name, extra := range backends(t) {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			data, dir := filepath.Join(root, "data"), filepath.Join(root, "export")
			copyDir(t, "../importer/telegram/testdata/channel", dir)
			args := append(append([]string{"import", "telegram-export", "--data", data}, extra...), dir)
			code, out, errs := run(t, "", args...)
			if code != 0 || !strings.Contains(out, "6 read, 6 new, 0 already stored") || !strings.Contains(out, "1 service messages skipped, 1 media files not included") {
				t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
			}
			s := openStoreOf(t, data, extra)
			p, err := s.PostBySource(context.Background(), "telegram", "1700000001/2")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Media) != 1 || p.Media[0].SHA256 == "" || len(p.Links) != 2 || !strings.HasPrefix(p.Text, "بيان جديد") {
				t.Errorf("stored post = %+v", p)
			}
			if reply, err := s.PostBySource(context.Background(), "telegram", "1700000001/3"); err != nil || reply.ReplyTo != "1700000001/2" {
				t.Errorf("stored reply: %v %+v", err, reply)
			}
			if fwd, err := s.PostBySource(context.Background(), "telegram", "1700000001/4"); err != nil || fwd.ForwardedFrom != "Canal Exemple FR" {
				t.Errorf("stored forward: %v %+v", err, fwd)
			}
			code, out, errs = run(t, "", args...)
			if code != 0 || !strings.Contains(out, "6 read, 0 new, 6 already stored") {
				t.Fatalf("re-import: exit %d\n%s\n%s", code, out, errs)
			}

			// A message whose photo is missing, and one whose photo is a
			// symlink out of the export folder.
			secret := filepath.Join(root, "secret.jpg")
			os.WriteFile(secret, []byte("outside the export"), 0o600)
			os.Symlink(secret, filepath.Join(dir, "photos", "link.jpg"))
			b, _ := os.ReadFile(filepath.Join(dir, "result.json"))
			extraMsgs := `{"id": 8, "type": "message", "date_unixtime": "1738800000", "from_id": "channel1700000001", "photo": "photos/photo_8.jpg", "text": "later"},
  {"id": 9, "type": "message", "date_unixtime": "1738800001", "from_id": "channel1700000001", "photo": "photos/link.jpg", "text": "escape"},
  {"id": 10, "type": "message", "date_unixtime": "1738800002", "from_id": "channel1700000001", "photo": "../secret.jpg", "text": "dotdot"},
  {"id": 7,`
			os.WriteFile(filepath.Join(dir, "result.json"), []byte(strings.Replace(string(b), `{
   "id": 7,`, extraMsgs, 1)), 0o644)
			code, out, errs = run(t, "", args...)
			if code != 1 || !strings.Contains(out, "9 read, 0 new, 6 already stored, 0 cases opened, 3 refused") {
				t.Fatalf("import with bad media: exit %d\n%s\n%s", code, out, errs)
			}
			for _, want := range []string{
				"telegram 1700000001/8: media[0].path: no such file photos/photo_8.jpg",
				"telegram 1700000001/9: media[0].path: photos/link.jpg resolves outside",
				`chat 1700000001 message 10: photo: ../secret.jpg: ".." is not accepted`,
			} {
				if !strings.Contains(errs, want) {
					t.Errorf("errors lack %q:\n%s", want, errs)
				}
			}
			copyFile(t, filepath.Join(dir, "photos", "photo_1@03-02-2025_10-15-00.jpg"), filepath.Join(dir, "photos", "photo_8.jpg"))
			code, out, errs = run(t, "", args...)
			if code != 1 || !strings.Contains(out, "1 new, 6 already stored, 0 cases opened, 2 refused") {
				t.Fatalf("import after the photo is back: exit %d\n%s\n%s", code, out, errs)
			}
		})
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import"}, 2, "telegram-export"},
		{[]string{"import", "myspace"}, 2, `unknown import kind "myspace"`},
		{[]string{"import", "telegram-export", "/no/such/dir"}, 1, "no such file"},
	} {
		code, out, errs := run(t, "", tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.want, out, errs)
		}
	}
}

// TestImportX imports an API v2 search page and an archive's tweets.js
// into each store, twice.
func TestImportX(t *testing.T) {
	for name, extra := range backends(t) {
		t.Run(name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			for _, tc := range []struct{ file, first string }{
				{"../importer/twitter/testdata/search_page.json", "4 read, 4 new"},
				{"../importer/twitter/testdata/archive/tweets.js", "2 read, 2 new"},
			} {
				args := append(append([]string{"import", "x", "--data", data}, extra...), tc.file)
				code, out, errs := run(t, "", args...)
				if code != 0 || !strings.Contains(out, tc.first) {
					t.Fatalf("%s: exit %d\n%s\n%s", tc.file, code, out, errs)
				}
				code, out, errs = run(t, "", args...)
				if code != 0 || !strings.Contains(out, " 0 new") {
					t.Fatalf("%s again: exit %d\n%s\n%s", tc.file, code, out, errs)
				}
			}
			s := openStoreOf(t, data, extra)
			p, err := s.PostBySource(context.Background(), "x", "1700000000000000102")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Media) != 1 || p.Media[0].SHA256 == "" || p.Author != "archive_owner_test" || p.ReplyTo != "1700000000000000101" {
				t.Errorf("archive post = %+v", p)
			}
			if rt, err := s.PostBySource(context.Background(), "x", "1880000000000000002"); err != nil || rt.ForwardedFrom != "test_source" {
				t.Errorf("stored retweet: %v %+v", err, rt)
			}
		})
	}
}

// TestStreamNATSCommand runs marsad stream nats against the local server
// until interrupted; a wrong subject is a clear error.
func TestStreamNATSCommand(t *testing.T) {
	code, _, errs := run(t, "", "stream", "nats", "--data", t.TempDir(), "--subject", "marsad.no.such.subject.anywhere")
	if code != 1 || !(strings.Contains(errs, "no JetStream stream holds subject") || strings.Contains(errs, "nats nats://")) {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "", "stream", "kafka"); code != 2 {
		t.Fatalf("no topic: exit %d: %s", code, errs)
	}
}

// TestImportFacebookInstagram imports composed CrowdTangle-style CSV and
// Content Library JSON exports into each store: a second import changes
// nothing, the same post from a CSV and from the API is one post, bad rows
// are reported by line and column and the others stored, and media are
// recorded by address without being fetched.
func TestImportFacebookInstagram(t *testing.T) {
	const td = "../importer/facebook/testdata/"
	for name, extra := range backends(t) {
		t.Run(name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			for _, tc := range []struct {
				kind, file string
				code       int
				out        string
				errs       []string
			}{
				{"facebook", "page_posts.csv", 0, "4 read, 4 new, 0 already stored", nil},
				{"facebook", "page_posts.csv", 0, "4 read, 0 new, 4 already stored", nil},
				{"facebook", "page_posts_bad.csv", 1, "7 read, 0 new, 2 already stored, 0 cases opened, 5 refused", []string{
					`page_posts_bad.csv: line 3, column 73: Post Created: "yesterday" is not a time`,
					"page_posts_bad.csv: line 4, column 117: URL: required",
					"page_posts_bad.csv: line 6, column 1: wrong number of fields",
					`page_posts_bad.csv: line 7, column 21: bare " in non-quoted-field`,
				}},
				{"facebook", "content_library.json", 1, "4 read, 1 new, 1 already stored, 0 cases opened, 2 refused", []string{
					"content_library.json: line 23, column 5: id: required",
					`content_library.json: line 28, column 5: creation_time: "last week"`,
				}},
				{"instagram", "account_posts.csv", 1, "3 read, 2 new, 0 already stored, 0 cases opened, 1 refused", []string{
					"account_posts.csv: line 4, column 70: URL:",
				}},
				{"instagram", "account_posts.csv", 1, "3 read, 0 new, 2 already stored", nil},
				{"instagram", "instagram_posts.jsonl", 0, "2 read, 2 new", nil},
				{"instagram", "instagram_posts.jsonl", 0, "2 read, 0 new, 2 already stored", nil},
				{"instagram", "page_posts.csv", 1, "", []string{"use marsad import facebook"}},
			} {
				args := append(append([]string{"import", tc.kind, "--data", data}, extra...), td+tc.file)
				code, out, errs := run(t, "", args...)
				if code != tc.code || !strings.Contains(out, tc.out) {
					t.Fatalf("%s %s: exit %d, want %d with %q\n%s\n%s", tc.kind, tc.file, code, tc.code, tc.out, out, errs)
				}
				for _, w := range tc.errs {
					if !strings.Contains(errs, w) {
						t.Errorf("%s %s: errors lack %q:\n%s", tc.kind, tc.file, w, errs)
					}
				}
			}
			s := openStoreOf(t, data, extra)
			ctx := context.Background()
			p, err := s.PostBySource(ctx, "facebook", "100000000000001_5000000000000001")
			if err != nil {
				t.Fatal(err)
			}
			if p.Author != "testnashra" || !strings.HasSuffix(p.Text, "موعدنا الجمعة") || len(p.Media) != 1 ||
				p.Media[0].URL != "https://www.facebook.com/photo.php?fbid=5000000000000002" || p.Media[0].SHA256 != "" {
				t.Errorf("photo post = %+v", p)
			}
			if sh, err := s.PostBySource(ctx, "facebook", "100000000000002_5000000000000030"); err != nil || sh.ForwardedFrom != "testnashra" {
				t.Errorf("shared post: %v %+v", err, sh)
			}
			if sh, err := s.PostBySource(ctx, "facebook", "100000000000004_5000000000000050"); err != nil || sh.ForwardedFrom != "100000000000001" {
				t.Errorf("API share: %v %+v", err, sh)
			}
			if ig, err := s.PostBySource(ctx, "instagram", "TeStCoDe02"); err != nil || ig.Media[0].Type != "video" || ig.Author != "compte_test" {
				t.Errorf("reel: %v %+v", err, ig)
			}
			if n, _ := s.CountPosts(ctx); n != 9 {
				t.Errorf("%d posts stored, want 9", n)
			}
		})
	}
}
