package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marsad/marsad/ocr"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// healthzOCR serves, reads /healthz and returns it with what the server
// logged.
func healthzOCR(t *testing.T) (health, logged string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw, _ := os.Pipe()
	logs := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, logs)
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(regexp.MustCompile(`http://[0-9.:]+`).FindString(line) + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	return string(b), logs.String()
}

func TestServeWithoutTesseract(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no tesseract (nor ffmpeg) on it
	health, logged := healthzOCR(t)
	if !strings.Contains(health, `"ocr":"unavailable: tesseract is not installed`) || !strings.Contains(health, `"status":"ok"`) {
		t.Fatalf("healthz: %s", health)
	}
	if n := strings.Count(logged, "text in images (OCR) is off"); n != 1 {
		t.Fatalf("the server said %d times that OCR is off:\n%s", n, logged)
	}
}

func TestServeWithTesseract(t *testing.T) {
	if err := (ocr.Options{}).Available(context.Background()); err != nil {
		t.Skip(err)
	}
	health, logged := healthzOCR(t)
	if !strings.Contains(health, `"ocr":"ok"`) || strings.Contains(logged, "OCR) is off") {
		t.Fatalf("healthz: %s\nlog: %s", health, logged)
	}
}

func TestOCREval(t *testing.T) {
	if err := (ocr.Options{}).Available(context.Background()); err != nil {
		t.Skip(err)
	}
	code, out, errOut := run(t, "", "ocr", "--eval")
	if code != 0 {
		t.Skipf("cannot render posters here: %s", errOut)
	}
	for _, lang := range []string{"ara ", "eng ", "fra "} {
		if !strings.Contains(out, "\n"+lang) {
			t.Fatalf("no %s summary:\n%s", lang, out)
		}
	}
}

func TestOCRBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ocr", "--eval", "--set", "nope"}, `no poster set "nope" (have own, tuning, held-out)`},
		{[]string{"ocr", "--psm", "11,x", "a.png"}, `--psm "x": page segmentation modes are numbers from 0 to 13`},
	}
	for _, tt := range tests {
		code, _, errOut := run(t, "", tt.args...)
		if code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want it to say %q", tt.args, code, errOut, tt.want)
		}
	}
}
