// Package validate applies the field- and row-level data-quality rules to a
// person.Record just mapped from a source row, and counts what it finds.
//
// Validation is the least destructive that keeps matching honest. Values
// that are certainly not information (placeholders, impossible dates,
// absurd lengths, undecodable bytes) become null; values that are merely
// not in the expected UK format (a foreign NI number or postcode) are kept,
// because they still match themselves, and flagged. Text keeps its
// original form: normalisation for matching happens at pseudonymisation.
//
// The rules, column by column:
//
//   - Every text column: surrounding spaces trimmed; control and invisible
//     characters removed; invalid UTF-8 repaired as Windows-1252 when that
//     yields text, otherwise nulled (see Clean); longer than its Max*Len
//     limit, nulled.
//   - Identifier columns (names, NI number, address, postcode, UPRN,
//     phone, e-mail, forwarding address and postcode): placeholders such as
//     "UNKNOWN" or "N/A" nulled. A name that normalises to nothing is
//     nulled; an NI number that is a dummy or temporary (TN) number is
//     nulled, one in another format kept and flagged; a postcode that is
//     not UK format is kept and flagged; an invalid phone, e-mail or UPRN
//     is kept and flagged.
//   - tenancy_role: lower-cased when it is lead, joint or household in
//     another case; any other value kept and flagged.
//   - Dates: system defaults (1900-01-01, 9999-12-31, …) and dates before
//     1900-01-02 nulled; a date of birth or death after the run date
//     nulled; a date of birth implying an age over 120 (at death, for the
//     dead) nulled; a death before birth, and a tenancy ending before it
//     starts, kept and flagged, since either date may be the wrong one.
//
// Rows that cannot be used at all are quarantined with a RowReason. Every
// finding is counted in a Report, which holds counts only, never values.
//
// The package does no I/O. A Validator may be shared by goroutines; a
// Report may not, so parallel workers keep one each and Merge them.
package validate

import (
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/person"
)

// Length limits, in characters. A longer value is nulled as TooLong.
const (
	MaxNameLen     = 100 // forename, middle names, surname
	MaxAddressLen  = 300 // address and forwarding address lines
	MaxPostcodeLen = 16
	MaxNILen       = 32
	MaxPhoneLen    = 32
	MaxEmailLen    = 254 // RFC 5321 path limit
	MaxUPRNLen     = 32
	MaxTextLen     = 300 // every other text column, record_id included
)

// Earliest is the earliest plausible date in any date column. 1900-01-01
// itself is a common system default.
var Earliest = date.MustOf(1900, time.January, 2)

// MaxAge is the greatest plausible age, in whole years, of a person with a
// date of birth.
const MaxAge = 120

// Validator applies the rules as of one run date.
type Validator struct {
	today     date.Date
	oldestDOB date.Date // a date of birth on or before this is over MaxAge today
}

// New returns a Validator that judges "in the future" and ages against
// today, which must not be null.
func New(today date.Date) *Validator {
	if today.IsZero() {
		panic("validate: New with a null date")
	}
	return &Validator{today: today, oldestDOB: yearsBefore(today, MaxAge+1)}
}

// Today returns the run date the Validator judges against.
func (v *Validator) Today() date.Date { return v.today }

// yearsBefore returns the date n years before d, with 29 February becoming
// 28 February in a year that has none.
func yearsBefore(d date.Date, n int) date.Date {
	y, m, day := d.Civil()
	if out, ok := date.Of(y-n, m, day); ok {
		return out
	}
	return date.MustOf(y-n, m, day-1)
}

// Age returns the whole years between dob and at (the age on date at), or
// -1 if either is null or at is before dob.
func Age(dob, at date.Date) int {
	if dob.IsZero() || at.IsZero() || at.Before(dob) {
		return -1
	}
	by, bm, bd := dob.Civil()
	ay, am, ad := at.Civil()
	age := ay - by
	if am < bm || (am == bm && ad < bd) {
		age--
	}
	return age
}

// Record applies every field rule to r in place, counting each problem in
// rep, and returns why the row must be quarantined, or "" if it is usable.
//
// Record does not count the row's outcome, because duplicate record ids
// can be seen only across the whole file: the caller decides the final
// reason (DuplicateRecordID among them) and calls rep.AddRow once per row.
// Field problems are therefore counted for every row read, including rows
// that end up quarantined.
//
// The record_id is cleaned of control characters and repaired like any
// text, and must then be non-empty; placeholder rules do not apply to it.
func (v *Validator) Record(r *person.Record, rep *Report) RowReason {
	idOK := v.text(&r.RecordID, colRecordID, MaxTextLen, false, rep)

	v.name(&r.Forename, colForename, rep)
	v.name(&r.MiddleNames, colMiddleNames, rep)
	v.name(&r.Surname, colSurname, rep)
	v.niNumber(r, rep)
	v.text(&r.Address, colAddress, MaxAddressLen, true, rep)
	v.postcode(&r.Postcode, colPostcode, rep)
	v.uprn(r, rep)
	v.phone(r, rep)
	v.email(r, rep)
	v.text(&r.ForwardingAddress, colForwardingAddress, MaxAddressLen, true, rep)
	v.postcode(&r.ForwardingPostcode, colForwardingPostcode, rep)

	v.text(&r.TenancyRef, colTenancyRef, MaxTextLen, false, rep)
	v.tenancyRole(r, rep)
	v.text(&r.Ethnicity, colEthnicity, MaxTextLen, false, rep)
	v.text(&r.Disability, colDisability, MaxTextLen, false, rep)
	v.text(&r.Religion, colReligion, MaxTextLen, false, rep)
	v.text(&r.Conviction, colConviction, MaxTextLen, false, rep)

	v.dates(r, rep)

	switch {
	case !idOK:
		return InvalidUTF8RecordID
	case r.RecordID == "":
		return MissingRecordID
	case !hasIdentifying(r):
		return NoIdentifyingField
	}
	return ""
}

// text cleans *s and nulls it if it is a placeholder (when placeholders
// is set) or longer than max. It reports false only when the value was not
// valid UTF-8 and could not be repaired (the value is then null).
//
// Columns with a normaliser leave placeholders to it: every normaliser
// maps a placeholder to "", so the common case checks once.
func (v *Validator) text(s *string, col, max int, placeholders bool, rep *Report) bool {
	if *s == "" {
		return true
	}
	out, res := clean(*s)
	if res&textInvalid != 0 {
		rep.add(col, InvalidEncoding)
		*s = ""
		return false
	}
	if res&textStripped != 0 {
		rep.add(col, ControlCharacters)
	}
	if res&textRepaired != 0 {
		rep.add(col, RepairedEncoding)
	}
	switch {
	case out == "":
	case placeholders && normalize.IsPlaceholder(out):
		rep.add(col, Placeholder)
		out = ""
	case runeCountOver(out, max):
		rep.add(col, TooLong)
		out = ""
	}
	*s = out
	return true
}

func (v *Validator) name(s *string, col int, rep *Report) {
	v.text(s, col, MaxNameLen, false, rep)
	if *s != "" && normalize.Name(*s) == "" {
		rep.add(col, emptied(*s))
		*s = ""
	}
}

// emptied classifies a value that a normaliser reduced to nothing: a
// placeholder, or a value with no content of the column's kind.
func emptied(s string) Problem {
	if normalize.IsPlaceholder(s) {
		return Placeholder
	}
	return NoContent
}

func (v *Validator) niNumber(r *person.Record, rep *Report) {
	v.text(&r.NINumber, colNINumber, MaxNILen, false, rep)
	if r.NINumber == "" {
		return
	}
	switch _, st := normalize.NINumber(r.NINumber); st {
	case normalize.NIPlaceholder:
		rep.add(colNINumber, Placeholder)
		r.NINumber = ""
	case normalize.NIEmpty:
		rep.add(colNINumber, emptied(r.NINumber))
		r.NINumber = ""
	case normalize.NIFormat:
		rep.add(colNINumber, NotHMRCFormat)
	}
}

func (v *Validator) postcode(s *string, col int, rep *Report) {
	v.text(s, col, MaxPostcodeLen, false, rep)
	if *s == "" {
		return
	}
	pc, uk := normalize.Postcode(*s)
	switch {
	case pc == "":
		// A placeholder, or a pseudo-postcode such as ZZ99 3VZ (no fixed
		// abode), which is one too.
		rep.add(col, Placeholder)
		*s = ""
	case !uk:
		rep.add(col, NotUKFormat)
	}
}

func (v *Validator) uprn(r *person.Record, rep *Report) {
	v.text(&r.UPRN, colUPRN, MaxUPRNLen, true, rep)
	if r.UPRN == "" {
		return
	}
	if len(r.UPRN) > 12 || !digits(r.UPRN) {
		rep.add(colUPRN, NotUPRNFormat)
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (v *Validator) phone(r *person.Record, rep *Report) {
	v.text(&r.Phone, colPhone, MaxPhoneLen, false, rep)
	if r.Phone == "" {
		return
	}
	switch e164, ok := normalize.Phone(r.Phone); {
	case e164 == "":
		// A placeholder, no digits, or a dummy number such as 0000000000.
		rep.add(colPhone, Placeholder)
		r.Phone = ""
	case !ok:
		rep.add(colPhone, InvalidPhone)
	}
}

func (v *Validator) email(r *person.Record, rep *Report) {
	v.text(&r.Email, colEmail, MaxEmailLen, false, rep)
	if r.Email == "" {
		return
	}
	switch e, ok := normalize.Email(r.Email); {
	case e == "":
		rep.add(colEmail, Placeholder)
		r.Email = ""
	case !ok:
		rep.add(colEmail, InvalidEmail)
	}
}

// Tenancy roles as the canonical schema spells them.
var roles = [...]string{"lead", "joint", "household"}

// tenancyRole lower-cases a role that differs from a canonical one only in
// case, and flags any other value.
func (v *Validator) tenancyRole(r *person.Record, rep *Report) {
	v.text(&r.TenancyRole, colTenancyRole, MaxTextLen, false, rep)
	if r.TenancyRole == "" {
		return
	}
	for _, role := range roles {
		if r.TenancyRole == role {
			return
		}
	}
	for _, role := range roles {
		if equalFoldASCII(r.TenancyRole, role) {
			r.TenancyRole = role
			return
		}
	}
	if role, ok := normalize.TenancyRole(r.TenancyRole); ok {
		r.TenancyRole = role
		rep.add(colTenancyRole, RoleRespelled)
		return
	}
	rep.add(colTenancyRole, UnknownRole)
}

func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func (v *Validator) dates(r *person.Record, rep *Report) {
	v.placeholderOrAncient(&r.DOB, colDOB, rep)
	v.placeholderOrAncient(&r.DateOfDeath, colDateOfDeath, rep)
	v.placeholderOrAncient(&r.TenancyStart, colTenancyStart, rep)
	v.placeholderOrAncient(&r.TenancyEnd, colTenancyEnd, rep)

	if r.DateOfDeath.After(v.today) {
		rep.add(colDateOfDeath, InFuture)
		r.DateOfDeath = date.Date{}
	}
	if !r.DOB.IsZero() {
		switch {
		case r.DOB.After(v.today):
			rep.add(colDOB, InFuture)
			r.DOB = date.Date{}
		case !r.DOB.After(v.oldestDOB) && r.DateOfDeath.IsZero():
			rep.add(colDOB, OverMaxAge)
		case !r.DateOfDeath.IsZero() && Age(r.DOB, r.DateOfDeath) > MaxAge:
			// The age that matters for a deceased person is the age at death.
			rep.add(colDOB, OverMaxAge)
		}
	}
	if r.DateOfDeath.Before(r.DOB) {
		rep.add(colDateOfDeath, DeathBeforeBirth)
	}
	if r.TenancyEnd.Before(r.TenancyStart) {
		rep.add(colTenancyEnd, EndBeforeStart)
	}
}

// placeholderOrAncient nulls a system default date or one before Earliest.
func (v *Validator) placeholderOrAncient(d *date.Date, col int, rep *Report) {
	if d.IsZero() {
		return
	}
	switch {
	case normalize.IsPlaceholderDate(*d):
		rep.add(col, Placeholder)
		*d = date.Date{}
	case d.Before(Earliest):
		rep.add(col, Implausible)
		*d = date.Date{}
	}
}

// hasIdentifying reports whether any column of person.Identifying is set.
func hasIdentifying(r *person.Record) bool {
	return r.Forename != "" || r.Surname != "" || !r.DOB.IsZero() || r.NINumber != "" ||
		r.Address != "" || r.Postcode != "" || r.UPRN != "" || r.Phone != "" || r.Email != ""
}
