package source

import "sort"

// DefaultKinds are the kinds marsad collects from.
func DefaultKinds() map[string]Kind {
	return map[string]Kind{
		"feed":     FeedKind,
		"telegram": TelegramKind,
		"x-search": XSearchKind,
	}
}

// KindNames lists the names of kinds, sorted.
func KindNames(kinds map[string]Kind) []string {
	var out []string
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
