package linkage

import (
	"context"
	"log/slog"
	"reflect"
	"testing"

	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/compare"
)

// TestScoreSkipsOnlyPairsShortOfTheThreshold checks that weighing again
// only the candidates whose calibration ratio can reach the threshold
// keeps exactly the pairs, with exactly the weights, that weighing every
// candidate keeps, for priors moved a little (as calibration does) and a
// lot.
func TestScoreSkipsOnlyPairsShortOfTheThreshold(t *testing.T) {
	ctx := context.Background()
	left, right, _ := linkData(2, 2000, 0.5)
	res, err := Link(ctx, left, right, Config{RandomPairs: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	c, err := compare.New(compare.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []float64{0.01, 0.5, 0.999} {
		cfg := Config{Threshold: th, Workers: 2, Rules: block.DefaultRules(), Comparisons: compare.Default(), RandomPairs: 50_000}
		r := &runner{cfg: cfg, log: slog.New(slog.DiscardHandler), left: left, right: right, cmp: c, res: &Result{}}
		batches, _, err := r.candidates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.terms, err = r.countTerms(ctx); err != nil {
			t.Fatal(err)
		}
		s, err := r.scorer(ctx, res.Model)
		if err != nil {
			t.Fatal(err)
		}
		calibrated, ratios, err := r.calibrate(ctx, s, batches, r.space())
		if err != nil {
			t.Fatal(err)
		}
		lambda := calibrated.Model().Lambda
		for _, to := range []float64{lambda, lambda * 1.001, lambda * 50, lambda / 50} {
			moved := s.WithLambda(to)
			got, err := r.score(ctx, moved, batches, s, ratios)
			if err != nil {
				t.Fatal(err)
			}
			want, err := r.score(ctx, moved, batches, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatalf("threshold %g, prior %g: no pair kept; the test needs some", th, to)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("threshold %g, prior %g: %d pairs kept skipping, %d weighing all, or their weights differ", th, to, len(got), len(want))
			}
		}
	}
}
