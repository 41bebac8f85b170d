package vpdq

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"io"
	"math"

	"github.com/marsad/marsad/pdq"
)

// ErrAnimation is returned (wrapped) for an animation that cannot be read.
var ErrAnimation = errors.New("not a readable animation")

// maxAnimationPixels bounds an animation's canvas, as pdq bounds images.
const maxAnimationPixels = 4096 * 4096

// ErrStill is returned (wrapped) by HashAnimation for a GIF of one frame:
// it is an image, hashed with PDQ alone.
var ErrStill = errors.New("a still image, not an animation")

// HashAnimation hashes an animated GIF as a video: frames are drawn on the
// canvas in order (with their disposal), each frame starts at the sum of
// the delays before it, and the frame showing at every SecondsPerHash is
// hashed with PDQ, as a video frame would be. Frame numbers are the GIF's
// frame indexes. A GIF of one frame gives ErrStill. Animated WebP is not read: golang.org/x/image/webp decodes
// still images only, and so does ffmpeg 5 and 6.
func HashAnimation(r io.Reader, opts Options) ([]Feature, error) {
	br := bufio.NewReader(r)
	cfg, err := gif.DecodeConfig(peekAll{br})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAnimation, err)
	}
	if cfg.Width < minHashableDim || cfg.Height < minHashableDim || int64(cfg.Width)*int64(cfg.Height) > maxAnimationPixels {
		return nil, fmt.Errorf("%w: canvas of %dx%d", ErrAnimation, cfg.Width, cfg.Height)
	}
	g, err := gif.DecodeAll(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAnimation, err)
	}
	if len(g.Image) < 2 {
		return nil, ErrStill
	}
	sph := opts.SecondsPerHash
	if sph <= 0 {
		sph = SecondsPerHash // every frame of a GIF is not a useful default
	}
	hs := pdq.NewHasher(pdq.Options{FullResolution: true, MaxPixels: -1})
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	var prev *image.RGBA
	var out []Feature
	start := 0.0
	next := 0.0 // the next sample time
	for i, fr := range g.Image {
		delay := 0.1 // browsers show a frame of delay 0 for about 0.1 s
		if i < len(g.Delay) && g.Delay[i] > 0 {
			delay = float64(g.Delay[i]) / 100
		}
		disposal := byte(0)
		if i < len(g.Disposal) {
			disposal = g.Disposal[i]
		}
		if disposal == gif.DisposalPrevious {
			prev = image.NewRGBA(canvas.Rect)
			copy(prev.Pix, canvas.Pix)
		}
		draw.Draw(canvas, fr.Bounds(), fr, fr.Bounds().Min, draw.Over)
		end := start + delay
		if next < end {
			hash, q := hs.Hash(canvas)
			out = append(out, Feature{Frame: i, Quality: q, Hash: hash, Timestamp: math.Round(start*1000) / 1000})
			for next < end {
				next += sph
			}
		}
		if opts.MaxFrames > 0 && len(out) >= opts.MaxFrames {
			break
		}
		switch disposal {
		case gif.DisposalBackground:
			draw.Draw(canvas, fr.Bounds(), image.Transparent, image.Point{}, draw.Src)
		case gif.DisposalPrevious:
			copy(canvas.Pix, prev.Pix)
		}
		start = end
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no frames", ErrAnimation)
	}
	return out, nil
}

// peekAll lets gif.DecodeConfig read the header from a bufio.Reader
// without consuming it.
type peekAll struct{ br *bufio.Reader }

func (p peekAll) Read(b []byte) (int, error) {
	h, err := p.br.Peek(min(len(b), p.br.Size()))
	n := copy(b, h)
	if n == 0 {
		return 0, err
	}
	return n, nil
}
