package score

import (
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// manyVectors returns comparisons, candidates' vectors and random pairs'
// levels with thousands of distinct vectors, as large links have.
func manyVectors() ([]compare.Comparison, Patterns, *LevelCounts) {
	const fields = 8
	levels := []string{"exact", "close", "else", "null"}
	var cs []compare.Comparison
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		cs = append(cs, compare.Comparison{Name: n, Levels: levels, Compare: func(a, b *pseudo.Record) uint8 { return 3 }})
	}
	rng := rand.New(rand.NewPCG(11, 0))
	pair := func(match bool) compare.Vector {
		p := [3]float64{0.05, 0.25, 0.6} // exact, close, else; the rest null
		if match {
			p = [3]float64{0.7, 0.2, 0.05}
		}
		var v compare.Vector
		for f := range fields {
			v = v.With(f, draw(rng, p, 0.1))
		}
		return v
	}
	pats := Patterns{}
	for i := range 200_000 {
		pats[pair(i < 20_000)]++
	}
	random := new(LevelCounts)
	for range 100_000 {
		random.Add(pair(false), fields)
	}
	return cs, pats, random
}

// TestEstimateDoesNotDependOnProcessors checks that a model with enough
// distinct vectors to be estimated in parallel is the same, to the bit,
// however many processors share the work.
func TestEstimateDoesNotDependOnProcessors(t *testing.T) {
	cs, pats, random := manyVectors()
	if len(pats) < 2*parallelVectors {
		t.Fatalf("%d distinct vectors: too few to be shared", len(pats))
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var want *Model
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		m, err := Estimate(cs, Data{Patterns: pats, Random: random, Space: 1e8}, EMOptions{MaxIterations: 50})
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = m
			continue
		}
		if !reflect.DeepEqual(m, want) {
			t.Errorf("%d processors: model differs from one processor's", procs)
		}
	}
}

func BenchmarkEstimate(b *testing.B) {
	cs, pats, random := manyVectors()
	for b.Loop() {
		if _, err := Estimate(cs, Data{Patterns: pats, Random: random, Space: 1e8}, EMOptions{MaxIterations: 100, Tolerance: 1e-300}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pats)), "vectors")
}
