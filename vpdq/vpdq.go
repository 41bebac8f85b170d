// Package vpdq implements vPDQ, ThreatExchange's video similarity hash: a
// video is sampled (by default one frame a second), each frame is hashed
// with PDQ, and two videos match when enough of their frames are within a
// PDQ distance of a frame of the other.
//
// The package follows facebook/ThreatExchange's vpdq/ C++ reference and
// python-threatexchange's vPDQ signal type; FORMAT.md names the upstream
// file and line behind each rule. It depends only on the pdq and mih
// packages, and on the ffmpeg and ffprobe commands for decoding video.
package vpdq

import (
	"slices"

	"github.com/marsad/marsad/pdq"
)

// Defaults of the match rule, python-threatexchange's
// (threatexchange/extensions/vpdq/vpdq_util.py, lines 15-18).
const (
	// DistanceThreshold is the largest PDQ distance at which two frames match.
	DistanceThreshold = 31
	// QualityThreshold is the smallest PDQ quality a frame needs to be compared.
	QualityThreshold = 50
	// QueryMatchPercent is how much of the query's frames must match.
	QueryMatchPercent = 80.0
	// TargetMatchPercent is how much of the banked video's frames must match.
	TargetMatchPercent = 0.0
	// SecondsPerHash is how often a frame is sampled by default.
	SecondsPerHash = 1.0
)

// Feature is one hashed frame of a video.
type Feature struct {
	// Frame is the frame's number in decoding order, from 0.
	Frame int
	// Quality is the PDQ quality of the frame, 0 to 100.
	Quality int
	// Hash is the frame's PDQ hash.
	Hash pdq.Hash
	// Timestamp is where the frame is in the video, in seconds.
	Timestamp float64
}

// Dedupe returns the features whose hash has not been seen earlier in fs,
// keeping the first of each: python-threatexchange removes every repeated
// hash, not only consecutive ones (vpdq_util.py, lines 86-101).
func Dedupe(fs []Feature) []Feature {
	seen := make(map[pdq.Hash]bool, len(fs))
	out := make([]Feature, 0, len(fs))
	for _, f := range fs {
		if seen[f.Hash] {
			continue
		}
		seen[f.Hash] = true
		out = append(out, f)
	}
	return out
}

// FilterQuality returns the features of quality at least min
// (vpdq_util.py, lines 104-116; matchTwoHash.cpp, line 33).
func FilterQuality(fs []Feature, min int) []Feature {
	out := make([]Feature, 0, len(fs))
	for _, f := range fs {
		if f.Quality >= min {
			out = append(out, f)
		}
	}
	return out
}

// Prepare is the form a hash is matched in: duplicates removed, then
// frames under the quality threshold dropped, in the order
// python-threatexchange's brute-force matcher uses
// (vpdq_brute_matcher.py, lines 58-59).
func Prepare(fs []Feature, minQuality int) []Feature {
	return FilterQuality(Dedupe(fs), minQuality)
}

// Duration is the timestamp of the last feature, in seconds: how much of the
// video the hash covers.
func Duration(fs []Feature) float64 {
	d := 0.0
	for _, f := range fs {
		d = max(d, f.Timestamp)
	}
	return d
}

// sortByTime orders features by timestamp, then frame number.
func sortByTime(fs []Feature) {
	slices.SortStableFunc(fs, func(a, b Feature) int {
		switch {
		case a.Timestamp < b.Timestamp:
			return -1
		case a.Timestamp > b.Timestamp:
			return 1
		}
		return a.Frame - b.Frame
	})
}
