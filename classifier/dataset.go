package classifier

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/marsad/marsad/langid"
	"github.com/marsad/marsad/textnorm"
)

// Spec is a training data specification: which files to read and how their
// columns map to labels. It is read from JSON; docs/labels.md documents the
// format and the default spec classifier/corpus/train.json.
type Spec struct {
	// Seed fixes the split and the training order.
	Seed uint64 `json:"seed"`
	// TestPercent and CalibPercent are the shares of split groups held out
	// for evaluation and for calibration (score scaling and thresholds).
	TestPercent  int `json:"test_percent"`
	CalibPercent int `json:"calib_percent"`
	// Sources lists the data sets.
	Sources []Source `json:"sources"`

	dir string // the spec file's folder, for relative paths
}

// Source is one data set in a Spec.
type Source struct {
	Name string `json:"name"`
	// Files are read and merged by ID: rows of different files with the same
	// ID are one example whose columns are the union (GermEval ships one
	// file per task over the same posts). Only the first file must have the
	// text column. "$DATA" in a path stands for the
	// data folder; other relative paths are relative to the spec file.
	// Glob patterns are allowed.
	Files []string `json:"files"`
	// Format is "csv" (default), "tsv", "jsonl" (one JSON object per
	// line, gzip-compressed when the file name ends in .gz; Text, ID and
	// Group name string fields) or "templates" (the project's own written
	// sets, see ReadTemplates).
	Format string `json:"format,omitempty"`
	// Paragraphs splits each row's text at line breaks into paragraphs of
	// at least MinChars characters, each an example of its own (news
	// articles become post-length texts); the row's ID gets ":N" and the
	// group stays the row's, so an article's paragraphs share a split.
	Paragraphs bool `json:"paragraphs,omitempty"`
	MinChars   int  `json:"min_chars,omitempty"`
	// Topic, when set, gives its label to the rows that mention one of its
	// terms and may cap how many of the other rows are kept.
	Topic     *Topic `json:"topic,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	// Text, ID and Group name columns. Group, when set, keeps all rows of
	// one group (e.g. one account) in the same split.
	Text  string `json:"text,omitempty"`
	ID    string `json:"id,omitempty"`
	Group string `json:"group,omitempty"`
	// Lang is the language of every row, or "auto" to identify it per row.
	Lang string `json:"lang,omitempty"`
	// Label, when set, is given to every row (for account-level sets).
	Label Label `json:"label,omitempty"`
	// Map gives labels by column values.
	Map []Mapping `json:"map,omitempty"`
	// HardNegative marks rows that must not be flagged (e.g. legitimate
	// criticism) by column values; they are reported separately.
	HardNegative []Mapping `json:"hard_negative,omitempty"`
	// Weight scales the training loss of the rows (noisy labels get less).
	Weight float64 `json:"weight,omitempty"`
	// AccountLevel marks labels given per account, not per post (the
	// Kaggle ISIS set): the rows train the model, but evaluation reports
	// them apart and leaves them out of the post-level figures.
	AccountLevel bool `json:"account_level,omitempty"`
	// Limit, when positive, keeps only that many rows (chosen by the seed).
	Limit int `json:"limit,omitempty"`
	// StrongTerms, when set, are the words that make a row of a noisy set
	// trustworthy (a pro-ISIS account's tweet that uses the group's own
	// vocabulary). A row whose normalised text contains none of them (as a
	// substring, so "khilaf" matches "khilafah") trains at WeakWeight instead of Weight, so the
	// account's war news and chatter teach the label little.
	StrongTerms []string `json:"strong_terms,omitempty"`
	// WeakWeight is the training weight of rows without a strong term.
	// With WeakLabels it is the least share of Weight a weak row keeps,
	// and StrongFloor the least share a row with a strong term keeps.
	WeakWeight  float64 `json:"weak_weight,omitempty"`
	StrongFloor float64 `json:"strong_floor,omitempty"`
	// Everyday marks ordinary posts with no link to terrorism (sport,
	// food, weather, ...): evaluation reports how many were flagged.
	Everyday bool `json:"everyday,omitempty"`
	// WeakLabels says the source's harmful labels are weak (given per
	// account): "agreement" trains each row at Weight times how strongly
	// a first model, trained without the weak sources, agrees with its
	// harmful label (see Train), never less than WeakWeight.
	WeakLabels string `json:"weak_labels,omitempty"`
}

// Topic labels the rows of a source that are about a topic: a newspaper
// paragraph that mentions terrorism is news reporting, one about football
// is not. Rows given a protective label this way are hard negatives.
type Topic struct {
	// Terms are matched as substrings of the normalised text.
	Terms []string `json:"terms"`
	Label Label    `json:"label"`
	// OtherLimit, when positive, keeps at most that many rows without a
	// term (chosen by the seed); 0 keeps them all.
	OtherLimit int `json:"other_limit,omitempty"`
}

// Mapping gives Label to rows whose Column holds one of Values.
type Mapping struct {
	Column string   `json:"column"`
	Values []string `json:"values"`
	Label  Label    `json:"label,omitempty"`
}

// Split says what an example is used for.
type Split uint8

// Splits.
const (
	SplitTrain Split = iota
	SplitCalib
	SplitTest
)

var splitNames = [...]string{"train", "calib", "test"}

// String returns the split's name.
func (s Split) String() string { return splitNames[s] }

// Example is one labelled text.
type Example struct {
	Source string
	ID     string
	Text   string
	Lang   string
	// Labels are the gold labels; empty means None.
	Labels       []Label
	HardNegative bool
	// AccountLevel says the labels are the account's, not the post's.
	AccountLevel bool
	// Everyday marks an ordinary post that must not be flagged.
	Everyday bool
	// Written marks the project's own sentences (templates): harmful
	// labels are never calibrated or given thresholds on them.
	Written bool
	// Weak marks labels that train at a weight set by a first model's
	// agreement (Source.WeakLabels), never below WeakFloor times Weight.
	Weak      bool
	WeakFloor float64
	Weight    float64
	Split     Split
	// Group is the split key (the ID unless the source names a group).
	Group string

	offTopic bool // a row of a Topic source without a topic term
}

// ReadSpec reads a spec file.
func ReadSpec(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSpec(b)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", path, err)
	}
	s.dir = filepath.Dir(path)
	return s, nil
}

// ParseSpec parses and checks a spec.
func ParseSpec(b []byte) (*Spec, error) {
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if s.TestPercent < 0 || s.CalibPercent < 0 || s.TestPercent+s.CalibPercent >= 100 {
		return nil, fmt.Errorf("test_percent %d + calib_percent %d must be in 0..99", s.TestPercent, s.CalibPercent)
	}
	if len(s.Sources) == 0 {
		return nil, errors.New("no sources")
	}
	names := map[string]bool{}
	for i := range s.Sources {
		src := &s.Sources[i]
		if err := src.check(); err != nil {
			return nil, fmt.Errorf("source %d (%q): %w", i, src.Name, err)
		}
		if names[src.Name] {
			return nil, fmt.Errorf("source %d: duplicate name %q", i, src.Name)
		}
		names[src.Name] = true
	}
	return &s, nil
}

func (src *Source) check() error {
	if src.Name == "" {
		return errors.New("name is empty")
	}
	if len(src.Files) == 0 {
		return errors.New("no files")
	}
	switch src.Format {
	case "", "csv", "tsv":
		if src.Text == "" {
			return errors.New("text column not named")
		}
	case "jsonl":
		if src.Text == "" {
			return errors.New("text field not named")
		}
	case "templates":
	default:
		return fmt.Errorf("format %q: want csv, tsv, jsonl or templates", src.Format)
	}
	if src.MinChars < 0 {
		return fmt.Errorf("min_chars %d is negative", src.MinChars)
	}
	if t := src.Topic; t != nil {
		if len(t.Terms) == 0 {
			return errors.New("topic: no terms")
		}
		if t.Label.Index() < 0 {
			return fmt.Errorf("topic: label %q unknown", t.Label)
		}
		if t.OtherLimit < 0 {
			return fmt.Errorf("topic: other_limit %d is negative", t.OtherLimit)
		}
	}
	switch src.WeakLabels {
	case "", "agreement":
	default:
		return fmt.Errorf("weak_labels %q: want \"agreement\" or nothing", src.WeakLabels)
	}
	if len(src.Delimiter) > 1 {
		return fmt.Errorf("delimiter %q: want one character", src.Delimiter)
	}
	if src.Label != "" && src.Label.Index() < 0 {
		return fmt.Errorf("label %q unknown", src.Label)
	}
	for j, m := range src.Map {
		if m.Column == "" || len(m.Values) == 0 {
			return fmt.Errorf("map %d: column and values are required", j)
		}
		if m.Label.Index() < 0 {
			return fmt.Errorf("map %d: label %q unknown", j, m.Label)
		}
	}
	for j, m := range src.HardNegative {
		if m.Column == "" || len(m.Values) == 0 {
			return fmt.Errorf("hard_negative %d: column and values are required", j)
		}
	}
	if src.StrongFloor < 0 || src.StrongFloor > 1 || src.StrongFloor > 0 && (src.WeakLabels == "" || len(src.StrongTerms) == 0) {
		return fmt.Errorf("strong_floor %v: want 0..1, with weak_labels and strong_terms", src.StrongFloor)
	}
	if src.Weight < 0 {
		return fmt.Errorf("weight %v is negative", src.Weight)
	}
	if (len(src.StrongTerms) > 0 || src.WeakLabels != "") && src.WeakWeight <= 0 {
		return fmt.Errorf("weak_weight %v: want a positive weight with strong_terms or weak_labels", src.WeakWeight)
	}
	if len(src.StrongTerms) == 0 && src.WeakLabels == "" && src.WeakWeight != 0 {
		return errors.New("weak_weight without strong_terms or weak_labels")
	}
	for j, t := range src.StrongTerms {
		if textnorm.Normalize(t) == "" {
			return fmt.Errorf("strong_terms %d (%q): empty after normalisation", j, t)
		}
	}
	return nil
}

// Load reads every source of the spec, with "$DATA" standing for dataDir,
// and assigns each example its split. identify gives the language of rows
// of sources whose language is "auto"; nil leaves them "und". Examples whose normalised text also
// occurs in the training split are dropped from the calibration and test
// splits, so that no figure is measured on text the model was trained on.
func (s *Spec) Load(ctx context.Context, dataDir string, identify func(string) string) ([]Example, error) {
	if identify == nil {
		identify = func(string) string { return langid.Undetermined }
	}
	var all []Example
	for _, src := range s.Sources {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		exs, err := s.loadSource(src, dataDir, identify)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", src.Name, err)
		}
		all = append(all, exs...)
	}
	// Drop held-out duplicates of training text.
	seen := map[string]bool{}
	for _, e := range all {
		if e.Split == SplitTrain {
			seen[textnorm.Normalize(e.Text)] = true
		}
	}
	out := all[:0]
	for _, e := range all {
		if e.Split != SplitTrain && seen[textnorm.Normalize(e.Text)] {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// Paths returns the files of src, with "$DATA" standing for dataDir.
func (s *Spec) Paths(src Source, dataDir string) ([]string, error) {
	var out []string
	for _, f := range src.Files {
		p := f
		if strings.HasPrefix(p, "$DATA") {
			p = filepath.Join(dataDir, strings.TrimPrefix(p, "$DATA"))
		} else if !filepath.IsAbs(p) {
			p = filepath.Join(s.dir, p)
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("file pattern %q: %w", f, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("file %s: not found", p)
		}
		out = append(out, matches...)
	}
	return out, nil
}

func (s *Spec) loadSource(src Source, dataDir string, identify func(string) string) ([]Example, error) {
	paths, err := s.Paths(src, dataDir)
	if err != nil {
		return nil, err
	}
	weight := src.Weight
	if weight == 0 {
		weight = 1
	}
	var exs []Example
	if src.Format == "templates" {
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			ts, err := ReadTemplates(f, filepath.Base(p))
			f.Close()
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				for k, text := range t.Expand(s.Seed) {
					exs = append(exs, Example{
						Source: src.Name, ID: fmt.Sprintf("%s:%d:%d", t.File, t.Line, k), Text: text,
						Lang: t.Lang, Labels: t.Labels, HardNegative: t.HardNegative, Everyday: src.Everyday, Weight: weight,
						Group: fmt.Sprintf("%s:%d", t.File, t.Line),
					})
				}
			}
		}
	} else {
		var rows []row
		if src.Format == "jsonl" {
			rows, err = readJSONL(paths, src)
		} else {
			rows, err = readTables(paths, src)
		}
		if err != nil {
			return nil, err
		}
		strong := normalizeAll(src.StrongTerms)
		var topic []string
		if src.Topic != nil {
			topic = normalizeAll(src.Topic.Terms)
		}
		for _, r := range rows {
			texts := []string{r.cols[src.Text]}
			if src.Paragraphs {
				texts = paragraphs(texts[0])
			}
			for k, text := range texts {
				if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) < src.MinChars {
					continue
				}
				norm := textnorm.Normalize(text)
				w := weight
				hasStrong := len(strong) > 0 && containsAny(norm, strong)
				if len(strong) > 0 && src.WeakLabels == "" && !hasStrong {
					w = src.WeakWeight
				}
				floor := src.WeakWeight
				if hasStrong && src.StrongFloor > floor {
					floor = src.StrongFloor
				}
				var set labelSet
				if src.Label != "" {
					set |= 1 << src.Label.Index()
				}
				for _, m := range src.Map {
					if v, ok := r.cols[m.Column]; ok && contains(m.Values, v) {
						set |= 1 << m.Label.Index()
					}
				}
				onTopic := len(topic) > 0 && containsAny(norm, topic)
				hard := false
				if onTopic {
					set |= 1 << src.Topic.Label.Index()
					// A news paragraph about terrorism must not be flagged.
					hard = !src.Topic.Label.Harmful()
				}
				for _, m := range src.HardNegative {
					if v, ok := r.cols[m.Column]; ok && contains(m.Values, v) {
						hard = true
					}
				}
				if set.harmful() {
					hard = false
				}
				lang := src.Lang
				if lang == "auto" || lang == "" {
					lang = identify(text)
				}
				group := r.id
				if src.Group != "" {
					group = r.cols[src.Group]
				}
				id := r.id
				if src.Paragraphs {
					id = fmt.Sprintf("%s:%d", r.id, k)
				}
				exs = append(exs, Example{
					Source: src.Name, ID: id, Text: text, Lang: lang, Labels: set.labels(),
					HardNegative: hard, AccountLevel: src.AccountLevel, Everyday: src.Everyday, Weight: w, Group: group,
					Weak: src.WeakLabels != "" && set.harmful(), WeakFloor: floor, offTopic: src.Topic != nil && !onTopic,
				})
			}
		}
	}
	if src.Topic != nil && src.Topic.OtherLimit > 0 {
		exs = s.limit(src.Name+"/other", exs, src.Topic.OtherLimit, func(e Example) bool { return e.offTopic })
	}
	for i := range exs {
		exs[i].Split = s.split(src.Name, exs[i].Group)
		exs[i].Written = src.Format == "templates"
	}
	if src.Limit > 0 {
		exs = s.limit(src.Name, exs, src.Limit, func(Example) bool { return true })
	}
	return exs, nil
}

// limit keeps at most n of the examples that sel selects, chosen by a
// seeded hash of their IDs, and every example sel does not select, in
// their order.
func (s *Spec) limit(key string, exs []Example, n int, sel func(Example) bool) []Example {
	var cand []int
	for i, e := range exs {
		if sel(e) {
			cand = append(cand, i)
		}
	}
	if len(cand) <= n {
		return exs
	}
	sort.SliceStable(cand, func(i, j int) bool {
		return s.hash(key, "limit", exs[cand[i]].ID) < s.hash(key, "limit", exs[cand[j]].ID)
	})
	drop := map[int]bool{}
	for _, i := range cand[n:] {
		drop[i] = true
	}
	out := exs[:0]
	for i, e := range exs {
		if !drop[i] {
			out = append(out, e)
		}
	}
	return out
}

func normalizeAll(terms []string) []string {
	out := make([]string, len(terms))
	for j, t := range terms {
		out[j] = textnorm.Normalize(t)
	}
	return out
}

// paragraphs splits text at line breaks.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// maxJSONLLine bounds one line of a jsonl source (a whole news article).
const maxJSONLLine = 16 << 20

// readJSONL reads the rows of a jsonl source: every string field of each
// object becomes a column. Files ending in .gz are decompressed.
func readJSONL(paths []string, src Source) ([]row, error) {
	var rows []row
	for _, p := range paths {
		err := func() error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			var r io.Reader = f
			if strings.HasSuffix(p, ".gz") {
				zr, err := gzip.NewReader(f)
				if err != nil {
					return err
				}
				defer zr.Close()
				r = zr
			}
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64*1024), maxJSONLLine)
			line := 0
			for sc.Scan() {
				line++
				b := bytes.TrimSpace(sc.Bytes())
				if len(b) == 0 {
					continue
				}
				var obj map[string]any
				if err := json.Unmarshal(b, &obj); err != nil {
					return fmt.Errorf("line %d: %w", line, err)
				}
				cols := make(map[string]string, len(obj))
				for k, v := range obj {
					if str, ok := v.(string); ok {
						cols[k] = str
					}
				}
				for _, need := range []string{src.Text, src.ID, src.Group} {
					if _, ok := cols[need]; need != "" && !ok {
						return fmt.Errorf("line %d: no string field %q", line, need)
					}
				}
				id := fmt.Sprintf("%s:%d", filepath.Base(p), line)
				if src.ID != "" {
					id = cols[src.ID]
				}
				rows = append(rows, row{id: id, cols: cols})
			}
			return sc.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return rows, nil
}

// containsAny says whether text contains one of terms.
func containsAny(text string, terms []string) bool {
	for _, t := range terms {
		if strings.Contains(text, t) {
			return true
		}
	}
	return false
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Spec) hash(parts ...string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", s.Seed)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return h.Sum64()
}

// split assigns a group to a split by a seeded hash, so that the same spec
// always gives the same splits.
func (s *Spec) split(source, group string) Split {
	v := int(s.hash(source, group) % 100)
	switch {
	case v < s.TestPercent:
		return SplitTest
	case v < s.TestPercent+s.CalibPercent:
		return SplitCalib
	}
	return SplitTrain
}

type row struct {
	id   string
	cols map[string]string
}

// readTables reads the files of a csv/tsv source and merges rows by ID.
func readTables(paths []string, src Source) ([]row, error) {
	var rows []row
	byID := map[string]int{}
	for n, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		// Files after the first may only add columns to the rows of the first.
		fsrc := src
		if n > 0 {
			fsrc.Text = ""
		}
		err = readTable(f, fsrc, func(line int, cols map[string]string) error {
			id := fmt.Sprintf("%s:%d", filepath.Base(p), line)
			if src.ID != "" {
				v, ok := cols[src.ID]
				if !ok || v == "" {
					return fmt.Errorf("id column %q is empty", src.ID)
				}
				id = v
			}
			if i, ok := byID[id]; ok {
				for k, v := range cols {
					if _, have := rows[i].cols[k]; !have {
						rows[i].cols[k] = v
					}
				}
				return nil
			}
			byID[id] = len(rows)
			rows = append(rows, row{id: id, cols: cols})
			return nil
		})
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return rows, nil
}

// readTable reads one delimited file with a header row and calls f for each
// record with its line number.
func readTable(r io.Reader, src Source, f func(line int, cols map[string]string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	switch {
	case src.Delimiter != "":
		cr.Comma = rune(src.Delimiter[0])
	case src.Format == "tsv":
		cr.Comma = '\t'
	}
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	var need []string
	if src.Text != "" {
		need = append(need, src.Text)
	}
	if src.ID != "" {
		need = append(need, src.ID)
	}
	if src.Group != "" {
		need = append(need, src.Group)
	}
	for _, n := range need {
		if !contains(header, n) {
			return fmt.Errorf("header: no column %q (have %v)", n, header)
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return err
		}
		if len(rec) != len(header) {
			return fmt.Errorf("line %d: %d fields, header has %d", line, len(rec), len(header))
		}
		cols := make(map[string]string, len(header))
		for i, h := range header {
			cols[h] = rec[i]
		}
		if err := f(line, cols); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}
