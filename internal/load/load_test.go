package load

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/validate"
)

// sample returns n valid records that validation leaves unchanged.
func sample(n int) []person.Record {
	recs := make([]person.Record, n)
	for i := range recs {
		recs[i] = person.Record{
			RecordID:     fmt.Sprintf("R%05d", i),
			Forename:     "Ann",
			MiddleNames:  "Marie",
			Surname:      fmt.Sprintf("Smith%c", 'a'+i%26),
			DOB:          date.MustOf(1950+i%50, time.Month(1+i%12), 1+i%28),
			NINumber:     fmt.Sprintf("JK%06dC", 100001+i),
			Address:      fmt.Sprintf("%d High Street Stockport", i+1),
			Postcode:     "SK1 3NQ",
			UPRN:         fmt.Sprint(100000000000 + i),
			Phone:        "07700 900123",
			Email:        fmt.Sprintf("ann%d@example.org", i),
			TenancyRef:   fmt.Sprintf("T%d", i/2),
			TenancyRole:  []string{"lead", "joint"}[i%2],
			TenancyStart: date.MustOf(2010, time.April, 1),
			Balance:      money.Pence(i*37 - 500),
			Ethnicity:    "White British",
		}
	}
	return recs
}

// writeSample writes n rows of three columns (record_id, surname,
// postcode) with pqarrow in row groups of rowGroup rows.
func writeSample(t testing.TB, path string, n int, rowGroup int64) {
	t.Helper()
	ids, names, pcs := make([]any, n), make([]any, n), make([]any, n)
	for i := range ids {
		ids[i], names[i], pcs[i] = fmt.Sprintf("R%05d", i), fmt.Sprintf("Smith%d", i), "SK1 3NQ"
	}
	writeArrow(t, path, rowGroup, strs("record_id", ids...), strs("surname", names...), strs("postcode", pcs...))
}

func TestWriteReadRoundTrip(t *testing.T) {
	recs := sample(300)
	path := tempFile(t, "people.parquet")
	if err := Write(path, recs); err != nil {
		t.Fatal(err)
	}
	got, rep, err := ReadAll(context.Background(), Source{Name: "people", Path: path}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, rep)
	if len(got) != len(recs) || rep.Accepted != int64(len(recs)) {
		t.Fatalf("read %d records, accepted %d, want %d", len(got), rep.Accepted, len(recs))
	}
	for i := range recs {
		if got[i] != recs[i] {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, got[i], recs[i])
		}
	}

	// The same records give the same bytes.
	again := tempFile(t, "again.parquet")
	if err := Write(again, recs); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("Write is not deterministic")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteEmpty(t *testing.T) {
	path := tempFile(t, "empty.parquet")
	if err := Write(path, nil); err != nil {
		t.Fatal(err)
	}
	// A file with no rows is refused when read.
	if _, err := Open(context.Background(), Source{Path: path}, testOptions()); err == nil || !strings.Contains(err.Error(), "no rows") {
		t.Fatalf("Open of an empty file: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	canonical := func(t *testing.T, dir string) string {
		p := filepath.Join(dir, "people.parquet")
		writeSample(t, p, 300, 0)
		return p
	}
	// cutData keeps the footer and the first half of the data before it.
	cutData := func(t *testing.T, p string) {
		b, _ := os.ReadFile(p)
		footer := int(binary.LittleEndian.Uint32(b[len(b)-8:])) + 8
		data := len(b) - footer
		if data/2 <= footer {
			t.Fatalf("data region (%d bytes) too small beside the footer (%d)", data, footer)
		}
		os.WriteFile(p, append(b[:data/2:data/2], b[data:]...), 0o600)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (string, Mapping)
		want  []string // substrings of the error besides the file's path
	}{
		{
			name:  "missing file",
			setup: func(t *testing.T, dir string) (string, Mapping) { return filepath.Join(dir, "nope.parquet"), Mapping{} },
			want:  []string{"no such file"},
		},
		{
			name: "text file named .parquet",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				os.WriteFile(p, []byte("record_id,forename\nR1,Xanthippe\n"), 0o600)
				return p, Mapping{}
			},
			want: []string{"not a readable Parquet file"},
		},
		{
			name: "empty file",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				os.WriteFile(p, nil, 0o600)
				return p, Mapping{}
			},
			want: []string{"not a readable Parquet file"},
		},
		{
			name: "truncated to half",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := canonical(t, dir)
				b, _ := os.ReadFile(p)
				os.WriteFile(p, b[:len(b)/2], 0o600)
				return p, Mapping{}
			},
			want: []string{"not a readable Parquet file"},
		},
		{
			name: "last byte cut",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := canonical(t, dir)
				b, _ := os.ReadFile(p)
				os.WriteFile(p, b[:len(b)-1], 0o600)
				return p, Mapping{}
			},
			want: []string{"not a readable Parquet file"},
		},
		{
			name: "data cut out, footer intact",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeSample(t, p, 3000, 0)
				cutData(t, p)
				return p, Mapping{}
			},
			want: []string{"truncated"},
		},
		{
			name: "record_id missing",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("forename", "Xanthippe"), strs("surname", "Smith"))
				return p, Mapping{}
			},
			want: []string{"record_id", "required"},
		},
		{
			name: "mapped column absent",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("id", "R1"), strs("given", "Xanthippe"))
				return p, Mapping{Fields: map[string]FieldMap{
					person.ColRecordID: {From: []string{"id"}},
					person.ColSurname:  {From: []string{"family_name"}},
				}}
			},
			want: []string{"family_name", "surname", "not in the file"},
		},
		{
			name: "boolean mapped to a name",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id", "R1"), mk("flag", arrow.FixedWidthTypes.Boolean, true))
				return p, Mapping{Fields: map[string]FieldMap{
					person.ColRecordID: {From: []string{"record_id"}},
					person.ColSurname:  {From: []string{"flag"}},
				}}
			},
			want: []string{"flag", "cannot be read as text"},
		},
		{
			name: "float mapped to a date",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id", "R1"), mk("born", arrow.PrimitiveTypes.Float64, 1.5))
				return p, Mapping{Fields: map[string]FieldMap{
					person.ColRecordID: {From: []string{"record_id"}},
					person.ColDOB:      {From: []string{"born"}},
				}}
			},
			want: []string{"born", "cannot be read as a date"},
		},
		{
			name: "canonical column of the wrong type",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id", "R1"), mk("dob", arrow.FixedWidthTypes.Boolean, true))
				return p, Mapping{}
			},
			want: []string{"dob", "cannot be read as a date"},
		},
		{
			name: "unknown date layout",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id", "R1"), strs("born", "1980/01/02"))
				return p, Mapping{Fields: map[string]FieldMap{
					person.ColRecordID: {From: []string{"record_id"}},
					person.ColDOB:      {From: []string{"born"}, Format: "YYYY/MM/DD"},
				}}
			},
			want: []string{"born", "date format"},
		},
		{
			name: "two columns for a date",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id", "R1"), strs("a", "x"), strs("b", "y"))
				return p, Mapping{Fields: map[string]FieldMap{
					person.ColRecordID: {From: []string{"record_id"}},
					person.ColDOB:      {From: []string{"a", "b"}},
				}}
			},
			want: []string{"dob", "one source column"},
		},
		{
			name: "not a canonical column",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id", "R1"))
				return p, Mapping{Fields: map[string]FieldMap{
					person.ColRecordID: {From: []string{"record_id"}},
					"shoe_size":        {From: []string{"record_id"}},
				}}
			},
			want: []string{"shoe_size", "not a canonical column"},
		},
		{
			name: "full name and forename both mapped",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id", "R1"), strs("name", "A B"))
				return p, Mapping{
					Fields: map[string]FieldMap{
						person.ColRecordID: {From: []string{"record_id"}},
						person.ColForename: {From: []string{"name"}},
					},
					FullName: &FullNameMap{From: "name"},
				}
			},
			want: []string{"forename", "full name"},
		},
		{
			name: "no rows",
			setup: func(t *testing.T, dir string) (string, Mapping) {
				p := filepath.Join(dir, "people.parquet")
				writeArrow(t, p, 0, strs("record_id"), strs("surname"))
				return p, Mapping{}
			},
			want: []string{"no rows"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, m := tt.setup(t, t.TempDir())
			r, err := Open(context.Background(), Source{Name: "t", Path: path, Mapping: m}, testOptions())
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			for _, w := range append([]string{path}, tt.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			for _, v := range []string{"Xanthippe", "Smith"} {
				if strings.Contains(msg, v) {
					t.Errorf("error %q contains the value %q", msg, v)
				}
			}
		})
	}
}

// TestCorruptData damages bytes of the data (not the footer) of a file:
// Open cannot see it, and Stream must fail with an error naming the file
// rather than panic or return fewer rows.
func TestCorruptData(t *testing.T) {
	clean := tempFile(t, "clean.parquet")
	writeSample(t, clean, 3000, 1000)
	orig, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	footer := int(binary.LittleEndian.Uint32(orig[len(orig)-8:])) + 8
	for seed := uint64(1); seed <= 8; seed++ {
		b := append([]byte(nil), orig...)
		rng := rand.New(rand.NewPCG(seed, 7))
		for i := 4; i < len(b)-footer; i++ {
			if rng.IntN(50) == 0 {
				b[i] = byte(rng.Uint32())
			}
		}
		p := tempFile(t, "corrupt.parquet")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := ReadAll(context.Background(), Source{Path: p}, testOptions())
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("seed %d: ReadAll = %v, want an error naming the file", seed, err)
		}
	}
}

// TestQuarantine checks every quarantine reason, the first-claim rule for
// duplicate ids across row groups and batches, the accounting identity,
// and the quarantine file.
func TestQuarantine(t *testing.T) {
	ids := []any{"R0", nil, "R0", "R\x81", "R4", "R4", "R6", "  ", "R8", "R0"}
	fore := []any{"Ann", "Ann", "Ann", "Ann", "UNKNOWN", "Bob", "Cy", "Di", nil, "Ed"}
	path := tempFile(t, "q.parquet")
	writeArrow(t, path, 3, strs("record_id", ids...), strs("forename", fore...))

	for _, par := range []int{1, 2, 4} {
		for _, batch := range []int{1, 2, 1000} {
			t.Run(fmt.Sprintf("parallel %d batch %d", par, batch), func(t *testing.T) {
				opts := Options{Today: runDate, BatchSize: batch, Parallelism: par}
				r, err := Open(context.Background(), Source{Path: path}, opts)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				var rows []int64
				var got []string
				rep, err := r.Stream(context.Background(), func(b *Batch) error {
					for i, rec := range b.Records {
						rows = append(rows, b.Rows[i])
						got = append(got, rec.RecordID)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				checkAccounting(t, rep)
				wantRows := []int64{0, 6}
				if fmt.Sprint(rows) != fmt.Sprint(wantRows) || fmt.Sprint(got) != "[R0 R6]" {
					t.Errorf("accepted rows %v ids %v, want %v [R0 R6]", rows, got, wantRows)
				}
				want := []Quarantined{
					{Row: 1, RecordID: "", Reason: validate.MissingRecordID},
					{Row: 2, RecordID: "R0", Reason: validate.DuplicateRecordID},
					{Row: 3, RecordID: "", Reason: validate.InvalidUTF8RecordID},
					{Row: 4, RecordID: "R4", Reason: validate.NoIdentifyingField},
					{Row: 5, RecordID: "R4", Reason: validate.DuplicateRecordID},
					{Row: 7, RecordID: "", Reason: validate.MissingRecordID},
					{Row: 8, RecordID: "R8", Reason: validate.NoIdentifyingField},
					{Row: 9, RecordID: "R0", Reason: validate.DuplicateRecordID},
				}
				if fmt.Sprint(rep.Quarantine) != fmt.Sprint(want) {
					t.Errorf("quarantine:\n got %v\nwant %v", rep.Quarantine, want)
				}
				if rep.RowsIn != 10 || rep.Accepted != 2 || rep.Quarantined != 8 ||
					rep.RowCount(validate.DuplicateRecordID) != 3 || rep.RowCount(validate.MissingRecordID) != 2 ||
					rep.RowCount(validate.NoIdentifyingField) != 2 || rep.RowCount(validate.InvalidUTF8RecordID) != 1 {
					t.Errorf("counts: %+v", rep.Report.Summary())
				}
				if rep.FieldCount(person.ColForename, validate.Placeholder) != 1 {
					t.Errorf("placeholder forename not counted")
				}

				qpath := tempFile(t, "quarantine.parquet")
				if err := WriteQuarantine(qpath, rep.Quarantine); err != nil {
					t.Fatal(err)
				}
				if back := readQuarantine(t, qpath); fmt.Sprint(back) != fmt.Sprint(want) {
					t.Errorf("quarantine file:\n got %v\nwant %v", back, want)
				}
			})
		}
	}
}

func readQuarantine(t *testing.T, path string) []Quarantined {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if got := tbl.Schema().String(); !strings.Contains(got, "row: type=int64") || !strings.Contains(got, "record_id: type=utf8") || !strings.Contains(got, "reason: type=utf8") {
		t.Fatalf("quarantine schema: %s", got)
	}
	var out []Quarantined
	tr := array.NewTableReader(tbl, 1000)
	defer tr.Release()
	for tr.Next() {
		rec := tr.Record()
		rows := rec.Column(0).(*array.Int64)
		ids := rec.Column(1).(*array.String)
		reasons := rec.Column(2).(*array.String)
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, Quarantined{Row: rows.Value(i), RecordID: ids.Value(i), Reason: validate.RowReason(reasons.Value(i))})
		}
	}
	return out
}

func TestWriteQuarantineEmpty(t *testing.T) {
	p := tempFile(t, "q.parquet")
	if err := WriteQuarantine(p, nil); err != nil {
		t.Fatal(err)
	}
	if got := readQuarantine(t, p); len(got) != 0 {
		t.Fatalf("read %d rows from an empty quarantine file", len(got))
	}
}

// TestStreamOrder reads a file of many row groups with small batches and
// several workers, and checks that records arrive in source order with
// their row numbers.
func TestStreamOrder(t *testing.T) {
	const n = 5000
	ids := make([]any, n)
	names := make([]any, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("R%05d", i)
		names[i] = fmt.Sprintf("Name%d", i)
		if i%7 == 3 {
			ids[i] = nil
		}
	}
	path := tempFile(t, "order.parquet")
	writeArrow(t, path, 333, strs("record_id", ids...), strs("surname", names...))
	for _, par := range []int{1, 3, 8} {
		r, err := Open(context.Background(), Source{Path: path}, Options{Today: runDate, BatchSize: 100, Parallelism: par})
		if err != nil {
			t.Fatal(err)
		}
		next := int64(-1)
		count := 0
		rep, err := r.Stream(context.Background(), func(b *Batch) error {
			if len(b.Records) != len(b.Rows) || len(b.Records) > 100 {
				return fmt.Errorf("batch of %d records and %d rows", len(b.Records), len(b.Rows))
			}
			for i, rec := range b.Records {
				row := b.Rows[i]
				if row <= next {
					return fmt.Errorf("row %d after row %d", row, next)
				}
				next = row
				if rec.RecordID != fmt.Sprintf("R%05d", row) || rec.Surname != fmt.Sprintf("Name%d", row) {
					return fmt.Errorf("row %d holds %s %s", row, rec.RecordID, rec.Surname)
				}
				count++
			}
			return nil
		})
		r.Close()
		if err != nil {
			t.Fatalf("parallelism %d: %v", par, err)
		}
		checkAccounting(t, rep)
		missing := (n + 3) / 7
		if count != n-missing || rep.Accepted != int64(count) || rep.RowCount(validate.MissingRecordID) != int64(missing) {
			t.Fatalf("parallelism %d: %d accepted, report %+v", par, count, rep.Report.Summary())
		}
	}
}

func TestStreamStops(t *testing.T) {
	path := tempFile(t, "big.parquet")
	writeSample(t, path, 2500, 500)
	before := runtime.NumGoroutine()

	stop := errors.New("stop")
	r, err := Open(context.Background(), Source{Path: path}, Options{Today: runDate, BatchSize: 100, Parallelism: 3})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err = r.Stream(context.Background(), func(*Batch) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("Stream = %v after %d calls, want the callback's error after 3", err, calls)
	}
	if _, err := r.Stream(context.Background(), func(*Batch) error { return nil }); err == nil {
		t.Fatal("second Stream succeeded")
	}
	r.Close()

	ctx, cancel := context.WithCancel(context.Background())
	r, err = Open(ctx, Source{Path: path}, Options{Today: runDate, BatchSize: 100, Parallelism: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Stream(ctx, func(*Batch) error { cancel(); return nil })
	r.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Stream after cancel = %v", err)
	}

	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Fatalf("%d goroutines left running (had %d)", g, before)
	}
}

func TestReportJSON(t *testing.T) {
	path := tempFile(t, "r.parquet")
	writeArrow(t, path, 0, strs("record_id", "R1", "R2"), strs("surname", "Xanthippe", "UNKNOWN"), strs("postcode", "4223", nil))
	_, rep := readAll(t, path, Mapping{})
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Source        string `json:"source"`
		File          string `json:"file"`
		RowsIn        int64  `json:"rows_in"`
		Quarantined   int64  `json:"quarantined"`
		FieldProblems []struct {
			Column, Problem string
			Count           int64
		} `json:"field_problems"`
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back.Source != "test" || back.File != path || back.RowsIn != 2 || back.Quarantined != 1 || len(back.FieldProblems) != 2 {
		t.Fatalf("report JSON: %s", js)
	}
	for _, v := range []string{"Xanthippe", "4223", "SK1", "R1", "R2"} {
		if strings.Contains(string(js), v) {
			t.Errorf("report JSON contains %q: %s", v, js)
		}
	}
}

// TestFieldAccessors checks the package's column accessors against
// person.Record's own.
func TestFieldAccessors(t *testing.T) {
	for _, c := range person.Columns {
		var r person.Record
		switch c.Kind {
		case person.String:
			set, ok := textFields[c.Name]
			if !ok {
				t.Errorf("no accessor for %s", c.Name)
				continue
			}
			*set(&r) = "v"
			if got, _ := r.String(c.Name); got != "v" {
				t.Errorf("accessor for %s sets another column", c.Name)
			}
		case person.Date:
			set, ok := dateFields[c.Name]
			if !ok {
				t.Errorf("no accessor for %s", c.Name)
				continue
			}
			if set(&r) != r.DateField(c.Name) {
				t.Errorf("accessor for %s points at another column", c.Name)
			}
		}
	}
	if len(textFields)+len(dateFields)+1 != len(person.Columns) {
		t.Errorf("%d accessors for %d columns", len(textFields)+len(dateFields)+1, len(person.Columns))
	}
}

// TestDuplicateIDsInAnyOrder streams files whose ids come sorted, shuffled,
// sorted with repeats, and sorted then shuffled, over many row groups and
// batches, and checks that exactly the rows whose id an earlier row
// carried are quarantined as duplicates: the duplicate rule must not
// depend on how the ids are ordered.
func TestDuplicateIDsInAnyOrder(t *testing.T) {
	const n = 3000
	rng := rand.New(rand.NewPCG(3, 4))
	orders := map[string]func(i int) int{
		"sorted":                  func(i int) int { return i },
		"shuffled":                func(i int) int { return rng.IntN(n) },
		"sorted with repeats":     func(i int) int { return max(0, i-rng.IntN(100)/97*rng.IntN(i+1)) },
		"sorted then shuffled":    func(i int) int { return min(i, rng.IntN(n)+n/2) },
		"descending with repeats": func(i int) int { return n - i + rng.IntN(3) },
	}
	for name, order := range orders {
		ids := make([]any, n)
		fore := make([]any, n)
		seen := map[string]bool{}
		var wantDup []int64
		for i := range ids {
			id := fmt.Sprintf("R%05d", order(i))
			ids[i], fore[i] = id, "Ann"
			if seen[id] {
				wantDup = append(wantDup, int64(i))
			}
			seen[id] = true
		}
		path := tempFile(t, "ids.parquet")
		writeArrow(t, path, 700, strs("record_id", ids...), strs("forename", fore...))
		for _, par := range []int{1, 2} {
			opts := Options{Today: runDate, BatchSize: 256, Parallelism: par}
			r, err := Open(context.Background(), Source{Path: path}, opts)
			if err != nil {
				t.Fatal(err)
			}
			accepted := 0
			rep, err := r.Stream(context.Background(), func(b *Batch) error {
				accepted += len(b.Records)
				return nil
			})
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			checkAccounting(t, rep)
			var gotDup []int64
			for _, q := range rep.Quarantine {
				if q.Reason != validate.DuplicateRecordID || q.RecordID != ids[q.Row] {
					t.Fatalf("%s: quarantined %+v", name, q)
				}
				gotDup = append(gotDup, q.Row)
			}
			if fmt.Sprint(gotDup) != fmt.Sprint(wantDup) || accepted != len(seen) {
				t.Errorf("%s, parallel %d: %d accepted, duplicates at rows %v; want %d and %v",
					name, par, accepted, gotDup, len(seen), wantDup)
			}
		}
	}
}

// TestQuarantineKeepsTenancy checks that a quarantined row's tenancy
// reference and role are kept for the detections, whatever the reason.
func TestQuarantineKeepsTenancy(t *testing.T) {
	dob := date.MustOf(1980, time.May, 1)
	recs := []person.Record{
		{RecordID: "A", Forename: "Ann", Surname: "Lee", DOB: dob, TenancyRef: "T1", TenancyRole: "lead"},
		{RecordID: "", Forename: "Bob", Surname: "Lee", DOB: dob, TenancyRef: "T1", TenancyRole: "joint"},
		{RecordID: "A", Forename: "Cy", Surname: "Lee", DOB: dob, TenancyRef: "T2", TenancyRole: "lead"},
	}
	p := tempFile(t, "people.parquet")
	if err := Write(p, recs); err != nil {
		t.Fatal(err)
	}
	_, rep, err := ReadAll(context.Background(), Source{Name: "t", Path: p, Role: person.RoleTenancy}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range rep.Quarantine {
		got = append(got, fmt.Sprintf("%d %s %s %s", q.Row, q.Reason, q.TenancyRef, q.TenancyRole))
	}
	want := []string{"1 " + string(validate.MissingRecordID) + " T1 joint", "2 " + string(validate.DuplicateRecordID) + " T2 lead"}
	if !slices.Equal(got, want) {
		t.Errorf("quarantine %q, want %q", got, want)
	}
}
