package normalize

import (
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
)

func TestIsPlaceholder(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"UNKNOWN", true},
		{"unknown", true},
		{" Unknown ", true},
		{"(unknown)", true},
		{"N/A", true},
		{"n.a.", true},
		{"NA", true},
		{"N/K", true},
		{"NONE", true},
		{"NULL", true},
		{"NIL", true},
		{"-", true},
		{"--", true},
		{"–", true},
		{"?", true},
		{"...", true},
		{"NOT KNOWN", true},
		{"not  known", true},
		{"Not-Known", true},
		{"TBC", true},
		{"TBA", true},
		{"XXX", true},
		{"xx", true},
		{"ZZZZ", true},
		{"0", true},
		{"000", true},
		{"REFUSED", true},
		{"NO NAME", true},
		{"No Fixed Abode", true},
		{"NFA", true},
		{"Anonymous", true},
		{"WITHHELD", true},
		// Values.
		{"", false},
		{"   ", false},
		{"x", false},
		{"zz", false},
		{"John", false},
		{"Nan", false},
		{"Noname Street", false},
		{"Unknownson", false},
		{"10", false},
		{"N/A ☺", false},
		{"Zoë", false},
		{"a very long value that is not a placeholder", false},
	}
	for _, tt := range tests {
		if got := IsPlaceholder(tt.in); got != tt.want {
			t.Errorf("IsPlaceholder(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsPlaceholderDate(t *testing.T) {
	tests := []struct {
		d    date.Date
		want bool
	}{
		{date.MustOf(1900, time.January, 1), true},
		{date.MustOf(1899, time.December, 30), true},
		{date.MustOf(1899, time.December, 31), true},
		{date.MustOf(1753, time.January, 1), true},
		{date.MustOf(1800, time.January, 1), true},
		{date.MustOf(1, time.January, 1), true},
		{date.MustOf(9999, time.December, 31), true},
		{date.MustOf(1901, time.January, 1), true},
		{date.MustOf(1970, time.January, 1), true},
		{date.MustOf(1900, time.January, 2), false},
		{date.MustOf(1970, time.January, 2), false},
		{date.MustOf(1985, time.June, 15), false},
		{date.MustOf(2000, time.January, 1), false},
		{date.Date{}, false},
	}
	for _, tt := range tests {
		if got := IsPlaceholderDate(tt.d); got != tt.want {
			t.Errorf("IsPlaceholderDate(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
}
