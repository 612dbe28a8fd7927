package rights

import (
	"context"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

func newEncoder(t *testing.T) *pseudo.Encoder {
	t.Helper()
	k, err := key.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return pseudo.NewEncoder(k)
}

// TestExcludesWithExerciseEncoder runs the restriction rules through the
// exercise's own normalisation and keyed pseudonyms.
func TestExcludesWithExerciseEncoder(t *testing.T) {
	enc := newEncoder(t)
	l, err := ReadList(strings.NewReader(header+
		"objection,Robert,Hughes,1971-05-02,,SK1 3NQ,R1,\n"+
		"restriction,Siân,O'Brien,1985-11-30,CE 81 42 73 B,,R2,\n"+
		"objection_automated,Margaret,Price,1990-02-14,QQ123456C,CF10 1AA,R3,\n"), "restrictions.csv", enc)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rec  person.Record
		kind string
	}{
		{"nickname", person.Record{Forename: "Bob", Surname: "Hughes", DOB: dob("1971-05-02")}, Objection},
		{"case, spacing, title and postcode format", person.Record{Forename: "Mr ROBERT james", Surname: " hughes ", DOB: dob("1971-05-02"), Postcode: "sk13nq"}, Objection},
		{"diacritics and apostrophe", person.Record{Forename: "Sian", Surname: "OBrien", DOB: dob("1985-11-30")}, Restriction},
		{"NI number with another suffix, name changed", person.Record{Forename: "Sian", Surname: "Jones", NINumber: "ce814273a"}, Restriction},
		{"married name, nickname, same address", person.Record{Forename: "Peggy", Surname: "Evans", DOB: dob("1990-02-14"), Postcode: "CF10 1AA"}, ObjectionAutomated},
		{"near miss: another birthday", person.Record{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-02-05"), Postcode: "SK1 3NQ"}, ""},
		{"near miss: dummy NI number shared with a listed person", person.Record{Forename: "Anne", Surname: "Other", DOB: dob("1960-01-01"), NINumber: "QQ123456C"}, ""},
		{"near miss: phonetically alike surname", person.Record{Forename: "Robert", Surname: "Hughs", DOB: dob("1971-05-02")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := encode(enc, tt.rec)
			kind, ok := l.Excludes(&p)
			if ok != (tt.kind != "") || kind != tt.kind {
				t.Fatalf("Excludes = %q, %v; want %q", kind, ok, tt.kind)
			}
		})
	}

	other := newEncoder(t)
	p := encode(other, person.Record{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "SK1 3NQ"})
	if _, ok := l.Excludes(&p); ok {
		t.Fatal("a record encoded under another exercise key was excluded")
	}
}

func TestSearchWithExerciseEncoder(t *testing.T) {
	enc := newEncoder(t)
	ds := Dataset{Name: "tenancies", Role: person.RoleTenancy, Encoder: enc, Records: records(
		person.Record{RecordID: "T1", Forename: "Bobby", Surname: "Hughes", DOB: dob("1971-05-02")},
		person.Record{RecordID: "T2", Forename: "Roberta", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "M1 1AE"},
	)}
	f, err := Search(context.Background(), Subject{Forename: "Robert", Surname: "Hughes", DOB: dob("1971-05-02"), Postcode: "SK1 3NQ"}, []Source{ds})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Records[0].RecordID != "T1" || f.Records[0].MatchedOn != RuleSurnameNickname.String() {
		t.Fatalf("records = %+v; want T1 by nickname group", f.Records)
	}
}
