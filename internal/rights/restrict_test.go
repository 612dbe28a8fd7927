package rights

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

const header = "kind,forename,surname,dob,ni_number,postcode,reference,received\n"

// listCSV lists four people. Okafor is listed twice, as a restriction and as
// an objection.
const listCSV = header +
	"objection,Robert,Hughes,1971-05-02,,SK1 3NQ,REQ-1,2026-01-10\n" +
	"Restriction,Margaret,Okafor,1985-11-30,AB 12 34 56 C,,REQ-2,2026-01-11\n" +
	"objection-automated,Sian,Price,1990-02-14,,CF10 1AA,REQ-3,\n" +
	"objection,Margaret,Okafor,1985-11-30,,M1 1AE,REQ-4,2026-02-01\n"

var keyA = fakeEncoder{salt: "A"}

func mustList(t testing.TB, csv string, enc Encoder) *List {
	t.Helper()
	l, err := ReadList(strings.NewReader(csv), "restrictions.csv", enc)
	if err != nil {
		t.Fatalf("ReadList: %v", err)
	}
	return l
}

func dob(s string) date.Date {
	d, err := date.Parse(date.ISO, s)
	if err != nil {
		panic(err)
	}
	return d
}

func encode(enc Encoder, r person.Record) pseudo.Record {
	var p pseudo.Record
	enc.Encode(&p, &r)
	return p
}

func TestExcludes(t *testing.T) {
	l := mustList(t, listCSV, keyA)
	tests := []struct {
		name string
		rec  person.Record
		kind string // "" means not excluded
		rule Rule
	}{
		{"same person, no postcode", person.Record{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02")}, Objection, RuleSurnameForename},
		{"nickname of the listed forename", person.Record{Forename: "Bob", Surname: "Hughes", DOB: dob("1971-05-02")}, Objection, RuleSurnameNickname},
		{"another nickname, different case and spacing", person.Record{Forename: "  ROBBIE ", Surname: "hughes", DOB: dob("1971-05-02")}, Objection, RuleSurnameNickname},
		{"listed under a nickname, recorded under the formal name", person.Record{Forename: "Peggy", Surname: "Okafor", DOB: dob("1985-11-30")}, Restriction, RuleSurnameNickname},
		{"forename unknown, surname, dob and postcode agree", person.Record{Forename: "", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "sk13nq"}, Objection, RuleSurnamePostcode},
		{"different forename at the same address and birthday (twin)", person.Record{Forename: "Dafydd", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "SK1 3NQ"}, Objection, RuleSurnamePostcode},
		{"NI number alone, another suffix", person.Record{NINumber: "AB123456D"}, Restriction, RuleNINumber},
		{"married name, NI number agrees", person.Record{Forename: "Margaret", Surname: "Smith", DOB: dob("1985-11-30"), NINumber: "ab123456c"}, Restriction, RuleNINumber},
		{"married name, forename, dob and postcode agree", person.Record{Forename: "Sian", Surname: "Evans", DOB: dob("1990-02-14"), Postcode: "CF10 1AA"}, ObjectionAutomated, RuleForenamePostcode},
		{"married name and nickname, dob and postcode agree", person.Record{Forename: "Maggie", Surname: "Smith", DOB: dob("1985-11-30"), Postcode: "M1 1AE"}, Objection, RuleForenamePostcode},
		{"listed twice: the first kind in Kinds wins", person.Record{Forename: "Margaret", Surname: "Okafor", DOB: dob("1985-11-30"), Postcode: "M1 1AE"}, Restriction, RuleSurnameForename},

		// Near misses that must not exclude.
		{"near miss: date of birth a day out", person.Record{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-03"), Postcode: "SK1 3NQ"}, "", 0},
		{"near miss: same surname and dob, other forename, other address", person.Record{Forename: "Dafydd", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "SK1 4AA"}, "", 0},
		{"near miss: married name at another address", person.Record{Forename: "Sian", Surname: "Evans", DOB: dob("1990-02-14"), Postcode: "CF11 9XR"}, "", 0},
		{"near miss: name alone without dob", person.Record{Forename: "Robert", Surname: "Hughes", Postcode: "SK1 3NQ"}, "", 0},
		{"near miss: another NI number", person.Record{Forename: "Margaret", Surname: "Okafor", NINumber: "AB123457C"}, "", 0},
		{"nulls never agree", person.Record{}, "", 0},
		{"placeholder name", person.Record{Forename: "UNKNOWN", Surname: "UNKNOWN", DOB: dob("1971-05-02")}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := encode(keyA, tt.rec)
			kind, ok := l.Excludes(&p)
			if ok != (tt.kind != "") || kind != tt.kind {
				t.Fatalf("Excludes = %q, %v; want %q", kind, ok, tt.kind)
			}
			h, ok := l.Match(&p)
			if ok != (tt.kind != "") || h.Kind != tt.kind || h.Rule != tt.rule {
				t.Fatalf("Match = %+v, %v; want kind %q rule %v", h, ok, tt.kind, tt.rule)
			}
		})
	}
}

// TestPassportColumn reads a list with the optional passport_number
// column: a row with a passport number alone is enough to recognise the
// person, who is then excluded on it; a list without the column (listCSV)
// is read as before.
func TestPassportColumn(t *testing.T) {
	csv := "kind,forename,surname,dob,ni_number,passport_number,postcode,reference,received\n" +
		"objection,,,,,541 236 987,,REQ-9,\n" +
		"restriction,Robert,Hughes,1971-05-02,,,SK1 3NQ,REQ-10,\n"
	l := mustList(t, csv, keyA)
	p := encode(keyA, person.Record{Forename: "Someone", Surname: "Else", Passport: "541236987"})
	if h, ok := l.Match(&p); !ok || h.Rule != RulePassport || h.Kind != Objection {
		t.Errorf("passport number: match %+v, %v; want an objection on %v", h, ok, RulePassport)
	}
	p = encode(keyA, person.Record{Passport: "541236988"})
	if h, ok := l.Match(&p); ok {
		t.Errorf("another passport number matched: %+v", h)
	}
	if _, err := ReadList(strings.NewReader("kind,forename,surname,dob,ni_number,passport_number,postcode,reference,received\nobjection,,,,,,,REQ-1,\n"), "r.csv", keyA); err == nil ||
		!strings.Contains(err.Error(), "passport_number") {
		t.Errorf("a row with nothing to recognise: %v, want an error naming the passport column among the ways", err)
	}
}

func TestMatchReferences(t *testing.T) {
	l := mustList(t, listCSV, keyA)
	p := encode(keyA, person.Record{Forename: "Margaret", Surname: "Okafor", DOB: dob("1985-11-30"), NINumber: "AB123456C", Postcode: "M1 1AE"})
	h, ok := l.Match(&p)
	if !ok || h.Rule != RuleNINumber || !slices.Equal(h.References, []string{"REQ-2", "REQ-4"}) {
		t.Fatalf("Match = %+v, %v; want REQ-2 and REQ-4 by NI number first", h, ok)
	}
}

func TestOtherKeyExcludesNothing(t *testing.T) {
	l := mustList(t, listCSV, keyA)
	p := encode(fakeEncoder{salt: "B"}, person.Record{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02"), NINumber: "AB123456C", Postcode: "SK1 3NQ"})
	if kind, ok := l.Excludes(&p); ok {
		t.Fatalf("a record encoded under another key was excluded (%s)", kind)
	}
}

func TestNilAndEmptyList(t *testing.T) {
	p := encode(keyA, person.Record{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02")})
	var nilList *List
	empty := mustList(t, header, keyA)
	for name, l := range map[string]*List{"nil": nilList, "empty": empty} {
		if _, ok := l.Excludes(&p); ok {
			t.Errorf("%s list excludes a record", name)
		}
		if l.Len() != 0 || l.Listed()[Objection] != 0 {
			t.Errorf("%s list: Len %d, Listed %v", name, l.Len(), l.Listed())
		}
	}
}

func TestListed(t *testing.T) {
	l := mustList(t, listCSV, keyA)
	want := map[string]int{Restriction: 1, Objection: 2, ObjectionAutomated: 1}
	got := l.Listed()
	if len(got) != len(want) {
		t.Fatalf("Listed = %v", got)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("Listed = %v, want %v", got, want)
		}
	}
}

func TestScreenAndTally(t *testing.T) {
	l := mustList(t, listCSV, keyA)
	clear := []person.Record{
		{RecordID: "0", Forename: "Bob", Surname: "Hughes", DOB: dob("1971-05-02")},                        // objection REQ-1
		{RecordID: "1", Forename: "Anne", Surname: "Other", DOB: dob("1960-01-01")},                        // kept
		{RecordID: "2", Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "SK13NQ"}, // objection REQ-1 again
		{RecordID: "3", NINumber: "AB123456"},                                                              // restriction REQ-2, by NI number
		{RecordID: "4", Forename: "Sian", Surname: "Evans", DOB: dob("1990-02-14"), Postcode: "CF10 1AA"},  // objection_automated REQ-3
		{RecordID: "5", Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-03")},                     // near miss, kept
	}
	recs := make([]pseudo.Record, len(clear))
	for i := range clear {
		recs[i] = encode(keyA, clear[i])
	}
	tally := l.NewTally()
	var got []int
	var kinds []string
	for _, e := range l.Screen(recs, tally) {
		got = append(got, e.Index)
		kinds = append(kinds, e.Hit.Kind)
	}
	if want := []int{0, 2, 3, 4}; !slices.Equal(got, want) {
		t.Fatalf("Screen = %v, want %v", got, want)
	}
	if want := []string{Objection, Objection, Restriction, ObjectionAutomated}; !slices.Equal(kinds, want) {
		t.Fatalf("Screen kinds = %v, want %v", kinds, want)
	}
	c := tally.Counts()
	wantRecords := map[string]int{Restriction: 1, Objection: 2, ObjectionAutomated: 1}
	wantPeople := map[string]int{Restriction: 1, Objection: 1, ObjectionAutomated: 1}
	for _, k := range Kinds {
		if c.Records[k] != wantRecords[k] || c.People[k] != wantPeople[k] {
			t.Fatalf("Counts = %+v; want records %v people %v", c, wantRecords, wantPeople)
		}
	}
	if len(l.Screen(recs, nil)) != 4 {
		t.Fatal("Screen without a tally found nothing")
	}
}

func TestTallyConcurrent(t *testing.T) {
	l := mustList(t, listCSV, keyA)
	p := encode(keyA, person.Record{Forename: "Bob", Surname: "Hughes", DOB: dob("1971-05-02")})
	h, _ := l.Match(&p)
	tally := l.NewTally()
	done := make(chan struct{})
	const workers, each = 8, 100
	for range workers {
		go func() {
			for range each {
				tally.Add(h)
			}
			done <- struct{}{}
		}()
	}
	for range workers {
		<-done
	}
	tally.Add(Hit{})
	if c := tally.Counts(); c.Records[Objection] != workers*each || c.People[Objection] != 1 {
		t.Fatalf("Counts = %+v", c)
	}
}

func TestExcludesDoesNotAllocate(t *testing.T) {
	l := mustList(t, listCSV, keyA)
	hit := encode(keyA, person.Record{Forename: "Bob", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "SK1 3NQ"})
	miss := encode(keyA, person.Record{Forename: "Anne", Surname: "Other", DOB: dob("1960-01-01"), NINumber: "CE123456A", Postcode: "B33 8TH"})
	allocs := testing.AllocsPerRun(100, func() {
		l.Excludes(&hit)
		l.Excludes(&miss)
	})
	if allocs != 0 {
		t.Fatalf("Excludes allocates %v times per call", allocs)
	}
}

func TestLoadList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "restrictions.csv")
	// A spreadsheet export: byte-order mark, CRLF line ends, a blank line,
	// header in another order and case.
	content := "\uFEFFReference,KIND,Received,Forename,Surname,DOB,NI_Number,Postcode\r\n" +
		"REQ-9,objection,2026-03-01,Robert,Hughes,1971-05-02,,\r\n" +
		",,,,,,,\r\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := LoadList(path, keyA)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 1 {
		t.Fatalf("Len = %d, want 1", l.Len())
	}
	p := encode(keyA, person.Record{Forename: "Bob", Surname: "Hughes", DOB: dob("1971-05-02")})
	if h, ok := l.Match(&p); !ok || h.Kind != Objection || !slices.Equal(h.References, []string{"REQ-9"}) {
		t.Fatalf("Match = %+v, %v", h, ok)
	}
	if l.entries[0].received != date.MustOf(2026, time.March, 1) || l.entries[0].line != 2 {
		t.Fatalf("entry = %+v", l.entries[0])
	}
	example, err := LoadList(filepath.Join("testdata", "restrictions.example.csv"), keyA)
	if err != nil {
		t.Fatalf("the example file in the documentation does not load: %v", err)
	}
	if got := example.Listed(); got[Restriction] != 1 || got[Objection] != 1 || got[ObjectionAutomated] != 1 {
		t.Fatalf("example file: Listed = %v", got)
	}
	if _, err := LoadList(filepath.Join(t.TempDir(), "none.csv"), keyA); err == nil {
		t.Fatal("LoadList of a missing file succeeded")
	}
}

// secretValues appear in the rows of the bad files below; no error may
// quote them.
var secretValues = []string{"Zebedee", "Quarrington", "QQ998877", "ZZ9 9ZZ", "1999-02-30", "31/01/1980", "objekshun", "2026-13-01"}

func TestListErrors(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []string // substrings of the error
	}{
		{"empty file", "", []string{"empty file", "header"}},
		{"unknown column", "kind,forename,surname,dob,ni_number,postcode,reference,received,notes\n", []string{"header", "column 9"}},
		{"missing column", "kind,forename,surname,dob,postcode,reference,received\n", []string{"column ni_number is missing"}},
		{"duplicate column", "kind,forename,surname,dob,ni_number,postcode,reference,received,dob\n", []string{"column dob appears twice"}},
		{"unknown kind", header + "objekshun,Zebedee,Quarrington,1980-01-31,,,R1,\n", []string{"line 2", "column kind"}},
		{"no such date", header + "objection,Zebedee,Quarrington,1999-02-30,,,R1,\n", []string{"line 2", "column dob", "ISO 8601"}},
		{"not ISO", header + "objection,Zebedee,Quarrington,31/01/1980,,,R1,\n", []string{"line 2", "column dob"}},
		{"bad received", header + "objection,Zebedee,Quarrington,1980-01-31,,,R1,2026-13-01\n", []string{"line 2", "column received"}},
		{"too few identifiers", header + "objection,Zebedee,Quarrington,,,ZZ9 9ZZ,R1,\n", []string{"line 2", "not enough identifiers"}},
		{"forename only", header + "restriction,Zebedee,,,,,R1,\n", []string{"line 2", "not enough identifiers"}},
		{"wrong field count", header + "objection,Zebedee,Quarrington\n", []string{"line 2", "wrong number of fields"}},
		{"every problem reported", header +
			"objekshun,Zebedee,Quarrington,1980-01-31,,,R1,\n" +
			"objection,Zebedee,Quarrington,1999-02-30,QQ998877,,R2,\n", []string{"line 2", "line 3", "column kind", "column dob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ReadList(strings.NewReader(tt.csv), "restrictions.csv", keyA)
			if err == nil {
				t.Fatalf("ReadList succeeded with %d entries", l.Len())
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if !strings.Contains(msg, "restrictions.csv") {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, s := range secretValues {
				if strings.Contains(msg, s) {
					t.Errorf("error %q quotes the value %q", msg, s)
				}
			}
		})
	}
}

func TestListErrorsBounded(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(header)
	for range 200 {
		b.WriteString("nonsense,A,B,,,,R,\n")
	}
	_, err := ReadList(&b, "r.csv", keyA)
	if err == nil {
		t.Fatal("no error")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != maxProblems+1 || !strings.Contains(err.Error(), "and 150 more") {
		t.Fatalf("error has %d lines; want %d and a count of the rest", n, maxProblems+1)
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"restriction", Restriction},
		{" Objection ", Objection},
		{"OBJECTION_AUTOMATED", ObjectionAutomated},
		{"objection-automated", ObjectionAutomated},
		{"objection automated", ObjectionAutomated},
		{"objections", ""},
		{"", ""},
		{"erasure", ""},
	}
	for _, tt := range tests {
		got, ok := ParseKind(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func FuzzParseKind(f *testing.F) {
	for _, s := range []string{"restriction", "Objection", "objection-automated", " x ", "objection\u00a0automated"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := ParseKind(s)
		if !ok {
			if k != "" {
				t.Fatalf("ParseKind(%q) = %q but not ok", s, k)
			}
			return
		}
		if !slices.Contains(Kinds, k) {
			t.Fatalf("ParseKind(%q) = %q, not a kind", s, k)
		}
		if again, ok := ParseKind(k); !ok || again != k {
			t.Fatalf("ParseKind is not idempotent on %q", k)
		}
	})
}

func FuzzReadList(f *testing.F) {
	f.Add([]byte(listCSV))
	f.Add([]byte(header + "objection,,,,AB123456C,,,\n"))
	f.Add([]byte(header + "objection,\"a,b\",c,1980-01-01,,,,\n"))
	f.Add([]byte("\uFEFF" + header))
	f.Add([]byte(header + "restriction,A,B,1999-02-30,,,R,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, perr := parseList(bytes.NewReader(data), "f.csv")
		l, err := ReadList(bytes.NewReader(data), "f.csv", keyA)
		if perr != nil {
			if err == nil {
				t.Fatal("ReadList accepted what parseList refused")
			}
			return
		}
		for _, r := range rows {
			if r.kind < 0 || int(r.kind) >= len(Kinds) || r.line < 2 {
				t.Fatalf("bad row %+v", r)
			}
		}
		if err != nil {
			if !strings.Contains(err.Error(), "not enough identifiers") {
				t.Fatalf("unexpected error after a clean parse: %v", err)
			}
			return
		}
		if l.Len() != len(rows) {
			t.Fatalf("%d rows parsed, %d listed", len(rows), l.Len())
		}
		// Every listed person excludes their own record.
		for _, r := range rows {
			p := encode(keyA, r.rec)
			if _, ok := l.Excludes(&p); !ok {
				t.Fatalf("the listed person on line %d is not excluded", r.line)
			}
		}
	})
}

func BenchmarkExcludes(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(header)
	for i := range 1000 {
		d := date.MustOf(1950, time.January, 1).AddDays(i * 17)
		buf.WriteString("objection,Forename" + strconv.Itoa(i) + ",Surname" + strconv.Itoa(i%300) + "," + d.String() + ",,PC" + strconv.Itoa(i) + ",R,\n")
	}
	l := mustList(b, buf.String(), keyA)
	recs := make([]pseudo.Record, 4096)
	for i := range recs {
		recs[i] = encode(keyA, person.Record{Forename: "Forename" + strconv.Itoa(i), Surname: "Surname" + strconv.Itoa(i%300),
			DOB: date.MustOf(1950, time.January, 1).AddDays(i * 13), NINumber: "AB" + strconv.Itoa(100000+i), Postcode: "PC" + strconv.Itoa(i)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Excludes(&recs[i%len(recs)])
	}
}
