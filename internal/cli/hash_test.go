package cli

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/pdq"
)

// writePNG writes a small patterned image, different for each seed.
func writePNG(t *testing.T, path string, seed int) pdq.Hash {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 48, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 48; x++ {
			v := uint8((x*x*(seed+1) + 3*y*y + x*y*seed) / 5)
			img.SetNRGBA(x, y, color.NRGBA{v, uint8(x * 5), uint8(y * 6), 0xff})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	h, _ := pdq.HashImage(img)
	return h
}

func TestHashCommand(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	want := map[string]pdq.Hash{}
	for i, name := range []string{"a.png", "b.PNG", "sub/c.png"} {
		want[filepath.Join(dir, name)] = writePNG(t, filepath.Join(dir, name), i)
	}
	// Not an image name: skipped when walking, hashed (and failing) when named.
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("not an image"), 0o644)

	t.Run("directory, in order, parallel", func(t *testing.T) {
		code, out, errs := run(t, "", "hash", "-j", "3", dir)
		if code != 0 || errs != "" {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		wantOrder := []string{"a.png", "b.PNG", "sub/c.png"}
		if len(lines) != len(wantOrder) {
			t.Fatalf("%d lines, want %d:\n%s", len(lines), len(wantOrder), out)
		}
		for i, l := range lines {
			f := strings.SplitN(l, ",", 3)
			path := filepath.Join(dir, wantOrder[i])
			if len(f) != 3 || f[2] != path || f[0] != want[path].String() {
				t.Errorf("line %d = %q, want hash %v of %s", i, l, want[path], path)
			}
		}
	})
	t.Run("dihedral", func(t *testing.T) {
		a := filepath.Join(dir, "a.png")
		code, out, _ := run(t, "", "hash", "--dihedral", a)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 8 {
			t.Fatalf("exit %d, %d lines, want 8", code, len(lines))
		}
		if !strings.HasPrefix(lines[0], want[a].String()+",") {
			t.Errorf("first dihedral line %q is not the plain hash %v", lines[0], want[a])
		}
	})
	t.Run("errors go to stderr, the rest is still hashed", func(t *testing.T) {
		a := filepath.Join(dir, "a.png")
		code, out, errs := run(t, "", "hash", notes, filepath.Join(dir, "missing.png"), a)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(errs, notes+": unknown image format") || !strings.Contains(errs, "missing.png") ||
			!strings.Contains(errs, "2 of 3 inputs failed") {
			t.Errorf("stderr %q", errs)
		}
		if strings.Count(out, "\n") != 1 || !strings.Contains(out, a) {
			t.Errorf("stdout %q, want one line for %s", out, a)
		}
	})
	t.Run("pixel limit", func(t *testing.T) {
		code, _, errs := run(t, "", "hash", "--max-pixels", "100", filepath.Join(dir, "a.png"))
		if code != 1 || !strings.Contains(errs, "image too large") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{"hash"}, {"hash", "-j", "0", dir}, {"hash", "--black-threshold", "300", dir}} {
			if code, _, _ := run(t, "", args...); code != 2 {
				t.Errorf("%q: exit %d, want 2", args, code)
			}
		}
		if code, _, _ := run(t, "", "hash", "--help"); code != 0 {
			t.Errorf("--help: exit %d", code)
		}
	})
}
