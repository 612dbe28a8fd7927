package load

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/schema"
)

// This file reads the commonest columns straight from their Parquet pages
// with the Parquet library's column chunk readers, rather than through the
// Arrow record reader: top-level text, INT32 and INT64 columns. The Arrow
// reader copies every text value into an array builder, and turns
// dictionary-encoded pages back into plain values, which together cost
// more than mapping and validating the rows; a column chunk reader hands
// out each value where it lies in the decompressed page.
//
// Every other column (timestamps, decimals, floats, INT96, ...) is read
// through Arrow, in the same batches, so that each batch of records is
// filled from both.

// directKind is how a column read directly holds its values.
type directKind uint8

const (
	directText  directKind = iota // BYTE_ARRAY read as text
	directInt32                   // INT32: a 32-bit integer or a DATE
	directInt64                   // INT64: a 64-bit integer
)

// directColumn is a projected column read directly.
type directColumn struct {
	leaf   int            // Parquet leaf column index
	name   string         // source column name, for errors
	kind   directKind     // how its values are held
	dt     arrow.DataType // the Arrow type the column has in the file's schema
	maxDef int16          // 0 for a required column, 1 for an optional one
}

// directFor reports whether a projected column can be read directly, and
// how. It can when it is a top-level column that is not repeated, with a
// physical type and an Arrow type that mean the same values either way:
// BYTE_ARRAY as text or binary (plain or dictionary), INT32 as int32 or
// date32, INT64 as int64.
func directFor(leaf int, name string, dt arrow.DataType, descr *schema.Column) (directColumn, bool) {
	c := directColumn{leaf: leaf, name: name, dt: dt, maxDef: descr.MaxDefinitionLevel()}
	if descr.MaxRepetitionLevel() != 0 || c.maxDef > 1 {
		return c, false
	}
	id := dt.ID()
	switch descr.PhysicalType() {
	case parquet.Types.ByteArray:
		c.kind = directText
		return c, isText(valueType(dt).ID())
	case parquet.Types.Int32:
		c.kind = directInt32
		return c, id == arrow.INT32 || id == arrow.DATE32
	case parquet.Types.Int64:
		c.kind = directInt64
		return c, id == arrow.INT64
	}
	return c, false
}

// directChunk is the number of values a column chunk reader decodes at a
// time into a reader's scratch buffers.
const directChunk = 4 << 10

// directBatch is one batch of the columns read directly, row by row.
type directBatch struct {
	cols []directValues // indexed like plan.directs
}

// directValues is one batch of one column read directly.
type directValues struct {
	strs  []string // directText: each row's value, "" when null
	i32   []int32  // directInt32: each row's value, 0 when null
	i64   []int64  // directInt64: each row's value, 0 when null
	valid []byte   // integer kinds: validity bitmap, a set bit per non-null row
	nulls int      // integer kinds: number of null rows
}

// newDirectBatch returns a batch able to hold n rows of cols.
func newDirectBatch(cols []directColumn, n int) *directBatch {
	b := &directBatch{cols: make([]directValues, len(cols))}
	for k, c := range cols {
		v := &b.cols[k]
		switch c.kind {
		case directText:
			v.strs = make([]string, n)
		case directInt32:
			v.i32 = make([]int32, n)
			v.valid = make([]byte, bitmapLen(n))
		case directInt64:
			v.i64 = make([]int64, n)
			v.valid = make([]byte, bitmapLen(n))
		}
	}
	return b
}

func bitmapLen(n int) int { return (n + 7) / 8 }

// fits reports whether b can hold n rows.
func (b *directBatch) fits(n int) bool {
	for _, v := range b.cols {
		if max(len(v.strs), len(v.i32), len(v.i64)) < n {
			return false
		}
	}
	return true
}

// directReader reads the direct columns of a row group, batch by batch.
// One is reused from row group to row group, keeping its scratch buffers
// and, where it can, each column's page reader, whose buffer for
// compressed pages then need not grow again from nothing.
type directReader struct {
	cols  []directColumnReader
	src   io.ReaderAt // the file
	props *parquet.ReaderProperties
	pool  *sync.Pool // the column chunk readers' scratch buffers
}

// directColumnReader reads one column chunk.
type directColumnReader struct {
	col   *directColumn
	cr    file.ColumnChunkReader
	pages file.PageReader // cr's, kept for the next row group
	defs  []int16
	vals  []parquet.ByteArray
	i32   []int32
	i64   []int64
}

// errLevels reports pages whose definition levels and values disagree.
var errLevels = errors.New("the definition levels and values of a page disagree (corrupt data)")

// newDirectReader returns a reader of cols from the file src, ready to
// open a row group.
func newDirectReader(cols []directColumn, src io.ReaderAt) *directReader {
	d := &directReader{cols: make([]directColumnReader, len(cols)), src: src, props: readerProps()}
	d.pool = &sync.Pool{New: func() any { return memory.NewResizableBuffer(arrowMemory) }}
	for k := range cols {
		c := &cols[k]
		dc := directColumnReader{col: c, defs: make([]int16, directChunk)}
		switch c.kind {
		case directText:
			dc.vals = make([]parquet.ByteArray, directChunk)
		case directInt32:
			dc.i32 = make([]int32, directChunk)
		case directInt64:
			dc.i64 = make([]int64, directChunk)
		}
		d.cols[k] = dc
	}
	return d
}

// open readies d to read row group rg of pf, whose file is d's.
func (d *directReader) open(pf *file.Reader, rg int) error {
	rgr := pf.RowGroup(rg)
	for k := range d.cols {
		c := &d.cols[k]
		pages, err := d.pageReader(pf, rgr, c)
		if err != nil {
			c.pages = nil
			return fmt.Errorf("column %s: %w", c.col.name, err)
		}
		c.pages = pages
		c.cr = file.NewColumnReader(pf.MetaData().Schema.Column(c.col.leaf), pages, arrowMemory, d.pool)
	}
	return nil
}

// pageReader returns a page reader of c's column chunk in rgr: c's page
// reader from the previous row group, reset, or a new one from the
// Parquet library when there is none or when the chunk needs more than a
// reset can give (encryption, or a writer that misreported chunk sizes,
// which the library pads for).
func (d *directReader) pageReader(pf *file.Reader, rgr *file.RowGroupReader, c *directColumnReader) (file.PageReader, error) {
	cc, err := rgr.MetaData().ColumnChunk(c.col.leaf)
	if err != nil {
		return nil, err
	}
	if c.pages == nil || cc.CryptoMetadata() != nil || pf.WriterVersion().LessThan(metadata.Parquet816FixedVersion) {
		return rgr.GetColumnPageReader(c.col.leaf)
	}
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
		start = cc.DictionaryPageOffset()
	}
	stream, err := d.props.GetStream(d.src, start, cc.TotalCompressedSize())
	if err != nil {
		return nil, err
	}
	c.pages.Reset(stream, cc.NumValues(), cc.Compression(), nil)
	if err := c.pages.Err(); err != nil {
		return nil, err
	}
	return c.pages, nil
}

// read reads the next n rows of every column into b. It returns the number
// of rows the shortest column held, which is n unless the row group ends
// early.
func (d *directReader) read(n int, b *directBatch) (int, error) {
	least := n
	for k := range d.cols {
		got, err := d.cols[k].read(n, &b.cols[k])
		if err != nil {
			return 0, fmt.Errorf("column %s: %w", d.cols[k].col.name, err)
		}
		least = min(least, got)
	}
	return least, nil
}

// rest reports the first column with values left to read, once every row
// the footer counts has been read.
func (d *directReader) rest() (string, bool) {
	for _, c := range d.cols {
		if c.cr.HasNext() {
			return c.col.name, true
		}
	}
	return "", false
}

// read reads up to n rows into v and returns how many it read.
func (c *directColumnReader) read(n int, v *directValues) (int, error) {
	if c.col.kind != directText {
		clear(v.valid[:bitmapLen(n)])
		v.nulls = 0
	}
	got := 0
	for got < n {
		want := int64(min(n-got, directChunk))
		var (
			total int64
			nv    int
			err   error
		)
		switch r := c.cr.(type) {
		case *file.ByteArrayColumnChunkReader:
			total, nv, err = r.ReadBatch(want, c.vals, c.defs, nil)
		case *file.Int32ColumnChunkReader:
			total, nv, err = r.ReadBatch(want, c.i32, c.defs, nil)
		case *file.Int64ColumnChunkReader:
			total, nv, err = r.ReadBatch(want, c.i64, c.defs, nil)
		default:
			return got, fmt.Errorf("no direct reader for physical type %s", c.cr.Type())
		}
		if err != nil {
			return got, err
		}
		if total == 0 {
			if err := c.cr.Err(); err != nil {
				return got, err
			}
			break
		}
		if total > want || nv < 0 || int64(nv) > total || (c.col.maxDef == 0 && int64(nv) != total) {
			return got, errLevels
		}
		var ok bool
		switch c.col.kind {
		case directText:
			ok = c.spreadText(v.strs[got:got+int(total)], nv)
		case directInt32:
			ok = spread(c, v.i32[got:got+int(total)], c.i32[:nv], v, got)
		case directInt64:
			ok = spread(c, v.i64[got:got+int(total)], c.i64[:nv], v, got)
		}
		if !ok {
			return got, errLevels
		}
		got += int(total)
	}
	return got, nil
}

// spreadText places nv text values, one per defined row, into out, which
// holds one row per definition level read. It reports false when the
// levels and values disagree.
func (c *directColumnReader) spreadText(out []string, nv int) bool {
	vals := c.vals[:nv]
	if c.col.maxDef == 0 {
		for k, b := range vals {
			out[k] = pageString(b)
		}
		return true
	}
	j := 0
	for k, def := range c.defs[:len(out)] {
		switch {
		case def == 0:
			out[k] = ""
		case def == 1 && j < len(vals):
			out[k] = pageString(vals[j])
			j++
		default:
			return false
		}
	}
	return j == len(vals)
}

// spread places the dense values vals, one per defined row, into out,
// which holds one row per definition level read and starts at row first of
// v, and marks them valid in v.valid (a required column's, which has no
// nulls, is left unused). It reports false when the levels and
// values disagree.
func spread[T int32 | int64](c *directColumnReader, out, vals []T, v *directValues, first int) bool {
	if c.col.maxDef == 0 {
		copy(out, vals) // no nulls: the bitmap goes unused
		return true
	}
	j := 0
	for k, def := range c.defs[:len(out)] {
		switch {
		case def == 0:
			out[k] = 0
			v.nulls++
		case def == 1 && j < len(vals):
			out[k] = vals[j]
			j++
			row := first + k
			v.valid[row>>3] |= 1 << (row & 7)
		default:
			return false
		}
	}
	return j == len(vals)
}

// pageString returns the bytes of b as a string without copying them.
//
// The bytes lie in a page buffer that the Parquet reader allocated with
// arrowMemory for that page alone (or that its codec allocated in its
// place), and that nothing writes once the page is decompressed: a
// dictionary page's buffer serves the whole column chunk, and a
// DELTA_BYTE_ARRAY value that is not a slice of its page is an allocation
// of its own. When the page is released the allocator's Free is called,
// which for the Go allocator does nothing: the buffer is ordinary
// garbage-collected memory, kept alive by every string that points into
// it. The strings are therefore
// immutable and safe to keep for as long as they are referenced, which is
// what person.Record's strings need to be. sharePages makes sure the
// allocator is the Go allocator; with any other, every value is copied.
func pageString(b parquet.ByteArray) string {
	if len(b) == 0 {
		return ""
	}
	if !sharePages {
		return string(b)
	}
	return unsafe.String(&b[0], len(b))
}

// sharePages reports whether strings may point into the Parquet reader's
// page buffers (see pageString): only when those buffers come from the Go
// allocator, whose Free leaves them to the garbage collector.
var sharePages = isGoAllocator(arrowMemory)

func isGoAllocator(a memory.Allocator) bool {
	_, ok := a.(*memory.GoAllocator)
	return ok
}

// textRows is a directText column of one batch as a textSource. A null
// value and an empty one read alike, as "" and false: every reader of text
// treats them alike (a null is blank text, and blank text null).
type textRows []string

func (c textRows) text(i int) (string, bool) { return c[i], c[i] != "" }

// array returns an integer column of one batch of n rows as the Arrow
// array the Arrow reader would have made of it, sharing v's memory.
func (v *directValues) array(c *directColumn, n int) arrow.Array {
	var vals []byte
	switch c.kind {
	case directInt32:
		vals = arrow.Int32Traits.CastToBytes(v.i32[:n])
	case directInt64:
		vals = arrow.Int64Traits.CastToBytes(v.i64[:n])
	default:
		panic("load: array of a text column")
	}
	var valid *memory.Buffer
	if v.nulls > 0 {
		valid = memory.NewBufferBytes(v.valid[:bitmapLen(n)])
	}
	data := array.NewData(c.dt, n, []*memory.Buffer{valid, memory.NewBufferBytes(vals)}, nil, v.nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}
