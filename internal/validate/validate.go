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
	"unsafe"

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
	MaxPassportLen = 32
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
	return v.RecordMemo(r, rep, nil)
}

// RecordMemo is Record with the outcome of each text column's rules looked
// up in m first and remembered there, so that a value seen in an earlier
// row is not checked again. It changes r and rep exactly as Record does; a
// nil m remembers nothing.
func (v *Validator) RecordMemo(r *person.Record, rep *Report, m *Memo) RowReason {
	idOK := m.apply(&r.RecordID, &ruleRecordID, rep)

	m.apply(&r.Forename, &ruleForename, rep)
	m.apply(&r.MiddleNames, &ruleMiddleNames, rep)
	m.apply(&r.Surname, &ruleSurname, rep)
	m.apply(&r.NINumber, &ruleNINumber, rep)
	m.apply(&r.Passport, &rulePassport, rep)
	m.apply(&r.Address, &ruleAddress, rep)
	m.apply(&r.Postcode, &rulePostcode, rep)
	m.apply(&r.UPRN, &ruleUPRN, rep)
	m.apply(&r.Phone, &rulePhone, rep)
	m.apply(&r.Email, &ruleEmail, rep)
	m.apply(&r.Gender, &ruleGender, rep)
	m.apply(&r.ForwardingAddress, &ruleForwardingAddress, rep)
	m.apply(&r.ForwardingPostcode, &ruleForwardingPostcode, rep)

	m.apply(&r.TenancyRef, &ruleTenancyRef, rep)
	m.apply(&r.TenancyRole, &ruleTenancyRole, rep)
	m.apply(&r.Ethnicity, &ruleEthnicity, rep)
	m.apply(&r.Disability, &ruleDisability, rep)
	m.apply(&r.Religion, &ruleReligion, rep)
	m.apply(&r.Conviction, &ruleConviction, rep)

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

// problems is a set of Problems, one bit each: what the rules found in one
// value.
type problems uint32

func (ps *problems) add(p Problem)     { *ps |= 1 << p }
func (ps problems) has(p Problem) bool { return ps&(1<<p) != 0 }

// check is the set of rules one text column gets.
type check uint8

const (
	checkText        check = iota // cleaning and the length limit
	checkPlaceholder              // and placeholders nulled
	checkName
	checkNINumber
	checkPassport
	checkPostcode
	checkUPRN
	checkPhone
	checkEmail
	checkRole
	checkGender
)

// textRule is the rules of one text column.
type textRule struct {
	col   int // index in person.Columns
	check check
	max   int // length limit in characters
}

var (
	ruleRecordID           = textRule{colRecordID, checkText, MaxTextLen}
	ruleForename           = textRule{colForename, checkName, MaxNameLen}
	ruleMiddleNames        = textRule{colMiddleNames, checkName, MaxNameLen}
	ruleSurname            = textRule{colSurname, checkName, MaxNameLen}
	ruleNINumber           = textRule{colNINumber, checkNINumber, MaxNILen}
	rulePassport           = textRule{colPassport, checkPassport, MaxPassportLen}
	ruleAddress            = textRule{colAddress, checkPlaceholder, MaxAddressLen}
	rulePostcode           = textRule{colPostcode, checkPostcode, MaxPostcodeLen}
	ruleUPRN               = textRule{colUPRN, checkUPRN, MaxUPRNLen}
	rulePhone              = textRule{colPhone, checkPhone, MaxPhoneLen}
	ruleEmail              = textRule{colEmail, checkEmail, MaxEmailLen}
	ruleGender             = textRule{colGender, checkGender, MaxTextLen}
	ruleForwardingAddress  = textRule{colForwardingAddress, checkPlaceholder, MaxAddressLen}
	ruleForwardingPostcode = textRule{colForwardingPostcode, checkPostcode, MaxPostcodeLen}
	ruleTenancyRef         = textRule{colTenancyRef, checkText, MaxTextLen}
	ruleTenancyRole        = textRule{colTenancyRole, checkRole, MaxTextLen}
	ruleEthnicity          = textRule{colEthnicity, checkText, MaxTextLen}
	ruleDisability         = textRule{colDisability, checkText, MaxTextLen}
	ruleReligion           = textRule{colReligion, checkText, MaxTextLen}
	ruleConviction         = textRule{colConviction, checkText, MaxTextLen}
)

// apply replaces the non-empty value *s by what the rules make of it,
// through m when m is not nil, and counts the problems found. It reports
// false only when the value was not valid UTF-8 and could not be repaired
// (the value is then null).
func (m *Memo) apply(s *string, rule *textRule, rep *Report) bool {
	in := *s
	if in == "" {
		return true
	}
	var out string
	var ps problems
	if m != nil {
		out, ps = m.check(rule, in)
	} else {
		out, ps = rule.apply(in)
	}
	if !same(out, in) {
		*s = out
	}
	if ps != 0 {
		rep.addAll(rule.col, ps)
		return !ps.has(InvalidEncoding)
	}
	return true
}

// same reports whether a and b are equal, without comparing their bytes
// when they are the same bytes in memory, as a value the rules leave alone
// is.
func same(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// apply returns what the rules make of the non-empty value s, and the
// problems they find.
func (rule *textRule) apply(s string) (string, problems) {
	out, ps := cleanText(s, rule.max, rule.check == checkPlaceholder || rule.check == checkUPRN)
	if out == "" {
		return out, ps
	}
	switch rule.check {
	case checkName:
		if !normalize.HasName(out) {
			ps.add(emptied(out))
			out = ""
		}
	case checkNINumber:
		switch _, st := normalize.NINumber(out); st {
		case normalize.NIPlaceholder:
			ps.add(Placeholder)
			out = ""
		case normalize.NIEmpty:
			ps.add(emptied(out))
			out = ""
		case normalize.NIFormat:
			ps.add(NotHMRCFormat)
		}
	case checkPassport:
		// A placeholder, no digit, or a dummy number such as 123456789
		// is no number.
		present, ok := normalize.PassportStatus(out)
		out = byStatus(out, &ps, present, ok, InvalidPassport)
	case checkPostcode:
		switch pc, uk := normalize.Postcode(out); {
		case pc == "":
			// A placeholder, or a pseudo-postcode such as ZZ99 3VZ (no
			// fixed abode), which is one too.
			ps.add(Placeholder)
			out = ""
		case !uk:
			ps.add(NotUKFormat)
		}
	case checkUPRN:
		if len(out) > 12 || !digits(out) {
			ps.add(NotUPRNFormat)
		}
	case checkPhone:
		// A placeholder, no digits, or a dummy number such as 0000000000
		// is no number.
		present, ok := normalize.PhoneStatus(out)
		out = byStatus(out, &ps, present, ok, InvalidPhone)
	case checkEmail:
		present, ok := normalize.EmailStatus(out)
		out = byStatus(out, &ps, present, ok, InvalidEmail)
	case checkRole:
		out, ps = tenancyRole(out, ps)
	case checkGender:
		if _, ok := normalize.Gender(out); !ok {
			ps.add(UnknownGender)
		}
	}
	return out, ps
}

// byStatus returns what becomes of the value out of a column whose
// normaliser reports whether a value is present at all and whether it is
// well formed: a value that is not present is a placeholder and nulled,
// one that is malformed is kept and counted as invalid.
func byStatus(out string, ps *problems, present, ok bool, invalid Problem) string {
	switch {
	case !present:
		ps.add(Placeholder)
		return ""
	case !ok:
		ps.add(invalid)
	}
	return out
}

// cleanText cleans s and nulls it if it is a placeholder (when
// placeholders is set) or longer than max characters.
//
// Columns with a normaliser leave placeholders to it: every normaliser
// maps a placeholder to "", so the common case checks once.
func cleanText(s string, max int, placeholders bool) (string, problems) {
	out, res := clean(s)
	var ps problems
	if res&textInvalid != 0 {
		ps.add(InvalidEncoding)
		return "", ps
	}
	if res&textStripped != 0 {
		ps.add(ControlCharacters)
	}
	if res&textRepaired != 0 {
		ps.add(RepairedEncoding)
	}
	switch {
	case out == "":
	case placeholders && normalize.IsPlaceholder(out):
		ps.add(Placeholder)
		out = ""
	case runeCountOver(out, max):
		ps.add(TooLong)
		out = ""
	}
	return out, ps
}

// emptied classifies a value that a normaliser reduced to nothing: a
// placeholder, or a value with no content of the column's kind.
func emptied(s string) Problem {
	if normalize.IsPlaceholder(s) {
		return Placeholder
	}
	return NoContent
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Tenancy roles as the canonical schema spells them.
var roles = [...]string{"lead", "joint", "household"}

// tenancyRole lower-cases a role that differs from a canonical one only in
// case, respells one written another way, and flags any other value.
func tenancyRole(s string, ps problems) (string, problems) {
	for _, role := range roles {
		if s == role {
			return s, ps
		}
	}
	for _, role := range roles {
		if equalFoldASCII(s, role) {
			return role, ps
		}
	}
	if role, ok := normalize.TenancyRole(s); ok {
		ps.add(RoleRespelled)
		return role, ps
	}
	ps.add(UnknownRole)
	return s, ps
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
	return r.Forename != "" || r.Surname != "" || !r.DOB.IsZero() || r.NINumber != "" || r.Passport != "" ||
		r.Address != "" || r.Postcode != "" || r.UPRN != "" || r.Phone != "" || r.Email != ""
}
