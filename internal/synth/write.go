package synth

import (
	"bufio"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	pgparquet "github.com/xitongsys/parquet-go/parquet"
	"github.com/xitongsys/parquet-go/writer"

	"github.com/datamatch/datamatch/internal/atomicfile"
)

// sink writes one output file from the chunks it is given. Nothing is
// published until commit.
type sink interface {
	write(c *chunk) error
	// close finishes the file's contents without publishing it.
	close() error
	commit() error
	abort()
	path() string
}

// fileSink is the part of every sink that owns the atomic file.
type fileSink struct {
	f   *atomicfile.File
	buf *bufio.Writer
	p   string
}

func newFileSink(path string) (fileSink, error) {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return fileSink{}, err
	}
	return fileSink{f: f, buf: bufio.NewWriterSize(f, 1<<20), p: path}, nil
}

func (s *fileSink) commit() error { return s.f.Commit() }
func (s *fileSink) abort()        { s.f.Abort() }
func (s *fileSink) path() string  { return s.p }

// arrowSink writes a Parquet file with pqarrow, one row group per chunk
// (or per chunkRows rows). Dictionary encoding is used only for the listed
// low-cardinality columns, which keeps footers byte-identical across runs.
type arrowSink struct {
	fileSink
	fw    *pqarrow.FileWriter
	mem   memory.Allocator
	build func(mem memory.Allocator, c *chunk) arrow.Record
}

func newArrowSink(path string, schema *arrow.Schema, dict []string, build func(memory.Allocator, *chunk) arrow.Record) (*arrowSink, error) {
	fs, err := newFileSink(path)
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(false),
		parquet.WithMaxRowGroupLength(chunkRows),
		parquet.WithCreatedBy("datamatch synth"),
	}
	for _, c := range dict {
		opts = append(opts, parquet.WithDictionaryFor(c, true))
	}
	mem := memory.NewGoAllocator()
	fw, err := pqarrow.NewFileWriter(schema, fs.buf, parquet.NewWriterProperties(opts...), pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		fs.abort()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &arrowSink{fileSink: fs, fw: fw, mem: mem, build: build}, nil
}

func (s *arrowSink) write(c *chunk) error {
	rec := s.build(s.mem, c)
	defer rec.Release()
	if rec.NumRows() == 0 {
		return nil
	}
	if err := s.fw.Write(rec); err != nil {
		return fmt.Errorf("write %s: %w", s.p, err)
	}
	return nil
}

func (s *arrowSink) close() error {
	if err := s.fw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", s.p, err)
	}
	if err := s.buf.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", s.p, err)
	}
	return nil
}

// parquetGoSink writes a partner dataset with xitongsys/parquet-go, an
// independent Parquet producer, so that the loader meets files not written
// by the library it reads with.
type parquetGoSink struct {
	fileSink
	pw *writer.ParquetWriter
	ds int
}

// parquetGoRowGroup bounds the bytes parquet-go buffers before it writes a
// row group.
const parquetGoRowGroup = 16 << 20

func newParquetGoSink(path string, ds int, schema any) (*parquetGoSink, error) {
	fs, err := newFileSink(path)
	if err != nil {
		return nil, err
	}
	// One marshalling goroutine: with more, dictionary pages would depend
	// on scheduling. No column asks for dictionary encoding anyway.
	pw, err := writer.NewParquetWriterFromWriter(fs.buf, schema, 1)
	if err != nil {
		fs.abort()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	pw.RowGroupSize = parquetGoRowGroup
	pw.PageSize = 64 << 10
	pw.CompressionType = pgparquet.CompressionCodec_SNAPPY
	return &parquetGoSink{fileSink: fs, pw: pw, ds: ds}, nil
}

func (s *parquetGoSink) write(c *chunk) error {
	for _, rec := range c.recs[s.ds] {
		if err := s.pw.Write(rec.(partnerRecord).value()); err != nil {
			return fmt.Errorf("write %s: %w", s.p, err)
		}
	}
	return nil
}

func (s *parquetGoSink) close() error {
	if err := s.pw.WriteStop(); err != nil {
		return fmt.Errorf("write %s: %w", s.p, err)
	}
	if err := s.buf.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", s.p, err)
	}
	return nil
}

// partnerRecord is a record written by parquet-go.
type partnerRecord interface {
	record
	value() any // a pointer to the tagged row struct
}

func (o *otherLandlordRec) value() any { return &o.row }
func (d *deceasedRec) value() any      { return &d.row }
func (u *utilityRec) value() any       { return &u.row }
func (ct *councilTaxRec) value() any   { return &ct.row }

// Columns of the truth files.
const (
	truthCaseID    = "case_id"
	truthKind      = "kind"
	truthLeftDS    = "left_dataset"
	truthLeftID    = "left_record_id"
	truthRightDS   = "right_dataset"
	truthRightID   = "right_record_id"
	peopleDataset  = "dataset"
	peopleRowIndex = "row"
	peopleRecordID = "record_id"
	peoplePersonID = "person_id"
)

var truthSchema = arrow.NewSchema([]arrow.Field{
	{Name: truthCaseID, Type: arrow.BinaryTypes.String},
	{Name: truthKind, Type: arrow.BinaryTypes.String},
	{Name: truthLeftDS, Type: arrow.BinaryTypes.String},
	{Name: truthLeftID, Type: arrow.BinaryTypes.String},
	{Name: truthRightDS, Type: arrow.BinaryTypes.String},
	{Name: truthRightID, Type: arrow.BinaryTypes.String},
}, nil)

var peopleSchema = arrow.NewSchema([]arrow.Field{
	{Name: peopleDataset, Type: arrow.BinaryTypes.String},
	{Name: peopleRowIndex, Type: arrow.PrimitiveTypes.Int64},
	{Name: peopleRecordID, Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: peoplePersonID, Type: arrow.PrimitiveTypes.Int64},
}, nil)

func truthRecord(mem memory.Allocator, c *chunk) arrow.Record {
	b := array.NewRecordBuilder(mem, truthSchema)
	defer b.Release()
	for _, t := range c.truth {
		for i, v := range []string{t.caseID, t.kind, t.leftDS, t.leftID, t.rightDS, t.rightID} {
			b.Field(i).(*array.StringBuilder).Append(v)
		}
	}
	return b.NewRecord()
}

func peopleRecord(mem memory.Allocator, c *chunk) arrow.Record {
	b := array.NewRecordBuilder(mem, peopleSchema)
	defer b.Release()
	ds := b.Field(0).(*array.StringBuilder)
	row := b.Field(1).(*array.Int64Builder)
	id := b.Field(2).(*array.StringBuilder)
	pid := b.Field(3).(*array.Int64Builder)
	for _, p := range c.people {
		ds.Append(datasetNames[p.ds])
		row.Append(p.row)
		if p.id == "" {
			id.AppendNull()
		} else {
			id.Append(p.id)
		}
		pid.Append(p.pid)
	}
	return b.NewRecord()
}
