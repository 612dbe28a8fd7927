package load

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xitongsys/parquet-go-source/local"
	xparquet "github.com/xitongsys/parquet-go/parquet"
	"github.com/xitongsys/parquet-go/types"
	"github.com/xitongsys/parquet-go/writer"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

// xRow is a row as another system's parquet-go writer would write it.
type xRow struct {
	ID       string  `parquet:"name=id, type=BYTE_ARRAY, convertedtype=UTF8"`
	Name     *string `parquet:"name=name, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Born     *string `parquet:"name=born, type=INT96, repetitiontype=OPTIONAL"`
	Start    *int32  `parquet:"name=start, type=INT32, convertedtype=DATE, repetitiontype=OPTIONAL"`
	Closed   *int64  `parquet:"name=closed, type=INT64, convertedtype=TIMESTAMP_MILLIS, repetitiontype=OPTIONAL"`
	Balance  *int64  `parquet:"name=balance, type=INT64, convertedtype=DECIMAL, scale=2, precision=12, repetitiontype=OPTIONAL"`
	Postcode string  `parquet:"name=postcode, type=BYTE_ARRAY, convertedtype=UTF8"`
}

// xWant is what row i of xRows should load as.
type xWant struct {
	name       string
	dob, start date.Date
	end        date.Date
	balance    money.Pence
}

func xRowAt(i int) (xRow, xWant) {
	born := time.Date(1940+i%60, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	start := time.Date(2000+i%20, time.Month(1+i%12), 1+i%27, 0, 0, 0, 0, time.UTC)
	closed := start.AddDate(1, 0, 3).Add(15 * time.Hour)
	row := xRow{ID: fmt.Sprintf("X%04d", i), Postcode: "M1 1AA"}
	w := xWant{}
	if i%10 != 7 {
		name := fmt.Sprintf("Surname%d", i)
		b := types.TimeToINT96(born)
		days := int32(start.Unix() / 86400)
		ms := types.TimeToTIMESTAMP_MILLIS(closed, true)
		bal := int64(i*1001 - 300_000)
		row.Name, row.Born, row.Start, row.Closed, row.Balance = &name, &b, &days, &ms, &bal
		w = xWant{name: name, dob: date.FromTime(born), start: date.FromTime(start), end: date.FromTime(closed), balance: money.Pence(bal)}
	}
	return row, w
}

// writeX writes n rows with parquet-go, flushing a row group every
// rowGroup rows.
func writeX(t testing.TB, path string, n, rowGroup int, codec xparquet.CompressionCodec) {
	t.Helper()
	fw, err := local.NewLocalFileWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := writer.NewParquetWriter(fw, new(xRow), 1)
	if err != nil {
		t.Fatal(err)
	}
	pw.CompressionType = codec
	for i := 0; i < n; i++ {
		row, _ := xRowAt(i)
		if err := pw.Write(row); err != nil {
			t.Fatal(err)
		}
		if (i+1)%rowGroup == 0 {
			if err := pw.Flush(true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := pw.WriteStop(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

var xMapping = Mapping{Fields: map[string]FieldMap{
	person.ColRecordID:     {From: []string{"id"}},
	person.ColSurname:      {From: []string{"name"}},
	person.ColDOB:          {From: []string{"born"}},
	person.ColTenancyStart: {From: []string{"start"}},
	person.ColTenancyEnd:   {From: []string{"closed"}},
	person.ColBalance:      {From: []string{"balance"}},
	person.ColPostcode:     {From: []string{"postcode"}},
}}

func TestReadParquetGo(t *testing.T) {
	for _, codec := range []xparquet.CompressionCodec{xparquet.CompressionCodec_SNAPPY, xparquet.CompressionCodec_GZIP,
		xparquet.CompressionCodec_ZSTD, xparquet.CompressionCodec_UNCOMPRESSED} {
		t.Run(codec.String(), func(t *testing.T) {
			const n = 1000
			path := tempFile(t, "x.parquet")
			writeX(t, path, n, 250, codec)
			batches, rep := readAll(t, path, xMapping)
			if rep.RowsIn != n || rep.Accepted != n {
				t.Fatalf("report %+v", rep.Report.Summary())
			}
			i := 0
			for _, b := range batches {
				for k, r := range b.Records {
					_, w := xRowAt(i)
					if b.Rows[k] != int64(i) || r.RecordID != fmt.Sprintf("X%04d", i) {
						t.Fatalf("record %d is row %d id %s", i, b.Rows[k], r.RecordID)
					}
					got := xWant{name: r.Surname, dob: r.DOB, start: r.TenancyStart, end: r.TenancyEnd, balance: r.Balance}
					if got != w {
						t.Fatalf("row %d: got %+v, want %+v", i, got, w)
					}
					i++
				}
			}
		})
	}
}

func TestParquetGoLZ4Refused(t *testing.T) {
	path := tempFile(t, "lz4.parquet")
	writeX(t, path, 100, 50, xparquet.CompressionCodec_LZ4)
	_, err := Open(context.Background(), Source{Path: path, Mapping: xMapping}, testOptions())
	if err == nil {
		t.Fatal("Open accepted an LZ4 file")
	}
	want := "file " + path + ": column id: LZ4-compressed pages are not supported by this reader; re-write the file with snappy or zstd"
	if err.Error() != want {
		t.Fatalf("error %q\nwant  %q", err, want)
	}
}

// TestParquetGoBrotli checks that a Brotli file from parquet-go, whose
// pages that writer leaves empty, is refused rather than read as no rows.
func TestParquetGoBrotli(t *testing.T) {
	path := tempFile(t, "br.parquet")
	writeX(t, path, 300, 100, xparquet.CompressionCodec_BROTLI)
	_, err := Open(context.Background(), Source{Path: path, Mapping: xMapping}, testOptions())
	if err == nil || !strings.Contains(err.Error(), "file "+path+": column id: Brotli pages") {
		t.Fatalf("Open = %v, want a refusal naming the file and column", err)
	}
}
