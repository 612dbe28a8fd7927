package normalize

import "testing"

func TestPassport(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"123456788", "123456788", true},
		{" 5412 36 987 ", "541236987", true},
		{"pa1234567", "PA1234567", true},
		{"PA-123.4567", "PA1234567", true},
		{"X1234-567/8", "X12345678", true},
		{"GBR 541236987", "GBR541236987", true},
		{"12345A", "12345A", true},
		{"1274", "1274", false},                         // too short: flagged, kept
		{"GBR5412369870000", "GBR5412369870000", false}, // too long
		{"5412#36987", "541236987", false},              // a stray character
		{"54123698½", "54123698", false},                // non-ASCII
		{"", "", false},
		{"   ", "", false},
		{"N/A", "", false},
		{"unknown", "", false},
		{"ON FILE", "", false}, // no digit
		{"000000000", "", false},
		{"AAAAAAAA", "", false},
		{"123456789", "", false},
		{"987654321", "", false},
		{"8901234", "", false},
		{"123456780", "123456780", true}, // not quite a run
	}
	for _, tt := range tests {
		got, ok := Passport(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Passport(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		present, ok2 := PassportStatus(tt.in)
		if present != (got != "") || ok2 != ok {
			t.Errorf("PassportStatus(%q) = %v, %v; Passport gave %q, %v", tt.in, present, ok2, got, ok)
		}
	}
}
