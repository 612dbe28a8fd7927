package load

import (
	"unsafe"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
)

// textField and dateField return a pointer to one column of a record. They
// are resolved once per canonical column so that filling a batch does not
// look columns up by name for every row.
type (
	textField func(*person.Record) *string
	dateField func(*person.Record) *date.Date
)

var textFields = map[string]textField{
	person.ColRecordID:           func(r *person.Record) *string { return &r.RecordID },
	person.ColForename:           func(r *person.Record) *string { return &r.Forename },
	person.ColMiddleNames:        func(r *person.Record) *string { return &r.MiddleNames },
	person.ColSurname:            func(r *person.Record) *string { return &r.Surname },
	person.ColNINumber:           func(r *person.Record) *string { return &r.NINumber },
	person.ColPassport:           func(r *person.Record) *string { return &r.Passport },
	person.ColAddress:            func(r *person.Record) *string { return &r.Address },
	person.ColPostcode:           func(r *person.Record) *string { return &r.Postcode },
	person.ColUPRN:               func(r *person.Record) *string { return &r.UPRN },
	person.ColPhone:              func(r *person.Record) *string { return &r.Phone },
	person.ColEmail:              func(r *person.Record) *string { return &r.Email },
	person.ColGender:             func(r *person.Record) *string { return &r.Gender },
	person.ColTenancyRef:         func(r *person.Record) *string { return &r.TenancyRef },
	person.ColTenancyRole:        func(r *person.Record) *string { return &r.TenancyRole },
	person.ColForwardingAddress:  func(r *person.Record) *string { return &r.ForwardingAddress },
	person.ColForwardingPostcode: func(r *person.Record) *string { return &r.ForwardingPostcode },
	person.ColEthnicity:          func(r *person.Record) *string { return &r.Ethnicity },
	person.ColDisability:         func(r *person.Record) *string { return &r.Disability },
	person.ColReligion:           func(r *person.Record) *string { return &r.Religion },
	person.ColConviction:         func(r *person.Record) *string { return &r.Conviction },
}

var dateFields = map[string]dateField{
	person.ColDOB:          func(r *person.Record) *date.Date { return &r.DOB },
	person.ColTenancyStart: func(r *person.Record) *date.Date { return &r.TenancyStart },
	person.ColTenancyEnd:   func(r *person.Record) *date.Date { return &r.TenancyEnd },
	person.ColDateOfDeath:  func(r *person.Record) *date.Date { return &r.DateOfDeath },
}

// fieldOffset returns the offset in person.Record of the field set points
// at, so that a loop over many records can set it without a call per
// record (see setText).
func fieldOffset(set textField) uintptr {
	var r person.Record
	return uintptr(unsafe.Pointer(set(&r))) - uintptr(unsafe.Pointer(&r))
}

// setText sets the text field at offset off (from fieldOffset) of every
// record in recs to the value of the same row in vals.
func setText(recs []person.Record, off uintptr, vals []string) {
	for i, v := range vals[:len(recs)] {
		*(*string)(unsafe.Add(unsafe.Pointer(&recs[i]), off)) = v
	}
}
