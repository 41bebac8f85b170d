package network_test

import (
	"fmt"
	"os"
	"time"

	"github.com/marsad/marsad/network"
)

func ExampleDetect() {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	share := func(account, url string, sec int) network.Share {
		return network.Share{Account: account, Object: url, ObjectType: "url", Time: t0.Add(time.Duration(sec) * time.Second)}
	}
	shares := []network.Share{
		// a and b push two links within seconds of each other; c joins
		// them within the window only once, which may be chance, but a
		// and b co-share often enough to keep every co-share they made
		// (CooRTweet's rule); a minimum edge weight of 2 leaves c out.
		share("a", "https://x.example/1", 0), share("b", "https://x.example/1", 4), share("c", "https://x.example/1", 9),
		share("a", "https://x.example/2", 600), share("b", "https://x.example/2", 602), share("c", "https://x.example/2", 650),
		// d shares the first link an hour later: no co-share.
		share("d", "https://x.example/1", 3600),
	}
	_, g, err := network.Detect(shares, network.Options{Window: 30 * time.Second, MinParticipation: 2})
	if err != nil {
		panic(err)
	}
	for _, e := range g.Edges {
		fmt.Printf("%s-%s weight %d, %d objects, median delay %s\n", e.A, e.B, e.Weight, len(e.Objects), e.MedianDelay)
	}
	_, g, _ = network.Detect(shares, network.Options{Window: 30 * time.Second, MinParticipation: 2, MinWeight: 2})
	cs, _ := network.Communities(g, network.CommunityOptions{})
	fmt.Println("with min weight 2, community 1:", cs[0].Accounts)
	// Output:
	// a-b weight 2, 2 objects, median delay 3s
	// a-c weight 1, 1 objects, median delay 9s
	// b-c weight 1, 1 objects, median delay 5s
	// with min weight 2, community 1: [a b]
}

func ExampleDetector() {
	d, _ := network.NewDetector(network.Options{Window: time.Minute, MinParticipation: 1})
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	// The first window of posts.
	d.Add([]network.Share{{Account: "a", Object: "h1", ObjectType: "phash", Time: t0}})
	fmt.Println("edges after window 1:", len(d.Graph().Edges))
	// The next window pairs with what the first held.
	d.Add([]network.Share{{Account: "b", Object: "h1", ObjectType: "phash", Time: t0.Add(20 * time.Second)}})
	d.Forget(t0.Add(20 * time.Second)) // shares never arrive earlier than this from now on
	fmt.Println("edges after window 2:", len(d.Graph().Edges))
	// Output:
	// edges after window 1: 0
	// edges after window 2: 1
}

func ExampleNormalizeText() {
	fmt.Println(network.NormalizeText("إنَّ الــدولةَ باقيةٌ https://t.co/x"))
	// Output: ان الدوله باقيه
}

func ExampleWriteEdgesCSV() {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	_, g, _ := network.Detect([]network.Share{
		{Account: "a", Object: "#x #y", ObjectType: "hashtag", Time: t0},
		{Account: "b", Object: "#x #y", ObjectType: "hashtag", Time: t0.Add(2 * time.Second)},
	}, network.Options{MinParticipation: 1})
	cs, _ := network.Communities(g, network.CommunityOptions{})
	network.WriteEdgesCSV(os.Stdout, g, cs)
	// Output:
	// source,target,weight,objects,median_delay_s,community,mean_delay_s,types
	// a,b,1,1,2,1,2,hashtag:1
}
