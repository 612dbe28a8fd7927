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

	"github.com/datamatch/datamatch/internal/person"
)

// writeDictionaryRowGroups writes an output of 2,500 rows in row groups of
// 1,000 whose partner_ref column is dictionary-encoded, with its Arrow
// schema stored (as pyarrow writes a categorical column). Rows 3, 703,
// 1403 and 2103, one in every row group, hold the ref "subject". It
// returns the file and every row's ref.
func writeDictionaryRowGroups(t *testing.T) (path string, refs []string) {
	t.Helper()
	const rows, group = 2500, 1000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "case_id", Type: arrow.BinaryTypes.String},
		{Name: "partner_ref", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range rows {
		b.Field(0).(*array.StringBuilder).Append("C-" + string(rune('a'+i%26)))
		ref := []string{"other", "another"}[i%2]
		if i%700 == 3 {
			ref = "subject"
		}
		refs = append(refs, ref)
		if err := b.Field(1).(*array.BinaryDictionaryBuilder).AppendString(ref); err != nil {
			t.Fatal(err)
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	path = filepath.Join(t.TempDir(), "recovery.parquet")
	writeRecord(t, path, rec, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(group)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	return path, refs
}

// TestScanParquetDictionaryRowGroups scans an output whose text column is
// dictionary-encoded across several row groups. Arrow's reader refuses a
// dictionary batch that spans two row groups, so the scan must read them
// one at a time, and must count the subject's rows in every one.
func TestScanParquetDictionaryRowGroups(t *testing.T) {
	path, refs := writeDictionaryRowGroups(t)
	want := 0
	for _, r := range refs {
		if r == "subject" {
			want++
		}
	}
	res, err := scanFile(context.Background(), path, &rowMatcher{values: map[string]string{"subject": "ref"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.rows != want || !slices.Equal(res.matchedOn, []string{"ref"}) || !slices.Equal(res.columns, []string{"case_id", "partner_ref"}) {
		t.Fatalf("scan = %+v, want %d rows matched on ref", res, want)
	}
}

// TestSearchClearValues searches outputs that hold no reference, only
// clear values: a utility provider's request (a name and a tenancy start
// date) and a file with both records of a case side by side. A row is the
// subject's when its values on one side are those of a record found for
// the subject.
func TestSearchClearValues(t *testing.T) {
	dir, sources := sarFixture(t)
	request := filepath.Join(dir, "utility-request.csv")
	writeFile(t, request, "forename,surname,tenancy_start\n"+
		"Robert,HUGHES,2010-04-01\n"+ // T1, the subject, written otherwise
		"Robert,Hughes,2015-01-01\n"+ // a namesake with another tenancy
		"Robert,Jones,2010-04-01\n"+ // another surname
		"Robert,,2010-04-01\n"+ // no surname: a forename and a date are not enough
		"Dafydd,Hughes,2010-04-01\n") // another person of the household
	pairs := filepath.Join(dir, "pairs.csv")
	writeFile(t, pairs, "forename,surname,partner_forename,partner_surname\n"+
		"Anne,Other,Robert,Hughes\n"+ // the subject on the partner's side
		"Robert,Other,Anne,Hughes\n") // the subject's names split across the two sides
	clear := map[string]ClearField{
		"forename":         {Side: "subject", Column: person.ColForename},
		"surname":          {Side: "subject", Column: person.ColSurname},
		"tenancy_start":    {Side: "subject", Column: person.ColTenancyStart},
		"partner_forename": {Side: "partner", Column: person.ColForename},
		"partner_surname":  {Side: "partner", Column: person.ColSurname},
	}
	sources = append(sources,
		OutputFile{Path: request, RunID: "R2", Purpose: "arrears", Recipient: "utility_provider", Clear: clear},
		OutputFile{Path: pairs, RunID: "R2", Purpose: "fraud", Recipient: "investigator", Clear: clear})
	f, err := Search(context.Background(), subject, sources)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]FileFinding{}
	for _, ff := range f.Files {
		rows[ff.Path] = ff
	}
	for _, tt := range []struct {
		path string
		rows int
	}{{request, 1}, {pairs, 1}} {
		got, ok := rows[tt.path]
		if !ok || got.Rows != tt.rows || !slices.Equal(got.MatchedOn, []string{matchedClear}) {
			t.Errorf("%s: found %+v, want %d row matched on %s", filepath.Base(tt.path), got, tt.rows, matchedClear)
		}
	}

	// Without the clear columns named, the request is not searchable by
	// its values.
	for i, s := range sources {
		if o, ok := s.(OutputFile); ok && o.Path == request {
			o.Clear = nil
			sources[i] = o
		}
	}
	f, err = Search(context.Background(), subject, sources)
	if err != nil {
		t.Fatal(err)
	}
	for _, ff := range f.Files {
		if ff.Path == request {
			t.Errorf("request found without its clear columns: %+v", ff)
		}
	}
}
