package detectbench

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/pipeline"
)

// benchPeople returns DATAMATCH_BENCH_PEOPLE, or 60,000, the demo's size.
func benchPeople(b *testing.B) int {
	s := os.Getenv("DATAMATCH_BENCH_PEOPLE")
	if s == "" {
		return 60_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("DATAMATCH_BENCH_PEOPLE=%q: want a positive whole number", s)
	}
	return n
}

// benchSeed returns DATAMATCH_BENCH_SEED, or 42, the demo's seed.
func benchSeed(b *testing.B) int64 {
	s := os.Getenv("DATAMATCH_BENCH_SEED")
	if s == "" {
		return 42
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		b.Fatalf("DATAMATCH_BENCH_SEED=%q: want a whole number", s)
	}
	return n
}

// BenchmarkDemo generates the demo population once (DATAMATCH_BENCH_PEOPLE
// people, seed DATAMATCH_BENCH_SEED, by default those of the demo), then runs the demo exercise through pipeline.Run in a
// fresh exercise folder per iteration, and reports each detection's recall
// and precision against the ground truth as metrics, with a table. It
// prints the cases' calibration too: review outcomes as reviewers who knew
// the truth would record them (see Reviewed).
//
//	go test -run '^$' -bench Demo -benchtime 1x ./benchmarks/detect/
//	DATAMATCH_BENCH_SEED=7 go test -run '^$' -bench Demo -benchtime 1x ./benchmarks/detect/
//
// With DATAMATCH_BENCH_MISSES set it also lists the planted cases missed,
// with the evidence the matching engine found for each (see misses).
func BenchmarkDemo(b *testing.B) {
	ctx := context.Background()
	people, seed := benchPeople(b), benchSeed(b)
	data, err := Generate(ctx, b.TempDir(), seed, people)
	if err != nil {
		b.Fatal(err)
	}
	truth, err := ReadTruth(data.Dir)
	if err != nil {
		b.Fatal(err)
	}
	var res *pipeline.RunResult
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		ex, err := Share(data, b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err = pipeline.Run(ctx, pipeline.RunOptions{Config: ex.Config(), Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(people)/(b.Elapsed().Seconds()/float64(b.N)), "people/s")
	qs := Measure(truth, CasesOf(res.Results))
	for i := range qs {
		q := &qs[i]
		b.ReportMetric(q.Recall(), string(q.Rule)+"-recall")
		b.ReportMetric(q.Precision(), string(q.Rule)+"-precision")
	}
	var t strings.Builder
	if err := WriteTable(&t, qs); err != nil {
		b.Fatal(err)
	}
	b.Logf("detection quality, %d people, seed %d:\n%s", people, seed, t.String())
	// Printed rather than logged: a benchmark's log keeps ten lines.
	fmt.Printf("calibration: the cases as reviewers who knew the truth would decide them\n")
	if err := review.RenderOutcomes(os.Stdout, review.Summarise(Reviewed(truth, res.Results), time.Now())); err != nil {
		b.Fatal(err)
	}
	if os.Getenv("DATAMATCH_BENCH_MISSES") != "" {
		fmt.Printf("missed planted cases, as a second run with every threshold at 0.001 (and another key) scores them:\n%s", misses(b, data, truth, qs))
	}
}

// misses runs the demo exercise again over data with every matching and
// detection threshold lowered to 0.001, and describes each planted case
// in qs that was missed: the probability and per-field evidence the
// second run gave the pair, or that it was never a candidate. It ends
// with what finding them would cost: for each detection, the threshold
// that would raise every missed case the second run scores, and the
// recall and false cases of the second run's cases at that threshold.
func misses(b *testing.B, data *Data, truth *Truth, qs []Quality) string {
	b.Helper()
	low := regexp.MustCompile(`(min_probability|threshold): [0-9.]+`)
	ex, err := Share(data, b.TempDir(), func(c []byte) []byte { return low.ReplaceAll(c, []byte("$1: 0.001")) })
	if err != nil {
		b.Fatal(err)
	}
	res, err := pipeline.Run(context.Background(), pipeline.RunOptions{Config: ex.Config(), Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	best := map[Case]detect.Case{}
	for i := range res.Results {
		for _, c := range res.Results[i].Cases() {
			k := Case{Rule: c.Rule, Pair: NewPair(c.Subject.Ref, c.Partner.Ref)}
			if old, ok := best[k]; !ok || c.Probability > old.Probability {
				best[k] = c
			}
		}
	}
	var out strings.Builder
	lowest := map[exercise.Rule]float64{}
	for _, q := range qs {
		for _, p := range q.Missed {
			fmt.Fprintf(&out, "%s %s/%s ~ %s/%s: ", q.Rule, p[0].Dataset, p[0].RecordID, p[1].Dataset, p[1].RecordID)
			c, ok := best[Case{Rule: q.Rule, Pair: p}]
			if !ok {
				out.WriteString("not raised at 0.001 (never a candidate, or scored lower)\n")
				continue
			}
			fmt.Fprintf(&out, "p=%.3f", c.Probability)
			if l, ok := lowest[q.Rule]; !ok || c.Probability < l {
				lowest[q.Rule] = c.Probability
			}
			for _, e := range c.Explanation {
				fmt.Fprintf(&out, " %s:%s(%+.1f)", e.Field, e.Level, e.Weight)
			}
			out.WriteByte('\n')
		}
	}
	out.WriteString("what raising them would cost: each detection at the threshold that raises every missed case the second run scores\n")
	for _, q := range qs {
		at, ok := lowest[q.Rule]
		if !ok {
			continue
		}
		var cases []Case
		for k, c := range best {
			if k.Rule == q.Rule && c.Probability >= at {
				cases = append(cases, k)
			}
		}
		for _, lq := range Measure(truth, cases) {
			if lq.Rule != q.Rule {
				continue
			}
			fmt.Fprintf(&out, "%s at %.3f: %d of %d planted found (recall %.3f); %d cases, %d false (%.1f%%), against %d false now\n",
				q.Rule, at, lq.Found, lq.Planted, lq.Recall(), lq.Cases, len(lq.False), 100*lq.FalseRate(), len(q.False))
		}
	}
	return out.String()
}
