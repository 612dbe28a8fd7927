package synth

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/date"
)

// table is a Parquet file read back with pqarrow, every value as text:
// strings as they are, integers in decimal, dates and timestamps as ISO
// dates, decimals as their unscaled integer (pence).
type table struct {
	rows  int
	names []string
	cols  map[string][]string
	valid map[string][]bool
	types map[string]arrow.DataType
}

func (t *table) get(col string, i int) (string, bool) {
	c, ok := t.cols[col]
	if !ok {
		panic("no column " + col)
	}
	return c[i], t.valid[col][i]
}

func readTable(tb testing.TB, path string) *table {
	tb.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	tab, err := fr.ReadTable(context.Background())
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	defer tab.Release()
	t := &table{rows: int(tab.NumRows()), cols: map[string][]string{}, valid: map[string][]bool{}, types: map[string]arrow.DataType{}}
	for i := 0; i < int(tab.NumCols()); i++ {
		col := tab.Column(i)
		name := col.Name()
		t.names = append(t.names, name)
		t.types[name] = col.DataType()
		var vals []string
		var ok []bool
		for _, ch := range col.Data().Chunks() {
			for j := 0; j < ch.Len(); j++ {
				if ch.IsNull(j) {
					vals, ok = append(vals, ""), append(ok, false)
					continue
				}
				vals, ok = append(vals, cellText(tb, ch, j)), append(ok, true)
			}
		}
		t.cols[name], t.valid[name] = vals, ok
	}
	return t
}

func cellText(tb testing.TB, a arrow.Array, j int) string {
	switch x := a.(type) {
	case *array.String:
		return x.Value(j)
	case *array.Int32:
		return strconv.Itoa(int(x.Value(j)))
	case *array.Int64:
		return strconv.FormatInt(x.Value(j), 10)
	case *array.Date32:
		return date.FromDays(int32(x.Value(j))).String()
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		return date.FromTime(x.Value(j).ToTime(unit).UTC()).String()
	case *array.Decimal128:
		return x.Value(j).BigInt().String()
	case *array.Dictionary:
		return cellText(tb, x.Dictionary(), x.GetValueIndex(j))
	}
	tb.Fatalf("unexpected column type %s", a.DataType())
	return ""
}

func (t *table) String() string { return fmt.Sprintf("%d rows, columns %v", t.rows, t.names) }
