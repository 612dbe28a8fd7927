package validate

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"sort"

	"github.com/datamatch/datamatch/internal/person"
)

// Problem is a field-level data-quality finding. Every Problem has one
// Action: the value is nulled, kept as it is, or kept after repair.
type Problem uint8

// Field-level problems. The names in comments are the codes used in
// data-quality reports.
const (
	// Placeholder: a placeholder value ("UNKNOWN", "N/A", a dummy NI number,
	// a system default date). Nulled.
	Placeholder Problem = iota + 1
	// TooLong: longer than any real value of the column can be. Nulled.
	TooLong
	// NoContent: nothing usable is left once the value is normalised (a name
	// of punctuation only, say). Nulled.
	NoContent
	// ControlCharacters: control or invisible format characters were
	// removed (tabs and line breaks became spaces). Repaired.
	ControlCharacters
	// RepairedEncoding: the value was not valid UTF-8 and was decoded as
	// Windows-1252 instead. Repaired.
	RepairedEncoding
	// InvalidEncoding: the value was not valid UTF-8 and no repair yielded
	// text. Nulled.
	InvalidEncoding
	// NotHMRCFormat: an NI number that does not follow the HMRC format (a
	// foreign or legacy identifier). Kept, because it still matches itself.
	NotHMRCFormat
	// NotUKFormat: a postcode that is not a UK postcode. Kept.
	NotUKFormat
	// InvalidPhone: a phone number that cannot be put in E.164 form. Kept.
	InvalidPhone
	// InvalidEmail: an e-mail address without a valid form. Kept.
	InvalidEmail
	// NotUPRNFormat: a UPRN that is not 1 to 12 digits. Kept.
	NotUPRNFormat
	// UnknownRole: a tenancy role other than lead, joint or household. Kept.
	UnknownRole
	// InFuture: a date of birth or death after the run date. Nulled.
	InFuture
	// Implausible: a date before 1900-01-02. Nulled.
	Implausible
	// DeathBeforeBirth: a date of death before the date of birth. Both are
	// kept, because either may be the wrong one; the finding is counted on
	// the date of death.
	DeathBeforeBirth
	// EndBeforeStart: a tenancy end before its start. Kept; counted on the
	// end date.
	EndBeforeStart
	// Unparseable: a source value that cannot be read as the column's type
	// (a date string not in the mapped layout, say). Nulled.
	Unparseable
	// OutOfRange: a source value of the right type that is outside what the
	// column can hold (a timestamp beyond year 9999, an amount beyond int64
	// pence). Nulled.
	OutOfRange
	// RoundedFromFloat: an amount held as a floating-point number of pounds,
	// rounded to the nearest penny. Kept.
	RoundedFromFloat
	// RoundedDecimal: an amount with more than two decimal places, rounded
	// half away from zero to the nearest penny. Kept.
	RoundedDecimal
	// OverMaxAge: a date of birth implying an age over 120 on the run date
	// (or at death). Kept: old benchmark and archive extracts hold such
	// dates, and a real date of birth that is wrong in the run's frame
	// still matches itself.
	OverMaxAge
	// RoleRespelled: a tenancy role written another way ("Lead Tenant",
	// "MEMBER") mapped onto lead, joint or household. Repaired.
	RoleRespelled
	// InvalidPassport: a passport number that is not 6 to 12 letters and
	// digits. Kept, because it still matches itself.
	InvalidPassport
	// UnknownGender: a gender that is no sex or gender word, ISO/IEC 5218
	// code or title normalize.Gender knows. Kept in clear, but compared
	// as unknown.
	UnknownGender

	numProblems = iota + 1
)

var problemNames = [numProblems]string{
	Placeholder:       "placeholder",
	TooLong:           "too_long",
	NoContent:         "no_content",
	ControlCharacters: "control_characters",
	RepairedEncoding:  "repaired_windows_1252",
	InvalidEncoding:   "invalid_utf8",
	NotHMRCFormat:     "not_hmrc_format",
	NotUKFormat:       "not_uk_format",
	InvalidPhone:      "invalid_phone",
	InvalidEmail:      "invalid_email",
	NotUPRNFormat:     "not_uprn_format",
	UnknownRole:       "unknown_role",
	InFuture:          "in_future",
	Implausible:       "implausible_date",
	DeathBeforeBirth:  "death_before_birth",
	EndBeforeStart:    "end_before_start",
	Unparseable:       "unparseable",
	OutOfRange:        "out_of_range",
	RoundedFromFloat:  "rounded_from_float",
	RoundedDecimal:    "rounded_decimal",
	OverMaxAge:        "over_max_age",
	RoleRespelled:     "role_respelled",
	InvalidPassport:   "invalid_passport",
	UnknownGender:     "unknown_gender",
}

// String returns the problem's report code, such as "not_uk_format".
func (p Problem) String() string {
	if p == 0 || int(p) >= numProblems {
		return fmt.Sprintf("problem(%d)", uint8(p))
	}
	return problemNames[p]
}

// Action is what validation did to a value with a problem.
type Action string

// Actions.
const (
	Nulled   Action = "nulled"
	Kept     Action = "kept"
	Repaired Action = "repaired"
)

// Action returns what validation does to a value with problem p, and ""
// for a Problem that is not one of the constants.
func (p Problem) Action() Action {
	if p == 0 || int(p) >= numProblems {
		return ""
	}
	switch p {
	case ControlCharacters, RepairedEncoding, RoleRespelled:
		return Repaired
	case NotHMRCFormat, NotUKFormat, InvalidPhone, InvalidEmail, NotUPRNFormat, UnknownRole, InvalidPassport, UnknownGender,
		DeathBeforeBirth, EndBeforeStart, RoundedFromFloat, RoundedDecimal, OverMaxAge:
		return Kept
	}
	return Nulled
}

// Problems lists every Problem in code order.
func Problems() []Problem {
	ps := make([]Problem, 0, numProblems-1)
	for p := Problem(1); int(p) < numProblems; p++ {
		ps = append(ps, p)
	}
	return ps
}

// ParseProblem returns the Problem whose report code is s.
func ParseProblem(s string) (Problem, bool) {
	for p := Problem(1); int(p) < numProblems; p++ {
		if problemNames[p] == s {
			return p, true
		}
	}
	return 0, false
}

// RowReason is why a row was quarantined: set aside, unused, and listed by
// row number in the quarantine file.
type RowReason string

// Quarantine reasons.
const (
	// MissingRecordID: the row has no record_id.
	MissingRecordID RowReason = "missing_record_id"
	// DuplicateRecordID: an earlier row of the file has the same record_id.
	// The first row with an id keeps it; every later one is quarantined.
	DuplicateRecordID RowReason = "duplicate_record_id"
	// InvalidUTF8RecordID: the record_id is not valid UTF-8 and cannot be
	// repaired.
	InvalidUTF8RecordID RowReason = "invalid_utf8_record_id"
	// NoIdentifyingField: once invalid values are nulled, none of the
	// columns in person.Identifying is left.
	NoIdentifyingField RowReason = "no_identifying_field"
)

// RowReasons lists every quarantine reason.
var RowReasons = []RowReason{MissingRecordID, DuplicateRecordID, InvalidUTF8RecordID, NoIdentifyingField}

func (r RowReason) index() int {
	for i, x := range RowReasons {
		if x == r {
			return i
		}
	}
	return -1
}

// maxColumns bounds the canonical schema's width so that a Report's
// counters are a fixed array.
const maxColumns = 32

func init() {
	if len(person.Columns) > maxColumns {
		panic("validate: person.Columns is wider than maxColumns")
	}
}

var columnIndex = func() map[string]int {
	m := make(map[string]int, len(person.Columns))
	for i, c := range person.Columns {
		m[c.Name] = i
	}
	return m
}()

// Column indexes into person.Columns, resolved once.
var (
	colRecordID           = columnIndex[person.ColRecordID]
	colForename           = columnIndex[person.ColForename]
	colMiddleNames        = columnIndex[person.ColMiddleNames]
	colSurname            = columnIndex[person.ColSurname]
	colDOB                = columnIndex[person.ColDOB]
	colNINumber           = columnIndex[person.ColNINumber]
	colPassport           = columnIndex[person.ColPassport]
	colAddress            = columnIndex[person.ColAddress]
	colPostcode           = columnIndex[person.ColPostcode]
	colUPRN               = columnIndex[person.ColUPRN]
	colPhone              = columnIndex[person.ColPhone]
	colEmail              = columnIndex[person.ColEmail]
	colGender             = columnIndex[person.ColGender]
	colTenancyRef         = columnIndex[person.ColTenancyRef]
	colTenancyRole        = columnIndex[person.ColTenancyRole]
	colTenancyStart       = columnIndex[person.ColTenancyStart]
	colTenancyEnd         = columnIndex[person.ColTenancyEnd]
	colDateOfDeath        = columnIndex[person.ColDateOfDeath]
	colForwardingAddress  = columnIndex[person.ColForwardingAddress]
	colForwardingPostcode = columnIndex[person.ColForwardingPostcode]
	colEthnicity          = columnIndex[person.ColEthnicity]
	colDisability         = columnIndex[person.ColDisability]
	colReligion           = columnIndex[person.ColReligion]
	colConviction         = columnIndex[person.ColConviction]
)

// Report counts what validation found in one dataset: every field problem
// by canonical column and Problem, and every row's outcome. It never holds
// a value. The zero Report is empty and ready to use; a Report is not safe
// for concurrent use, so parallel workers keep one each and Merge them.
type Report struct {
	RowsIn      int64 // rows read
	Accepted    int64 // rows passed on for matching
	Quarantined int64 // rows set aside, by reason in RowCount

	rows   [4]int64 // indexed like RowReasons
	fields [maxColumns][numProblems]int64
}

// AddRow counts one row's outcome: accepted when reason is empty,
// quarantined otherwise. It panics on an unknown reason, which is a
// programming error.
func (r *Report) AddRow(reason RowReason) {
	r.RowsIn++
	if reason == "" {
		r.Accepted++
		return
	}
	i := reason.index()
	if i < 0 {
		panic("validate: unknown row reason " + string(reason))
	}
	r.Quarantined++
	r.rows[i]++
}

// AddField counts one occurrence of problem p in the canonical column
// named column. It panics on a name that is not a canonical column, which
// is a programming error.
func (r *Report) AddField(column string, p Problem) {
	i, ok := columnIndex[column]
	if !ok {
		panic("validate: unknown column " + column)
	}
	r.fields[i][p]++
}

func (r *Report) add(col int, p Problem) { r.fields[col][p]++ }

// addAll counts one occurrence of every problem in ps in column col.
func (r *Report) addAll(col int, ps problems) {
	for ps != 0 {
		r.fields[col][bits.TrailingZeros32(uint32(ps))]++
		ps &= ps - 1
	}
}

// RowCount returns how many rows were quarantined for reason.
func (r *Report) RowCount(reason RowReason) int64 {
	if i := reason.index(); i >= 0 {
		return r.rows[i]
	}
	return 0
}

// FieldCount returns how many values of column had problem p.
func (r *Report) FieldCount(column string, p Problem) int64 {
	i, ok := columnIndex[column]
	if !ok || p == 0 || int(p) >= numProblems {
		return 0
	}
	return r.fields[i][p]
}

// Merge adds the counts of o to r.
func (r *Report) Merge(o *Report) {
	r.RowsIn += o.RowsIn
	r.Accepted += o.Accepted
	r.Quarantined += o.Quarantined
	for i := range r.rows {
		r.rows[i] += o.rows[i]
	}
	for c := range r.fields {
		for p := range r.fields[c] {
			r.fields[c][p] += o.fields[c][p]
		}
	}
}

// Summary is a Report in its published form: JSON-serialisable, with
// reasons and problems sorted by code and column name so that equal
// Reports render identically.
type Summary struct {
	RowsIn        int64          `json:"rows_in"`
	Accepted      int64          `json:"accepted"`
	Quarantined   int64          `json:"quarantined"`
	Quarantine    []ReasonCount  `json:"quarantine_reasons"`
	FieldProblems []FieldProblem `json:"field_problems"`
}

// ReasonCount is the number of rows quarantined for one reason.
type ReasonCount struct {
	Reason RowReason `json:"reason"`
	Rows   int64     `json:"rows"`
}

// FieldProblem is the number of values of one column with one problem.
type FieldProblem struct {
	Column  string `json:"column"`
	Problem string `json:"problem"`
	Action  Action `json:"action"`
	Count   int64  `json:"count"`
}

// Summary returns the non-zero counts of r, sorted.
func (r *Report) Summary() Summary {
	s := Summary{
		RowsIn:        r.RowsIn,
		Accepted:      r.Accepted,
		Quarantined:   r.Quarantined,
		Quarantine:    []ReasonCount{},
		FieldProblems: []FieldProblem{},
	}
	for i, reason := range RowReasons {
		if r.rows[i] > 0 {
			s.Quarantine = append(s.Quarantine, ReasonCount{Reason: reason, Rows: r.rows[i]})
		}
	}
	sort.Slice(s.Quarantine, func(i, j int) bool { return s.Quarantine[i].Reason < s.Quarantine[j].Reason })
	for c, col := range person.Columns {
		for p := Problem(1); int(p) < numProblems; p++ {
			if n := r.fields[c][p]; n > 0 {
				s.FieldProblems = append(s.FieldProblems, FieldProblem{Column: col.Name, Problem: p.String(), Action: p.Action(), Count: n})
			}
		}
	}
	sort.Slice(s.FieldProblems, func(i, j int) bool {
		a, b := s.FieldProblems[i], s.FieldProblems[j]
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Problem < b.Problem
	})
	return s
}

// MarshalJSON renders r as its Summary.
func (r *Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.Summary())
}

// UnmarshalJSON reads a Report back from its Summary form, rejecting
// unknown reasons, columns and problems.
func (r *Report) UnmarshalJSON(b []byte) error {
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("validate: report: %w", err)
	}
	var out Report
	out.RowsIn, out.Accepted, out.Quarantined = s.RowsIn, s.Accepted, s.Quarantined
	for _, q := range s.Quarantine {
		i := q.Reason.index()
		if i < 0 {
			return fmt.Errorf("validate: report: unknown quarantine reason %q", q.Reason)
		}
		out.rows[i] += q.Rows
	}
	for _, f := range s.FieldProblems {
		c, ok := columnIndex[f.Column]
		if !ok {
			return fmt.Errorf("validate: report: unknown column %q", f.Column)
		}
		p, ok := ParseProblem(f.Problem)
		if !ok {
			return fmt.Errorf("validate: report: unknown problem %q", f.Problem)
		}
		out.fields[c][p] += f.Count
	}
	*r = out
	return nil
}
