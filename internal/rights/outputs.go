package rights

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/datamatch/datamatch/internal/pqscan"
)

// fileResult is what one output file holds about the subject.
type fileResult struct {
	missing   bool
	format    string
	columns   []string
	rows      int
	matchedOn []string
}

// scanFile counts the rows of an output file in which any text cell equals
// one of values, whose map values name what they are ("ref", ...).
func scanFile(ctx context.Context, path string, values map[string]string) (fileResult, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet":
		return scanParquet(ctx, path, values)
	case ".csv":
		return scanCSV(ctx, path, values)
	}
	return fileResult{}, errors.New("unknown format: want a .parquet or .csv file")
}

// matchSet collects which kinds of value matched.
type matchSet map[string]bool

func (m matchSet) sorted() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// csvUnguard undoes the CSV-injection guard of the output writers: a cell
// that began with = + - or @ was written with a leading apostrophe.
func csvUnguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte("=+-@", s[1]) >= 0 {
		return s[1:]
	}
	return s
}

func scanCSV(ctx context.Context, path string, values map[string]string) (fileResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileResult{}, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	res := fileResult{format: "csv"}
	header, err := cr.Read()
	if err == io.EOF {
		return res, nil
	}
	if err != nil {
		return fileResult{}, err
	}
	res.columns = append([]string(nil), header...)
	if len(res.columns) > 0 {
		res.columns[0] = strings.TrimPrefix(res.columns[0], "\uFEFF")
	}
	matched := matchSet{}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return fileResult{}, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileResult{}, err
		}
		hit := false
		for _, cell := range rec {
			if k, ok := values[csvUnguard(cell)]; ok {
				matched[k] = true
				hit = true
			}
		}
		if hit {
			res.rows++
		}
	}
	res.matchedOn = matched.sorted()
	return res, nil
}

func scanParquet(ctx context.Context, path string, values map[string]string) (fileResult, error) {
	f, err := pqscan.Open(path)
	if err != nil {
		return fileResult{}, err
	}
	defer f.Close()
	schema, err := f.Schema()
	if err != nil {
		return fileResult{}, err
	}
	res := fileResult{format: "parquet"}
	for _, fld := range schema.Fields() {
		res.columns = append(res.columns, fld.Name)
	}
	matched := matchSet{}
	err = f.Batches(ctx, nil, func(rec arrow.Record) error {
		hit := make([]bool, rec.NumRows())
		for c := 0; c < int(rec.NumCols()); c++ {
			text := pqscan.Text(rec.Column(c))
			if text == nil {
				continue
			}
			for i := range hit {
				if s, ok := text(i); ok {
					if k, ok := values[s]; ok {
						matched[k] = true
						hit[i] = true
					}
				}
			}
		}
		for _, h := range hit {
			if h {
				res.rows++
			}
		}
		return nil
	})
	if err != nil {
		return fileResult{}, fmt.Errorf("read: %w", err)
	}
	res.matchedOn = matched.sorted()
	return res, nil
}
