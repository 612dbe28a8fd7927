package pseudo

import (
	"strings"

	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/person"
)

// Canonical returns the form in which the Encoder keys v, a clear value of
// the canonical column, or "" when the column has no such form or v has
// none (a name in another script). Two values with the same non-empty
// canonical form get the same pseudonym under one key, so comparing
// canonical forms tells whether matching sees two values as one: case,
// spacing, accents, punctuation and the way a number is written do not
// count. Names, NI and passport numbers, genders, postcodes (forwarding
// ones too), phones, e-mail addresses and addresses have canonical forms.
func Canonical(column, v string) string {
	switch column {
	case person.ColForename:
		// The first word: further words count as middle names.
		first, _, _ := strings.Cut(normalize.Name(v), " ")
		return first
	case person.ColMiddleNames:
		return normalize.Name(v)
	case person.ColSurname:
		// The words joined: Smith-Jones is smith jones is smithjones.
		return strings.ReplaceAll(normalize.Name(v), " ", "")
	case person.ColNINumber:
		core, _ := normalize.NINumber(v)
		return core
	case person.ColPassport:
		doc, _ := normalize.Passport(v)
		return doc
	case person.ColGender:
		g, _ := normalize.Gender(v)
		return g
	case person.ColPostcode, person.ColForwardingPostcode:
		pc, _ := normalize.Postcode(v)
		return pc
	case person.ColPhone:
		p, _ := normalize.Phone(v)
		return p
	case person.ColEmail:
		e, _ := normalize.Email(v)
		return e
	case person.ColAddress, person.ColForwardingAddress:
		return normalize.Address(v)
	}
	return ""
}
