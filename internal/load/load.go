package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/validate"
)

// DefaultBatchSize is the number of rows in a batch when Options.BatchSize
// is zero: small enough that a batch's records and values stay in the
// processor's caches between decoding, mapping and validation.
const DefaultBatchSize = 8 << 10

// Options tune a Reader. The zero Options are the defaults.
type Options struct {
	// BatchSize is the number of rows decoded, mapped and validated at a
	// time, and the most records a Batch holds. Zero means
	// DefaultBatchSize.
	BatchSize int
	// Parallelism is the number of row groups decoded, and of batches
	// mapped, at once. Zero means runtime.GOMAXPROCS(0). The memory a
	// Stream uses grows with BatchSize × Parallelism (see Reader.Stream).
	Parallelism int
	// Today is the run date against which dates in the future and ages are
	// judged. Zero means date.Today().
	Today date.Date
	// Logger receives one record when a file is opened and one when it has
	// been streamed, with counts only. Nil discards them.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Parallelism <= 0 {
		o.Parallelism = runtime.GOMAXPROCS(0)
	}
	if o.Today.IsZero() {
		o.Today = date.Today()
	}
	if o.Logger == nil {
		o.Logger = slog.New(discard{})
	}
	return o
}

// discard is a slog.Handler that drops every record.
type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }

// Reader reads one source file. Open checks everything that can be checked
// before a row is read; Stream then reads the rows once.
type Reader struct {
	src     Source
	opts    Options
	pf      *file.Reader
	file    io.ReaderAt // what pf reads
	fr      *pqarrow.FileReader
	plan    *plan
	rgFirst []int64 // source row number of each row group's first row
	rgRows  []int64
	used    bool
}

// Batch is a run of accepted records in source order.
//
// A Batch and its slices belong to the Reader and are reused once the
// callback returns: copy out the records to keep (the strings inside them
// may be kept as they are; a kept string may keep alive the decoded page
// of the file it was read from, up to about a megabyte).
type Batch struct {
	Records []person.Record
	Rows    []int64 // 0-based source row number of each record
}

// Quarantined is a row that was set aside. It carries no value from the
// row other than its record_id, and that only when the id is usable.
type Quarantined struct {
	Row      int64              // 0-based source row number
	RecordID string             // empty when missing or not valid UTF-8
	Reason   validate.RowReason // why the row was set aside
	// TenancyRef and TenancyRole are the row's tenancy reference and role
	// as read, so that a detection reasoning about a tenancy's tenants
	// knows that one of them could not be read. They are not written to
	// the quarantine file.
	TenancyRef, TenancyRole string
}

// Report accounts for every row of one source: RowsIn == Accepted +
// Quarantined, with field problems and quarantine reasons counted as in
// validate.Report. Quarantine lists the quarantined rows in source order,
// for WriteQuarantine; it is not part of the JSON form.
type Report struct {
	Source string // Source.Name
	Path   string // Source.Path
	validate.Report
	Quarantine []Quarantined
}

// MarshalJSON renders the report as the source's name and file followed by
// the fields of validate.Summary.
func (r *Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Source string `json:"source"`
		File   string `json:"file"`
		validate.Summary
	}{r.Source, r.Path, r.Report.Summary()})
}

// Open opens src.Path and checks, before any row is read, that it is a
// Parquet file this reader can decode in full and that src.Mapping fits
// it: every mapped column exists with a type its canonical column can be
// read from, record_id is mapped, every projected column chunk lies within
// the file and uses a supported codec and encoding, and there is at least
// one row. Errors name the file and, where it applies, the column.
func Open(ctx context.Context, src Source, opts Options) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	path := src.Path
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("file %s: not a regular file", path)
	}
	pf, f, err := openParquet(path)
	if err != nil {
		return nil, err
	}
	r, err := newReader(src, opts, pf, f, fi.Size())
	if err != nil {
		pf.Close()
		return nil, err
	}
	opts.Logger.LogAttrs(ctx, slog.LevelInfo, "opened source",
		slog.String("source", src.Name), slog.String("file", path),
		slog.Int64("rows", pf.NumRows()), slog.Int("row_groups", pf.NumRowGroups()),
		slog.Int("columns_read", len(r.plan.decoded)+len(r.plan.directs)))
	return r, nil
}

// openParquet opens the file and parses its footer, turning the library's
// panics on malformed footers into errors. It returns the reader and the
// file it reads, which closing the reader closes.
func openParquet(path string) (pf *file.Reader, f *os.File, err error) {
	f, err = os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("file %s: %w", path, err)
	}
	defer func() {
		if p := recover(); p != nil {
			pf, err = nil, fmt.Errorf("file %s: not a readable Parquet file (corrupt footer)", path)
		}
		if err != nil {
			f.Close()
		}
	}()
	pf, err = file.NewParquetReader(f, file.WithReadProps(readerProps()))
	if err != nil {
		return nil, nil, fmt.Errorf("file %s: not a readable Parquet file (not Parquet, or truncated): %w", path, err)
	}
	return pf, f, nil
}

func newReader(src Source, opts Options, pf *file.Reader, f io.ReaderAt, size int64) (*Reader, error) {
	path := src.Path
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(opts.BatchSize)}, arrowMemory)
	if err != nil {
		return nil, fmt.Errorf("file %s: reading Parquet schema: %w", path, err)
	}
	p, err := resolve(path, src.Mapping, fr)
	if err != nil {
		return nil, err
	}
	if err := checkChunks(path, pf, size, p.leaves, p.names); err != nil {
		return nil, err
	}
	if pf.NumRows() == 0 {
		return nil, fmt.Errorf("file %s: has no rows", path)
	}
	p.assign(pf)
	p.readDict(pf, &fr.Props)
	r := &Reader{src: src, opts: opts, pf: pf, file: f, fr: fr, plan: p}
	var first int64
	for i := 0; i < pf.NumRowGroups(); i++ {
		n := pf.MetaData().RowGroup(i).NumRows()
		r.rgFirst = append(r.rgFirst, first)
		r.rgRows = append(r.rgRows, n)
		first += n
	}
	if first != pf.NumRows() {
		return nil, fmt.Errorf("file %s: row groups hold %d rows but the footer says %d", path, first, pf.NumRows())
	}
	// The Parquet reader can decode a batch's columns on goroutines of its
	// own, but a panic there on corrupt data could not be recovered: decode
	// on Stream's goroutines only, which overlap decoding with mapping.
	fr.Props.Parallel = false
	return r, nil
}

// NumRows returns the number of rows in the file, from its footer.
func (r *Reader) NumRows() int64 { return r.pf.NumRows() }

// Close releases the file.
func (r *Reader) Close() error {
	if r.pf == nil {
		return nil
	}
	err := r.pf.Close()
	r.pf = nil
	if err != nil {
		return fmt.Errorf("file %s: close: %w", r.src.Path, err)
	}
	return nil
}

// readerProps are the Parquet reader's properties: column chunks are read
// through a buffer of readBuffer bytes rather than whole, which the reader
// would do by allocating the chunk twice over.
func readerProps() *parquet.ReaderProperties {
	props := parquet.NewReaderProperties(arrowMemory)
	props.BufferedStreamEnabled = true
	props.BufferSize = readBuffer
	return props
}

// readBuffer is the size of the buffer each column chunk is read through.
const readBuffer = 256 << 10

// arrowMemory is the allocator of every buffer the Parquet and Arrow
// readers make.
var arrowMemory memory.Allocator = memory.DefaultAllocator

var errUsed = errors.New("load: Stream called twice or after Close")

// ReadAll reads every accepted record of src into memory. It suits tests
// and small files; the pipeline streams.
func ReadAll(ctx context.Context, src Source, opts Options) ([]person.Record, *Report, error) {
	r, err := Open(ctx, src, opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	recs := make([]person.Record, 0, r.NumRows())
	rep, err := r.Stream(ctx, func(b *Batch) error {
		recs = append(recs, b.Records...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return recs, rep, r.Close()
}
