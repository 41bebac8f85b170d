package vpdq

import "github.com/marsad/marsad/pdq"

// Rule holds the thresholds of the match rule. The zero value means
// ThreatExchange's defaults.
type Rule struct {
	// Distance is the largest PDQ distance at which two frames match
	// (default DistanceThreshold).
	Distance int
	// Quality is the smallest frame quality compared (default QualityThreshold).
	Quality int
	// QueryPercent is the share of the query's frames that must match a
	// frame of the target (default QueryMatchPercent).
	QueryPercent float64
	// TargetPercent is the share of the target's frames that must match a
	// frame of the query (default TargetMatchPercent).
	TargetPercent float64
}

// DefaultRule is ThreatExchange's rule: distance 31, quality 50, 80% of the
// query's frames, 0% of the target's.
var DefaultRule = Rule{Distance: DistanceThreshold, Quality: QualityThreshold, QueryPercent: QueryMatchPercent, TargetPercent: TargetMatchPercent}

func (r Rule) orDefault() Rule {
	if r == (Rule{}) {
		return DefaultRule
	}
	return r
}

// Span is a stretch of a video, in seconds from its start.
type Span struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// Result is the outcome of comparing two vPDQ hashes.
type Result struct {
	// QueryPercent is the share (0-100) of the query's distinct,
	// good-quality frames within the distance of some target frame.
	QueryPercent float64
	// TargetPercent is the same share of the target's frames.
	TargetPercent float64
	// QueryFrames and TargetFrames count the frames compared on each side
	// (after removing duplicates and low-quality frames); QueryMatched and
	// TargetMatched count those that matched.
	QueryFrames, TargetFrames   int
	QueryMatched, TargetMatched int
	// Match reports whether both shares reach the rule's thresholds.
	Match bool
	// QuerySpans and TargetSpans are where the matching frames are in each
	// video: runs of consecutive compared frames that all matched.
	QuerySpans, TargetSpans []Span
}

// Match compares a query video's hash with a target's (a banked video) by
// ThreatExchange's rule: each side's distinct, good-quality frames are
// compared with the other side's, a frame matches when some frame of the
// other side is within the distance, and the videos match when the query's
// and the target's matched shares reach the thresholds
// (vpdq_brute_matcher.py, lines 26-69; vpdq.py, lines 80-90). The distance
// test is "<=" as in python-threatexchange (vpdq_brute_matcher.py, line 28);
// the C++ matcher tests "<" (matchTwoHash.cpp, line 64). When either side
// has no frame left to compare, both shares are 0, as in the C++ reference
// (matchTwoHash.cpp, lines 91-96).
func Match(query, target []Feature, rule Rule) Result {
	rule = rule.orDefault()
	q := Prepare(query, rule.Quality)
	t := Prepare(target, rule.Quality)
	qm := matched(q, t, rule.Distance)
	tm := matched(t, q, rule.Distance)
	return result(q, t, qm, tm, rule)
}

func result(q, t []Feature, qm, tm []bool, rule Rule) Result {
	res := Result{QueryFrames: len(q), TargetFrames: len(t)}
	if len(q) == 0 || len(t) == 0 {
		return res
	}
	res.QueryMatched, res.TargetMatched = count(qm), count(tm)
	res.QueryPercent = float64(res.QueryMatched) * 100 / float64(len(q))
	res.TargetPercent = float64(res.TargetMatched) * 100 / float64(len(t))
	res.Match = res.QueryMatched > 0 && res.QueryPercent >= rule.QueryPercent && res.TargetPercent >= rule.TargetPercent
	res.QuerySpans = spans(q, qm)
	res.TargetSpans = spans(t, tm)
	return res
}

// matched reports, for each frame of a, whether some frame of b is within d.
func matched(a, b []Feature, d int) []bool {
	out := make([]bool, len(a))
	for i := range a {
		for j := range b {
			if pdq.Distance(a[i].Hash, b[j].Hash) <= d {
				out[i] = true
				break
			}
		}
	}
	return out
}

func count(m []bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// spans merges the matched frames of fs into runs, in time order. A run
// ends at the first compared frame that did not match.
func spans(fs []Feature, m []bool) []Span {
	idx := make([]Feature, len(fs))
	copy(idx, fs)
	mark := make(map[Feature]bool, len(fs))
	for i, f := range fs {
		mark[f] = m[i]
	}
	sortByTime(idx)
	var out []Span
	open := false
	for _, f := range idx {
		if !mark[f] {
			open = false
			continue
		}
		if open {
			out[len(out)-1].End = f.Timestamp
			continue
		}
		out = append(out, Span{Start: f.Timestamp, End: f.Timestamp})
		open = true
	}
	return out
}
