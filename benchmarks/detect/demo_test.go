package detectbench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

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
// and precision against the ground truth as metrics, with a table.
//
//	go test -run '^$' -bench Demo -benchtime 1x ./benchmarks/detect/
//	DATAMATCH_BENCH_SEED=7 go test -run '^$' -bench Demo -benchtime 1x ./benchmarks/detect/
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
}
