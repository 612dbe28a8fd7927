package rights

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// TestScanParquetDictionaryRowGroups scans an output whose text column is
// dictionary-encoded, with its Arrow schema stored (as pyarrow writes a
// categorical column), across several row groups. Arrow's reader refuses a
// dictionary batch that spans two row groups, so the scan must read them
// one at a time, and must count the subject's rows in every one.
func TestScanParquetDictionaryRowGroups(t *testing.T) {
	const rows, group = 2500, 1000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "case_id", Type: arrow.BinaryTypes.String},
		{Name: "partner_ref", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	want := 0
	for i := range rows {
		b.Field(0).(*array.StringBuilder).Append("C-" + string(rune('a'+i%26)))
		ref := []string{"other", "another"}[i%2]
		if i%700 == 3 { // rows 3, 703, 1403, 2103: every row group
			ref = "subject"
			want++
		}
		if err := b.Field(1).(*array.BinaryDictionaryBuilder).AppendString(ref); err != nil {
			t.Fatal(err)
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "recovery.parquet")
	writeRecord(t, path, rec, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(group)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))

	res, err := scanFile(context.Background(), path, map[string]string{"subject": "ref"})
	if err != nil {
		t.Fatal(err)
	}
	if res.rows != want || !slices.Equal(res.matchedOn, []string{"ref"}) || !slices.Equal(res.columns, []string{"case_id", "partner_ref"}) {
		t.Fatalf("scan = %+v, want %d rows matched on ref", res, want)
	}
}
