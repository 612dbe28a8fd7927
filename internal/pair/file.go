package pair

import (
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/atomicfile"
)

// WriteFile writes matches to a Parquet file at path, atomically. Each row
// holds left_record_id, right_record_id, match_probability and match_weight,
// then, for every field of the explanation, weight_<field> (its
// contribution) and level_<field> (the comparison level reached). leftID and
// rightID give the record ids of an index on each side.
func WriteFile(path string, matches []Match, leftID, rightID func(int32) string) error {
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		// Hide the file's Close from the Parquet writer, which closes its
		// sink: atomicfile syncs and renames it afterwards.
		return write(struct{ io.Writer }{w}, matches, leftID, rightID)
	})
}

func write(w io.Writer, matches []Match, leftID, rightID func(int32) string) error {
	var fields []string
	if len(matches) > 0 {
		for _, c := range matches[0].Explanation {
			fields = append(fields, c.Field)
		}
	}
	sf := []arrow.Field{
		{Name: "left_record_id", Type: arrow.BinaryTypes.String},
		{Name: "right_record_id", Type: arrow.BinaryTypes.String},
		{Name: "match_probability", Type: arrow.PrimitiveTypes.Float64},
		{Name: "match_weight", Type: arrow.PrimitiveTypes.Float64},
	}
	for _, f := range fields {
		sf = append(sf, arrow.Field{Name: "weight_" + f, Type: arrow.PrimitiveTypes.Float64})
	}
	for _, f := range fields {
		sf = append(sf, arrow.Field{Name: "level_" + f, Type: arrow.BinaryTypes.String})
	}
	schema := arrow.NewSchema(sf, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDictionaryDefault(false))
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return fmt.Errorf("pairs: %w", err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	const batch = 64 << 10
	flush := func() error {
		rec := b.NewRecord()
		defer rec.Release()
		if rec.NumRows() == 0 {
			return nil
		}
		return fw.WriteBuffered(rec)
	}
	nf := len(fields)
	for i, m := range matches {
		b.Field(0).(*array.StringBuilder).Append(leftID(m.Left))
		b.Field(1).(*array.StringBuilder).Append(rightID(m.Right))
		b.Field(2).(*array.Float64Builder).Append(m.Probability)
		b.Field(3).(*array.Float64Builder).Append(m.Weight)
		if len(m.Explanation) != nf {
			fw.Close()
			return fmt.Errorf("pairs: match %d explains %d fields, want %d", i, len(m.Explanation), nf)
		}
		for j, c := range m.Explanation {
			b.Field(4 + j).(*array.Float64Builder).Append(c.Weight)
			b.Field(4 + nf + j).(*array.StringBuilder).Append(c.Level)
		}
		if (i+1)%batch == 0 {
			if err := flush(); err != nil {
				fw.Close()
				return fmt.Errorf("pairs: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		fw.Close()
		return fmt.Errorf("pairs: %w", err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("pairs: %w", err)
	}
	return nil
}
