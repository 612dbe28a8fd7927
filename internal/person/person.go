// Package person defines the canonical person schema: the one shape that
// every tenancy export and partner dataset is mapped onto before anything
// else happens to it.
package person

import (
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
)

// Record is one person as a dataset holds them, in clear. Records exist
// only between loading and pseudonymisation, and in the re-identification
// vault; the matching stages never see them.
//
// Empty strings and zero dates are nulls.
type Record struct {
	RecordID    string
	Forename    string
	MiddleNames string
	Surname     string
	DOB         date.Date
	NINumber    string
	Passport    string // a passport or other travel document's number
	Address     string // one line, without the postcode
	Postcode    string
	UPRN        string
	Phone       string
	Email       string
	Gender      string // as recorded: a sex or gender word, code or title (see normalize.Gender)

	// Role-specific columns. Which are filled depends on the dataset's role.
	TenancyRef         string
	TenancyRole        string // "lead", "joint" or "household"
	TenancyStart       date.Date
	TenancyEnd         date.Date // also an account's closing date
	DateOfDeath        date.Date
	ForwardingAddress  string
	ForwardingPostcode string
	Balance            money.Pence // owed by the person; positive is arrears; null reads as 0

	// Special category data (UK GDPR Article 9) and criminal offence data
	// (Article 10) that real exports carry. They are loaded only so that
	// minimisation can prove they never leave without a condition.
	Ethnicity  string
	Disability string
	Religion   string
	Conviction string
}

// Column names of the canonical schema, as they appear in canonical Parquet
// files and in the exercise config's column mappings.
const (
	ColRecordID           = "record_id"
	ColForename           = "forename"
	ColMiddleNames        = "middle_names"
	ColSurname            = "surname"
	ColDOB                = "dob"
	ColNINumber           = "ni_number"
	ColPassport           = "passport_number"
	ColAddress            = "address"
	ColPostcode           = "postcode"
	ColUPRN               = "uprn"
	ColPhone              = "phone"
	ColEmail              = "email"
	ColGender             = "gender"
	ColTenancyRef         = "tenancy_ref"
	ColTenancyRole        = "tenancy_role"
	ColTenancyStart       = "tenancy_start"
	ColTenancyEnd         = "tenancy_end"
	ColDateOfDeath        = "date_of_death"
	ColForwardingAddress  = "forwarding_address"
	ColForwardingPostcode = "forwarding_postcode"
	ColBalance            = "balance"
	ColEthnicity          = "ethnicity"
	ColDisability         = "disability"
	ColReligion           = "religion"
	ColConviction         = "conviction"
)

// Kind is the value type of a canonical column.
type Kind int

const (
	String Kind = iota
	Date
	Money
)

// Category says how the law and this product treat a column.
type Category int

const (
	// Identifier columns identify a person directly. They are pseudonymised
	// at ingest and appear in clear only in the vault and in outputs whose
	// recipient may see them.
	Identifier Category = iota
	// Attribute columns (dates of a tenancy, balances, references) are
	// carried through matching as evidence.
	Attribute
	// SpecialCategory columns are Article 9 data.
	SpecialCategory
	// CriminalOffence columns are Article 10 data.
	CriminalOffence
)

func (c Category) String() string {
	switch c {
	case Identifier:
		return "identifier"
	case Attribute:
		return "attribute"
	case SpecialCategory:
		return "special-category"
	case CriminalOffence:
		return "criminal-offence"
	}
	return "unknown"
}

// Column describes one canonical column.
type Column struct {
	Name     string
	Kind     Kind
	Category Category
}

// Columns lists the canonical schema in file order.
var Columns = []Column{
	{ColRecordID, String, Attribute},
	{ColForename, String, Identifier},
	{ColMiddleNames, String, Identifier},
	{ColSurname, String, Identifier},
	{ColDOB, Date, Identifier},
	{ColNINumber, String, Identifier},
	{ColPassport, String, Identifier},
	{ColAddress, String, Identifier},
	{ColPostcode, String, Identifier},
	{ColUPRN, String, Identifier},
	{ColPhone, String, Identifier},
	{ColEmail, String, Identifier},
	{ColGender, String, Identifier},
	{ColTenancyRef, String, Attribute},
	{ColTenancyRole, String, Attribute},
	{ColTenancyStart, Date, Attribute},
	{ColTenancyEnd, Date, Attribute},
	{ColDateOfDeath, Date, Attribute},
	{ColForwardingAddress, String, Identifier},
	{ColForwardingPostcode, String, Identifier},
	{ColBalance, Money, Attribute},
	{ColEthnicity, String, SpecialCategory},
	{ColDisability, String, SpecialCategory},
	{ColReligion, String, SpecialCategory},
	{ColConviction, String, CriminalOffence},
}

// Lookup returns the canonical column called name.
func Lookup(name string) (Column, bool) {
	for _, c := range Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Identifying lists the identifier columns that, when present and valid,
// make a row usable for matching (record_id alone is not enough).
var Identifying = []string{ColForename, ColSurname, ColDOB, ColNINumber, ColPassport, ColAddress, ColPostcode, ColUPRN, ColPhone, ColEmail}

// String returns the value of a string column of r by canonical name, and
// false for a name that is not a string column.
func (r *Record) String(name string) (string, bool) {
	if p := r.stringField(name); p != nil {
		return *p, true
	}
	return "", false
}

// SetString sets a string column by canonical name; it reports false for a
// name that is not a string column.
func (r *Record) SetString(name, v string) bool {
	if p := r.stringField(name); p != nil {
		*p = v
		return true
	}
	return false
}

// DateField returns a pointer to a date column by canonical name, or nil.
func (r *Record) DateField(name string) *date.Date {
	switch name {
	case ColDOB:
		return &r.DOB
	case ColTenancyStart:
		return &r.TenancyStart
	case ColTenancyEnd:
		return &r.TenancyEnd
	case ColDateOfDeath:
		return &r.DateOfDeath
	}
	return nil
}

func (r *Record) stringField(name string) *string {
	switch name {
	case ColRecordID:
		return &r.RecordID
	case ColForename:
		return &r.Forename
	case ColMiddleNames:
		return &r.MiddleNames
	case ColSurname:
		return &r.Surname
	case ColNINumber:
		return &r.NINumber
	case ColPassport:
		return &r.Passport
	case ColAddress:
		return &r.Address
	case ColPostcode:
		return &r.Postcode
	case ColUPRN:
		return &r.UPRN
	case ColPhone:
		return &r.Phone
	case ColEmail:
		return &r.Email
	case ColGender:
		return &r.Gender
	case ColTenancyRef:
		return &r.TenancyRef
	case ColTenancyRole:
		return &r.TenancyRole
	case ColForwardingAddress:
		return &r.ForwardingAddress
	case ColForwardingPostcode:
		return &r.ForwardingPostcode
	case ColEthnicity:
		return &r.Ethnicity
	case ColDisability:
		return &r.Disability
	case ColReligion:
		return &r.Religion
	case ColConviction:
		return &r.Conviction
	}
	return nil
}
