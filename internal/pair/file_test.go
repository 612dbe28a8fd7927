package pair

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

func TestWriteFile(t *testing.T) {
	matches := []Match{
		{Left: 0, Right: 2, Weight: 12.5, Probability: 0.9998, Explanation: []Contribution{{"surname", "exact", 8}, {"dob", "else", -3}}},
		{Left: 1, Right: 0, Weight: 1, Probability: 0.5, Explanation: []Contribution{{"surname", "dice>=0.9", 4}, {"dob", "null", 0}}},
	}
	id := func(prefix string) func(int32) string {
		return func(i int32) string { return prefix + strconv.Itoa(int(i)) }
	}
	p := filepath.Join(t.TempDir(), "pairs.parquet")
	if err := WriteFile(p, matches, id("L"), id("R")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stat: %v, %v", fi, err)
	}
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
	defer tbl.Release()
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
	if err := WriteFile(p, matches, id, id); err == nil {
		t.Fatal("ragged explanations accepted")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("a failed write published a file")
	}
}
