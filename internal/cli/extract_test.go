package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	in := "انضموا https://t.me/s/MyChannel/123، تبرعوا TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n" +
		"no signals here\n" +
		"bit.ly/x و https://x.com/A/status/7?s=20\n"
	want := "-\t1\turl\thttps://t.me/mychannel/123\thttps://t.me/s/MyChannel/123\n" +
		"-\t1\twallet\ttrx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n" +
		"-\t3\turl\thttps://bit.ly/x\tbit.ly/x\tshortener\n" +
		"-\t3\turl\thttps://x.com/i/status/7\thttps://x.com/A/status/7?s=20\n"
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"extract"}, strings.NewReader(in), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestExtractFilesAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "posts.txt")
	if err := os.WriteFile(path, []byte("see https://[::1 now\nwww.example.com/a?utm_source=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"extract", path}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if want := path + "\t2\turl\thttps://example.com/a\twww.example.com/a?utm_source=x\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if !strings.Contains(errOut.String(), path+":1: skipped:") {
		t.Errorf("stderr %q does not name the bad URL's line", errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := Run(context.Background(), []string{"extract", filepath.Join(dir, "missing.txt")}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "missing.txt") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut.String())
	}
	if code := Run(context.Background(), []string{"extract", "--help"}, nil, &out, &errOut); code != 0 || !strings.Contains(out.String()+errOut.String(), "Usage: marsad extract") {
		t.Errorf("--help: exit %d, output %q", code, out.String()+errOut.String())
	}
}
