package date

import (
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	for days := int32(-700000); days <= 800000; days += 37 {
		d := FromDays(days)
		y, m, dd := d.Civil()
		got, ok := Of(y, m, dd)
		if !ok || got != d {
			t.Fatalf("days %d -> %v -> %v", days, d, got)
		}
		want := time.Unix(int64(days)*86400, 0).UTC()
		if want.Year() != y || want.Month() != m || want.Day() != dd {
			t.Fatalf("days %d: civil %d-%d-%d, time package %v", days, y, m, dd, want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		layout Layout
		in     string
		want   string
		ok     bool
	}{
		{ISO, "1980-02-29", "1980-02-29", true},
		{ISO, "1981-02-29", "", false},
		{ISO, "1981-2-09", "", false},
		{Compact, "19151111", "1915-11-11", true},
		{Compact, "1915111", "", false},
		{UKSlash, "3/4/1999", "1999-04-03", true},
		{UKSlash, " 03/04/1999 ", "1999-04-03", true},
		{UKSlash, "31/04/1999", "", false},
		{UKDash, "03-04-1999", "1999-04-03", true},
		{UKDot, "03.04.1999", "1999-04-03", true},
		{USSlash, "03/04/1999", "1999-03-04", true},
		{USSlash, "13/04/1999", "", false},
		{DayMonth, "3 Apr 1999", "1999-04-03", true},
		{DayMonth, "31 Apr 1999", "", false},
		{DayMonth, "1 Apr 0000", "", false}, // year 0: refused, as ISO's is
		{ISO, "0000-04-01", "", false},
		{ISO, "", "", false},
		{Layout("nonsense"), "1999-01-01", "", false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.layout, tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("Parse(%s, %q) error = %v, want ok=%v", tt.layout, tt.in, err, tt.ok)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("Parse(%s, %q) = %q, want %q", tt.layout, tt.in, got, tt.want)
		}
	}
}

func TestNull(t *testing.T) {
	var d Date
	if !d.IsZero() || d.String() != "" || d.Before(MustOf(2000, 1, 1)) || d.After(MustOf(2000, 1, 1)) {
		t.Fatal("null date misbehaves")
	}
	if FromDays(0).IsZero() {
		t.Fatal("1970-01-01 must not be null")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1980-02-29", "19151111", "3/4/1999", "3 Apr 1999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range Layouts {
			d, err := Parse(l, s)
			if err != nil {
				continue
			}
			back, err := Parse(ISO, d.String())
			if err != nil || back != d {
				t.Fatalf("%s %q parsed to %v which does not round-trip", l, s, d)
			}
		}
	})
}
