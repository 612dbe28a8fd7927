package normalize

import "testing"

func TestPhone(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		// UK forms.
		{"07700 900123", "+447700900123", true},
		{"07700900123", "+447700900123", true},
		{"447700900123", "+447700900123", true},
		{"+447700900123", "+447700900123", true},
		{"+44 7700 900123", "+447700900123", true},
		{"+44 (0)7700 900123", "+447700900123", true},
		{"+44(0)20 7946 0018", "+442079460018", true},
		{"0044 7700 900123", "+447700900123", true},
		{"00447700900123", "+447700900123", true},
		{"4407700900123", "+447700900123", true},
		{"020 7946 0018", "+442079460018", true},
		{"(020) 7946-0018", "+442079460018", true},
		{"0161 496 0123", "+441614960123", true},
		{"016977 3456", "+44169773456", true}, // nine-digit NSN
		{"0800 123 456", "+44800123456", true},
		{"0300 123 4567", "+443001234567", true},
		{"tel: 07700 900123", "+447700900123", true},
		{"07700\u00a0900123", "+447700900123", true},
		{"07700 900123 ext 45", "+447700900123", true},
		{"07700 900123 x45", "+447700900123", true},
		{"07700 900123 (home)", "+447700900123", true},
		// UK with an invalid NSN.
		{"+44 12345", "+4412345", false},
		{"+44 4700 900123", "+444700900123", false}, // NSN may not start 4
		{"0044 123", "+44123", false},
		{"+44 00 123", "+44123", false},
		// Other countries.
		{"+1 202 555 0143", "+12025550143", true},
		{"+61 2 9876 5432", "+61298765432", true},
		{"0061 2 9876 5432", "+61298765432", true},
		{"+353 1 234 5678", "+35312345678", true},
		{"+1 234", "+1234", false},
		{"+1234567890123456", "+1234567890123456", false}, // 16 digits
		// Not recognisable: digits only.
		{"794600", "794600", false},
		{"02 9876 5432", "0298765432", false}, // Australian national form
		{"0 4700 900123", "04700900123", false},
		{"123", "123", false},
		{"4412", "4412", false},
		{"447700", "447700", false},
		// Null.
		{"", "", false},
		{"   ", "", false},
		{"none", "", false},
		{"N/A", "", false},
		{"-", "", false},
		{"no number", "", false},
		{"ex-directory", "", false},
		{"00000000000", "", false},
		{"07777 777777", "", false},
		{"+44 0", "", false},
		{"01234 567890", "", false},
		{"+44 1234 567890", "", false},
		{"0", "", false},
	}
	for _, tt := range tests {
		got, ok := Phone(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Phone(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestPhoneOverlong(t *testing.T) {
	in := "1234567890 1234567890 1234567890"
	got, ok := Phone(in)
	if want := "123456789012345678901234567890"; got != want || ok {
		t.Errorf("Phone(%q) = %q, %v, want %q, false", in, got, ok, want)
	}
}
