package pair

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/pqscan"
)

// Meta describes a pairs file: the run that wrote it. It is kept in the
// file's key-value metadata (datamatch.task, datamatch.threshold).
type Meta struct {
	// Task is TaskLink or TaskDedupe; "" in a file that does not say.
	Task string
	// Threshold is the match probability below which pairs were not
	// kept; 0 in a file that does not say.
	Threshold float64
}

// Tasks of a run.
const (
	TaskLink   = "link"   // left and right are two datasets
	TaskDedupe = "dedupe" // left and right are records of one dataset
)

// Metadata keys of a pairs file.
const (
	metaTask      = "datamatch.task"
	metaThreshold = "datamatch.threshold"
)

// WriteFile writes matches to a Parquet file at path, atomically. Each row
// holds left_record_id, right_record_id, match_probability and match_weight,
// then, for every field of the explanation, weight_<field> (its
// contribution) and level_<field> (the comparison level reached). leftID and
// rightID give the record ids of an index on each side; meta is recorded
// in the file's metadata.
func WriteFile(path string, matches []Match, meta Meta, leftID, rightID func(int32) string) error {
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		return write(w, matches, meta, leftID, rightID)
	})
}

// batchRows is the number of rows built into one Arrow record, and
// written as one row group.
const batchRows = 64 << 10

func write(w io.Writer, matches []Match, meta Meta, leftID, rightID func(int32) string) error {
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
	var keys, values []string
	if meta.Task != "" {
		keys, values = append(keys, metaTask), append(values, meta.Task)
	}
	if meta.Threshold > 0 {
		keys, values = append(keys, metaThreshold), append(values, strconv.FormatFloat(meta.Threshold, 'g', -1, 64))
	}
	md := arrow.NewMetadata(keys, values)
	schema := arrow.NewSchema(sf, &md)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDictionaryDefault(false))
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return fmt.Errorf("pairs: %w", err)
	}
	// One goroutine builds the next record while this one encodes the
	// last: the Parquet writer is sequential, and building a record costs
	// about as much as encoding it.
	recs := make(chan arrow.Record, 1)
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(recs)
		errc <- build(schema, matches, leftID, rightID, len(fields), recs, done)
	}()
	for rec := range recs {
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			// fw.Write has closed the writer. Stop the builder and
			// release what it made.
			close(done)
			for rec := range recs {
				rec.Release()
			}
			<-errc
			return fmt.Errorf("pairs: %w", err)
		}
	}
	close(done)
	if err := <-errc; err != nil {
		fw.Close()
		return err
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("pairs: %w", err)
	}
	return nil
}

// build makes the Arrow records of matches, batchRows rows at a time, and
// sends them on out until done is closed.
func build(schema *arrow.Schema, matches []Match, leftID, rightID func(int32) string, nf int, out chan<- arrow.Record, done <-chan struct{}) error {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	lids := b.Field(0).(*array.StringBuilder)
	rids := b.Field(1).(*array.StringBuilder)
	probs := b.Field(2).(*array.Float64Builder)
	weights := b.Field(3).(*array.Float64Builder)
	fw := make([]*array.Float64Builder, nf)
	fl := make([]*array.StringBuilder, nf)
	for j := range nf {
		fw[j] = b.Field(4 + j).(*array.Float64Builder)
		fl[j] = b.Field(4 + nf + j).(*array.StringBuilder)
	}
	for lo := 0; lo < len(matches); lo += batchRows {
		ms := matches[lo:min(lo+batchRows, len(matches))]
		b.Reserve(len(ms))
		reserveText(lids, rids, fl, ms, leftID, rightID)
		for i := range ms {
			m := &ms[i]
			if len(m.Explanation) != nf {
				return fmt.Errorf("pairs: match %d explains %d fields, want %d", lo+i, len(m.Explanation), nf)
			}
			lids.Append(leftID(m.Left))
			rids.Append(rightID(m.Right))
			probs.UnsafeAppend(m.Probability)
			weights.UnsafeAppend(m.Weight)
			for j, c := range m.Explanation {
				fw[j].UnsafeAppend(c.Weight)
				fl[j].Append(c.Level)
			}
		}
		rec := b.NewRecord()
		select {
		case out <- rec:
		case <-done:
			rec.Release()
			return nil
		}
	}
	return nil
}

// reserveText reserves room in the text builders for the bytes of ms's
// record ids and levels, so that they never grow while appending.
func reserveText(lids, rids *array.StringBuilder, levels []*array.StringBuilder, ms []Match, leftID, rightID func(int32) string) {
	var nl, nr int
	n := make([]int, len(levels))
	for i := range ms {
		m := &ms[i]
		nl += len(leftID(m.Left))
		nr += len(rightID(m.Right))
		for j, c := range m.Explanation[:min(len(m.Explanation), len(n))] {
			n[j] += len(c.Level)
		}
	}
	lids.ReserveData(nl)
	rids.ReserveData(nr)
	for j, b := range levels {
		b.ReserveData(n[j])
	}
}

// Scored is a pair of a pairs file, by record id, with its match
// probability.
type Scored struct {
	Left, Right string
	Probability float64
}

// ReadFile reads the pairs of a pairs file written by WriteFile, or of any
// Parquet file with its columns left_record_id, right_record_id and
// match_probability (ids as text or integers), and the file's Meta.
func ReadFile(ctx context.Context, path string) ([]Scored, Meta, error) {
	var pairs []Scored
	cols := []string{"left_record_id", "right_record_id", "match_probability"}
	kv, err := pqscan.Scan(ctx, path, cols, func(r *pqscan.Row) error {
		l, lok := r.Text(0)
		rt, rok := r.Text(1)
		p, pok := r.Float(2)
		if !lok || !rok || !pok {
			return fmt.Errorf("%s: row %d: a record id or the match probability is missing", path, len(pairs)+1)
		}
		pairs = append(pairs, Scored{Left: l, Right: rt, Probability: p})
		return nil
	})
	if err != nil {
		return nil, Meta{}, fmt.Errorf("pairs: %w", err)
	}
	meta := Meta{Task: kv[metaTask]}
	if meta.Task != "" && meta.Task != TaskLink && meta.Task != TaskDedupe {
		return nil, Meta{}, fmt.Errorf("pairs: %s: unknown task %q", path, meta.Task)
	}
	if v, ok := kv[metaThreshold]; ok {
		t, err := strconv.ParseFloat(v, 64)
		if err != nil || !(t > 0 && t < 1) {
			return nil, Meta{}, fmt.Errorf("pairs: %s: threshold %q is not a probability", path, v)
		}
		meta.Threshold = t
	}
	return pairs, meta, nil
}
