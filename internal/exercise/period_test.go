package exercise

import (
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want Period
		ok   bool
	}{
		{"P90D", Period{Days: 90}, true},
		{"P6M", Period{Months: 6}, true},
		{"P2Y", Period{Years: 2}, true},
		{"P2W", Period{Weeks: 2}, true},
		{"P1Y6M", Period{Years: 1, Months: 6}, true},
		{"P1Y2M3W4D", Period{1, 2, 3, 4}, true},
		{"P0D", Period{}, true},
		{"P007D", Period{Days: 7}, true},
		{"P999Y", Period{Years: 999}, true},
		{"", Period{}, false},
		{"P", Period{}, false},
		{"90D", Period{}, false},
		{"p90d", Period{}, false},
		{"P90", Period{}, false},
		{"PD", Period{}, false},
		{"P1D1Y", Period{}, false},
		{"P1Y1Y", Period{}, false},
		{"P1.5Y", Period{}, false},
		{"P1,5Y", Period{}, false},
		{"PT12H", Period{}, false},
		{"P1DT12H", Period{}, false},
		{"P-1D", Period{}, false},
		{"P+1D", Period{}, false},
		{"P1H", Period{}, false},
		{" P1D", Period{}, false},
		{"P1D ", Period{}, false},
		{"P1001Y", Period{}, false},
		{"P99999999D", Period{}, false},
	}
	for _, tc := range tests {
		got, err := ParsePeriod(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestPeriodString(t *testing.T) {
	tests := map[Period]string{
		{}:                  "P0D",
		{Days: 90}:          "P90D",
		{Years: 1, Days: 2}: "P1Y2D",
		{1, 2, 3, 4}:        "P1Y2M3W4D",
	}
	for p, want := range tests {
		if got := p.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", p, got, want)
		}
	}
}

func TestPeriodAddTo(t *testing.T) {
	d := func(y int, m time.Month, dd int) date.Date { return date.MustOf(y, m, dd) }
	tests := []struct {
		p    string
		from date.Date
		want date.Date
	}{
		{"P90D", d(2026, 1, 1), d(2026, 4, 1)},
		{"P1M", d(2024, 1, 31), d(2024, 2, 29)},
		{"P1M", d(2023, 1, 31), d(2023, 2, 28)},
		{"P1Y", d(2024, 2, 29), d(2025, 2, 28)},
		{"P4Y", d(2024, 2, 29), d(2028, 2, 29)},
		{"P6M", d(2025, 8, 31), d(2026, 2, 28)},
		{"P13M", d(2025, 12, 15), d(2027, 1, 15)},
		{"P2W", d(2026, 2, 20), d(2026, 3, 6)},
		{"P1M1D", d(2024, 1, 31), d(2024, 3, 1)},
		{"P2Y", d(2026, 3, 31), d(2028, 3, 31)},
		{"P1D", date.Date{}, date.Date{}},
	}
	for _, tc := range tests {
		p, err := ParsePeriod(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.AddTo(tc.from); got != tc.want {
			t.Errorf("%s.AddTo(%v) = %v, want %v", tc.p, tc.from, got, tc.want)
		}
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"P90D", "P6M", "P2Y", "P1Y2M3W4D", "PT1H", "P1.5D", "P", "", "P0000000001D", "P1W1D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.Years < 0 || p.Months < 0 || p.Weeks < 0 || p.Days < 0 {
			t.Fatalf("ParsePeriod(%q) = %+v: negative", s, p)
		}
		again, err := ParsePeriod(p.String())
		if err != nil || again != p {
			t.Fatalf("round trip of %q: %q -> %+v, %v", s, p.String(), again, err)
		}
		from := date.MustOf(2026, time.January, 31)
		if to := p.AddTo(from); to.Before(from) || to.IsZero() {
			t.Fatalf("%+v.AddTo(%v) = %v", p, from, to)
		}
	})
}
