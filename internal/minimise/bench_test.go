package minimise

import (
	"io"
	"testing"

	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
)

// BenchmarkBuildWriteParquet measures building and writing an
// investigator's output of 100,000 cases.
func BenchmarkBuildWriteParquet(b *testing.B) {
	p, one := oneCase()
	c := one.Findings[0].Cases[0]
	cases := make([]detect.Case, 100_000)
	for i := range cases {
		cases[i] = c
	}
	r := &detect.Result{Findings: []detect.Findings{{Rule: exercise.DualTenancy, Cases: cases}}}
	o := &exercise.Output{File: "x.parquet", Fields: []string{"case_id", "match_probability", "explanation", "evidence",
		"overlap_days", "subject_ref", "tenancy_start", "balance"}}
	src := Sources{Refs: NewKeyedRefs([]byte("key"))}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t, err := Build(p, o, r, src)
		if err != nil {
			b.Fatal(err)
		}
		if err := t.WriteParquet(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
