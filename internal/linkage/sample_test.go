package linkage

import (
	"context"
	"math"
	"testing"

	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// TestSampleTiles checks that the u sample, drawn in tiles of records,
// estimates every level's share of the pairs as the exhaustive count of
// every pair does, in link and in dedupe mode, and draws exactly the
// pairs asked for.
func TestSampleTiles(t *testing.T) {
	left, right, _ := linkData(7, 700, 0.5)
	both := append(left[:len(left):len(left)], right...) // as Dedupe passes it
	tests := []struct {
		name   string
		dedupe bool
		left   []pseudo.Record
		right  []pseudo.Record
	}{
		{"link", false, left, right},
		{"dedupe", true, both, both},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := compare.New(compare.Default())
			if err != nil {
				t.Fatal(err)
			}
			const drawn = 150_000
			r := &runner{cfg: Config{Comparisons: compare.Default(), RandomPairs: drawn, Workers: 2, Seed: 3},
				left: tt.left, right: tt.right, dedupe: tt.dedupe, cmp: c, res: &Result{}}
			space := r.space()
			if space <= drawn {
				t.Fatalf("space %g is not larger than the sample", space)
			}
			got, err := r.sample(context.Background(), space)
			if err != nil {
				t.Fatal(err)
			}
			if r.res.Sampled != drawn {
				t.Fatalf("sampled %d pairs, want %d", r.res.Sampled, drawn)
			}
			// Every pair, once.
			r.cfg.RandomPairs = int(space)
			all, err := r.sample(context.Background(), space)
			if err != nil {
				t.Fatal(err)
			}
			for f, cmp := range compare.Default() {
				for l := range cmp.Levels {
					p := float64(all[f][l]) / space
					q := float64(got[f][l]) / drawn
					// Pairs of a tile share their records, so the
					// sample's spread has a part from the pairs and a
					// part from each side's drawn records, drawn/
					// sampleTile of them, whose share of the level
					// varies by at most p(1-p). Allow five standard
					// errors, and a floor for rare levels.
					v := p * (1 - p) * (1 + 2*sampleTile) / drawn
					tol := 5*math.Sqrt(v) + 3/float64(drawn)
					if math.Abs(p-q) > tol {
						t.Errorf("%s %s: sampled share %.5f, every pair %.5f (tolerance %.5f)", cmp.Name, cmp.Levels[l], q, p, tol)
					}
				}
			}
		})
	}
}
