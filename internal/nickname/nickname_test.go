package nickname

import (
	"slices"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/normalize"
)

func TestGroup(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"robert", "robert"},
		{"bob", "robert"},
		{"bobby", "robert"},
		{"rob", "robert"},
		{"robbie", "robert"},
		{"william", "william"},
		{"bill", "william"},
		{"billy", "william"},
		{"will", "william"},
		{"liz", "elizabeth"},
		{"beth", "elizabeth"},
		{"betty", "elizabeth"},
		{"kate", "catherine"},
		{"katherine", "catherine"},
		{"kathryn", "catherine"},
		{"peggy", "margaret"},
		{"jack", "john"},
		{"jackie", "jacqueline"},
		{"jon", "jonathan"},
		{"harry", "henry"},
		{"ted", "edward"},
		{"al", "alan"},
		{"bert", "albert"},
		{"albie", "albert"},
		{"piotr", "peter"},
		{"kasia", "catherine"},
		{"gosia", "margaret"},
		{"tunde", "babatunde"},
		{"sam", "samuel"},
		{"pat", "patricia"},
		{"paddy", "patrick"},
		{"chris", "christopher"},
		{"fred", "frederick"},
		{"alf", "alfred"},
		{"jo", "joanne"},
		{"sandy", "sandra"},
		{"steven", "stephen"},
		{"phillip", "philip"},
		{"tel", "terence"},
		{"gaz", "gary"},
		{"del", "derek"},
		{"dai", "david"},
		{"huw", "hugh"},
		{"mohammed", "muhammad"},
		{"mohamed", "muhammad"},
		{"shaun", "sean"},
		{"neve", "niamh"},
		// Not in the table: its own group.
		{"zebedee", "zebedee"},
		{"mary jane", "mary jane"},
		{"Bob", "Bob"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Group(tt.in); got != tt.want {
			t.Errorf("Group(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVariants(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"robert", []string{"robert", "bob", "bobby", "rob", "robbie", "robby"}},
		{"bob", []string{"robert", "bob", "bobby", "rob", "robbie", "robby"}},
		{"zebedee", []string{"zebedee"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Variants(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Variants(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	// The result is a copy.
	v := Variants("robert")
	v[0] = "changed"
	if got := Variants("robert")[0]; got != "robert" {
		t.Errorf("Variants shares its slice: first name now %q", got)
	}
}

// TestTable checks the embedded table as a whole: every name normalised,
// in exactly one group, every group closed under Group, and enough groups.
func TestTable(t *testing.T) {
	if len(members) < 200 {
		t.Errorf("table has %d groups, want at least 200", len(members))
	}
	names := 0
	for key, m := range members {
		if m[0] != key {
			t.Errorf("group %q does not list its key first: %q", key, m)
		}
		for _, name := range m {
			names++
			if normalize.Name(name) != name || strings.Contains(name, " ") {
				t.Errorf("name %q in group %q is not a normalised single word", name, key)
			}
			if g := Group(name); g != key {
				t.Errorf("Group(%q) = %q, want %q", name, g, key)
			}
		}
	}
	if names != len(groupOf) {
		t.Errorf("groups list %d names, index has %d", names, len(groupOf))
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		table   string
		wantErr string
		groups  int
	}{
		{"ok", "# comment\nrobert bob\n\n  ann annie # trailing\n", "", 2},
		{"duplicate", "robert bob\nbobby bob\n", `line 2: name "bob" is already in group "robert"`, 0},
		{"upper case", "Robert bob\n", `line 1: name "Robert" is not lower-case ASCII letters`, 0},
		{"digit", "rob2\n", `line 1: name "rob2"`, 0},
	}
	for _, tt := range tests {
		_, m, err := parse(tt.table)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: parse: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: parse error = %v, want %q", tt.name, err, tt.wantErr)
		case tt.wantErr == "" && len(m) != tt.groups:
			t.Errorf("%s: parse gave %d groups, want %d", tt.name, len(m), tt.groups)
		}
	}
}

func FuzzGroup(f *testing.F) {
	for _, s := range []string{"bob", "robert", "", "zebedee", "\xff", "mary jane"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := Group(s)
		if Group(g) != g {
			t.Fatalf("Group(Group(%q)) = %q, want %q", s, Group(g), g)
		}
		v := Variants(s)
		if s != "" && (len(v) == 0 || v[0] != g || !slices.Contains(v, s)) {
			t.Fatalf("Variants(%q) = %q, group %q", s, v, g)
		}
	})
}

func BenchmarkGroup(b *testing.B) {
	names := []string{"bob", "robert", "zebedee", "kate", "mohammed"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Group(names[i%len(names)])
	}
}
