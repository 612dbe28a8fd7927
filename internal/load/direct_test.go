package load

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
)

// writeProps writes the columns to path with pqarrow and the given writer
// properties, in row groups of at most rowGroup rows (0: the writer's
// default, one row group for test data). Columns named in required
// are written as REQUIRED, the others as OPTIONAL.
func writeProps(t testing.TB, path string, rowGroup int64, props []parquet.WriterProperty, required map[string]bool, cols ...column) {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: !required[c.name]}
		arrs[i] = c.arr
	}
	sc := arrow.NewSchema(fields, nil)
	rec := array.NewRecord(sc, arrs, -1)
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if rowGroup > 0 {
		props = append([]parquet.WriterProperty{parquet.WithMaxRowGroupLength(rowGroup)}, props...)
	}
	fw, err := pqarrow.NewFileWriter(sc, f, parquet.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

// mixedColumns returns n rows of columns of every type the direct reader
// reads (and some it leaves to Arrow), with nulls, repeats, duplicate ids
// and values that validation changes or nulls.
func mixedColumns(n int) []column {
	ids, fore, sur, addr, dob, start, uprn, bal, pc, end, phone, full, born := make([]any, n), make([]any, n),
		make([]any, n), make([]any, n), make([]any, n), make([]any, n), make([]any, n), make([]any, n),
		make([]any, n), make([]any, n), make([]any, n), make([]any, n), make([]any, n)
	names := []string{"Ann", "Bob", " Cara ", "UNKNOWN", "Zoë", "Jos\xe9", "Di\tAna", "N/A"}
	for i := range n {
		ids[i] = fmt.Sprintf("R%05d", i)
		if i%97 == 5 {
			ids[i] = "R00001" // a duplicate
		}
		if i%11 != 0 {
			fore[i] = names[i%len(names)]
		}
		if i%7 != 3 {
			sur[i] = []string{"Smith", "Jones", "O'Brien", "Khan"}[i%4]
		}
		if i%5 != 0 {
			addr[i] = fmt.Sprintf("%d High Street", i%300)
		}
		if i%6 != 1 {
			dob[i] = date.FromDays(int32(-20000 + i*37%30000))
		}
		start[i] = []int{20100401, 0, 20230230, 19991231}[i%4] // a valid date, a placeholder, an impossible date
		if i%3 != 0 {
			uprn[i] = 100000000000 + i
		}
		bal[i] = i*13 - 4000
		if i%9 != 0 {
			pc[i] = []string{"SK1 3NQ", "M1 1AA", "ZZ99 3VZ", "4223"}[i%4]
		}
		if i%4 != 2 {
			end[i] = fmt.Sprintf("%02d/%02d/20%02d", 1+i%28, 1+i%12, i%30)
		}
		if i%8 != 0 {
			phone[i] = 7700900000 + i%1000
		}
		full[i] = []string{"Ann Marie SMITH", "Mr Bob Jones Jr", "KHAN, Ali", "Zoë", ""}[i%5]
		if i%10 != 0 {
			born[i] = (i%20000 - 10000) * 86_400_000
		}
	}
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	return []column{
		strs("id", ids...),
		strs("fore", fore...),
		mk("sur", arrow.BinaryTypes.Binary, sur...),
		mk("addr", arrow.BinaryTypes.LargeString, addr...),
		mk("dob", arrow.FixedWidthTypes.Date32, dob...),
		mk("start", arrow.PrimitiveTypes.Int32, start...),
		mk("uprn", arrow.PrimitiveTypes.Int64, uprn...),
		mk("bal", arrow.PrimitiveTypes.Int64, bal...),
		mk("pc", dict, pc...),
		strs("end", end...),
		mk("phone", arrow.PrimitiveTypes.Int32, phone...),
		strs("full", full...),
		mk("born", arrow.FixedWidthTypes.Date64, born...), // read through Arrow
	}
}

var mixedMappings = map[string]Mapping{
	"fields": {Fields: map[string]FieldMap{
		person.ColRecordID:     {From: []string{"id"}},
		person.ColForename:     {From: []string{"fore"}},
		person.ColSurname:      {From: []string{"sur"}},
		person.ColAddress:      {From: []string{"addr", "fore", "pc"}},
		person.ColDOB:          {From: []string{"born"}},
		person.ColTenancyStart: {From: []string{"start"}, Format: "YYYYMMDD"},
		person.ColTenancyEnd:   {From: []string{"end"}, Format: "DD/MM/YYYY"},
		person.ColDateOfDeath:  {From: []string{"dob"}},
		person.ColUPRN:         {From: []string{"uprn"}},
		person.ColBalance:      {From: []string{"bal"}},
		person.ColPostcode:     {From: []string{"pc"}},
		person.ColPhone:        {From: []string{"phone"}},
	}},
	"full name": {
		Fields: map[string]FieldMap{
			person.ColRecordID: {From: []string{"id"}},
			person.ColDOB:      {From: []string{"dob"}},
			person.ColBalance:  {From: []string{"uprn"}, Format: "pounds"},
		},
		FullName: &FullNameMap{From: "full", Order: ForenameFirst},
	},
}

// streamed is everything a Stream delivers.
type streamed struct {
	Records    []person.Record
	Rows       []int64
	Summary    json.RawMessage
	Quarantine []Quarantined
}

func streamAll(t *testing.T, path string, m Mapping, opts Options, direct bool) streamed {
	t.Helper()
	directReads = direct
	defer func() { directReads = true }()
	r, err := Open(context.Background(), Source{Name: "t", Path: path, Mapping: m}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := len(r.plan.directs) > 0; got != direct {
		t.Fatalf("direct reads %v, want %v", got, direct)
	}
	var out streamed
	rep, err := r.Stream(context.Background(), func(b *Batch) error {
		out.Records = append(out.Records, b.Records...)
		out.Rows = append(out.Rows, b.Rows...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, rep)
	if out.Summary, err = json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
	out.Quarantine = rep.Quarantine
	return out
}

// TestDirectMatchesArrow reads files written with every page layout the
// direct reader meets (plain and dictionary pages, a dictionary that
// overflows into plain pages, DataPage V2, delta encodings, several
// codecs, small pages, required and optional columns, a writer whose
// chunk sizes the library pads) and checks that
// reading columns directly gives exactly what reading them through Arrow
// gives: the same records, rows, counts and quarantine.
func TestDirectMatchesArrow(t *testing.T) {
	const n = 700
	layouts := map[string][]parquet.WriterProperty{
		"snappy dictionary overflowing, small pages": {parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithDataPageSize(512), parquet.WithDictionaryPageSizeLimit(256)},
		"uncompressed plain, data page v2": {parquet.WithCompression(compress.Codecs.Uncompressed),
			parquet.WithDictionaryDefault(false), parquet.WithDataPageVersion(parquet.DataPageV2)},
		"zstd delta encodings": {parquet.WithCompression(compress.Codecs.Zstd), parquet.WithDictionaryDefault(false),
			parquet.WithEncodingFor("sur", parquet.Encodings.DeltaByteArray),
			parquet.WithEncodingFor("addr", parquet.Encodings.DeltaLengthByteArray),
			parquet.WithEncodingFor("bal", parquet.Encodings.DeltaBinaryPacked),
			parquet.WithEncodingFor("start", parquet.Encodings.DeltaBinaryPacked)},
		"gzip dictionary, data page v2": {parquet.WithCompression(compress.Codecs.Gzip),
			parquet.WithDataPageVersion(parquet.DataPageV2)},
		// A writer the library pads column chunks for, so that a row
		// group's page readers are not reset but made anew.
		"old parquet-mr writer": {parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithCreatedBy("parquet-mr version 1.2.8 (build 0)")},
	}
	required := map[string]bool{"id": true, "start": true, "bal": true, "full": true}
	for name, props := range layouts {
		path := tempFile(t, "mixed.parquet")
		writeProps(t, path, 300, props, required, mixedColumns(n)...)
		for mname, m := range mixedMappings {
			// Batches that straddle row groups; with one decoder, every
			// row group is read by the readers of the one before.
			for _, par := range []int{1, 2} {
				batch := 199
				t.Run(fmt.Sprintf("%s/%s/parallel %d", name, mname, par), func(t *testing.T) {
					opts := Options{Today: runDate, BatchSize: batch, Parallelism: par}
					direct := streamAll(t, path, m, opts, true)
					arrowRead := streamAll(t, path, m, opts, false)
					if len(direct.Rows)+len(direct.Quarantine) != n {
						t.Fatalf("%d rows accepted and %d quarantined of %d", len(direct.Rows), len(direct.Quarantine), n)
					}
					if !reflect.DeepEqual(direct, arrowRead) {
						for i := range min(len(direct.Records), len(arrowRead.Records)) {
							if direct.Records[i] != arrowRead.Records[i] {
								t.Fatalf("row %d:\ndirect %+v\n arrow %+v", direct.Rows[i], direct.Records[i], arrowRead.Records[i])
							}
						}
						t.Fatalf("direct and Arrow reads differ:\ndirect %s %d %v\n arrow %s %d %v", direct.Summary,
							len(direct.Records), direct.Quarantine, arrowRead.Summary, len(arrowRead.Records), arrowRead.Quarantine)
					}
				})
			}
		}
	}
}

// TestPageStringsOutliveStream keeps every record of a file after the
// stream has ended and the garbage collector has run with fresh
// allocations to reuse freed memory, and checks every value against what
// was written: the strings that point into the Parquet reader's pages must
// keep those pages alive and unchanged.
func TestPageStringsOutliveStream(t *testing.T) {
	const n = 6000
	ids, names, addrs := make([]any, n), make([]any, n), make([]any, n)
	for i := range n {
		ids[i] = fmt.Sprintf("R%05d", i)
		names[i] = fmt.Sprintf("Name%d", i%40) // dictionary pages
		addrs[i] = fmt.Sprintf("%d Long Road", i)
	}
	path := tempFile(t, "pages.parquet")
	writeProps(t, path, 1000, []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDataPageSize(1024), parquet.WithDictionaryPageSizeLimit(1024)}, nil,
		strs("record_id", ids...), strs("surname", names...), strs("address", addrs...))
	recs, _, err := ReadAll(context.Background(), Source{Path: path}, Options{Today: runDate, BatchSize: 512, Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	var junk [][]byte
	for range 3 {
		runtime.GC()
		for range 2000 {
			junk = append(junk, []byte(fmt.Sprintf("%0512d", len(junk))))
		}
	}
	if len(recs) != n {
		t.Fatalf("read %d records, want %d", len(recs), n)
	}
	for i, r := range recs {
		if r.RecordID != ids[i] || r.Surname != names[i] || r.Address != addrs[i] {
			t.Fatalf("record %d reads %q %q %q, want %q %q %q", i, r.RecordID, r.Surname, r.Address, ids[i], names[i], addrs[i])
		}
	}
	runtime.KeepAlive(junk)
}

// TestCorruptPages damages the data of an uncompressed file, where no
// decompressor stands between the damage and the page decoders, with
// required and optional, plain and dictionary-encoded columns. Every read
// must end, without a panic, either in an error naming the file or with
// every row accounted for.
func TestCorruptPages(t *testing.T) {
	const n = 2000
	ids, sur, fore, dob, bal := make([]any, n), make([]any, n), make([]any, n), make([]any, n), make([]any, n)
	for i := range n {
		ids[i] = fmt.Sprintf("R%05d", i)
		sur[i] = []string{"Smith", "Jones", "Khan"}[i/100%3]
		if i%5 != 0 {
			fore[i] = fmt.Sprintf("Name%d", i%50)
			dob[i] = date.FromDays(int32(3000 + i%7000))
		}
		bal[i] = i / 50 % 100
	}
	clean := tempFile(t, "clean.parquet")
	writeProps(t, clean, 1000, []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Uncompressed),
		parquet.WithDataPageSize(2000)}, map[string]bool{"record_id": true, "surname": true, "balance": true},
		strs("record_id", ids...), strs("surname", sur...), strs("forename", fore...),
		mk("dob", arrow.FixedWidthTypes.Date32, dob...), mk("balance", arrow.PrimitiveTypes.Int64, bal...))
	orig, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	footer := int(binary.LittleEndian.Uint32(orig[len(orig)-8:])) + 8
	failed := 0
	for seed := uint64(1); seed <= 40; seed++ {
		b := append([]byte(nil), orig...)
		rng := rand.New(rand.NewPCG(seed, 11))
		for range 1 + seed%3 {
			b[4+rng.IntN(len(b)-footer-4)] = byte(rng.Uint32())
		}
		p := tempFile(t, "corrupt.parquet")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		type result struct {
			rep *Report
			err error
		}
		done := make(chan result, 1)
		go func() {
			_, rep, err := ReadAll(context.Background(), Source{Path: p}, testOptions())
			done <- result{rep, err}
		}()
		select {
		case res := <-done:
			switch {
			case res.err != nil && !strings.Contains(res.err.Error(), p):
				t.Errorf("seed %d: error %q does not name the file", seed, res.err)
			case res.err != nil:
				failed++
			case res.rep.RowsIn != n:
				t.Errorf("seed %d: read %d rows of %d without an error", seed, res.rep.RowsIn, n)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("seed %d: reading has not ended", seed)
		}
	}
	if failed == 0 {
		t.Error("no damaged file failed to read: the damage missed the data")
	}
}

// TestSetText checks that setText, given fieldOffset of a column's
// accessor, sets that column of every record and no other column.
func TestSetText(t *testing.T) {
	for name, set := range textFields {
		recs := make([]person.Record, 3)
		setText(recs, fieldOffset(set), []string{"a", "b", "c", "unused"})
		for i, r := range recs {
			for _, c := range person.Columns {
				got, ok := r.String(c.Name)
				if !ok {
					continue
				}
				want := ""
				if c.Name == name {
					want = string(rune('a' + i))
				}
				if got != want {
					t.Fatalf("setText for %s: record %d has %s = %q, want %q", name, i, c.Name, got, want)
				}
			}
		}
	}
}
