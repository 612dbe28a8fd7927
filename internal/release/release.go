// Package release writes, from an output a run held back for reviewers'
// confirmation, the file its recipient may receive: the rows of the cases
// a reviewer has confirmed, with exactly the recipient's fields.
//
// A held output (see minimise.HeldFields) is an ordinary CSV or Parquet
// output with one more column, case_id, naming each row's case as the
// review queue does. Filter copies the rows whose case it is told to keep
// and drops every column the recipient may not receive, case_id included
// unless the recipient's fields list it. Values are copied as they were
// written, so a released file holds nothing the held file did not.
package release

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/datamatch/datamatch/internal/pqscan"
)

// CaseColumn is the column of a held output that names each row's case.
const CaseColumn = "case_id"

// Filter copies the held output at path to w: the rows whose case keep
// accepts, with the columns fields, in that order. keep is called once per
// row, in file order. Filter returns the case ids of the rows it copied,
// in file order. The format is taken from path's extension (.csv or
// .parquet) and w receives the same format. Filter refuses a file without
// the case column or one of fields.
func Filter(ctx context.Context, path string, fields []string, keep func(caseID string) bool, w io.Writer) ([]string, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("release %s: no fields", path)
	}
	var cases []string
	var err error
	switch filepath.Ext(path) {
	case ".csv":
		cases, err = filterCSV(ctx, path, fields, keep, w)
	case ".parquet":
		cases, err = filterParquet(ctx, path, fields, keep, w)
	default:
		err = errors.New("unknown format: want a .parquet or .csv file")
	}
	if err != nil {
		return nil, fmt.Errorf("release %s: %w", path, err)
	}
	return cases, nil
}

// columns returns the index in names of the case column and of each of
// fields.
func columns(names, fields []string) (caseCol int, idx []int, err error) {
	caseCol = slices.Index(names, CaseColumn)
	if caseCol < 0 {
		return 0, nil, fmt.Errorf("no %s column: not a held output", CaseColumn)
	}
	idx = make([]int, len(fields))
	for i, f := range fields {
		if idx[i] = slices.Index(names, f); idx[i] < 0 {
			return 0, nil, fmt.Errorf("no column %s", f)
		}
	}
	return caseCol, idx, nil
}

func filterCSV(ctx context.Context, path string, fields []string, keep func(string) bool, w io.Writer) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	names := slices.Clone(head)
	names[0] = strings.TrimPrefix(names[0], "\uFEFF")
	caseCol, idx, err := columns(names, fields)
	if err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = head[j]
	}
	if err := cw.Write(out); err != nil {
		return nil, err
	}
	var cases []string
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if !keep(rec[caseCol]) {
			continue
		}
		for i, j := range idx {
			out[i] = rec[j]
		}
		if err := cw.Write(out); err != nil {
			return nil, err
		}
		cases = append(cases, rec[caseCol])
	}
	cw.Flush()
	return cases, cw.Error()
}

func filterParquet(ctx context.Context, path string, fields []string, keep func(string) bool, w io.Writer) ([]string, error) {
	pf, err := pqscan.Open(path)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	schema, err := pf.Schema()
	if err != nil {
		return nil, err
	}
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	caseCol, idx, err := columns(names, fields)
	if err != nil {
		return nil, err
	}
	outFields := make([]arrow.Field, len(idx))
	for i, j := range idx {
		outFields[i] = schema.Field(j)
	}
	md := schema.Metadata()
	outSchema := arrow.NewSchema(outFields, &md)
	rw, err := pqscan.NewRewriter(outSchema, w)
	if err != nil {
		return nil, err
	}
	var cases []string
	err = pf.Batches(ctx, nil, func(rec arrow.Record) error {
		text := pqscan.Text(rec.Column(caseCol))
		cols := make([]arrow.Array, len(idx))
		for i, j := range idx {
			cols[i] = rec.Column(j)
		}
		sub := array.NewRecord(outSchema, cols, rec.NumRows())
		defer sub.Release()
		kept := make([]bool, rec.NumRows())
		for i := range kept {
			id, _ := text(i)
			if kept[i] = keep(id); kept[i] {
				cases = append(cases, id)
			}
		}
		return rw.Write(sub, kept)
	})
	if err != nil {
		rw.Close()
		return nil, err
	}
	return cases, rw.Close()
}
