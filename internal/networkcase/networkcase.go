// Package networkcase finds coordinated networks among stored posts and
// turns each into a case of kind network: the accounts that pushed the same
// links, media or texts within seconds of each other, what they shared and
// how much of it was already flagged.
package networkcase

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/mih"
	"github.com/marsad/marsad/network"
)

// Options tune detection from the store.
type Options struct {
	Network network.Options
	// Since limits detection to posts at or after this time; zero means all.
	Since time.Time
	// MinAccounts is the smallest community that becomes a case. Default 3.
	MinAccounts int
	// PDQRadius groups images whose PDQ hashes are within this distance as
	// one object. Default 31.
	PDQRadius int
	// Texts adds near-duplicate texts as shared objects.
	Texts bool
	// Text tunes near-duplicate text grouping.
	Text network.TextOptions
	// Types keeps only these object types (of ObjectTypes); empty keeps all.
	Types []string
	// Seed makes community detection reproducible.
	Seed uint64
	// Resolution is the community resolution; 0 means 1.
	Resolution float64
}

// ObjectTypes are the object types read from the store: canonical URLs,
// media by SHA-256, images grouped by PDQ distance, near-duplicate texts.
var ObjectTypes = []string{"url", "media", "phash", "text"}

// Report says what a run found.
type Report struct {
	Shares      int
	Accounts    int
	Edges       int
	Communities int
	Opened      int // new network cases
	Updated     int // existing networks refreshed
	// Types counts the shares per object type.
	Types map[string]int

	// Saved lists the networks saved, in rank order, each with its case.
	Saved []Saved
	// Detector, Graph and Ranked are what the networks were saved from
	// (every community, ranked, small ones included), for exports.
	Detector *network.Detector
	Graph    *network.Graph
	Ranked   []network.Community
}

// Saved is one network a run saved and the case that holds it.
type Saved struct {
	Network *model.Network
	CaseID  int64
	Opened  bool // a new network, not an update of a stored one
}

func (r Report) String() string {
	return fmt.Sprintf("%d shares, %d coordinated accounts, %d edges, %d communities: %d network cases opened, %d updated",
		r.Shares, r.Accounts, r.Edges, r.Communities, r.Opened, r.Updated)
}

// Shares reads the stored posts as shares: canonical URLs, media (SHA-256,
// and PDQ hashes grouped by distance), and near-duplicate texts.
// Accounts are "platform:author".
func Shares(ctx context.Context, s *store.Store, opt Options) ([]network.Share, error) {
	for _, t := range opt.Types {
		if !slices.Contains(ObjectTypes, t) {
			return nil, fmt.Errorf("object type %q: the store has %s", t, strings.Join(ObjectTypes, ", "))
		}
	}
	rows, err := s.ShareRows(ctx, opt.Since)
	if err != nil {
		return nil, err
	}
	keep := func(typ string) bool { return len(opt.Types) == 0 || slices.Contains(opt.Types, typ) }
	var shares []network.Share
	var pdqs []string
	for _, r := range rows {
		typ := string(r.Type)
		switch r.Type {
		case model.SignalSHA256:
			typ = "media"
		case model.SignalPDQ:
			typ = "phash"
		}
		if !keep(typ) {
			continue
		}
		if typ == "phash" {
			pdqs = append(pdqs, r.Value)
		}
		shares = append(shares, network.Share{Account: r.Platform + ":" + r.Author, Object: r.Value, ObjectType: typ, Time: r.PostedAt, Post: strconv.FormatInt(r.PostID, 10)})
	}
	if len(pdqs) > 0 {
		shares = network.Regroup(shares, "phash", groupPDQ(pdqs, opt.PDQRadius))
	}
	if opt.Texts && keep("text") {
		var after int64
		for {
			ps, err := s.Posts(ctx, store.PostFilter{AfterID: after, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				// A post whose time is unknown cannot be placed in a
				// co-sharing window (store.ShareRows leaves it out too).
				if p.Author == "" || p.Text == "" || p.PostedAtUnknown || p.PostedAt.Before(opt.Since) {
					continue
				}
				shares = append(shares, network.Share{Account: p.Platform + ":" + p.Author, Object: p.Text, ObjectType: "text", Time: p.PostedAt, Post: strconv.FormatInt(p.ID, 10)})
			}
			if len(ps) < 1000 {
				break
			}
			after = ps[len(ps)-1].ID
		}
		if shares, err = network.GroupTexts(shares, opt.Text); err != nil {
			return nil, err
		}
	}
	return shares, nil
}

// groupPDQ maps each hash to its group's representative: hashes within
// radius of each other, transitively, are one image.
func groupPDQ(hashes []string, radius int) map[string]string {
	if radius <= 0 {
		radius = 31
	}
	ix := mih.New()
	uniq := map[string]uint64{}
	var list []string
	for _, h := range hashes {
		if _, ok := uniq[h]; ok {
			continue
		}
		v, err := mih.ParseHex(h)
		if err != nil {
			continue
		}
		uniq[h] = uint64(len(list))
		ix.Add(uint64(len(list)), v)
		list = append(list, h)
	}
	return network.GroupObjects(list, func(h string) []string {
		v, _ := mih.ParseHex(h)
		var out []string
		for _, r := range ix.Radius(v, radius) {
			out = append(out, list[r.ID])
		}
		return out
	})
}

// Run detects networks among the stored posts and saves each community of
// at least MinAccounts accounts as a network with its case. A community that
// shares at least half its accounts with a stored network updates that one,
// so running it again does not open the same case twice.
func Run(ctx context.Context, s *store.Store, opt Options) (Report, error) {
	if opt.MinAccounts <= 0 {
		opt.MinAccounts = 3
	}
	var rep Report
	shares, err := Shares(ctx, s, opt)
	if err != nil {
		return rep, err
	}
	rep.Shares = len(shares)
	rep.Types = map[string]int{}
	for _, sh := range shares {
		rep.Types[sh.ObjectType]++
	}
	d, g, err := network.Detect(shares, opt.Network)
	if err != nil {
		return rep, err
	}
	rep.Detector, rep.Graph = d, g
	rep.Accounts, rep.Edges = len(g.Accounts), len(g.Edges)
	flaggedPosts, err := s.FlaggedPosts(ctx)
	if err != nil {
		return rep, err
	}
	// An object is flagged when a post carrying it has a case.
	flagged := map[network.Key]bool{}
	posts := map[network.Key][]int64{}
	for _, sh := range shares {
		k := network.Key{Type: sh.ObjectType, Object: sh.Object}
		id, _ := strconv.ParseInt(sh.Post, 10, 64)
		posts[k] = append(posts[k], id)
		if flaggedPosts[id] {
			flagged[k] = true
		}
	}
	cs, err := network.Communities(g, network.CommunityOptions{Seed: opt.Seed, Resolution: opt.Resolution, Flagged: func(k network.Key) bool { return flagged[k] }})
	if err != nil {
		return rep, err
	}
	rep.Ranked = cs
	existing, err := s.Networks(ctx, 10000)
	if err != nil {
		return rep, err
	}
	for _, c := range cs {
		if len(c.Accounts) < opt.MinAccounts {
			continue
		}
		rep.Communities++
		n := toNetwork(c, g, posts, shares)
		opened := true
		if id := sameNetwork(existing, c.Accounts); id != 0 {
			n.ID = id
			rep.Updated++
			opened = false
		} else {
			rep.Opened++
		}
		nc := networkCase(n, c)
		if err := s.SaveNetwork(ctx, n, nc); err != nil {
			return rep, err
		}
		rep.Saved = append(rep.Saved, Saved{Network: n, CaseID: nc.ID, Opened: opened})
		if n.ID != 0 {
			existing = append(existing, *n)
		}
	}
	if err := s.Audit(ctx, "network", "network.detect", "batch", rep.String()); err != nil {
		return rep, err
	}
	return rep, nil
}

func toNetwork(c network.Community, g *network.Graph, posts map[network.Key][]int64, shares []network.Share) *model.Network {
	in := map[string]bool{}
	for _, a := range c.Accounts {
		in[a] = true
	}
	n := &model.Network{Accounts: c.Accounts, Density: c.Density, MedianDelay: c.MedianDelay.Seconds(), Flagged: c.Flagged, Score: c.Score}
	for _, e := range g.Edges {
		if in[e.A] && in[e.B] {
			ne := model.NetworkEdge{A: e.A, B: e.B, Weight: e.Weight, Types: make(map[string]int, len(e.Types))}
			for _, tc := range e.Types {
				ne.Types[tc.Type] = tc.CoShares
			}
			n.Edges = append(n.Edges, ne)
		}
	}
	for _, k := range c.Objects {
		ps := posts[k]
		n.Objects = append(n.Objects, model.NetworkObject{Type: k.Type, Value: k.Object, Shares: len(ps), Posts: ps})
	}
	sort.Slice(n.Objects, func(i, j int) bool { return n.Objects[i].Shares > n.Objects[j].Shares })
	for _, sh := range shares {
		if !in[sh.Account] {
			continue
		}
		if n.FirstSeen.IsZero() || sh.Time.Before(n.FirstSeen) {
			n.FirstSeen = sh.Time
		}
		if sh.Time.After(n.LastSeen) {
			n.LastSeen = sh.Time
		}
	}
	return n
}

// sameNetwork returns the id of a stored network whose accounts overlap
// accounts by a Jaccard index of one half or more.
func sameNetwork(existing []model.Network, accounts []string) int64 {
	set := map[string]bool{}
	for _, a := range accounts {
		set[a] = true
	}
	best, bestID := 0.0, int64(0)
	for _, n := range existing {
		inter := 0
		for _, a := range n.Accounts {
			if set[a] {
				inter++
			}
		}
		j := float64(inter) / float64(len(set)+len(n.Accounts)-inter)
		if j >= 0.5 && j > best {
			best, bestID = j, n.ID
		}
	}
	return bestID
}

// networkCase is the case of a network: its priority grows with how much of
// what it shared was already flagged.
func networkCase(n *model.Network, c network.Community) *model.Case {
	detail := fmt.Sprintf("%d accounts co-shared %d items (median delay %.0fs, density %.2f); %.0f%% already flagged",
		len(n.Accounts), len(n.Objects), n.MedianDelay, n.Density, 100*n.Flagged)
	var ev []string
	for i, o := range n.Objects {
		if i == 5 {
			break
		}
		ev = append(ev, o.Type+": "+o.Value)
	}
	return &model.Case{
		Priority: 40 + int(40*n.Flagged),
		Labels:   []model.Label{},
		Platform: model.NetworkPlatforms(n.Accounts),
		Reasons: []model.Reason{{Kind: "network", Detail: detail, Score: c.Score, Evidence: ev,
			Accounts: len(n.Accounts), Items: len(n.Objects), MedianDelay: n.MedianDelay, Density: n.Density, Flagged: n.Flagged}},
	}
}
