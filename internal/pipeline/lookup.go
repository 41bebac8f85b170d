package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/vpdq"
)

// FileHash is the perceptual hash of one file looked up against the banks
// (marsad match, the API's match endpoint): PDQ for a still image, vPDQ
// for a video or an animated GIF, as the file would be hashed at ingest.
type FileHash struct {
	// Type is model.SignalPDQ or model.SignalVPDQ.
	Type model.SignalType
	// Hash is the PDQ hash (64 hex characters), or for vPDQ the SHA-256 of
	// the frame hashes: the value of a post's vpdq signal.
	Hash string
	// Quality is the PDQ quality of an image.
	Quality int
	// VPDQ is a video's frame hashes in ThreatExchange's file format
	// (frame,quality,pdq_hex,seconds a line); Frames counts them.
	VPDQ   string
	Frames int
}

// ErrNoVideoHashing is returned (wrapped) for a video looked up where
// videos cannot be hashed: ffmpeg is not installed.
var ErrNoVideoHashing = errors.New("videos cannot be hashed here: " + vpdq.ErrNoFFmpeg.Error())

// ErrNotMedia is returned (wrapped) for a file that is neither an image
// nor a video.
var ErrNotMedia = errors.New("not an image or a video")

// HashFile hashes a file given for lookup. An animated GIF is hashed with
// vPDQ (it needs no ffmpeg); a GIF of one frame, like any still image,
// with PDQ.
func (p *Pipeline) HashFile(ctx context.Context, data []byte) (FileHash, error) {
	switch MediaType(data) {
	case "video":
		if p.Video == nil {
			return FileHash{}, ErrNoVideoHashing
		}
		text, err := p.Video.HashVideo(ctx, data)
		if err != nil {
			return FileHash{}, fmt.Errorf("video: %w", err)
		}
		return videoHash(text), nil
	case "image":
		if bytes.HasPrefix(data, []byte("GIF8")) {
			text, ok, err := p.animation(data)
			if err != nil {
				return FileHash{}, fmt.Errorf("animation: %w", err)
			}
			if ok {
				return videoHash(text), nil
			}
		}
		if p.Hasher == nil {
			return FileHash{}, errors.New("images cannot be hashed here")
		}
		h, q, err := p.Hasher.HashImage(bytes.NewReader(data))
		if err != nil {
			return FileHash{}, err
		}
		return FileHash{Type: model.SignalPDQ, Hash: h, Quality: q}, nil
	}
	head := data[:min(len(data), 8)]
	return FileHash{}, fmt.Errorf("%w (starts with %q)", ErrNotMedia, head)
}

// animation hashes an animated GIF with the configured video hasher, or
// with vpdq's defaults when there is none (GIFs need no ffmpeg).
func (p *Pipeline) animation(data []byte) (string, bool, error) {
	if p.Video != nil {
		return p.Video.HashAnimation(data)
	}
	return (&VPDQHasher{}).HashAnimation(data)
}

func videoHash(features string) FileHash {
	return FileHash{Type: model.SignalVPDQ, Hash: vpdqDigest(features), VPDQ: features,
		Frames: strings.Count(features, "\n")}
}

// MatchFile returns the bank entries a looked-up file's hash matches:
// within the PDQ distance for an image, under vPDQ's rule for a video.
func (p *Pipeline) MatchFile(ctx context.Context, h FileHash) ([]model.Match, error) {
	switch h.Type {
	case model.SignalVPDQ:
		if p.VideoNear == nil {
			return nil, errors.New("video banks are not loaded here")
		}
		return p.VideoNear.MatchVPDQ(ctx, h.VPDQ)
	default:
		if p.Near == nil {
			return nil, errors.New("image banks are not loaded here")
		}
		return p.Near.MatchPDQ(ctx, h.Hash)
	}
}
