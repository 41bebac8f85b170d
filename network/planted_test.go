package network

import (
	"reflect"
	"testing"
	"time"
)

func TestGeneratePlantedIsReproducible(t *testing.T) {
	c := PlantedConfig{Seed: 5, Organic: 100, OrganicPosts: 1000}
	a, b := GeneratePlanted(c), GeneratePlanted(c)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same config gave different data sets")
	}
	if len(a.Coordinated) != 50 || a.Organic != 100 {
		t.Fatalf("%d planted, %d organic; want 50 and 100", len(a.Coordinated), a.Organic)
	}
	if other := GeneratePlanted(PlantedConfig{Seed: 6, Organic: 100, OrganicPosts: 1000}); reflect.DeepEqual(a.Shares, other.Shares) {
		t.Fatal("different seeds gave the same shares")
	}
}

// TestPlantedRecall checks that the planted networks are found with few
// organic accounts at the settings docs/network.md recommends, and that a
// loose setting lets chance co-shares of popular URLs in (so the data set
// is hard enough to tell settings apart). CooRTweet's rules keep every
// partner of an account that passes, so they let more organic accounts in
// than the strict variant.
func TestPlantedRecall(t *testing.T) {
	p := GeneratePlanted(PlantedConfig{Seed: 1, Organic: 1000, OrganicPosts: 20000})
	cases := []struct {
		opts          Options
		minRecall     float64
		maxFPRate     float64
		wantManyFalse bool
	}{
		{Options{Window: 10 * time.Second, MinParticipation: 5, Strict: true}, 0.8, 0.005, false},
		{Options{Window: 30 * time.Second, MinParticipation: 5, Strict: true}, 0.9, 0.02, false},
		{Options{Window: 5 * time.Minute, MinParticipation: 2, Strict: true}, 0.99, 1, true},
		{Options{Window: 10 * time.Second, MinParticipation: 5}, 0.9, 0.03, false},
		{Options{Window: 10 * time.Second, MinParticipation: 5, MinWeight: 2}, 0.9, 0.005, false},
		{Options{Window: 30 * time.Second, MinParticipation: 5}, 0.9, 1, true},
		{Options{Window: 30 * time.Second, MinParticipation: 5, MinWeight: 2}, 0.9, 0.005, false},
	}
	for _, c := range cases {
		_, g, err := Detect(p.Shares, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		s := p.Score(g, nil)
		t.Logf("%s min %d weight %d strict %v: recall %.3f, %d false positives (rate %.4f)", c.opts.Window, c.opts.MinParticipation, c.opts.MinWeight, c.opts.Strict, s.Recall, s.FalsePositives, s.FalsePositiveRate)
		if s.Recall < c.minRecall || s.FalsePositiveRate > c.maxFPRate {
			t.Errorf("%+v: recall %.3f (want >= %.2f), false-positive rate %.4f (want <= %.3f)", c.opts, s.Recall, c.minRecall, s.FalsePositiveRate, c.maxFPRate)
		}
		if c.wantManyFalse && s.FalsePositiveRate < 0.1 {
			t.Errorf("%+v: only %.4f of organic accounts found; the data set no longer tests chance co-shares", c.opts, s.FalsePositiveRate)
		}
	}
}

func TestStreamPlantedEqualsGenerate(t *testing.T) {
	c := PlantedConfig{Seed: 3, Organic: 50, OrganicPosts: 700, Networks: 2}
	var got []Share
	batches := 0
	err := StreamPlanted(c, 64, func(b []Share) error {
		if len(b) > 64 {
			t.Fatalf("batch of %d, want at most 64", len(b))
		}
		batches++
		got = append(got, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := GeneratePlanted(c).Shares; !reflect.DeepEqual(got, want) || batches < 2 {
		t.Fatalf("streamed %d shares in %d batches, generated %d; or they differ", len(got), batches, len(want))
	}
}
