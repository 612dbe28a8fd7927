package rights

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

// fakeCases is a CaseStore over fixed slices.
type fakeCases struct {
	cases     []Case
	decisions []Decision
	err       error
}

func (f fakeCases) Cases(context.Context) ([]Case, error)         { return f.cases, f.err }
func (f fakeCases) Decisions(context.Context) ([]Decision, error) { return f.decisions, nil }

// fakeVault is a VaultStore; rangingVault adds Range.
type fakeVault map[[2]string]person.Record

func (v fakeVault) Lookup(dataset, id string) (person.Record, bool) {
	r, ok := v[[2]string{dataset, id}]
	return r, ok
}

type rangingVault struct{ fakeVault }

func (v rangingVault) Range(fn func(string, person.Record) bool) {
	for k, r := range v.fakeVault {
		if !fn(k[0], r) {
			return
		}
	}
}

func fakeRef(dataset, id string) string { return "ref-" + dataset + "-" + id }

func records(rs ...person.Record) Loader {
	return LoaderFunc(func(context.Context) ([]person.Record, error) { return rs, nil })
}

var subject = Subject{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "SK1 3NQ"}

// sarFixture builds sources holding the subject in several places, next to
// other people.
func sarFixture(t *testing.T) (dir string, sources []Source) {
	t.Helper()
	dir = t.TempDir()
	tenancies := Dataset{Name: "tenancies", Role: person.RoleTenancy, Path: "in/tenancies.parquet", Encoder: keyA, Ref: fakeRef,
		Records: records(
			person.Record{RecordID: "T1", Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02"), Address: "12 High Street",
				Postcode: "SK1 3NQ", TenancyRef: "TEN-1", TenancyStart: dob("2010-04-01"), Balance: money.Pence(123456), Ethnicity: "Welsh"},
			person.Record{RecordID: "T2", Forename: "Dafydd", Surname: "Hughes", DOB: dob("1968-01-01"), Postcode: "SK1 3NQ"},
			person.Record{RecordID: "T3", Forename: "Anne", Surname: "Other", DOB: dob("1971-05-02")},
		)}
	other := Dataset{Name: "other_landlord", Role: person.RoleOtherLandlord, Path: "in/ol.parquet", Encoder: keyA, Ref: fakeRef,
		Records: records(
			person.Record{RecordID: "X9", Forename: "Bob", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "M1 1AE"},
			person.Record{RecordID: "X10", Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-03")},
		)}
	deceased := Dataset{Name: "deceased", Role: person.RoleDeceased, Encoder: keyA, Ref: fakeRef, Records: records(
		person.Record{RecordID: "D1", Forename: "Robert", Surname: "Hughes", DOB: dob("1931-05-02")},
	)}
	queue := Queue{Name: "state/queue.jsonl", Store: fakeCases{
		cases: []Case{
			{ID: "C-1", RunID: "R1", Purpose: "fraud", Rule: "dual_tenancy", Queued: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
				Refs: []RecordRef{{"tenancies", fakeRef("tenancies", "T1")}, {"other_landlord", fakeRef("other_landlord", "X9")}}},
			{ID: "C-2", RunID: "R1", Purpose: "fraud", Rule: "dual_tenancy",
				Refs: []RecordRef{{"tenancies", fakeRef("tenancies", "T2")}, {"other_landlord", fakeRef("other_landlord", "X10")}}},
			// The same ref in another dataset is another record.
			{ID: "C-3", RunID: "R1", Purpose: "fraud", Rule: "dual_tenancy",
				Refs: []RecordRef{{"deceased", fakeRef("tenancies", "T1")}}},
			{ID: "C-4", RunID: "R2", Purpose: "arrears", Rule: "arrears_tracing",
				Refs: []RecordRef{{"utility", fakeRef("utility", "U5")}, {"tenancies", fakeRef("tenancies", "T3")}}},
			// About a record known only to the vault.
			{ID: "C-5", RunID: "R2", Purpose: "arrears", Rule: "arrears_tracing",
				Refs: []RecordRef{{"tenancies", fakeRef("tenancies", "T3")}, {"utility", fakeRef("utility", "-U7")}}},
		},
		decisions: []Decision{
			{ID: "D-1", CaseID: "C-1", Outcome: "needs-more-information", Reason: "check dates", Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
			{ID: "D-2", CaseID: "C-2", Outcome: "rejected", Reason: "different people"},
			{ID: "D-3", CaseID: "C-1", Outcome: "confirmed", Reason: "tenancy\nconfirmed", Time: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)},
		},
	}}
	vault := Vault{Name: "state/vault.age", Encoder: keyA, Ref: fakeRef, Store: rangingVault{fakeVault{
		{"tenancies", "T1"}: {RecordID: "T1", Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02")},
		{"tenancies", "T2"}: {RecordID: "T2", Forename: "Dafydd", Surname: "Hughes", DOB: dob("1968-01-01")},
		// A record of a dataset no longer available: found by its identifiers.
		// Its id begins with "-", so the CSV output holds it guarded.
		{"utility", "-U7"}: {RecordID: "-U7", Forename: "Robbie", Surname: "Hughes", DOB: dob("1971-05-02"), ForwardingAddress: "1 New Road"},
	}}}

	csvPath := filepath.Join(dir, "investigator.csv")
	writeFile(t, csvPath, "case_id,subject_ref,partner_ref,rule\n"+
		"C-1,"+fakeRef("tenancies", "T1")+","+fakeRef("other_landlord", "X9")+",dual_tenancy\n"+
		"C-2,"+fakeRef("tenancies", "T2")+","+fakeRef("other_landlord", "X10")+",dual_tenancy\n"+
		"C-9,x,y,dual_tenancy\n")
	utilityCSV := filepath.Join(dir, "utility.csv")
	writeFile(t, utilityCSV, "\uFEFFrecord_id,forename\n'-U7,Robbie\nU8,Someone\n")
	pqPath := filepath.Join(dir, "recovery.parquet")
	writeParquet(t, pqPath, []string{"C-6", "C-7", "C-8"}, []string{fakeRef("other_landlord", "X9"), "", fakeRef("other_landlord", "X10")})
	sources = []Source{
		OutputFile{Path: csvPath, RunID: "R1", Purpose: "fraud", Recipient: "investigator"},
		queue,
		tenancies,
		vault,
		OutputFile{Path: pqPath, RunID: "R2", Purpose: "arrears", Recipient: "recovery_team"},
		&OutputFile{Path: utilityCSV, RunID: "R2", Purpose: "arrears", Recipient: "utility_provider"},
		OutputFile{Path: filepath.Join(dir, "purged.csv"), RunID: "R0", Purpose: "fraud", Recipient: "investigator"},
		&other,
		deceased,
	}
	return dir, sources
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeParquet(t *testing.T, path string, caseIDs, refs []string) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "case_id", Type: arrow.BinaryTypes.String},
		{Name: "partner_ref", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "match_probability", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range caseIDs {
		b.Field(0).(*array.StringBuilder).Append(caseIDs[i])
		if refs[i] == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(refs[i])
		}
		b.Field(2).(*array.Float64Builder).Append(0.99)
	}
	rec := b.NewRecord()
	defer rec.Release()
	writeRecord(t, path, rec, nil, pqarrow.DefaultWriterProps())
}

// writeRecord writes rec as the Parquet file at path.
func writeRecord(t *testing.T, path string, rec arrow.Record, props *parquet.WriterProperties, arrowProps pqarrow.ArrowWriterProperties) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, arrowProps)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSearch(t *testing.T) {
	_, sources := sarFixture(t)
	f, err := Search(context.Background(), subject, sources)
	if err != nil {
		t.Fatal(err)
	}

	type rec struct{ dataset, id, matchedOn string }
	var got []rec
	for _, r := range f.Records {
		got = append(got, rec{r.Dataset, r.RecordID, r.MatchedOn})
	}
	want := []rec{
		{"other_landlord", "X9", "surname+nickname_group+dob"},
		{"tenancies", "T1", "surname+forename+dob"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("records = %v, want %v", got, want)
	}
	t1 := f.Records[1]
	if t1.Ref != fakeRef("tenancies", "T1") || t1.Role != person.RoleTenancy || t1.Source != "in/tenancies.parquet" {
		t.Errorf("T1 finding = %+v", t1)
	}
	wantFields := []Field{
		{person.ColForename, "identifier", "Robert"},
		{person.ColSurname, "identifier", "Hughes"},
		{person.ColDOB, "identifier", "1971-05-02"},
		{person.ColAddress, "identifier", "12 High Street"},
		{person.ColPostcode, "identifier", "SK1 3NQ"},
		{person.ColTenancyRef, "attribute", "TEN-1"},
		{person.ColTenancyStart, "attribute", "2010-04-01"},
		{person.ColBalance, "attribute", "1234.56"},
		{person.ColEthnicity, "special-category", "Welsh"},
	}
	if !slices.Equal(t1.Fields, wantFields) {
		t.Errorf("T1 fields = %+v\nwant %+v", t1.Fields, wantFields)
	}

	got = nil
	for _, r := range f.Vault {
		got = append(got, rec{r.Dataset, r.RecordID, r.MatchedOn})
	}
	want = []rec{{"tenancies", "T1", "record_id"}, {"utility", "-U7", "surname+nickname_group+dob"}}
	if !slices.Equal(got, want) {
		t.Fatalf("vault = %v, want %v", got, want)
	}

	if len(f.Cases) != 2 || f.Cases[1].ID != "C-5" || !slices.Equal(f.Cases[1].Refs, []RecordRef{{"utility", fakeRef("utility", "-U7")}}) {
		t.Fatalf("cases = %+v, want C-1 and C-5", f.Cases)
	}
	c := f.Cases[0]
	if c.ID != "C-1" || c.Status != "confirmed" || len(c.Decisions) != 2 || c.Decisions[1].Reason != "tenancy\nconfirmed" {
		t.Errorf("case = %+v", c)
	}
	if wantRefs := []RecordRef{{"tenancies", fakeRef("tenancies", "T1")}, {"other_landlord", fakeRef("other_landlord", "X9")}}; !slices.Equal(c.Refs, wantRefs) {
		t.Errorf("case refs = %v, want %v", c.Refs, wantRefs)
	}

	type file struct {
		base      string
		rows      int
		matchedOn string
		columns   string
	}
	var gotFiles []file
	for _, o := range f.Files {
		gotFiles = append(gotFiles, file{filepath.Base(o.Path), o.Rows, strings.Join(o.MatchedOn, ","), strings.Join(o.Columns, ",")})
	}
	wantFiles := []file{
		{"investigator.csv", 1, "case_id,ref", "case_id,subject_ref,partner_ref,rule"},
		{"recovery.parquet", 1, "ref", "case_id,partner_ref,match_probability"},
		{"utility.csv", 1, "record_id", "record_id,forename"},
	}
	if !slices.Equal(gotFiles, wantFiles) {
		t.Fatalf("files = %v\nwant %v", gotFiles, wantFiles)
	}

	status := map[string]string{}
	found := map[string]int{}
	for _, s := range f.Searched {
		status[s.Kind+" "+filepath.Base(s.Name)] = s.Status
		found[s.Kind+" "+filepath.Base(s.Name)] = s.Found
	}
	if len(f.Searched) != len(sources) || status["output purged.csv"] != "missing" || status["dataset deceased"] != "searched" ||
		found["dataset deceased"] != 0 || found["queue queue.jsonl"] != 2 || found["vault vault.age"] != 2 {
		t.Errorf("searched = %+v", f.Searched)
	}
}

func TestSearchNoVaultRange(t *testing.T) {
	_, sources := sarFixture(t)
	for i, s := range sources {
		if v, ok := s.(Vault); ok {
			v.Store = v.Store.(rangingVault).fakeVault
			sources[i] = v
		}
	}
	f, err := Search(context.Background(), subject, sources)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Vault) != 1 || f.Vault[0].RecordID != "T1" {
		t.Fatalf("vault = %+v; want only the entry of the record found", f.Vault)
	}
	for _, o := range f.Files {
		if filepath.Base(o.Path) == "utility.csv" {
			t.Fatal("utility.csv found without the vault entry that identifies -U7")
		}
	}
	if len(f.Cases) != 1 || f.Cases[0].ID != "C-1" {
		t.Fatalf("cases = %+v; want C-1 only", f.Cases)
	}
}

func TestSearchByNINumber(t *testing.T) {
	ds := Dataset{Name: "ct", Role: person.RoleCouncilTax, Encoder: keyA, Records: records(
		person.Record{RecordID: "1", Forename: "Margaret", Surname: "Smith", NINumber: "AB123456C"},
		person.Record{RecordID: "2", Forename: "Margaret", Surname: "Okafor", NINumber: "AB123457C"},
	)}
	f, err := Search(context.Background(), Subject{Surname: "Okafor", NINumber: "ab 12 34 56 c"}, []Source{ds})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Records[0].RecordID != "1" || f.Records[0].MatchedOn != "ni_number" || f.Records[0].Ref != "" {
		t.Fatalf("records = %+v", f.Records)
	}
}

// TestSearchByPassport finds a person by passport number alone, under
// another surname, and shows the number among the record's fields.
func TestSearchByPassport(t *testing.T) {
	ds := Dataset{Name: "other", Role: person.RoleOtherLandlord, Encoder: keyA, Records: records(
		person.Record{RecordID: "1", Forename: "Margaret", Surname: "Smith", Passport: "541236987"},
		person.Record{RecordID: "2", Forename: "Margaret", Surname: "Okafor", Passport: "541236988"},
	)}
	f, err := Search(context.Background(), Subject{Passport: "541 236 987"}, []Source{ds})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Records[0].RecordID != "1" || f.Records[0].MatchedOn != "passport_number" {
		t.Fatalf("records = %+v", f.Records)
	}
	if !slices.Contains(f.Records[0].Fields, Field{person.ColPassport, "identifier", "541236987"}) {
		t.Errorf("fields = %+v, want the passport number among them", f.Records[0].Fields)
	}
}

func TestSearchLargeDataset(t *testing.T) {
	// More records than one chunk, with the subject in several chunks.
	var rs []person.Record
	for i := range 3*chunk + 17 {
		r := person.Record{RecordID: "R" + strings.Repeat("x", i%3) + string(rune('a'+i%26)), Forename: "Anne", Surname: "Other", DOB: dob("1950-01-01").AddDays(i)}
		rs = append(rs, r)
	}
	for _, i := range []int{0, chunk - 1, chunk, 3*chunk + 16} {
		rs[i] = person.Record{RecordID: "S" + string(rune('0'+i%10)), NINumber: "AB123456C"}
	}
	f, err := Search(context.Background(), Subject{NINumber: "AB123456C"}, []Source{Dataset{Name: "d", Encoder: keyA, Records: records(rs...)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 4 {
		t.Fatalf("found %d records, want 4", len(f.Records))
	}
}

type bogusSource struct{}

func (bogusSource) sourceKind() string { return "bogus" }

func TestSearchErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	dir := t.TempDir()
	txt := filepath.Join(dir, "notes.txt")
	writeFile(t, txt, "x")
	tests := []struct {
		name    string
		subject Subject
		sources []Source
		want    string
	}{
		{"too few identifiers", Subject{Forename: "Robert", Surname: "Hughes"}, []Source{Dataset{Name: "d", Encoder: keyA, Records: records()}}, "not enough identifiers"},
		{"loader fails", subject, []Source{Dataset{Name: "tenancies", Encoder: keyA, Records: LoaderFunc(func(context.Context) ([]person.Record, error) { return nil, boom })}}, "dataset tenancies: disk on fire"},
		{"no loader", subject, []Source{Dataset{Name: "d", Encoder: keyA}}, "no loader"},
		{"no encoder", subject, []Source{Dataset{Name: "d", Records: records()}}, "no encoder"},
		{"queue fails", subject, []Source{Queue{Name: "q", Store: fakeCases{err: boom}}}, "queue q: disk on fire"},
		{"vault not opened", subject, []Source{Vault{Name: "v"}}, "vault v: not opened"},
		{"unknown output format", subject, []Source{OutputFile{Path: txt}}, "unknown format"},
		{"unknown source", subject, []Source{bogusSource{}}, "unknown source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Search(context.Background(), tt.subject, tt.sources)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			for _, s := range []string{"Robert", "Hughes", "SK1 3NQ", "1971-05-02"} {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("error %q quotes the subject's %q", err, s)
				}
			}
		})
	}
}

func TestSearchCancelled(t *testing.T) {
	_, sources := sarFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Search(ctx, subject, sources); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestReport(t *testing.T) {
	dir, sources := sarFixture(t)
	f, err := Search(context.Background(), subject, sources)
	if err != nil {
		t.Fatal(err)
	}
	jsonPath, textPath := filepath.Join(dir, "sar.json"), filepath.Join(dir, "sar.txt")
	if err := f.WriteFiles(jsonPath, textPath); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{jsonPath, textPath} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, info.Mode().Perm())
		}
	}

	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var back Findings
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Records) != len(f.Records) || len(back.Cases) != 2 || len(back.Files) != 3 || len(back.Vault) != 2 ||
		back.Subject.DOB != subject.DOB || back.Records[1].Fields[0].Value != "Robert" {
		t.Fatalf("JSON round trip lost data: %+v", back)
	}
	if !bytes.Contains(raw, []byte(`"matched_on": "surname+forename+dob"`)) {
		t.Errorf("JSON does not name the rule:\n%s", raw)
	}

	text, err := os.ReadFile(textPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"SUBJECT ACCESS SEARCH",
		"forename Robert, surname Hughes, dob 1971-05-02, postcode SK1 3NQ",
		"SOURCES SEARCHED (9)",
		"RECORDS IN INPUT DATASETS (2)",
		"tenancies, record T1",
		"ENTRIES IN THE RE-IDENTIFICATION VAULT (2)",
		"REVIEW CASES (2)",
		"case C-1",
		"tenancy confirmed", // a reason on one line
		"OUTPUT FILES (3)",
		"recipient",
		"case_id, subject_ref, partner_ref, rule",
		"Check each one",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	// Aligned: within a record, the values of its fields start in one column.
	var cols []int
	in := false
	section := string(text)[strings.Index(string(text), "RECORDS IN INPUT DATASETS"):strings.Index(string(text), "ENTRIES IN THE")]
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "  tenancies, record T1"):
			in = true
		case in && strings.HasPrefix(line, "    "):
			rest := line[4:]
			gap := strings.Index(rest, "  ")
			cols = append(cols, gap+len(rest[gap:])-len(strings.TrimLeft(rest[gap:], " ")))
		default:
			in = false
		}
	}
	if len(cols) < 10 || slices.Min(cols) != slices.Max(cols) {
		t.Errorf("field values not aligned: columns %v", cols)
	}
}

func TestCSVUnguard(t *testing.T) {
	tests := []struct{ in, want string }{
		{"'-U7", "-U7"},
		{"'=1+1", "=1+1"},
		{"'@x", "@x"},
		{"'+44", "+44"},
		{"'abc", "'abc"},
		{"'", "'"},
		{"", ""},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := csvUnguard(tt.in); got != tt.want {
			t.Errorf("csvUnguard(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
