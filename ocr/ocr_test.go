package ocr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func needTesseract(t *testing.T) {
	t.Helper()
	if err := (Options{}).Available(context.Background()); err != nil {
		t.Skip(err)
	}
}

func TestRecognizePoster(t *testing.T) {
	needTesseract(t)
	ctx := context.Background()
	for _, s := range Samples() {
		if s.Lang == "ara" && strings.ContainsFunc(s.Text, func(r rune) bool { return r >= 0x064B && r <= 0x0652 }) {
			continue // full diacritics: measured by the eval, not asserted
		}
		b, err := RenderPoster(ctx, s)
		if errors.Is(err, ErrNoRenderer) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := Recognize(ctx, b, Options{})
		if err != nil {
			t.Fatalf("%s: %v", s.Text, err)
		}
		if a := CharAccuracy(norm.NFC.String(got), norm.NFC.String(s.Text)); a < 0.9 {
			t.Errorf("%s %q: read %q, accuracy %.2f", s.Lang, s.Text, got, a)
		}
	}
}

func TestRecognizeBlank(t *testing.T) {
	needTesseract(t)
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 200, 100)))
	got, err := Recognize(context.Background(), buf.Bytes(), Options{})
	if err != nil || got != "" {
		t.Fatalf("blank image: %q, %v", got, err)
	}
}

func TestRecognizeBadInput(t *testing.T) {
	var huge bytes.Buffer
	png.Encode(&huge, image.NewGray(image.Rect(0, 0, 5000, 5000)))
	var small bytes.Buffer
	png.Encode(&small, image.NewGray(image.Rect(0, 0, 20, 20)))
	corrupt := append([]byte(nil), small.Bytes()[:40]...)
	tests := []struct {
		name string
		data []byte
		opts Options
		want string
	}{
		{"not an image", []byte("hello, world"), Options{}, "unknown format"},
		{"too many pixels", huge.Bytes(), Options{MaxPixels: 1_000_000}, "5000x5000 pixels, more than 1000000"},
		{"too many bytes", small.Bytes(), Options{MaxBytes: 10}, "more than 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Recognize(context.Background(), tt.data, tt.opts)
			if !errors.Is(err, ErrImage) {
				t.Fatalf("want ErrImage, got %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to say %q", err, tt.want)
			}
		})
	}
	t.Run("truncated png", func(t *testing.T) {
		_, err := Recognize(context.Background(), corrupt, Options{})
		if !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), "png: unexpected EOF") {
			t.Fatalf("want ErrImage from the decoder, got %v", err)
		}
	})
	t.Run("truncated png, raw", func(t *testing.T) {
		needTesseract(t)
		_, err := Recognize(context.Background(), corrupt, Options{Raw: true})
		if !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), "tesseract: ") {
			t.Fatalf("want ErrImage from tesseract, got %v", err)
		}
	})
}

// fakeTesseract writes a stand-in tesseract that runs script.
func fakeTesseract(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tesseract")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRecognizeTimeout(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 20, 20)))
	cmd := fakeTesseract(t, "exec sleep 30")
	_, err := Recognize(context.Background(), buf.Bytes(), Options{Command: cmd, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
}

func TestRecognizeFailure(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 20, 20)))
	cmd := fakeTesseract(t, "echo 'Error in pixReadMem: Unknown format' >&2; exit 1")
	_, err := Recognize(context.Background(), buf.Bytes(), Options{Command: cmd})
	if !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), "Unknown format") {
		t.Fatalf("got %v", err)
	}
}

func TestAvailable(t *testing.T) {
	ctx := context.Background()
	if err := (Options{Command: "marsad-no-such-tesseract"}).Available(ctx); !errors.Is(err, ErrNoTesseract) {
		t.Fatalf("missing command: %v", err)
	}
	cmd := fakeTesseract(t, `printf 'List of available languages (2):\neng\nfra\n'`)
	err := Options{Command: cmd}.Available(ctx)
	if !errors.Is(err, ErrNoTesseract) || !strings.Contains(err.Error(), `"ara"`) {
		t.Fatalf("missing Arabic data: %v", err)
	}
	if err := (Options{Command: cmd, Languages: "eng+fra"}).Available(ctx); err != nil {
		t.Fatalf("eng+fra: %v", err)
	}
}

func TestClean(t *testing.T) {
	got := clean("  Kill   them \n\n |—| \n\u200ead\u200f قادم\n\f")
	if want := "Kill them\nad قادم"; got != want {
		t.Fatalf("clean: %q, want %q", got, want)
	}
}

func TestCharAccuracy(t *testing.T) {
	tests := []struct {
		got, want string
		acc       float64
	}{
		{"abcd", "abcd", 1},
		{"abxd", "abcd", 0.75},
		{"ab\ncd", "ab cd", 1},
		{"", "abcd", 0},
		{"abcdefghij", "ab", 0},
		{"قادم", "قادم", 1},
	}
	for _, tt := range tests {
		if a := CharAccuracy(tt.got, tt.want); a != tt.acc {
			t.Errorf("CharAccuracy(%q, %q) = %v, want %v", tt.got, tt.want, a, tt.acc)
		}
	}
}
