package network

import (
	"cmp"
	"slices"
)

// GroupObjects groups objects that a caller-supplied neighbour function links
// (for example PDQ hashes within a Hamming distance, found with a multi-index
// hash) and maps every object to its group's representative: the smallest
// object of the group. Grouping is transitive (single linkage).
func GroupObjects(objects []string, neighbours func(object string) []string) map[string]string {
	idx := make(map[string]int, len(objects))
	var names []string
	id := func(o string) int {
		if i, ok := idx[o]; ok {
			return i
		}
		idx[o] = len(names)
		names = append(names, o)
		return len(names) - 1
	}
	for _, o := range objects {
		id(o)
	}
	parent := make([]int, len(names), len(names)*2)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, o := range slices.Clone(names) {
		for _, n := range neighbours(o) {
			j := id(n)
			for len(parent) < len(names) {
				parent = append(parent, len(parent))
			}
			a, b := find(idx[o]), find(j)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	rep := map[int]string{}
	for i, name := range names {
		r := find(i)
		if cur, ok := rep[r]; !ok || cmp.Less(name, cur) {
			rep[r] = name
		}
	}
	out := make(map[string]string, len(names))
	for i, name := range names {
		out[name] = rep[find(i)]
	}
	return out
}

// Regroup returns a copy of shares in which every Object of type objectType
// is replaced by its representative in groups (as GroupObjects returns).
func Regroup(shares []Share, objectType string, groups map[string]string) []Share {
	out := slices.Clone(shares)
	for i := range out {
		if out[i].ObjectType == objectType {
			if r, ok := groups[out[i].Object]; ok {
				out[i].Object = r
			}
		}
	}
	return out
}
