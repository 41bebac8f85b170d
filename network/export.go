package network

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/csvsafe"
)

// palette colours the first communities by rank in GEXF; later ones are grey.
var palette = [][3]uint8{
	{228, 26, 28}, {55, 126, 184}, {77, 175, 74}, {152, 78, 163}, {255, 127, 0}, {166, 86, 40},
	{247, 129, 191}, {23, 190, 207}, {188, 189, 34}, {31, 119, 180}, {140, 86, 75}, {214, 39, 40},
}

// membership maps account index to its community (by rank, 0 when absent).
func membership(g *Graph, cs []Community) []int {
	idx := make(map[string]int, len(g.Accounts))
	for i, a := range g.Accounts {
		idx[a.ID] = i
	}
	m := make([]int, len(g.Accounts))
	for _, c := range cs {
		for _, a := range c.Accounts {
			if i, ok := idx[a]; ok {
				m[i] = c.Rank
			}
		}
	}
	return m
}

type gexfDoc struct {
	XMLName xml.Name  `xml:"gexf"`
	XMLNS   string    `xml:"xmlns,attr"`
	VizNS   string    `xml:"xmlns:viz,attr"`
	Version string    `xml:"version,attr"`
	Creator string    `xml:"meta>creator"`
	Desc    string    `xml:"meta>description"`
	Graph   gexfGraph `xml:"graph"`
}

type gexfGraph struct {
	EdgeType string      `xml:"defaultedgetype,attr"`
	Mode     string      `xml:"mode,attr"`
	Attrs    []gexfAttrs `xml:"attributes"`
	Nodes    []gexfNode  `xml:"nodes>node"`
	Edges    []gexfEdge  `xml:"edges>edge"`
}

type gexfAttrs struct {
	Class string     `xml:"class,attr"`
	Attr  []gexfAttr `xml:"attribute"`
}

type gexfAttr struct {
	ID    string `xml:"id,attr"`
	Title string `xml:"title,attr"`
	Type  string `xml:"type,attr"`
}

type gexfValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

type gexfNode struct {
	ID     string      `xml:"id,attr"`
	Label  string      `xml:"label,attr"`
	Values []gexfValue `xml:"attvalues>attvalue"`
	Color  gexfColor   `xml:"viz:color"`
}

type gexfColor struct {
	R uint8 `xml:"r,attr"`
	G uint8 `xml:"g,attr"`
	B uint8 `xml:"b,attr"`
}

type gexfEdge struct {
	ID     string      `xml:"id,attr"`
	Source string      `xml:"source,attr"`
	Target string      `xml:"target,attr"`
	Weight int         `xml:"weight,attr"`
	Values []gexfValue `xml:"attvalues>attvalue"`
}

// typesText writes an edge's per-type counts as "hashtag:1 url:2".
func typesText(e Edge) string {
	parts := make([]string, len(e.Types))
	for i, tc := range e.Types {
		parts[i] = tc.Type + ":" + strconv.Itoa(tc.CoShares)
	}
	return strings.Join(parts, " ")
}

// typeCount returns e's co-shares of object type typ.
func typeCount(e Edge, typ string) int {
	for _, tc := range e.Types {
		if tc.Type == typ {
			return tc.CoShares
		}
	}
	return 0
}

// WriteGEXF writes the graph as GEXF 1.3 for Gephi: nodes carry community,
// component, shares and objects and are coloured by community; edges carry
// the co-share weight, distinct objects, median and mean delay, the
// per-type counts as text ("types") and one count per object type of the
// graph ("coshares_url", ...).
func WriteGEXF(w io.Writer, g *Graph, cs []Community) error {
	m := membership(g, cs)
	comp := Components(g)
	doc := gexfDoc{
		XMLNS: "http://gexf.net/1.3", VizNS: "http://gexf.net/1.3/viz", Version: "1.3",
		Creator: "marsad network",
		Desc:    fmt.Sprintf("co-share network: window %s, min participation %d", g.Options.Window, g.Options.MinParticipation),
		Graph: gexfGraph{EdgeType: "undirected", Mode: "static", Attrs: []gexfAttrs{
			{Class: "node", Attr: []gexfAttr{{"community", "community", "integer"}, {"component", "component", "integer"}, {"shares", "shares", "integer"}, {"objects", "objects", "integer"}}},
			{Class: "edge", Attr: []gexfAttr{{"objects", "objects", "integer"}, {"median_delay_s", "median_delay_s", "double"},
				{"mean_delay_s", "mean_delay_s", "double"}, {"types", "types", "string"}}},
		}},
	}
	for _, tc := range g.Types {
		doc.Graph.Attrs[1].Attr = append(doc.Graph.Attrs[1].Attr, gexfAttr{"coshares_" + tc.Type, "coshares_" + tc.Type, "integer"})
	}
	for i, a := range g.Accounts {
		col := [3]uint8{160, 160, 160}
		if m[i] >= 1 && m[i] <= len(palette) {
			col = palette[m[i]-1]
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, gexfNode{
			ID: strconv.Itoa(i), Label: a.ID,
			Values: []gexfValue{{"community", strconv.Itoa(m[i])}, {"component", strconv.Itoa(comp[i])}, {"shares", strconv.Itoa(a.Shares)}, {"objects", strconv.Itoa(a.Objects)}},
			Color:  gexfColor{col[0], col[1], col[2]},
		})
	}
	for i, e := range g.Edges {
		vals := []gexfValue{{"objects", strconv.Itoa(len(e.Objects))}, {"median_delay_s", seconds(e.MedianDelay)},
			{"mean_delay_s", seconds(e.MeanDelay)}, {"types", typesText(e)}}
		for _, tc := range g.Types {
			vals = append(vals, gexfValue{"coshares_" + tc.Type, strconv.Itoa(typeCount(e, tc.Type))})
		}
		doc.Graph.Edges = append(doc.Graph.Edges, gexfEdge{
			ID: strconv.Itoa(i), Source: strconv.Itoa(e.ai), Target: strconv.Itoa(e.bi), Weight: e.Weight, Values: vals,
		})
	}
	return writeXML(w, doc)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

type graphmlDoc struct {
	XMLName xml.Name     `xml:"graphml"`
	XMLNS   string       `xml:"xmlns,attr"`
	Keys    []graphmlKey `xml:"key"`
	Graph   graphmlGraph `xml:"graph"`
}

type graphmlKey struct {
	ID   string `xml:"id,attr"`
	For  string `xml:"for,attr"`
	Name string `xml:"attr.name,attr"`
	Type string `xml:"attr.type,attr"`
}

type graphmlGraph struct {
	ID          string        `xml:"id,attr"`
	EdgeDefault string        `xml:"edgedefault,attr"`
	Nodes       []graphmlNode `xml:"node"`
	Edges       []graphmlEdge `xml:"edge"`
}

type graphmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

type graphmlNode struct {
	ID   string        `xml:"id,attr"`
	Data []graphmlData `xml:"data"`
}

type graphmlEdge struct {
	Source string        `xml:"source,attr"`
	Target string        `xml:"target,attr"`
	Data   []graphmlData `xml:"data"`
}

// WriteGraphML writes the graph as GraphML with the same attributes as
// WriteGEXF (without colours).
func WriteGraphML(w io.Writer, g *Graph, cs []Community) error {
	m := membership(g, cs)
	comp := Components(g)
	doc := graphmlDoc{
		XMLNS: "http://graphml.graphdrawing.org/xmlns",
		Keys: []graphmlKey{
			{"label", "node", "label", "string"}, {"community", "node", "community", "int"},
			{"component", "node", "component", "int"}, {"shares", "node", "shares", "int"},
			{"objects", "node", "objects", "int"}, {"weight", "edge", "weight", "int"},
			{"eobjects", "edge", "objects", "int"}, {"median_delay_s", "edge", "median_delay_s", "double"},
			{"mean_delay_s", "edge", "mean_delay_s", "double"}, {"types", "edge", "types", "string"},
		},
		Graph: graphmlGraph{ID: "coshare", EdgeDefault: "undirected"},
	}
	for i, tc := range g.Types {
		doc.Keys = append(doc.Keys, graphmlKey{"t" + strconv.Itoa(i), "edge", "coshares_" + tc.Type, "int"})
	}
	for i, a := range g.Accounts {
		doc.Graph.Nodes = append(doc.Graph.Nodes, graphmlNode{ID: "n" + strconv.Itoa(i), Data: []graphmlData{
			{"label", a.ID}, {"community", strconv.Itoa(m[i])}, {"component", strconv.Itoa(comp[i])},
			{"shares", strconv.Itoa(a.Shares)}, {"objects", strconv.Itoa(a.Objects)},
		}})
	}
	for _, e := range g.Edges {
		data := []graphmlData{{"weight", strconv.Itoa(e.Weight)}, {"eobjects", strconv.Itoa(len(e.Objects))}, {"median_delay_s", seconds(e.MedianDelay)},
			{"mean_delay_s", seconds(e.MeanDelay)}, {"types", typesText(e)}}
		for i, tc := range g.Types {
			data = append(data, graphmlData{"t" + strconv.Itoa(i), strconv.Itoa(typeCount(e, tc.Type))})
		}
		doc.Graph.Edges = append(doc.Graph.Edges, graphmlEdge{Source: "n" + strconv.Itoa(e.ai), Target: "n" + strconv.Itoa(e.bi), Data: data})
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteEdgesCSV writes one row per edge: source, target, weight (co-shares),
// objects (distinct), median_delay_s, community (0 when the ends differ),
// mean_delay_s and types (co-shares per object type, "hashtag:1 url:2").
func WriteEdgesCSV(w io.Writer, g *Graph, cs []Community) error {
	m := membership(g, cs)
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"source", "target", "weight", "objects", "median_delay_s", "community", "mean_delay_s", "types"}); err != nil {
		return err
	}
	for _, e := range g.Edges {
		c := 0
		if m[e.ai] == m[e.bi] {
			c = m[e.ai]
		}
		if err := cw.Write([]string{e.A, e.B, strconv.Itoa(e.Weight), strconv.Itoa(len(e.Objects)), seconds(e.MedianDelay), strconv.Itoa(c),
			seconds(e.MeanDelay), typesText(e)}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteAccountsCSV writes one row per account: account, community,
// component, shares, objects, coshares.
func WriteAccountsCSV(w io.Writer, g *Graph, cs []Community) error {
	m := membership(g, cs)
	comp := Components(g)
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"account", "community", "component", "shares", "objects", "coshares"}); err != nil {
		return err
	}
	for i, a := range g.Accounts {
		if err := cw.Write([]string{a.ID, strconv.Itoa(m[i]), strconv.Itoa(comp[i]), strconv.Itoa(a.Shares), strconv.Itoa(a.Objects), strconv.Itoa(a.CoShares)}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteCoSharesCSV writes one row per co-share, with the columns of
// CooRTweet's detect_groups result (object_id, account_id, content_id for
// the earlier share, account_id_y, content_id_y for the later one,
// time_delta in seconds) after an object_type column.
func WriteCoSharesCSV(w io.Writer, cs []CoShare) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"object_type", "object_id", "account_id", "content_id", "account_id_y", "content_id_y", "time_delta"}); err != nil {
		return err
	}
	for _, c := range cs {
		if err := cw.Write([]string{c.Object.Type, c.Object.Object, c.A.Account, c.A.Post, c.B.Account, c.B.Post, seconds(c.B.Time.Sub(c.A.Time))}); err != nil {
			return err
		}
	}
	return cw.Flush()
}
