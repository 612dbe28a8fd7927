package rights

import (
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// Encoder pseudonymises a clear person record under the exercise key.
// *pseudo.Encoder satisfies it.
type Encoder interface {
	Encode(dst *pseudo.Record, src *person.Record)
}

// Rule names the combination of pseudonyms on which a record was
// recognised as a listed person.
type Rule int

// Recognition rules, in the order they are tried.
const (
	RuleNINumber         Rule = iota + 1 // NI number
	RulePassport                         // passport number
	RuleSurnameForename                  // surname, forename and date of birth
	RuleSurnameNickname                  // surname, forename nickname group and date of birth
	RuleSurnamePostcode                  // surname, date of birth and postcode
	RuleForenamePostcode                 // forename (or its nickname group), date of birth and postcode
)

// String returns the rule's name as it appears in reports.
func (r Rule) String() string {
	switch r {
	case RuleNINumber:
		return "ni_number"
	case RulePassport:
		return "passport_number"
	case RuleSurnameForename:
		return "surname+forename+dob"
	case RuleSurnameNickname:
		return "surname+nickname_group+dob"
	case RuleSurnamePostcode:
		return "surname+dob+postcode"
	case RuleForenamePostcode:
		return "forename+dob+postcode"
	}
	return "none"
}

// MarshalText implements encoding.TextMarshaler.
func (r Rule) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// triple is a map key of three pseudonyms.
type triple [3]pseudo.Token

// index holds the match keys of a set of people as hash sets of pseudonyms.
// Each key maps to the people (entry numbers) that have it.
type index struct {
	ni               map[pseudo.Token][]int32
	passport         map[pseudo.Token][]int32
	surnameForename  map[triple][]int32 // surname, forename, dob
	surnameNickname  map[triple][]int32 // surname, group, dob
	surnamePostcode  map[triple][]int32 // surname, dob, postcode
	forenamePostcode map[triple][]int32 // forename, dob, postcode
	nicknamePostcode map[triple][]int32 // group, dob, postcode
}

func newIndex() *index {
	return &index{
		ni:               make(map[pseudo.Token][]int32),
		passport:         make(map[pseudo.Token][]int32),
		surnameForename:  make(map[triple][]int32),
		surnameNickname:  make(map[triple][]int32),
		surnamePostcode:  make(map[triple][]int32),
		forenamePostcode: make(map[triple][]int32),
		nicknamePostcode: make(map[triple][]int32),
	}
}

// keyable reports whether r carries at least one complete match key.
func keyable(r *pseudo.Record) bool {
	if r.NINumber != 0 || r.Passport != 0 {
		return true
	}
	if r.DOB == 0 {
		return false
	}
	hasForename := r.Forename != 0 || r.ForenameGroup != 0
	if r.Surname != 0 && (hasForename || r.Postcode != 0) {
		return true
	}
	return hasForename && r.Postcode != 0
}

// add indexes entry e under every complete key of r.
func (x *index) add(e int32, r *pseudo.Record) {
	put := func(m map[triple][]int32, k triple) { m[k] = append(m[k], e) }
	if r.NINumber != 0 {
		x.ni[r.NINumber] = append(x.ni[r.NINumber], e)
	}
	if r.Passport != 0 {
		x.passport[r.Passport] = append(x.passport[r.Passport], e)
	}
	if r.DOB == 0 {
		return
	}
	if r.Surname != 0 {
		if r.Forename != 0 {
			put(x.surnameForename, triple{r.Surname, r.Forename, r.DOB})
		}
		if r.ForenameGroup != 0 {
			put(x.surnameNickname, triple{r.Surname, r.ForenameGroup, r.DOB})
		}
		if r.Postcode != 0 {
			put(x.surnamePostcode, triple{r.Surname, r.DOB, r.Postcode})
		}
	}
	if r.Postcode != 0 {
		if r.Forename != 0 {
			put(x.forenamePostcode, triple{r.Forename, r.DOB, r.Postcode})
		}
		if r.ForenameGroup != 0 {
			put(x.nicknamePostcode, triple{r.ForenameGroup, r.DOB, r.Postcode})
		}
	}
}

// each calls fn for every rule on which r matches indexed people, in rule
// order, with those people's entries, until fn returns false. The entries
// slice belongs to the index and must not be modified. each does not
// allocate.
func (x *index) each(r *pseudo.Record, fn func(Rule, []int32) bool) {
	if r.NINumber != 0 {
		if es := x.ni[r.NINumber]; es != nil && !fn(RuleNINumber, es) {
			return
		}
	}
	if r.Passport != 0 {
		if es := x.passport[r.Passport]; es != nil && !fn(RulePassport, es) {
			return
		}
	}
	if r.DOB == 0 {
		return
	}
	try := func(rule Rule, m map[triple][]int32, k triple) bool {
		es := m[k]
		return es == nil || fn(rule, es)
	}
	if r.Surname != 0 {
		if r.Forename != 0 && !try(RuleSurnameForename, x.surnameForename, triple{r.Surname, r.Forename, r.DOB}) {
			return
		}
		if r.ForenameGroup != 0 && !try(RuleSurnameNickname, x.surnameNickname, triple{r.Surname, r.ForenameGroup, r.DOB}) {
			return
		}
		if r.Postcode != 0 && !try(RuleSurnamePostcode, x.surnamePostcode, triple{r.Surname, r.DOB, r.Postcode}) {
			return
		}
	}
	if r.Postcode != 0 {
		if r.Forename != 0 && !try(RuleForenamePostcode, x.forenamePostcode, triple{r.Forename, r.DOB, r.Postcode}) {
			return
		}
		if r.ForenameGroup != 0 && !try(RuleForenamePostcode, x.nicknamePostcode, triple{r.ForenameGroup, r.DOB, r.Postcode}) {
			return
		}
	}
}
