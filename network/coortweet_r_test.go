package network

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// This file is a deliberately naive transcription of CooRTweet 2.1.3's R
// code (github.com/nicolarighetti/CooRTweet, commit d31a008), written from
// the R sources and not from SEMANTICS.md, so that it cannot share the
// detector's assumptions. It works on strings and whole tables and pairs
// every two rows of an object, O(n²) per object. Each step cites the R file
// and line it transcribes.

// ctRow is one row of the table detect_groups takes: object_id,
// account_id, content_id, timestamp_share (R/detect_groups.R:65).
type ctRow struct {
	object, account, content string
	ts                       time.Duration // since an epoch; CooRTweet uses seconds
}

// ctPair is one row of detect_groups' result (R/calc_group_combinations.R:28-35).
type ctPair struct {
	object, content, contentY, account, accountY string
	timeDelta                                    time.Duration
}

// ctDetectGroups transcribes do_detect_groups (R/detect_groups.R:122-183).
func ctDetectGroups(x []ctRow, timeWindow time.Duration, minParticipation int, removeLoops bool) []ctPair {
	// :134 x <- x[, if (.N >= min_participation) .SD, by = account_id]
	n := map[string]int{}
	for _, r := range x {
		n[r.account]++
	}
	var pre []ctRow
	for _, r := range x {
		if n[r.account] >= minParticipation {
			pre = append(pre, r)
		}
	}
	x = pre
	// :147-150 result <- x[, calc_group_combinations(.SD, time_window), by = object_id]
	// (data.table's by keeps groups in order of first appearance).
	var order []string
	groups := map[string][]ctRow{}
	for _, r := range x {
		if _, ok := groups[r.object]; !ok {
			order = append(order, r.object)
		}
		groups[r.object] = append(groups[r.object], r)
	}
	var result []ctPair
	for _, o := range order {
		result = append(result, ctCalcGroupCombinations(o, groups[o], timeWindow)...)
	}
	// :160-162 if (remove_loops == TRUE) result <- do_remove_loops(result)
	if removeLoops {
		result = ctRemoveLoops(result)
	}
	// :166-168 if (min_participation >= 1) result <- filter_min_participation(x, result, min_participation)
	if minParticipation >= 1 {
		result = ctFilterMinParticipation(x, result, minParticipation)
	}
	// :175-180 swap so that content_id is the older share; abs(time_delta).
	for i := range result {
		p := &result[i]
		if p.timeDelta > 0 {
			p.content, p.contentY, p.account, p.accountY = p.contentY, p.content, p.accountY, p.account
		}
		if p.timeDelta < 0 {
			p.timeDelta = -p.timeDelta
		}
	}
	return result
}

// ctCalcGroupCombinations transcribes calc_group_combinations
// (R/calc_group_combinations.R:19-40) for the rows of one object.
func ctCalcGroupCombinations(object string, group []ctRow, timeWindow time.Duration) []ctPair {
	// :24 group$id <- seq_along(group$content_id)
	// :26-36 self non-equi join on id < id: every two rows, once each.
	var out []ctPair
	for i := range group {
		for j := range group {
			if !(j < i) {
				continue
			}
			xr, ir := group[j], group[i]
			p := ctPair{
				object:    object,
				content:   xr.content,
				contentY:  ir.content,
				timeDelta: xr.ts - ir.ts, // :32 timestamp_share - i.timestamp_share
				account:   xr.account,
				accountY:  ir.account,
			}
			// :37 [abs(time_delta) <= time_window]
			if abs(p.timeDelta) <= timeWindow {
				out = append(out, p)
			}
		}
	}
	return out
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// ctRemoveLoops transcribes do_remove_loops (R/detect_groups.R:196-207).
func ctRemoveLoops(result []ctPair) []ctPair {
	var out []ctPair
	for _, p := range result {
		if p.object == p.content || p.object == p.contentY { // :200-201
			continue
		}
		if p.content == p.contentY { // :203
			continue
		}
		if p.account == p.accountY { // :204
			continue
		}
		out = append(out, p)
	}
	return out
}

// ctFilterMinParticipation transcribes filter_min_participation
// (R/detect_groups.R:222-247). x is the pre-filtered input table.
func ctFilterMinParticipation(x []ctRow, result []ctPair, minParticipation int) []ctPair {
	// :227-232 content_ids <- unique(c(result$content_id, result$content_id_y))
	contentIDs := map[string]bool{}
	for _, p := range result {
		contentIDs[p.content] = true
		contentIDs[p.contentY] = true
	}
	// :238-241 filt <- x[content_id %in% content_ids, if (.N >= min_participation) .SD, by = account_id]
	perAccount := map[string][]ctRow{}
	for _, r := range x {
		if contentIDs[r.content] {
			perAccount[r.account] = append(perAccount[r.account], r)
		}
	}
	filt := map[string]bool{} // filt$content_id
	for _, rows := range perAccount {
		if len(rows) >= minParticipation {
			for _, r := range rows {
				filt[r.content] = true
			}
		}
	}
	// :244 result[(content_id %in% filt$content_id) | (content_id_y %in% filt$content_id)]
	var out []ctPair
	for _, p := range result {
		if filt[p.content] || filt[p.contentY] {
			out = append(out, p)
		}
	}
	return out
}

// ctEdge is one edge of generate_coordinated_network's graph.
type ctEdge struct {
	account, accountY string
	weight            int
	avgTimeDelta      time.Duration
}

// ctGenerateNetwork transcribes the graph part of generate_coordinated_network
// (R/generate_coordinated_network.R:154-198): one undirected edge per
// account pair, weight .N, avg_time_delta mean(time_delta). Edges are
// returned sorted; vertices are the ends of edges.
func ctGenerateNetwork(x []ctPair) ([]ctEdge, []string) {
	type pk struct{ a, b string }
	agg := map[pk][]time.Duration{}
	for _, p := range x {
		// :154-157 account_id = pmin(account_id, account_id_y), account_id_y = pmax(...)
		k := pk{min(p.account, p.accountY), max(p.account, p.accountY)}
		agg[k] = append(agg[k], p.timeDelta)
	}
	var edges []ctEdge
	vertices := map[string]bool{}
	for k, ds := range agg {
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		// :162 weight = .N; :166 avg_time_delta = mean(time_delta)
		edges = append(edges, ctEdge{k.a, k.b, len(ds), sum / time.Duration(len(ds))})
		// :197-198 graph_from_data_frame(x_aggregated, directed = FALSE)
		vertices[k.a], vertices[k.b] = true, true
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].account != edges[j].account {
			return edges[i].account < edges[j].account
		}
		return edges[i].accountY < edges[j].accountY
	})
	var vs []string
	for v := range vertices {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return edges, vs
}

// ctTables turns shares into one detect_groups table per object type, as
// CooRTweet's vignette prepares its per-type runs
// (vignettes/reproduce_examples.Rmd:44-97): unique rows by object, account,
// content and timestamp. A share without a post gets a content id of its
// own. Types are returned sorted.
func ctTables(shares []Share) ([]string, map[string][]ctRow) {
	tables := map[string][]ctRow{}
	seen := map[string]bool{}
	for _, s := range shares {
		content := s.Post
		if content == "" && !s.HasPost {
			// A post-less share is a content of its own; identical ones
			// are one share (the vignette's unique).
			content = fmt.Sprintf("\x00%s\x00%s\x00%d", s.Account, s.Object, s.Time.UnixNano())
		}
		r := ctRow{object: s.Object, account: s.Account, content: content, ts: time.Duration(s.Time.UnixNano())}
		k := strings.Join([]string{s.ObjectType, r.object, r.account, r.content, fmt.Sprint(r.ts)}, "\x01")
		if seen[k] {
			continue
		}
		seen[k] = true
		tables[s.ObjectType] = append(tables[s.ObjectType], r)
	}
	var types []string
	for t := range tables {
		types = append(types, t)
	}
	slices.Sort(types)
	return types, tables
}

// ctCombined runs detect_groups per object type and combines the results
// as the vignette does (rbindlist, reproduce_examples.Rmd:270-292), then
// generate_coordinated_network. It returns the result rows with their
// types.
func ctCombined(shares []Share, o Options) (map[string][]ctPair, []ctEdge, []string) {
	o, _ = o.normalised()
	types, tables := ctTables(shares)
	byType := map[string][]ctPair{}
	var all []ctPair
	for _, t := range types {
		res := ctDetectGroups(tables[t], o.Window, o.MinParticipation, !o.KeepLoops)
		byType[t] = res
		all = append(all, res...)
	}
	edges, vertices := ctGenerateNetwork(all)
	return byType, edges, vertices
}
