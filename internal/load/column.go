package load

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/validate"
)

// This file turns the Arrow arrays of one batch into canonical values.
// Every source column is checked once at Open against what its target
// column needs (textReadable, dateReadable, moneyReadable); for each batch
// it is then bound to a small typed reader (bindText, bindDate, bindMoney)
// whose per-row methods do not allocate, except where a value has to be
// formatted (integers read as text).

// textSource yields the text values of one source column in one batch.
type textSource interface {
	// text returns row i's value, and false when it is null.
	text(i int) (string, bool)
}

// dateSource yields the date values of one source column in one batch.
type dateSource interface {
	// date returns row i's value. A null value is the zero Date with no
	// problem; a value that cannot be read is the zero Date with the
	// problem that nulled it.
	date(i int) (date.Date, validate.Problem)
}

// moneySource yields the amounts of one source column in one batch.
type moneySource interface {
	// pence returns row i's amount, 0 for null, and the problem found, if
	// any: RoundedFromFloat and RoundedDecimal keep the amount, the others
	// null it.
	pence(i int) (money.Pence, validate.Problem)
}

// validity reads an Arrow validity bitmap.
type validity struct {
	bits []byte // nil when the array has no nulls
	off  int
	all  bool // every value is null (an array of the Null type)
}

func validityOf(a arrow.Array) validity {
	switch {
	case a.DataType().ID() == arrow.NULL:
		return validity{all: true}
	case a.NullN() == 0:
		return validity{}
	}
	return validity{bits: a.NullBitmapBytes(), off: a.Data().Offset()}
}

func (v validity) null(i int) bool {
	if v.bits == nil {
		return v.all
	}
	j := v.off + i
	return v.bits[j>>3]&(1<<(j&7)) == 0
}

// --- type checks ------------------------------------------------------------

func isInteger(id arrow.Type) bool {
	switch id {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isText(id arrow.Type) bool {
	switch id {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// valueType returns the type of a column's values, looking through a
// dictionary encoding.
func valueType(dt arrow.DataType) arrow.DataType {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		return d.ValueType
	}
	return dt
}

// textReadable reports whether a column of type dt can fill a text column:
// strings, binary and integers can.
func textReadable(dt arrow.DataType) bool {
	id := valueType(dt).ID()
	return id == arrow.NULL || isText(id) || isInteger(id)
}

// dateReadable reports whether a column of type dt can fill a date column
// given the mapping's format, and why not.
func dateReadable(dt arrow.DataType, format string) error {
	id := valueType(dt).ID()
	switch {
	case id == arrow.NULL:
		return nil
	case id == arrow.DATE32 || id == arrow.DATE64:
		return nil
	case id == arrow.TIMESTAMP:
		tz := valueType(dt).(*arrow.TimestampType).TimeZone
		if _, err := location(tz); err != nil {
			return fmt.Errorf("timestamp time zone is not known: %w", err)
		}
		return nil
	case isText(id):
		if format != "" && !date.Layout(format).Valid() {
			return fmt.Errorf("date format %q is not one of %v", format, date.Layouts)
		}
		return nil
	case isInteger(id):
		if format != "" && date.Layout(format) != date.Compact {
			return fmt.Errorf("an integer date can only be read as %s, not %q", date.Compact, format)
		}
		return nil
	}
	return fmt.Errorf("type %s cannot be read as a date", dt)
}

// moneyReadable reports whether a column of type dt can fill a money
// column given the mapping's format, and why not.
func moneyReadable(dt arrow.DataType, format string) error {
	if format != "" && format != formatPounds && format != formatPence {
		return fmt.Errorf("money format %q is not %q or %q", format, formatPounds, formatPence)
	}
	id := valueType(dt).ID()
	switch {
	case id == arrow.NULL, isText(id), isInteger(id), id == arrow.DECIMAL128, id == arrow.DECIMAL256,
		id == arrow.FLOAT32, id == arrow.FLOAT64:
		return nil
	}
	return fmt.Errorf("type %s cannot be read as an amount of money", dt)
}

// Money formats in FieldMap.Format.
const (
	formatPounds = "pounds"
	formatPence  = "pence"
)

// location returns the time zone a timestamp column is tagged with: a
// name from the time zone database or a fixed offset ("+01:00"). An
// untagged timestamp is wall-clock time, read as UTC.
func location(tz string) (*time.Location, error) {
	switch tz {
	case "", "UTC", "utc", "Z", "+00:00", "-00:00", "Etc/UTC", "GMT":
		return time.UTC, nil
	}
	if len(tz) == 6 && (tz[0] == '+' || tz[0] == '-') && tz[3] == ':' {
		h, err1 := strconv.Atoi(tz[1:3])
		m, err2 := strconv.Atoi(tz[4:6])
		if err1 == nil && err2 == nil && h < 24 && m < 60 {
			off := (h*60 + m) * 60
			if tz[0] == '-' {
				off = -off
			}
			return time.FixedZone(tz, off), nil
		}
	}
	return time.LoadLocation(tz)
}

// --- text ------------------------------------------------------------------

// stringColumn reads a string or binary array. The batch's value bytes are
// copied into one Go string, and each value is a substring of it, so
// reading a value allocates nothing.
type stringColumn[O int32 | int64] struct {
	data  string
	offs  []O // len(rows)+1 offsets, from base
	base  O
	valid validity
}

func (c *stringColumn[O]) text(i int) (string, bool) {
	if c.valid.null(i) {
		return "", false
	}
	return c.data[c.offs[i]-c.base : c.offs[i+1]-c.base], true
}

func newStringColumn[O int32 | int64](a arrow.Array, bytes []byte, offs []O) *stringColumn[O] {
	c := &stringColumn[O]{data: string(bytes), offs: offs, valid: validityOf(a)}
	if len(offs) > 0 {
		c.base = offs[0]
	}
	return c
}

// integerColumn reads any integer array as int64.
type integerColumn struct {
	get   func(i int) int64
	u64   []uint64 // set for UINT64 arrays, whose values may not fit get
	valid validity
}

func (c *integerColumn) text(i int) (string, bool) {
	if c.valid.null(i) {
		return "", false
	}
	if c.u64 != nil {
		return strconv.FormatUint(c.u64[i], 10), true
	}
	return strconv.FormatInt(c.get(i), 10), true
}

// fits reports whether row i's value is within int64.
func (c *integerColumn) fits(i int) bool {
	return c.u64 == nil || c.u64[i] <= math.MaxInt64
}

func newIntegerColumn(a arrow.Array) *integerColumn {
	c := &integerColumn{valid: validityOf(a)}
	switch a := a.(type) {
	case *array.Int8:
		v := a.Int8Values()
		c.get = func(i int) int64 { return int64(v[i]) }
	case *array.Int16:
		v := a.Int16Values()
		c.get = func(i int) int64 { return int64(v[i]) }
	case *array.Int32:
		v := a.Int32Values()
		c.get = func(i int) int64 { return int64(v[i]) }
	case *array.Int64:
		v := a.Int64Values()
		c.get = func(i int) int64 { return v[i] }
	case *array.Uint8:
		v := a.Uint8Values()
		c.get = func(i int) int64 { return int64(v[i]) }
	case *array.Uint16:
		v := a.Uint16Values()
		c.get = func(i int) int64 { return int64(v[i]) }
	case *array.Uint32:
		v := a.Uint32Values()
		c.get = func(i int) int64 { return int64(v[i]) }
	case *array.Uint64:
		v := a.Uint64Values()
		c.u64 = v
		c.get = func(i int) int64 { return int64(v[i]) }
	default:
		panic(fmt.Sprintf("load: integer column of type %s", a.DataType()))
	}
	return c
}

// dictColumn reads a dictionary-encoded array through its dictionary.
type dictColumn struct {
	dict  *array.Dictionary
	idx   []int32 // the indices, when they are int32 (as the Parquet reader makes them)
	valid validity
	txt   textSource
	dat   dateSource
	mon   moneySource
}

func (c *dictColumn) index(i int) int {
	if c.idx != nil {
		return int(c.idx[i])
	}
	return c.dict.GetValueIndex(i)
}

func newDictColumn(a *array.Dictionary) *dictColumn {
	c := &dictColumn{dict: a, valid: validityOf(a)}
	if ix, ok := a.Indices().(*array.Int32); ok {
		c.idx = ix.Int32Values()
	}
	return c
}

func (c *dictColumn) text(i int) (string, bool) {
	if c.valid.null(i) {
		return "", false
	}
	return c.txt.text(c.index(i))
}

func (c *dictColumn) date(i int) (date.Date, validate.Problem) {
	if c.valid.null(i) {
		return date.Date{}, 0
	}
	return c.dat.date(c.index(i))
}

func (c *dictColumn) pence(i int) (money.Pence, validate.Problem) {
	if c.valid.null(i) {
		return 0, 0
	}
	return c.mon.pence(c.index(i))
}

// nullColumn is a column of the Null type, or a mapped column whose every
// value is null.
type nullColumn struct{}

func (nullColumn) text(int) (string, bool)                   { return "", false }
func (nullColumn) date(int) (date.Date, validate.Problem)    { return date.Date{}, 0 }
func (nullColumn) pence(int) (money.Pence, validate.Problem) { return 0, 0 }

// bindText binds an array checked by textReadable.
func bindText(a arrow.Array) textSource {
	switch a := a.(type) {
	case nil:
		return nullColumn{}
	case *array.String:
		return newStringColumn(a, a.ValueBytes(), a.ValueOffsets())
	case *array.LargeString:
		return newStringColumn(a, a.ValueBytes(), a.ValueOffsets())
	case *array.Binary:
		return newStringColumn(a, a.ValueBytes(), a.ValueOffsets())
	case *array.LargeBinary:
		return newStringColumn(a, a.ValueBytes(), a.ValueOffsets())
	case *array.Dictionary:
		c := newDictColumn(a)
		c.txt = bindText(a.Dictionary())
		return c
	case *array.Null:
		return nullColumn{}
	}
	return newIntegerColumn(a)
}

// --- dates -----------------------------------------------------------------

// Bounds of the dates a date.Date can print (years 1 to 9999).
var (
	minDays = date.MustOf(1, time.January, 1).Days()
	maxDays = date.MustOf(9999, time.December, 31).Days()
)

// fromDays returns the date days after 1970-01-01, or OutOfRange.
func fromDays(days int64) (date.Date, validate.Problem) {
	if days < int64(minDays) || days > int64(maxDays) {
		return date.Date{}, validate.OutOfRange
	}
	return date.FromDays(int32(days)), 0
}

// floorDiv divides rounding towards minus infinity, so that an instant
// before 1970 falls on the right day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

type date32Column struct {
	v     []arrow.Date32
	valid validity
}

func (c *date32Column) date(i int) (date.Date, validate.Problem) {
	if c.valid.null(i) {
		return date.Date{}, 0
	}
	return fromDays(int64(c.v[i]))
}

type date64Column struct {
	v     []arrow.Date64
	valid validity
}

func (c *date64Column) date(i int) (date.Date, validate.Problem) {
	if c.valid.null(i) {
		return date.Date{}, 0
	}
	return fromDays(floorDiv(int64(c.v[i]), 86_400_000))
}

// timestampColumn reads instants as calendar dates: in the column's time
// zone when it has one, as wall-clock dates when it has none.
type timestampColumn struct {
	v      []arrow.Timestamp
	perDay int64          // units per day
	perSec int64          // units per second
	loc    *time.Location // nil for UTC
	valid  validity
}

func newTimestampColumn(a *array.Timestamp) *timestampColumn {
	t := a.DataType().(*arrow.TimestampType)
	c := &timestampColumn{v: a.TimestampValues(), valid: validityOf(a)}
	switch t.Unit {
	case arrow.Second:
		c.perSec = 1
	case arrow.Millisecond:
		c.perSec = 1_000
	case arrow.Microsecond:
		c.perSec = 1_000_000
	default:
		c.perSec = 1_000_000_000
	}
	c.perDay = 86_400 * c.perSec
	if loc, _ := location(t.TimeZone); loc != time.UTC {
		c.loc = loc
	}
	return c
}

func (c *timestampColumn) date(i int) (date.Date, validate.Problem) {
	if c.valid.null(i) {
		return date.Date{}, 0
	}
	return timestampDate(int64(c.v[i]), c.perSec, c.perDay, c.loc)
}

// timestampDate returns the calendar date of the instant v, counted in
// units of 1/perSec second since 1970-01-01T00:00:00Z, in loc (nil: UTC).
func timestampDate(v, perSec, perDay int64, loc *time.Location) (date.Date, validate.Problem) {
	if loc == nil {
		return fromDays(floorDiv(v, perDay))
	}
	sec := floorDiv(v, perSec)
	nsec := (v - sec*perSec) * (1_000_000_000 / perSec)
	t := time.Unix(sec, nsec).In(loc)
	y, m, d := t.Date()
	if y < 1 || y > 9999 {
		return date.Date{}, validate.OutOfRange
	}
	return date.MustOf(y, m, d), 0
}

// textDateColumn parses dates held as text.
type textDateColumn struct {
	src    textSource
	layout date.Layout
}

func (c *textDateColumn) date(i int) (date.Date, validate.Problem) {
	s, ok := c.src.text(i)
	if !ok {
		return date.Date{}, 0
	}
	return parseDate(c.layout, s)
}

// parseDate reads s in layout; blank text is null.
func parseDate(layout date.Layout, s string) (date.Date, validate.Problem) {
	if isBlank(s) {
		return date.Date{}, 0
	}
	d, err := date.Parse(layout, s)
	if err != nil {
		return date.Date{}, validate.Unparseable
	}
	return d, 0
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return false
		}
	}
	return true
}

// intDateColumn reads dates held as YYYYMMDD integers.
type intDateColumn struct{ ints *integerColumn }

func (c *intDateColumn) date(i int) (date.Date, validate.Problem) {
	if c.ints.valid.null(i) {
		return date.Date{}, 0
	}
	if !c.ints.fits(i) {
		return date.Date{}, validate.Unparseable
	}
	return compactDate(c.ints.get(i))
}

// compactDate reads an integer YYYYMMDD. Zero, a common "no date", is a
// placeholder.
func compactDate(v int64) (date.Date, validate.Problem) {
	if v == 0 {
		return date.Date{}, validate.Placeholder
	}
	if v < 1_01_01 || v > 9999_12_31 {
		return date.Date{}, validate.Unparseable
	}
	d, ok := date.Of(int(v/10000), time.Month(v/100%100), int(v%100))
	if !ok {
		return date.Date{}, validate.Unparseable
	}
	return d, 0
}

// bindDate binds an array checked by dateReadable.
func bindDate(a arrow.Array, format string) dateSource {
	switch a := a.(type) {
	case nil:
		return nullColumn{}
	case *array.Date32:
		return &date32Column{v: a.Date32Values(), valid: validityOf(a)}
	case *array.Date64:
		return &date64Column{v: a.Date64Values(), valid: validityOf(a)}
	case *array.Timestamp:
		return newTimestampColumn(a)
	case *array.Dictionary:
		c := newDictColumn(a)
		c.dat = bindDate(a.Dictionary(), format)
		return c
	case *array.Null:
		return nullColumn{}
	}
	if isText(a.DataType().ID()) {
		return bindTextDate(bindText(a), format)
	}
	return &intDateColumn{ints: newIntegerColumn(a)}
}

// bindTextDate binds text to be read as dates in format (ISO when empty).
func bindTextDate(src textSource, format string) dateSource {
	layout := date.ISO
	if format != "" {
		layout = date.Layout(format)
	}
	return &textDateColumn{src: src, layout: layout}
}

// --- money -----------------------------------------------------------------

// intMoneyColumn reads integer amounts: pence, or whole pounds.
type intMoneyColumn struct {
	ints   *integerColumn
	pounds bool
}

func (c *intMoneyColumn) pence(i int) (money.Pence, validate.Problem) {
	if c.ints.valid.null(i) {
		return 0, 0
	}
	if !c.ints.fits(i) {
		return 0, validate.OutOfRange
	}
	v := c.ints.get(i)
	if c.pounds {
		return scaleToPence(v, 0, 2)
	}
	return money.Pence(v), 0
}

// scaleToPence converts the decimal v×10^-scale to pence. target is 2 when
// the decimal counts pounds and 0 when it counts pence. Digits beyond a
// penny are rounded half away from zero and reported as RoundedDecimal;
// overflow is OutOfRange.
func scaleToPence(v int64, scale, target int32) (money.Pence, validate.Problem) {
	switch {
	case scale == target:
		return money.Pence(v), 0
	case scale < target:
		for k := scale; k < target; k++ {
			if v > math.MaxInt64/10 || v < math.MinInt64/10 {
				return 0, validate.OutOfRange
			}
			v *= 10
		}
		return money.Pence(v), 0
	}
	shift := scale - target
	if v == 0 {
		return 0, 0
	}
	if shift > 18 {
		// |v| < 10^19, so the result is 0, or ±1 when shift is 19 and
		// |v| is at least half of 10^19.
		var mag uint64
		if v < 0 {
			mag = uint64(-(v + 1)) + 1
		} else {
			mag = uint64(v)
		}
		if shift == 19 && mag >= 5_000_000_000_000_000_000 {
			if v < 0 {
				return -1, validate.RoundedDecimal
			}
			return 1, validate.RoundedDecimal
		}
		return 0, validate.RoundedDecimal
	}
	d := int64(1)
	for k := int32(0); k < shift; k++ {
		d *= 10
	}
	q, r := v/d, v%d
	if r == 0 {
		return money.Pence(q), 0
	}
	if r < 0 {
		r = -r
	}
	if r >= d-r { // 2r >= d without overflow
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return money.Pence(q), validate.RoundedDecimal
}

// decimalColumn reads DECIMAL amounts.
type decimalColumn struct {
	get    func(i int) (int64, bool) // unscaled value, and whether it fits int64
	scale  int32
	target int32
	valid  validity
}

func (c *decimalColumn) pence(i int) (money.Pence, validate.Problem) {
	if c.valid.null(i) {
		return 0, 0
	}
	v, ok := c.get(i)
	if !ok {
		return 0, validate.OutOfRange
	}
	p, prob := scaleToPence(v, c.scale, c.target)
	if prob != 0 && prob.Action() == validate.Nulled {
		return 0, prob
	}
	return p, prob
}

func newDecimalColumn(a arrow.Array, target int32) *decimalColumn {
	c := &decimalColumn{valid: validityOf(a), target: target}
	switch a := a.(type) {
	case *array.Decimal128:
		c.scale = a.DataType().(*arrow.Decimal128Type).Scale
		v := a.Values()
		c.get = func(i int) (int64, bool) {
			lo, hi := v[i].LowBits(), v[i].HighBits()
			if (hi == 0 && lo <= math.MaxInt64) || (hi == -1 && lo > math.MaxInt64) {
				return int64(lo), true
			}
			return 0, false
		}
	case *array.Decimal256:
		c.scale = a.DataType().(*arrow.Decimal256Type).Scale
		v := a.Values()
		c.get = func(i int) (int64, bool) {
			w := v[i].Array()
			switch {
			case w[1] == 0 && w[2] == 0 && w[3] == 0 && w[0] <= math.MaxInt64:
				return int64(w[0]), true
			case w[1] == math.MaxUint64 && w[2] == math.MaxUint64 && w[3] == math.MaxUint64 && w[0] > math.MaxInt64:
				return int64(w[0]), true
			}
			return 0, false
		}
	default:
		panic(fmt.Sprintf("load: decimal column of type %s", a.DataType()))
	}
	return c
}

// floatColumn reads floating-point amounts, rounding to the penny.
type floatColumn struct {
	get    func(i int) float64
	factor float64 // 100 for pounds, 1 for pence
	valid  validity
}

func (c *floatColumn) pence(i int) (money.Pence, validate.Problem) {
	if c.valid.null(i) {
		return 0, 0
	}
	return floatPence(c.get(i), c.factor)
}

// floatPence rounds x×factor to a whole number of pence, half away from
// zero. Every amount read from a float is reported as RoundedFromFloat.
func floatPence(x, factor float64) (money.Pence, validate.Problem) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, validate.Unparseable
	}
	p := math.Round(x * factor)
	if p >= 9.2e18 || p <= -9.2e18 {
		return 0, validate.OutOfRange
	}
	return money.Pence(p), validate.RoundedFromFloat
}

// textMoneyColumn parses amounts held as text.
type textMoneyColumn struct {
	src     textSource
	inPence bool
}

func (c *textMoneyColumn) pence(i int) (money.Pence, validate.Problem) {
	s, ok := c.src.text(i)
	if !ok {
		return 0, 0
	}
	return parseMoney(s, c.inPence)
}

// parseMoney reads an amount of pounds (money.Parse), or of whole pence
// when pence is set; blank text is null.
func parseMoney(s string, pence bool) (money.Pence, validate.Problem) {
	if isBlank(s) {
		return 0, 0
	}
	if pence {
		v, err := strconv.ParseInt(trimBlank(s), 10, 64)
		if err != nil {
			return 0, validate.Unparseable
		}
		return money.Pence(v), 0
	}
	p, err := money.Parse(s)
	if err != nil {
		return 0, validate.Unparseable
	}
	return p, 0
}

func trimBlank(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// bindMoney binds an array checked by moneyReadable.
func bindMoney(a arrow.Array, format string) moneySource {
	if a == nil {
		return nullColumn{}
	}
	id := a.DataType().ID()
	switch {
	case id == arrow.NULL:
		return nullColumn{}
	case id == arrow.DICTIONARY:
		d := a.(*array.Dictionary)
		c := newDictColumn(d)
		c.mon = bindMoney(d.Dictionary(), format)
		return c
	case isText(id):
		return bindTextMoney(bindText(a), format)
	case isInteger(id):
		return &intMoneyColumn{ints: newIntegerColumn(a), pounds: format == formatPounds}
	case id == arrow.DECIMAL128 || id == arrow.DECIMAL256:
		target := int32(2)
		if format == formatPence {
			target = 0
		}
		return newDecimalColumn(a, target)
	case id == arrow.FLOAT64:
		v := a.(*array.Float64).Float64Values()
		return &floatColumn{get: func(i int) float64 { return v[i] }, factor: moneyFactor(format), valid: validityOf(a)}
	case id == arrow.FLOAT32:
		v := a.(*array.Float32).Float32Values()
		return &floatColumn{get: func(i int) float64 { return float64(v[i]) }, factor: moneyFactor(format), valid: validityOf(a)}
	}
	panic(fmt.Sprintf("load: money column of type %s", a.DataType()))
}

// bindTextMoney binds text to be read as amounts in format.
func bindTextMoney(src textSource, format string) moneySource {
	return &textMoneyColumn{src: src, inPence: format == formatPence}
}

func moneyFactor(format string) float64 {
	if format == formatPence {
		return 1
	}
	return 100
}
