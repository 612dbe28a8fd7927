package pqscan

import (
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// Rewriter writes a Parquet file anew from the batches of a scanned one,
// keeping some of their rows: a file rewritten without a person's rows, or
// cut down to the rows of confirmed cases. The Arrow schema is stored in
// the file, so column types survive the round trip.
type Rewriter struct {
	fw *pqarrow.FileWriter
}

// NewRewriter starts a file of schema on w, Snappy-compressed. w is not
// closed: the caller commits or closes it after Close.
func NewRewriter(schema *arrow.Schema, w io.Writer) (*Rewriter, error) {
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithCreatedBy("datamatch"))
	// Hide any Close of w from the Parquet writer, which closes its sink.
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	return &Rewriter{fw: fw}, nil
}

// Write writes the rows i of rec for which keep[i] is true, in order, each
// run of kept rows as one slice. rec must have the Rewriter's schema.
func (r *Rewriter) Write(rec arrow.Record, keep []bool) error {
	for i := 0; i < len(keep); {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < len(keep) && keep[j] {
			j++
		}
		part := rec.NewSlice(int64(i), int64(j))
		err := r.fw.WriteBuffered(part)
		part.Release()
		if err != nil {
			return err
		}
		i = j
	}
	return nil
}

// Close writes the file's footer.
func (r *Rewriter) Close() error { return r.fw.Close() }
