package validate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
)

var today = date.MustOf(2026, time.March, 15)

func d(y int, m time.Month, day int) date.Date { return date.MustOf(y, m, day) }

// good is a record that passes every rule unchanged.
func good() person.Record {
	return person.Record{
		RecordID:     "R1",
		Forename:     "John",
		MiddleNames:  "Paul",
		Surname:      "Smith",
		DOB:          d(1980, time.May, 1),
		NINumber:     "JK123456C",
		Passport:     "541236987",
		Address:      "1 High Street Stockport",
		Postcode:     "SK1 3NQ",
		UPRN:         "100012345678",
		Phone:        "07700 900123",
		Email:        "john@example.org",
		TenancyRef:   "T-1",
		TenancyRole:  "lead",
		TenancyStart: d(2010, time.April, 1),
		TenancyEnd:   d(2020, time.April, 1),
		Ethnicity:    "UNKNOWN", // not an identifier: placeholder rules do not apply
	}
}

type finding struct {
	col string
	p   Problem
}

func TestRecord(t *testing.T) {
	long := func(n int, s string) string { return strings.Repeat(s, n) }
	tests := []struct {
		name   string
		edit   func(r *person.Record)
		want   func(r *person.Record) // expected changes to the input; nil: none
		found  []finding
		reason RowReason
	}{
		{name: "valid"},
		{
			name:  "NI temporary TN number",
			edit:  func(r *person.Record) { r.NINumber = "TN010180M" },
			want:  func(r *person.Record) { r.NINumber = "" },
			found: []finding{{person.ColNINumber, Placeholder}},
		},
		{
			name:  "NI dummy",
			edit:  func(r *person.Record) { r.NINumber = "AA000000A" },
			want:  func(r *person.Record) { r.NINumber = "" },
			found: []finding{{person.ColNINumber, Placeholder}},
		},
		{
			name:  "NI placeholder text",
			edit:  func(r *person.Record) { r.NINumber = "N/A" },
			want:  func(r *person.Record) { r.NINumber = "" },
			found: []finding{{person.ColNINumber, Placeholder}},
		},
		{
			name:  "NI FEBRL 7-digit id kept",
			edit:  func(r *person.Record) { r.NINumber = "5304218" },
			found: []finding{{person.ColNINumber, NotHMRCFormat}},
		},
		{
			name:  "NI foreign id kept",
			edit:  func(r *person.Record) { r.NINumber = "X1234567Z" },
			found: []finding{{person.ColNINumber, NotHMRCFormat}},
		},
		{
			name:  "passport placeholder text",
			edit:  func(r *person.Record) { r.Passport = "on file" },
			want:  func(r *person.Record) { r.Passport = "" },
			found: []finding{{person.ColPassport, Placeholder}},
		},
		{
			name:  "passport dummy number",
			edit:  func(r *person.Record) { r.Passport = "123456789" },
			want:  func(r *person.Record) { r.Passport = "" },
			found: []finding{{person.ColPassport, Placeholder}},
		},
		{
			name:  "short passport number kept",
			edit:  func(r *person.Record) { r.Passport = "A1234" },
			found: []finding{{person.ColPassport, InvalidPassport}},
		},
		{
			name: "passport number with spaces kept as written",
			edit: func(r *person.Record) { r.Passport = "pa 123 4567" },
		},
		{
			name:  "Australian postcode kept",
			edit:  func(r *person.Record) { r.Postcode = "4223" },
			found: []finding{{person.ColPostcode, NotUKFormat}},
		},
		{
			name:  "no-fixed-abode pseudo-postcode",
			edit:  func(r *person.Record) { r.Postcode = "ZZ99 3VZ" },
			want:  func(r *person.Record) { r.Postcode = "" },
			found: []finding{{person.ColPostcode, Placeholder}},
		},
		{
			name:  "forwarding postcode checked too",
			edit:  func(r *person.Record) { r.ForwardingPostcode = "75008" },
			found: []finding{{person.ColForwardingPostcode, NotUKFormat}},
		},
		{
			name:  "DOB system default",
			edit:  func(r *person.Record) { r.DOB = d(1900, time.January, 1) },
			want:  func(r *person.Record) { r.DOB = date.Date{} },
			found: []finding{{person.ColDOB, Placeholder}},
		},
		{
			name:  "DOB Unix epoch",
			edit:  func(r *person.Record) { r.DOB = date.FromDays(0) },
			want:  func(r *person.Record) { r.DOB = date.Date{} },
			found: []finding{{person.ColDOB, Placeholder}},
		},
		{
			name:  "DOB in the future",
			edit:  func(r *person.Record) { r.DOB = today.AddDays(1) },
			want:  func(r *person.Record) { r.DOB = date.Date{} },
			found: []finding{{person.ColDOB, InFuture}},
		},
		{
			name: "DOB today",
			edit: func(r *person.Record) { r.DOB = today },
		},
		{
			name:  "DOB before 1900-01-02",
			edit:  func(r *person.Record) { r.DOB = d(1899, time.June, 1) },
			want:  func(r *person.Record) { r.DOB = date.Date{} },
			found: []finding{{person.ColDOB, Implausible}},
		},
		{
			name:  "age 121: kept and flagged",
			edit:  func(r *person.Record) { r.DOB = d(1905, time.March, 15) },
			found: []finding{{person.ColDOB, OverMaxAge}},
		},
		{
			name: "age 120 and 364 days",
			edit: func(r *person.Record) { r.DOB = d(1905, time.March, 16) },
		},
		{
			name: "deceased: age judged at death",
			edit: func(r *person.Record) {
				r.DOB = d(1901, time.March, 2)
				r.DateOfDeath = d(1990, time.January, 5)
			},
		},
		{
			name: "deceased at 121",
			edit: func(r *person.Record) {
				r.DOB = d(1901, time.March, 2)
				r.DateOfDeath = d(2022, time.March, 2)
			},
			found: []finding{{person.ColDOB, OverMaxAge}},
		},
		{
			name:  "death before birth: both kept",
			edit:  func(r *person.Record) { r.DateOfDeath = d(1979, time.January, 1) },
			found: []finding{{person.ColDateOfDeath, DeathBeforeBirth}},
		},
		{
			name:  "death in the future",
			edit:  func(r *person.Record) { r.DateOfDeath = today.AddDays(30) },
			want:  func(r *person.Record) { r.DateOfDeath = date.Date{} },
			found: []finding{{person.ColDateOfDeath, InFuture}},
		},
		{
			name:  "tenancy end before start kept",
			edit:  func(r *person.Record) { r.TenancyEnd = d(2009, time.April, 1) },
			found: []finding{{person.ColTenancyEnd, EndBeforeStart}},
		},
		{
			name:  "open-ended tenancy end",
			edit:  func(r *person.Record) { r.TenancyEnd = d(9999, time.December, 31) },
			want:  func(r *person.Record) { r.TenancyEnd = date.Date{} },
			found: []finding{{person.ColTenancyEnd, Placeholder}},
		},
		{
			name:  "ancient tenancy start",
			edit:  func(r *person.Record) { r.TenancyStart = d(1066, time.October, 14) },
			want:  func(r *person.Record) { r.TenancyStart = date.Date{} },
			found: []finding{{person.ColTenancyStart, Implausible}},
		},
		{
			name: "placeholders in identifier columns",
			edit: func(r *person.Record) {
				r.Forename, r.Surname, r.Address, r.Email, r.UPRN = "UNKNOWN", "n/a", "Not Known", "none", "0"
			},
			want: func(r *person.Record) { r.Forename, r.Surname, r.Address, r.Email, r.UPRN = "", "", "", "", "" },
			found: []finding{{person.ColForename, Placeholder}, {person.ColSurname, Placeholder},
				{person.ColAddress, Placeholder}, {person.ColEmail, Placeholder}, {person.ColUPRN, Placeholder}},
		},
		{
			name:  "punctuation-only name",
			edit:  func(r *person.Record) { r.MiddleNames = "..." },
			want:  func(r *person.Record) { r.MiddleNames = "" },
			found: []finding{{person.ColMiddleNames, Placeholder}},
		},
		{
			name:  "honorific-only name",
			edit:  func(r *person.Record) { r.Forename = "Mr" },
			want:  func(r *person.Record) { r.Forename = "" },
			found: []finding{{person.ColForename, NoContent}},
		},
		{
			name:  "name of 101 characters",
			edit:  func(r *person.Record) { r.Surname = long(101, "a") },
			want:  func(r *person.Record) { r.Surname = "" },
			found: []finding{{person.ColSurname, TooLong}},
		},
		{
			name: "name of 100 two-byte characters",
			edit: func(r *person.Record) { r.Surname = long(100, "é") },
		},
		{
			name:  "address of 301 characters",
			edit:  func(r *person.Record) { r.Address = long(301, "x") },
			want:  func(r *person.Record) { r.Address = "" },
			found: []finding{{person.ColAddress, TooLong}},
		},
		{
			name: "address of 300 characters",
			edit: func(r *person.Record) { r.Address = long(60, "12 A ") },
			want: func(r *person.Record) { r.Address = strings.TrimSpace(long(60, "12 A ")) },
		},
		{
			name:  "control characters stripped",
			edit:  func(r *person.Record) { r.Forename = "Jo\x00hn\x7f"; r.Address = "1 High St\r\nStockport" },
			want:  func(r *person.Record) { r.Forename = "John"; r.Address = "1 High St  Stockport" },
			found: []finding{{person.ColForename, ControlCharacters}, {person.ColAddress, ControlCharacters}},
		},
		{
			name:  "zero-width and BOM stripped",
			edit:  func(r *person.Record) { r.Surname = "\ufeffSmi\u200bth" },
			want:  func(r *person.Record) { r.Surname = "Smith" },
			found: []finding{{person.ColSurname, ControlCharacters}},
		},
		{
			name:  "Windows-1252 repaired",
			edit:  func(r *person.Record) { r.Forename = "Jos\xe9"; r.Surname = "O\x92Brien" },
			want:  func(r *person.Record) { r.Forename = "José"; r.Surname = "O’Brien" },
			found: []finding{{person.ColForename, RepairedEncoding}, {person.ColSurname, RepairedEncoding}},
		},
		{
			name:  "valid UTF-8 kept beside a repaired byte",
			edit:  func(r *person.Record) { r.Forename = "Zoë-Ren\xe9e" },
			want:  func(r *person.Record) { r.Forename = "Zoë-Renée" },
			found: []finding{{person.ColForename, RepairedEncoding}},
		},
		{
			name:  "unrepairable bytes",
			edit:  func(r *person.Record) { r.Forename = "Jo\x81n"; r.Address = "12\x80" },
			want:  func(r *person.Record) { r.Forename = ""; r.Address = "" },
			found: []finding{{person.ColForename, InvalidEncoding}, {person.ColAddress, InvalidEncoding}},
		},
		{
			name:  "invalid phone kept",
			edit:  func(r *person.Record) { r.Phone = "12345" },
			found: []finding{{person.ColPhone, InvalidPhone}},
		},
		{
			name:  "dummy phone",
			edit:  func(r *person.Record) { r.Phone = "0000 000000" },
			want:  func(r *person.Record) { r.Phone = "" },
			found: []finding{{person.ColPhone, Placeholder}},
		},
		{
			name:  "invalid email kept",
			edit:  func(r *person.Record) { r.Email = "john at example.org" },
			found: []finding{{person.ColEmail, InvalidEmail}},
		},
		{
			name:  "UPRN with letters kept",
			edit:  func(r *person.Record) { r.UPRN = "U1234" },
			found: []finding{{person.ColUPRN, NotUPRNFormat}},
		},
		{
			name: "tenancy role case",
			edit: func(r *person.Record) { r.TenancyRole = "Joint" },
			want: func(r *person.Record) { r.TenancyRole = "joint" },
		},
		{
			name:  "role respelled",
			edit:  func(r *person.Record) { r.TenancyRole = "Lead Tenant" },
			want:  func(r *person.Record) { r.TenancyRole = "lead" },
			found: []finding{{person.ColTenancyRole, RoleRespelled}},
		},
		{
			name:  "unknown tenancy role kept",
			edit:  func(r *person.Record) { r.TenancyRole = "landlord" },
			found: []finding{{person.ColTenancyRole, UnknownRole}},
		},
		{
			name: "gender word, code and title kept as recorded",
			edit: func(r *person.Record) { r.Gender = "Mrs" },
		},
		{
			name:  "unknown gender kept",
			edit:  func(r *person.Record) { r.Gender = "Femal" },
			found: []finding{{person.ColGender, UnknownGender}},
		},
		{
			name:   "a gender alone identifies no one",
			edit:   func(r *person.Record) { *r = person.Record{RecordID: r.RecordID, Gender: "F"} },
			reason: NoIdentifyingField,
		},
		{
			name: "surrounding spaces trimmed",
			edit: func(r *person.Record) { r.Surname = "  Smith " },
			want: func(r *person.Record) { r.Surname = "Smith" },
		},
		{
			name:   "missing record id",
			edit:   func(r *person.Record) { r.RecordID = "" },
			reason: MissingRecordID,
		},
		{
			name:   "blank record id",
			edit:   func(r *person.Record) { r.RecordID = " \t " },
			want:   func(r *person.Record) { r.RecordID = "" },
			found:  []finding{{person.ColRecordID, ControlCharacters}},
			reason: MissingRecordID,
		},
		{
			name:   "unrepairable record id",
			edit:   func(r *person.Record) { r.RecordID = "R\x81" },
			want:   func(r *person.Record) { r.RecordID = "" },
			found:  []finding{{person.ColRecordID, InvalidEncoding}},
			reason: InvalidUTF8RecordID,
		},
		{
			name:  "repaired record id",
			edit:  func(r *person.Record) { r.RecordID = "R\xe9f" },
			want:  func(r *person.Record) { r.RecordID = "Réf" },
			found: []finding{{person.ColRecordID, RepairedEncoding}},
		},
		{
			name: "nothing identifying left",
			edit: func(r *person.Record) {
				*r = person.Record{RecordID: "R9", MiddleNames: "Paul", Forename: "UNKNOWN", NINumber: "QQ123456C",
					DOB: d(1900, time.January, 1), TenancyRef: "T-9"}
			},
			want: func(r *person.Record) {
				*r = person.Record{RecordID: "R9", MiddleNames: "Paul", TenancyRef: "T-9"}
			},
			found: []finding{{person.ColForename, Placeholder}, {person.ColNINumber, Placeholder},
				{person.ColDOB, Placeholder}},
			reason: NoIdentifyingField,
		},
	}
	v := New(today)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good()
			if tt.edit != nil {
				tt.edit(&r)
			}
			want := r
			if tt.want != nil {
				tt.want(&want)
			}
			var rep Report
			got := v.Record(&r, &rep)
			if got != tt.reason {
				t.Errorf("reason = %q, want %q", got, tt.reason)
			}
			if r != want {
				t.Errorf("record after validation:\n got %+v\nwant %+v", r, want)
			}
			wantCounts := map[finding]int64{}
			for _, f := range tt.found {
				wantCounts[f]++
			}
			for _, c := range person.Columns {
				for _, p := range Problems() {
					if n := rep.FieldCount(c.Name, p); n != wantCounts[finding{c.Name, p}] {
						t.Errorf("count(%s, %s) = %d, want %d", c.Name, p, n, wantCounts[finding{c.Name, p}])
					}
				}
			}
			if rep.RowsIn != 0 {
				t.Errorf("Record counted the row: RowsIn = %d", rep.RowsIn)
			}
		})
	}
}

// TestIdentifying checks that each column of person.Identifying alone
// makes a row usable, and that no other column does.
func TestIdentifying(t *testing.T) {
	v := New(today)
	g := good()
	for _, c := range person.Columns {
		if c.Name == person.ColRecordID {
			continue
		}
		r := person.Record{RecordID: "R1"}
		if s, ok := g.String(c.Name); ok {
			if s == "" {
				s = "value"
			}
			r.SetString(c.Name, s)
		} else if p := r.DateField(c.Name); p != nil {
			*p = *g.DateField(c.Name)
			if p.IsZero() {
				*p = d(1990, time.June, 1)
			}
		} else {
			r.Balance = 100
		}
		var rep Report
		got := v.Record(&r, &rep)
		identifying := false
		for _, name := range person.Identifying {
			identifying = identifying || name == c.Name
		}
		if identifying && got != "" {
			t.Errorf("%s alone: reason %q, want accepted", c.Name, got)
		}
		if !identifying && got != NoIdentifyingField {
			t.Errorf("%s alone: reason %q, want %q", c.Name, got, NoIdentifyingField)
		}
	}
}

func TestAge(t *testing.T) {
	tests := []struct {
		dob, at date.Date
		want    int
	}{
		{d(2000, time.March, 1), d(2026, time.February, 28), 25},
		{d(2000, time.March, 1), d(2026, time.March, 1), 26},
		{d(2000, time.February, 29), d(2025, time.February, 28), 24},
		{d(2000, time.February, 29), d(2025, time.March, 1), 25},
		{d(2000, time.February, 29), d(2028, time.February, 29), 28},
		{d(2000, time.January, 1), d(1999, time.December, 31), -1},
		{date.Date{}, d(2000, time.January, 1), -1},
		{d(2000, time.January, 1), date.Date{}, -1},
	}
	for _, tt := range tests {
		if got := Age(tt.dob, tt.at); got != tt.want {
			t.Errorf("Age(%v, %v) = %d, want %d", tt.dob, tt.at, got, tt.want)
		}
	}
}

func TestOldestDOBOnLeapDay(t *testing.T) {
	v := New(d(2028, time.February, 29))
	// 121 years before 2028-02-29 is 1907-02-28 (1907 has no 29 February).
	if want := d(1907, time.February, 28); v.oldestDOB != want {
		t.Fatalf("oldestDOB = %v, want %v", v.oldestDOB, want)
	}
	if Age(v.oldestDOB, v.today) != MaxAge+1 || Age(v.oldestDOB.AddDays(1), v.today) != MaxAge {
		t.Fatalf("oldestDOB is not the last date of birth over %d", MaxAge)
	}
}

func TestReport(t *testing.T) {
	var a, b Report
	a.AddRow("")
	a.AddRow(NoIdentifyingField)
	a.AddField(person.ColPostcode, NotUKFormat)
	a.AddField(person.ColPostcode, NotUKFormat)
	b.AddRow(DuplicateRecordID)
	b.AddRow("")
	b.AddField(person.ColDOB, InFuture)
	b.AddField(person.ColAddress, TooLong)
	a.Merge(&b)

	if a.RowsIn != 4 || a.Accepted != 2 || a.Quarantined != 2 || a.RowsIn != a.Accepted+a.Quarantined {
		t.Fatalf("rows: in %d accepted %d quarantined %d", a.RowsIn, a.Accepted, a.Quarantined)
	}
	if a.RowCount(NoIdentifyingField) != 1 || a.RowCount(DuplicateRecordID) != 1 || a.RowCount(MissingRecordID) != 0 {
		t.Fatal("row reasons miscounted")
	}
	if a.FieldCount(person.ColPostcode, NotUKFormat) != 2 || a.FieldCount(person.ColDOB, InFuture) != 1 {
		t.Fatal("field problems miscounted")
	}

	s := a.Summary()
	wantOrder := []string{"address/too_long", "dob/in_future", "postcode/not_uk_format"}
	if len(s.FieldProblems) != len(wantOrder) {
		t.Fatalf("field problems: %+v", s.FieldProblems)
	}
	for i, fp := range s.FieldProblems {
		if got := fp.Column + "/" + fp.Problem; got != wantOrder[i] {
			t.Errorf("field problem %d = %s, want %s", i, got, wantOrder[i])
		}
	}
	if s.FieldProblems[0].Action != Nulled || s.FieldProblems[2].Action != Kept {
		t.Errorf("actions: %+v", s.FieldProblems)
	}
	if len(s.Quarantine) != 2 || s.Quarantine[0].Reason != DuplicateRecordID || s.Quarantine[1].Reason != NoIdentifyingField {
		t.Errorf("quarantine reasons not sorted: %+v", s.Quarantine)
	}

	js, err := json.Marshal(&a)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back != a {
		t.Errorf("JSON round trip changed the report:\n%s", js)
	}
	js2, _ := json.Marshal(&back)
	if string(js) != string(js2) {
		t.Errorf("rendering is not stable:\n%s\n%s", js, js2)
	}
	if err := json.Unmarshal([]byte(`{"field_problems":[{"column":"shoe_size","problem":"too_long","count":1}]}`), &back); err == nil {
		t.Error("unknown column accepted")
	}
}

func TestReportHoldsNoValues(t *testing.T) {
	v := New(today)
	var rep Report
	r := good()
	r.Forename, r.Postcode, r.NINumber = "Xanthippe\x00", "4223", "5304218"
	v.Record(&r, &rep)
	js, err := json.Marshal(&rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Xanthippe", "4223", "5304218", "Smith", "SK1"} {
		if strings.Contains(string(js), s) {
			t.Errorf("report contains the value %q: %s", s, js)
		}
	}
}

func TestProblemCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Problems() {
		name := p.String()
		if name == "" || strings.HasPrefix(name, "problem(") || seen[name] {
			t.Errorf("problem %d has code %q", p, name)
		}
		seen[name] = true
		if back, ok := ParseProblem(name); !ok || back != p {
			t.Errorf("ParseProblem(%q) = %v, %v", name, back, ok)
		}
		if a := p.Action(); a != Nulled && a != Kept && a != Repaired {
			t.Errorf("%s: action %q", name, a)
		}
	}
	if len(person.Columns) > maxColumns {
		t.Fatalf("person.Columns has %d columns, Report holds %d", len(person.Columns), maxColumns)
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		in, out                string
		stripped, repaired, ok bool
	}{
		{"Smith", "Smith", false, false, true},
		{"  Smith  ", "Smith", false, false, true},
		{"Smith\t", "Smith", true, false, true},
		{"Ann\u2028Marie", "Ann Marie", true, false, true},
		{"Caf\xe9", "Café", false, true, true},
		{"\x93Quoted\x94", "“Quoted”", false, true, true},
		{"\x80\x80", "", false, false, false},
		{"A\x81", "", false, false, false},
		{"Łódź", "Łódź", false, false, true},
	}
	for _, tt := range tests {
		out, stripped, repaired, ok := Clean(tt.in)
		if out != tt.out || stripped != tt.stripped || repaired != tt.repaired || ok != tt.ok {
			t.Errorf("Clean(%q) = %q, %v, %v, %v; want %q, %v, %v, %v", tt.in, out, stripped, repaired, ok,
				tt.out, tt.stripped, tt.repaired, tt.ok)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"Smith", " Jo\x00hn ", "Jos\xe9", "\x81", "a\tb\r\nc", "\ufeffx", "Zoë"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, stripped, repaired, ok := Clean(s)
		if !ok {
			if out != "" {
				t.Fatalf("Clean(%q) failed but returned %q", s, out)
			}
			return
		}
		if !utf8.ValidString(out) {
			t.Fatalf("Clean(%q) = %q, not UTF-8", s, out)
		}
		for _, r := range out {
			if drop, _ := isControl(r); drop {
				t.Fatalf("Clean(%q) = %q keeps control character %U", s, out, r)
			}
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("Clean(%q) = %q is not trimmed", s, out)
		}
		if utf8.ValidString(s) && repaired {
			t.Fatalf("Clean(%q) repaired valid UTF-8", s)
		}
		if !stripped && !repaired && out != strings.TrimSpace(s) {
			t.Fatalf("Clean(%q) = %q changed the value without saying so", s, out)
		}
		again, st2, rep2, ok2 := Clean(out)
		if again != out || st2 || rep2 || !ok2 {
			t.Fatalf("Clean is not idempotent on %q: %q", out, again)
		}
	})
}

func FuzzRecord(f *testing.F) {
	f.Add("R1", "John", "Smith", "JK123456C", "SK1 3NQ", "07700900123", "a@b.co", int32(3000), int32(-25000))
	f.Add("", "UNKNOWN", "\x81", "TN010180M", "4223", "0", "none", int32(0), int32(0))
	f.Fuzz(func(t *testing.T, id, fore, sur, ni, pc, phone, email string, dob, death int32) {
		r := person.Record{RecordID: id, Forename: fore, Surname: sur, NINumber: ni, Postcode: pc, Phone: phone,
			Email: email, Address: fore + " " + sur, DOB: date.FromDays(dob % 3_000_000), DateOfDeath: date.FromDays(death % 3_000_000)}
		var rep Report
		reason := New(today).Record(&r, &rep)
		for _, c := range person.Columns {
			s, ok := r.String(c.Name)
			if !ok {
				continue
			}
			if !utf8.ValidString(s) || s != strings.TrimSpace(s) {
				t.Fatalf("%s = %q after validation", c.Name, s)
			}
			for _, ch := range s {
				if unicode.IsControl(ch) {
					t.Fatalf("%s = %q keeps a control character", c.Name, s)
				}
			}
		}
		if utf8.RuneCountInString(r.Forename) > MaxNameLen || utf8.RuneCountInString(r.Address) > MaxAddressLen {
			t.Fatal("over-long value kept")
		}
		if r.DOB.After(today) || r.DateOfDeath.After(today) || r.DOB.Before(Earliest) {
			t.Fatalf("implausible date kept: %v %v", r.DOB, r.DateOfDeath)
		}
		if reason == "" && (r.RecordID == "" || !hasIdentifying(&r)) {
			t.Fatalf("accepted a row without id or identifying field: %+v", r)
		}
		if reason != "" && reason.index() < 0 {
			t.Fatalf("unknown reason %q", reason)
		}
	})
}

// BenchmarkRecord validates a typical, valid tenancy-export record.
func BenchmarkRecord(b *testing.B) {
	v := New(today)
	src := good()
	var rep Report
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := src
		if v.Record(&r, &rep) != "" {
			b.Fatal("quarantined")
		}
	}
}
