package cluster

import (
	"slices"
	"testing"

	"github.com/datamatch/datamatch/internal/pair"
)

func TestOneToOne(t *testing.T) {
	tests := []struct {
		name string
		in   []pair.Match
		want [][2]int32
	}{
		{"empty", nil, nil},
		{"disjoint kept", []pair.Match{{Left: 0, Right: 0, Weight: 5}, {Left: 1, Right: 1, Weight: 3}}, [][2]int32{{0, 0}, {1, 1}}},
		{"stronger wins on the left", []pair.Match{{Left: 0, Right: 0, Weight: 5}, {Left: 0, Right: 1, Weight: 9}}, [][2]int32{{0, 1}}},
		{"stronger wins on the right", []pair.Match{{Left: 0, Right: 2, Weight: 1}, {Left: 1, Right: 2, Weight: 2}}, [][2]int32{{1, 2}}},
		{
			// Greedy: (1,1) first, which removes (0,1) and (1,0); (0,0)
			// survives.
			"chain", []pair.Match{{Left: 0, Right: 1, Weight: 8}, {Left: 1, Right: 1, Weight: 10}, {Left: 1, Right: 0, Weight: 7}, {Left: 0, Right: 0, Weight: 2}},
			[][2]int32{{0, 0}, {1, 1}},
		},
		{"tie broken by index", []pair.Match{{Left: 1, Right: 0, Weight: 4}, {Left: 0, Right: 0, Weight: 4}}, [][2]int32{{0, 0}}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		got := OneToOne(tt.in)
		var pairs [][2]int32
		for _, m := range got {
			pairs = append(pairs, [2]int32{m.Left, m.Right})
		}
		if !slices.Equal(pairs, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, pairs, tt.want)
		}
		if !slices.EqualFunc(in, tt.in, func(a, b pair.Match) bool { return a.Left == b.Left && a.Right == b.Right && a.Weight == b.Weight }) {
			t.Errorf("%s: input modified", tt.name)
		}
	}
}

func TestComponentsWithoutGuard(t *testing.T) {
	edges := []Edge{{0, 1, 5}, {1, 2, 4}, {3, 4, 6}, {5, 5, 1}}
	res := Components(7, edges, Options{})
	want := [][]int32{{0, 1, 2}, {3, 4}}
	if !slices.EqualFunc(res.Clusters, want, slices.Equal) {
		t.Errorf("clusters %v, want %v", res.Clusters, want)
	}
	if len(res.Refused) != 0 {
		t.Errorf("refused %v", res.Refused)
	}
}

func TestComponentsGuardStopsChaining(t *testing.T) {
	// 0~1 and 1~2 are strong; 0 and 2 are plainly different people.
	weights := map[[2]int32]float64{{0, 1}: 20, {1, 2}: 15, {0, 2}: -30, {2, 3}: 12, {0, 3}: -5, {1, 3}: 1}
	score := func(a, b int32) float64 {
		if a > b {
			a, b = b, a
		}
		return weights[[2]int32{a, b}]
	}
	edges := []Edge{{0, 1, 20}, {1, 2, 15}, {2, 3, 12}}
	res := Components(4, edges, Options{Score: score, MinWeight: -10})
	// 0-1 merge; {0,1}+{2} refused (0,2 = -30); 2-3 merge.
	want := [][]int32{{0, 1}, {2, 3}}
	if !slices.EqualFunc(res.Clusters, want, slices.Equal) {
		t.Errorf("clusters %v, want %v", res.Clusters, want)
	}
	if len(res.Refused) != 1 || res.Refused[0] != (Edge{1, 2, 15}) {
		t.Errorf("refused %v, want the 1-2 edge", res.Refused)
	}
}

func TestComponentsMaxSize(t *testing.T) {
	var edges []Edge
	for i := range int32(9) {
		edges = append(edges, Edge{i, i + 1, float64(20 - i)})
	}
	res := Components(10, edges, Options{MaxSize: 4})
	for _, c := range res.Clusters {
		if len(c) > 4 {
			t.Errorf("cluster %v exceeds the size cap", c)
		}
	}
	// Strongest first: {0..3} fills, then {4..7}, then {8,9}.
	want := [][]int32{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}
	if !slices.EqualFunc(res.Clusters, want, slices.Equal) {
		t.Errorf("clusters %v, want %v", res.Clusters, want)
	}
	if len(res.Kept)+len(res.Refused) != len(edges) {
		t.Errorf("%d kept + %d refused of %d edges", len(res.Kept), len(res.Refused), len(edges))
	}
}
