package network

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// PlantedConfig describes a synthetic data set: organic accounts sharing
// popular URLs at random times, with planted networks of accounts that share
// in bursts. Zero values take the defaults noted.
type PlantedConfig struct {
	Seed uint64
	// Organic accounts (default 2000) share OrganicPosts URLs (default
	// 40000) drawn from Popular URLs (default 500) with Zipf popularity, at
	// uniformly random times over Span (default 7 days).
	Organic, OrganicPosts, Popular int
	Span                           time.Duration
	// Networks planted networks (default 5) of NetworkSize accounts each
	// (default 10) run Bursts bursts (default 8). In a burst each member
	// shares, with probability Participation (default 0.8), the same URL
	// within BurstSpread (default 30 s) of the burst start. Half the bursts
	// push a popular URL, half a campaign URL of their own. Members also
	// share 5 popular URLs at random times, as organic accounts do.
	Networks, NetworkSize, Bursts int
	BurstSpread                   time.Duration
	Participation                 float64
}

func (c PlantedConfig) withDefaults() PlantedConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Organic, 2000)
	def(&c.OrganicPosts, 40000)
	def(&c.Popular, 500)
	def(&c.Networks, 5)
	def(&c.NetworkSize, 10)
	def(&c.Bursts, 8)
	if c.Span == 0 {
		c.Span = 7 * 24 * time.Hour
	}
	if c.BurstSpread == 0 {
		c.BurstSpread = 30 * time.Second
	}
	if c.Participation == 0 {
		c.Participation = 0.8
	}
	return c
}

// ScaledConfig returns a PlantedConfig of about posts shares at a constant
// rate (one organic share every 3 s, 20 shares per organic account, one
// popular URL per 50 shares, one network of 10 per 20000 shares), so that
// growth with size measures the algorithm, not a denser stream.
func ScaledConfig(posts int, seed uint64) PlantedConfig {
	return PlantedConfig{
		Seed: seed, OrganicPosts: posts, Organic: max(1, posts/20), Popular: max(1, posts/50),
		Span: time.Duration(posts) * 3 * time.Second, Networks: max(1, posts/20000),
	}
}

// Planted is a generated data set and its truth.
type Planted struct {
	Shares []Share
	// Coordinated holds the planted accounts.
	Coordinated map[string]bool
	// Organic is the number of organic accounts.
	Organic int
}

// GeneratePlanted builds the data set c describes. The same config gives the
// same shares.
func GeneratePlanted(c PlantedConfig) Planted {
	c = c.withDefaults()
	p := Planted{Coordinated: map[string]bool{}, Organic: c.Organic}
	p.Shares = make([]Share, 0, c.OrganicPosts+c.Networks*c.NetworkSize*(c.Bursts+5))
	c.stream(1<<16, p.Coordinated, func(batch []Share) error {
		p.Shares = append(p.Shares, batch...)
		return nil
	})
	return p
}

// StreamPlanted generates the shares of GeneratePlanted(c), in the same
// order, and hands them to fn in batches of about batch shares, so that a
// large synthetic set need not be held in memory. fn must not keep the
// slice; an error from fn stops the generation and is returned.
func StreamPlanted(c PlantedConfig, batch int, fn func([]Share) error) error {
	return c.withDefaults().stream(max(batch, 1), nil, fn)
}

func (c PlantedConfig) stream(batch int, coordinated map[string]bool, fn func([]Share) error) error {
	rng := rand.New(rand.NewPCG(c.Seed, 0x706c616e746564))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(c.Popular-1))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func() time.Time { return start.Add(time.Duration(rng.Int64N(int64(c.Span)))) }
	popular := func() string { return fmt.Sprintf("https://news.example/%d", zipf.Uint64()) }
	buf := make([]Share, 0, batch)
	emit := func(s Share) error {
		buf = append(buf, s)
		if len(buf) < batch {
			return nil
		}
		err := fn(buf)
		buf = buf[:0]
		return err
	}
	for i := range c.OrganicPosts {
		if err := emit(Share{
			Account: fmt.Sprintf("org%d", rng.IntN(c.Organic)), Object: popular(), ObjectType: "url",
			Time: at(), Post: fmt.Sprintf("o%d", i),
		}); err != nil {
			return err
		}
	}
	for n := range c.Networks {
		members := make([]string, c.NetworkSize)
		for m := range members {
			members[m] = fmt.Sprintf("net%d-%d", n, m)
			if coordinated != nil {
				coordinated[members[m]] = true
			}
			for k := range 5 {
				if err := emit(Share{Account: members[m], Object: popular(), ObjectType: "url", Time: at(), Post: fmt.Sprintf("n%d-%d-bg%d", n, m, k)}); err != nil {
					return err
				}
			}
		}
		for b := range c.Bursts {
			obj := popular()
			if rng.IntN(2) == 0 {
				obj = fmt.Sprintf("https://campaign%d.example/%d", n, b)
			}
			t0 := at()
			for m, acct := range members {
				if rng.Float64() >= c.Participation {
					continue
				}
				t := t0.Add(time.Duration(rng.Int64N(int64(c.BurstSpread) + 1)))
				if err := emit(Share{Account: acct, Object: obj, ObjectType: "url", Time: t, Post: fmt.Sprintf("n%d-%d-b%d", n, m, b)}); err != nil {
					return err
				}
			}
		}
	}
	if len(buf) == 0 {
		return nil
	}
	return fn(buf)
}

// PlantedScore compares a graph's accounts with the planted truth.
type PlantedScore struct {
	Planted, Found     int     // planted accounts; planted accounts in the graph
	FalsePositives     int     // organic accounts in the graph
	Recall             float64 // Found / Planted
	Precision          float64 // Found / accounts in the graph (1 when empty)
	FalsePositiveRate  float64 // FalsePositives / organic accounts
	PlantedCommunities int     // communities holding at least one planted account
	MixedCommunities   int     // communities holding planted and organic accounts
}

// Score measures g (and its communities cs, which may be nil) against p.
func (p Planted) Score(g *Graph, cs []Community) PlantedScore {
	s := PlantedScore{Planted: len(p.Coordinated)}
	for _, a := range g.Accounts {
		if p.Coordinated[a.ID] {
			s.Found++
		} else {
			s.FalsePositives++
		}
	}
	if s.Planted > 0 {
		s.Recall = float64(s.Found) / float64(s.Planted)
	}
	s.Precision = 1
	if n := len(g.Accounts); n > 0 {
		s.Precision = float64(s.Found) / float64(n)
	}
	if p.Organic > 0 {
		s.FalsePositiveRate = float64(s.FalsePositives) / float64(p.Organic)
	}
	for _, c := range cs {
		planted, organic := 0, 0
		for _, a := range c.Accounts {
			if p.Coordinated[a] {
				planted++
			} else {
				organic++
			}
		}
		if planted > 0 {
			s.PlantedCommunities++
			if organic > 0 {
				s.MixedCommunities++
			}
		}
	}
	return s
}
