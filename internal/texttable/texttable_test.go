package texttable

import (
	"bytes"
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
