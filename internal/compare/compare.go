// Package compare compares two pseudonymised records field by field and
// reduces each comparison to the level it reaches: the first of a short,
// ordered list of named levels that applies ("exact", "dice>=0.90",
// "else", "null").
//
// Comparison is pure: it reads two records and returns a Vector, with no
// I/O and no allocation, so that it can run anywhere the records are.
package compare

import (
	"fmt"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// Limits of a Vector.
const (
	// MaxComparisons is the largest number of comparisons a Comparer holds.
	MaxComparisons = 16
	// MaxLevels is the largest number of levels a Comparison has,
	// including "else" and "null".
	MaxLevels = 16
)

// Vector holds the level each comparison of a pair reached, four bits per
// comparison in Comparer order. It is the compact per-pair state of the
// matching engine.
type Vector uint64

// Level returns the level of comparison i.
func (v Vector) Level(i int) uint8 { return uint8(v>>(4*uint(i))) & 0xf }

// With returns v with comparison i set to level l.
func (v Vector) With(i int, l uint8) Vector {
	s := 4 * uint(i)
	return v&^(0xf<<s) | Vector(l&0xf)<<s
}

// Comparison compares one field (or a group of related fields) of two
// records.
//
// Levels are ordered: Compare returns the index of the first level that
// applies. By convention the last level is "null" (the field is missing on
// either side; it carries no evidence) and the one before it is "else"
// (both present, no other level applies).
type Comparison struct {
	// Name names the comparison in models and explanations ("surname").
	Name string
	// Levels names the levels, in order. Its length is at least 2 and at
	// most MaxLevels; the last two are the else and null levels.
	Levels []string
	// Compare returns the level two records reach. It must be symmetric
	// and safe for concurrent use.
	Compare func(a, b *pseudo.Record) uint8
	// Term, when set, returns the token whose frequency in the data makes
	// a match at level TermLevel common or rare: an exact match on a rare
	// surname is stronger evidence than one on a common surname.
	Term func(r *pseudo.Record) pseudo.Token
	// TermLevel is the level that Term adjusts, normally 0 ("exact").
	TermLevel uint8
	// Home lists the levels at which two records share a home (same
	// property, or same postcode and house number). At most one
	// comparison of a Comparer sets Home.
	Home []uint8
	// Household marks a field that people who share a home often share
	// (surname, landline, a family email address). For pairs that share a
	// home, the scorer weighs agreement on such a field against how often
	// different people of one household agree on it, not against random
	// pairs; otherwise every household would look like one person.
	Household bool
	// Contact marks a way of reaching a person (phone, email): people who
	// share one are one person or live together, while namesakes, who
	// share a name by chance, seldom do. With the home comparison (see
	// Home) it is the evidence by which, when no identifier is known,
	// the scorer tells one person from namesakes (see score.Estimate).
	Contact bool
	// Identifier marks a personal identifier (date of birth, NI number):
	// a field that different people agree on no more often than chance
	// allows, however they are related. Relatives, namesakes and people
	// sharing a home agree on names, address, phone and email far more
	// often than strangers, but not on identifiers; the scorer's related
	// class is defined by that (see score.Estimate).
	Identifier bool
}

// HomeMask returns the levels of Home as a bit set.
func (c *Comparison) HomeMask() uint16 {
	var m uint16
	for _, l := range c.Home {
		m |= 1 << l
	}
	return m
}

// Null returns the index of the null level.
func (c *Comparison) Null() uint8 { return uint8(len(c.Levels) - 1) }

// Else returns the index of the else level.
func (c *Comparison) Else() uint8 { return uint8(len(c.Levels) - 2) }

// Comparer applies a fixed list of comparisons to pairs of records.
type Comparer struct {
	cs   []Comparison
	fn   []func(a, b *pseudo.Record) uint8
	home int // index of the comparison with Home levels, or -1
}

// Home returns the index of the comparison that defines a shared home,
// or -1.
func (c *Comparer) Home() int { return c.home }

// SharesHome reports whether v's levels say the pair shares a home.
func (c *Comparer) SharesHome(v Vector) bool {
	return c.home >= 0 && c.cs[c.home].HomeMask()&(1<<v.Level(c.home)) != 0
}

// New returns a Comparer for cs. It checks the limits of a Vector and that
// every comparison is complete.
func New(cs []Comparison) (*Comparer, error) {
	if len(cs) == 0 || len(cs) > MaxComparisons {
		return nil, fmt.Errorf("compare: %d comparisons, want 1 to %d", len(cs), MaxComparisons)
	}
	seen := make(map[string]bool, len(cs))
	c := &Comparer{cs: append([]Comparison(nil), cs...), home: -1}
	for i := range c.cs {
		x := &c.cs[i]
		switch {
		case x.Name == "":
			return nil, fmt.Errorf("compare: comparison %d has no name", i)
		case seen[x.Name]:
			return nil, fmt.Errorf("compare: comparison %q appears twice", x.Name)
		case len(x.Levels) < 2 || len(x.Levels) > MaxLevels:
			return nil, fmt.Errorf("compare: comparison %q has %d levels, want 2 to %d", x.Name, len(x.Levels), MaxLevels)
		case x.Compare == nil:
			return nil, fmt.Errorf("compare: comparison %q has no Compare function", x.Name)
		case x.Term != nil && x.TermLevel >= x.Else():
			return nil, fmt.Errorf("compare: comparison %q adjusts level %d by term frequency, which is not a match level", x.Name, x.TermLevel)
		case len(x.Home) > 0 && c.home >= 0:
			return nil, fmt.Errorf("compare: comparisons %q and %q both define a shared home", c.cs[c.home].Name, x.Name)
		}
		if len(x.Home) > 0 {
			for _, l := range x.Home {
				if l >= x.Else() {
					return nil, fmt.Errorf("compare: comparison %q counts level %d as a shared home, which is not a match level", x.Name, l)
				}
			}
			c.home = i
		}
		seen[x.Name] = true
		c.fn = append(c.fn, x.Compare)
	}
	return c, nil
}

// Comparisons returns the comparer's comparisons, in Vector order. The
// caller must not modify them.
func (c *Comparer) Comparisons() []Comparison { return c.cs }

// Compare returns the levels a and b reach on every comparison.
func (c *Comparer) Compare(a, b *pseudo.Record) Vector {
	var v Vector
	for i, f := range c.fn {
		v |= Vector(f(a, b)&0xf) << (4 * uint(i))
	}
	return v
}

// Levels returns v's levels as a slice, for reports and tests.
func (c *Comparer) Levels(v Vector) []uint8 {
	out := make([]uint8, len(c.cs))
	for i := range out {
		out[i] = v.Level(i)
	}
	return out
}
