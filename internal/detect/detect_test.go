package detect

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// today is the run date of every test.
var today = date.MustOf(2026, time.March, 31)

func d(y int, m time.Month, day int) date.Date { return date.MustOf(y, m, day) }

// rec is a record with the attributes the rules read.
type rec struct {
	id, ref, role string
	start, end    date.Date
	dod           date.Date
	balance       money.Pence
}

func (r rec) pseudo() pseudo.Record {
	return pseudo.Record{RecordID: r.id, TenancyRef: r.ref, TenancyRole: r.role, TenancyStart: r.start,
		TenancyEnd: r.end, DateOfDeath: r.dod, Balance: r.balance}
}

func dataset(name string, role person.Role, rs ...rec) *Dataset {
	ds := &Dataset{Name: name, Role: role}
	for _, r := range rs {
		ds.Records = append(ds.Records, r.pseudo())
	}
	return ds
}

func match(l, r int32, p float64) pair.Match {
	return pair.Match{Left: l, Right: r, Probability: p, Weight: 10,
		Explanation: []pair.Contribution{{Field: "surname", Level: "exact", Weight: 8}}}
}

func thresholds(t *testing.T, kv ...any) exercise.Thresholds {
	t.Helper()
	var th exercise.Thresholds
	for i := 0; i+1 < len(kv); i += 2 {
		if err := th.Set(kv[i].(string), kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return th
}

func TestDualTenancy(t *testing.T) {
	ours := rec{id: "T1", ref: "R1", role: "lead", start: d(2020, 1, 1)}
	theirs := rec{id: "O1", start: d(2026, 3, 1)} // 1 March to 31 March: 31 days
	tests := []struct {
		name    string
		s, p    rec
		prob    float64
		th      []any
		cases   int
		overlap int
		incompl int
	}{
		{"both current", ours, theirs, 0.99, nil, 1, 31, 0},
		{"overlap exactly the threshold", ours, theirs, 0.99, []any{exercise.OverlapDays, 31}, 1, 31, 0},
		{"overlap one day short", ours, theirs, 0.99, []any{exercise.OverlapDays, 32}, 0, 0, 0},
		{"partner started today", ours, rec{id: "O1", start: today}, 0.99, nil, 1, 1, 0},
		{"partner starts tomorrow", ours, rec{id: "O1", start: today.AddDays(1)}, 0.99, nil, 0, 0, 0},
		{"ours ended yesterday", rec{id: "T1", ref: "R1", start: d(2020, 1, 1), end: today.AddDays(-1)}, theirs, 0.99, nil, 0, 0, 0},
		{"ours ends today", rec{id: "T1", ref: "R1", start: d(2020, 1, 1), end: today}, theirs, 0.99, nil, 0, 0, 0},
		{"ours ends tomorrow", rec{id: "T1", ref: "R1", start: d(2020, 1, 1), end: today.AddDays(1)}, theirs, 0.99, nil, 1, 31, 0},
		{"theirs ended", ours, rec{id: "O1", start: d(2026, 3, 1), end: d(2026, 3, 20)}, 0.99, nil, 0, 0, 0},
		{"their start unknown", ours, rec{id: "O1"}, 0.99, nil, 0, 0, 1},
		{"our start unknown", rec{id: "T1", ref: "R1"}, theirs, 0.99, nil, 0, 0, 1},
		{"probability at the minimum", ours, theirs, 0.95, []any{exercise.MinProbability, 0.95}, 1, 31, 0},
		{"probability below the minimum", ours, theirs, 0.9499, []any{exercise.MinProbability, 0.95}, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &Linkage{
				Left:    dataset("tenancies", person.RoleTenancy, tc.s),
				Right:   dataset("other", person.RoleOtherLandlord, tc.p),
				Matches: []pair.Match{match(0, 0, tc.prob)},
			}
			f, err := DualTenancy(l, Params{Today: today, Thresholds: thresholds(t, tc.th...)})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Cases) != tc.cases || f.Incomplete != tc.incompl {
				t.Fatalf("cases %d incomplete %d, want %d %d", len(f.Cases), f.Incomplete, tc.cases, tc.incompl)
			}
			if tc.cases == 0 {
				return
			}
			c := f.Cases[0]
			if c.OverlapDays != tc.overlap {
				t.Errorf("overlap %d, want %d", c.OverlapDays, tc.overlap)
			}
			if c.Subject.RecordID != "T1" || c.Subject.Dataset != "tenancies" || c.Partner.RecordID != "O1" || c.Partner.Dataset != "other" {
				t.Errorf("refs %+v %+v", c.Subject.Ref, c.Partner.Ref)
			}
			if c.Probability != tc.prob || c.Weight != 10 || len(c.Explanation) != 1 || c.Rule != exercise.DualTenancy {
				t.Errorf("case %+v", c)
			}
			want := []Fact{{"tenancy_start", tc.s.start}, {"tenancy_end", tc.s.end}, {"partner_tenancy_start", tc.p.start}, {"partner_tenancy_end", tc.p.end}}
			if len(c.Evidence) != len(want) {
				t.Fatalf("evidence %+v", c.Evidence)
			}
			for i := range want {
				if c.Evidence[i] != want[i] {
					t.Errorf("evidence[%d] = %+v, want %+v", i, c.Evidence[i], want[i])
				}
			}
		})
	}
}

func TestDualTenancyEitherWayRound(t *testing.T) {
	ours := dataset("tenancies", person.RoleTenancy, rec{id: "T0"}, rec{id: "T1", start: d(2025, 1, 1)})
	theirs := dataset("other", person.RoleOtherLandlord, rec{id: "O0", start: d(2025, 6, 1)})
	l := &Linkage{Left: theirs, Right: ours, Matches: []pair.Match{match(0, 1, 0.99)}}
	f, err := DualTenancy(l, Params{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 1 || f.Cases[0].Subject.RecordID != "T1" || f.Cases[0].Partner.RecordID != "O0" || f.Subject != "tenancies" {
		t.Fatalf("findings %+v", f)
	}
}

func TestRulesRefuseBadInput(t *testing.T) {
	ours := dataset("tenancies", person.RoleTenancy, rec{id: "T0"})
	dead := dataset("deceased", person.RoleDeceased, rec{id: "D0"})
	if _, err := DualTenancy(&Linkage{Left: ours, Right: dead}, Params{Today: today}); err == nil {
		t.Error("DualTenancy accepted a deceased register")
	}
	if _, err := ArrearsTracing(&Linkage{Left: ours, Right: dead}, Params{Today: today, Thresholds: thresholds(t, exercise.MinArrears, money.Pence(1))}); err == nil {
		t.Error("ArrearsTracing accepted a deceased register")
	}
	if _, err := DuplicateIdentity(&Linkage{Left: ours, Right: dead}, Params{Today: today}); err == nil {
		t.Error("DuplicateIdentity accepted a deceased register")
	}
	l := &Linkage{Left: ours, Right: dead, Matches: []pair.Match{match(0, 1, 1)}}
	if _, err := TenancyAfterDeath(l, Params{Today: today}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("TenancyAfterDeath with a bad index: %v", err)
	}
	l.Matches = []pair.Match{match(-1, 0, 1)}
	if _, err := TenancyAfterDeath(l, Params{Today: today}); err == nil {
		t.Error("TenancyAfterDeath accepted a negative index")
	}
	utility := dataset("utility", person.RoleUtilityClosed, rec{id: "U0"})
	if _, err := ArrearsTracing(&Linkage{Left: ours, Right: utility}, Params{Today: today}); err == nil {
		t.Error("ArrearsTracing ran without min_arrears")
	}
	if _, err := Apply(exercise.Statistics, l, Params{}); err == nil {
		t.Error("Apply ran statistics over pairs")
	}
}

func TestTenancyAfterDeath(t *testing.T) {
	jan1 := d(2026, 1, 1)
	type deceased struct {
		tenant int // index in ours
		dod    date.Date
	}
	tests := []struct {
		name       string
		ours       []rec
		deaths     []deceased
		grace      int
		cases      []string // subject record IDs
		days       []int
		succ, hh   int
		incomplete int
	}{
		{"sole tenant, not ended", []rec{{id: "A", ref: "R1", role: "lead", start: d(2010, 1, 1)}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"not ended, grace ends today", []rec{{id: "A", ref: "R1", role: "lead"}},
			[]deceased{{0, today.AddDays(-28)}}, 28, nil, nil, 0, 0, 0},
		{"not ended, grace ended yesterday", []rec{{id: "A", ref: "R1", role: "lead"}},
			[]deceased{{0, today.AddDays(-29)}}, 28, []string{"A"}, []int{29}, 0, 0, 0},
		{"ended on the last day of grace", []rec{{id: "A", ref: "R1", role: "lead", end: jan1.AddDays(28)}},
			[]deceased{{0, jan1}}, 28, nil, nil, 0, 0, 0},
		{"ended a day after grace", []rec{{id: "A", ref: "R1", role: "lead", end: jan1.AddDays(29)}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{29}, 0, 0, 0},
		{"no grace, ended the day after the death", []rec{{id: "A", ref: "R1", role: "lead", end: jan1.AddDays(1)}},
			[]deceased{{0, jan1}}, 0, []string{"A"}, []int{1}, 0, 0, 0},
		{"no grace, ended on the day of death", []rec{{id: "A", ref: "R1", role: "lead", end: jan1}},
			[]deceased{{0, jan1}}, 0, nil, nil, 0, 0, 0},
		{"ended before the death", []rec{{id: "A", ref: "R1", role: "lead", end: d(2025, 1, 1)}},
			[]deceased{{0, jan1}}, 0, nil, nil, 0, 0, 0},
		{"began after the death: a namesake", []rec{{id: "A", ref: "R1", role: "lead", start: jan1.AddDays(1)}},
			[]deceased{{0, jan1}}, 28, nil, nil, 0, 0, 0},
		{"began on the day of death", []rec{{id: "A", ref: "R1", role: "lead", start: jan1}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"succession: the other joint tenant is alive", []rec{
			{id: "A", ref: "R1", role: "joint", start: d(2010, 1, 1)},
			{id: "B", ref: "R1", role: "joint", start: d(2010, 1, 1)}},
			[]deceased{{0, jan1}}, 28, nil, nil, 1, 0, 0},
		{"survivorship: the lead dies, the joint tenant is alive", []rec{
			{id: "A", ref: "R1", role: "lead"},
			{id: "B", ref: "R1", role: " Joint "}},
			[]deceased{{0, jan1}}, 28, nil, nil, 1, 0, 0},
		{"both joint tenants died", []rec{
			{id: "A", ref: "R1", role: "joint"},
			{id: "B", ref: "R1", role: "joint"}},
			[]deceased{{0, jan1}, {1, d(2025, 12, 1)}}, 28, []string{"A", "B"}, []int{89, 120}, 0, 0, 0},
		{"decoy: the other joint tenant is on another tenancy", []rec{
			{id: "A", ref: "R1", role: "joint"},
			{id: "B", ref: "R2", role: "joint"}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"decoy: the other joint tenant left before the death", []rec{
			{id: "A", ref: "R1", role: "joint"},
			{id: "B", ref: "R1", role: "joint", end: d(2025, 6, 30)}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"decoy: the other joint tenant joined after the death", []rec{
			{id: "A", ref: "R1", role: "joint"},
			{id: "B", ref: "R1", role: "joint", start: d(2026, 2, 1)}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"a household member survives the sole tenant", []rec{
			{id: "A", ref: "R1", role: "lead"},
			{id: "H", ref: "R1", role: "household"}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"a household member died", []rec{
			{id: "A", ref: "R1", role: "lead"},
			{id: "H", ref: "R1", role: "household"}},
			[]deceased{{1, jan1}}, 28, nil, nil, 0, 1, 0},
		{"no role is a tenant", []rec{{id: "A", ref: "R1"}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"no tenancy reference", []rec{{id: "A", role: "joint"}, {id: "B", role: "joint"}},
			[]deceased{{0, jan1}}, 28, []string{"A"}, []int{89}, 0, 0, 0},
		{"register without a date of death", []rec{{id: "A", ref: "R1", role: "lead"}},
			[]deceased{{0, date.Date{}}}, 28, nil, nil, 0, 0, 1},
		{"death after today", []rec{{id: "A", ref: "R1", role: "lead"}},
			[]deceased{{0, today.AddDays(1)}}, 0, nil, nil, 0, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ours := dataset("tenancies", person.RoleTenancy, tc.ours...)
			reg := &Dataset{Name: "register", Role: person.RoleDeceased}
			l := &Linkage{Left: ours, Right: reg}
			for i, dc := range tc.deaths {
				reg.Records = append(reg.Records, pseudo.Record{RecordID: "D" + string(rune('0'+i)), DateOfDeath: dc.dod})
				l.Matches = append(l.Matches, match(int32(dc.tenant), int32(i), 0.99))
			}
			f, err := TenancyAfterDeath(l, Params{Today: today, Thresholds: thresholds(t, exercise.GraceDays, tc.grace)})
			if err != nil {
				t.Fatal(err)
			}
			if f.Successions != tc.succ || f.HouseholdDeaths != tc.hh || f.Incomplete != tc.incomplete {
				t.Errorf("successions %d household %d incomplete %d, want %d %d %d", f.Successions, f.HouseholdDeaths, f.Incomplete, tc.succ, tc.hh, tc.incomplete)
			}
			if len(f.Cases) != len(tc.cases) {
				t.Fatalf("%d cases, want %d: %+v", len(f.Cases), len(tc.cases), f.Cases)
			}
			for i, c := range f.Cases {
				if c.Subject.RecordID != tc.cases[i] || c.DaysAfterDeath != tc.days[i] {
					t.Errorf("case %d: subject %s, days %d; want %s, %d", i, c.Subject.RecordID, c.DaysAfterDeath, tc.cases[i], tc.days[i])
				}
				if c.Evidence[0].Field != "date_of_death" || c.Evidence[0].Date != c.Partner.DateOfDeath || c.Partner.DateOfDeath.IsZero() {
					t.Errorf("case %d evidence %+v", i, c.Evidence)
				}
			}
		})
	}
}

func TestTenancyAfterDeathMinProbability(t *testing.T) {
	// The other joint tenant matches the register only weakly: below the
	// threshold they count as alive, so the death is a succession.
	ours := dataset("tenancies", person.RoleTenancy, rec{id: "A", ref: "R1", role: "joint"}, rec{id: "B", ref: "R1", role: "joint"})
	reg := dataset("register", person.RoleDeceased, rec{id: "D0", dod: d(2026, 1, 1)}, rec{id: "D1", dod: d(2026, 1, 2)})
	l := &Linkage{Left: ours, Right: reg, Matches: []pair.Match{match(0, 0, 0.99), match(1, 1, 0.5)}}
	f, err := TenancyAfterDeath(l, Params{Today: today, Thresholds: thresholds(t, exercise.MinProbability, 0.9)})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 0 || f.Successions != 1 {
		t.Fatalf("cases %d successions %d, want 0 and 1", len(f.Cases), f.Successions)
	}
}

// TestTenancyAfterDeathOneDeathPerTenancy checks that one register entry
// matched to two tenants of one tenancy (a couple of one surname, one
// address and close dates of birth) is the death of the better match
// only: the other survives, and the death is a succession, not a case.
func TestTenancyAfterDeathOneDeathPerTenancy(t *testing.T) {
	ours := dataset("tenancies", person.RoleTenancy,
		rec{id: "A", ref: "R1", role: "joint"}, rec{id: "B", ref: "R1", role: "joint"},
		rec{id: "C", ref: "R2", role: "lead"})
	reg := dataset("register", person.RoleDeceased, rec{id: "D0", dod: d(2026, 1, 1)})
	tests := []struct {
		name    string
		matches []pair.Match
		cases   []string
		succ    int
	}{
		{"the better match died", []pair.Match{match(0, 0, 0.99), match(1, 0, 0.6)}, nil, 1},
		{"either way round", []pair.Match{match(0, 0, 0.6), match(1, 0, 0.99)}, nil, 1},
		// One entry matched to tenants of two tenancies: one person may
		// hold two, so it is a death on each (a succession on R1, where B
		// survives; a case on R2).
		{"two tenancies", []pair.Match{match(0, 0, 0.6), match(2, 0, 0.99)}, []string{"C"}, 1},
	}
	for _, tt := range tests {
		l := &Linkage{Left: ours, Right: reg, Matches: tt.matches}
		f, err := TenancyAfterDeath(l, Params{Today: today, Thresholds: thresholds(t, exercise.MinProbability, 0.5)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range f.Cases {
			got = append(got, c.Subject.Ref.RecordID)
		}
		if !slices.Equal(got, tt.cases) || f.Successions != tt.succ {
			t.Errorf("%s: cases %v successions %d, want %v and %d", tt.name, got, f.Successions, tt.cases, tt.succ)
		}
	}
}

// TestTenancyAfterDeathUnreadTenant checks that a death with no survivor
// in sight on a tenancy whose other tenant's row was quarantined is
// Incomplete, not a case: that tenant may have succeeded.
func TestTenancyAfterDeathUnreadTenant(t *testing.T) {
	ours := dataset("tenancies", person.RoleTenancy, rec{id: "A", ref: "R1", role: "joint"}, rec{id: "C", ref: "R2", role: "lead"})
	reg := dataset("register", person.RoleDeceased, rec{id: "D0", dod: d(2026, 1, 1)}, rec{id: "D1", dod: d(2026, 1, 1)})
	l := &Linkage{Left: ours, Right: reg, Matches: []pair.Match{match(0, 0, 0.99), match(1, 1, 0.99)}}
	p := Params{Today: today, Thresholds: thresholds(t, exercise.MinProbability, 0.5)}
	f, err := TenancyAfterDeath(l, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 2 || f.Incomplete != 0 {
		t.Fatalf("without quarantined rows: %d cases, %d incomplete; want 2 and 0", len(f.Cases), f.Incomplete)
	}
	ours.UnreadTenants = map[string]bool{"R1": true}
	if f, err = TenancyAfterDeath(l, p); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 1 || f.Cases[0].Subject.Ref.RecordID != "C" || f.Incomplete != 1 {
		t.Errorf("with a tenant of R1 quarantined: %d cases, %d incomplete; want C's case and 1", len(f.Cases), f.Incomplete)
	}
}

func TestDuplicateIdentity(t *testing.T) {
	ds := dataset("tenancies", person.RoleTenancy,
		rec{id: "T2", ref: "R1", start: d(2020, 1, 1)},
		rec{id: "T1", ref: "R2", start: d(2026, 3, 22)}, // 22 to 31 March: 10 days
		rec{id: "T3", ref: "R1", start: d(2020, 1, 1)},  // same tenancy as T2
		rec{id: "T4", ref: "R3", start: d(2019, 1, 1), end: d(2026, 1, 1)},
		rec{id: "T5", start: d(2019, 1, 1)},
		rec{id: "T6", ref: "R4", role: "household", start: d(2019, 1, 1)},
		rec{id: "T7", ref: "R5", role: "MEMBER", start: d(2019, 1, 1)},
		rec{id: "T8", ref: "R6", role: "joint", start: d(2019, 1, 1)},
	)
	tests := []struct {
		name    string
		matches []pair.Match
		th      []any
		cases   int
		incompl int
	}{
		{"two current tenancies", []pair.Match{match(0, 1, 0.99)}, nil, 1, 0},
		{"a tenant and a household member elsewhere", []pair.Match{match(0, 5, 0.99)}, nil, 0, 0},
		{"two household members", []pair.Match{match(5, 6, 0.99)}, nil, 0, 0},
		{"listed both ways round", []pair.Match{match(0, 1, 0.99), match(1, 0, 0.99)}, nil, 1, 0},
		{"overlap at the threshold", []pair.Match{match(0, 1, 0.99)}, []any{exercise.OverlapDays, 10}, 1, 0},
		{"overlap below the threshold", []pair.Match{match(0, 1, 0.99)}, []any{exercise.OverlapDays, 11}, 0, 0},
		{"same tenancy", []pair.Match{match(0, 2, 0.99)}, nil, 0, 0},
		{"one tenancy ended", []pair.Match{match(0, 3, 0.99)}, nil, 0, 0},
		{"a record with itself", []pair.Match{match(0, 0, 1)}, nil, 0, 0},
		{"no tenancy reference", []pair.Match{match(0, 4, 0.99)}, nil, 0, 1},
		{"below the minimum probability", []pair.Match{match(0, 1, 0.97)}, []any{exercise.MinProbability, 0.98}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &Linkage{Left: ds, Right: ds, Matches: tc.matches}
			f, err := DuplicateIdentity(l, Params{Today: today, Thresholds: thresholds(t, tc.th...)})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Cases) != tc.cases || f.Incomplete != tc.incompl {
				t.Fatalf("cases %d incomplete %d, want %d %d", len(f.Cases), f.Incomplete, tc.cases, tc.incompl)
			}
			if tc.cases == 0 {
				return
			}
			c := f.Cases[0]
			if c.Subject.RecordID != "T1" || c.Partner.RecordID != "T2" || c.OverlapDays != 10 {
				t.Errorf("case subject %s partner %s overlap %d; want T1, T2, 10", c.Subject.RecordID, c.Partner.RecordID, c.OverlapDays)
			}
			if c.Evidence[0] != (Fact{"tenancy_start", d(2026, 3, 22)}) || c.Evidence[2] != (Fact{"partner_tenancy_start", d(2020, 1, 1)}) {
				t.Errorf("evidence %+v", c.Evidence)
			}
		})
	}
	// A lead and a joint tenant both hold their tenancies.
	l := &Linkage{Left: ds, Right: ds, Matches: []pair.Match{match(0, 7, 0.99)}}
	f, err := DuplicateIdentity(l, Params{Today: today, Thresholds: thresholds(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 1 || f.Cases[0].Subject.RecordID != "T2" || f.Cases[0].Partner.RecordID != "T8" {
		t.Errorf("lead and joint tenant: cases %+v, want T2 with T8", f.Cases)
	}
}

func TestArrearsTracing(t *testing.T) {
	left := d(2025, 6, 30)
	tests := []struct {
		name    string
		s, p    rec
		th      []any
		cases   int
		incompl int
	}{
		{"owes exactly the minimum", rec{id: "T", end: left, balance: 50000}, rec{id: "U"}, nil, 1, 0},
		{"owes a penny less", rec{id: "T", end: left, balance: 49999}, rec{id: "U"}, nil, 0, 0},
		{"in credit", rec{id: "T", end: left, balance: -50000}, rec{id: "U"}, nil, 0, 0},
		{"still a tenant", rec{id: "T", balance: 90000}, rec{id: "U"}, nil, 0, 0},
		{"tenancy ends tomorrow", rec{id: "T", end: today.AddDays(1), balance: 90000}, rec{id: "U"}, nil, 0, 0},
		{"tenancy ended today", rec{id: "T", end: today, balance: 90000}, rec{id: "U"}, nil, 1, 0},
		{"closed the day before we ended", rec{id: "T", end: left, balance: 90000}, rec{id: "U", end: left.AddDays(-1)}, []any{exercise.ClosedAfterEnd, true}, 0, 0},
		{"closed the day we ended", rec{id: "T", end: left, balance: 90000}, rec{id: "U", end: left}, []any{exercise.ClosedAfterEnd, true}, 1, 0},
		{"closing date unknown", rec{id: "T", end: left, balance: 90000}, rec{id: "U"}, []any{exercise.ClosedAfterEnd, true}, 0, 1},
		{"any closing date", rec{id: "T", end: left, balance: 90000}, rec{id: "U", end: d(2020, 1, 1)}, nil, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &Linkage{
				Left:    dataset("tenancies", person.RoleTenancy, tc.s),
				Right:   dataset("utility", person.RoleUtilityClosed, tc.p),
				Matches: []pair.Match{match(0, 0, 0.99)},
			}
			th := thresholds(t, append([]any{exercise.MinArrears, money.Pence(50000)}, tc.th...)...)
			f, err := ArrearsTracing(l, Params{Today: today, Thresholds: th})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Cases) != tc.cases || f.Incomplete != tc.incompl {
				t.Fatalf("cases %d incomplete %d, want %d %d", len(f.Cases), f.Incomplete, tc.cases, tc.incompl)
			}
			if tc.cases == 1 {
				c := f.Cases[0]
				if c.Partner.Ref != (Ref{"utility", "U"}) || c.Subject.Balance != tc.s.balance {
					t.Errorf("case %+v", c)
				}
				if c.Evidence[0] != (Fact{"tenancy_end", tc.s.end}) || c.Evidence[1] != (Fact{"account_closed", tc.p.end}) {
					t.Errorf("evidence %+v", c.Evidence)
				}
			}
		})
	}
}

func TestCaseIDs(t *testing.T) {
	a := Ref{"tenancies", "T1"}
	b := Ref{"other", "O1"}
	id := caseID(exercise.DualTenancy, a, b)
	if id != caseID(exercise.DualTenancy, a, b) {
		t.Error("case IDs are not stable")
	}
	for _, other := range []string{
		caseID(exercise.DuplicateIdentity, a, b),
		caseID(exercise.DualTenancy, b, a),
		caseID(exercise.DualTenancy, Ref{"tenancie", "sT1"}, b),
	} {
		if other == id {
			t.Errorf("distinct cases share ID %s", id)
		}
	}
	if !strings.HasPrefix(id, "dual_tenancy-") || strings.Contains(id, "T1") {
		t.Errorf("case ID %q", id)
	}
}

func TestTabulate(t *testing.T) {
	cases := func(rule exercise.Rule, probs ...float64) []Case {
		var out []Case
		for _, p := range probs {
			out = append(out, Case{Rule: rule, Probability: p})
		}
		return out
	}
	repeat := func(p float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = p
		}
		return out
	}
	var dual []float64 // bands: 5, 6, 7, 8, 3 -> total 29
	dual = append(dual, repeat(0.4999, 5)...)
	dual = append(dual, repeat(0.5, 6)...)
	dual = append(dual, repeat(0.8, 7)...)
	dual = append(dual, repeat(0.95, 8)...)
	dual = append(dual, 0.99, 1, 0.999)
	var death []float64 // bands: 0, 0, 2, 6, 30 -> total 38
	death = append(death, repeat(0.9, 2)...)
	death = append(death, repeat(0.96, 6)...)
	death = append(death, repeat(1, 30)...)
	findings := []Findings{
		{Rule: exercise.TenancyAfterDeath, Cases: cases(exercise.TenancyAfterDeath, death...), Successions: 4, HouseholdDeaths: 5},
		{Rule: exercise.DualTenancy, Cases: cases(exercise.DualTenancy, dual...)},
		{Rule: exercise.ArrearsTracing},
	}
	got := Tabulate(findings)
	want := []Cell{
		{"dual_tenancy", "0.00-0.50", SecondarySuppressed},
		{"dual_tenancy", "0.50-0.80", "6"},
		{"dual_tenancy", "0.80-0.95", "7"},
		{"dual_tenancy", "0.95-0.99", "8"},
		{"dual_tenancy", "0.99-1.00", "<5"},
		{"dual_tenancy", "total", "29"},
		{"tenancy_after_death", "0.00-0.50", "<5"},
		{"tenancy_after_death", "0.50-0.80", "<5"},
		{"tenancy_after_death", "0.80-0.95", "<5"},
		{"tenancy_after_death", "0.95-0.99", "6"},
		{"tenancy_after_death", "0.99-1.00", "30"},
		{"tenancy_after_death", "total", "38"},
		{"arrears_tracing", "0.00-0.50", "<5"},
		{"arrears_tracing", "0.50-0.80", "<5"},
		{"arrears_tracing", "0.80-0.95", "<5"},
		{"arrears_tracing", "0.95-0.99", "<5"},
		{"arrears_tracing", "0.99-1.00", "<5"},
		{"arrears_tracing", "total", "<5"},
		{"succession_recognised", "total", "<5"},
		{"household_member_death", "total", "5"},
	}
	if len(got.Cells) != len(want) {
		t.Fatalf("%d cells, want %d: %+v", len(got.Cells), len(want), got.Cells)
	}
	for i := range want {
		if got.Cells[i] != want[i] {
			t.Errorf("cell %d = %+v, want %+v", i, got.Cells[i], want[i])
		}
	}
}

func TestTabulateNoSmallCellLeaks(t *testing.T) {
	// Whatever the counts, a row never has exactly one withheld cell, and
	// no published number is below SmallCell.
	for n := 0; n < 200; n++ {
		counts := []int{n % 7, (n / 7) % 9, n % 5 * 3, (n * 7) % 11, n % 13}
		var cs []Case
		for b, c := range counts {
			for j := 0; j < c; j++ {
				cs = append(cs, Case{Probability: Bands[b].Low})
			}
		}
		tab := Tabulate([]Findings{{Rule: exercise.DualTenancy, Cases: cs}})
		withheld := 0
		for _, c := range tab.Cells {
			switch c.Value {
			case Suppressed, SecondarySuppressed:
				withheld++
			default:
				if len(c.Value) < 2 && c.Value < "5" {
					t.Fatalf("counts %v: published %q", counts, c.Value)
				}
			}
		}
		if withheld == 1 {
			t.Fatalf("counts %v: one withheld cell can be worked out: %+v", counts, tab.Cells)
		}
	}
}

const runConfig = `name: run
state_dir: state
output_dir: out
key_file: k
reviewers: [age198r8dcy52pjlmx428k3pcvnfeaw8qycj5adlg63mmvcz77upp48q8fc6l8]
datasets:
  - {name: tenancies, role: tenancy, path: t.parquet}
  - {name: other, role: other_landlord, path: o.parquet}
  - {name: register, role: deceased, path: d.parquet}
matching: {threshold: 0.5}
purposes:
  - name: fraud
    description: d
    lawful_basis: public_task
    lawful_basis_reference: PSHFA 2013
    dpia_reference: D
    datasets: [tenancies, other]
    fields: [tenancy_ref, tenancy_role, tenancy_start, tenancy_end]
    detections:
      - rule: dual_tenancy
      - rule: duplicate_identity
    retention: P1Y
    significant_effect: true
  - name: fraud_again
    description: d
    lawful_basis: public_task
    lawful_basis_reference: PSHFA 2013
    dpia_reference: D
    datasets: [tenancies, other]
    fields: [tenancy_start, tenancy_end]
    detections:
      - rule: dual_tenancy
    retention: P1Y
    significant_effect: true
  - name: stats
    description: d
    lawful_basis: public_task
    lawful_basis_reference: HRA 2008
    dpia_reference: D
    datasets: [tenancies, other, register]
    detections:
      - rule: statistics
        thresholds: {min_probability: 0.9}
    retention: P1Y
  - name: stats_narrow
    description: d
    lawful_basis: public_task
    lawful_basis_reference: HRA 2008
    dpia_reference: D
    datasets: [tenancies, register]
    detections: [{rule: statistics}]
    retention: P1Y
`

func TestRun(t *testing.T) {
	e, err := exercise.Parse([]byte(runConfig), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	ours := dataset("tenancies", person.RoleTenancy,
		rec{id: "T0", ref: "R0", start: d(2020, 1, 1)},
		rec{id: "T1", ref: "R1", start: d(2021, 1, 1)})
	other := dataset("other", person.RoleOtherLandlord, rec{id: "O0", start: d(2022, 1, 1)}, rec{id: "O1", start: d(2022, 1, 1)})
	reg := dataset("register", person.RoleDeceased, rec{id: "D0", dod: d(2025, 1, 1)})
	links := []*Linkage{
		{Left: ours, Right: other, Matches: []pair.Match{match(0, 0, 0.95), match(1, 1, 0.6)}},
		{Left: ours, Right: ours, Matches: []pair.Match{match(0, 1, 0.99)}},
		{Left: ours, Right: reg, Matches: []pair.Match{match(0, 0, 0.99)}},
	}
	res, err := Run(context.Background(), e, today, links)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || res[0].Purpose != "fraud" || res[3].Purpose != "stats_narrow" {
		t.Fatalf("results %+v", res)
	}
	// fraud: dual tenancy over (tenancies, other), duplicate identity over
	// (tenancies, tenancies); no purpose may use the register for a rule.
	if n := len(res[0].Findings); n != 2 {
		t.Fatalf("fraud has %d findings, want 2", n)
	}
	if got := len(res[0].Cases()); got != 3 {
		t.Errorf("fraud has %d cases, want 3", got)
	}
	if res[0].Table != nil || res[2].Table == nil {
		t.Errorf("tables: %v %v", res[0].Table, res[2].Table)
	}
	// stats counts dual tenancy once although two purposes ran it, and only
	// cases of probability 0.9 or more: one dual tenancy (0.95), one
	// duplicate identity (0.99).
	value := func(tab *Table, rule, band string) string {
		for _, c := range tab.Cells {
			if c.Rule == rule && c.Band == band {
				return c.Value
			}
		}
		return "absent"
	}
	if v := value(res[2].Table, "dual_tenancy", BandTotal); v != Suppressed {
		t.Errorf("stats dual_tenancy total = %q", v)
	}
	if v := value(res[2].Table, "duplicate_identity", BandTotal); v != Suppressed {
		t.Errorf("stats duplicate_identity total = %q", v)
	}
	if len(res[2].Table.Cells) != 12 {
		t.Errorf("stats has %d cells, want 12 (two rules)", len(res[2].Table.Cells))
	}
	// stats_narrow may not use the other landlord's data: only duplicate
	// identity (tenancies with itself) is counted.
	if v := value(res[3].Table, "dual_tenancy", BandTotal); v != "absent" {
		t.Errorf("stats_narrow counted dual tenancies: %q", v)
	}
	if v := value(res[3].Table, "duplicate_identity", BandTotal); v != Suppressed {
		t.Errorf("stats_narrow duplicate_identity total = %q", v)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, e, today, links); err == nil {
		t.Error("Run ignored a cancelled context")
	}
}

func TestApplies(t *testing.T) {
	ours := &Dataset{Name: "t", Role: person.RoleTenancy}
	other := &Dataset{Name: "o", Role: person.RoleOtherLandlord}
	util := &Dataset{Name: "u", Role: person.RoleUtilityClosed}
	tests := []struct {
		rule exercise.Rule
		l    *Linkage
		want bool
	}{
		{exercise.DualTenancy, &Linkage{Left: ours, Right: other}, true},
		{exercise.DualTenancy, &Linkage{Left: other, Right: ours}, true},
		{exercise.DualTenancy, &Linkage{Left: ours, Right: ours}, false},
		{exercise.DuplicateIdentity, &Linkage{Left: ours, Right: ours}, true},
		{exercise.DuplicateIdentity, &Linkage{Left: ours, Right: other}, false},
		{exercise.ArrearsTracing, &Linkage{Left: util, Right: ours}, true},
		{exercise.TenancyAfterDeath, &Linkage{Left: ours, Right: util}, false},
		{exercise.Statistics, &Linkage{Left: ours, Right: ours}, false},
	}
	for _, tc := range tests {
		if got := Applies(tc.rule, tc.l); got != tc.want {
			t.Errorf("Applies(%s, %s-%s) = %v", tc.rule, tc.l.Left.Role, tc.l.Right.Role, got)
		}
	}
}

func FuzzNormRole(f *testing.F) {
	for _, s := range []string{"lead", " Joint ", "HOUSEHOLD", "", "\tjoint\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := normRole(s)
		if r != strings.TrimSpace(r) || r != strings.ToLower(r) {
			t.Fatalf("normRole(%q) = %q", s, r)
		}
		if normRole(r) != r {
			t.Fatalf("normRole is not idempotent on %q", s)
		}
	})
}

// FuzzDualTenancy checks the rule against its definition on random dates.
func FuzzDualTenancy(f *testing.F) {
	f.Add(int16(-100), int16(0), int16(-30), int16(10), int16(5))
	f.Add(int16(-1), int16(-1), int16(0), int16(0), int16(1))
	f.Fuzz(func(t *testing.T, s1, e1, s2, e2, need int16) {
		at := func(n int16) date.Date { return today.AddDays(int(n)) }
		r1 := rec{id: "A", start: at(s1), end: at(e1)}
		r2 := rec{id: "B", start: at(s2), end: at(e2)}
		if e1 == 0 {
			r1.end = date.Date{}
		}
		if e2 == 0 {
			r2.end = date.Date{}
		}
		th := exercise.Thresholds{}
		if need > 0 {
			_ = th.Set(exercise.OverlapDays, int(need))
		}
		l := &Linkage{
			Left:    dataset("t", person.RoleTenancy, r1),
			Right:   dataset("o", person.RoleOtherLandlord, r2),
			Matches: []pair.Match{match(0, 0, 1)},
		}
		f, err := DualTenancy(l, Params{Today: today, Thresholds: th})
		if err != nil {
			t.Fatal(err)
		}
		cur := func(r rec) bool { return !r.start.After(today) && (r.end.IsZero() || r.end.After(today)) }
		// Both current: the overlap runs from the later start to today.
		later := s1
		if s2 > later {
			later = s2
		}
		want := cur(r1) && cur(r2) && int(-later)+1 >= max(int(need), 1)
		if (len(f.Cases) == 1) != want {
			t.Fatalf("s1=%d e1=%d s2=%d e2=%d need=%d: %d cases, want %v", s1, e1, s2, e2, need, len(f.Cases), want)
		}
		if want && f.Cases[0].OverlapDays != int(-later)+1 {
			t.Fatalf("overlap %d, want %d", f.Cases[0].OverlapDays, int(-later)+1)
		}
	})
}

func TestNormRoleMapsExportSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"Lead Tenant": RoleLead, "JOINT": "joint", "MEMBER": RoleHousehold, " household ": RoleHousehold, "landlord": "landlord",
	} {
		if got := normRole(in); got != want {
			t.Errorf("normRole(%q) = %q, want %q", in, got, want)
		}
	}
}
