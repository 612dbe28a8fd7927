package pqscan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// writeFile writes a Parquet file of four columns, id (int64), name
// (dictionary of strings, as Arrow writers store categories), score
// (float32) and tag (string), with a null in each, and metadata k=v. The
// Arrow schema is stored in the file, as pyarrow stores it, so that the
// name column reads back as a dictionary.
func writeFile(t *testing.T, rows int) string {
	t.Helper()
	md := arrow.NewMetadata([]string{"k"}, []string{"v"})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "tag", Type: arrow.BinaryTypes.String, Nullable: true},
	}, &md)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range rows {
		if i == 1 {
			for _, f := range b.Fields() {
				f.AppendNull()
			}
			continue
		}
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if err := b.Field(1).(*array.BinaryDictionaryBuilder).AppendString([]string{"a", "b"}[i%2]); err != nil {
			t.Fatal(err)
		}
		b.Field(2).(*array.Float32Builder).Append(float32(i) / 4)
		b.Field(3).(*array.StringBuilder).Append("t")
	}
	rec := b.NewRecord()
	defer rec.Release()
	p := filepath.Join(t.TempDir(), "f.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(1000)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
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

func TestScan(t *testing.T) {
	const rows = 2500 // several row groups and batches
	p := writeFile(t, rows)
	n := 0
	// Columns in another order than the file's, and a number read as text.
	meta, err := Scan(context.Background(), p, []string{"score", "name", "id"}, func(r *Row) error {
		i := n
		n++
		id, idOK := r.Text(2)
		name, nameOK := r.Text(1)
		score, scoreOK := r.Float(0)
		idNum, idNumOK := r.Float(2)
		if _, ok := r.Float(1); ok {
			t.Errorf("row %d: text read as a number", i)
		}
		if i == 1 {
			if idOK || nameOK || scoreOK || idNumOK {
				t.Errorf("row 1: nulls read as values")
			}
			return nil
		}
		if want := []string{"a", "b"}[i%2]; !nameOK || name != want {
			t.Errorf("row %d: name %q, want %q", i, name, want)
		}
		if !scoreOK || score != float64(i)/4 {
			t.Errorf("row %d: score %v", i, score)
		}
		if !idOK || id != strconv.Itoa(i) || !idNumOK || idNum != float64(i) {
			t.Errorf("row %d: id %q, %v", i, id, idNum)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Errorf("%d rows, want %d", n, rows)
	}
	if meta["k"] != "v" {
		t.Errorf("metadata %v", meta)
	}
}

func TestScanErrors(t *testing.T) {
	p := writeFile(t, 10)
	stop := errors.New("stop")
	n := 0
	_, err := Scan(context.Background(), p, []string{"id"}, func(*Row) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error: got %v after %d rows", err, n)
	}
	if _, err := Scan(context.Background(), p, []string{"id", "missing"}, func(*Row) error { return nil }); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("missing column: %v", err)
	}
	if _, err := Scan(context.Background(), filepath.Join(t.TempDir(), "none.parquet"), []string{"id"}, func(*Row) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	notParquet := filepath.Join(t.TempDir(), "x.parquet")
	if err := os.WriteFile(notParquet, []byte("id\n1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(context.Background(), notParquet, []string{"id"}, func(*Row) error { return nil }); err == nil || !strings.Contains(err.Error(), notParquet) {
		t.Errorf("not Parquet: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, p, []string{"id"}, func(*Row) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestMap(t *testing.T) {
	m, err := Map(context.Background(), writeFile(t, 1), "name", "id")
	if err != nil || len(m) != 1 || m["a"] != "0" {
		t.Errorf("Map = %v, %v; want map[a:0]", m, err)
	}
	// Row 2 of a longer file has no name.
	if _, err := Map(context.Background(), writeFile(t, 3), "name", "id"); err == nil || !strings.Contains(err.Error(), "row 2: no name") {
		t.Errorf("a row without a key: %v", err)
	}
}
