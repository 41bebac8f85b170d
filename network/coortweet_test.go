package network

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// coortweetDir holds CooRTweet's sample data sets (see its SOURCE.md).
const coortweetDir = "../../shared/data/coortweet-coordination"

// selfCoordinated is the account SOURCE.md documents as CooRTweet's example
// of self-coordination.
const selfCoordinated = "9fa51ef17278c01d13d313741eddfc0b"

func loadCoortweet(t *testing.T, name string, types ...string) []Share {
	t.Helper()
	path := filepath.Join(coortweetDir, name)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("CooRTweet sample data not present (%v); it lives in ../shared/data", err)
	}
	defer f.Close()
	shares, _, err := ReadShares(context.Background(), f, path, ReadOptions{Format: "csv", Types: types})
	if err != nil {
		t.Fatal(err)
	}
	return shares
}

func hasAccount(g *Graph, id string) bool {
	_, ok := slices.BinarySearchFunc(g.Accounts, id, func(a Account, id string) int {
		switch {
		case a.ID < id:
			return -1
		case a.ID > id:
			return 1
		}
		return 0
	})
	return ok
}

func TestRussianSelfCoordination(t *testing.T) {
	shares := loadCoortweet(t, "russian_coord_tweets.csv")
	for _, keep := range []bool{false, true} {
		_, g, err := Detect(shares, Options{Window: 10 * time.Second, MinParticipation: 5, KeepLoops: keep})
		if err != nil {
			t.Fatal(err)
		}
		if got := hasAccount(g, selfCoordinated); got != keep {
			t.Errorf("loops kept %v: account %s present = %v, want %v", keep, selfCoordinated, got, keep)
		}
		if !keep {
			continue
		}
		loop := false
		for _, e := range g.Edges {
			loop = loop || (e.A == selfCoordinated && e.B == selfCoordinated && e.Weight >= 5)
		}
		if !loop {
			t.Errorf("account %s has no self-loop of weight >= 5", selfCoordinated)
		}
	}
}

// TestCoortweetFigures pins the figures reported in docs/network.md and
// checks each against the pair-by-pair oracle.
func TestCoortweetFigures(t *testing.T) {
	cases := []struct {
		file                    string
		types                   []string
		opts                    Options
		accounts, edges, groups int
	}{
		{"russian_coord_tweets.csv", nil, Options{Window: 10 * time.Second, MinParticipation: 5}, 0, 0, 0},
		{"russian_coord_tweets.csv", nil, Options{Window: 10 * time.Second, MinParticipation: 5, KeepLoops: true}, 1, 1, 1},
		{"russian_coord_tweets.csv", nil, Options{Window: 10 * time.Second, MinParticipation: 2}, 148, 111, 40},
		{"russian_coord_tweets.csv", nil, Options{Window: 10 * time.Second, MinParticipation: 2, KeepLoops: true}, 153, 118, 43},
		{"german_elections.csv", []string{"url"}, Options{Window: 60 * time.Second, MinParticipation: 2}, 479, 1597, 87},
		{"german_elections.csv", []string{"hashtag"}, Options{Window: 60 * time.Second, MinParticipation: 2}, 214, 321, 54},
		{"german_elections.csv", []string{"domain"}, Options{Window: 60 * time.Second, MinParticipation: 2}, 260, 530, 37},
		{"german_elections.csv", []string{"phash"}, Options{Window: 60 * time.Second, MinParticipation: 2}, 224, 388, 61},
	}
	loaded := map[string][]Share{}
	for _, c := range cases {
		key := c.file + "/all"
		if c.types != nil {
			key = c.file + "/" + c.types[0]
		}
		t.Run(key, func(t *testing.T) {
			shares, ok := loaded[key]
			if !ok {
				shares = loadCoortweet(t, c.file, c.types...)
				loaded[key] = shares
			}
			_, g, err := Detect(shares, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			groups := 0
			for _, n := range Components(g) {
				groups = max(groups, n)
			}
			if len(g.Accounts) != c.accounts || len(g.Edges) != c.edges || groups != c.groups {
				t.Errorf("%+v: %d accounts, %d edges, %d groups; want %d, %d, %d",
					c.opts, len(g.Accounts), len(g.Edges), groups, c.accounts, c.edges, c.groups)
			}
			if testing.Short() {
				return // the oracle is quadratic per object
			}
			if d := sameGraph(g, oracle(shares, c.opts)); d != "" {
				t.Errorf("differs from oracle: %s", d)
			}
		})
	}
}
