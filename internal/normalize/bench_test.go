package normalize

import (
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
)

// Typical values, as they arrive from housing and partner exports.
var (
	benchNames     = []string{"Mr John SMITH", "O'Brien-Smith", "Zoë", "Siobhán Mary", "mcdonald", "Łukasz Nowak Jnr"}
	benchPostcodes = []string{"sk1 3nq", "SK1 3NQ", "EC1A1BB", "W1A OAX", "4223", "DN55 1PT"}
	benchNINOs     = []string{"JG 10 37 59 A", "jg103759a", "JG103759", "7421835", "QQ123456C", "TN010283M"}
	benchPhones    = []string{"07700 900123", "+44 (0)20 7946 0018", "0044 7700 900123", "+1 202 555 0143", "794600", "+447700900123"}
	benchEmails    = []string{"Jane.Doe@Example.org", "j+tag@mail.example.co.uk", "jane@localhost", " bob@example.com "}
	benchAddresses = []string{"Flat 3, 12 High St", "12a St Mary's Rd", "Ground Floor Flat, 7 Mill Ln", "No. 5 Church St, St Albans", "3 Rose Ct, 7 Oak Dr"}
)

func BenchmarkName(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Name(benchNames[i%len(benchNames)])
	}
}

func BenchmarkNameTokens(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		NameTokens(benchNames[i%len(benchNames)])
	}
}

func BenchmarkPostcode(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Postcode(benchPostcodes[i%len(benchPostcodes)])
	}
}

func BenchmarkPostcodeParts(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		PostcodeOutward("SK1 3NQ")
		PostcodeSector("EC1A 1BB")
	}
}

func BenchmarkNINumber(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		NINumber(benchNINOs[i%len(benchNINOs)])
	}
}

func BenchmarkPhone(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Phone(benchPhones[i%len(benchPhones)])
	}
}

func BenchmarkEmail(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Email(benchEmails[i%len(benchEmails)])
	}
}

func BenchmarkAddress(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Address(benchAddresses[i%len(benchAddresses)])
	}
}

func BenchmarkHouseNumber(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		HouseNumber(benchAddresses[i%len(benchAddresses)])
	}
}

func BenchmarkIsPlaceholder(b *testing.B) {
	in := []string{"UNKNOWN", "N/A", "John", "a long value that is not a placeholder"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		IsPlaceholder(in[i%len(in)])
	}
}

func BenchmarkIsPlaceholderDate(b *testing.B) {
	d := []date.Date{date.MustOf(1985, time.June, 15), date.MustOf(1900, time.January, 1)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		IsPlaceholderDate(d[i%len(d)])
	}
}
