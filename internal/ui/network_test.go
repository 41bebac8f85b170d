package ui

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// seedNetwork stores a four-account network, one of them named <script>,
// that shared the "incite" post's link (which the "news" account, outside
// the network, shared too) and a text whose post is gone, and returns the
// network and its case.
func (e *env) seedNetwork(t testing.TB) (*model.Network, *model.Case) {
	t.Helper()
	ctx := context.Background()
	c, err := e.st.Case(ctx, e.cases["incite"])
	if err != nil {
		t.Fatal(err)
	}
	fr, err := e.st.Case(ctx, e.cases["fr"])
	if err != nil {
		t.Fatal(err)
	}
	news, err := e.st.Case(ctx, e.cases["news"])
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	n := &model.Network{
		Accounts: []string{"telegram:channel_x", "x:<script>", "x:acct<b>bold</b>", "telegram:relay_2"},
		Edges: []model.NetworkEdge{
			{A: "telegram:channel_x", B: "x:<script>", Weight: 5, Types: map[string]int{"url": 3, "phash": 2}},
			{A: "telegram:channel_x", B: "telegram:relay_2", Weight: 2, Types: map[string]int{"text": 2}},
			{A: "x:<script>", B: "x:acct<b>bold</b>", Weight: 1}, // stored before types were recorded
		},
		Objects: []model.NetworkObject{
			{Type: "url", Value: "https://t.me/channel_x/100", Shares: 3, Posts: []int64{c.PostID, fr.PostID, news.PostID}},
			{Type: "text", Value: "<img src=x onerror=alert(1)> join us", Shares: 1, Posts: []int64{999999}},
		},
		Density: 0.5, MedianDelay: 42, Flagged: 0.75, Score: 0.8, FirstSeen: now.Add(-3 * time.Hour), LastSeen: now.Add(-time.Hour),
	}
	nc := &model.Case{Priority: 70, Labels: []model.Label{}, Reasons: []model.Reason{{Kind: "network", Detail: "4 accounts co-shared 2 items"}}}
	if err := e.st.SaveNetwork(ctx, n, nc); err != nil {
		t.Fatal(err)
	}
	return n, nc
}

var (
	svgRe    = regexp.MustCompile(`(?s)<svg class="netgraph big".*?</svg>`)
	circleRe = regexp.MustCompile(`<circle `)
	lineRe   = regexp.MustCompile(`<line class="edge"`)
)

func TestNetworkCasePage(t *testing.T) {
	e := newEnv(t)
	n, nc := e.seedNetwork(t)
	ana := e.client(t)
	ana.login("ana")
	code, body := ana.get(fmt.Sprintf("/cases/%d", nc.ID))
	if code != http.StatusOK {
		t.Fatalf("network case page: %d\n%s", code, body)
	}
	svg := svgRe.FindString(body)
	if svg == "" {
		t.Fatalf("network case page has no network picture:\n%s", body)
	}
	if k := len(circleRe.FindAllString(svg, -1)); k != len(n.Accounts) {
		t.Errorf("%d nodes drawn, want one per account (%d)", k, len(n.Accounts))
	}
	if k := len(lineRe.FindAllString(svg, -1)); k != len(n.Edges) {
		t.Errorf("%d lines drawn, want one per edge (%d)", k, len(n.Edges))
	}
	for _, bad := range []string{"<script>", "<b>bold", "<img src=x"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	for _, want := range []string{
		"x:&lt;script&gt;",                                 // the account's full name, escaped, in the tooltip and list
		"&lt;script&gt;</text>",                            // its label under the node
		fmt.Sprintf(`href="/cases/%d"`, e.cases["incite"]), // a shared item's post links to its case
		"post 999999 is no longer stored",
		"Median delay", "75%", "Shared items", `id="net-items"`,
		// Which object types tied each pair, heaviest pair first.
		"Account pairs", `id="net-links"`, "Tied by",
		`<span class="chip" data-type="url">link <bdi dir="ltr">3</bdi></span> <span class="chip" data-type="phash">similar image <bdi dir="ltr">2</bdi></span>`,
		`<span class="chip" data-type="text">near-identical text <bdi dir="ltr">2</bdi></span>`,
		"5 co-shares — link 3, similar image 2</title>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("network case page lacks %q", want)
		}
	}
	if k := strings.Count(body, "not in this network"); k != 1 {
		t.Errorf("%d posts marked as outside the network, want 1 (the news desk's)", k)
	}
	// The heaviest edge is drawn thickest.
	widths := regexp.MustCompile(`stroke-width="([0-9.]+)"><title>telegram:channel_x ↔ x:&lt;script&gt;`).FindStringSubmatch(svg)
	if widths == nil || widths[1] != "6.0" {
		t.Errorf("edge of weight 5 (the heaviest) drawn with width %v, want 6.0", widths)
	}
	evs, err := e.st.AuditEvents(context.Background(), store.AuditFilter{Subject: fmt.Sprintf("case:%d", nc.ID)})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, ev := range evs {
		if ev.Action == "case.view" && ev.Actor == "ana" && ev.Detail == fmt.Sprintf("network=%d", n.ID) {
			audited = true
		}
	}
	if !audited {
		t.Errorf("viewing the network case was not audited: %+v", evs)
	}

	// In Arabic the page runs right to left and speaks Arabic.
	ar := e.client(t)
	ar.login("rev2")
	code, body = ar.get(fmt.Sprintf("/cases/%d", nc.ID))
	if code != http.StatusOK || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "العناصر المنشورة") || svgRe.FindString(body) == "" {
		t.Errorf("Arabic network case page: status %d, rtl/Arabic/picture missing", code)
	}
	for _, want := range []string{"أزواج الحسابات", "ما ربط بينهما", `<span class="chip" data-type="url">رابط <bdi dir="ltr">3</bdi></span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("Arabic network case page lacks %q", want)
		}
	}
}

func TestNetworksOverview(t *testing.T) {
	e := newEnv(t)
	n, nc := e.seedNetwork(t)
	anon := e.client(t)
	if code, _ := anon.get("/networks"); code != http.StatusSeeOther {
		t.Errorf("anonymous GET /networks: %d, want 303 to the login page", code)
	}
	for _, who := range []string{"ana", "rev1", "amina"} {
		c := e.client(t)
		c.login(who)
		code, body := c.get("/networks")
		if code != http.StatusOK {
			t.Fatalf("%s GET /networks: %d", who, code)
		}
		for _, want := range []string{
			`href="/networks" aria-current="page"`,
			fmt.Sprintf(`data-network="%d"`, n.ID),
			fmt.Sprintf(`href="/cases/%d"`, nc.ID),
			`class="nodes net-c` + fmt.Sprint(netColour(n.ID)),
			"x:&lt;script&gt;",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: /networks lacks %q", who, want)
			}
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s: /networks contains an unescaped account name", who)
		}
		if code, _ := c.post("/networks", nil); code == http.StatusOK {
			t.Errorf("%s POST /networks: %d, want a refusal", who, code)
		}
	}
	empty := newEnv(t)
	c := empty.client(t)
	c.login("ana")
	if code, body := c.get("/networks"); code != http.StatusOK || !strings.Contains(body, "No networks found yet") {
		t.Errorf("empty /networks: %d, want the no-networks note", code)
	}
}

func TestNetworkCaseWithoutNetwork(t *testing.T) {
	e := newEnv(t)
	nc := &model.Case{Kind: model.CaseNetwork, NetworkID: 77, Priority: 10, Labels: []model.Label{}, Reasons: []model.Reason{{Kind: "network", Detail: "gone"}}}
	if err := e.st.SaveCase(context.Background(), nc); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login("ana")
	if code, body := c.get(fmt.Sprintf("/cases/%d", nc.ID)); code != http.StatusOK || !strings.Contains(body, "Network 77 is no longer stored") {
		t.Errorf("case of a missing network: %d\n%s", code, body)
	}
}

// twoClusters is two triangles of heavy co-shares joined by one light edge.
func twoClusters() *model.Network {
	return &model.Network{ID: 3,
		Accounts: []string{"p:a", "p:b", "p:c", "p:d", "p:e", "p:f"},
		Edges: []model.NetworkEdge{
			{A: "p:a", B: "p:b", Weight: 9}, {A: "p:b", B: "p:c", Weight: 9}, {A: "p:a", B: "p:c", Weight: 9},
			{A: "p:d", B: "p:e", Weight: 9}, {A: "p:e", B: "p:f", Weight: 9}, {A: "p:d", B: "p:f", Weight: 9},
			{A: "p:c", B: "p:d", Weight: 1},
		}}
}

func TestDrawNetwork(t *testing.T) {
	star := &model.Network{ID: 12, Accounts: []string{"p:hub"}}
	for i := range 30 {
		a := fmt.Sprintf("p:leaf%02d", i)
		star.Accounts = append(star.Accounts, a)
		star.Edges = append(star.Edges, model.NetworkEdge{A: "p:hub", B: a, Weight: 1 + i%3})
	}
	for _, tc := range []struct {
		name       string
		n          *model.Network
		max        int
		nodes      int
		edges      int
		hidden     int
		mustDrawn  string
		mustNotDup bool
	}{
		{"empty", &model.Network{ID: 1}, 10, 0, 0, 0, "", true},
		{"one account", &model.Network{ID: 1, Accounts: []string{"p:solo"}}, 10, 1, 0, 0, "p:solo", true},
		{"pair", &model.Network{ID: 1, Accounts: []string{"p:a", "p:b"}, Edges: []model.NetworkEdge{{A: "p:a", B: "p:b", Weight: 3}}}, 10, 2, 1, 0, "p:a", true},
		{"clusters", twoClusters(), 10, 6, 7, 0, "p:f", true},
		{"star cut to the busiest", star, 11, 11, 10, 20, "p:hub", true},
		{"edge to an unknown account is dropped", &model.Network{ID: 1, Accounts: []string{"p:a", "p:b"}, Edges: []model.NetworkEdge{{A: "p:a", B: "p:zz", Weight: 3}, {A: "p:a", B: "p:b", Weight: 1}}}, 10, 2, 1, 0, "p:b", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := drawNetwork(tc.n, 400, 300, tc.max, true)
			if len(g.Nodes) != tc.nodes || len(g.Edges) != tc.edges || g.Hidden != tc.hidden {
				t.Fatalf("%d nodes, %d edges, %d hidden; want %d, %d, %d", len(g.Nodes), len(g.Edges), g.Hidden, tc.nodes, tc.edges, tc.hidden)
			}
			seen := map[[2]float64]bool{}
			found := tc.mustDrawn == ""
			for _, nd := range g.Nodes {
				if nd.X < 0 || nd.X > 400 || nd.Y < 0 || nd.Y > 300 || math.IsNaN(nd.X) || math.IsNaN(nd.Y) {
					t.Errorf("node %s at (%v, %v), outside the 400×300 picture", nd.Account, nd.X, nd.Y)
				}
				if seen[[2]float64{nd.X, nd.Y}] {
					t.Errorf("two nodes on (%v, %v)", nd.X, nd.Y)
				}
				seen[[2]float64{nd.X, nd.Y}] = true
				found = found || nd.Account == tc.mustDrawn
			}
			if !found {
				t.Errorf("%s not drawn", tc.mustDrawn)
			}
			if again := drawNetwork(tc.n, 400, 300, tc.max, true); fmt.Sprint(again) != fmt.Sprint(g) {
				t.Error("the same network was drawn differently twice")
			}
		})
	}
}

func TestLayoutKeepsClustersTogether(t *testing.T) {
	g := drawNetwork(twoClusters(), 600, 400, 100, false)
	at := map[string]graphNode{}
	for _, nd := range g.Nodes {
		at[nd.Account] = nd
	}
	dist := func(a, b string) float64 { return math.Hypot(at[a].X-at[b].X, at[a].Y-at[b].Y) }
	within := (dist("p:a", "p:b") + dist("p:e", "p:f")) / 2
	across := (dist("p:a", "p:e") + dist("p:b", "p:f")) / 2
	if within*1.5 > across {
		t.Errorf("accounts of one cluster %.0f apart, of different clusters %.0f: the layout does not separate them", within, across)
	}
}

func TestNetColour(t *testing.T) {
	for _, tc := range []struct {
		id   int64
		want int
	}{{0, 0}, {1, 0}, {2, 1}, {10, 9}, {11, 0}, {-4, 0}} {
		if got := netColour(tc.id); got != tc.want {
			t.Errorf("netColour(%d) = %d, want %d", tc.id, got, tc.want)
		}
	}
}

// FuzzDrawNetwork draws networks built from arbitrary account names and
// weights: whatever a detection run stored, the picture has one node per
// distinct account, finite coordinates inside the box, and no panic.
func FuzzDrawNetwork(f *testing.F) {
	f.Add("p:a,p:b,p:c", "0-1:3,1-2:1", 10)
	f.Add("<script>,x:\u202eevil,,p:a,p:a", "0-1:0,1-1:5,3-4:-2", 2)
	f.Add("", "", 0)
	f.Fuzz(func(t *testing.T, accounts, edges string, maxNodes int) {
		n := &model.Network{ID: 1}
		if accounts != "" {
			n.Accounts = strings.Split(accounts, ",")
		}
		for _, e := range strings.Split(edges, ",") {
			var i, j, w int
			if _, err := fmt.Sscanf(e, "%d-%d:%d", &i, &j, &w); err != nil || len(n.Accounts) == 0 {
				continue
			}
			at := func(k int) string { return n.Accounts[((k%len(n.Accounts))+len(n.Accounts))%len(n.Accounts)] }
			n.Edges = append(n.Edges, model.NetworkEdge{A: at(i), B: at(j), Weight: w})
		}
		maxNodes = 1 + (maxNodes%50+50)%50
		g := drawNetwork(n, 300, 200, maxNodes, true)
		distinct := map[string]bool{}
		for _, a := range n.Accounts {
			distinct[a] = true
		}
		if len(g.Nodes)+g.Hidden != len(distinct) || len(g.Nodes) > maxNodes {
			t.Fatalf("%d nodes + %d hidden for %d distinct accounts (at most %d drawn)", len(g.Nodes), g.Hidden, len(distinct), maxNodes)
		}
		for _, nd := range g.Nodes {
			if math.IsNaN(nd.X) || math.IsNaN(nd.Y) || nd.X < 0 || nd.X > 300 || nd.Y < 0 || nd.Y > 200 {
				t.Fatalf("node %q at (%v, %v)", nd.Account, nd.X, nd.Y)
			}
		}
		for _, e := range g.Edges {
			if e.Width <= 0 || math.IsNaN(e.Width) || e.Weight <= 0 || e.A == e.B {
				t.Fatalf("edge %+v drawn", e)
			}
		}
	})
}

// BenchmarkDrawNetwork lays out the largest picture a case page draws.
func BenchmarkDrawNetwork(b *testing.B) {
	n := &model.Network{ID: 1}
	for i := range maxCaseNodes {
		n.Accounts = append(n.Accounts, fmt.Sprintf("p:acct%03d", i))
	}
	for i := range maxCaseNodes {
		for _, d := range []int{1, 7, 31} {
			n.Edges = append(n.Edges, model.NetworkEdge{A: n.Accounts[i], B: n.Accounts[(i+d)%maxCaseNodes], Weight: 1 + i%5})
		}
	}
	for b.Loop() {
		drawNetwork(n, 900, 560, maxCaseNodes, true)
	}
}
