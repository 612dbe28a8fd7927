package link

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/linkage"
	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// clearText is what the similarity encodings of a record encode, in clear:
// the first forename word, the joined surname and the address, normalised
// as pseudo.Encoder normalises them.
type clearText struct {
	forename, surname, address string
}

func clearOf(r *person.Record) clearText {
	first, _, _ := strings.Cut(normalize.Name(r.Forename), " ")
	return clearText{
		forename: first,
		surname:  strings.ReplaceAll(normalize.Name(r.Surname), " ", ""),
		address:  normalize.Address(r.Address),
	}
}

// bigrams returns the set of bigrams of each word of s padded with "_",
// the items the Bloom filters encode.
func bigrams(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(s) {
		p := "_" + w + "_"
		for i := 0; i+2 <= len(p); i++ {
			set[p[i:i+2]] = true
		}
	}
	return set
}

// dice is the Dice coefficient of the bigram sets of a and b.
func dice(a, b string) float64 {
	x, y := bigrams(a), bigrams(b)
	if len(x)+len(y) == 0 {
		return 0
	}
	n := 0
	for g := range x {
		if y[g] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(x)+len(y))
}

// clearComparisons returns compare.Default with every level that the
// Bloom filters decide recomputed from the exact bigram Dice coefficient of
// the clear values: the same engine fed clear text. Every other level is
// decided on tokens, and equal tokens mean equal values, so those levels
// are the same in clear. Records are found by their IDs, L<i> and R<i>.
func clearComparisons(e *encoded) []compare.Comparison {
	text := func(r *pseudo.Record) *clearText {
		i, err := strconv.Atoi(r.RecordID[1:])
		if err != nil {
			panic(err)
		}
		if r.RecordID[0] == 'L' {
			return &e.clear[0][i]
		}
		return &e.clear[1][i]
	}
	cs := compare.Default()
	for i := range cs {
		c := &cs[i]
		switch c.Name {
		case "forename", "surname":
			field := func(t *clearText) string { return t.forename }
			if c.Name == "surname" {
				field = func(t *clearText) string { return t.surname }
			}
			c.Compare = nameInClear(c, func(a, b *pseudo.Record) float64 {
				return dice(field(text(a)), field(text(b)))
			})
		case "address":
			c.Compare = addressInClear(c, func(a, b *pseudo.Record) float64 {
				return dice(text(a).address, text(b).address)
			})
		}
	}
	return cs
}

// diceThreshold parses a "dice>=t" level name.
func diceThreshold(level string) (float64, bool) {
	s, ok := strings.CutPrefix(level, "dice>=")
	if !ok {
		return 0, false
	}
	t, err := strconv.ParseFloat(s, 64)
	return t, err == nil
}

// nameInClear wraps a name comparison: when the encoded comparison reaches
// a Dice level or else, the level is recomputed from the clear Dice.
func nameInClear(c *compare.Comparison, clearDice func(a, b *pseudo.Record) float64) func(a, b *pseudo.Record) uint8 {
	orig := c.Compare
	levels := c.Levels
	return func(a, b *pseudo.Record) uint8 {
		l := orig(a, b)
		if _, isDice := diceThreshold(levels[l]); !isDice && levels[l] != compare.LevelElse {
			return l
		}
		d := clearDice(a, b)
		for j, name := range levels {
			if t, ok := diceThreshold(name); ok && d >= t {
				return uint8(j)
			}
		}
		return uint8(len(levels) - 2) // else
	}
}

// addressInClear wraps the address comparison likewise; its levels below
// the shared-home ones interleave Dice bands with postcode agreements,
// which are decided on tokens as compare.Address decides them.
func addressInClear(c *compare.Comparison, clearDice func(a, b *pseudo.Record) float64) func(a, b *pseudo.Record) uint8 {
	orig := c.Compare
	levels := c.Levels
	eq := func(x, y pseudo.Token) bool { return x != 0 && x == y }
	return func(a, b *pseudo.Record) uint8 {
		l := orig(a, b)
		if l <= 1 || levels[l] == compare.LevelNull {
			return l
		}
		d := 0.0
		if a.AddressCount != 0 && b.AddressCount != 0 {
			d = clearDice(a, b)
		}
		for j := 2; j < len(levels)-1; j++ {
			name := levels[j]
			var applies bool
			if t, ok := diceThreshold(name); ok {
				applies = d >= t
			} else {
				switch name {
				case "postcode":
					applies = eq(a.Postcode, b.Postcode)
				case "sector":
					applies = eq(a.PostcodeSector, b.PostcodeSector)
				case "outward":
					applies = eq(a.PostcodeOutward, b.PostcodeOutward)
				case compare.LevelElse:
					applies = true
				default:
					panic("address level " + name + " unknown to the clear-text comparison")
				}
			}
			if applies {
				return uint8(j)
			}
		}
		return uint8(len(levels) - 2)
	}
}

// TestClearTextGap links one synthetic task twice, once as datamatch does
// (Bloom-filter similarity on pseudonymised records) and once with every
// similarity computed exactly on the clear values, and checks that
// pseudonymisation costs no more than half a point of F1.
func TestClearTextGap(t *testing.T) {
	task := Task{N: 6000, Overlap: 0.5, Seed: 11}
	e := buildWith(t, task, true)
	f1Of := func(cs []compare.Comparison) (p, r, f float64) {
		res, err := linkage.Link(context.Background(), e.left, e.right, linkage.Config{RandomPairs: 300_000, Comparisons: cs})
		if err != nil {
			t.Fatal(err)
		}
		return f1(matchPairs(res.Matches), e.truth)
	}
	pp, rp, fp := f1Of(nil)
	pc, rc, fc := f1Of(clearComparisons(e))
	t.Logf("synthetic n=%d at the default threshold: pseudonymised P %.4f R %.4f F1 %.4f; clear text P %.4f R %.4f F1 %.4f; gap %.2f points",
		task.N, pp, rp, fp, pc, rc, fc, 100*(fc-fp))
	if fc-fp > 0.005 {
		t.Errorf("F1 %.4f pseudonymised is more than 0.5 points below %.4f in clear", fp, fc)
	}
	if fc < 0.97 {
		t.Errorf("clear-text F1 %.4f: the clear-text comparison is broken", fc)
	}
}

// TestClearComparisonsAgree checks the clear-text wrappers against the
// encoded comparisons on pairs where both must agree: identical records.
func TestClearComparisonsAgree(t *testing.T) {
	e := buildWith(t, Task{N: 200, Overlap: 0.5, Seed: 3}, true)
	cs, enc := clearComparisons(e), compare.Default()
	for i := range e.left {
		a := &e.left[i]
		for j := range cs {
			if x, y := cs[j].Compare(a, a), enc[j].Compare(a, a); x != y {
				t.Fatalf("record %d, %s: clear level %q, encoded %q", i, cs[j].Name, cs[j].Levels[x], enc[j].Levels[y])
			}
		}
	}
	// _k ka ar re en n_ against _k kr ra ae en n_: 3 shared of 6 + 6.
	if d := dice("karen", "kraen"); d != 0.5 {
		t.Errorf("dice(karen, kraen) = %v, want 0.5", d)
	}
	if d := dice("flat 3 high st", "high st flat 3"); d != 1 {
		t.Errorf("dice of reordered words = %v, want 1", d)
	}
}

func matchPairs(ms []pair.Match) [][2]int32 {
	out := make([][2]int32, len(ms))
	for i, m := range ms {
		out[i] = [2]int32{m.Left, m.Right}
	}
	return out
}
