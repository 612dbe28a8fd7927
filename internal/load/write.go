package load

import (
	"bufio"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/person"
)

// writeRowGroup is the number of rows per row group in files this package
// writes.
const writeRowGroup = 128 << 10

// writerProps are the Parquet properties of files this package writes:
// snappy, because the Parquet writer builds a new zstd encoder for every
// page, which makes zstd several times slower to write; and no
// dictionaries, so that the same records always give the same bytes.
func writerProps() *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(false),
		parquet.WithMaxRowGroupLength(writeRowGroup),
		parquet.WithCreatedBy("datamatch"),
	)
}

// Write writes recs to path as a canonical person file (person.Schema(),
// every column) atomically, with permission 0600. Reading it back with the
// zero Mapping gives the same records.
func Write(path string, recs []person.Record) error {
	sc := person.Schema()
	return writeParquet(path, sc, func(fw *pqarrow.FileWriter) error {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		defer b.Release()
		for start := 0; start < len(recs) || start == 0; start += writeRowGroup {
			end := min(len(recs), start+writeRowGroup)
			for i := start; i < end; i++ {
				appendRecord(b, sc, &recs[i])
			}
			rec := b.NewRecord()
			err := fw.Write(rec)
			rec.Release()
			if err != nil {
				return err
			}
			if end == len(recs) {
				break
			}
		}
		return nil
	})
}

// appendRecord appends r to the builder of a canonical schema, writing
// empty strings and zero dates as nulls.
func appendRecord(b *array.RecordBuilder, sc *arrow.Schema, r *person.Record) {
	for j, f := range sc.Fields() {
		switch fb := b.Field(j).(type) {
		case *array.StringBuilder:
			v, _ := r.String(f.Name)
			if v == "" && f.Nullable {
				fb.AppendNull()
			} else {
				fb.Append(v)
			}
		case *array.Date32Builder:
			d := *r.DateField(f.Name)
			if d.IsZero() {
				fb.AppendNull()
			} else {
				fb.Append(arrow.Date32(d.Days()))
			}
		case *array.Int64Builder:
			fb.Append(int64(r.Balance))
		default:
			panic(fmt.Sprintf("load: canonical column %s has builder %T", f.Name, fb))
		}
	}
}

// quarantineSchema is the schema of a quarantine file: the row number, the
// record_id when usable, and the reason code.
var quarantineSchema = arrow.NewSchema([]arrow.Field{
	{Name: "row", Type: arrow.PrimitiveTypes.Int64},
	{Name: "record_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "reason", Type: arrow.BinaryTypes.String},
}, nil)

// WriteQuarantine writes the quarantined rows to path as Parquet (columns
// row, record_id, reason) atomically, with permission 0600.
func WriteQuarantine(path string, rows []Quarantined) error {
	return writeParquet(path, quarantineSchema, func(fw *pqarrow.FileWriter) error {
		b := array.NewRecordBuilder(memory.DefaultAllocator, quarantineSchema)
		defer b.Release()
		rowB := b.Field(0).(*array.Int64Builder)
		idB := b.Field(1).(*array.StringBuilder)
		reasonB := b.Field(2).(*array.StringBuilder)
		for start := 0; start < len(rows) || start == 0; start += writeRowGroup {
			end := min(len(rows), start+writeRowGroup)
			for _, q := range rows[start:end] {
				rowB.Append(q.Row)
				if q.RecordID == "" {
					idB.AppendNull()
				} else {
					idB.Append(q.RecordID)
				}
				reasonB.Append(string(q.Reason))
			}
			rec := b.NewRecord()
			err := fw.Write(rec)
			rec.Release()
			if err != nil {
				return err
			}
			if end == len(rows) {
				break
			}
		}
		return nil
	})
}

// writeParquet writes a Parquet file of schema sc to path atomically, with
// permission 0600, letting fill write its record batches.
func writeParquet(path string, sc *arrow.Schema, fill func(*pqarrow.FileWriter) error) error {
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		// The Parquet writer closes a sink that has a Close method; hide it,
		// because the atomic file must stay open until it is committed.
		fw, err := pqarrow.NewFileWriter(sc, writeOnly{bw}, writerProps(), pqarrow.DefaultWriterProps())
		if err != nil {
			return err
		}
		if err := fill(fw); err != nil {
			fw.Close()
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeOnly hides every method of a writer but Write.
type writeOnly struct{ w io.Writer }

func (w writeOnly) Write(p []byte) (int, error) { return w.w.Write(p) }
