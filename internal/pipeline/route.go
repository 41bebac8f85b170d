package pipeline

import (
	"fmt"
	"sort"

	"github.com/marsad/marsad/internal/model"
)

// Priorities of cases: a bank match whose owner allows automatic action
// comes first, then other bank matches, then high scores for incitement and
// attack planning, then the rest.
const (
	PriorityAutoMatch = 100
	PriorityMatch     = 80
	priorityUrgent    = 60 // + up to 20 by score
	priorityScore     = 40 // + up to 20 by score
)

// Route decides whether a post needs a human and, if so, builds its case:
// labels, reasons and priority. It returns nil when nothing needs review.
//
// A bank match always opens a case. A classifier score opens one only when
// it is over its label's threshold and no protective label (news reporting,
// counter-speech) scores higher: a report about terrorism is not terrorism.
func Route(matches []model.Match, scores []model.Score) *model.Case {
	c := &model.Case{State: model.CaseOpen}
	labels := map[model.Label]bool{}
	for _, m := range matches {
		p := PriorityMatch
		if m.AutoAction {
			p = PriorityAutoMatch
		}
		c.Priority = max(c.Priority, p)
		if m.Entry.Label != "" {
			labels[m.Entry.Label] = true
		}
		r := model.Reason{
			Kind: "match", Label: m.Entry.Label, Bank: m.BankName, EntryID: m.Entry.ID, Distance: m.Distance,
			Signal: m.Signal.Type, Video: m.Video,
			Detail: fmt.Sprintf("%s matched bank %q entry %d at distance %d", m.Signal.Type, m.BankName, m.Entry.ID, m.Distance),
		}
		if m.Video != nil {
			r.Detail = fmt.Sprintf("vpdq matched bank %q entry %d: %.0f%% of the video's frames, %.0f%% of the banked video's", m.BankName, m.Entry.ID, m.Video.QueryPercent, m.Video.BankPercent)
		}
		c.Reasons = append(c.Reasons, r)
	}
	var protective, harmful float64
	for _, s := range scores {
		if s.Score < s.Threshold {
			continue
		}
		if s.Label == model.NewsReporting || s.Label == model.CounterSpeech {
			protective = max(protective, s.Score)
		} else if s.Label.Harmful() {
			harmful = max(harmful, s.Score)
		}
	}
	if harmful > 0 && protective < harmful {
		for _, s := range scores {
			if !s.Label.Harmful() || s.Score < s.Threshold {
				continue
			}
			labels[s.Label] = true
			base := priorityScore
			if s.Label == model.Incitement || s.Label == model.AttackPlanning {
				base = priorityUrgent
			}
			c.Priority = max(c.Priority, base+int(20*s.Score))
			kind := "score"
			if s.Model == RulesModel {
				kind = "rule"
			}
			detail := fmt.Sprintf("%s %s scored %.2f (threshold %.2f)", s.Model, s.Label, s.Score, s.Threshold)
			if s.Source == model.ScoreFromImage {
				kind = model.ReasonTextInImage
				detail = fmt.Sprintf("text in image: %s %s scored %.2f (threshold %.2f)", s.Model, s.Label, s.Score, s.Threshold)
			}
			c.Reasons = append(c.Reasons, model.Reason{
				Kind: kind, Label: s.Label, Score: s.Score, Evidence: s.Evidence, Model: s.Model, Threshold: s.Threshold,
				Detail: detail,
			})
		}
	}
	if len(c.Reasons) == 0 {
		return nil
	}
	for l := range labels {
		c.Labels = append(c.Labels, l)
	}
	sort.Slice(c.Labels, func(i, j int) bool { return c.Labels[i] < c.Labels[j] })
	return c
}

// RulesModel names scores that come from explainable rules rather than the
// statistical model.
const RulesModel = "rules"
