package detect

import (
	"errors"
	"strings"

	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// probable reports whether m reaches the rule's min_probability.
func probable(m *pair.Match, t exercise.Thresholds) bool {
	return m.Probability >= t.MinProbability
}

// DualTenancy finds our current tenants who match a current tenant of
// another landlord, where the two tenancies have overlapped, counting both
// the later start and today, for at least overlap_days days (1 if unset).
// A tenancy is current when it has started and has no end date or one
// after today. A pair without both start dates is Incomplete.
//
// Evidence: both tenancies' start and end dates.
func DualTenancy(l *Linkage, p Params) (Findings, error) {
	s, ok := orient(l, person.RoleTenancy, person.RoleOtherLandlord)
	if !ok {
		return Findings{}, wrongRoles(exercise.DualTenancy, l)
	}
	f := Findings{Rule: exercise.DualTenancy, Subject: s.subject.Name, Partner: s.partner.Name}
	need := minOverlap(p.Thresholds)
	err := s.eachProbable(l.Matches, p.Thresholds, func(m *pair.Match, sr, pr *pseudo.Record) error {
		if !current(sr.TenancyStart, sr.TenancyEnd, p.Today) || !current(pr.TenancyStart, pr.TenancyEnd, p.Today) {
			return nil
		}
		if sr.TenancyStart.IsZero() || pr.TenancyStart.IsZero() {
			f.Incomplete++
			return nil
		}
		n := overlapDays(sr.TenancyStart, sr.TenancyEnd, pr.TenancyStart, pr.TenancyEnd, p.Today)
		if n < need {
			return nil
		}
		c := newCase(exercise.DualTenancy, m, party(s.subject, sr), party(s.partner, pr), tenancyFacts(sr, pr)...)
		c.OverlapDays = n
		f.Cases = append(f.Cases, c)
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	return f, nil
}

func tenancyFacts(a, b *pseudo.Record) []Fact {
	return []Fact{
		{"tenancy_start", a.TenancyStart},
		{"tenancy_end", a.TenancyEnd},
		{"partner_tenancy_start", b.TenancyStart},
		{"partner_tenancy_end", b.TenancyEnd},
	}
}

// TenancyAfterDeath finds tenancies that went on after their tenant died:
// our tenant matches a deceased-register entry whose date of death is on
// or before today, the tenancy began on or before that day, and it had not
// ended grace_days days (0 if unset) after the death — it ended later, or
// it has not ended and today is past that day. A tenancy that began after
// the death is not the deceased's: the match is a namesake (or an identity
// taken from the register, which this rule does not look for).
//
// It does not flag, but counts:
//   - Successions: the deceased was a lead or joint tenant and another lead
//     or joint tenant on the same tenancy reference is alive (matched to no
//     register entry) and held the tenancy at the death. The survivor holds
//     the tenancy by survivorship or succession.
//   - HouseholdDeaths: the deceased was a household member (role
//     household), not a tenant.
//
// A register entry records one death. Where it matches two or more of our
// tenants on one tenancy (a couple of one surname and one address, born
// in the same year), it is taken as the death of the one it matches best
// (by probability, then weight), and the others are alive: otherwise the
// surviving partner would count as dead, and a lawful succession be
// raised as fraud.
//
// A tenant with no role, or an unknown one, is taken as a tenant. A
// register entry without a date of death, or with one after today, makes
// the pair Incomplete; so does a death with no survivor in sight on a
// tenancy one of whose tenants' rows was quarantined (Dataset.UnreadTenants):
// that tenant may be the survivor.
//
// Evidence: the date of death and the tenancy's start and end dates.
func TenancyAfterDeath(l *Linkage, p Params) (Findings, error) {
	s, ok := orient(l, person.RoleTenancy, person.RoleDeceased)
	if !ok {
		return Findings{}, wrongRoles(exercise.TenancyAfterDeath, l)
	}
	f := Findings{Rule: exercise.TenancyAfterDeath, Subject: s.subject.Name, Partner: s.partner.Name}
	t := p.Thresholds

	// Each register entry's best match among the tenants of one tenancy.
	type death struct {
		entry int32
		ref   string
	}
	best := map[death]*pair.Match{}
	err := s.eachProbable(l.Matches, t, func(m *pair.Match, sr, pr *pseudo.Record) error {
		ref, ok := TenantOf(sr.TenancyRef, sr.TenancyRole)
		if !ok {
			return nil
		}
		k := death{s.partnerIndex(m), ref}
		if b, ok := best[k]; !ok || m.Probability > b.Probability || m.Probability == b.Probability && m.Weight > b.Weight {
			best[k] = m
		}
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	// outmatched reports whether m's register entry matches another tenant
	// of m's tenancy better.
	outmatched := func(m *pair.Match, sr *pseudo.Record) bool {
		ref, ok := TenantOf(sr.TenancyRef, sr.TenancyRole)
		return ok && best[death{s.partnerIndex(m), ref}] != m
	}

	// Our records that the register says have died, and their tenancies.
	dead := make([]bool, len(s.subject.Records))
	deadRefs := map[string][]int32{}
	err = s.eachProbable(l.Matches, t, func(m *pair.Match, sr, pr *pseudo.Record) error {
		if outmatched(m, sr) {
			return nil
		}
		if !pr.DateOfDeath.IsZero() && !pr.DateOfDeath.After(p.Today) {
			dead[s.subjectIndex(m)] = true
			if ref := strings.TrimSpace(sr.TenancyRef); ref != "" {
				deadRefs[ref] = nil
			}
		}
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	// The tenants (not household members) of those tenancies.
	tenantsFound := false
	tenantsOf := func(ref string) []int32 {
		if !tenantsFound {
			tenantsFound = true
			for j := range s.subject.Records {
				r := &s.subject.Records[j]
				if key, tenant := TenantOf(r.TenancyRef, r.TenancyRole); tenant {
					if ts, ok := deadRefs[key]; ok {
						deadRefs[key] = append(ts, int32(j))
					}
				}
			}
		}
		return deadRefs[ref]
	}

	err = s.eachProbable(l.Matches, t, func(m *pair.Match, sr, pr *pseudo.Record) error {
		if outmatched(m, sr) {
			return nil // another of the tenancy's tenants died
		}
		dod := pr.DateOfDeath
		if dod.IsZero() || dod.After(p.Today) {
			f.Incomplete++
			return nil
		}
		if normRole(sr.TenancyRole) == RoleHousehold {
			f.HouseholdDeaths++
			return nil
		}
		if !sr.TenancyEnd.IsZero() && sr.TenancyEnd.Before(dod) {
			return nil // ended before the death
		}
		if sr.TenancyStart.After(dod) {
			return nil // began after the death: a namesake's tenancy
		}
		limit := dod.AddDays(t.GraceDays)
		if sr.TenancyEnd.IsZero() {
			if !p.Today.After(limit) {
				return nil // still within the grace period
			}
		} else if !sr.TenancyEnd.After(limit) {
			return nil // ended in time
		}
		si := s.subjectIndex(m)
		survivor := false
		ref := strings.TrimSpace(sr.TenancyRef)
		if ref != "" {
			for _, j := range tenantsOf(ref) {
				o := &s.subject.Records[j]
				if j != si && !dead[j] && (o.TenancyEnd.IsZero() || !o.TenancyEnd.Before(dod)) && !o.TenancyStart.After(dod) {
					survivor = true
					break
				}
			}
		}
		if survivor {
			f.Successions++
			return nil
		}
		if s.subject.UnreadTenants[ref] {
			f.Incomplete++
			return nil
		}
		until := p.Today
		if !sr.TenancyEnd.IsZero() && sr.TenancyEnd.Before(until) {
			until = sr.TenancyEnd
		}
		c := newCase(exercise.TenancyAfterDeath, m, party(s.subject, sr), party(s.partner, pr),
			Fact{"date_of_death", dod}, Fact{"tenancy_start", sr.TenancyStart}, Fact{"tenancy_end", sr.TenancyEnd})
		c.DaysAfterDeath = int(until.Days()) - int(dod.Days())
		f.Cases = append(f.Cases, c)
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	return f, nil
}

// DuplicateIdentity finds one person holding two of our tenancies: a pair
// of our own records, both current, both of a tenant (a household member
// holds no tenancy; a member of one household who is a tenant elsewhere is
// most often a grown-up child the household list was not updated for),
// under two different non-empty tenancy references, whose tenancies have
// overlapped for at least overlap_days days (1 if unset). It takes a dataset linked with itself or two tenancy
// datasets. Each pair is reported once, whichever way round the matcher
// listed it; the subject is the record whose (dataset, record_id) sorts
// first. A pair missing a reference or a start date is Incomplete.
//
// Evidence: both tenancies' start and end dates.
func DuplicateIdentity(l *Linkage, p Params) (Findings, error) {
	if l.Left.Role != person.RoleTenancy || l.Right.Role != person.RoleTenancy {
		return Findings{}, wrongRoles(exercise.DuplicateIdentity, l)
	}
	s := side{subject: l.Left, partner: l.Right}
	f := Findings{Rule: exercise.DuplicateIdentity, Subject: l.Left.Name, Partner: l.Right.Name}
	need := minOverlap(p.Thresholds)
	seen := map[[2]Ref]bool{}
	err := s.eachProbable(l.Matches, p.Thresholds, func(m *pair.Match, a, b *pseudo.Record) error {
		if l.Dedupe() && m.Left == m.Right {
			return nil
		}
		if !current(a.TenancyStart, a.TenancyEnd, p.Today) || !current(b.TenancyStart, b.TenancyEnd, p.Today) {
			return nil
		}
		if normRole(a.TenancyRole) == RoleHousehold || normRole(b.TenancyRole) == RoleHousehold {
			return nil
		}
		ra, rb := strings.TrimSpace(a.TenancyRef), strings.TrimSpace(b.TenancyRef)
		if ra == "" || rb == "" || a.TenancyStart.IsZero() || b.TenancyStart.IsZero() {
			f.Incomplete++
			return nil
		}
		if ra == rb {
			return nil // one tenancy
		}
		n := overlapDays(a.TenancyStart, a.TenancyEnd, b.TenancyStart, b.TenancyEnd, p.Today)
		if n < need {
			return nil
		}
		pa, pb := party(l.Left, a), party(l.Right, b)
		if less(pb.Ref, pa.Ref) {
			pa, pb = pb, pa
			a, b = b, a
		}
		key := [2]Ref{pa.Ref, pb.Ref}
		if seen[key] {
			return nil
		}
		seen[key] = true
		c := newCase(exercise.DuplicateIdentity, m, pa, pb, tenancyFacts(a, b)...)
		c.OverlapDays = n
		f.Cases = append(f.Cases, c)
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	return f, nil
}

func less(a, b Ref) bool {
	if a.Dataset != b.Dataset {
		return a.Dataset < b.Dataset
	}
	return a.RecordID < b.RecordID
}

// ArrearsTracing finds former tenants to trace for arrears: our tenant
// whose tenancy ended on or before today and who owes at least min_arrears
// matches a closed utility account. With closed_after_end the account must
// have closed on or after the day our tenancy ended (an account without a
// closing date is then Incomplete). The partner record carries the
// forwarding address, which the recovery team's output shows.
//
// Evidence: our tenancy's end date and the account's closing date.
func ArrearsTracing(l *Linkage, p Params) (Findings, error) {
	s, ok := orient(l, person.RoleTenancy, person.RoleUtilityClosed)
	if !ok {
		return Findings{}, wrongRoles(exercise.ArrearsTracing, l)
	}
	t := p.Thresholds
	if t.MinArrears <= 0 {
		return Findings{}, errors.New("arrears_tracing: min_arrears must be set above £0.00")
	}
	f := Findings{Rule: exercise.ArrearsTracing, Subject: s.subject.Name, Partner: s.partner.Name}
	err := s.eachProbable(l.Matches, t, func(m *pair.Match, sr, pr *pseudo.Record) error {
		end := sr.TenancyEnd
		if end.IsZero() || end.After(p.Today) {
			return nil // not a former tenant
		}
		if sr.Balance < t.MinArrears {
			return nil
		}
		closed := pr.TenancyEnd
		if t.ClosedAfterEnd {
			if closed.IsZero() {
				f.Incomplete++
				return nil
			}
			if closed.Before(end) {
				return nil
			}
		}
		f.Cases = append(f.Cases, newCase(exercise.ArrearsTracing, m, party(s.subject, sr), party(s.partner, pr),
			Fact{"tenancy_end", end}, Fact{"account_closed", closed}))
		return nil
	})
	if err != nil {
		return Findings{}, err
	}
	return f, nil
}
