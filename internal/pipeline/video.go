package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/vpdq"
)

// VideoHasher computes the vPDQ hash of a video or an animated image.
type VideoHasher interface {
	// HashVideo returns the vPDQ hash of a video file's bytes in
	// ThreatExchange's file format.
	HashVideo(ctx context.Context, data []byte) (string, error)
	// HashAnimation returns the vPDQ hash of an animated GIF, or ok false
	// for a still image.
	HashAnimation(data []byte) (features string, ok bool, err error)
}

// VideoMatcher finds banked videos a vPDQ hash matches.
type VideoMatcher interface {
	MatchVPDQ(ctx context.Context, features string) ([]model.Match, error)
}

// VPDQHasher hashes videos with package vpdq, through ffmpeg.
type VPDQHasher struct {
	Options vpdq.Options
	// TempDir is where a video is written for ffmpeg to read; empty means
	// the system's.
	TempDir string
}

// HashVideo writes data to a temporary file and hashes it.
func (h *VPDQHasher) HashVideo(ctx context.Context, data []byte) (string, error) {
	f, err := os.CreateTemp(h.TempDir, "marsad-video-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	fs, err := vpdq.HashFile(ctx, f.Name(), h.Options)
	if err != nil {
		return "", err
	}
	return string(vpdq.Marshal(fs)), nil
}

// HashAnimation hashes the frames of an animated GIF as a video.
func (h *VPDQHasher) HashAnimation(data []byte) (string, bool, error) {
	fs, err := vpdq.HashAnimation(bytes.NewReader(data), h.Options)
	if errors.Is(err, vpdq.ErrStill) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(vpdq.Marshal(fs)), true, nil
}

// vpdqDigest is a vPDQ signal's value: the SHA-256 of the frame hashes.
func vpdqDigest(features string) string {
	sum := sha256.Sum256([]byte(features))
	return hex.EncodeToString(sum[:])
}

// hashVideo records the vPDQ hash of a video, or of an animated GIF, in m.
// A failure is recorded in m.Error; the file and its digests are kept.
func (p *Pipeline) hashVideo(m *model.Media, data []byte) {
	if p.Video == nil {
		return
	}
	switch {
	case m.Type == "video":
		text, err := p.Video.HashVideo(context.Background(), data)
		if err != nil {
			m.Error = joinErr(m.Error, "video hash: "+err.Error())
			return
		}
		m.VPDQ = text
	case m.Type == "image" && bytes.HasPrefix(data, []byte("GIF8")):
		text, ok, err := p.Video.HashAnimation(data)
		if err != nil {
			m.Error = joinErr(m.Error, "animation hash: "+err.Error())
			return
		}
		if ok {
			m.VPDQ = text
		}
	}
}

func joinErr(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// matchVideo matches the vPDQ hash of the post's media whose digest is sg.Value.
func (p *Pipeline) matchVideo(ctx context.Context, post *model.Post, sg model.Signal) ([]model.Match, error) {
	if p.VideoNear == nil {
		return nil, nil
	}
	for _, m := range post.Media {
		if m.VPDQ != "" && vpdqDigest(m.VPDQ) == sg.Value {
			ms, err := p.VideoNear.MatchVPDQ(ctx, m.VPDQ)
			if err != nil {
				return nil, fmt.Errorf("vpdq: %w", err)
			}
			return ms, nil
		}
	}
	return nil, nil
}
