package classifier

import "fmt"

// Label is what a text is about. The names are marsad's vocabulary; the
// package keeps its own copy so that it imports nothing from the application.
type Label string

// The labels the model scores. NewsReporting, CounterSpeech and None are
// protective: text carrying them is not terrorist content.
const (
	Incitement     Label = "incitement"
	Recruitment    Label = "recruitment"
	Financing      Label = "financing"
	Propaganda     Label = "propaganda"
	AttackPlanning Label = "attack_planning"
	NewsReporting  Label = "news_reporting"
	CounterSpeech  Label = "counter_speech"
	None           Label = "none"
)

// Labels lists every label in the order of Result.Scores.
var Labels = [NumLabels]Label{Incitement, Recruitment, Financing, Propaganda, AttackPlanning, NewsReporting, CounterSpeech, None}

// NumLabels is the number of labels.
const NumLabels = 8

// Harmful reports whether l makes content actionable.
func (l Label) Harmful() bool {
	switch l {
	case Incitement, Recruitment, Financing, Propaganda, AttackPlanning:
		return true
	}
	return false
}

// Index returns l's position in Labels, or -1.
func (l Label) Index() int {
	for i, k := range Labels {
		if k == l {
			return i
		}
	}
	return -1
}

// ParseLabel returns the label named s.
func ParseLabel(s string) (Label, error) {
	l := Label(s)
	if l.Index() < 0 {
		return "", fmt.Errorf("unknown label %q (want one of %v)", s, Labels)
	}
	return l, nil
}

// labelSet is a set of labels as a bit mask over Labels.
type labelSet uint16

func (s labelSet) has(i int) bool { return s&(1<<i) != 0 }

// withNone returns s, or the None bit when s is empty.
func (s labelSet) withNone() labelSet {
	if s == 0 {
		return 1 << None.Index()
	}
	return s
}

func (s labelSet) harmful() bool {
	for i, l := range Labels {
		if s.has(i) && l.Harmful() {
			return true
		}
	}
	return false
}

func (s labelSet) labels() []Label {
	var out []Label
	for i, l := range Labels {
		if s.has(i) {
			out = append(out, l)
		}
	}
	return out
}

func setOf(labels []Label) labelSet {
	var s labelSet
	for _, l := range labels {
		if i := l.Index(); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}
