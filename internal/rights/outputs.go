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

	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pqscan"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// fileResult is what one output file holds about the subject.
type fileResult struct {
	missing   bool
	format    string
	columns   []string
	rows      int
	matchedOn []string
}

// ClearField is an output column that holds a clear value of one of a
// case's records.
type ClearField struct {
	// Side tells the case's records apart ("subject", "partner"): a row
	// about the subject holds the subject's values on one side only.
	Side string
	// Column is the canonical column (person.Col*) whose value it holds.
	Column string
}

// matchedClear is the FileFinding.MatchedOn of rows recognised by their
// clear values.
const matchedClear = "clear_fields"

// rowMatcher recognises the rows of an output file that are about the
// subject: a text cell equal to one of values (a ref, case id or record
// id of the subject's), or clear values that are those of one of the
// subject's records. An output may hold no reference at all: the utility
// provider's request is a name and a tenancy start date.
type rowMatcher struct {
	values map[string]string // value → what it is ("ref", ...)
	clear  map[string]ClearField
	people []map[string]string // comparable values of each record found, by canonical column
}

// clearColumn is a column of one file that holds a clear value.
type clearColumn struct {
	index int
	ClearField
}

// clearColumns returns the columns of a file, named columns, that hold
// clear values, when there is anyone to recognise by them.
func (m *rowMatcher) clearColumns(columns []string) []clearColumn {
	if len(m.people) == 0 {
		return nil
	}
	var out []clearColumn
	for i, name := range columns {
		if f, ok := m.clear[name]; ok {
			out = append(out, clearColumn{i, f})
		}
	}
	return out
}

// identifying lists the columns of which one must agree for clear values to
// recognise a record: a tenancy start date and a forename agreeing are
// not enough, a surname and a forename are.
var identifying = map[string]bool{
	person.ColSurname: true, person.ColNINumber: true, person.ColPassport: true,
	person.ColEmail: true, person.ColPhone: true, person.ColDOB: true,
}

// clearMatch reports whether the clear cells of a row (cells[i] in
// cols[i]) are one of the subject's records: on one side of the case, every
// non-empty cell that the record also holds agrees with it, at least two
// do, and one of those is identifying.
func (m *rowMatcher) clearMatch(cols []clearColumn, cells []string) bool {
	for _, side := range [...]string{"subject", "partner", ""} {
	people:
		for _, p := range m.people {
			agree, strong := 0, false
			for i, c := range cols {
				if c.Side != side || cells[i] == "" {
					continue
				}
				want, held := p[c.Column]
				if !held {
					continue
				}
				if comparable(c.Column, cells[i]) != want {
					continue people
				}
				agree++
				strong = strong || identifying[c.Column]
			}
			if agree >= 2 && strong {
				return true
			}
		}
	}
	return false
}

// comparable returns the form in which clear values of column are
// compared: the canonical form matching keys (pseudo.Canonical), or for a
// column without one (a date, a reference) the value trimmed and in
// lower case.
func comparable(column, v string) string {
	if c := pseudo.Canonical(column, v); c != "" {
		return c
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// comparableFields returns the comparable values of a record's fields.
func comparableFields(fields []Field) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		if c := comparable(f.Name, f.Value); c != "" {
			m[f.Name] = c
		}
	}
	return m
}

// csvRow reports whether rec, a CSV row, is about the subject, and notes
// in matched what it held. clear are the file's clear columns and cells a
// buffer of their length.
func (m *rowMatcher) csvRow(rec []string, clear []clearColumn, cells []string, matched matchSet) bool {
	hit := false
	for _, cell := range rec {
		if k, ok := m.values[csvUnguard(cell)]; ok {
			matched[k] = true
			hit = true
		}
	}
	if hit || len(clear) == 0 {
		return hit
	}
	for i, c := range clear {
		cells[i] = ""
		if c.index < len(rec) {
			cells[i] = csvUnguard(rec[c.index])
		}
	}
	if m.clearMatch(clear, cells) {
		matched[matchedClear] = true
		return true
	}
	return false
}

// batchRows reports which rows of rec, a batch of a Parquet file, are
// about the subject, and notes in matched what they held.
func (m *rowMatcher) batchRows(rec arrow.Record, clear []clearColumn, cells []string, matched matchSet) []bool {
	hit := make([]bool, rec.NumRows())
	for c := 0; c < int(rec.NumCols()); c++ {
		text := pqscan.Text(rec.Column(c))
		if text == nil {
			continue
		}
		for i := range hit {
			if s, ok := text(i); ok {
				if k, ok := m.values[s]; ok {
					matched[k] = true
					hit[i] = true
				}
			}
		}
	}
	if len(clear) == 0 {
		return hit
	}
	texts := make([]func(int) (string, bool), len(clear))
	for i, c := range clear {
		texts[i] = pqscan.Text(rec.Column(c.index))
	}
	for r := range hit {
		if hit[r] {
			continue
		}
		for i, text := range texts {
			cells[i] = ""
			if text != nil {
				cells[i], _ = text(r)
			}
		}
		if m.clearMatch(clear, cells) {
			matched[matchedClear] = true
			hit[r] = true
		}
	}
	return hit
}

// scanFile counts the rows of an output file that m recognises.
func scanFile(ctx context.Context, path string, m *rowMatcher) (fileResult, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet":
		return scanParquet(ctx, path, m)
	case ".csv":
		return scanCSV(ctx, path, m)
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

func scanCSV(ctx context.Context, path string, m *rowMatcher) (fileResult, error) {
	return readCSV(ctx, path, m, nil, nil)
}

// readCSV reads the CSV output at path and counts the rows m recognises.
// With header and row set, it also hands them the header as read and each
// data row with whether m recognised it, as erasure does to copy the file
// without those rows.
func readCSV(ctx context.Context, path string, m *rowMatcher, header func([]string) error, row func(rec []string, hit bool) error) (fileResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileResult{}, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	res := fileResult{format: "csv"}
	head, err := cr.Read()
	if err == io.EOF {
		return res, nil
	}
	if err != nil {
		return fileResult{}, err
	}
	if header != nil {
		if err := header(head); err != nil {
			return fileResult{}, err
		}
	}
	res.columns = append([]string(nil), head...)
	if len(res.columns) > 0 {
		res.columns[0] = strings.TrimPrefix(res.columns[0], "\uFEFF")
	}
	clear := m.clearColumns(res.columns)
	cells := make([]string, len(clear))
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
		hit := m.csvRow(rec, clear, cells, matched)
		if hit {
			res.rows++
		}
		if row != nil {
			if err := row(rec, hit); err != nil {
				return fileResult{}, err
			}
		}
	}
	res.matchedOn = matched.sorted()
	return res, nil
}

func scanParquet(ctx context.Context, path string, m *rowMatcher) (fileResult, error) {
	return readParquet(ctx, path, m, nil, nil)
}

// readParquet reads the Parquet output at path, one row group at a time,
// and counts the rows m recognises. With start and batch set, it also
// hands them the file's Arrow schema and each batch with which of its
// rows m recognised, as erasure does to copy the file without them.
func readParquet(ctx context.Context, path string, m *rowMatcher, start func(*arrow.Schema) error, batch func(rec arrow.Record, hits []bool) error) (fileResult, error) {
	f, err := pqscan.Open(path)
	if err != nil {
		return fileResult{}, err
	}
	defer f.Close()
	schema, err := f.Schema()
	if err != nil {
		return fileResult{}, err
	}
	if start != nil {
		if err := start(schema); err != nil {
			return fileResult{}, err
		}
	}
	res := fileResult{format: "parquet"}
	for _, fld := range schema.Fields() {
		res.columns = append(res.columns, fld.Name)
	}
	clear := m.clearColumns(res.columns)
	cells := make([]string, len(clear))
	matched := matchSet{}
	err = f.Batches(ctx, nil, func(rec arrow.Record) error {
		hits := m.batchRows(rec, clear, cells, matched)
		for _, h := range hits {
			if h {
				res.rows++
			}
		}
		if batch != nil {
			return batch(rec, hits)
		}
		return nil
	})
	if err != nil {
		return fileResult{}, fmt.Errorf("read: %w", err)
	}
	res.matchedOn = matched.sorted()
	return res, nil
}
