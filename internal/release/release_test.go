package release

import (
	"bytes"
	"context"
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

	"github.com/datamatch/datamatch/internal/pqscan"
)

// confirmed returns a keep function accepting ids, and a count of calls.
func confirmed(ids ...string) (func(string) bool, *int) {
	calls := 0
	return func(id string) bool { calls++; return slices.Contains(ids, id) }, &calls
}

func TestFilterCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "request.csv")
	held := "case_id,forename,surname,tenancy_start\n" +
		"C-1,Ann,Hughes,2012-12-27\n" +
		"C-2,Bob,'=Jones,2014-06-30\n" +
		"C-3,\"Smith, Cy\",Lee,\n" +
		"C-4,Dee,Khan,2020-01-02\n"
	if err := os.WriteFile(path, []byte(held), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		fields []string
		keep   []string
		want   string
	}{
		{"the recipient's fields", []string{"forename", "surname", "tenancy_start"}, []string{"C-2", "C-3"},
			"forename,surname,tenancy_start\nBob,'=Jones,2014-06-30\n\"Smith, Cy\",Lee,\n"},
		{"case_id among them, reordered", []string{"surname", "case_id"}, []string{"C-4"}, "surname,case_id\nKhan,C-4\n"},
		{"nothing confirmed", []string{"forename"}, nil, "forename\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keep, calls := confirmed(tt.keep...)
			var out bytes.Buffer
			cases, err := Filter(context.Background(), path, tt.fields, keep, &out)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("released\n%s\nwant\n%s", out.String(), tt.want)
			}
			if !slices.Equal(cases, tt.keep) || *calls != 4 {
				t.Errorf("cases %q after %d calls of keep; want %q after 4", cases, *calls, tt.keep)
			}
		})
	}
}

func TestFilterRefuses(t *testing.T) {
	dir := t.TempDir()
	notHeld := filepath.Join(dir, "out.csv")
	os.WriteFile(notHeld, []byte("forename,surname\nAnn,Hughes\n"), 0o600)
	held := filepath.Join(dir, "held.csv")
	os.WriteFile(held, []byte("case_id,forename\nC-1,Ann\n"), 0o600)
	other := filepath.Join(dir, "held.xlsx")
	os.WriteFile(other, []byte("x"), 0o600)
	keep, _ := confirmed("C-1")
	for _, tt := range []struct {
		path   string
		fields []string
		want   string
	}{
		{notHeld, []string{"forename"}, "no case_id column"},
		{held, []string{"forename", "dob"}, "no column dob"},
		{held, nil, "no fields"},
		{other, []string{"forename"}, "unknown format"},
		{filepath.Join(dir, "gone.csv"), []string{"forename"}, "no such file"},
	} {
		if _, err := Filter(context.Background(), tt.path, tt.fields, keep, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Filter(%s, %q) = %v, want %q", filepath.Base(tt.path), tt.fields, err, tt.want)
		}
	}
}

// TestFilterParquet releases rows from several row groups of a held
// Parquet file and checks the rows, their order, and that the columns keep
// their Arrow types.
func TestFilterParquet(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "case_id", Type: arrow.BinaryTypes.String},
		{Name: "forename", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "tenancy_start", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ids := []string{"C-1", "C-2", "C-3", "C-4", "C-5"}
	for i, id := range ids {
		b.Field(0).(*array.StringBuilder).Append(id)
		b.Field(1).(*array.StringBuilder).Append("name" + id)
		b.Field(2).(*array.Date32Builder).Append(arrow.Date32(15000 + i))
	}
	rec := b.NewRecord()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "held.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tbl := array.NewTableFromRecords(schema, []arrow.Record{rec})
	defer tbl.Release()
	if err := pqarrow.WriteTable(tbl, f, 2, parquet.NewWriterProperties(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())); err != nil {
		t.Fatal(err)
	}

	keep, calls := confirmed("C-1", "C-2", "C-4", "C-5")
	out := filepath.Join(t.TempDir(), "released.parquet")
	o, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := Filter(context.Background(), path, []string{"tenancy_start", "forename"}, keep, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	if want := []string{"C-1", "C-2", "C-4", "C-5"}; !slices.Equal(cases, want) || *calls != len(ids) {
		t.Errorf("cases %q after %d calls; want %q after %d", cases, *calls, want, len(ids))
	}
	rf, err := pqscan.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	got, err := rf.Schema()
	if err != nil {
		t.Fatal(err)
	}
	if got.NumFields() != 2 || got.Field(0).Name != "tenancy_start" || got.Field(0).Type.ID() != arrow.DATE32 || got.Field(1).Name != "forename" {
		t.Fatalf("released schema %v", got)
	}
	var names []string
	var days []arrow.Date32
	err = rf.Batches(context.Background(), nil, func(r arrow.Record) error {
		text := pqscan.Text(r.Column(1))
		for i := 0; i < int(r.NumRows()); i++ {
			s, _ := text(i)
			names = append(names, s)
			days = append(days, r.Column(0).(*array.Date32).Value(i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"nameC-1", "nameC-2", "nameC-4", "nameC-5"}; !slices.Equal(names, want) || !slices.Equal(days, []arrow.Date32{15000, 15001, 15003, 15004}) {
		t.Errorf("released rows %q %v", names, days)
	}
}
