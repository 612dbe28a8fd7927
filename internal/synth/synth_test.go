package synth

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/person"
)

// The fixture is one run of 2,000 people in chunks of 700 rows, so that ids,
// dirty values and truth rows are exercised across chunk boundaries.
const (
	fixturePeople = 2000
	fixtureChunk  = 700
)

var fixture struct {
	once   sync.Once
	dir    string
	m      *Manifest
	err    error
	mu     sync.Mutex
	tables map[string]*table
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func fixtureConfig() Config {
	return Config{Seed: 1, People: fixturePeople, Logger: quiet, chunk: fixtureChunk}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// generated returns the fixture's manifest and directory, generating it on
// first use.
func generated(t testing.TB) (*Manifest, string) {
	t.Helper()
	fixture.once.Do(func() {
		fixture.dir, fixture.err = os.MkdirTemp("", "synth-test-")
		if fixture.err == nil {
			fixture.m, fixture.err = Generate(context.Background(), fixtureConfig(), fixture.dir)
		}
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return fixture.m, fixture.dir
}

// fixtureFile returns a fixture file read back with pqarrow.
func fixtureFile(t testing.TB, name string) *table {
	t.Helper()
	_, dir := generated(t)
	fixture.mu.Lock()
	defer fixture.mu.Unlock()
	if fixture.tables == nil {
		fixture.tables = map[string]*table{}
	}
	if tb, ok := fixture.tables[name]; ok {
		return tb
	}
	tb := readTable(t, filepath.Join(dir, name))
	fixture.tables[name] = tb
	return tb
}

func datasetOf(t testing.TB, m *Manifest, name string) Dataset {
	t.Helper()
	for _, d := range m.Datasets {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no dataset %s in manifest", name)
	return Dataset{}
}

// idColumn returns the column a dataset's record_id is mapped from.
func idColumn(t testing.TB, d Dataset) string {
	t.Helper()
	fm, ok := d.Mapping.Fields[person.ColRecordID]
	if !ok || len(fm.From) != 1 {
		t.Fatalf("%s: record_id not mapped from one column", d.Name)
	}
	return fm.From[0]
}

func TestDeterministic(t *testing.T) {
	_, dir := generated(t)
	same := t.TempDir()
	if _, err := Generate(context.Background(), fixtureConfig(), same); err != nil {
		t.Fatal(err)
	}
	cfg := fixtureConfig()
	cfg.Seed = 2
	other := t.TempDir()
	if _, err := Generate(context.Background(), cfg, other); err != nil {
		t.Fatal(err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 8 {
		t.Errorf("fixture has %d files, want 8 (5 datasets, 2 truth files, manifest)", len(names))
	}
	for _, e := range names {
		a, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(same, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", e.Name())
		}
		c, err := os.ReadFile(filepath.Join(other, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s is the same for seeds 1 and 2", e.Name())
		}
	}
}

func TestSizes(t *testing.T) {
	m, _ := generated(t)
	if len(m.Datasets) != numDatasets {
		t.Fatalf("manifest lists %d datasets, want %d", len(m.Datasets), numDatasets)
	}
	people := fixtureFile(t, PeopleTruthFile)
	personOf := map[string]map[int64]bool{} // dataset -> person ids
	for i := 0; i < people.rows; i++ {
		ds, _ := people.get(peopleDataset, i)
		pid, _ := people.get(peoplePersonID, i)
		if personOf[ds] == nil {
			personOf[ds] = map[int64]bool{}
		}
		personOf[ds][atoi64(t, pid)] = true
	}
	for i, d := range m.Datasets {
		if d.Name != datasetNames[i] || d.Role != datasetRoles[i] {
			t.Errorf("dataset %d is %s/%s, want %s/%s", i, d.Name, d.Role, datasetNames[i], datasetRoles[i])
		}
		tb := fixtureFile(t, d.File)
		if tb.rows != d.Rows {
			t.Errorf("%s: manifest says %d rows, file has %d", d.Name, d.Rows, tb.rows)
		}
		want := sizeRatios[i] * fixturePeople
		chunks := (fixturePeople + fixtureChunk - 1) / fixtureChunk
		if diff := float64(d.Rows) - want; diff < -float64(chunks) || diff > float64(chunks) {
			t.Errorf("%s: %d rows, want %.0f (%.2f per tenancy row)", d.Name, d.Rows, want, sizeRatios[i])
		}
		if i == dsTenancies {
			continue
		}
		// Partner datasets are mostly people who are not the landlord's.
		ours := 0
		for pid := range personOf[d.Name] {
			if personOf[DatasetTenancies][pid] {
				ours++
			}
		}
		if share := float64(ours) / float64(len(personOf[d.Name])); share > 0.4 {
			t.Errorf("%s: %.0f%% of its people are the landlord's, want a minority", d.Name, 100*share)
		}
	}
	if got := m.Datasets[dsTenancies].Rows; got != fixturePeople {
		t.Errorf("tenancies has %d rows, want exactly People = %d", got, fixturePeople)
	}
}

func atoi64(t testing.TB, s string) int64 {
	t.Helper()
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		v = v*10 + int64(c-'0')
	}
	return v
}

// rowsByID indexes a dataset's rows by record id.
func rowsByID(t testing.TB, d Dataset) (*table, map[string][]int) {
	tb := fixtureFile(t, d.File)
	col := idColumn(t, d)
	idx := map[string][]int{}
	for i := 0; i < tb.rows; i++ {
		if id, ok := tb.get(col, i); ok {
			idx[id] = append(idx[id], i)
		}
	}
	return tb, idx
}

// personByRow returns the true person of every row of every dataset.
func personByRow(t testing.TB) map[string][]int64 {
	m, _ := generated(t)
	people := fixtureFile(t, PeopleTruthFile)
	out := map[string][]int64{}
	for _, d := range m.Datasets {
		out[d.Name] = make([]int64, d.Rows)
		for i := range out[d.Name] {
			out[d.Name][i] = -1
		}
	}
	for i := 0; i < people.rows; i++ {
		ds, _ := people.get(peopleDataset, i)
		row, _ := people.get(peopleRowIndex, i)
		pid, _ := people.get(peoplePersonID, i)
		r := atoi64(t, row)
		if r >= int64(len(out[ds])) {
			t.Fatalf("people truth names row %d of %s, which has %d rows", r, ds, len(out[ds]))
		}
		if out[ds][r] != -1 {
			t.Fatalf("people truth names row %d of %s twice", r, ds)
		}
		out[ds][r] = atoi64(t, pid)
	}
	return out
}

func TestPeopleTruth(t *testing.T) {
	m, _ := generated(t)
	people := fixtureFile(t, PeopleTruthFile)
	byRow := personByRow(t)
	total := 0
	for _, d := range m.Datasets {
		total += d.Rows
		for i, pid := range byRow[d.Name] {
			if pid < 0 {
				t.Fatalf("%s row %d has no person in the people truth", d.Name, i)
			}
		}
	}
	if people.rows != total {
		t.Errorf("people truth has %d rows, datasets %d", people.rows, total)
	}
	// record_id in the people truth is the row's id in the file.
	ids := map[string]*table{}
	for _, d := range m.Datasets {
		ids[d.Name] = fixtureFile(t, d.File)
	}
	for i := 0; i < people.rows; i++ {
		ds, _ := people.get(peopleDataset, i)
		row, _ := people.get(peopleRowIndex, i)
		id, idOK := people.get(peopleRecordID, i)
		d := datasetOf(t, m, ds)
		want, wantOK := ids[ds].get(idColumn(t, d), int(atoi64(t, row)))
		if id != want || idOK != wantOK {
			t.Fatalf("people truth row %d: record id %q (%v), file has %q (%v)", i, id, idOK, want, wantOK)
		}
	}
	// Every row of the export is a different person except the second rows
	// planted for duplicate identities and transfers.
	persons := map[int64]int{}
	for _, pid := range byRow[DatasetTenancies] {
		persons[pid]++
	}
	dups := 0
	for _, n := range persons {
		dups += n - 1
	}
	if want := m.Counts[KindDuplicateIdentity] + m.Counts[KindTransfer]; dups != want {
		t.Errorf("%d tenancy rows repeat a person, want %d (duplicate identities and transfers)", dups, want)
	}
}

func TestTruth(t *testing.T) {
	m, _ := generated(t)
	truth := fixtureFile(t, TruthFile)
	byRow := personByRow(t)
	counts := map[string]int{}
	caseIDs := map[string]bool{}
	tenancies := map[string]bool{}
	ten := fixtureFile(t, datasetOf(t, m, DatasetTenancies).File)
	for i := 0; i < ten.rows; i++ {
		ref, _ := ten.get(tenTenancyRef, i)
		tenancies[ref] = true
	}
	for i := 0; i < truth.rows; i++ {
		id, _ := truth.get(truthCaseID, i)
		kind, _ := truth.get(truthKind, i)
		if caseIDs[id] {
			t.Errorf("case id %s repeated", id)
		}
		caseIDs[id] = true
		counts[kind]++
		lds, _ := truth.get(truthLeftDS, i)
		lid, _ := truth.get(truthLeftID, i)
		rds, _ := truth.get(truthRightDS, i)
		rid, _ := truth.get(truthRightID, i)
		if lds != DatasetTenancies {
			t.Errorf("case %s: left dataset %s, want %s", id, lds, DatasetTenancies)
		}
		_, lidx := rowsByID(t, datasetOf(t, m, lds))
		_, ridx := rowsByID(t, datasetOf(t, m, rds))
		if len(lidx[lid]) != 1 || len(ridx[rid]) != 1 {
			t.Fatalf("case %s (%s): left id in %d rows of %s, right id in %d rows of %s; want exactly one each",
				id, kind, len(lidx[lid]), lds, len(ridx[rid]), rds)
		}
		lp, rp := byRow[lds][lidx[lid][0]], byRow[rds][ridx[rid][0]]
		if (lp == rp) != SamePerson(kind) {
			t.Errorf("case %s (%s): same person = %v, want %v", id, kind, lp == rp, SamePerson(kind))
		}
	}
	for _, k := range Kinds {
		if counts[k] != m.Counts[k] {
			t.Errorf("%s: %d truth rows, manifest counts %d", k, counts[k], m.Counts[k])
		}
		// Every kind is planted, at around 0.5-2% of tenancies (a small
		// run has few of the rarer kinds).
		rate := float64(counts[k]) / float64(len(tenancies))
		if rate < 0.001 || rate > 0.04 {
			t.Errorf("%s: %d cases in %d tenancies (%.2f%%), want 0.1%%-4%%", k, counts[k], len(tenancies), 100*rate)
		}
	}
	if len(counts) != len(Kinds) {
		t.Errorf("truth has kinds %v, want exactly %v", counts, Kinds)
	}
}

// tenancyRow is one row of the landlord's export, parsed.
type tenancyRow struct {
	ref, tenancy, role, first, middle, last string
	dob, start, end                         date.Date
	balance                                 money.Pence
	hasBalance                              bool
	line1, line2, town, postcode, uprn      string
}

func tenancyRows(t testing.TB) (rows []tenancyRow, byRef map[string]int) {
	ten := fixtureFile(t, datasetFiles[dsTenancies])
	byRef = map[string]int{}
	day := func(col string, i int) date.Date {
		s, ok := ten.get(col, i)
		if !ok {
			return date.Date{}
		}
		d, err := date.Parse(date.ISO, s)
		if err != nil {
			t.Fatalf("tenancies row %d column %s: %v", i, col, err)
		}
		return d
	}
	str := func(col string, i int) string { s, _ := ten.get(col, i); return s }
	for i := 0; i < ten.rows; i++ {
		r := tenancyRow{
			ref: str(tenPersonRef, i), tenancy: str(tenTenancyRef, i), role: str(tenRole, i),
			first: str(tenFirst, i), middle: str(tenMiddle, i), last: str(tenLast, i),
			dob: day(tenDOB, i), start: day(tenStart, i), end: day(tenEnd, i),
			line1: str(tenLine1, i), line2: str(tenLine2, i), town: str(tenTown, i),
			postcode: str(tenPostcode, i), uprn: str(tenUPRN, i),
		}
		if b, ok := ten.get(tenBalance, i); ok {
			r.balance, r.hasBalance = money.Pence(atoiSigned(t, b)), true
		}
		rows = append(rows, r)
		if r.ref != "" {
			byRef[r.ref] = i
		}
	}
	return rows, byRef
}

func atoiSigned(t testing.TB, s string) int64 {
	if strings.HasPrefix(s, "-") {
		return -atoi64(t, s[1:])
	}
	return atoi64(t, s)
}

func TestHouseholds(t *testing.T) {
	rows, _ := tenancyRows(t)
	byTenancy := map[string][]tenancyRow{}
	for _, r := range rows {
		byTenancy[r.tenancy] = append(byTenancy[r.tenancy], r)
	}
	today := DefaultToday
	type span struct{ start, end date.Date }
	byHome := map[string][]span{}
	for ref, rs := range byTenancy {
		leads, joints := 0, 0
		for _, r := range rs {
			if r.line1 != rs[0].line1 || r.line2 != rs[0].line2 || r.town != rs[0].town ||
				r.postcode != rs[0].postcode || r.uprn != rs[0].uprn {
				t.Errorf("tenancy %s: members at different addresses", ref)
			}
			if r.start != rs[0].start || r.end != rs[0].end {
				t.Errorf("tenancy %s: members with different tenancy dates", ref)
			}
			if (r.role == roleLead || r.role == roleJoint) && !r.dob.IsZero() && r.dob != placeholderDOB &&
				!r.dob.After(today) && ageAt(r.dob, r.start) < 18 {
				t.Errorf("tenancy %s: tenant %s aged %d at the start", ref, r.ref, ageAt(r.dob, r.start))
			}
			switch r.role {
			case roleLead:
				leads++
			case roleJoint:
				joints++
			case roleMember:
				if r.hasBalance {
					t.Errorf("tenancy %s: a household member carries the rent balance", ref)
				}
			default:
				t.Errorf("tenancy %s: role %q", ref, r.role)
			}
		}
		if leads != 1 || joints > 1 {
			t.Errorf("tenancy %s: %d lead and %d joint tenants", ref, leads, joints)
		}
		st, end := rs[0].start, rs[0].end
		if st.IsZero() || st.After(today) || (!end.IsZero() && !end.After(st)) || end.After(today) {
			t.Errorf("tenancy %s: runs %v to %v", ref, st, end)
		}
		byHome[rs[0].uprn] = append(byHome[rs[0].uprn], span{st, end})
	}
	// A home has one tenancy at a time.
	for uprn, spans := range byHome {
		for i := range spans {
			for j := i + 1; j < len(spans); j++ {
				a, b := spans[i], spans[j]
				aEnd, bEnd := a.end, b.end
				if aEnd.IsZero() {
					aEnd = today.AddDays(1)
				}
				if bEnd.IsZero() {
					bEnd = today.AddDays(1)
				}
				if a.start.Before(bEnd) && b.start.Before(aEnd) {
					t.Errorf("home %s: tenancies %v-%v and %v-%v overlap", uprn, a.start, a.end, b.start, b.end)
				}
			}
		}
	}
}

func TestCaseSemantics(t *testing.T) {
	m, _ := generated(t)
	rows, byRef := tenancyRows(t)
	truth := fixtureFile(t, TruthFile)
	tenants := map[string][]tenancyRow{}
	for _, r := range rows {
		tenants[r.tenancy] = append(tenants[r.tenancy], r)
	}
	olTab, olIdx := rowsByID(t, datasetOf(t, m, DatasetOtherLandlord))
	decTab, decIdx := rowsByID(t, datasetOf(t, m, DatasetDeceased))
	utTab, utIdx := rowsByID(t, datasetOf(t, m, DatasetUtility))
	parse := func(l date.Layout, s string) date.Date {
		d, err := date.Parse(l, s)
		if err != nil {
			t.Fatalf("date %q: %v", s, err)
		}
		return d
	}
	for i := 0; i < truth.rows; i++ {
		kind, _ := truth.get(truthKind, i)
		lid, _ := truth.get(truthLeftID, i)
		rid, _ := truth.get(truthRightID, i)
		l := rows[byRef[lid]]
		current := l.end.IsZero()
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("%s %s/%s: "+format, append([]any{kind, lid, rid}, args...)...)
		}
		switch kind {
		case KindDualTenancy, KindSequentialTenancy, KindNamesake:
			j := olIdx[rid][0]
			st, _ := olTab.get("TenancyStartDate", j)
			start := parse(date.ISO, st)
			if _, ended := olTab.get("TenancyEndDate", j); ended {
				fail("the other landlord's tenancy has ended")
			}
			switch kind {
			case KindDualTenancy:
				if !current {
					fail("our tenancy has ended")
				}
			case KindSequentialTenancy:
				if current || !start.After(l.end) {
					fail("other tenancy starts %v, ours ended %v", start, l.end)
				}
			case KindNamesake:
				name, _ := olTab.get("FullName", j)
				dob, _ := olTab.get("DOB", j)
				sur, given, _ := strings.Cut(name, ", ")
				first, _, _ := strings.Cut(given, " ")
				if sur != strings.ToUpper(l.last) || first != l.first || parse(date.UKSlash, dob) == l.dob {
					fail("namesake %q born %s, ours %s %s born %v", name, dob, l.first, l.last, l.dob)
				}
			}
		case KindTenancyAfterDeath, KindSuccession, KindDeathTenancyEnded:
			j := decIdx[rid][0]
			s, _ := decTab.get("date_of_death", j)
			dod := parse(date.DayMonth, s)
			if !dod.Before(DefaultToday) || !dod.After(l.start) {
				fail("died %v, tenancy from %v", dod, l.start)
			}
			others := 0
			for _, o := range tenants[l.tenancy] {
				if o.ref != lid && (o.role == roleLead || o.role == roleJoint) {
					others++
				}
			}
			switch kind {
			case KindTenancyAfterDeath:
				if !current || l.role != roleLead || others != 0 {
					fail("current %v, role %s, %d other tenants", current, l.role, others)
				}
			case KindSuccession:
				if !current || (l.role != roleMember && others == 0) {
					fail("current %v, role %s, no surviving tenant", current, l.role)
				}
			case KindDeathTenancyEnded:
				if current || l.end.Before(dod) {
					fail("tenancy ended %v before the death %v", l.end, dod)
				}
			}
		case KindDuplicateIdentity, KindTransfer:
			r := rows[byRef[rid]]
			if r.tenancy == l.tenancy {
				fail("both rows on tenancy %s", l.tenancy)
			}
			if kind == KindDuplicateIdentity && (!current || !r.end.IsZero()) {
				fail("tenancies not both current")
			}
			if kind == KindDuplicateIdentity && r.first == l.first && r.last == l.last {
				fail("second identity has the same name %s %s", r.first, r.last)
			}
			if kind == KindTransfer && (r.end.IsZero() || r.end.After(l.start)) {
				fail("earlier tenancy ended %v, current began %v", r.end, l.start)
			}
		case KindArrearsMoved, KindMovedNoArrears:
			j := utIdx[rid][0]
			pc, _ := utTab.get("supply_postcode", j)
			if normPostcode(pc) != l.postcode {
				fail("supply postcode %s, tenancy %s", pc, l.postcode)
			}
			if _, ok := utTab.get("forwarding_address", j); !ok {
				fail("no forwarding address")
			}
			if current || (kind == KindArrearsMoved) != (l.balance > 0) {
				fail("current %v, balance %v", current, l.balance)
			}
			// account_closed is an INT96 timestamp from parquet-go.
			s, _ := utTab.get("account_closed", j)
			closed := parse(date.ISO, s)
			if gap := closed.Days() - l.end.Days(); gap < -30 || gap > 30 {
				fail("account closed %v, tenancy ended %v", closed, l.end)
			}
		case KindTwins, KindParentChild:
			r := rows[byRef[rid]]
			if r.tenancy != l.tenancy {
				fail("not in one household")
			}
			if kind == KindTwins && (r.dob != l.dob || r.first == l.first) {
				fail("twins born %v and %v named %s and %s", l.dob, r.dob, l.first, r.first)
			}
			if kind == KindParentChild && (r.first != l.first || !strings.HasPrefix(r.last, l.last) || !r.dob.After(l.dob)) {
				fail("parent %s %s (%v), child %s %s (%v)", l.first, l.last, l.dob, r.first, r.last, r.dob)
			}
		default:
			fail("unknown kind")
		}
	}
}

var (
	postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$`)
	niRE       = regexp.MustCompile(`^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$`)
	phoneRE    = regexp.MustCompile(`^(07700 ?900|\+44 7700 900)[0-9]{3}$`)
	uprnRE     = regexp.MustCompile(`^[1-9][0-9]{11}$`)
)

// normPostcode puts a postcode in canonical form: capitals, one space
// before the inward code.
func normPostcode(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) < 5 {
		return s
	}
	return s[:len(s)-3] + " " + s[len(s)-3:]
}

// validNI reports whether s, with spaces removed, is an NI number HMRC
// could have issued.
func validNI(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if !niRE.MatchString(s) || s[2:8] == "000000" {
		return false
	}
	switch s[:2] {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
}

// datasetColumns says, per dataset, which columns hold postcodes, NI
// numbers, phones, UPRNs, names and dates of birth (with their layout; ""
// for a Parquet date).
var datasetColumns = map[string]struct {
	postcodes, nis, phones, uprns, names []string
	dob                                  string
	dobLayout                            date.Layout
}{
	DatasetTenancies:     {[]string{tenPostcode}, []string{tenNI}, []string{tenTel}, []string{tenUPRN}, []string{tenFirst, tenMiddle, tenLast}, tenDOB, ""},
	DatasetOtherLandlord: {[]string{"Postcode"}, []string{"NINO"}, []string{"Telephone"}, nil, []string{"FullName"}, "DOB", date.UKSlash},
	DatasetDeceased:      {[]string{"last_postcode"}, nil, nil, nil, []string{"surname", "forenames"}, "date_of_birth", date.Compact},
	DatasetUtility:       {[]string{"supply_postcode", "forwarding_postcode"}, nil, []string{"phone"}, nil, []string{"customer_name"}, "date_of_birth", date.UKDash},
	DatasetCouncilTax:    {[]string{"postcode"}, nil, nil, []string{"uprn"}, []string{"first_name", "last_name"}, "date_of_birth", ""},
}

func TestValuesAndDirt(t *testing.T) {
	m, _ := generated(t)
	for _, d := range m.Datasets {
		tb := fixtureFile(t, d.File)
		cols, ok := datasetColumns[d.Name]
		if !ok {
			t.Fatalf("no columns listed for %s", d.Name)
		}
		got := map[string]int{}
		idCol := idColumn(t, d)
		seen := map[string]int{}
		for i := 0; i < tb.rows; i++ {
			for _, c := range cols.postcodes {
				if v, ok := tb.get(c, i); ok && !postcodeRE.MatchString(normPostcode(v)) {
					t.Errorf("%s row %d: invalid postcode in %s", d.Name, i, c)
				}
			}
			for _, c := range cols.nis {
				if v, ok := tb.get(c, i); ok && !validNI(v) {
					got[DirtyNIPlaceholder]++
				}
			}
			for _, c := range cols.phones {
				if v, ok := tb.get(c, i); ok && !phoneRE.MatchString(v) {
					t.Errorf("%s row %d: phone outside the drama range in %s", d.Name, i, c)
				}
			}
			for _, c := range cols.uprns {
				if v, ok := tb.get(c, i); ok && !uprnRE.MatchString(v) {
					t.Errorf("%s row %d: UPRN not 12 digits", d.Name, i)
				}
			}
			unknown, badUTF8 := false, false
			for _, c := range cols.names {
				v, _ := tb.get(c, i)
				unknown = unknown || v == "UNKNOWN" || strings.HasPrefix(v, "UNKNOWN,")
				badUTF8 = badUTF8 || !utf8.ValidString(v)
			}
			if unknown {
				got[DirtyUnknownName]++
			}
			if badUTF8 {
				got[DirtyNonUTF8]++
			}
			if v, ok := tb.get(cols.dob, i); ok {
				dob, err := date.Parse(date.ISO, v)
				if cols.dobLayout != "" {
					dob, err = date.Parse(cols.dobLayout, v)
				}
				if err != nil {
					t.Errorf("%s row %d: date of birth does not parse: %v", d.Name, i, err)
				}
				switch {
				case dob == placeholderDOB:
					got[DirtyDOB1900]++
				case dob.After(DefaultToday):
					got[DirtyFutureDOB]++
				}
			}
			if id, ok := tb.get(idCol, i); ok {
				seen[id]++
			} else {
				got[DirtyMissingID]++
			}
		}
		for _, n := range seen {
			if n > 1 {
				got[DirtyDuplicateID] += n - 1
			}
		}
		for k, n := range d.Dirty {
			if n < 1 {
				t.Errorf("%s: no %s values planted", d.Name, k)
			}
			if got[k] != n {
				t.Errorf("%s: %d rows with %s, manifest says %d", d.Name, got[k], k, n)
			}
		}
		for k, n := range got {
			if _, ok := d.Dirty[k]; !ok && n > 0 {
				t.Errorf("%s: %d rows with %s, which the manifest does not list", d.Name, n, k)
			}
		}
	}
}

// TestTimestamps reads back the dates parquet-go wrote as INT96 and
// TIMESTAMP_MILLIS.
func TestTimestamps(t *testing.T) {
	m, _ := generated(t)
	checks := []struct {
		ds, col string
		from    date.Date
	}{
		{DatasetUtility, "account_closed", DefaultToday.AddDays(-9 * 366)},
		{DatasetCouncilTax, "liability_start", councilTaxFrom},
		{DatasetCouncilTax, "liability_end", councilTaxFrom},
	}
	for _, c := range checks {
		tb := fixtureFile(t, datasetOf(t, m, c.ds).File)
		if typ := tb.types[c.col].String(); !strings.HasPrefix(typ, "timestamp") {
			t.Errorf("%s.%s reads as %s, want a timestamp", c.ds, c.col, typ)
		}
		n := 0
		for i := 0; i < tb.rows; i++ {
			s, ok := tb.get(c.col, i)
			if !ok {
				continue
			}
			n++
			d, err := date.Parse(date.ISO, s)
			if err != nil || d.Before(c.from) || d.After(DefaultToday) {
				t.Fatalf("%s.%s row %d: %s", c.ds, c.col, i, s)
			}
		}
		if n == 0 {
			t.Errorf("%s.%s is all null", c.ds, c.col)
		}
	}
}

func TestMappings(t *testing.T) {
	m, _ := generated(t)
	for _, d := range m.Datasets {
		tb := fixtureFile(t, d.File)
		has := map[string]bool{}
		for _, n := range tb.names {
			has[n] = true
		}
		if d.Mapping.FullName != nil {
			if !has[d.Mapping.FullName.From] {
				t.Errorf("%s: full name column %s not in file", d.Name, d.Mapping.FullName.From)
			}
		} else if _, ok := d.Mapping.Fields[person.ColSurname]; !ok {
			t.Errorf("%s: no surname mapping", d.Name)
		}
		if _, ok := d.Mapping.Fields[person.ColRecordID]; !ok {
			t.Errorf("%s: no record_id mapping", d.Name)
		}
		for canon, fm := range d.Mapping.Fields {
			col, ok := person.Lookup(canon)
			if !ok {
				t.Errorf("%s: %s is not a canonical column", d.Name, canon)
				continue
			}
			for _, f := range fm.From {
				if !has[f] {
					t.Errorf("%s: %s mapped from %s, not in file", d.Name, canon, f)
				}
			}
			typ := tb.types[fm.From[0]].String()
			switch col.Kind {
			case person.Date:
				text := typ == "utf8"
				if text != (fm.Format != "") || (text && !date.Layout(fm.Format).Valid()) {
					t.Errorf("%s: %s from %s column %s with format %q", d.Name, canon, typ, fm.From[0], fm.Format)
					continue
				}
				for i := 0; text && i < tb.rows; i++ {
					if v, ok := tb.get(fm.From[0], i); ok {
						if _, err := date.Parse(date.Layout(fm.Format), v); err != nil {
							t.Errorf("%s row %d: %s: %v", d.Name, i, fm.From[0], err)
						}
					}
				}
			case person.Money:
				if fm.Format != "pounds" {
					t.Errorf("%s: %s format %q, want pounds", d.Name, canon, fm.Format)
				}
				for i := 0; typ == "utf8" && i < tb.rows; i++ {
					if v, ok := tb.get(fm.From[0], i); ok {
						if _, err := money.Parse(v); err != nil {
							t.Errorf("%s row %d: %s: %v", d.Name, i, fm.From[0], err)
						}
					}
				}
			default:
				if fm.Format != "" {
					t.Errorf("%s: string column %s has format %q", d.Name, canon, fm.Format)
				}
			}
		}
	}
}

func TestNoiseSetting(t *testing.T) {
	cfg := fixtureConfig()
	cfg.Noise = &Noise{}
	dir := t.TempDir()
	m, err := Generate(context.Background(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Without noise every planted copy at the other landlord carries the
	// tenant's name and date of birth exactly; with the default noise some
	// do not.
	differ := func(dir string, m *Manifest) (pairs, differing int) {
		ten := readTable(t, filepath.Join(dir, datasetFiles[dsTenancies]))
		ol := readTable(t, filepath.Join(dir, datasetFiles[dsOther]))
		truth := readTable(t, filepath.Join(dir, TruthFile))
		tenRow, olRow := map[string]int{}, map[string]int{}
		for i := 0; i < ten.rows; i++ {
			id, _ := ten.get(tenPersonRef, i)
			tenRow[id] = i
		}
		for i := 0; i < ol.rows; i++ {
			id, _ := ol.get("CustomerId", i)
			olRow[id] = i
		}
		for i := 0; i < truth.rows; i++ {
			kind, _ := truth.get(truthKind, i)
			if kind != KindDualTenancy && kind != KindSequentialTenancy {
				continue
			}
			lid, _ := truth.get(truthLeftID, i)
			rid, _ := truth.get(truthRightID, i)
			l, r := tenRow[lid], olRow[rid]
			first, _ := ten.get(tenFirst, l)
			middle, _ := ten.get(tenMiddle, l)
			last, _ := ten.get(tenLast, l)
			dob, _ := ten.get(tenDOB, l)
			name, _ := ol.get("FullName", r)
			odob, _ := ol.get("DOB", r)
			od, _ := date.Parse(date.UKSlash, odob)
			pairs++
			if name != olName(last, strings.TrimSpace(first+" "+middle)) || od.String() != dob {
				differing++
			}
		}
		return pairs, differing
	}
	pairs, n := differ(dir, m)
	if pairs == 0 || n != 0 {
		t.Errorf("without noise, %d of %d copies differ from the tenant", n, pairs)
	}
	dm, ddir := generated(t)
	pairs, n = differ(ddir, dm)
	if pairs == 0 || n == 0 {
		t.Errorf("with default noise, %d of %d copies differ from the tenant", n, pairs)
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate(context.Background(), Config{People: -1}, t.TempDir()); err == nil {
		t.Error("negative People accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := Generate(ctx, Config{Seed: 1, People: 1000, Logger: quiet}, dir); err == nil {
		t.Error("cancelled context: no error")
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("cancelled run left %d files behind", len(left))
	}
}

func TestManifestFile(t *testing.T) {
	m, dir := generated(t)
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Datasets {
		if !bytes.Contains(b, []byte(`"File": "`+d.File+`"`)) {
			t.Errorf("manifest.json does not list %s", d.File)
		}
	}
	if m.Today != DefaultToday || m.People != fixturePeople || m.Seed != 1 {
		t.Errorf("manifest has today %v, people %d, seed %d", m.Today, m.People, m.Seed)
	}
}

// TestPassports checks the passport numbers of the landlord's export and
// the other landlord's extract: each well formed, none shared by two
// people, held by some tenants but not all, and a person's records
// mostly agreeing on the number, the rest holding a renewed passport's.
func TestPassports(t *testing.T) {
	byRow := personByRow(t)
	owner := map[string]int64{} // number -> person
	byPerson := map[int64]map[string]bool{}
	records := map[int64]int{} // records holding a number, by person
	held, tenants := 0, 0
	for _, f := range []struct{ dataset, file, col, role string }{
		{DatasetTenancies, datasetFiles[dsTenancies], tenPassport, tenRole},
		{DatasetOtherLandlord, datasetFiles[dsOther], "PassportNo", ""},
	} {
		tb := fixtureFile(t, f.file)
		for i := 0; i < tb.rows; i++ {
			n, ok := tb.get(f.col, i)
			if f.role != "" {
				if role, _ := tb.get(f.role, i); role == roleLead || role == roleJoint {
					tenants++
					if ok {
						held++
					}
				} else if ok {
					t.Fatalf("%s row %d: a household member has a passport number", f.dataset, i)
				}
			}
			if !ok {
				continue
			}
			if doc, well := normalize.Passport(n); !well || doc != n || len(n) != 9 {
				t.Fatalf("%s row %d: passport number %q is not nine digits", f.dataset, i, n)
			}
			pid := byRow[f.dataset][i]
			if p, seen := owner[n]; seen && p != pid {
				t.Fatalf("passport number %q is held by persons %d and %d", n, p, pid)
			}
			owner[n] = pid
			if byPerson[pid] == nil {
				byPerson[pid] = map[string]bool{}
			}
			byPerson[pid][n] = true
			records[pid]++
		}
	}
	if share := float64(held) / float64(tenants); share < 0.2 || share > 0.5 {
		t.Errorf("%.3f of tenants have a passport number, want about %.2f", share, tenantPassportShare*passportShare)
	}
	agree, renewed := 0, 0
	for pid, ns := range byPerson {
		switch {
		case records[pid] < 2:
		case len(ns) == 1:
			agree++
		case len(ns) == 2:
			renewed++
		default:
			t.Fatalf("person %d has %d passport numbers", pid, len(ns))
		}
	}
	if agree == 0 || renewed > agree {
		t.Errorf("of the people with two records holding a passport number, %d agree on it and %d do not", agree, renewed)
	}
}
