package blob

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPutDedupesAndLimits(t *testing.T) {
	s := New(t.TempDir(), 10)
	a, err := s.Put(strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" || a.MD5 != "5d41402abc4b2a76b9719d911017c592" || a.Size != 5 {
		t.Fatalf("sums = %+v", a)
	}
	b, err := s.Put(strings.NewReader("hello"))
	if err != nil || b != a {
		t.Fatalf("second put = %+v, %v", b, err)
	}
	f, err := s.Open(a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "hello" {
		t.Fatalf("read back %q", got)
	}
	if _, err := s.Put(strings.NewReader("01234567890")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	if _, err := s.Open("../../etc/passwd"); err == nil {
		t.Fatal("opened a path that is not a hash")
	}
}
