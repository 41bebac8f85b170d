package vpdq

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
	"testing"
)

func TestHashFileBadInput(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.mp4")
	os.WriteFile(corrupt, []byte("\x00\x00\x00\x18ftypmp42 this is not a video at all"), 0o644)
	truncated := filepath.Join(dir, "truncated.mp4")
	if b, err := os.ReadFile(filepath.Join(dataDir, "sample-videos", "doorknob-hd-no-bar.mp4")); err == nil {
		os.WriteFile(truncated, b[:len(b)/3], 0o644)
	}
	for _, p := range []string{corrupt, filepath.Join(dir, "missing.mp4")} {
		_, err := HashFile(context.Background(), p, Options{})
		if !errors.Is(err, ErrVideo) {
			t.Errorf("%s: got %v, want ErrVideo", filepath.Base(p), err)
		}
	}
	if _, err := os.Stat(truncated); err == nil {
		// A truncated file gives the frames before the cut, or a clear error.
		fs, err := HashFile(context.Background(), truncated, Options{})
		if err != nil && !errors.Is(err, ErrVideo) {
			t.Errorf("truncated: got %v", err)
		}
		t.Logf("truncated video: %d frames, err %v", len(fs), err)
	}
}

func TestMissingFFmpeg(t *testing.T) {
	opts := Options{FFmpeg: "/nonexistent/ffmpeg", FFprobe: "/nonexistent/ffprobe"}
	if err := opts.Available(); !errors.Is(err, ErrNoFFmpeg) {
		t.Fatalf("Available: got %v, want ErrNoFFmpeg", err)
	}
	_, err := HashFile(context.Background(), filepath.Join(dataDir, "sample-videos", "doorknob-hd-no-bar.mp4"), opts)
	if !errors.Is(err, ErrNoFFmpeg) {
		t.Fatalf("HashFile: got %v, want ErrNoFFmpeg", err)
	}
}

func TestMaxFrames(t *testing.T) {
	needFFmpeg(t)
	p := filepath.Join(dataDir, "sample-videos", "chair-19-sd-bar.mp4")
	if _, err := os.Stat(p); err != nil {
		t.Skip("sample videos absent")
	}
	fs, err := HashFile(context.Background(), p, Options{SecondsPerHash: 0, MaxFrames: 5})
	if err != nil || len(fs) != 5 {
		t.Fatalf("got %d frames, %v; want 5", len(fs), err)
	}
}

// TestGIFFrames checks that an animated GIF is hashed like a video: one
// frame a second by its delays, the same frame twice hashing the same.
func TestGIFFrames(t *testing.T) {
	pal := color.Palette{color.Black, color.White, color.RGBA{200, 30, 30, 255}}
	g := &gif.GIF{}
	for i := 0; i < 6; i++ {
		img := image.NewPaletted(image.Rect(0, 0, 64, 48), pal)
		for y := 0; y < 48; y++ {
			for x := 0; x < 64; x++ {
				img.SetColorIndex(x, y, uint8((x/(8+i%3*4)+y/8)%3))
			}
		}
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, 50) // half a second
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "a.gif"))
	if err != nil {
		t.Fatal(err)
	}
	gif.EncodeAll(f, g)
	f.Seek(0, 0)
	fs, err := HashAnimation(f, Options{})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Frames at 0, 0.5, ..., 2.5 s; one a second keeps 0, 1 and 2 s.
	if len(fs) != 3 || fs[0].Timestamp != 0 || fs[1].Timestamp != 1 || fs[2].Timestamp != 2 || fs[1].Frame != 2 {
		t.Fatalf("got %v", fs)
	}
	if res := Match(fs, fs, Rule{}); !res.Match {
		t.Errorf("GIF does not match itself: %+v", res)
	}
}
