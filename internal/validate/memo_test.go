package validate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
)

// memoRecord builds a record whose text columns are drawn from pool, the
// same strings (the same bytes in memory) in every record built from the
// same pool, as rows read from a dictionary-encoded column are.
func memoRecord(pool []string, k int) person.Record {
	at := func(j int) string { return pool[(k+j)%len(pool)] }
	return person.Record{
		RecordID: at(0), Forename: at(1), MiddleNames: at(2), Surname: at(3), NINumber: at(4),
		Address: at(5), Postcode: at(6), UPRN: at(7), Phone: at(8), Email: at(9),
		ForwardingAddress: at(10), ForwardingPostcode: at(11), TenancyRef: at(12), TenancyRole: at(13),
		Ethnicity: at(14), Disability: at(15), Religion: at(16), Conviction: at(17),
		DOB: date.FromDays(int32(k*977%40000) - 20000),
	}
}

// checkMemo validates the records built from pool with Record and with
// RecordMemo, through one Memo, and fails unless every record, reason and
// count is the same.
func checkMemo(t *testing.T, pool []string, rows int) {
	t.Helper()
	v := New(today)
	var plain, memo Report
	var m Memo
	for k := range rows {
		a, b := memoRecord(pool, k), memoRecord(pool, k)
		ra := v.Record(&a, &plain)
		rb := v.RecordMemo(&b, &memo, &m)
		if ra != rb || a != b {
			t.Fatalf("row %d: Record gave %q %+v, RecordMemo %q %+v", k, ra, a, rb, b)
		}
	}
	if plain != memo {
		t.Fatalf("counts differ:\nRecord     %+v\nRecordMemo %+v", plain.Summary(), memo.Summary())
	}
}

func TestRecordMemo(t *testing.T) {
	pools := map[string][]string{
		"valid values": {"R1", "John", "Paul", "Smith", "JK123456C", "1 High Street", "SK1 3NQ", "100012345678",
			"07700 900123", "john@example.org"},
		"problems": {"R\x81", " UNKNOWN ", "Mr", "Jos\xe9", "TN010180M", "N/A", "ZZ99 3VZ", "12-34", "0000000000",
			"none", "\tLead Tenant", "MEMBER", "4223", strings.Repeat("x", 400), "", "--", "Caf\xe9\u200b"},
		"one value": {"Smith"},
	}
	for name, pool := range pools {
		t.Run(name, func(t *testing.T) {
			// More rows than a memo window, so that columns are paused and
			// resumed along the way.
			checkMemo(t, pool, 3*memoWindow+memoPause+7)
		})
	}
}

// TestMemoRemembers checks that a value met again is found (so the memo
// does its work) and that a column whose values never repeat is soon left
// unremembered.
func TestMemoRemembers(t *testing.T) {
	var m Memo
	name := "Smith"
	for range memoWindow {
		if out, ps := m.check(&ruleSurname, name); out != name || ps != 0 {
			t.Fatalf("check(%q) = %q, %v", name, out, ps)
		}
	}
	if c := m.cols[colSurname]; c.pause != 0 {
		t.Fatalf("a column whose one value repeats was paused: %+v", c)
	}
	for k := range memoWindow {
		m.check(&ruleRecordID, fmt.Sprintf("R%d", k))
	}
	if c := m.cols[colRecordID]; c.pause != memoPause {
		t.Fatalf("a column of unique values was not paused: pause %d", c.pause)
	}
	// Equal text in other memory is a different value to the memo, and
	// still gets the same outcome.
	other := strings.Clone(" Lead ")
	for _, s := range []string{" Lead ", other} {
		if out, ps := m.check(&ruleTenancyRole, s); out != "lead" || ps != 0 {
			t.Fatalf("check(%q) = %q, %v; want lead", s, out, ps)
		}
	}
}

func FuzzRecordMemo(f *testing.F) {
	f.Add("R1", "John", "SK1 3NQ", "07700 900123", "UNKNOWN", "Lead Tenant")
	f.Add("R\x81", "", "ZZ99 3VZ", "0000000000", "n/a", "\t\x00")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		checkMemo(t, []string{a, b, c, d, e, g, a + b, strings.TrimSpace(c)}, 200)
	})
}

func TestPrintableASCII(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", true},
		{"Smith", true},
		{"12 High Street, Stockport ~", true},
		{"12 High Street\x1f Stockport", false},
		{"12 High Street Stockport\x7f", false},
		{"\x7fabcdefgh", false},
		{"abcdefgh\x80", false},
		{"Zoë Smith and family", false},
		{"\t", false},
		{" !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~", true},
	}
	for _, tt := range tests {
		if got := printableASCII(tt.s); got != tt.want {
			t.Errorf("printableASCII(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func FuzzPrintableASCII(f *testing.F) {
	for _, s := range []string{"", "Smith", "abcdefgh\x7f", "\x00\x1f\x20\x7e\x7f\x80\xff", "ë12345678901234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				want = false
			}
		}
		if got := printableASCII(s); got != want {
			t.Fatalf("printableASCII(%q) = %v, want %v", s, got, want)
		}
	})
}

// BenchmarkRecordMemo validates a typical record whose values repeat, as
// rows drawn from dictionary-encoded columns do.
func BenchmarkRecordMemo(b *testing.B) {
	v := New(today)
	src := good()
	var rep Report
	var m Memo
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := src
		if v.RecordMemo(&r, &rep, &m) != "" {
			b.Fatal("quarantined")
		}
	}
}
