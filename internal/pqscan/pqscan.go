// Package pqscan reads named columns of a Parquet file row by row, as
// text or as numbers, whatever their physical type: the files it reads
// (pairs, clusters, ground truth) may come from datamatch or from another
// tool, with identifiers held as strings or as integers. A Rewriter writes
// a file anew with the rows of its batches that a caller keeps.
package pqscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// batchRows is the number of rows read at a time.
const batchRows = 1 << 14

// Row is the current row of a Scan. Its values are valid only during the
// call that receives it.
type Row struct {
	text []func(i int) (string, bool)
	num  []func(i int) (float64, bool)
	i    int
}

// Text returns the value of the scan's column c as text (an integer in
// decimal), and whether it is present. It returns false for a null and for
// a column that holds neither text nor integers.
func (r *Row) Text(c int) (string, bool) {
	if f := r.text[c]; f != nil {
		return f(r.i)
	}
	return "", false
}

// Float returns the value of the scan's column c as a number, and whether
// it is present. It returns false for a null and for a column that holds
// no numbers.
func (r *Row) Float(c int) (float64, bool) {
	if f := r.num[c]; f != nil {
		return f(r.i)
	}
	return 0, false
}

// File is an open Parquet file, read through Arrow.
type File struct {
	pf *file.Reader
	fr *pqarrow.FileReader
}

// Open opens the Parquet file at path. Errors name the path.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	pf, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: batchRows}, memory.DefaultAllocator)
	if err != nil {
		pf.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{pf: pf, fr: fr}, nil
}

// Close closes the file.
func (f *File) Close() error { return f.pf.Close() }

// Schema returns the file's Arrow schema.
func (f *File) Schema() (*arrow.Schema, error) { return f.fr.Schema() }

// Meta returns the file's key-value metadata.
func (f *File) Meta() map[string]string {
	meta := map[string]string{}
	kv := f.pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		meta[k] = kv.Values()[i]
	}
	return meta
}

// Batches calls fn with each batch of the columns idx (indices into
// Schema; nil for every column), in file order, until fn returns an
// error. It reads one row group at a time: Arrow's reader refuses, as not
// implemented, a batch that spans two row groups of a dictionary column
// (a category, where the writer stored its Arrow schema, as pyarrow does).
// A batch is valid only during the call that receives it.
func (f *File) Batches(ctx context.Context, idx []int, fn func(rec arrow.Record) error) error {
	for rg := range f.pf.NumRowGroups() {
		if err := f.group(ctx, idx, rg, fn); err != nil {
			return err
		}
	}
	return nil
}

// group calls fn with each batch of row group rg.
func (f *File) group(ctx context.Context, idx []int, rg int, fn func(rec arrow.Record) error) error {
	rr, err := f.fr.GetRecordReader(ctx, idx, []int{rg})
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(rr.Record()); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Scan reads the columns named cols of the Parquet file at path and calls
// fn for each row, with the columns in the order of cols. It returns the
// file's key-value metadata. It stops at the first error fn returns, and
// reports a missing column by name.
func Scan(ctx context.Context, path string, cols []string, fn func(r *Row) error) (map[string]string, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	schema, err := f.Schema()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	idx := make([]int, len(cols))
	for i, name := range cols {
		ix := schema.FieldIndices(name)
		if len(ix) != 1 {
			return nil, fmt.Errorf("%s: no column %q", path, name)
		}
		idx[i] = ix[0]
	}
	row := Row{text: make([]func(int) (string, bool), len(cols)), num: make([]func(int) (float64, bool), len(cols))}
	order := make([]int, len(cols))
	err = f.Batches(ctx, idx, func(rec arrow.Record) error {
		// The reader returns the columns in file order: find each of cols.
		for i, name := range cols {
			order[i] = rec.Schema().FieldIndices(name)[0]
		}
		for i, c := range order {
			row.text[i], row.num[i] = textOf(rec.Column(c)), numberOf(rec.Column(c))
		}
		for row.i = 0; row.i < int(rec.NumRows()); row.i++ {
			if err := fn(&row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f.Meta(), nil
}

// Text returns an accessor for the values of a text column (plain, large,
// or dictionary-encoded: a file whose writer stored its Arrow schema, as
// pyarrow does, reads back categories as dictionaries), or nil if a holds
// no text.
func Text(a arrow.Array) func(i int) (string, bool) {
	switch a := a.(type) {
	case *array.String:
		return func(i int) (string, bool) { return a.Value(i), a.IsValid(i) }
	case *array.LargeString:
		return func(i int) (string, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Dictionary:
		dict := Text(a.Dictionary())
		if dict == nil {
			return nil
		}
		return func(i int) (string, bool) {
			if !a.IsValid(i) {
				return "", false
			}
			return dict(a.GetValueIndex(i))
		}
	}
	return nil
}

// Map reads the columns key and value of the Parquet file at path into a
// map from each row's key to its value, both as text. It refuses a row
// without a key, or with a key an earlier row had; a row without a value
// is left out of the map.
func Map(ctx context.Context, path, key, value string) (map[string]string, error) {
	m := map[string]string{}
	seen := map[string]struct{}{}
	row := 0
	_, err := Scan(ctx, path, []string{key, value}, func(r *Row) error {
		row++
		k, ok := r.Text(0)
		if !ok {
			return fmt.Errorf("%s: row %d: no %s", path, row, key)
		}
		if _, dup := seen[k]; dup {
			return fmt.Errorf("%s: row %d: a second row of one %s", path, row, key)
		}
		seen[k] = struct{}{}
		if v, ok := r.Text(1); ok {
			m[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// textOf returns an accessor for the values of a as text, integers in
// decimal, or nil if a holds neither text nor integers.
func textOf(a arrow.Array) func(i int) (string, bool) {
	switch a := a.(type) {
	case *array.Int64:
		return func(i int) (string, bool) { return strconv.FormatInt(a.Value(i), 10), a.IsValid(i) }
	case *array.Int32:
		return func(i int) (string, bool) { return strconv.FormatInt(int64(a.Value(i)), 10), a.IsValid(i) }
	}
	return Text(a)
}

// numberOf returns an accessor for the values of a as numbers, or nil if
// a holds no numbers.
func numberOf(a arrow.Array) func(i int) (float64, bool) {
	switch a := a.(type) {
	case *array.Float64:
		return func(i int) (float64, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Float32:
		return func(i int) (float64, bool) { return float64(a.Value(i)), a.IsValid(i) }
	case *array.Int64:
		return func(i int) (float64, bool) { return float64(a.Value(i)), a.IsValid(i) }
	case *array.Int32:
		return func(i int) (float64, bool) { return float64(a.Value(i)), a.IsValid(i) }
	}
	return nil
}
