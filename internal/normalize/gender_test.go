package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGender(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"F", GenderFemale, true},
		{"female", GenderFemale, true},
		{" FEMALE ", GenderFemale, true},
		{"Woman", GenderFemale, true},
		{"2", GenderFemale, true},
		{"Mrs", GenderFemale, true},
		{"Miss.", GenderFemale, true},
		{"MS", GenderFemale, true},
		{"M", GenderMale, true},
		{"Male", GenderMale, true},
		{"1", GenderMale, true},
		{"Mr.", GenderMale, true},
		{"Master", GenderMale, true},
		{"Non-binary", GenderOther, true},
		{"non_binary", GenderOther, true},
		{"X", GenderOther, true},
		{"", "", true},
		{"   ", "", true},
		{"Not Known", "", true},
		{"prefer not to say", "", true},
		{"0", "", true},
		{"9", "", true},
		{"Mx", "", true},
		{"Dr", "", true},
		{"Rev.", "", true},
		{"N/A", "", true},
		{"Femal", "", false},
		{"3", "", false},
		{"Mrs Smith", "", false},
		{"landlord", "", false},
	}
	for _, tt := range tests {
		got, ok := Gender(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Gender(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzGender(f *testing.F) {
	for _, s := range []string{"F", "Male", "Mrs", "Dr", "Non-binary", "", "2", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Gender(s)
		switch got {
		case "", GenderFemale, GenderMale, GenderOther:
		default:
			t.Fatalf("Gender(%q) = %q, not a canonical gender", s, got)
		}
		if !ok && got != "" {
			t.Fatalf("Gender(%q) = %q but not recognised", s, got)
		}
		if got == "" {
			return
		}
		// Canonical genders read as themselves, whatever the case.
		if again, ok := Gender(strings.ToLower(got)); !ok || again != got {
			t.Fatalf("Gender not idempotent on %q: %q -> %q", s, got, again)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Gender(%q) = %q, not UTF-8", s, got)
		}
	})
}
