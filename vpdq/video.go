package vpdq

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"

	"github.com/marsad/marsad/pdq"
)

// ErrNoFFmpeg is returned (wrapped) when the ffmpeg or ffprobe command is
// not installed: video cannot be decoded without them.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed (Debian: apt-get install ffmpeg)")

// ErrVideo is returned (wrapped) for a file ffmpeg cannot read as video.
var ErrVideo = errors.New("not a readable video")

// minHashableDim is the reference's smallest hashable frame side
// (pdqbufferhasher.cpp, line 17).
const minHashableDim = 5

// Options says how a video is sampled and hashed.
type Options struct {
	// SecondsPerHash is the sampling interval: frame n is hashed when n is a
	// multiple of int(SecondsPerHash*frame rate), at least 1
	// (filehasher.cpp, lines 53-58 and 151). 0 hashes every frame.
	// Negative means the default, SecondsPerHash (1.0), as
	// python-threatexchange uses (vpdq_util.py, line 67).
	SecondsPerHash float64
	// Width and Height, if set, scale frames to that size first (the
	// reference's -s option; filehasher.cpp, lines 235-240).
	Width, Height int
	// FFmpeg and FFprobe are the commands; empty means "ffmpeg" and
	// "ffprobe" on PATH.
	FFmpeg, FFprobe string
	// MaxFrames bounds how many frames are hashed; 0 means no bound.
	MaxFrames int
}

// Available reports whether the ffmpeg and ffprobe commands opts names are
// installed, with ErrNoFFmpeg (wrapped) if not.
func (o Options) Available() error {
	for _, c := range []string{o.ffmpeg(), o.ffprobe()} {
		if _, err := exec.LookPath(c); err != nil {
			return fmt.Errorf("%w: %s not found", ErrNoFFmpeg, c)
		}
	}
	return nil
}

func (o Options) ffmpeg() string {
	if o.FFmpeg != "" {
		return o.FFmpeg
	}
	return "ffmpeg"
}

func (o Options) ffprobe() string {
	if o.FFprobe != "" {
		return o.FFprobe
	}
	return "ffprobe"
}

// Info is what ffprobe says about a video's first video stream.
type Info struct {
	Width, Height int
	// FrameRate is avg_frame_rate, or r_frame_rate when that is 0, as the
	// reference chooses (ffmpegwrapper.cpp, lines 119-132).
	FrameRate float64
}

// Probe reads a video file's size and frame rate with ffprobe.
func Probe(ctx context.Context, path string, opts Options) (Info, error) {
	if err := opts.Available(); err != nil {
		return Info{}, err
	}
	cmd := exec.CommandContext(ctx, opts.ffprobe(), "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "json", "--", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Info{}, fmt.Errorf("%w: ffprobe: %s", ErrVideo, firstLine(stderr.String(), err))
	}
	var p struct {
		Streams []struct {
			Width        int    `json:"width"`
			Height       int    `json:"height"`
			AvgFrameRate string `json:"avg_frame_rate"`
			RFrameRate   string `json:"r_frame_rate"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		return Info{}, fmt.Errorf("%w: ffprobe output: %v", ErrVideo, err)
	}
	if len(p.Streams) == 0 {
		return Info{}, fmt.Errorf("%w: no video stream", ErrVideo)
	}
	s := p.Streams[0]
	info := Info{Width: s.Width, Height: s.Height, FrameRate: rate(s.AvgFrameRate)}
	if info.FrameRate == 0 {
		info.FrameRate = rate(s.RFrameRate)
	}
	if info.FrameRate == 0 {
		return Info{}, fmt.Errorf("%w: frame rate is zero", ErrVideo)
	}
	if info.Width < minHashableDim || info.Height < minHashableDim {
		return Info{}, fmt.Errorf("%w: frames of %dx%d are smaller than %d pixels", ErrVideo, info.Width, info.Height, minHashableDim)
	}
	return info, nil
}

func rate(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	if !ok {
		d = "1"
	}
	num, err1 := strconv.Atoi(n)
	den, err2 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || num <= 0 || den <= 0 {
		return 0
	}
	return float64(num) / float64(den)
}

func firstLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return err.Error()
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return clip200(s)
}

func clip200(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// HashFile computes the vPDQ hash of the video file at path. ffmpeg
// decodes it; frames are converted to RGB24 with the area scaler, as the
// reference converts them (ffmpegwrapper.h, lines 33-46), and hashed with
// PDQ at their own resolution (pdqbufferhasher.cpp, lines 31-50).
func HashFile(ctx context.Context, path string, opts Options) ([]Feature, error) {
	info, err := Probe(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	w, h := info.Width, info.Height
	if opts.Width > 0 {
		w = opts.Width
	}
	if opts.Height > 0 {
		h = opts.Height
	}
	sph := opts.SecondsPerHash
	if sph < 0 {
		sph = SecondsPerHash
	}
	mod := int(sph * info.FrameRate)
	if mod <= 0 {
		mod = 1
	}
	if int64(w)*int64(h) > 8192*8192 {
		return nil, fmt.Errorf("%w: frames of %dx%d are too large", ErrVideo, w, h)
	}
	// select= keeps frames whose decoding-order number n is a multiple of
	// mod, the reference's test (filehasher.cpp, line 151); passthrough
	// stops ffmpeg from dropping or duplicating frames to a constant rate.
	vf := fmt.Sprintf("select='not(mod(n\\,%d))',scale=%d:%d:flags=area,format=rgb24", mod, w, h)
	args := []string{"-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-an", "-sn", "-dn",
		"-vf", vf, "-fps_mode", "passthrough", "-sws_flags", "area", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"}
	cmd := exec.CommandContext(ctx, opts.ffmpeg(), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFFmpeg, err)
	}
	fs, readErr := readFrames(bufio.NewReaderSize(out, 1<<20), w, h, mod, float32(info.FrameRate), opts.MaxFrames)
	stopped := opts.MaxFrames > 0 && len(fs) >= opts.MaxFrames
	if stopped {
		cmd.Process.Kill() // enough frames: the rest is not decoded
	}
	io.Copy(io.Discard, out)
	waitErr := cmd.Wait()
	if stopped {
		waitErr = nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if waitErr != nil {
		return nil, fmt.Errorf("%w: ffmpeg: %s", ErrVideo, firstLine(stderr.String(), waitErr))
	}
	if readErr != nil {
		return nil, readErr
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("%w: no frames decoded", ErrVideo)
	}
	return fs, nil
}

// readFrames hashes raw RGB24 frames of w x h. Frame k of the stream is
// video frame k*mod; its timestamp is the frame number over the frame
// rate, in float32 as the reference computes it (hasher.h, line 194).
func readFrames(r io.Reader, w, h, mod int, fps float32, maxFrames int) ([]Feature, error) {
	hs := pdq.NewHasher(pdq.Options{FullResolution: true, MaxPixels: -1})
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	raw := make([]byte, w*h*3)
	var out []Feature
	for k := 0; maxFrames <= 0 || k < maxFrames; k++ {
		if _, err := io.ReadFull(r, raw); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return out, nil // a truncated last frame is not hashed
			}
			return out, err
		}
		rgbToRGBA(img.Pix, raw)
		hash, q := hs.Hash(img)
		n := k * mod
		out = append(out, Feature{Frame: n, Quality: q, Hash: hash, Timestamp: timestamp(n, fps)})
	}
	return out, nil
}

// timestamp is float32(n)/fps rounded to the reference's three decimals
// (vpdqio.cpp, line 23), so a hash written and read again is unchanged.
func timestamp(n int, fps float32) float64 {
	t := float64(float32(n) / fps)
	return math.Round(t*1000) / 1000
}

func rgbToRGBA(dst, src []byte) {
	for i, j := 0, 0; i+2 < len(src); i, j = i+3, j+4 {
		dst[j], dst[j+1], dst[j+2], dst[j+3] = src[i], src[i+1], src[i+2], 0xff
	}
}
