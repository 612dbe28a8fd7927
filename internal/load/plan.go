package load

import (
	"fmt"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/person"
)

// plan is a Mapping resolved against one file's schema: which leaf
// columns to read, and how each canonical column is filled from them.
type plan struct {
	leaves []int            // Parquet leaf column indexes to project, in projection order
	names  []string         // source column name of each projected column
	types  []arrow.DataType // Arrow type of each projected column
	// read maps a position in the projection to the index of its column in
	// the records the Arrow reader returns, or -1 for a column read
	// directly (see direct) or not read at all because it is null in every
	// row of the file (see assign).
	read []int
	// direct maps a position in the projection to the index of its column
	// in directs, or -1.
	direct  []int
	decoded []int          // the leaves read through Arrow, in record column order
	directs []directColumn // the columns read straight from their pages
	text    []textPlan
	dates   []datePlan
	balance *moneyPlan
	full    *fullNamePlan
}

type textPlan struct {
	target string
	set    textField
	off    uintptr // offset in person.Record of the field set returns
	cols   []int   // positions in the projection
}

type datePlan struct {
	target string
	set    dateField
	col    int
	format string
}

type moneyPlan struct {
	col    int
	format string
}

type fullNamePlan struct {
	col   int
	order string
}

// resolve checks m against the file's columns and types and returns the
// plan. Errors name the file and the column, never a value.
func resolve(path string, m Mapping, fr *pqarrow.FileReader) (*plan, error) {
	sc, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("file %s: reading schema: %w", path, err)
	}
	top := make(map[string]int) // source column name → top-level field index
	for i, f := range sc.Fields() {
		if _, dup := top[f.Name]; dup {
			top[f.Name] = -1
			continue
		}
		top[f.Name] = i
	}

	fields := m.Fields
	if len(fields) == 0 && m.FullName == nil {
		fields = make(map[string]FieldMap)
		for _, c := range person.Columns {
			if _, ok := top[c.Name]; ok {
				fields[c.Name] = FieldMap{From: []string{c.Name}}
			}
		}
	}
	if _, ok := fields[person.ColRecordID]; !ok {
		return nil, fmt.Errorf("file %s: column %s: required but not mapped or not present", path, person.ColRecordID)
	}

	p := &plan{}
	proj := make(map[int]int) // top-level field index → position in the projection
	use := func(name, target string) (int, arrow.DataType, error) {
		i, ok := top[name]
		switch {
		case !ok:
			return 0, nil, fmt.Errorf("file %s: column %s (mapped to %s): not in the file", path, name, target)
		case i < 0:
			return 0, nil, fmt.Errorf("file %s: column %s (mapped to %s): the name is ambiguous, the file has it twice", path, name, target)
		}
		sf := fr.Manifest.Fields[i]
		if !sf.IsLeaf() {
			return 0, nil, fmt.Errorf("file %s: column %s (mapped to %s): nested type %s cannot be mapped", path, name, target, sf.Field.Type)
		}
		if pos, ok := proj[i]; ok {
			return pos, sf.Field.Type, nil
		}
		pos := len(p.leaves)
		proj[i] = pos
		p.leaves = append(p.leaves, sf.ColIndex)
		p.names = append(p.names, name)
		p.types = append(p.types, sf.Field.Type)
		p.read = append(p.read, pos)
		p.direct = append(p.direct, -1)
		return pos, sf.Field.Type, nil
	}

	// Resolve canonical columns in schema order, for stable projections
	// and errors.
	targets := make([]string, 0, len(fields))
	for name := range fields {
		if _, ok := person.Lookup(name); !ok {
			return nil, fmt.Errorf("file %s: mapping: %q is not a canonical column", path, name)
		}
		targets = append(targets, name)
	}
	sort.Slice(targets, func(i, j int) bool { return columnOrder(targets[i]) < columnOrder(targets[j]) })

	if m.FullName != nil {
		for _, t := range []string{person.ColForename, person.ColMiddleNames, person.ColSurname} {
			if _, ok := fields[t]; ok {
				return nil, fmt.Errorf("file %s: mapping: %s is mapped both as a field and from the full name", path, t)
			}
		}
		if m.FullName.Order != "" && m.FullName.Order != ForenameFirst && m.FullName.Order != SurnameFirst {
			return nil, fmt.Errorf("file %s: mapping: full name order %q is not %s or %s", path, m.FullName.Order, ForenameFirst, SurnameFirst)
		}
		pos, dt, err := use(m.FullName.From, "full name")
		if err != nil {
			return nil, err
		}
		if !textReadable(dt) {
			return nil, fmt.Errorf("file %s: column %s (mapped to full name): type %s cannot be read as text", path, m.FullName.From, dt)
		}
		p.full = &fullNamePlan{col: pos, order: m.FullName.Order}
	}

	for _, target := range targets {
		fm := fields[target]
		col, _ := person.Lookup(target)
		if len(fm.From) == 0 {
			return nil, fmt.Errorf("file %s: mapping: %s has no source column", path, target)
		}
		if col.Kind != person.String && len(fm.From) > 1 {
			return nil, fmt.Errorf("file %s: mapping: %s is a %s column and takes one source column, not %d", path, target, kindName(col.Kind), len(fm.From))
		}
		switch col.Kind {
		case person.String:
			if fm.Format != "" {
				return nil, fmt.Errorf("file %s: mapping: %s is a text column and takes no format", path, target)
			}
			tp := textPlan{target: target, set: textFields[target], off: fieldOffset(textFields[target])}
			for _, from := range fm.From {
				pos, dt, err := use(from, target)
				if err != nil {
					return nil, err
				}
				if !textReadable(dt) {
					return nil, fmt.Errorf("file %s: column %s (mapped to %s): type %s cannot be read as text", path, from, target, dt)
				}
				tp.cols = append(tp.cols, pos)
			}
			p.text = append(p.text, tp)
		case person.Date:
			pos, dt, err := use(fm.From[0], target)
			if err != nil {
				return nil, err
			}
			if err := dateReadable(dt, fm.Format); err != nil {
				return nil, fmt.Errorf("file %s: column %s (mapped to %s): %w", path, fm.From[0], target, err)
			}
			p.dates = append(p.dates, datePlan{target: target, set: dateFields[target], col: pos, format: fm.Format})
		case person.Money:
			pos, dt, err := use(fm.From[0], target)
			if err != nil {
				return nil, err
			}
			if err := moneyReadable(dt, fm.Format); err != nil {
				return nil, fmt.Errorf("file %s: column %s (mapped to %s): %w", path, fm.From[0], target, err)
			}
			p.balance = &moneyPlan{col: pos, format: fm.Format}
		}
	}
	p.decoded = append([]int(nil), p.leaves...)
	return p, nil
}

// directReads lets assign read columns directly; tests turn it off to
// compare with reading every column through Arrow.
var directReads = true

// assign decides how each projected column is read. A column that the
// footer's statistics show to be null in every row of every row group is
// not read at all: it is read as all nulls. The first projected column
// (record_id, or the full name) is always read, and a column is read
// whenever a row group has no null count for it. A column that directFor
// accepts is read straight from its pages; any other through Arrow.
func (p *plan) assign(pf *file.Reader) {
	md := pf.MetaData()
	p.decoded = p.decoded[:0]
	p.directs = p.directs[:0]
	for k, leaf := range p.leaves {
		p.read[k], p.direct[k] = -1, -1
		if k > 0 && allNull(md, leaf) {
			continue
		}
		if c, ok := directFor(leaf, p.names[k], p.types[k], md.Schema.Column(leaf)); ok && directReads {
			p.direct[k] = len(p.directs)
			p.directs = append(p.directs, c)
			continue
		}
		p.read[k] = len(p.decoded)
		p.decoded = append(p.decoded, leaf)
	}
}

// allNull reports whether the footer shows leaf to hold only nulls.
func allNull(md *metadata.FileMetaData, leaf int) bool {
	for rg := range md.RowGroups {
		rgm := md.RowGroup(rg)
		cc, err := rgm.ColumnChunk(leaf)
		if err != nil {
			return false
		}
		st, err := cc.Statistics()
		if err != nil || st == nil || !st.HasNullCount() || st.NullCount() != rgm.NumRows() {
			return false
		}
	}
	return true
}

// readDict marks for reading as dictionary arrays the byte-array columns
// read through Arrow whose data pages are all dictionary-encoded in every row group,
// as the footer's page encoding statistics show. Such a column is then
// decoded to indices into a dictionary read once per page, rather than to
// a copy of every value; a column with a plain-encoded page (a dictionary
// that overflowed) is read as plain values, which costs less than
// re-encoding them.
func (p *plan) readDict(pf *file.Reader, props *pqarrow.ArrowReadProperties) {
	md := pf.MetaData()
	for _, leaf := range p.decoded {
		if md.Schema.Column(leaf).PhysicalType() != parquet.Types.ByteArray {
			continue
		}
		if dictionaryOnly(md, leaf) {
			props.SetReadDict(leaf, true)
		}
	}
}

// Page types of the Parquet format (PageType in parquet.thrift) that hold
// no data values.
const (
	indexPage      = 1
	dictionaryPage = 2
)

// dictionaryOnly reports whether every data page of leaf is dictionary-
// encoded, according to the page encoding statistics of every row group.
func dictionaryOnly(md *metadata.FileMetaData, leaf int) bool {
	for rg := range md.RowGroups {
		cc, err := md.RowGroup(rg).ColumnChunk(leaf)
		if err != nil || !cc.HasDictionaryPage() {
			return false
		}
		stats := cc.EncodingStats()
		if len(stats) == 0 {
			return false
		}
		for _, s := range stats {
			if s.PageType == indexPage || s.PageType == dictionaryPage {
				continue
			}
			if s.Encoding != parquet.Encodings.RLEDict && s.Encoding != parquet.Encodings.PlainDict {
				return false
			}
		}
	}
	return true
}

// lz4Raw is the LZ4_RAW codec of the Parquet format, which the compress
// package has no name for.
const lz4Raw = compress.Compression(7)

func columnOrder(name string) int {
	for i, c := range person.Columns {
		if c.Name == name {
			return i
		}
	}
	return len(person.Columns)
}

func kindName(k person.Kind) string {
	switch k {
	case person.Date:
		return "date"
	case person.Money:
		return "money"
	}
	return "text"
}

// checkChunks verifies, from the footer alone, that every projected column
// chunk lies within the file and uses a codec and encodings this reader
// can decode, so that no row is processed from a file that would fail
// half-way.
func checkChunks(path string, pf *file.Reader, size int64, leaves []int, names []string) error {
	md := pf.MetaData()
	// xitongsys/parquet-go has no Brotli codec and writes Brotli column
	// chunks with empty pages, which read as no rows at all.
	brokenBrotli := md.GetCreatedBy() == "parquet-go version latest"
	for rg := 0; rg < pf.NumRowGroups(); rg++ {
		rgm := md.RowGroup(rg)
		for k, leaf := range leaves {
			cc, err := rgm.ColumnChunk(leaf)
			if err != nil {
				return fmt.Errorf("file %s: column %s: row group %d: %w", path, names[k], rg, err)
			}
			switch codec := cc.Compression(); codec {
			case compress.Codecs.Lz4, lz4Raw:
				return fmt.Errorf("file %s: column %s: LZ4-compressed pages are not supported by this reader; re-write the file with snappy or zstd", path, names[k])
			case compress.Codecs.Brotli:
				if brokenBrotli {
					return fmt.Errorf("file %s: column %s: Brotli pages written by xitongsys/parquet-go are empty (that writer has no Brotli codec); re-write the file with snappy or zstd", path, names[k])
				}
			default:
				if _, err := compress.GetCodec(codec); err != nil {
					return fmt.Errorf("file %s: column %s: %s-compressed pages are not supported by this reader; re-write the file with snappy or zstd", path, names[k], codec)
				}
			}
			for _, enc := range cc.Encodings() {
				switch enc {
				case parquet.Encodings.Plain, parquet.Encodings.PlainDict, parquet.Encodings.RLE,
					parquet.Encodings.RLEDict, parquet.Encodings.BitPacked, parquet.Encodings.DeltaBinaryPacked,
					parquet.Encodings.DeltaLengthByteArray, parquet.Encodings.DeltaByteArray:
				default:
					return fmt.Errorf("file %s: column %s: %s-encoded pages are not supported by this reader; re-write the file with default encodings", path, names[k], enc)
				}
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
				start = cc.DictionaryPageOffset()
			}
			if start < 0 || start+cc.TotalCompressedSize() > size {
				return fmt.Errorf("file %s: column %s: row group %d extends past the end of the file (%d bytes): the file is truncated", path, names[k], rg, size)
			}
		}
	}
	return nil
}
