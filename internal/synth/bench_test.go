package synth

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

// BenchmarkGenerate100k generates 100,000 people and their partner datasets
// (about 315,000 rows in all, and their truth files) per iteration.
func BenchmarkGenerate100k(b *testing.B) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rows := 0
	for b.Loop() {
		m, err := Generate(context.Background(), Config{Seed: 1, People: 100_000, Logger: log}, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range m.Datasets {
			rows += d.Rows
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
