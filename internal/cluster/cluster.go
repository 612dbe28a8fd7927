// Package cluster groups scored pairs into people: a one-to-one assignment
// for links where each side holds a person at most once, and connected
// components with a guard against chaining for deduplication.
package cluster

import (
	"cmp"
	"slices"

	"github.com/datamatch/datamatch/internal/pair"
)

// OneToOne keeps, of matches between a left and a right dataset, a set in
// which every record appears at most once: greedily, by descending weight
// (ties broken by index, so the result is deterministic). Greedy
// assignment by weight is what a reviewer would do by hand, and on record
// linkage it is within a hair of the optimal assignment, at O(n log n).
// The result is ordered by left then right index; matches is not changed.
func OneToOne(matches []pair.Match) []pair.Match {
	order := make([]int, len(matches))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := &matches[a], &matches[b]
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Left, y.Left); c != 0 {
			return c
		}
		return cmp.Compare(x.Right, y.Right)
	})
	var maxL, maxR int32
	for i := range matches {
		maxL, maxR = max(maxL, matches[i].Left), max(maxR, matches[i].Right)
	}
	usedL, usedR := make([]bool, int(maxL)+1), make([]bool, int(maxR)+1)
	var out []pair.Match
	for _, i := range order {
		m := matches[i]
		if usedL[m.Left] || usedR[m.Right] {
			continue
		}
		usedL[m.Left], usedR[m.Right] = true, true
		out = append(out, m)
	}
	slices.SortFunc(out, byIndex)
	return out
}

func byIndex(a, b pair.Match) int {
	if c := cmp.Compare(a.Left, b.Left); c != 0 {
		return c
	}
	return cmp.Compare(a.Right, b.Right)
}

// Edge is a scored link between two nodes.
type Edge struct {
	A, B   int32
	Weight float64
}

// Options guards Components against chaining: A~B and B~C merging A and C
// although A and C are plainly different people.
type Options struct {
	// MaxSize is the largest cluster; a merge that would exceed it is
	// refused. Zero means 50.
	MaxSize int
	// Score, when set, returns the match weight of any two nodes. A merge
	// is then refused if some pair across the two clusters weighs less
	// than MinWeight. Score is called at most MaxSize²/4 times per merge.
	Score     func(a, b int32) float64
	MinWeight float64
}

// Result is a clustering.
type Result struct {
	// Clusters lists the clusters of two or more nodes, each sorted, in
	// order of their smallest node.
	Clusters [][]int32
	// Kept are the edges that joined clusters; Refused are those whose
	// merge the guard refused (their nodes are in different clusters).
	Kept, Refused []Edge
}

// Components clusters n nodes by the edges, taken in descending weight:
// each edge merges its nodes' clusters unless the merge is refused by the
// guard (see Options). Without a guard this is connected components. Edges
// within one cluster are kept. Taking the strongest evidence first means
// a weak edge cannot chain two clusters that stronger edges have already
// kept apart.
func Components(n int, edges []Edge, o Options) Result {
	if o.MaxSize <= 0 {
		o.MaxSize = 50
	}
	es := slices.Clone(edges)
	slices.SortFunc(es, func(x, y Edge) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	parent := make([]int32, n)
	members := make(map[int32][]int32) // root → members, for clusters of two or more
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	list := func(r int32) []int32 {
		if m, ok := members[r]; ok {
			return m
		}
		return []int32{r}
	}
	var res Result
	for _, e := range es {
		ra, rb := find(e.A), find(e.B)
		if ra == rb {
			res.Kept = append(res.Kept, e)
			continue
		}
		ma, mb := list(ra), list(rb)
		if len(ma)+len(mb) > o.MaxSize || !compatible(ma, mb, o) {
			res.Refused = append(res.Refused, e)
			continue
		}
		if len(ma) < len(mb) {
			ra, rb, ma, mb = rb, ra, mb, ma
		}
		parent[rb] = ra
		members[ra] = append(ma, mb...)
		delete(members, rb)
		res.Kept = append(res.Kept, e)
	}
	for _, m := range members {
		c := slices.Clone(m)
		slices.Sort(c)
		res.Clusters = append(res.Clusters, c)
	}
	slices.SortFunc(res.Clusters, func(x, y []int32) int { return cmp.Compare(x[0], y[0]) })
	return res
}

// compatible reports whether every pair across a and b scores at least
// o.MinWeight.
func compatible(a, b []int32, o Options) bool {
	if o.Score == nil {
		return true
	}
	for _, x := range a {
		for _, y := range b {
			if o.Score(x, y) < o.MinWeight {
				return false
			}
		}
	}
	return true
}
