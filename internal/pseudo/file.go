package pseudo

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

// Format identification in a file's key-value metadata. FORMAT.md
// describes the format.
const (
	formatName    = "datamatch-pseudonymised-records"
	formatVersion = 6

	metaFormat      = "datamatch.format"
	metaVersion     = "datamatch.format_version"
	metaKeyID       = "datamatch.key_id"
	metaDataset     = "datamatch.dataset"
	metaRole        = "datamatch.role"
	metaScheme      = "datamatch.scheme"
	metaQGram       = "datamatch.qgram"
	metaNameBits    = "datamatch.name_bits"
	metaNameK       = "datamatch.name_k"
	metaAddressBits = "datamatch.address_bits"
	metaAddressK    = "datamatch.address_k"
)

// rowGroupRows is the number of rows per row group. It keeps a token
// column's dictionary (8 bytes per distinct value) under the 1 MiB page
// limit, so that no column falls back from dictionary encoding mid-way.
const rowGroupRows = 64 * 1024

// FileMeta describes an encoded file: who made it, from what, and how.
type FileMeta struct {
	KeyID   string      // ID of the exercise key the records were encoded under
	Dataset string      // the dataset's name in the exercise
	Role    person.Role // what the dataset is
	Params  Params      // the encoding parameters
}

func (m FileMeta) check() error {
	if !strings.HasPrefix(m.KeyID, "dmk1-") {
		return errors.New("no exercise key ID")
	}
	if m.Dataset == "" {
		return errors.New("no dataset name")
	}
	if !m.Role.Valid() {
		return fmt.Errorf("unknown dataset role %q", string(m.Role))
	}
	return nil
}

func (m FileMeta) keyValues() (keys, values []string) {
	p := m.Params
	kv := [][2]string{
		{metaFormat, formatName},
		{metaVersion, strconv.Itoa(formatVersion)},
		{metaKeyID, m.KeyID},
		{metaDataset, m.Dataset},
		{metaRole, string(m.Role)},
		{metaScheme, p.Scheme},
		{metaQGram, strconv.Itoa(p.QGram)},
		{metaNameBits, strconv.Itoa(p.NameBits)},
		{metaNameK, strconv.Itoa(p.NameK)},
		{metaAddressBits, strconv.Itoa(p.AddressBits)},
		{metaAddressK, strconv.Itoa(p.AddressK)},
	}
	for _, e := range kv {
		keys = append(keys, e[0])
		values = append(values, e[1])
	}
	return keys, values
}

// column kinds of the format.
type colKind uint8

const (
	kindString colKind = iota
	kindToken
	kindNameFilter
	kindAddressFilter
	kindDate
	kindMoney
	kindEdits
	kindFlag
	kindGender
)

// column is one column of the format and where its value lives in a Record.
type column struct {
	name     string
	kind     colKind
	nullable bool
	dict     bool // dictionary encoding: for columns whose values repeat
	str      func(*Record) *string
	tok      func(*Record) *Token
	date     func(*Record) *date.Date
	edits    func(*Record) *Edits
	flag     func(*Record) *bool
}

func tokenCol(name string, get func(*Record) *Token) column {
	return column{name: name, kind: kindToken, nullable: true, dict: true, tok: get}
}

// uniqueTokenCol is a token column whose values rarely repeat.
func uniqueTokenCol(name string, get func(*Record) *Token) column {
	c := tokenCol(name, get)
	c.dict = false
	return c
}

// columns lists the format's columns in file order. FORMAT.md documents
// them; a change here is a change of format version.
var columns = []column{
	{name: "record_id", kind: kindString, str: func(r *Record) *string { return &r.RecordID }},
	tokenCol("forename", func(r *Record) *Token { return &r.Forename }),
	tokenCol("middle_names", func(r *Record) *Token { return &r.MiddleNames }),
	tokenCol("surname", func(r *Record) *Token { return &r.Surname }),
	tokenCol("forename_phonetic", func(r *Record) *Token { return &r.ForenamePhonetic }),
	tokenCol("forename_phonetic_alt", func(r *Record) *Token { return &r.ForenamePhonAlt }),
	tokenCol("surname_phonetic", func(r *Record) *Token { return &r.SurnamePhonetic }),
	tokenCol("surname_phonetic_alt", func(r *Record) *Token { return &r.SurnamePhonAlt }),
	tokenCol("forename_group", func(r *Record) *Token { return &r.ForenameGroup }),
	tokenCol("forename_initial", func(r *Record) *Token { return &r.ForenameInitial }),
	{name: "forename_is_initial", kind: kindFlag, flag: func(r *Record) *bool { return &r.ForenameIsInitial }},
	tokenCol("middle_surname", func(r *Record) *Token { return &r.MiddleSurname }),
	tokenCol("surname_part_0", func(r *Record) *Token { return &r.SurnameParts[0] }),
	tokenCol("surname_part_1", func(r *Record) *Token { return &r.SurnameParts[1] }),
	tokenCol("dob", func(r *Record) *Token { return &r.DOB }),
	tokenCol("dob_year", func(r *Record) *Token { return &r.DOBYear }),
	tokenCol("dob_month_day", func(r *Record) *Token { return &r.DOBMonthDay }),
	tokenCol("dob_swapped", func(r *Record) *Token { return &r.DOBSwapped }),
	tokenCol("dob_year_month", func(r *Record) *Token { return &r.DOBYearMonth }),
	tokenCol("dob_year_day", func(r *Record) *Token { return &r.DOBYearDay }),
	tokenCol("dob_month_0", func(r *Record) *Token { return &r.DOBMonth[0] }),
	tokenCol("dob_month_1", func(r *Record) *Token { return &r.DOBMonth[1] }),
	tokenCol("dob_within_year_0", func(r *Record) *Token { return &r.DOBWithinYear[0] }),
	tokenCol("dob_within_year_1", func(r *Record) *Token { return &r.DOBWithinYear[1] }),
	uniqueTokenCol("ni_number", func(r *Record) *Token { return &r.NINumber }),
	uniqueTokenCol("passport_number", func(r *Record) *Token { return &r.Passport }),
	{name: "gender", kind: kindGender, nullable: true, dict: true},
	tokenCol("postcode", func(r *Record) *Token { return &r.Postcode }),
	tokenCol("postcode_outward", func(r *Record) *Token { return &r.PostcodeOutward }),
	tokenCol("postcode_sector", func(r *Record) *Token { return &r.PostcodeSector }),
	tokenCol("house_number", func(r *Record) *Token { return &r.HouseNumber }),
	uniqueTokenCol("uprn", func(r *Record) *Token { return &r.UPRN }),
	uniqueTokenCol("phone", func(r *Record) *Token { return &r.Phone }),
	uniqueTokenCol("email", func(r *Record) *Token { return &r.Email }),
	{name: "forename_bf", kind: kindNameFilter, nullable: true},
	{name: "surname_bf", kind: kindNameFilter, nullable: true},
	{name: "address_bf", kind: kindAddressFilter, nullable: true},
	{name: "forename_edits", kind: kindEdits, nullable: true, edits: func(r *Record) *Edits { return &r.ForenameEdits }},
	{name: "surname_edits", kind: kindEdits, nullable: true, edits: func(r *Record) *Edits { return &r.SurnameEdits }},
	{name: "ni_edits", kind: kindEdits, nullable: true, edits: func(r *Record) *Edits { return &r.NIEdits }},
	{name: "tenancy_ref", kind: kindString, nullable: true, str: func(r *Record) *string { return &r.TenancyRef }},
	{name: "tenancy_role", kind: kindString, nullable: true, dict: true, str: func(r *Record) *string { return &r.TenancyRole }},
	{name: "tenancy_start", kind: kindDate, nullable: true, dict: true, date: func(r *Record) *date.Date { return &r.TenancyStart }},
	{name: "tenancy_end", kind: kindDate, nullable: true, dict: true, date: func(r *Record) *date.Date { return &r.TenancyEnd }},
	{name: "date_of_death", kind: kindDate, nullable: true, dict: true, date: func(r *Record) *date.Date { return &r.DateOfDeath }},
	{name: "balance", kind: kindMoney},
}

func (c column) arrowType() arrow.DataType {
	switch c.kind {
	case kindToken:
		return arrow.PrimitiveTypes.Uint64
	case kindNameFilter:
		return &arrow.FixedSizeBinaryType{ByteWidth: NameBits / 8}
	case kindAddressFilter:
		return &arrow.FixedSizeBinaryType{ByteWidth: AddressBits / 8}
	case kindDate:
		return arrow.FixedWidthTypes.Date32
	case kindMoney:
		return arrow.PrimitiveTypes.Int64
	case kindEdits:
		return &arrow.FixedSizeBinaryType{ByteWidth: editsBytes}
	case kindFlag:
		return arrow.FixedWidthTypes.Boolean
	case kindGender:
		return arrow.PrimitiveTypes.Uint8
	}
	return arrow.BinaryTypes.String
}

// filterOf returns the filter words and bit count of a filter column.
func filterOf(r *Record, name string) ([]uint64, *uint16) {
	switch name {
	case "forename_bf":
		return r.ForenameBF[:], &r.ForenameCount
	case "surname_bf":
		return r.SurnameBF[:], &r.SurnameCount
	}
	return r.AddressBF[:], &r.AddressCount
}

func schema(m FileMeta) *arrow.Schema {
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = arrow.Field{Name: c.name, Type: c.arrowType(), Nullable: c.nullable}
	}
	keys, values := m.keyValues()
	md := arrow.NewMetadata(keys, values)
	return arrow.NewSchema(fields, &md)
}

// Writer writes an encoded file. Records are written as they come, a row
// group at a time; the file appears at its path, complete, only when Close
// succeeds.
type Writer struct {
	path string
	f    *atomicfile.File
	fw   *pqarrow.FileWriter
	b    *array.RecordBuilder
	rows int
	buf  []byte
	// groupRows is the number of rows per row group: rowGroupRows, and
	// less in tests.
	groupRows int
	done      bool
}

// Create starts an encoded file at path for records described by meta,
// which must name the key, the dataset and a valid role; meta.Params must
// be this version's (CurrentParams). The file has mode 0600: it is not
// clear data, but it is personal data for whoever holds the key.
func Create(path string, meta FileMeta) (*Writer, error) {
	if err := meta.check(); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if meta.Params != CurrentParams() {
		return nil, fmt.Errorf("write %s: parameters %v are not this version's (%v)", path, meta.Params, CurrentParams())
	}
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(rowGroupRows),
		parquet.WithDictionaryDefault(false),
		parquet.WithCreatedBy("datamatch"),
	}
	for _, c := range columns {
		if c.dict {
			opts = append(opts, parquet.WithDictionaryFor(c.name, true))
		}
	}
	sc := schema(meta)
	// The Parquet writer closes its sink; hide Close so that Commit can
	// sync and rename the file afterwards.
	fw, err := pqarrow.NewFileWriter(sc, struct{ io.Writer }{f}, parquet.NewWriterProperties(opts...), pqarrow.DefaultWriterProps())
	if err != nil {
		f.Abort()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &Writer{path: path, f: f, fw: fw, b: array.NewRecordBuilder(memory.DefaultAllocator, sc), groupRows: rowGroupRows}, nil
}

// Write appends recs to the file.
func (w *Writer) Write(recs []Record) error {
	if w.done {
		return fmt.Errorf("write %s: writer already closed", w.path)
	}
	for i := range recs {
		w.append(&recs[i])
		w.rows++
		if w.rows == w.groupRows {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Writer) append(r *Record) {
	for i, c := range columns {
		fb := w.b.Field(i)
		switch c.kind {
		case kindString:
			s := *c.str(r)
			if c.nullable && s == "" {
				fb.AppendNull()
			} else {
				fb.(*array.StringBuilder).Append(s)
			}
		case kindToken:
			if t := *c.tok(r); t == 0 {
				fb.AppendNull()
			} else {
				fb.(*array.Uint64Builder).Append(uint64(t))
			}
		case kindNameFilter, kindAddressFilter:
			words, count := filterOf(r, c.name)
			if *count == 0 {
				fb.AppendNull()
				continue
			}
			w.buf = w.buf[:0]
			for _, x := range words {
				w.buf = binary.LittleEndian.AppendUint64(w.buf, x)
			}
			fb.(*array.FixedSizeBinaryBuilder).Append(w.buf)
		case kindDate:
			if d := *c.date(r); d.IsZero() {
				fb.AppendNull()
			} else {
				fb.(*array.Date32Builder).Append(arrow.Date32(d.Days()))
			}
		case kindMoney:
			fb.(*array.Int64Builder).Append(int64(r.Balance))
		case kindEdits:
			e := c.edits(r)
			n := e.Len()
			if n == 0 {
				fb.AppendNull()
				continue
			}
			w.buf = w.buf[:0]
			for _, v := range e {
				w.buf = binary.LittleEndian.AppendUint32(w.buf, v)
			}
			fb.(*array.FixedSizeBinaryBuilder).Append(w.buf)
		case kindFlag:
			fb.(*array.BooleanBuilder).Append(*c.flag(r))
		case kindGender:
			if r.Gender == 0 {
				fb.AppendNull()
			} else {
				fb.(*array.Uint8Builder).Append(uint8(r.Gender))
			}
		}
	}
}

func (w *Writer) flush() error {
	if w.rows == 0 {
		return nil
	}
	rec := w.b.NewRecord()
	defer rec.Release()
	w.rows = 0
	if err := w.fw.Write(rec); err != nil {
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return nil
}

// Close writes the last row group and the footer and publishes the file.
// After a failed Close nothing is left at the path.
func (w *Writer) Close() error {
	if w.done {
		return fmt.Errorf("write %s: writer already closed", w.path)
	}
	w.done = true
	defer w.b.Release()
	if err := w.flush(); err != nil {
		w.fw.Close()
		w.f.Abort()
		return err
	}
	if err := w.fw.Close(); err != nil {
		w.f.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return w.f.Commit()
}

// Abort discards the file being written. It does nothing after Close, so
// `defer w.Abort()` is the usual pattern.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.b.Release()
	w.fw.Close()
	w.f.Abort()
}

// WriteFile writes recs to a new encoded file at path, atomically. See
// Create.
func WriteFile(path string, meta FileMeta, recs []Record) error {
	w, err := Create(path, meta)
	if err != nil {
		return err
	}
	if err := w.Write(recs); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

// Reader reads an encoded file.
type Reader struct {
	path string
	pf   *file.Reader
	fr   *pqarrow.FileReader
	meta FileMeta
	idx  []int // idx[i] is the index in the file's schema of columns[i]
}

// Open opens the encoded file at path and checks its metadata and schema.
// It refuses files of another format or version and files encoded with
// parameters other than this version's. It does not check the key: compare
// Meta().KeyID with the exercise key's ID (Encoder.Compatible does).
func Open(path string) (*Reader, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r := &Reader{path: path, pf: pf}
	if err := r.init(); err != nil {
		pf.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return r, nil
}

func (r *Reader) init() error {
	kv := r.pf.MetaData().KeyValueMetadata()
	get := func(k string) string {
		if v := kv.FindValue(k); v != nil {
			return *v
		}
		return ""
	}
	if get(metaFormat) != formatName {
		return errors.New("not a datamatch pseudonymised-records file")
	}
	if v := get(metaVersion); v != strconv.Itoa(formatVersion) {
		return fmt.Errorf("format version %q is not supported (want %d)", v, formatVersion)
	}
	atoi := func(k string) int {
		n, err := strconv.Atoi(get(k))
		if err != nil {
			return -1
		}
		return n
	}
	r.meta = FileMeta{
		KeyID:   get(metaKeyID),
		Dataset: get(metaDataset),
		Role:    person.Role(get(metaRole)),
		Params: Params{
			Scheme:      get(metaScheme),
			QGram:       atoi(metaQGram),
			NameBits:    atoi(metaNameBits),
			NameK:       atoi(metaNameK),
			AddressBits: atoi(metaAddressBits),
			AddressK:    atoi(metaAddressK),
		},
	}
	if err := r.meta.check(); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	if r.meta.Params != CurrentParams() {
		return fmt.Errorf("encoded with parameters %v; this version reads %v", r.meta.Params, CurrentParams())
	}
	fr, err := pqarrow.NewFileReader(r.pf, pqarrow.ArrowReadProperties{BatchSize: rowGroupRows}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	sc, err := fr.Schema()
	if err != nil {
		return err
	}
	r.idx = make([]int, len(columns))
	for i, c := range columns {
		j := sc.FieldIndices(c.name)
		if len(j) != 1 {
			return fmt.Errorf("column %s: missing", c.name)
		}
		if t := sc.Field(j[0]).Type; !arrow.TypeEqual(t, c.arrowType()) {
			return fmt.Errorf("column %s: type %s, want %s", c.name, t, c.arrowType())
		}
		r.idx[i] = j[0]
	}
	r.fr = fr
	return nil
}

// Meta returns the file's metadata.
func (r *Reader) Meta() FileMeta { return r.meta }

// NumRows returns the number of records in the file.
func (r *Reader) NumRows() int64 { return r.pf.NumRows() }

// Read calls fn with the file's records in order, a batch at a time. The
// slice passed to fn is reused for the next batch: fn must copy what it
// keeps. Read stops at the first error from fn or from the file.
func (r *Reader) Read(ctx context.Context, fn func([]Record) error) error {
	rr, err := r.fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.path, err)
	}
	defer rr.Release()
	var batch []Record
	for rr.Next() {
		rec := rr.Record()
		n := int(rec.NumRows())
		if cap(batch) < n {
			batch = make([]Record, n)
		}
		batch = batch[:n]
		clear(batch)
		if err := r.decode(rec, batch); err != nil {
			return fmt.Errorf("read %s: %w", r.path, err)
		}
		if err := fn(batch); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", r.path, err)
	}
	return nil
}

func (r *Reader) decode(rec arrow.Record, out []Record) error {
	for i, c := range columns {
		col := rec.Column(r.idx[i])
		switch c.kind {
		case kindString:
			a := col.(*array.String)
			for j := range out {
				if a.IsValid(j) {
					*c.str(&out[j]) = strings.Clone(a.Value(j))
				} else if !c.nullable {
					return fmt.Errorf("column %s: null in row %d", c.name, j)
				}
			}
		case kindToken:
			a := col.(*array.Uint64)
			for j := range out {
				if a.IsValid(j) {
					*c.tok(&out[j]) = Token(a.Value(j))
				}
			}
		case kindNameFilter, kindAddressFilter:
			a := col.(*array.FixedSizeBinary)
			for j := range out {
				if !a.IsValid(j) {
					continue
				}
				words, count := filterOf(&out[j], c.name)
				v := a.Value(j)
				for w := range words {
					words[w] = binary.LittleEndian.Uint64(v[8*w:])
				}
				*count = popcount(words)
			}
		case kindDate:
			a := col.(*array.Date32)
			for j := range out {
				if a.IsValid(j) {
					*c.date(&out[j]) = date.FromDays(int32(a.Value(j)))
				}
			}
		case kindMoney:
			a := col.(*array.Int64)
			for j := range out {
				if a.IsValid(j) {
					out[j].Balance = money.Pence(a.Value(j))
				}
			}
		case kindEdits:
			a := col.(*array.FixedSizeBinary)
			for j := range out {
				if !a.IsValid(j) {
					continue
				}
				e := c.edits(&out[j])
				v := a.Value(j)
				for k := range e {
					e[k] = binary.LittleEndian.Uint32(v[4*k:])
				}
				if !validEdits(e) {
					return fmt.Errorf("column %s: row %d is not a sorted set of values", c.name, j)
				}
			}
		case kindFlag:
			a := col.(*array.Boolean)
			for j := range out {
				if a.IsValid(j) {
					*c.flag(&out[j]) = a.Value(j)
				} else {
					return fmt.Errorf("column %s: null in row %d", c.name, j)
				}
			}
		case kindGender:
			a := col.(*array.Uint8)
			for j := range out {
				if !a.IsValid(j) {
					continue
				}
				if v := a.Value(j); v >= 1 && v <= 3 {
					out[j].Gender = GenderCode(v)
				} else {
					return fmt.Errorf("column %s: row %d holds %d, not a gender code", c.name, j, v)
				}
			}
		}
	}
	return nil
}

// Close closes the file.
func (r *Reader) Close() error { return r.pf.Close() }

// ReadFile reads a whole encoded file. See Open.
func ReadFile(path string) (FileMeta, []Record, error) {
	r, err := Open(path)
	if err != nil {
		return FileMeta{}, nil, err
	}
	defer r.Close()
	recs := make([]Record, 0, r.NumRows())
	err = r.Read(context.Background(), func(b []Record) error {
		recs = append(recs, b...)
		return nil
	})
	if err != nil {
		return FileMeta{}, nil, err
	}
	return r.meta, recs, nil
}
