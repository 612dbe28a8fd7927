package exercise

import (
	"github.com/datamatch/datamatch/internal/person"
)

// LawfulBasis is a lawful basis for processing under UK GDPR Article 6(1).
type LawfulBasis string

// The six lawful bases of Article 6(1), as written in an exercise config.
const (
	Consent             LawfulBasis = "consent"              // Art. 6(1)(a)
	Contract            LawfulBasis = "contract"             // Art. 6(1)(b)
	LegalObligation     LawfulBasis = "legal_obligation"     // Art. 6(1)(c)
	VitalInterests      LawfulBasis = "vital_interests"      // Art. 6(1)(d)
	PublicTask          LawfulBasis = "public_task"          // Art. 6(1)(e)
	LegitimateInterests LawfulBasis = "legitimate_interests" // Art. 6(1)(f)
)

// LawfulBases lists every lawful basis in the order of Article 6(1).
var LawfulBases = []LawfulBasis{Consent, Contract, LegalObligation, VitalInterests, PublicTask, LegitimateInterests}

// Valid reports whether b is one of the six lawful bases.
func (b LawfulBasis) Valid() bool { return b.Article() != "" }

// Article returns the point of Article 6(1) that b is, such as "6(1)(e)",
// or "" for an unknown basis.
func (b LawfulBasis) Article() string {
	for i, x := range LawfulBases {
		if b == x {
			return "6(1)(" + string(rune('a'+i)) + ")"
		}
	}
	return ""
}

// Rule names a detection.
type Rule string

// Detection rules.
const (
	// DualTenancy finds our current tenant holding a current, overlapping
	// tenancy with another landlord.
	DualTenancy Rule = "dual_tenancy"
	// TenancyAfterDeath finds a tenancy that went on after its sole tenant
	// died.
	TenancyAfterDeath Rule = "tenancy_after_death"
	// DuplicateIdentity finds one person holding two of our current
	// tenancies.
	DuplicateIdentity Rule = "duplicate_identity"
	// ArrearsTracing finds a former tenant with arrears at a utility
	// account closed with a forwarding address.
	ArrearsTracing Rule = "arrears_tracing"
	// Statistics counts the cases of the other rules by probability band,
	// with small numbers suppressed.
	Statistics Rule = "statistics"
)

// Threshold keys of a detection's thresholds map.
const (
	MinProbability = "min_probability"  // a pair's match probability must be at least this (0 to 1)
	OverlapDays    = "overlap_days"     // tenancies must overlap by at least this many days
	GraceDays      = "grace_days"       // days after a death within which ending the tenancy is timely
	MinArrears     = "min_arrears"      // the balance owed must be at least this amount
	ClosedAfterEnd = "closed_after_end" // the partner account must have closed on or after our tenancy ended
)

// RuleSpec describes what a rule reads and what it may lead to.
type RuleSpec struct {
	Rule Rule
	// Subject and Partner are the roles of the two datasets whose pairs the
	// rule examines; Subject is always our own tenancy data. Both are empty
	// for Statistics, which reads cases, not pairs.
	Subject, Partner person.Role
	// Columns lists the canonical columns the rule reads as evidence; a
	// purpose running the rule must be allowed to read all of them.
	Columns []string
	// Thresholds lists the threshold keys the rule accepts, and Required
	// those it cannot run without.
	Thresholds, Required []string
	// LegalEffect is true when a case can lead to a decision with legal or
	// similarly significant effect on the person (possession proceedings,
	// debt recovery): a purpose running the rule must say
	// significant_effect: true, and its cases are decided by a person.
	LegalEffect bool
}

var ruleSpecs = []RuleSpec{
	{
		Rule: DualTenancy, Subject: person.RoleTenancy, Partner: person.RoleOtherLandlord,
		Columns:     []string{person.ColTenancyStart, person.ColTenancyEnd},
		Thresholds:  []string{MinProbability, OverlapDays},
		LegalEffect: true,
	},
	{
		Rule: TenancyAfterDeath, Subject: person.RoleTenancy, Partner: person.RoleDeceased,
		Columns:     []string{person.ColTenancyRef, person.ColTenancyRole, person.ColTenancyStart, person.ColTenancyEnd, person.ColDateOfDeath},
		Thresholds:  []string{MinProbability, GraceDays},
		LegalEffect: true,
	},
	{
		Rule: DuplicateIdentity, Subject: person.RoleTenancy, Partner: person.RoleTenancy,
		Columns:     []string{person.ColTenancyRef, person.ColTenancyRole, person.ColTenancyStart, person.ColTenancyEnd},
		Thresholds:  []string{MinProbability, OverlapDays},
		LegalEffect: true,
	},
	{
		Rule: ArrearsTracing, Subject: person.RoleTenancy, Partner: person.RoleUtilityClosed,
		Columns:     []string{person.ColTenancyEnd, person.ColBalance},
		Thresholds:  []string{MinProbability, MinArrears, ClosedAfterEnd},
		Required:    []string{MinArrears},
		LegalEffect: true,
	},
	{
		Rule:       Statistics,
		Thresholds: []string{MinProbability},
	},
}

// Rules lists every rule.
var Rules = []Rule{DualTenancy, TenancyAfterDeath, DuplicateIdentity, ArrearsTracing, Statistics}

// Spec returns what rule r reads and may lead to; it reports false for an
// unknown rule.
func Spec(r Rule) (RuleSpec, bool) {
	for _, s := range ruleSpecs {
		if s.Rule == r {
			return s, true
		}
	}
	return RuleSpec{}, false
}

// Format is the file format of an output.
type Format string

// Output formats.
const (
	Parquet Format = "parquet"
	CSV     Format = "csv"
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == Parquet || f == CSV }

// Side says where an output field's value comes from.
type Side int

const (
	// FromCase fields describe the case itself.
	FromCase Side = iota
	// FromSubject fields are taken from our own record of the case.
	FromSubject
	// FromPartner fields are taken from the partner dataset's record.
	FromPartner
	// FromStatistics fields are the cells of a statistics table.
	FromStatistics
)

// String returns "case", "subject", "partner" or "statistics".
func (s Side) String() string {
	switch s {
	case FromCase:
		return "case"
	case FromSubject:
		return "subject"
	case FromPartner:
		return "partner"
	case FromStatistics:
		return "statistics"
	}
	return "unknown"
}

// OutputField is one name an output's fields list may use.
type OutputField struct {
	Name string
	Side Side
	// Column is the canonical column whose value the field shows, or "" for
	// a field that shows no column's value (a probability, a count). A
	// purpose may output the field only if it may read Column.
	Column string
}

// Category returns the person.Category of the column f shows; it reports
// false when f shows no column.
func (f OutputField) Category() (person.Category, bool) {
	if f.Column == "" {
		return 0, false
	}
	c, ok := person.Lookup(f.Column)
	return c.Category, ok
}

// Clear reports whether f shows a clear identifier, special-category or
// criminal-offence value, which only the clear source or the
// re-identification vault can supply.
func (f OutputField) Clear() bool {
	c, ok := f.Category()
	return ok && c != person.Attribute
}

// Names of the statistics fields.
const (
	FieldRule            = "rule"
	FieldProbabilityBand = "probability_band"
	FieldCount           = "count"
)

// FieldCaseID is the case field that names a case as the review queue
// does.
const FieldCaseID = "case_id"

// OutputFields is the output field vocabulary: every name an output's
// fields list may use.
var OutputFields = []OutputField{
	// The case.
	{FieldCaseID, FromCase, ""},
	{FieldRule, FromCase, ""},
	{"purpose", FromCase, ""},
	{"match_probability", FromCase, ""},
	{"match_weight", FromCase, ""},
	{"explanation", FromCase, ""},
	{"evidence", FromCase, ""},
	{"overlap_days", FromCase, ""},
	{"days_after_death", FromCase, ""},
	{"subject_dataset", FromCase, ""},
	{"subject_ref", FromCase, ""},
	{"partner_dataset", FromCase, ""},
	{"partner_ref", FromCase, ""},

	// Our record.
	{"subject_record_id", FromSubject, person.ColRecordID},
	{"forename", FromSubject, person.ColForename},
	{"middle_names", FromSubject, person.ColMiddleNames},
	{"surname", FromSubject, person.ColSurname},
	{"dob", FromSubject, person.ColDOB},
	{"ni_number", FromSubject, person.ColNINumber},
	{"passport_number", FromSubject, person.ColPassport},
	{"address", FromSubject, person.ColAddress},
	{"postcode", FromSubject, person.ColPostcode},
	{"uprn", FromSubject, person.ColUPRN},
	{"phone", FromSubject, person.ColPhone},
	{"email", FromSubject, person.ColEmail},
	{"gender", FromSubject, person.ColGender},
	{"tenancy_ref", FromSubject, person.ColTenancyRef},
	{"tenancy_role", FromSubject, person.ColTenancyRole},
	{"tenancy_start", FromSubject, person.ColTenancyStart},
	{"tenancy_end", FromSubject, person.ColTenancyEnd},
	{"balance", FromSubject, person.ColBalance},
	{"ethnicity", FromSubject, person.ColEthnicity},
	{"disability", FromSubject, person.ColDisability},
	{"religion", FromSubject, person.ColReligion},
	{"conviction", FromSubject, person.ColConviction},

	// The partner's record.
	{"partner_record_id", FromPartner, person.ColRecordID},
	{"partner_forename", FromPartner, person.ColForename},
	{"partner_middle_names", FromPartner, person.ColMiddleNames},
	{"partner_surname", FromPartner, person.ColSurname},
	{"partner_dob", FromPartner, person.ColDOB},
	{"partner_address", FromPartner, person.ColAddress},
	{"partner_postcode", FromPartner, person.ColPostcode},
	{"partner_tenancy_ref", FromPartner, person.ColTenancyRef},
	{"partner_tenancy_start", FromPartner, person.ColTenancyStart},
	{"partner_tenancy_end", FromPartner, person.ColTenancyEnd},
	{"account_closed", FromPartner, person.ColTenancyEnd},
	{"date_of_death", FromPartner, person.ColDateOfDeath},
	{"forwarding_address", FromPartner, person.ColForwardingAddress},
	{"forwarding_postcode", FromPartner, person.ColForwardingPostcode},

	// A statistics table.
	{FieldProbabilityBand, FromStatistics, ""},
	{FieldCount, FromStatistics, ""},
}

// LookupOutputField returns the output field called name.
func LookupOutputField(name string) (OutputField, bool) {
	for _, f := range OutputFields {
		if f.Name == name {
			return f, true
		}
	}
	return OutputField{}, false
}

// StatisticsField reports whether name may appear in the output of a
// statistics purpose: rule, probability_band and count.
func StatisticsField(name string) bool {
	return name == FieldRule || name == FieldProbabilityBand || name == FieldCount
}

// RecipientLimit returns every field that recipient may receive, for the
// recipients whose share the privacy notice fixes; it reports false for
// other recipients. A utility provider receives a name and a tenancy start
// date, nothing else.
func RecipientLimit(recipient string) ([]string, bool) {
	switch recipient {
	case "utility_provider":
		return []string{"forename", "middle_names", "surname", "tenancy_start"}, true
	}
	return nil, false
}
