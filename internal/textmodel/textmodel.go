// Package textmodel teaches the text model the unit's own dialects: every
// reviewer decision in the store is a labelled example. It turns decisions
// into training examples, trains and measures a model on them beside the
// built-in training data, keeps the models in the store's registry and
// switches the pipeline's live model when an admin activates one. The CLI
// and the web UI call it; the rules live only here.
package textmodel

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/marsad/marsad/classifier"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/langid"
)

// SourceName is the Source of every example made from a decision.
const SourceName = "decisions"

// DecisionWeight is the training weight of a decision example. A unit's
// own decisions are its best evidence: they are labelled one post at a
// time by trained reviewers, on the very platforms, dialects and topics the
// unit watches, where the public data sets are noisier and from elsewhere.
// Four is the weight the spec gives the project's own written examples.
const DecisionWeight = 4

// HeldBackPercent is the share of decided posts kept out of training to
// measure models on.
const HeldBackPercent = 20

// splitSeed fixes which decided posts are held back. It never changes, so
// a post held back once stays held back, and models trained at different
// times are measured on the same kind of sample.
const splitSeed = "marsad-decisions-1"

// Examples returns one example per decided case that has a post with
// text: the post's text with the labels of the case's latest decision (an
// appeal decision overrides the one appealed). Network cases, posts
// without text and cases whose appeal is still open are left out. Each
// example's Group is its post, and a seeded hash of the group puts it in
// the held-back split (classifier.SplitTest, HeldBackPercent of posts) or
// in classifier.SplitTrain.
func Examples(ctx context.Context, st *store.Store) ([]classifier.Example, error) {
	dcs, err := st.DecidedCases(ctx)
	if err != nil {
		return nil, err
	}
	lid, err := langid.Default()
	if err != nil {
		return nil, fmt.Errorf("decision examples: %w", err)
	}
	var out []classifier.Example
	for _, dc := range dcs {
		if dc.Kind == model.CaseNetwork || dc.PostID == 0 || dc.Text == "" {
			continue
		}
		// An appealed case waits for a second reviewer: its latest
		// decision is contested, so it teaches nothing until decided.
		if dc.State == model.CaseAppealed {
			continue
		}
		labels, err := classifierLabels(dc.Labels)
		if err != nil {
			return nil, fmt.Errorf("case %d: decision %d: %w", dc.CaseID, dc.DecisionID, err)
		}
		group := strconv.FormatInt(dc.PostID, 10)
		out = append(out, classifier.Example{
			Source: SourceName,
			ID:     fmt.Sprintf("case:%d", dc.CaseID),
			Text:   dc.Text,
			Lang:   lid.Identify(dc.Text),
			Labels: labels,
			// A post a reviewer called news or counter-speech must not be
			// flagged: evaluation counts it with the hard negatives.
			HardNegative: len(labels) > 0 && !anyHarmful(labels),
			Weight:       DecisionWeight,
			Split:        split(group),
			Group:        group,
		})
	}
	return out, nil
}

// classifierLabels maps decision labels onto the classifier's by name.
// "none" is the absence of labels to the classifier; protective labels
// stay, as the classifier learns them too.
func classifierLabels(ls []model.Label) ([]classifier.Label, error) {
	var out []classifier.Label
	seen := map[classifier.Label]bool{}
	for _, l := range ls {
		cl, err := classifier.ParseLabel(string(l))
		if err != nil {
			return nil, err
		}
		if cl == classifier.None || seen[cl] {
			continue
		}
		seen[cl] = true
		out = append(out, cl)
	}
	return out, nil
}

func anyHarmful(ls []classifier.Label) bool {
	for _, l := range ls {
		if l.Harmful() {
			return true
		}
	}
	return false
}

// split puts a group in the held-back or the training split.
func split(group string) classifier.Split {
	h := fnv.New64a()
	h.Write([]byte(splitSeed))
	h.Write([]byte{0})
	h.Write([]byte(group))
	if h.Sum64()%100 < HeldBackPercent {
		return classifier.SplitTest
	}
	return classifier.SplitTrain
}
