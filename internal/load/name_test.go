package load

import (
	"strings"
	"testing"
)

func TestSplitFullName(t *testing.T) {
	tests := []struct {
		in, order            string
		fore, middle, family string
	}{
		{"SMITH, John Michael", SurnameFirst, "John", "Michael", "SMITH"},
		{"SMITH, John Michael", ForenameFirst, "John", "Michael", "SMITH"},
		{"Smith,John", ForenameFirst, "John", "", "Smith"},
		{"SMITH John", SurnameFirst, "John", "", "SMITH"},
		{"SMITH J M", SurnameFirst, "J", "M", "SMITH"},
		{"SMITH JOHN MICHAEL", SurnameFirst, "JOHN", "MICHAEL", "SMITH"},
		{"VAN DER BERG Anna Maria", SurnameFirst, "Anna", "Maria", "VAN DER BERG"},
		{"Smith John", SurnameFirst, "John", "", "Smith"},
		{"John Michael Smith", ForenameFirst, "John", "Michael", "Smith"},
		{"John Michael Smith", "", "John", "Michael", "Smith"},
		{"John A SMITH", ForenameFirst, "John", "A", "SMITH"},
		{"Mary Jane DE LA CRUZ", ForenameFirst, "Mary", "Jane", "DE LA CRUZ"},
		{"JOHN SMITH", ForenameFirst, "JOHN", "", "SMITH"},
		{"Ludwig van Beethoven", ForenameFirst, "Ludwig", "", "van Beethoven"},
		{"De Souza", ForenameFirst, "De", "", "Souza"},
		{"Mr John Smith", ForenameFirst, "John", "", "Smith"},
		{"Dr. Jane  Ann   Doe Jr", ForenameFirst, "Jane", "Ann", "Doe"},
		{"Mrs SMITH, Jane", SurnameFirst, "Jane", "", "SMITH"},
		{"SMITH, Mrs Jane", SurnameFirst, "Jane", "", "SMITH"},
		{", John Smith", ForenameFirst, "John", "", "Smith"},
		{"SMITH,", SurnameFirst, "", "", "SMITH"},
		{"Smith", ForenameFirst, "", "", "Smith"},
		{"Lord", ForenameFirst, "", "", "Lord"},
		{"Mr", ForenameFirst, "", "", "Mr"},
		{"  ", ForenameFirst, "", "", ""},
		{"", SurnameFirst, "", "", ""},
		{"Zoë O'Brien-Smyth", ForenameFirst, "Zoë", "", "O'Brien-Smyth"},
	}
	for _, tt := range tests {
		f, m, s := SplitFullName(tt.in, tt.order)
		if f != tt.fore || m != tt.middle || s != tt.family {
			t.Errorf("SplitFullName(%q, %q) = %q, %q, %q; want %q, %q, %q", tt.in, tt.order, f, m, s, tt.fore, tt.middle, tt.family)
		}
	}
}

func FuzzSplitFullName(f *testing.F) {
	for _, s := range []string{"SMITH, John Michael", "VAN DER BERG Anna", "Mr John A SMITH Jr", ", ,", "ÉLISE Zoë", "a,b,c"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, surnameFirst bool) {
		order := ForenameFirst
		if surnameFirst {
			order = SurnameFirst
		}
		fore, middle, sur := SplitFullName(s, order)
		for _, part := range []string{fore, middle, sur} {
			if !strings.Contains(s, part) {
				t.Fatalf("%q: part %q is not a substring", s, part)
			}
			if strings.TrimLeft(part, " \t,") != part || strings.TrimRight(part, " \t,") != part {
				t.Fatalf("%q: part %q has surrounding separators", s, part)
			}
		}
		if strings.ContainsAny(fore, " \t,") {
			t.Fatalf("%q: forename %q is more than one word", s, fore)
		}
		words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
		got := strings.FieldsFunc(fore+" "+middle+" "+sur, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
		if len(got) > len(words) {
			t.Fatalf("%q: split into more words than it has: %q %q %q", s, fore, middle, sur)
		}
		if len(words) > 0 && sur == "" && fore == "" {
			t.Fatalf("%q: a name with words gave nothing", s)
		}
		if fore != "" && sur == "" {
			t.Fatalf("%q: a forename without a surname", s)
		}
		if middle != "" && fore == "" {
			t.Fatalf("%q: middle names without a forename", s)
		}
	})
}
