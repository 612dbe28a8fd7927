// Package detect turns matched pairs into cases: each detection is a pure
// rule over scored pairs of pseudonymised records that says which pairs are
// evidence of tenancy fraud or lead to a former tenant in arrears, and why.
//
// The rules are those of internal/exercise:
//
//   - dual_tenancy: our current tenant matches a current tenant of another
//     landlord, and the two tenancies have overlapped for at least
//     overlap_days days.
//   - tenancy_after_death: our tenant matches an entry of a deceased-persons
//     register and the tenancy went on more than grace_days days after the
//     death. A death that passes the tenancy to a surviving joint tenant
//     (succession), and the death of a household member who is not a
//     tenant, are counted, not flagged.
//   - duplicate_identity: one person holds two of our current tenancies,
//     under different tenancy references, that have overlapped for at least
//     overlap_days days.
//   - arrears_tracing: a former tenant owing at least min_arrears matches a
//     utility account closed with a forwarding address.
//   - statistics: counts of the other rules' cases by probability band, with
//     small numbers suppressed.
//
// A case holds evidence, never a decision: cases of rules with legal effect
// go to a person for review.
package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// Dataset is one dataset's pseudonymised records.
type Dataset struct {
	Name    string
	Role    person.Role
	Records []pseudo.Record
	// UnreadTenants lists the tenancy references (trimmed) of the
	// dataset's rows that were quarantined with a tenant's role (lead,
	// joint, or none): tenants the rules cannot see. A death on one of
	// those tenancies may have a survivor among them.
	UnreadTenants map[string]bool
}

// Linkage is the matcher's result for two datasets, or for one dataset with
// itself when Left and Right are the same (deduplication). Matches index
// Left.Records and Right.Records.
type Linkage struct {
	Left, Right *Dataset
	Matches     []pair.Match
}

// Dedupe reports whether l pairs a dataset with itself.
func (l *Linkage) Dedupe() bool { return l.Left == l.Right || l.Left.Name == l.Right.Name }

// Ref names one record of one dataset.
type Ref struct {
	Dataset  string
	RecordID string
}

// Party is one side of a case: a record's reference and the attributes it
// carries as evidence. It holds no clear identifier.
type Party struct {
	Ref
	Role         person.Role
	TenancyRef   string
	TenancyRole  string
	TenancyStart date.Date
	TenancyEnd   date.Date // for a utility account, the date it closed
	DateOfDeath  date.Date
	Balance      money.Pence
}

func party(d *Dataset, r *pseudo.Record) Party {
	return Party{
		Ref:          Ref{Dataset: d.Name, RecordID: r.RecordID},
		Role:         d.Role,
		TenancyRef:   r.TenancyRef,
		TenancyRole:  r.TenancyRole,
		TenancyStart: r.TenancyStart,
		TenancyEnd:   r.TenancyEnd,
		DateOfDeath:  r.DateOfDeath,
		Balance:      r.Balance,
	}
}

// Fact is one dated piece of evidence of a case.
type Fact struct {
	// Field is the output field the date is, such as "tenancy_start",
	// "partner_tenancy_end", "date_of_death" or "account_closed" (see
	// exercise.OutputFields).
	Field string
	// Date is the date; the null date is itself evidence where a date is
	// missing on purpose, such as a tenancy that has not ended.
	Date date.Date
}

// Case is one finding of one rule about one pair of records.
type Case struct {
	// ID identifies the case across runs: a digest of the rule and the two
	// records' references.
	ID   string
	Rule exercise.Rule
	// Probability and Weight are the pair's match probability and match
	// weight; Explanation is each compared field's contribution.
	Probability float64
	Weight      float64
	Explanation []pair.Contribution
	// Subject is our own record; Partner the other record.
	Subject, Partner Party
	// Evidence lists the dates that make the pair a case.
	Evidence []Fact
	// OverlapDays is how many days the two tenancies have overlapped
	// (dual_tenancy, duplicate_identity); 0 for other rules.
	OverlapDays int
	// DaysAfterDeath is how many days the tenancy ran after the death, to
	// its end or to today (tenancy_after_death); 0 for other rules.
	DaysAfterDeath int
}

// caseID derives a case's ID from its rule and references. The ID is
// stable across runs so that reviewers' decisions stay attached to it.
func caseID(rule exercise.Rule, s, p Ref) string {
	h := sha256.New()
	for _, part := range []string{string(rule), s.Dataset, s.RecordID, p.Dataset, p.RecordID} {
		fmt.Fprintf(h, "%d:%s", len(part), part)
	}
	return string(rule) + "-" + hex.EncodeToString(h.Sum(nil)[:10])
}

func newCase(rule exercise.Rule, m *pair.Match, s, p Party, evidence ...Fact) Case {
	return Case{
		ID:          caseID(rule, s.Ref, p.Ref),
		Rule:        rule,
		Probability: m.Probability,
		Weight:      m.Weight,
		Explanation: m.Explanation,
		Subject:     s,
		Partner:     p,
		Evidence:    evidence,
	}
}

// Params is what a rule needs besides the pairs.
type Params struct {
	// Today is the date the run takes as today: current and former
	// tenancies, and overlaps so far, are judged on it.
	Today      date.Date
	Thresholds exercise.Thresholds
}

// Findings is what one rule found over one linkage.
type Findings struct {
	Rule             exercise.Rule
	Subject, Partner string // dataset names
	Cases            []Case
	// Successions counts deaths of a joint tenant whose tenancy passed to a
	// surviving joint tenant (tenancy_after_death; not cases).
	Successions int
	// HouseholdDeaths counts deaths of household members who were not
	// tenants (tenancy_after_death; not cases).
	HouseholdDeaths int
	// Incomplete counts pairs that met the probability threshold but lacked
	// a date or reference the rule needs as evidence.
	Incomplete int
}

// Tenancy roles as pseudo.Record.TenancyRole holds them.
const (
	RoleLead      = "lead"
	RoleJoint     = "joint"
	RoleHousehold = "household"
)

// TenantOf returns the tenancy reference (trimmed) of a row with tenancy
// reference ref and role role, and whether the row is one of that
// tenancy's tenants: it has a reference, and a role that is not a
// household member's (a row with no role, or an unknown one, is taken as
// a tenant's).
func TenantOf(ref, role string) (string, bool) {
	ref = strings.TrimSpace(ref)
	return ref, ref != "" && normRole(role) != RoleHousehold
}

// normRole returns a tenancy role in lower case without surrounding space.
func normRole(s string) string {
	// Records from the loader carry canonical roles already; a partner's
	// encoded file or a hand-built record may not, so the rule maps
	// spellings such as "Lead Tenant" and "MEMBER" itself rather than
	// taking an unknown spelling for a tenant.
	if r, ok := normalize.TenancyRole(s); ok {
		return r
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// current reports whether a tenancy with these dates is current on today:
// it has not ended (no end date, or one after today) and has not yet to
// start.
func current(start, end, today date.Date) bool {
	return (end.IsZero() || end.After(today)) && !start.After(today)
}

// overlapDays returns how many days, counting both ends, two tenancies
// have both run up to and including today. Null ends run to today. It is 0
// when they have not overlapped.
func overlapDays(s1, e1, s2, e2, today date.Date) int {
	last := today
	for _, e := range []date.Date{e1, e2} {
		if !e.IsZero() && e.Before(last) {
			last = e
		}
	}
	first := s1
	if s2.After(first) {
		first = s2
	}
	n := int(last.Days()) - int(first.Days()) + 1
	if n < 0 {
		return 0
	}
	return n
}

func minOverlap(t exercise.Thresholds) int {
	if t.OverlapDays < 1 {
		return 1
	}
	return t.OverlapDays
}

// side orients a linkage so that its subject (role subject) comes first.
type side struct {
	subject, partner *Dataset
	swapped          bool
}

func orient(l *Linkage, subject, partner person.Role) (side, bool) {
	switch {
	case l.Left.Role == subject && l.Right.Role == partner:
		return side{l.Left, l.Right, false}, true
	case l.Right.Role == subject && l.Left.Role == partner:
		return side{l.Right, l.Left, true}, true
	}
	return side{}, false
}

// records returns the subject's and partner's records of m, checking the
// indexes.
func (s side) records(m *pair.Match) (*pseudo.Record, *pseudo.Record, error) {
	si, pi := m.Left, m.Right
	if s.swapped {
		si, pi = pi, si
	}
	if si < 0 || int(si) >= len(s.subject.Records) || pi < 0 || int(pi) >= len(s.partner.Records) {
		return nil, nil, fmt.Errorf("match (%d, %d) is out of range of datasets %s (%d records) and %s (%d records)",
			m.Left, m.Right, s.subject.Name, len(s.subject.Records), s.partner.Name, len(s.partner.Records))
	}
	return &s.subject.Records[si], &s.partner.Records[pi], nil
}

// eachProbable calls fn, in order, with every match of ms whose
// probability reaches t's minimum, and the match's subject and partner
// records. It stops at fn's first error, or with an error at a match out
// of range of the datasets.
func (s side) eachProbable(ms []pair.Match, t exercise.Thresholds, fn func(m *pair.Match, sr, pr *pseudo.Record) error) error {
	for i := range ms {
		m := &ms[i]
		if !probable(m, t) {
			continue
		}
		sr, pr, err := s.records(m)
		if err != nil {
			return err
		}
		if err := fn(m, sr, pr); err != nil {
			return err
		}
	}
	return nil
}

// subjectIndex returns the subject record's index of m.
func (s side) subjectIndex(m *pair.Match) int32 {
	if s.swapped {
		return m.Right
	}
	return m.Left
}

// partnerIndex returns the partner record's index of m.
func (s side) partnerIndex(m *pair.Match) int32 {
	if s.swapped {
		return m.Left
	}
	return m.Right
}

func wrongRoles(rule exercise.Rule, l *Linkage) error {
	spec, _ := exercise.Spec(rule)
	return fmt.Errorf("%s: linkage of %s (%s) and %s (%s) is not of roles %s and %s",
		rule, l.Left.Name, l.Left.Role, l.Right.Name, l.Right.Role, spec.Subject, spec.Partner)
}
