package texttable

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	Write(&b, "  ", [][]string{{"field", "weight"}, {"surname", "+8.25"}, {"dob", "-3.10"}}, 1)
	want := "  field    weight\n  surname   +8.25\n  dob       -3.10\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestWriteCountsRunes(t *testing.T) {
	var b bytes.Buffer
	Write(&b, "", [][]string{{"Zoë", "x"}, {"ab", "y"}})
	want := "Zoë  x\nab   y\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  string
	}{
		{"one two three four", 11, "> one two\n> three\n> four\n"},
		{"", 10, "\n"},
		{"averyveryverylongword x", 8, "> averyveryverylongword\n> x\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		Wrap(&b, "> ", tt.text, tt.width)
		if b.String() != tt.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.text, tt.width, b.String(), tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 999.4: "999", 1234.5: "1,235", 539088384: "539,088,384", -1: "-1", math.NaN(): "NaN", 1e20: "1e+20"} {
		if got := Count(x); got != want {
			t.Errorf("Count(%g) = %q, want %q", x, got, want)
		}
	}
}

func FuzzThousands(f *testing.F) {
	for _, n := range []int64{0, 1, 999, 1000, -1000, 1234567, math.MaxInt64, math.MinInt64} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		s := Thousands(n)
		if got := strings.ReplaceAll(s, ",", ""); got != strconv.FormatInt(n, 10) {
			t.Fatalf("Thousands(%d) = %q", n, s)
		}
		for _, group := range strings.Split(strings.TrimPrefix(s, "-"), ",")[1:] {
			if len(group) != 3 {
				t.Fatalf("Thousands(%d) = %q", n, s)
			}
		}
	})
}
