// Package network finds accounts that spread the same content together.
//
// Two accounts are linked when they share the same object (a canonical URL, a
// media hash, a hashtag sequence, a near-duplicate text cluster) within a time
// window of each other. Edges count co-shares; CooRTweet's minimum
// participation filter, per object type, drops chance co-occurrence; Leiden
// communities on the weighted account graph are ranked by size, density,
// speed and how much of their content was already flagged.
//
// The semantics are CooRTweet 2.1.3's (detect_groups and
// generate_coordinated_network, read from its R code) and are written down
// exactly in SEMANTICS.md with the R lines they follow, so that the figures
// can be checked independently.
//
// The package imports nothing from marsad's internal packages: input is a
// plain []Share.
package network

import (
	"fmt"
	"time"
)

// Share is one account sharing one object at one time.
type Share struct {
	// Account is the sharing account's id.
	Account string
	// Object is what was shared: a canonical URL, a media hash, a hashtag
	// sequence or a near-duplicate text cluster id.
	Object string
	// ObjectType names the kind of Object ("url", "phash", "hashtag", "text",
	// ...). Objects of different types never co-share.
	ObjectType string
	// Time is when the share happened.
	Time time.Time
	// Post optionally identifies the post carrying the share, so that two
	// posts of one account at the same second stay two shares and a case can
	// list its posts. It may be empty: an empty Post is a post of its own,
	// equal to no other share's post, unless HasPost is set.
	Post string
	// HasPost says that Post is the post's id even when it is empty. A file
	// with a content_id column and an empty cell sets it: CooRTweet reads
	// such a cell as the id "", one post for every such row, so two of
	// them never co-share (they are the same post). Only needed when Post
	// is empty.
	HasPost bool
}

// Key identifies a shared object: its type and its value.
type Key struct {
	Type   string `json:"type"`
	Object string `json:"object"`
}

// String returns "type:object".
func (k Key) String() string { return k.Type + ":" + k.Object }

// validate reports the first missing field of s.
func (s Share) validate() error {
	switch {
	case s.Account == "":
		return fmt.Errorf("share has no account")
	case s.Object == "":
		return fmt.Errorf("share of account %q has no object", s.Account)
	case s.Time.IsZero():
		return fmt.Errorf("share of account %q, object %q has no time", s.Account, s.Object)
	case s.Time.Year() < 1678 || s.Time.Year() > 2261:
		// Outside these years Unix nanoseconds overflow int64.
		return fmt.Errorf("share of account %q, object %q: time %s out of range", s.Account, s.Object, s.Time.Format(time.RFC3339))
	}
	return nil
}
