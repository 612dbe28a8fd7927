package normalize

import (
	"slices"
	"testing"
)

func TestName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// Case, spacing and punctuation.
		{"John", "john"},
		{"  JOHN   SMITH  ", "john smith"},
		{"john\tsmith\n", "john smith"},
		{"Smith-Jones", "smith jones"},
		{"Smith - Jones", "smith jones"},
		{"J.R.R.", "j r r"},
		{"Smith, John", "smith john"},
		{"(John)", "john"},
		{"Anne–Marie", "anne marie"}, // en dash
		{"Anne\u00a0Marie", "anne marie"},
		// Apostrophes are removed without a break.
		{"O'Brien", "obrien"},
		{"O’Brien", "obrien"},
		{"D`Arcy", "darcy"},
		{"O' Brien", "o brien"},
		// Mc and Mac are kept as written.
		{"McDonald", "mcdonald"},
		{"MacDonald", "macdonald"},
		{"Mac Donald", "mac donald"},
		{"Mc Donald", "mc donald"},
		// Diacritics and special letters.
		{"Zoë", "zoe"},
		{"José", "jose"},
		{"Ørsted", "orsted"},
		{"Łukasz", "lukasz"},
		{"Siobhán", "siobhan"},
		{"Bjørn Ærø", "bjorn aero"},
		{"Weiß", "weiss"},
		{"ŁÓDŹ", "lodz"},
		{"Đorđević", "dordevic"},
		{"Þórunn Guðmundsdóttir", "thorunn gudmundsdottir"},
		{"Œdipe", "oedipe"},
		{"Çelik", "celik"},
		{"Ñúñez", "nunez"},
		{"Dvořák", "dvorak"},
		{"Ştefan", "stefan"},
		{"Zoe\u0308", "zoe"}, // already decomposed
		{"Ol·la", "olla"},
		{"Иван Smith", "smith"}, // letters of other scripts are removed
		{"Ivan Иванов", "ivan"},
		// Digits are removed.
		{"J0hn", "jhn"},
		{"John2", "john"},
		{"123", ""},
		// Titles and suffixes.
		{"Mr John Smith", "john smith"},
		{"MRS. J. SMITH", "j smith"},
		{"Smith Mrs", "smith"},
		{"Dr. Who", "who"},
		{"Rev Prof Mx Sam Lee", "sam lee"},
		{"Miss", ""},
		{"Mr", ""},
		{"Mr.", ""},
		{"Sir John", "john"},
		{"Lady Jane Grey", "jane grey"},
		{"Lord", "lord"}, // a surname
		{"Lord Smith", "smith"},
		{"Mr Lord", "lord"},
		{"Dame", "dame"},
		{"John Smith Jr.", "john smith"},
		{"John Smith Jnr", "john smith"},
		{"Smith Snr", "smith"},
		{"Henry VIII", "henry viii"},
		{"Henry IV", "henry"},
		{"John Smith III", "john smith"},
		{"Smith Esq", "smith"},
		{"Jr", "jr"},
		{"Mr Jr Smith", "jr smith"},
		{"Lord Jr", "lord"},
		{"Mister", "mister"},
		{"Drew", "drew"},
		// Placeholders and empties.
		{"", ""},
		{"   ", ""},
		{"-", ""},
		{"?", ""},
		{"UNKNOWN", ""},
		{"n/a", ""},
		{"N.K.", ""},
		{"Not Known", ""},
		{"NO NAME", ""},
		{"XXX", ""},
		{"refused", ""},
		{"'", ""},
		{"\xff\xfe", ""},
		{"Jo\xffhn", "john"},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNameTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Mary-Jane O'Neil", []string{"mary", "jane", "oneil"}},
		{"  Mr  John  ", []string{"john"}},
		{"", nil},
		{"Unknown", nil},
		{"Mr", nil},
	}
	for _, tt := range tests {
		if got := NameTokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("NameTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNameReturnsInput checks that an already-canonical name comes back
// unchanged and without an allocation.
func TestNameReturnsInput(t *testing.T) {
	for _, s := range []string{"john smith", "mcdonald", "a"} {
		if got := Name(s); got != s {
			t.Fatalf("Name(%q) = %q", s, got)
		}
		if n := testing.AllocsPerRun(100, func() { Name(s) }); n != 0 {
			t.Errorf("Name(%q) allocates %v times, want 0", s, n)
		}
	}
}

func TestSurnameParts(t *testing.T) {
	tests := []struct {
		in          string
		first, last string
	}{
		{"Smith-Jones", "smith", "jones"},
		{"Smith Jones", "smith", "jones"},
		{"Bowes-Lyon-Windsor", "bowes", "windsor"},
		{"Smith", "", ""},
		{"O'Brien", "", ""},
		{"O Brien", "brien", ""},
		{"van der Berg", "berg", ""},
		{"de la Cruz Garcia", "cruz", "garcia"},
		{"Mac Donald", "donald", ""},
		{"Smith-Smith", "smith", ""},
		{"Jones Smith Jones", "jones", "smith"},
		{"van de", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		first, last := SurnameParts(Name(tt.in))
		if first != tt.first || last != tt.last {
			t.Errorf("SurnameParts(Name(%q)) = %q, %q; want %q, %q", tt.in, first, last, tt.first, tt.last)
		}
	}
}
