package pseudo

import (
	"testing"
)

// withinOneDeletion is the clear-text definition Edits implement: deleting
// at most one byte from each of a and b makes them equal.
func withinOneDeletion(a, b string) bool {
	variants := func(s string) map[string]bool {
		m := map[string]bool{s: true}
		for i := range len(s) {
			m[s[:i]+s[i+1:]] = true
		}
		return m
	}
	va := variants(a)
	for v := range variants(b) {
		if va[v] {
			return true
		}
	}
	return false
}

func TestEditsShare(t *testing.T) {
	e := NewEncoder(newKey(t)).edits[0]
	tests := []struct {
		a, b string
		want bool
	}{
		{"karen", "kraen", true},          // adjacent letters exchanged
		{"alan", "alsn", true},            // one letter mistyped
		{"richardson", "rchardson", true}, // one letter left out
		{"gay", "gray", true},             // one letter added
		{"smith", "simth", true},
		{"ann", "anne", true},
		{"mary", "mary", true},
		{"john", "jane", false},
		{"jon", "jonathan", false},
		{"shaun", "shajn", true},
		{"thomas", "tomas", true},
		{"abc", "xyz", false},
		{"j", "jade", false},
		{"jo", "j", true},
		{"kwiatkowskii", "kwiatkowski", false}, // longer than MaxEditLen: empty
		{"", "", false},
		{"", "a", false},
	}
	for _, tt := range tests {
		ea, eb := e.edits(new(cipherBlocks), tt.a), e.edits(new(cipherBlocks), tt.b)
		if got := ea.Share(&eb); got != tt.want {
			t.Errorf("Share(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if ea.Share(&eb) != eb.Share(&ea) {
			t.Errorf("Share(%q, %q) is not symmetric", tt.a, tt.b)
		}
	}
}

func TestEditsShape(t *testing.T) {
	e := NewEncoder(newKey(t)).edits[1]
	for _, w := range []string{"a", "anna", "ab", "aaaa", "richardson", "abcdefghijk"} {
		ed := e.edits(new(cipherBlocks), w)
		if !validEdits(&ed) {
			t.Errorf("edits(%q) = %v: not distinct ascending values then zeros", w, ed)
		}
		distinct := withinOneDeletionCount(w)
		if ed.Len() != distinct {
			t.Errorf("edits(%q) holds %d values, want %d (the distinct deletions and the name)", w, ed.Len(), distinct)
		}
	}
	if ed := e.edits(new(cipherBlocks), "abcdefghijkl"); ed.Len() != 0 {
		t.Errorf("a name longer than MaxEditLen has %d values, want none", ed.Len())
	}
}

func withinOneDeletionCount(s string) int {
	m := map[string]bool{s: true}
	for i := range len(s) {
		m[s[:i]+s[i+1:]] = true
	}
	return len(m)
}

// FuzzEditsShare checks Share against the clear-text definition on
// arbitrary short strings.
func FuzzEditsShare(f *testing.F) {
	for _, s := range [][2]string{{"karen", "kraen"}, {"abc", "bcd"}, {"", "x"}, {"aa", "a"}, {"mary", "mark"}} {
		f.Add(s[0], s[1])
	}
	e := NewEncoder(newKey(f)).edits[0]
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > MaxEditLen || len(b) > MaxEditLen || a == "" || b == "" {
			return
		}
		ea, eb := e.edits(new(cipherBlocks), a), e.edits(new(cipherBlocks), b)
		if got, want := ea.Share(&eb), withinOneDeletion(a, b); got != want {
			t.Fatalf("Share(%q, %q) = %v, want %v", a, b, got, want)
		}
	})
}
