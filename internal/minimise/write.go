package minimise

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
)

// Guard protects a CSV cell against formula injection: a cell that a
// spreadsheet would take as a formula or a control sequence (one that
// begins with =, +, -, @, a tab, a carriage return or a line feed) gets a
// leading apostrophe, which spreadsheets show as text and do not display.
func Guard(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	return s
}

// WriteCSV writes t as CSV: a header row of the column names, then one row
// per table row. Nulls are empty cells; dates are ISO 8601; money is pounds
// with two decimals ("1234.50"); text cells are passed through Guard.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = Guard(c.Name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for i := 0; i < t.rows; i++ {
		for j := range t.Columns {
			s, _ := t.Text(i, j)
			if t.Columns[j].Kind == Text {
				s = Guard(s)
			}
			rec[j] = s
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// moneyType is the Arrow type of money columns: pounds to two decimal
// places, written as Parquet DECIMAL(18,2) on INT64 pence.
var moneyType = &arrow.Decimal128Type{Precision: 18, Scale: 2}

func (k Kind) arrowType() arrow.DataType {
	switch k {
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Money:
		return moneyType
	case Integer:
		return arrow.PrimitiveTypes.Int64
	case Float:
		return arrow.PrimitiveTypes.Float64
	}
	return arrow.BinaryTypes.String
}

// Schema returns the Arrow schema of t: one nullable field per column.
func (t *Table) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Kind.arrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// writeOnly hides a destination's Close from the Parquet writer, which
// would otherwise close it before an atomic file is committed.
type writeOnly struct{ io.Writer }

// WriteParquet writes t as one Parquet row group with typed columns:
// strings, DATE, DECIMAL(18,2) money, INT64 and DOUBLE, Snappy-compressed and
// without dictionaries, so that equal tables give identical files.
func (t *Table) WriteParquet(w io.Writer) error {
	mem := memory.NewGoAllocator()
	schema := t.Schema()
	arrays := make([]arrow.Array, len(t.Columns))
	defer func() {
		for _, a := range arrays {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i := range t.Columns {
		arrays[i] = t.Columns[i].array(mem)
	}
	rec := array.NewRecord(schema, arrays, int64(t.rows))
	defer rec.Release()
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(false),
		parquet.WithStoreDecimalAsInteger(true),
		parquet.WithCreatedBy("datamatch"),
	)
	fw, err := pqarrow.NewFileWriter(schema, writeOnly{w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

func (c *Column) array(mem memory.Allocator) arrow.Array {
	switch c.Kind {
	case Date:
		b := array.NewDate32Builder(mem)
		defer b.Release()
		for _, v := range c.values {
			if v.valid {
				b.Append(arrow.Date32(v.n))
			} else {
				b.AppendNull()
			}
		}
		return b.NewArray()
	case Money:
		b := array.NewDecimal128Builder(mem, moneyType)
		defer b.Release()
		for _, v := range c.values {
			if v.valid {
				b.Append(decimal128.FromI64(v.n))
			} else {
				b.AppendNull()
			}
		}
		return b.NewArray()
	case Integer:
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for _, v := range c.values {
			if v.valid {
				b.Append(v.n)
			} else {
				b.AppendNull()
			}
		}
		return b.NewArray()
	case Float:
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		for _, v := range c.values {
			if v.valid {
				b.Append(v.f)
			} else {
				b.AppendNull()
			}
		}
		return b.NewArray()
	}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for _, v := range c.values {
		if v.valid {
			b.Append(v.s)
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray()
}

// Writer writes the outputs of purposes into one directory.
type Writer struct {
	// Dir is the output directory; it is created if missing.
	Dir string
	// Sources supplies clear values and refs.
	Sources Sources
	// Log receives one entry per file written; nil discards them.
	Log *slog.Logger
}

// Written describes one output file written.
type Written struct {
	Purpose   string
	Recipient string
	Path      string
	Format    exercise.Format
	Columns   []string
	Rows      int
	// Held is set for an output released on confirmation
	// (exercise.ReleaseOnConfirmation): the file, in HeldDir, is not the
	// recipient's; its Columns are HeldFields(ReleaseFields), and only the
	// rows of confirmed cases, with exactly ReleaseFields, may be released.
	Held          bool
	ReleaseFields []string
}

// HeldDir is the folder, in the output directory, that holds the outputs
// released on confirmation.
const HeldDir = "held"

// FileMode is the permission of output files: they hold personal data.
const FileMode os.FileMode = 0o600

// Write builds and writes every output of purpose p from its result r,
// each file atomically. It stops at the first output it cannot build or
// write; files already written stay.
func (w *Writer) Write(ctx context.Context, p *exercise.Purpose, r *detect.Result) ([]Written, error) {
	if err := os.MkdirAll(w.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("purpose %s: output directory: %w", p.Name, err)
	}
	var out []Written
	for i := range p.Outputs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		o := &p.Outputs[i]
		wr, err := w.writeOne(p, o, r)
		if err != nil {
			return out, err
		}
		out = append(out, wr)
		if w.Log != nil {
			w.Log.Info("output written", "purpose", p.Name, "recipient", o.Recipient, "file", wr.Path, "rows", wr.Rows, "columns", len(wr.Columns))
		}
	}
	return out, nil
}

func (w *Writer) writeOne(p *exercise.Purpose, o *exercise.Output, r *detect.Result) (Written, error) {
	if filepath.Base(o.File) != o.File || o.File == "." || o.File == ".." {
		return Written{}, fmt.Errorf("purpose %s: output %s: not a plain file name", p.Name, o.File)
	}
	if err := Check(p, o); err != nil {
		return Written{}, err
	}
	// The columns are the allowed list, exactly; a held output has the
	// case id besides, which its release drops.
	want, dir := o.Fields, w.Dir
	if o.Held() {
		want, dir = HeldFields(o.Fields), filepath.Join(w.Dir, HeldDir)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return Written{}, fmt.Errorf("purpose %s: output %s: %w", p.Name, o.File, err)
		}
	}
	built := *o
	built.Fields = want
	t, err := build(p, &built, r, w.Sources)
	if err != nil {
		return Written{}, err
	}
	if !slices.Equal(t.Names(), want) {
		return Written{}, fmt.Errorf("purpose %s: output %s: columns differ from the allowed fields", p.Name, o.File)
	}
	path := filepath.Join(dir, o.File)
	format := o.FileFormat()
	err = atomicfile.Write(path, FileMode, func(f io.Writer) error {
		switch format {
		case exercise.CSV:
			return t.WriteCSV(f)
		case exercise.Parquet:
			return t.WriteParquet(f)
		}
		return fmt.Errorf("unknown format %q", format)
	})
	if err != nil {
		return Written{}, fmt.Errorf("purpose %s: output %s: %w", p.Name, o.File, err)
	}
	wr := Written{Purpose: p.Name, Recipient: o.Recipient, Path: path, Format: format, Columns: t.Names(), Rows: t.rows}
	if o.Held() {
		wr.Held, wr.ReleaseFields = true, slices.Clone(o.Fields)
	}
	return wr, nil
}
