package load

import (
	"bytes"
	"context"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	xparquet "github.com/xitongsys/parquet-go/parquet"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/validate"
)

func TestFloorDiv(t *testing.T) {
	tests := []struct{ a, b, want int64 }{
		{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 5, 0}, {-1, 86_400_000, -1}, {86_399_999, 86_400_000, 0},
	}
	for _, tt := range tests {
		if got := floorDiv(tt.a, tt.b); got != tt.want {
			t.Errorf("floorDiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDateRange(t *testing.T) {
	if _, p := fromDays(int64(maxDays) + 1); p != validate.OutOfRange {
		t.Error("day after 9999-12-31 accepted")
	}
	if d, p := fromDays(int64(minDays)); p != 0 || d.String() != "0001-01-01" {
		t.Errorf("0001-01-01 read as %v, %v", d, p)
	}
	if _, p := timestampDate(math.MaxInt64, 1, 86_400, nil); p != validate.OutOfRange {
		t.Error("timestamp beyond year 9999 accepted")
	}
}

func TestLocation(t *testing.T) {
	tests := []struct {
		tz      string
		instant time.Time
		want    string // the local date of instant
		bad     bool
	}{
		{"", time.Date(1990, 6, 14, 23, 30, 0, 0, time.UTC), "1990-06-14", false},
		{"UTC", time.Date(1990, 6, 14, 23, 30, 0, 0, time.UTC), "1990-06-14", false},
		{"-05:00", time.Date(1990, 6, 15, 3, 0, 0, 0, time.UTC), "1990-06-14", false},
		{"+01:00", time.Date(1990, 6, 14, 23, 30, 0, 0, time.UTC), "1990-06-15", false},
		{"Europe/London", time.Date(1990, 6, 14, 23, 30, 0, 0, time.UTC), "1990-06-15", false},
		{"Europe/London", time.Date(1990, 12, 14, 23, 30, 0, 0, time.UTC), "1990-12-14", false},
		{"Mars/Olympus_Mons", time.Time{}, "", true},
		{"+25:00", time.Time{}, "", true},
	}
	for _, tt := range tests {
		loc, err := location(tt.tz)
		if (err != nil) != tt.bad {
			t.Errorf("location(%q): %v", tt.tz, err)
			continue
		}
		if tt.bad {
			continue
		}
		if loc == time.UTC {
			loc = nil
		}
		d, p := timestampDate(tt.instant.Unix(), 1, 86_400, loc)
		if p != 0 || d.String() != tt.want {
			t.Errorf("%s in %q: %v, %v; want %s", tt.instant, tt.tz, d, p, tt.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	f.Add(uint8(0), "1980-02-29")
	f.Add(uint8(2), "29/02/1980")
	f.Add(uint8(6), "3 Apr 1999")
	f.Add(uint8(1), "19800230")
	f.Fuzz(func(t *testing.T, li uint8, s string) {
		layout := date.Layouts[int(li)%len(date.Layouts)]
		d, p := parseDate(layout, s)
		switch {
		case p == validate.Unparseable:
			if !d.IsZero() {
				t.Fatalf("%s %q: unparseable but %v", layout, s, d)
			}
		case p != 0:
			t.Fatalf("%s %q: problem %v", layout, s, p)
		case d.IsZero():
			if strings.Trim(s, " \t") != "" {
				t.Fatalf("%s %q: null without a problem", layout, s)
			}
		default:
			back, err := date.Parse(date.ISO, d.String())
			if err != nil || back != d {
				t.Fatalf("%s %q: %v does not round-trip", layout, s, d)
			}
		}
	})
}

func FuzzCompactDate(f *testing.F) {
	for _, v := range []int64{19800229, 19810229, 0, 99991231, 10101, -19800101, 123} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		d, p := compactDate(v)
		y, m, dd := int(v/10000), int(v/100%100), int(v%100)
		tm := time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
		valid := v > 0 && y >= 1 && y <= 9999 && m >= 1 && m <= 12 && dd >= 1 && tm.Day() == dd && int(tm.Month()) == m
		switch {
		case v == 0:
			if p != validate.Placeholder || !d.IsZero() {
				t.Fatalf("0 read as %v, %v", d, p)
			}
		case valid:
			if p != 0 || d.Year() != y || int(d.Month()) != m || d.Day() != dd {
				t.Fatalf("%d read as %v, %v", v, d, p)
			}
		default:
			if p != validate.Unparseable || !d.IsZero() {
				t.Fatalf("%d read as %v, %v; want unparseable", v, d, p)
			}
		}
	})
}

func FuzzTimestampDate(f *testing.F) {
	f.Add(int64(0), uint8(0), false)
	f.Add(int64(-1), uint8(3), true)
	f.Add(int64(645_406_200_000_000), uint8(2), true)
	f.Fuzz(func(t *testing.T, v int64, unit uint8, london bool) {
		perSec := []int64{1, 1_000, 1_000_000, 1_000_000_000}[unit%4]
		var loc *time.Location
		want := time.UTC
		if london {
			l, err := time.LoadLocation("Europe/London")
			if err != nil {
				t.Fatal(err)
			}
			loc, want = l, l
		}
		sec := v / perSec
		nsec := (v % perSec) * (1_000_000_000 / perSec)
		if sec > 1<<50 || sec < -(1<<50) {
			return // beyond the time package's range: covered by TestDateRange
		}
		tm := time.Unix(sec, nsec).In(want)
		d, p := timestampDate(v, perSec, 86_400*perSec, loc)
		if tm.Year() < 1 || tm.Year() > 9999 {
			if p != validate.OutOfRange {
				t.Fatalf("%d/%d: year %d read as %v, %v", v, perSec, tm.Year(), d, p)
			}
			return
		}
		y, m, dd := tm.Date()
		if p != 0 || d.Year() != y || d.Month() != m || d.Day() != dd {
			t.Fatalf("%d/%d in %v: %v, %v; want %d-%d-%d", v, perSec, want, d, p, y, m, dd)
		}
	})
}

// exactPence computes v×10^-scale pounds (or pence when target is 0) in
// pence, rounded half away from zero, with big rationals.
func exactPence(v int64, scale, target int32) (*big.Int, bool) {
	r := new(big.Rat).SetInt64(v)
	pow := func(n int32) *big.Rat {
		return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
	}
	if target >= scale {
		r.Mul(r, pow(target-scale))
	} else {
		r.Quo(r, pow(scale-target))
	}
	if r.IsInt() {
		return new(big.Int).Set(r.Num()), true
	}
	half := new(big.Rat).SetFrac64(1, 2)
	if r.Sign() < 0 {
		r.Sub(r, half)
	} else {
		r.Add(r, half)
	}
	q := new(big.Int).Quo(r.Num(), r.Denom()) // truncates towards zero
	return q, false
}

func FuzzScaleToPence(f *testing.F) {
	f.Add(int64(1234567), uint8(4), true)
	f.Add(int64(-1234550), uint8(4), true)
	f.Add(int64(5), uint8(0), false)
	f.Add(int64(math.MaxInt64), uint8(0), true)
	f.Add(int64(math.MinInt64), uint8(30), true)
	f.Fuzz(func(t *testing.T, v int64, scale uint8, pounds bool) {
		s := int32(scale % 40)
		target := int32(0)
		if pounds {
			target = 2
		}
		got, p := scaleToPence(v, s, target)
		want, exact := exactPence(v, s, target)
		if !want.IsInt64() {
			if p != validate.OutOfRange {
				t.Fatalf("%d scale %d: %v, %v; want out of range", v, s, got, p)
			}
			return
		}
		if int64(got) != want.Int64() {
			t.Fatalf("%d scale %d target %d: %d, want %s", v, s, target, got, want)
		}
		if exact != (p == 0) || (!exact && p != validate.RoundedDecimal) {
			t.Fatalf("%d scale %d: problem %v, exact %v", v, s, p, exact)
		}
	})
}

func FuzzFloatPence(f *testing.F) {
	for _, x := range []float64{12.34, -0.1, 0.005, 1e17, math.Inf(1), math.NaN(), 9.3e16} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		got, p := floatPence(x, 100)
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			if p != validate.Unparseable || got != 0 {
				t.Fatalf("%v: %v, %v", x, got, p)
			}
		case math.Abs(x*100) >= 9.2e18:
			if p != validate.OutOfRange || got != 0 {
				t.Fatalf("%v: %v, %v", x, got, p)
			}
		default:
			if p != validate.RoundedFromFloat {
				t.Fatalf("%v: problem %v", x, p)
			}
			if diff := math.Abs(float64(got) - x*100); diff > 0.5+math.Abs(x*100)*1e-15 {
				t.Fatalf("%v pounds read as %d pence", x, got)
			}
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"£1,234.50", "(12.00)", "-0.05", "12345", " 7 ", "1.5", "", "abc"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, pence bool) {
		got, p := parseMoney(s, pence)
		if strings.Trim(s, " \t") == "" {
			if got != 0 || p != 0 {
				t.Fatalf("blank %q: %v, %v", s, got, p)
			}
			return
		}
		var want money.Pence
		var err error
		if pence {
			var v int64
			v, err = strconv.ParseInt(strings.Trim(s, " \t"), 10, 64)
			want = money.Pence(v)
		} else {
			want, err = money.Parse(s)
		}
		if (err != nil) != (p == validate.Unparseable) || (err == nil && (got != want || p != 0)) {
			t.Fatalf("%q (pence %v): %v, %v; want %v, %v", s, pence, got, p, want, err)
		}
		if err != nil && got != 0 {
			t.Fatalf("%q: unparseable but %v", s, got)
		}
	})
}

// TestRowCountGuard reads a file whose pages hold fewer rows than its
// footer says, which only the rows actually read can reveal: the stream
// must fail, naming the file, rather than return fewer rows.
func TestRowCountGuard(t *testing.T) {
	path := tempFile(t, "short.parquet")
	writeX(t, path, 300, 100, xparquet.CompressionCodec_BROTLI)
	// Disguise the writer so that Open's check for it does not apply.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("parquet-go version latest"), []byte("parquet-go version LATEST"), 1)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), Source{Path: path, Mapping: xMapping}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	calls := 0
	_, err = r.Stream(context.Background(), func(*Batch) error { calls++; return nil })
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "footer says 100") {
		t.Fatalf("Stream = %v", err)
	}
	if calls != 0 {
		t.Fatalf("%d batches delivered from a file with no readable rows", calls)
	}
}
