package cluster

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/pqscan"
)

// WriteFile writes a clustering of n records to a Parquet file at path,
// atomically, one row per record in index order: record_id, cluster_id
// and cluster_size. A cluster's id is the record id of its first record
// (clusters are sorted), so that it names one of its people's records
// and does not change when other clusters do; a record in no cluster is
// a cluster of its own, of size 1. id gives the record id of an index.
//
// Every record has a row, so the file accounts for the whole dataset:
// the number of people found is the number of distinct cluster ids.
func WriteFile(path string, n int, clusters [][]int32, id func(int32) string) error {
	of := make([]int32, n) // record → its cluster's first record
	size := make([]int32, n)
	for i := range of {
		of[i], size[i] = int32(i), 1
	}
	for _, c := range clusters {
		for _, r := range c {
			if r < 0 || int(r) >= n {
				return fmt.Errorf("clusters: record %d out of range [0, %d)", r, n)
			}
			of[r], size[r] = c[0], int32(len(c))
		}
	}
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		return write(w, of, size, id)
	})
}

// batchRows is the number of rows written as one row group.
const batchRows = 64 << 10

func write(w io.Writer, of, size []int32, id func(int32) string) error {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "record_id", Type: arrow.BinaryTypes.String},
		{Name: "cluster_id", Type: arrow.BinaryTypes.String},
		{Name: "cluster_size", Type: arrow.PrimitiveTypes.Int32},
	}, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ids := b.Field(0).(*array.StringBuilder)
	cids := b.Field(1).(*array.StringBuilder)
	sizes := b.Field(2).(*array.Int32Builder)
	for lo := 0; lo < len(of); lo += batchRows {
		hi := min(lo+batchRows, len(of))
		b.Reserve(hi - lo)
		for i := lo; i < hi; i++ {
			ids.Append(id(int32(i)))
			cids.Append(id(of[i]))
			sizes.UnsafeAppend(size[i])
		}
		rec := b.NewRecord()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			// fw.Write has closed the writer.
			return fmt.Errorf("clusters: %w", err)
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	return nil
}

// ReadFile reads a clusters file written by WriteFile, or any Parquet file
// with the columns record_id and cluster_id (as text or integers), and
// returns each record's cluster id by record id. It refuses a record with
// two rows; a record without a cluster id is left out, a cluster of its
// own.
func ReadFile(ctx context.Context, path string) (map[string]string, error) {
	of, err := pqscan.Map(ctx, path, "record_id", "cluster_id")
	if err != nil {
		return nil, fmt.Errorf("clusters: %w", err)
	}
	return of, nil
}
