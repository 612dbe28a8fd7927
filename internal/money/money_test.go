package money

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Pence
		ok   bool
	}{
		{"0", 0, true},
		{"12", 1200, true},
		{"12.3", 1230, true},
		{"12.34", 1234, true},
		{"£1,234.56", 123456, true},
		{"-£5.00", -500, true},
		{"£-5.00", -500, true},
		{"(12.00)", -1200, true},
		{"GBP 10", 1000, true},
		{".5", 50, true},
		{"12.345", 0, false},
		{"1,23", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"12.", 0, false},
		{"1e3", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		p             Pence
		str, inPounds string
	}{
		{0, "0.00", "£0.00"},
		{5, "0.05", "£0.05"},
		{-5, "-0.05", "-£0.05"},
		{123456789, "1234567.89", "£1,234,567.89"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.str {
			t.Errorf("%d.String() = %q, want %q", tt.p, got, tt.str)
		}
		if got := tt.p.Pounds(); got != tt.inPounds {
			t.Errorf("%d.Pounds() = %q, want %q", tt.p, got, tt.inPounds)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"£1,234.56", "(12.00)", "-5", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(p.String())
		if err != nil || back != p {
			t.Fatalf("%q -> %d -> %q does not round-trip", s, p, p.String())
		}
		back, err = Parse(p.Pounds())
		if err != nil || back != p {
			t.Fatalf("%q -> %d -> %q does not round-trip", s, p, p.Pounds())
		}
	})
}
