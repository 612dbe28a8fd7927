package load

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"

	"github.com/datamatch/datamatch/internal/date"
)

// runDate is the run date of every test, so that ages do not drift.
var runDate = date.MustOf(2026, time.March, 15)

func testOptions() Options { return Options{Today: runDate, BatchSize: 1000, Parallelism: 2} }

// column is one named Arrow array to write.
type column struct {
	name string
	arr  arrow.Array
}

// mk builds a column of type dt from vals; a nil value is null. Values are
// Go values of the obvious kind for dt: string, int64, float64, bool,
// date.Date (for DATE32), int64 days/ms/units for DATE64 and TIMESTAMP,
// and int64 unscaled values for DECIMAL.
func mk(name string, dt arrow.DataType, vals ...any) column {
	b := array.NewBuilder(memory.DefaultAllocator, dt)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch b := b.(type) {
		case *array.StringBuilder:
			b.Append(v.(string))
		case *array.LargeStringBuilder:
			b.Append(v.(string))
		case *array.BinaryBuilder:
			b.Append([]byte(v.(string)))
		case *array.Int64Builder:
			b.Append(int64(v.(int)))
		case *array.Int32Builder:
			b.Append(int32(v.(int)))
		case *array.Uint64Builder:
			b.Append(uint64(v.(int)))
		case *array.Float64Builder:
			b.Append(v.(float64))
		case *array.BooleanBuilder:
			b.Append(v.(bool))
		case *array.Date32Builder:
			b.Append(arrow.Date32(v.(date.Date).Days()))
		case *array.Date64Builder:
			b.Append(arrow.Date64(v.(int)))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v.(int)))
		case *array.Decimal128Builder:
			b.Append(decimal128.FromI64(int64(v.(int))))
		case *array.BinaryDictionaryBuilder:
			if err := b.AppendString(v.(string)); err != nil {
				panic(err)
			}

		default:
			panic(fmt.Sprintf("mk: no case for %T", b))
		}
	}
	return column{name, b.NewArray()}
}

func strs(name string, vals ...any) column { return mk(name, arrow.BinaryTypes.String, vals...) }

// writeArrow writes the columns to path with pqarrow, snappy-compressed,
// in row groups of at most rowGroup rows (0: one row group).
func writeArrow(t testing.TB, path string, rowGroup int64, cols ...column) {
	t.Helper()
	writeProps(t, path, rowGroup, []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Snappy)}, nil, cols...)
}

// tempFile returns a path in a per-test directory.
func tempFile(t testing.TB, name string) string {
	return filepath.Join(t.TempDir(), name)
}

// readAll reads path with the mapping and the test options.
func readAll(t testing.TB, path string, m Mapping) ([]Batch, *Report) {
	t.Helper()
	r, err := Open(context.Background(), Source{Name: "test", Path: path, Mapping: m}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []Batch
	rep, err := r.Stream(context.Background(), func(b *Batch) error {
		out = append(out, Batch{Records: append(b.Records[:0:0], b.Records...), Rows: append(b.Rows[:0:0], b.Rows...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, rep)
	return out, rep
}

// checkAccounting asserts that every row is accounted for.
func checkAccounting(t testing.TB, rep *Report) {
	t.Helper()
	if rep.RowsIn != rep.Accepted+rep.Quarantined {
		t.Fatalf("rows in %d != accepted %d + quarantined %d", rep.RowsIn, rep.Accepted, rep.Quarantined)
	}
	if int64(len(rep.Quarantine)) != rep.Quarantined {
		t.Fatalf("%d quarantined rows listed, %d counted", len(rep.Quarantine), rep.Quarantined)
	}
}
