package load

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/validate"
)

func dt(y int, m time.Month, d int) date.Date { return date.MustOf(y, m, d) }

// instant returns t in units of 1/perSec second since the Unix epoch.
func instant(t time.Time, perSec int64) int {
	return int(t.Unix()*perSec + int64(t.Nanosecond())/(1_000_000_000/perSec))
}

func utc(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// TestMappingForms reads every supported source type into text, date and
// money columns. Each case is a file of three rows with record_id and
// surname besides the column under test.
func TestMappingForms(t *testing.T) {
	ms := func(t time.Time) int { return instant(t, 1000) }
	dec := func(p, s int32) arrow.DataType { return &arrow.Decimal128Type{Precision: p, Scale: s} }
	ts := func(u arrow.TimeUnit, tz string) arrow.DataType { return &arrow.TimestampType{Unit: u, TimeZone: tz} }
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	z := date.Date{}
	tests := []struct {
		name     string
		cols     []column
		target   string
		fm       FieldMap
		want     []any // per row: string, date.Date or money.Pence
		problems map[validate.Problem]int64
	}{
		// Text.
		{
			name: "address lines joined, blanks and nulls skipped",
			cols: []column{
				strs("a1", " 1 High St ", nil, "  "),
				strs("a2", "Flat 2", "Stockport", ""),
				strs("town", "Stockport", nil, nil),
			},
			target: person.ColAddress, fm: FieldMap{From: []string{"a1", "a2", "town"}},
			want: []any{"1 High St Flat 2 Stockport", "Stockport", ""},
		},
		{
			name:   "integer UPRN",
			cols:   []column{mk("u", arrow.PrimitiveTypes.Int64, 100012345678, nil, 5)},
			target: person.ColUPRN, fm: FieldMap{From: []string{"u"}},
			want: []any{"100012345678", "", "5"},
		},
		{
			name:   "unsigned integer beyond int64",
			cols:   []column{mk("u", arrow.PrimitiveTypes.Uint64, 7, nil, 1)},
			target: person.ColUPRN, fm: FieldMap{From: []string{"u"}},
			want: []any{"7", "", "1"},
		},
		{
			name:   "binary",
			cols:   []column{mk("p", arrow.BinaryTypes.Binary, "SK1 3NQ", nil, "M1 1AA")},
			target: person.ColPostcode, fm: FieldMap{From: []string{"p"}},
			want: []any{"SK1 3NQ", "", "M1 1AA"},
		},
		{
			name:   "large string",
			cols:   []column{mk("p", arrow.BinaryTypes.LargeString, "SK1 3NQ", "", "M1 1AA")},
			target: person.ColPostcode, fm: FieldMap{From: []string{"p"}},
			want: []any{"SK1 3NQ", "", "M1 1AA"},
		},
		{
			name:   "dictionary-encoded",
			cols:   []column{mk("role", dict, "lead", nil, "joint")},
			target: person.ColTenancyRole, fm: FieldMap{From: []string{"role"}},
			want: []any{"lead", "", "joint"},
		},

		// Dates.
		{
			name:   "DATE32",
			cols:   []column{mk("d", arrow.FixedWidthTypes.Date32, dt(1980, 2, 29), nil, dt(1899, 1, 1))},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want:     []any{dt(1980, 2, 29), z, z},
			problems: map[validate.Problem]int64{validate.Implausible: 1},
		},
		{
			name: "DATE64 before and after 1970",
			cols: []column{mk("d", arrow.FixedWidthTypes.Date64,
				ms(utc(1980, 2, 29, 0, 0, 0)), nil, ms(utc(1965, 7, 4, 0, 0, 0)))},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want: []any{dt(1980, 2, 29), z, dt(1965, 7, 4)},
		},
		{
			name: "TIMESTAMP seconds",
			cols: []column{mk("d", ts(arrow.Second, ""),
				instant(utc(1980, 2, 29, 23, 59, 59), 1), nil, instant(utc(1950, 1, 1, 12, 0, 0), 1))},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want: []any{dt(1980, 2, 29), z, dt(1950, 1, 1)},
		},
		{
			name: "TIMESTAMP milliseconds UTC",
			cols: []column{mk("d", ts(arrow.Millisecond, "UTC"),
				instant(utc(1980, 2, 29, 23, 59, 59), 1000), nil, instant(utc(1950, 1, 1, 0, 0, 0), 1000))},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want: []any{dt(1980, 2, 29), z, dt(1950, 1, 1)},
		},
		{
			name: "TIMESTAMP microseconds",
			cols: []column{mk("d", ts(arrow.Microsecond, ""),
				instant(utc(1980, 2, 29, 0, 0, 1), 1_000_000), nil, instant(utc(1949, 12, 31, 23, 59, 59), 1_000_000))},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want: []any{dt(1980, 2, 29), z, dt(1949, 12, 31)},
		},
		{
			name: "TIMESTAMP nanoseconds",
			cols: []column{mk("d", ts(arrow.Nanosecond, ""),
				instant(utc(2001, 9, 9, 1, 46, 40), 1_000_000_000), nil, instant(utc(1969, 12, 31, 23, 0, 0), 1_000_000_000))},
			target: person.ColTenancyStart, fm: FieldMap{From: []string{"d"}},
			want: []any{dt(2001, 9, 9), z, dt(1969, 12, 31)},
		},
		{
			name: "TIMESTAMP in Europe/London: the local date",
			cols: []column{mk("d", ts(arrow.Microsecond, "Europe/London"),
				instant(utc(1990, 6, 14, 23, 30, 0), 1_000_000), nil, instant(utc(1990, 12, 14, 23, 30, 0), 1_000_000))},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want: []any{dt(1990, 6, 15), z, dt(1990, 12, 14)},
		},
		{
			name:   "ISO text",
			cols:   []column{strs("d", "1980-02-29", nil, "1980-02-30")},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want:     []any{dt(1980, 2, 29), z, z},
			problems: map[validate.Problem]int64{validate.Unparseable: 1},
		},
		{
			name:   "blank text is null",
			cols:   []column{strs("d", "", "  ", "1980-02-29")},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want: []any{z, z, dt(1980, 2, 29)},
		},
		{
			name:   "UK text",
			cols:   []column{strs("d", "29/02/1980", "1/2/1990", "31/02/1990")},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}, Format: string(date.UKSlash)},
			want:     []any{dt(1980, 2, 29), dt(1990, 2, 1), z},
			problems: map[validate.Problem]int64{validate.Unparseable: 1},
		},
		{
			name:   "integer YYYYMMDD",
			cols:   []column{mk("d", arrow.PrimitiveTypes.Int32, 19800229, 0, 19801301)},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want:     []any{dt(1980, 2, 29), z, z},
			problems: map[validate.Problem]int64{validate.Placeholder: 1, validate.Unparseable: 1},
		},
		{
			name:   "integer with explicit layout",
			cols:   []column{mk("d", arrow.PrimitiveTypes.Int64, 20200401, nil, 99991231)},
			target: person.ColTenancyEnd, fm: FieldMap{From: []string{"d"}, Format: string(date.Compact)},
			want:     []any{dt(2020, 4, 1), z, z},
			problems: map[validate.Problem]int64{validate.Placeholder: 1}, // 9999-12-31, from validation
		},
		{
			name:   "dictionary-encoded text dates",
			cols:   []column{mk("d", dict, "1980-02-29", nil, "x")},
			target: person.ColDOB, fm: FieldMap{From: []string{"d"}},
			want:     []any{dt(1980, 2, 29), z, z},
			problems: map[validate.Problem]int64{validate.Unparseable: 1},
		},

		// Money.
		{
			name:   "integer pence",
			cols:   []column{mk("b", arrow.PrimitiveTypes.Int64, 12345, nil, -50)},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}},
			want: []any{money.Pence(12345), money.Pence(0), money.Pence(-50)},
		},
		{
			name:   "integer pounds",
			cols:   []column{mk("b", arrow.PrimitiveTypes.Int32, 12, nil, -3)},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}, Format: "pounds"},
			want: []any{money.Pence(1200), money.Pence(0), money.Pence(-300)},
		},
		{
			name:   "DECIMAL(10,2)",
			cols:   []column{mk("b", dec(10, 2), 12345, nil, -5)},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}},
			want: []any{money.Pence(12345), money.Pence(0), money.Pence(-5)},
		},
		{
			name:   "DECIMAL(12,4) rounded half away from zero",
			cols:   []column{mk("b", dec(12, 4), 1234567, -1234550, 1230000)},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}},
			want:     []any{money.Pence(12346), money.Pence(-12346), money.Pence(12300)},
			problems: map[validate.Problem]int64{validate.RoundedDecimal: 2},
		},
		{
			name:   "DECIMAL(10,0) pounds",
			cols:   []column{mk("b", dec(10, 0), 12, nil, -1)},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}},
			want: []any{money.Pence(1200), money.Pence(0), money.Pence(-100)},
		},
		{
			name:   "text pounds",
			cols:   []column{strs("b", "£1,234.50", "(12.00)", "abc")},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}},
			want:     []any{money.Pence(123450), money.Pence(-1200), money.Pence(0)},
			problems: map[validate.Problem]int64{validate.Unparseable: 1},
		},
		{
			name:   "text pence",
			cols:   []column{strs("b", "12345", " 7 ", "1.5")},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}, Format: "pence"},
			want:     []any{money.Pence(12345), money.Pence(7), money.Pence(0)},
			problems: map[validate.Problem]int64{validate.Unparseable: 1},
		},
		{
			name:   "float pounds rounded and flagged",
			cols:   []column{mk("b", arrow.PrimitiveTypes.Float64, 12.34, -0.1, math.NaN())},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}},
			want:     []any{money.Pence(1234), money.Pence(-10), money.Pence(0)},
			problems: map[validate.Problem]int64{validate.RoundedFromFloat: 2, validate.Unparseable: 1},
		},
		{
			name:   "float pence",
			cols:   []column{mk("b", arrow.PrimitiveTypes.Float64, 1234.0, nil, 1e30)},
			target: person.ColBalance, fm: FieldMap{From: []string{"b"}, Format: "pence"},
			want:     []any{money.Pence(1234), money.Pence(0), money.Pence(0)},
			problems: map[validate.Problem]int64{validate.RoundedFromFloat: 1, validate.OutOfRange: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempFile(t, "m.parquet")
			cols := append([]column{strs("record_id", "R0", "R1", "R2"), strs("surname", "Ames", "Bell", "Cole")}, tt.cols...)
			writeArrow(t, path, 0, cols...)
			m := Mapping{Fields: map[string]FieldMap{
				person.ColRecordID: {From: []string{"record_id"}},
				person.ColSurname:  {From: []string{"surname"}},
				tt.target:          tt.fm,
			}}
			batches, rep := readAll(t, path, m)
			var recs []person.Record
			for _, b := range batches {
				recs = append(recs, b.Records...)
			}
			if len(recs) != 3 {
				t.Fatalf("%d records, want 3; report %+v", len(recs), rep.Report.Summary())
			}
			for i, r := range recs {
				var got any
				if s, ok := r.String(tt.target); ok {
					got = s
				} else if p := r.DateField(tt.target); p != nil {
					got = *p
				} else {
					got = r.Balance
				}
				if got != tt.want[i] {
					t.Errorf("row %d: %s = %v, want %v", i, tt.target, got, tt.want[i])
				}
			}
			for _, p := range validate.Problems() {
				if n := rep.FieldCount(tt.target, p); n != tt.problems[p] {
					t.Errorf("%s %s counted %d times, want %d", tt.target, p, n, tt.problems[p])
				}
			}
		})
	}
}

func TestFullNameMapping(t *testing.T) {
	path := tempFile(t, "names.parquet")
	writeArrow(t, path, 0,
		strs("id", "R0", "R1", "R2", "R3"),
		strs("name", "SMITH, John Michael", "Mrs Jane Ann DOE", nil, "O'NEIL Mary"),
	)
	for _, tt := range []struct {
		order string
		want  [][3]string
	}{
		{SurnameFirst, [][3]string{{"John", "Michael", "SMITH"}, {"Ann", "DOE", "Jane"}, {}, {"Mary", "", "O'NEIL"}}},
		{ForenameFirst, [][3]string{{"John", "Michael", "SMITH"}, {"Jane", "Ann", "DOE"}, {}, {"O'NEIL", "", "Mary"}}},
	} {
		m := Mapping{
			Fields:   map[string]FieldMap{person.ColRecordID: {From: []string{"id"}}},
			FullName: &FullNameMap{From: "name", Order: tt.order},
		}
		batches, rep := readAll(t, path, m)
		var got [][3]string
		for _, b := range batches {
			for _, r := range b.Records {
				got = append(got, [3]string{r.Forename, r.MiddleNames, r.Surname})
			}
		}
		// R2 has no name and nothing else: quarantined.
		want := append(append([][3]string{}, tt.want[:2]...), tt.want[3])
		if fmt.Sprint(got) != fmt.Sprint(want) || rep.RowCount(validate.NoIdentifyingField) != 1 {
			t.Errorf("%s: got %q, want %q; report %+v", tt.order, got, want, rep.Report.Summary())
		}
	}
}
