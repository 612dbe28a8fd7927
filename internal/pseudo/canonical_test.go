package pseudo

import (
	"testing"

	"github.com/datamatch/datamatch/internal/person"
)

// TestCanonicalAgreesWithEncoder checks Canonical's promise: two values of
// a column with the same canonical form get the same pseudonym, and two
// with different forms different ones.
func TestCanonicalAgreesWithEncoder(t *testing.T) {
	e := NewEncoder(newKey(t))
	token := map[string]func(r *Record) any{
		person.ColForename:    func(r *Record) any { return r.Forename },
		person.ColSurname:     func(r *Record) any { return r.Surname },
		person.ColNINumber:    func(r *Record) any { return r.NINumber },
		person.ColPassport:    func(r *Record) any { return r.Passport },
		person.ColGender:      func(r *Record) any { return r.Gender },
		person.ColPostcode:    func(r *Record) any { return r.Postcode },
		person.ColPhone:       func(r *Record) any { return r.Phone },
		person.ColEmail:       func(r *Record) any { return r.Email },
		person.ColAddress:     func(r *Record) any { return r.AddressBF },
		person.ColMiddleNames: func(r *Record) any { return r.MiddleNames },
	}
	values := map[string][]string{
		person.ColForename:    {"José", "JOSE", "jose ", "Josh", "Zoë", "ZOE"},
		person.ColSurname:     {"O'Brien", "OBRIEN", "o brien", "Smith-Jones", "SMITH JONES", "Smith"},
		person.ColNINumber:    {"HN 58 31 92 B", "hn583192", "HN583192C", "HN583193B"},
		person.ColPassport:    {"pa 123 4567", "PA1234567", "PA1234568"},
		person.ColGender:      {"Female", "f", "Mrs", "2", "Male", "Mr", "Non-binary"},
		person.ColPostcode:    {"sk1 3nq", "SK13NQ", "SK1 3NR", "2000"},
		person.ColPhone:       {"+44 (0)7700 900123", "07700900123", "07700 900124"},
		person.ColEmail:       {"A@B.COM", " a@b.com", "a@c.com"},
		person.ColAddress:     {"12 High St", "12 high street", "14 High Street"},
		person.ColMiddleNames: {"Anne", "ANNE", "Ann"},
	}
	for col, vs := range values {
		for i, a := range vs {
			for _, b := range vs[i+1:] {
				var ra, rb person.Record
				ra.SetString(col, a)
				rb.SetString(col, b)
				var pa, pb Record
				e.Encode(&pa, &ra)
				e.Encode(&pb, &rb)
				same := token[col](&pa) == token[col](&pb)
				if ca, cb := Canonical(col, a), Canonical(col, b); (ca == cb) != same {
					t.Errorf("%s: %q and %q: canonical %q and %q, same pseudonym %v", col, a, b, ca, cb, same)
				}
			}
		}
	}
	if got := Canonical(person.ColTenancyStart, "2012-12-27"); got != "" {
		t.Errorf("a tenancy start has canonical form %q, want none", got)
	}
}
