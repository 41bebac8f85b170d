package network

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func exportGraph(t *testing.T) (*Graph, []Community) {
	t.Helper()
	shares := shs("a x 0", "b x 3", "c x 5", "a y 100", "b y 101", "c y 190", "a z 300", "c z 330", "a #h 500", "b #h 502", "a #k 700", "b #k 701")
	shares = append(shares, Share{Account: `odd<&"id>` + "\x01", Object: "x", ObjectType: "url", Time: at(1)},
		Share{Account: `odd<&"id>` + "\x01", Object: "y", ObjectType: "url", Time: at(102)})
	_, g, err := Detect(shares, Options{Window: 60 * 1e9, MinParticipation: 2})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Communities(g, CommunityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g, cs
}

func TestWriteGEXF(t *testing.T) {
	g, cs := exportGraph(t)
	var buf bytes.Buffer
	if err := WriteGEXF(&buf, g, cs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
		Nodes   []struct {
			ID    string `xml:"id,attr"`
			Label string `xml:"label,attr"`
			Vals  []struct {
				For   string `xml:"for,attr"`
				Value string `xml:"value,attr"`
			} `xml:"attvalues>attvalue"`
		} `xml:"graph>nodes>node"`
		Edges []struct {
			Source string `xml:"source,attr"`
			Target string `xml:"target,attr"`
			Weight int    `xml:"weight,attr"`
		} `xml:"graph>edges>edge"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("GEXF does not parse: %v\n%s", err, buf.String())
	}
	if doc.XMLName.Local != "gexf" || doc.XMLName.Space != "http://gexf.net/1.3" {
		t.Errorf("root %v", doc.XMLName)
	}
	if len(doc.Nodes) != len(g.Accounts) || len(doc.Edges) != len(g.Edges) {
		t.Fatalf("%d nodes %d edges, want %d and %d", len(doc.Nodes), len(doc.Edges), len(g.Accounts), len(g.Edges))
	}
	labels := map[string]string{}
	for _, n := range doc.Nodes {
		labels[n.ID] = n.Label
		if len(n.Vals) != 4 || n.Vals[0].For != "community" || n.Vals[0].Value == "0" {
			t.Errorf("node %s attributes %+v", n.Label, n.Vals)
		}
	}
	if labels["0"] != "a" || !strings.HasPrefix(labels["3"], `odd<&"id>`) {
		t.Errorf("labels %v", labels)
	}
	total := 0
	for i, e := range doc.Edges {
		// XML cannot hold control characters; the writer replaces them.
		xmlName := func(s string) string { return strings.ReplaceAll(s, "\x01", "\uFFFD") }
		if labels[e.Source] != xmlName(g.Edges[i].A) || labels[e.Target] != xmlName(g.Edges[i].B) || e.Weight != g.Edges[i].Weight {
			t.Errorf("edge %d = %+v, want %+v", i, e, g.Edges[i])
		}
		total += e.Weight
	}
	if total == 0 {
		t.Error("no edge weight written")
	}
}

func TestWriteGraphML(t *testing.T) {
	g, cs := exportGraph(t)
	var buf bytes.Buffer
	if err := WriteGraphML(&buf, g, cs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []struct {
			ID string `xml:"id,attr"`
		} `xml:"key"`
		Nodes []struct {
			ID   string `xml:"id,attr"`
			Data []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"graph>node"`
		Edges []struct {
			Source string `xml:"source,attr"`
			Data   []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"graph>edge"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("GraphML does not parse: %v", err)
	}
	if len(g.Types) != 2 || len(doc.Keys) != 10+len(g.Types) || len(doc.Nodes) != len(g.Accounts) || len(doc.Edges) != len(g.Edges) {
		t.Fatalf("%d types, %d keys %d nodes %d edges", len(g.Types), len(doc.Keys), len(doc.Nodes), len(doc.Edges))
	}
	if d := doc.Nodes[0].Data[0]; d.Key != "label" || d.Value != "a" {
		t.Errorf("first node data %+v", d)
	}
	// a-b co-shared x and y (urls) and #h and #k (hashtags).
	data := map[string]string{}
	for _, d := range doc.Edges[0].Data {
		data[d.Key] = d.Value
	}
	if data["weight"] != "4" || data["types"] != "hashtag:2 url:2" || data["t0"] != "2" || data["t1"] != "2" {
		t.Errorf("first edge data %v, want weight 4, types hashtag:2 url:2 and t0, t1 = 2", data)
	}
}

func TestWriteCSV(t *testing.T) {
	g, cs := exportGraph(t)
	for name, write := range map[string]func(*bytes.Buffer) error{
		"edges":    func(b *bytes.Buffer) error { return WriteEdgesCSV(b, g, cs) },
		"accounts": func(b *bytes.Buffer) error { return WriteAccountsCSV(b, g, cs) },
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := len(g.Edges)
		if name == "accounts" {
			want = len(g.Accounts)
		}
		if len(rows) != want+1 {
			t.Errorf("%s: %d rows, want %d and a header", name, len(rows), want)
		}
	}
}

// TestExportsLoadInNetworkx loads the GEXF and GraphML files with networkx,
// as an analyst would, when python3 with networkx is installed.
func TestExportsLoadInNetworkx(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-c", "import networkx").Run() != nil {
		t.Skip("python3 with networkx not installed")
	}
	g, cs := exportGraph(t)
	dir := t.TempDir()
	for name, write := range map[string]func(io.Writer, *Graph, []Community) error{"g.gexf": WriteGEXF, "g.graphml": WriteGraphML} {
		var buf bytes.Buffer
		if err := write(&buf, g, cs); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import sys, networkx as nx
for path, read in ((sys.argv[1], nx.read_gexf), (sys.argv[2], nx.read_graphml)):
    g = read(path)
    e = max(g.edges(data=True), key=lambda e: e[2]["weight"])[2]
    print(g.number_of_nodes(), g.number_of_edges(), int(e["weight"]), e["types"], e["coshares_hashtag"], e["coshares_url"])
`
	out, err := exec.Command(py, "-c", script, filepath.Join(dir, "g.gexf"), filepath.Join(dir, "g.graphml")).CombinedOutput()
	if err != nil {
		t.Fatalf("networkx: %v\n%s", err, out)
	}
	line := fmt.Sprintf("%d %d 4 hashtag:2 url:2 2 2", len(g.Accounts), len(g.Edges))
	if want := line + "\n" + line + "\n"; string(out) != want {
		t.Errorf("networkx read:\n%s\nwant:\n%s", out, want)
	}
}

// TestCSVGuardsFormulas: a shared object a spreadsheet would run as a
// formula is written with a quote in front; numbers stay as they are and
// no byte order mark is written (the files are data for R and Gephi).
func TestCSVGuardsFormulas(t *testing.T) {
	at := time.Unix(100, 0)
	cs := []CoShare{{Object: Key{Type: "url", Object: "=HYPERLINK(\"http://evil.example\")"},
		A: Share{Account: "@a", Post: "1", Time: at}, B: Share{Account: "b", Post: "2", Time: at.Add(5 * time.Second)}}}
	var b bytes.Buffer
	if err := WriteCoSharesCSV(&b, cs); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.HasPrefix(out, "\ufeff") || !strings.Contains(out, `"'=HYPERLINK(""http://evil.example"")"`) || !strings.Contains(out, ",'@a,") || !strings.HasSuffix(out, ",5\n") {
		t.Errorf("co-shares CSV:\n%s", out)
	}
}
