package evaluate

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/pair"
)

// writeTable writes a Parquet file whose columns are named by names and
// hold the text of rows; "" is null.
func writeTable(t *testing.T, names []string, rows [][]string) string {
	t.Helper()
	var fs []arrow.Field
	for _, n := range names {
		fs = append(fs, arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	schema := arrow.NewSchema(fs, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range rows {
		for c, v := range row {
			if v == "" {
				b.Field(c).AppendNull()
			} else {
				b.Field(c).(*array.StringBuilder).Append(v)
			}
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	p := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadPairs(t *testing.T) {
	p := writeTable(t, []string{"left_record_id", "right_record_id"}, [][]string{{"a", "b"}, {"c", "d"}, {"b", "a"}})
	link, err := ReadPairs(context.Background(), p, false)
	if err != nil {
		t.Fatal(err)
	}
	if link.Total() != 3 || !link.Match("a", "b") || !link.Match("b", "a") || link.Match("d", "c") || link.Match("a", "d") {
		t.Errorf("link truth: total %d, wrong matches", link.Total())
	}
	dedupe, err := ReadPairs(context.Background(), p, true)
	if err != nil {
		t.Fatal(err)
	}
	// a–b is listed both ways: one pair of a deduplication.
	if dedupe.Total() != 2 || !dedupe.Match("d", "c") || !dedupe.Match("b", "a") || dedupe.Match("a", "c") {
		t.Errorf("dedupe truth: total %d, wrong matches", dedupe.Total())
	}
	for _, rows := range [][][]string{{{"a", ""}}, {{"a", "a"}}} {
		bad := writeTable(t, []string{"left_record_id", "right_record_id"}, rows)
		if _, err := ReadPairs(context.Background(), bad, true); err == nil || !strings.Contains(err.Error(), "row 1") {
			t.Errorf("rows %q: %v", rows, err)
		}
	}
	if _, err := ReadPairs(context.Background(), writeTable(t, []string{"left_record_id", "right"}, nil), false); err == nil || !strings.Contains(err.Error(), "right_record_id") {
		t.Errorf("missing column: %v", err)
	}
}

func TestReadLabels(t *testing.T) {
	left := writeTable(t, []string{"record_id", "person"}, [][]string{{"l1", "A"}, {"l2", "A"}, {"l3", "B"}, {"l4", ""}, {"l5", "C"}})
	right := writeTable(t, []string{"record_id", "person"}, [][]string{{"r1", "A"}, {"r2", "B"}, {"r3", "B"}, {"r4", "D"}})
	ctx := context.Background()

	dedupe, err := ReadLabels(ctx, "person", left, "")
	if err != nil {
		t.Fatal(err)
	}
	// Person A has two records: one pair. l4 has no label.
	if !dedupe.Dedupe() || dedupe.Total() != 1 || !dedupe.Match("l2", "l1") || dedupe.Match("l1", "l1") || dedupe.Match("l4", "l4") || dedupe.Match("l3", "l5") {
		t.Errorf("dedupe: total %d, wrong matches", dedupe.Total())
	}
	link, err := ReadLabels(ctx, "person", left, right)
	if err != nil {
		t.Fatal(err)
	}
	// A: 2 × 1, B: 1 × 2.
	if link.Dedupe() || link.Total() != 4 || !link.Match("l1", "r1") || !link.Match("l3", "r3") || link.Match("r1", "l1") || link.Match("l5", "r4") {
		t.Errorf("link: total %d, wrong matches", link.Total())
	}
	dup := writeTable(t, []string{"record_id", "person"}, [][]string{{"x", "A"}, {"x", "B"}})
	if _, err := ReadLabels(ctx, "person", dup, ""); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("record listed twice: %v", err)
	}
	if _, err := ReadLabels(ctx, "cluster", left, ""); err == nil || !strings.Contains(err.Error(), `"cluster"`) {
		t.Errorf("missing label column: %v", err)
	}
}

func TestSweep(t *testing.T) {
	truth := &Truth{pairs: map[[2]string]struct{}{{"a", "1"}: {}, {"b", "2"}: {}, {"c", "3"}: {}, {"d", "4"}: {}}, total: 4}
	pairs := []pair.Scored{
		{Left: "a", Right: "1", Probability: 0.99},
		{Left: "b", Right: "2", Probability: 0.7},
		{Left: "b", Right: "9", Probability: 0.6}, // false
		{Left: "c", Right: "3", Probability: 0.3},
		{Left: "a", Right: "1", Probability: 0.99}, // listed twice
	}
	got := Sweep(pairs, truth, []float64{0.3, 0.5, 0.65, 0.995})
	want := []Quality{
		{Threshold: 0.3, Pairs: 4, True: 3, Total: 4},
		{Threshold: 0.5, Pairs: 3, True: 2, Total: 4},
		{Threshold: 0.65, Pairs: 2, True: 2, Total: 4},
		{Threshold: 0.995, Pairs: 0, True: 0, Total: 4},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("threshold %v: %+v, want %+v", want[i].Threshold, got[i], want[i])
		}
	}
	q := got[0]
	if q.Precision() != 0.75 || q.Recall() != 0.75 || q.F1() != 0.75 {
		t.Errorf("P %v R %v F1 %v", q.Precision(), q.Recall(), q.F1())
	}
	if e := got[3]; e.Precision() != 1 || e.Recall() != 0 || e.F1() != 0 {
		t.Errorf("nothing found: P %v R %v F1 %v", e.Precision(), e.Recall(), e.F1())
	}
	if q := (Quality{Pairs: 3, True: 1, Total: 2}); math.Abs(q.F1()-0.4) > 1e-12 {
		t.Errorf("F1 %v, want 0.4", q.F1())
	}
}

func TestThresholds(t *testing.T) {
	tests := []struct {
		floor float64
		want  []float64
	}{
		{0.5, []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999}},
		{0.93, []float64{0.93, 0.95, 0.99, 0.999}},
		{0.999, []float64{0.999}},
	}
	for _, tt := range tests {
		if got := Thresholds(tt.floor); !slices.Equal(got, tt.want) {
			t.Errorf("Thresholds(%v) = %v, want %v", tt.floor, got, tt.want)
		}
	}
}

func TestClusters(t *testing.T) {
	// Clusters {1,2,3}, {4,5}, {6}: 3 + 1 pairs found.
	of := map[string]string{"1": "1", "2": "1", "3": "1", "4": "4", "5": "4", "6": "6"}
	labels := map[string]string{"1": "A", "2": "A", "3": "B", "4": "B", "5": "B", "6": "A"}
	byLabel := &Truth{dedupe: true, left: labels, right: labels, total: 3 + 3} // A: 1,2,6; B: 3,4,5
	q, err := Clusters(of, byLabel)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Quality{Pairs: 4, True: 2, Total: 6}); q != want {
		t.Errorf("labels: %+v, want %+v", q, want)
	}
	byPairs := &Truth{dedupe: true, pairs: map[[2]string]struct{}{{"1", "2"}: {}, {"4", "5"}: {}, {"1", "6"}: {}, {"5", "7"}: {}}, total: 4}
	q, err = Clusters(of, byPairs)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Quality{Pairs: 4, True: 2, Total: 4}); q != want {
		t.Errorf("pairs: %+v, want %+v", q, want)
	}
	if _, err := Clusters(of, &Truth{}); err == nil {
		t.Error("a link's truth accepted for clusters")
	}
}

func TestFloorBestPeople(t *testing.T) {
	pairs := []pair.Scored{{Probability: 0.7}, {Probability: 0.3}, {Probability: 0.9}}
	if got := Floor(pairs, 0.25); got != 0.25 {
		t.Errorf("Floor with a kept threshold = %v, want 0.25", got)
	}
	if got := Floor(pairs, 0); got != 0.3 {
		t.Errorf("Floor of a file that does not say = %v, want 0.3", got)
	}
	qs := []Quality{
		{Threshold: 0.5, Pairs: 10, True: 8, Total: 10},
		{Threshold: 0.7, Pairs: 9, True: 9, Total: 10},
		{Threshold: 0.9, Pairs: 9, True: 9, Total: 10},
	}
	if got := Best(qs); got != qs[1] {
		t.Errorf("Best = %+v, want %+v", got, qs[1])
	}
	if got := Best(nil); got != (Quality{}) {
		t.Errorf("Best(nil) = %+v", got)
	}
	if got := People(map[string]string{"a": "a", "b": "a", "c": "c"}); got != 2 {
		t.Errorf("People = %d, want 2", got)
	}
}
