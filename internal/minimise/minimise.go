// Package minimise builds and writes the output files of an exercise's
// purposes so that each recipient receives exactly the fields the purpose
// register allows it, in the order listed, and nothing else.
//
// The output field vocabulary is exercise.OutputFields (documented in the
// exercise config reference). Case fields come from the detect.Case;
// attributes of either record (tenancy dates, balance, date of death) come
// from the case's evidence; clear identifiers — names, dates of birth,
// addresses, forwarding addresses, and special-category or
// criminal-offence values — are fetched through a Reidentifier, and only
// when the output lists them. Records are otherwise referred to by
// pseudonymised refs.
//
// Check runs again at write time what exercise.Validate checked, with its
// own code: an output is refused if it lists an unknown field, a field
// showing a column its purpose may not read, a special-category or
// criminal-offence field without the purpose's Article 9 or Article 10
// condition, or a field beyond what its recipient may receive.
//
// An output released on confirmation (exercise.ReleaseOnConfirmation) is
// not written for its recipient: it goes to HeldDir with each row's case
// id besides the recipient's fields (HeldFields), for internal/release to
// pick the confirmed cases' rows from and write exactly those fields.
package minimise

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

// Reidentifier gives the clear record behind a reference. It is wired to
// the clear source or to the re-identification vault.
type Reidentifier interface {
	// Clear returns the clear record recordID of dataset, and false if it
	// is not held.
	Clear(dataset, recordID string) (person.Record, bool)
}

// Pseudonymiser gives the pseudonymised reference by which outputs refer
// to a record (subject_ref, partner_ref).
type Pseudonymiser interface {
	Ref(dataset, recordID string) string
}

// Kind is the value type of an output column.
type Kind int

const (
	// Text is UTF-8 text (Parquet string).
	Text Kind = iota
	// Date is a calendar date (Parquet DATE; ISO 8601 in CSV).
	Date
	// Money is an amount of pounds (Parquet DECIMAL(18,2) stored as
	// INT64 pence; "1234.50" in CSV).
	Money
	// Integer is a whole number (Parquet INT64).
	Integer
	// Float is a floating-point number (Parquet DOUBLE).
	Float
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Date:
		return "date"
	case Money:
		return "money"
	case Integer:
		return "integer"
	case Float:
		return "float"
	}
	return "unknown"
}

// KindOf returns the value type of the output field called name; it
// reports false for a name outside the vocabulary.
func KindOf(name string) (Kind, bool) {
	of, ok := exercise.LookupOutputField(name)
	if !ok {
		return 0, false
	}
	switch name {
	case "match_probability", "match_weight":
		return Float, true
	case "overlap_days", "days_after_death":
		return Integer, true
	}
	if of.Column != "" {
		col, ok := person.Lookup(of.Column)
		if !ok {
			return 0, false
		}
		switch col.Kind {
		case person.Date:
			return Date, true
		case person.Money:
			return Money, true
		}
	}
	return Text, true
}

// Check verifies that output o of purpose p may be written: every field is
// in the vocabulary, of the kind the purpose outputs (counts for a
// statistics purpose, cases otherwise) and within the recipient's limit; a
// field showing a column needs the purpose to read it; a special-category
// column needs the purpose's Article 9 condition and a criminal-offence
// column its Article 10 condition. Every problem is listed, one per line.
func Check(p *exercise.Purpose, o *exercise.Output) error {
	var problems []error
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf("purpose %s: output %s: "+format, append([]any{p.Name, o.File}, args...)...))
	}
	if f := o.FileFormat(); !f.Valid() {
		bad("unknown format %q", f)
	}
	if len(o.Fields) == 0 {
		bad("no fields")
	}
	stats := p.IsStatistics()
	limit, limited := exercise.RecipientLimit(o.Recipient)
	seen := map[string]bool{}
	for _, name := range o.Fields {
		if seen[name] {
			bad("field %s listed twice", name)
		}
		seen[name] = true
		of, ok := exercise.LookupOutputField(name)
		if !ok {
			bad("field %s is not an output field", name)
			continue
		}
		if stats && !exercise.StatisticsField(name) {
			bad("field %s: a statistics output holds counts only", name)
			continue
		}
		if !stats && of.Side == exercise.FromStatistics {
			bad("field %s belongs to statistics outputs only", name)
			continue
		}
		if limited && !contains(limit, name) {
			bad("field %s is beyond what a %s may receive", name, o.Recipient)
		}
		if of.Column == "" {
			continue
		}
		col, ok := person.Lookup(of.Column)
		if !ok {
			bad("field %s shows unknown column %s", name, of.Column)
			continue
		}
		if !p.Reads(col.Name) {
			bad("field %s shows %s, which the purpose may not read", name, col.Name)
		}
		switch col.Category {
		case person.SpecialCategory:
			if strings.TrimSpace(p.SpecialCategoryCondition) == "" {
				bad("field %s is special category data and the purpose has no Art. 9(2) condition", name)
			}
		case person.CriminalOffence:
			if strings.TrimSpace(p.CriminalOffenceCondition) == "" {
				bad("field %s is criminal offence data and the purpose has no Art. 10 condition", name)
			}
		}
	}
	return errors.Join(problems...)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// value is one cell.
type value struct {
	s     string // Text
	n     int64  // Date (days since 1970-01-01), Money (pence), Integer
	f     float64
	valid bool
}

func text(s string) value         { return value{s: s, valid: s != ""} }
func integer(n int64) value       { return value{n: n, valid: true} }
func float(f float64) value       { return value{f: f, valid: true} }
func amount(p money.Pence) value  { return value{n: int64(p), valid: true} }
func day(d date.Date) value       { return value{n: int64(d.Days()), valid: !d.IsZero()} }
func null() value                 { return value{} }
func dayOf(v value) date.Date     { return date.FromDays(int32(v.n)) }
func penceOf(v value) money.Pence { return money.Pence(v.n) }

// Column is one column of a Table.
type Column struct {
	Name   string
	Kind   Kind
	values []value
}

// Table is an output's content: its columns, in the order of the output's
// fields list, and their rows.
type Table struct {
	Columns []Column
	rows    int
}

// Rows returns the number of rows.
func (t *Table) Rows() int { return t.rows }

// Names returns the column names in order.
func (t *Table) Names() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Text returns the cell of column col in row i as CSV shows it, without
// the CSV-injection guard, and false for a null.
func (t *Table) Text(i, col int) (string, bool) {
	c := &t.Columns[col]
	v := c.values[i]
	if !v.valid {
		return "", false
	}
	switch c.Kind {
	case Date:
		return dayOf(v).String(), true
	case Money:
		return penceOf(v).String(), true
	case Integer:
		return strconv.FormatInt(v.n, 10), true
	case Float:
		return strconv.FormatFloat(v.f, 'f', -1, 64), true
	}
	return v.s, true
}

// Sources supplies what Build fetches from outside the case.
type Sources struct {
	// Clear supplies clear values; it may be nil when no output lists a
	// clear field.
	Clear Reidentifier
	// Refs supplies subject_ref and partner_ref; it may be nil when no
	// output lists them.
	Refs Pseudonymiser
	// CaseID, when set, gives the case_id written for a case of a purpose,
	// so that outputs name cases as the review queue does; when nil,
	// case_id is the case's own ID.
	CaseID func(purpose string, c *detect.Case) string
}

// Build builds the table of output o of purpose p from the purpose's
// result r: one row per case, or per statistics cell for a statistics
// purpose. Its columns are exactly o.Fields, in order. It runs Check first.
func Build(p *exercise.Purpose, o *exercise.Output, r *detect.Result, src Sources) (*Table, error) {
	if err := Check(p, o); err != nil {
		return nil, err
	}
	return build(p, o, r, src)
}

// HeldFields returns the columns of a held output whose recipient receives
// fields: case_id first, unless fields has it, so that the release can
// pick the rows of confirmed cases, then fields.
func HeldFields(fields []string) []string {
	if slices.Contains(fields, exercise.FieldCaseID) {
		return fields
	}
	return append([]string{exercise.FieldCaseID}, fields...)
}

// build is Build without Check.
func build(p *exercise.Purpose, o *exercise.Output, r *detect.Result, src Sources) (*Table, error) {
	t := &Table{Columns: make([]Column, len(o.Fields))}
	for i, name := range o.Fields {
		k, _ := KindOf(name)
		t.Columns[i] = Column{Name: name, Kind: k}
	}
	if p.IsStatistics() {
		if r.Table == nil {
			return nil, fmt.Errorf("purpose %s: output %s: no statistics table", p.Name, o.File)
		}
		for _, cell := range r.Table.Cells {
			for i := range t.Columns {
				var v value
				switch t.Columns[i].Name {
				case exercise.FieldRule:
					v = text(cell.Rule)
				case exercise.FieldProbabilityBand:
					v = text(cell.Band)
				case exercise.FieldCount:
					v = text(cell.Value)
				}
				t.Columns[i].values = append(t.Columns[i].values, v)
			}
			t.rows++
		}
		return t, nil
	}
	needSubject, needPartner := false, false
	for _, name := range o.Fields {
		of, _ := exercise.LookupOutputField(name)
		if of.Clear() {
			needSubject = needSubject || of.Side == exercise.FromSubject
			needPartner = needPartner || of.Side == exercise.FromPartner
		}
	}
	n := 0
	for _, f := range r.Findings {
		n += len(f.Cases)
	}
	for i := range t.Columns {
		t.Columns[i].values = make([]value, 0, n)
	}
	if (needSubject || needPartner) && src.Clear == nil {
		return nil, fmt.Errorf("purpose %s: output %s: lists clear fields and no re-identification source is wired", p.Name, o.File)
	}
	for _, f := range r.Findings {
		for ci := range f.Cases {
			c := &f.Cases[ci]
			row := caseRow{p: p, c: c, refs: src.Refs, caseID: c.ID}
			if src.CaseID != nil {
				row.caseID = src.CaseID(p.Name, c)
			}
			if needSubject {
				rec, ok := src.Clear.Clear(c.Subject.Dataset, c.Subject.RecordID)
				if !ok {
					return nil, fmt.Errorf("purpose %s: output %s: case %s: no clear record for dataset %s record %s", p.Name, o.File, c.ID, c.Subject.Dataset, c.Subject.RecordID)
				}
				row.subject = &rec
			}
			if needPartner {
				rec, ok := src.Clear.Clear(c.Partner.Dataset, c.Partner.RecordID)
				if !ok {
					return nil, fmt.Errorf("purpose %s: output %s: case %s: no clear record for dataset %s record %s", p.Name, o.File, c.ID, c.Partner.Dataset, c.Partner.RecordID)
				}
				row.partner = &rec
			}
			for i := range t.Columns {
				v, err := row.field(t.Columns[i].Name)
				if err != nil {
					return nil, fmt.Errorf("purpose %s: output %s: case %s: %w", p.Name, o.File, c.ID, err)
				}
				t.Columns[i].values = append(t.Columns[i].values, v)
			}
			t.rows++
		}
	}
	return t, nil
}

// caseRow fills the fields of one case.
type caseRow struct {
	p                *exercise.Purpose
	c                *detect.Case
	refs             Pseudonymiser
	caseID           string
	subject, partner *person.Record // clear records, when the output needs them
}

func (r *caseRow) field(name string) (value, error) {
	c := r.c
	switch name {
	case "case_id":
		return text(r.caseID), nil
	case "rule":
		return text(string(c.Rule)), nil
	case "purpose":
		return text(r.p.Name), nil
	case "match_probability":
		return float(c.Probability), nil
	case "match_weight":
		return float(c.Weight), nil
	case "explanation":
		return text(explain(c)), nil
	case "evidence":
		s, err := r.evidence()
		return text(s), err
	case "overlap_days":
		if c.Rule != exercise.DualTenancy && c.Rule != exercise.DuplicateIdentity {
			return null(), nil
		}
		return integer(int64(c.OverlapDays)), nil
	case "days_after_death":
		if c.Rule != exercise.TenancyAfterDeath {
			return null(), nil
		}
		return integer(int64(c.DaysAfterDeath)), nil
	case "subject_dataset":
		return text(c.Subject.Dataset), nil
	case "partner_dataset":
		return text(c.Partner.Dataset), nil
	case "subject_ref", "partner_ref":
		if r.refs == nil {
			return null(), fmt.Errorf("%s: no pseudonymiser is wired", name)
		}
		ref := c.Subject.Ref
		if name == "partner_ref" {
			ref = c.Partner.Ref
		}
		return text(r.refs.Ref(ref.Dataset, ref.RecordID)), nil
	case "account_closed":
		return day(c.Partner.TenancyEnd), nil
	}
	of, ok := exercise.LookupOutputField(name)
	if !ok || of.Column == "" {
		return null(), fmt.Errorf("field %s has no value", name)
	}
	party, clear := &c.Subject, r.subject
	if of.Side == exercise.FromPartner {
		party, clear = &c.Partner, r.partner
	}
	// Attributes come from the case's evidence.
	switch of.Column {
	case person.ColRecordID:
		return text(party.RecordID), nil
	case person.ColTenancyRef:
		return text(party.TenancyRef), nil
	case person.ColTenancyRole:
		return text(party.TenancyRole), nil
	case person.ColTenancyStart:
		return day(party.TenancyStart), nil
	case person.ColTenancyEnd:
		return day(party.TenancyEnd), nil
	case person.ColDateOfDeath:
		return day(party.DateOfDeath), nil
	case person.ColBalance:
		return amount(party.Balance), nil
	}
	// Clear values come from the clear record.
	if clear == nil {
		return null(), fmt.Errorf("field %s: clear record not fetched", name)
	}
	if d := clear.DateField(of.Column); d != nil {
		return day(*d), nil
	}
	if s, ok := clear.String(of.Column); ok {
		return text(s), nil
	}
	return null(), fmt.Errorf("field %s has no value", name)
}

// evidence formats a case's dated evidence as "name=date; ...", with
// "none" for a missing date. Each date must show a column the purpose may
// read.
func (r *caseRow) evidence() (string, error) {
	parts := make([]string, 0, len(r.c.Evidence))
	for _, f := range r.c.Evidence {
		of, ok := exercise.LookupOutputField(f.Field)
		if !ok {
			return "", fmt.Errorf("evidence %s is not an output field", f.Field)
		}
		if of.Column != "" && !r.p.Reads(of.Column) {
			return "", fmt.Errorf("evidence %s shows %s, which the purpose may not read", f.Field, of.Column)
		}
		d := f.Date.String()
		if d == "" {
			d = "none"
		}
		parts = append(parts, f.Field+"="+d)
	}
	if r.c.Rule == exercise.DualTenancy || r.c.Rule == exercise.DuplicateIdentity {
		parts = append(parts, "overlap_days="+strconv.Itoa(r.c.OverlapDays))
	}
	if r.c.Rule == exercise.TenancyAfterDeath {
		parts = append(parts, "days_after_death="+strconv.Itoa(r.c.DaysAfterDeath))
	}
	return strings.Join(parts, "; "), nil
}

// explain formats a case's per-field contributions as
// "field:level:+1.23; ...".
func explain(c *detect.Case) string {
	parts := make([]string, len(c.Explanation))
	for i, e := range c.Explanation {
		parts[i] = e.Field + ":" + e.Level + ":" + strconv.FormatFloat(e.Weight, 'f', 2, 64)
		if e.Weight >= 0 {
			parts[i] = e.Field + ":" + e.Level + ":+" + strconv.FormatFloat(e.Weight, 'f', 2, 64)
		}
	}
	return strings.Join(parts, "; ")
}
