package pipeline

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// Frame is one still sampled from a video.
type Frame struct {
	// Seconds is the frame's time from the start of the video.
	Seconds float64
	// PNG is the frame, PNG-encoded.
	PNG []byte
}

// FrameSampler takes stills from a video, for reading the text on them.
type FrameSampler interface {
	SampleFrames(ctx context.Context, video []byte) ([]Frame, error)
}

// FFmpegFrames samples one frame a second with ffmpeg, at most Max.
type FFmpegFrames struct {
	// FFmpeg is the command; empty means "ffmpeg" on PATH.
	FFmpeg string
	// Max bounds the frames taken; 0 means 20. Text held on screen for
	// a long video is read in its first Max seconds.
	Max int
	// TempDir is where the video and its frames are written; empty
	// means the system's.
	TempDir string
}

// frameTimeout bounds one ffmpeg run.
const frameTimeout = 60 * time.Second

// SampleFrames writes the video to a temporary directory and has ffmpeg
// write one PNG a second there.
func (f FFmpegFrames) SampleFrames(ctx context.Context, video []byte) ([]Frame, error) {
	dir, err := os.MkdirTemp(f.TempDir, "marsad-frames-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "video")
	if err := os.WriteFile(in, video, 0o600); err != nil {
		return nil, err
	}
	bin, max := f.FFmpeg, f.Max
	if bin == "" {
		bin = "ffmpeg"
	}
	if max <= 0 {
		max = 20
	}
	ctx, cancel := context.WithTimeout(ctx, frameTimeout)
	defer cancel()
	// fps=1 keeps the frame nearest each whole second: frame n is at n-1 s.
	cmd := exec.CommandContext(ctx, bin, "-v", "error", "-nostdin", "-i", in, "-vf", "fps=1",
		"-frames:v", fmt.Sprint(max), filepath.Join(dir, "f%04d.png"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg frames: %v: %s", err, firstLineOf(string(out)))
	}
	names, err := filepath.Glob(filepath.Join(dir, "f*.png"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var frames []Frame
	for i, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		frames = append(frames, Frame{Seconds: float64(i), PNG: b})
	}
	return frames, nil
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// readVideoText reads the text on sampled frames of a video and adds it
// to the post's OCRText, each distinct text once with the time it first
// appears ("[0:03] ..."). A failure is recorded in m.Error.
func (p *Pipeline) readVideoText(ctx context.Context, post *model.Post, m *model.Media, data []byte) {
	if p.OCR == nil || p.Frames == nil || m.Type != "video" {
		return
	}
	frames, err := p.Frames.SampleFrames(ctx, data)
	if err != nil {
		m.Error = joinErr(m.Error, "text in video: "+err.Error())
		return
	}
	last := ""
	for _, fr := range frames {
		text, err := p.OCR.ReadText(ctx, fr.PNG)
		if err != nil {
			m.Error = joinErr(m.Error, fmt.Sprintf("text in video at %s: %v", clock(fr.Seconds), err))
			continue
		}
		text = strings.TrimSpace(text)
		// A caption held on screen is read once, at its first second.
		if text == "" || text == last {
			last = text
			continue
		}
		last = text
		if post.OCRText != "" {
			post.OCRText += "\n\n"
		}
		post.OCRText += "[" + clock(fr.Seconds) + "] " + text
	}
}

// clock formats seconds as m:ss.
func clock(s float64) string {
	n := int(s)
	return fmt.Sprintf("%d:%02d", n/60, n%60)
}
