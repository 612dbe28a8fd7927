package normalize

import "testing"

func TestEmail(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"jane.doe@example.org", "jane.doe@example.org", true},
		{"  Jane.Doe@Example.ORG ", "jane.doe@example.org", true},
		{"j+tag@mail.example.co.uk", "j+tag@mail.example.co.uk", true},
		{"Zoë@example.org", "zoë@example.org", true},
		{"jane@localhost", "jane@localhost", false},
		{"@example.org", "@example.org", false},
		{"jane@", "jane@", false},
		{"jane", "jane", false},
		{"jane@@example.org", "jane@@example.org", false},
		{"a@b@example.org", "a@b@example.org", false},
		{"jane@.example.org", "jane@.example.org", false},
		{"jane@example.org.", "jane@example.org.", false},
		{"jane@example..org", "jane@example..org", false},
		{"jane doe@example.org", "jane doe@example.org", false},
		{"", "", false},
		{"   ", "", false},
		{"none", "", false},
		{"N/A", "", false},
		{"no email", "", false},
	}
	for _, tt := range tests {
		got, ok := Email(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Email(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}
