package pair

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// readTable reads the Parquet file at p whole, and returns it with its
// number of row groups. The table is released when the test ends.
func readTable(t *testing.T, p string) (arrow.Table, int) {
	t.Helper()
	rdr, err := file.OpenParquetFile(p, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return tbl, rdr.NumRowGroups()
}

func TestWriteFile(t *testing.T) {
	matches := []Match{
		{Left: 0, Right: 2, Weight: 12.5, Probability: 0.9998, Explanation: []Contribution{{"surname", "exact", 8}, {"dob", "else", -3}}},
		{Left: 1, Right: 0, Weight: 1, Probability: 0.5, Explanation: []Contribution{{"surname", "dice>=0.9", 4}, {"dob", "null", 0}}},
	}
	id := func(prefix string) func(int32) string {
		return func(i int32) string { return prefix + strconv.Itoa(int(i)) }
	}
	p := filepath.Join(t.TempDir(), "pairs.parquet")
	if err := WriteFile(p, matches, Meta{Task: TaskLink, Threshold: 0.5}, id("L"), id("R")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stat: %v, %v", fi, err)
	}
	tbl, _ := readTable(t, p)
	want := []string{"left_record_id", "right_record_id", "match_probability", "match_weight", "weight_surname", "weight_dob", "level_surname", "level_dob"}
	if int(tbl.NumCols()) != len(want) || tbl.NumRows() != 2 {
		t.Fatalf("got %d cols, %d rows", tbl.NumCols(), tbl.NumRows())
	}
	for i, name := range want {
		if got := tbl.Schema().Field(i).Name; got != name {
			t.Errorf("column %d = %q, want %q", i, got, name)
		}
	}
	right := tbl.Column(1).Data().Chunk(0).(*array.String)
	level := tbl.Column(6).Data().Chunk(0).(*array.String)
	if right.Value(0) != "R2" || level.Value(1) != "dice>=0.9" {
		t.Errorf("values: right %q, level %q", right.Value(0), level.Value(1))
	}
}

func TestWriteFileRefusesRaggedExplanations(t *testing.T) {
	matches := []Match{
		{Explanation: []Contribution{{"a", "x", 1}}},
		{Explanation: nil},
	}
	id := func(int32) string { return "x" }
	p := filepath.Join(t.TempDir(), "pairs.parquet")
	if err := WriteFile(p, matches, Meta{}, id, id); err == nil {
		t.Fatal("ragged explanations accepted")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("a failed write published a file")
	}
}

// benchMatches returns n matches explained over the fields of a typical
// model.
func benchMatches(n int) []Match {
	fields := []string{"forename", "middle_names", "surname", "dob", "ni", "address", "phone", "email", "related"}
	levels := []string{"exact", "one-edit", "dice>=0.90", "else", "null"}
	ms := make([]Match, n)
	for i := range ms {
		ex := make([]Contribution, len(fields))
		for j, f := range fields {
			ex[j] = Contribution{Field: f, Level: levels[(i+j)%len(levels)], Weight: float64(i%97) / 7}
		}
		ms[i] = Match{Left: int32(i), Right: int32(n - i), Weight: float64(i % 31), Probability: 0.9, Explanation: ex}
	}
	return ms
}

func BenchmarkWriteFile(b *testing.B) {
	ms := benchMatches(100_000)
	ids := make([]string, len(ms)+1)
	for i := range ids {
		ids[i] = "R" + strconv.Itoa(1_000_000+i)
	}
	id := func(i int32) string { return ids[i] }
	p := filepath.Join(b.TempDir(), "pairs.parquet")
	for b.Loop() {
		if err := WriteFile(p, ms, Meta{}, id, id); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ms)*b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// TestWriteFileRoundTrip writes more matches than one row group holds and
// reads every value back.
func TestWriteFileRoundTrip(t *testing.T) {
	ms := benchMatches(batchRows + 1234)
	id := func(prefix string) func(int32) string {
		return func(i int32) string { return prefix + strconv.Itoa(int(i)) }
	}
	p := filepath.Join(t.TempDir(), "pairs.parquet")
	if err := WriteFile(p, ms, Meta{Task: TaskDedupe, Threshold: 0.01}, id("L"), id("R")); err != nil {
		t.Fatal(err)
	}
	tbl, groups := readTable(t, p)
	if groups != 2 {
		t.Errorf("%d row groups, want 2", groups)
	}
	if int(tbl.NumRows()) != len(ms) {
		t.Fatalf("%d rows, want %d", tbl.NumRows(), len(ms))
	}
	// value returns row i of column c, whichever chunk holds it.
	value := func(c, i int) any {
		for _, ch := range tbl.Column(c).Data().Chunks() {
			if i < ch.Len() {
				switch a := ch.(type) {
				case *array.String:
					return a.Value(i)
				case *array.Float64:
					return a.Value(i)
				}
				t.Fatalf("column %d is %T", c, ch)
			}
			i -= ch.Len()
		}
		t.Fatalf("row %d of column %d missing", i, c)
		return nil
	}
	for i := 0; i < len(ms); i += 997 {
		m := ms[i]
		want := []any{"L" + strconv.Itoa(int(m.Left)), "R" + strconv.Itoa(int(m.Right)), m.Probability, m.Weight}
		for _, c := range m.Explanation {
			want = append(want, c.Weight)
		}
		for _, c := range m.Explanation {
			want = append(want, c.Level)
		}
		for c, w := range want {
			if got := value(c, i); got != w {
				t.Fatalf("row %d column %d = %v, want %v", i, c, got, w)
			}
		}
	}
}

// TestReadFile reads back what WriteFile wrote: every pair by record id,
// with its probability, and the run's task and threshold.
func TestReadFile(t *testing.T) {
	ms := benchMatches(batchRows + 10)
	id := func(prefix string) func(int32) string {
		return func(i int32) string { return prefix + strconv.Itoa(int(i)) }
	}
	for _, meta := range []Meta{{Task: TaskDedupe, Threshold: 0.25}, {Task: TaskLink, Threshold: 0.5}, {}} {
		p := filepath.Join(t.TempDir(), "pairs.parquet")
		if err := WriteFile(p, ms, meta, id("L"), id("R")); err != nil {
			t.Fatal(err)
		}
		got, gotMeta, err := ReadFile(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if gotMeta != meta {
			t.Errorf("meta %+v, want %+v", gotMeta, meta)
		}
		if len(got) != len(ms) {
			t.Fatalf("%d pairs, want %d", len(got), len(ms))
		}
		for i, m := range ms {
			want := Scored{Left: id("L")(m.Left), Right: id("R")(m.Right), Probability: m.Probability}
			if got[i] != want {
				t.Fatalf("pair %d: %+v, want %+v", i, got[i], want)
			}
		}
	}
}
