package synth

import (
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/date"
)

// Noise sets how often each kind of error or change is applied to a
// person's copy in another record: a partner dataset's row about one of the
// landlord's people, or the second of two rows for one person in the
// landlord's own export. Each field is a probability per copy, applied
// independently; the original rows in the landlord's export carry no noise.
type Noise struct {
	// Typo is the chance of one typing error in the forename and, separately,
	// in the surname: an inserted, deleted or substituted letter (a
	// neighbouring key) or two adjacent letters transposed.
	Typo float64
	// Nickname is the chance that the forename is written in a familiar
	// form (Robert as Bob), where the name has one.
	Nickname float64
	// MarriedName is the chance that a woman aged 18 to 60 appears under a
	// married surname the landlord does not hold.
	MarriedName float64
	// MaidenAsMiddle is the chance, given a married name, that the maiden
	// name is kept as a middle name.
	MaidenAsMiddle float64
	// DropMiddle is the chance that middle names are left out.
	DropMiddle float64
	// DOBSwap is the chance that day and month of the date of birth are
	// transposed (only where the day is 12 or less and differs from the
	// month).
	DOBSwap float64
	// DOBTypo is the chance of one wrong digit in the day of birth.
	DOBTypo float64
	// MissingDOB is the chance that the date of birth is missing.
	MissingDOB float64
	// MissingNI is the chance that the NI number is missing, where the
	// dataset has one.
	MissingNI float64
	// AddressReformat is the chance that the address is written in another
	// style: abbreviated street types, another form of a flat number,
	// locality left out, or capitals.
	AddressReformat float64
	// Moved is the chance that a deceased-register entry gives a last
	// address other than the tenancy's (a care home, a relative's house).
	Moved float64
	// FoldAccents is the chance that a partner writes a name with
	// diacritics in plain ASCII (Wiśniewska as Wisniewska).
	FoldAccents float64
	// CompoundPart is the chance that a compound surname is written as
	// one of its parts (Smith-Jones as Jones).
	CompoundPart float64
}

// DefaultNoise returns the noise applied when Config.Noise is nil: typo
// 0.06 (per name), nickname 0.10, married name 0.12 (maiden name kept as a
// middle name 0.30), middle names dropped 0.50, day and month swapped 0.03,
// day mistyped 0.02, date of birth missing 0.05, NI number missing 0.25,
// address reformatted 0.30, deceased's last address elsewhere 0.15,
// diacritics folded 0.60, and a compound surname written as one part 0.30.
func DefaultNoise() Noise {
	return Noise{
		Typo:            0.06,
		Nickname:        0.10,
		MarriedName:     0.12,
		MaidenAsMiddle:  0.30,
		DropMiddle:      0.50,
		DOBSwap:         0.03,
		DOBTypo:         0.02,
		MissingDOB:      0.05,
		MissingNI:       0.25,
		AddressReformat: 0.30,
		Moved:           0.15,
		FoldAccents:     0.60,
		CompoundPart:    0.30,
	}
}

// keyboard lists, for each lower-case letter, its neighbours on a UK
// QWERTY keyboard: the substitutions a typist makes.
var keyboard = map[byte]string{
	'q': "wa", 'w': "qes", 'e': "wrd", 'r': "etf", 't': "ryg", 'y': "tuh", 'u': "yij", 'i': "uok", 'o': "ipl", 'p': "ol",
	'a': "qsz", 's': "adwx", 'd': "sfex", 'f': "dgrc", 'g': "fhtv", 'h': "gjyb", 'j': "hkun", 'k': "jlim", 'l': "kop",
	'z': "xas", 'x': "zcsd", 'c': "xvdf", 'v': "cbfg", 'b': "vnhg", 'n': "bmhj", 'm': "njk",
}

// typo applies one typing error to s: insertion, deletion, substitution by
// a neighbouring key, or transposition of two adjacent letters. Names of
// one letter, and names that are not valid UTF-8, are returned unchanged;
// the result of a valid input is valid UTF-8 and never empty.
func typo(r *rand.Rand, s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	rs := []rune(s)
	if len(rs) < 2 {
		return s
	}
	// Errors fall after the first letter, as they mostly do in practice.
	i := 1 + r.IntN(len(rs)-1)
	switch r.IntN(4) {
	case 0: // insertion: a repeated or neighbouring letter
		c := rs[i-1]
		if n := neighbour(r, c); n != 0 && r.IntN(2) == 0 {
			c = n
		}
		rs = append(rs[:i], append([]rune{c}, rs[i:]...)...)
	case 1: // deletion
		rs = append(rs[:i], rs[i+1:]...)
	case 2: // substitution
		if n := neighbour(r, rs[i]); n != 0 {
			rs[i] = n
		} else {
			rs = append(rs[:i], rs[i+1:]...)
		}
	default: // transposition of two letters after the first
		if len(rs) < 3 {
			rs = append(rs[:i], rs[i+1:]...)
			break
		}
		j := 1 + r.IntN(len(rs)-2)
		if rs[j] == rs[j+1] {
			rs = append(rs[:j], rs[j+1:]...)
		} else {
			rs[j], rs[j+1] = rs[j+1], rs[j]
		}
	}
	return string(rs)
}

// neighbour returns a key next to c, in c's case, or 0 if c is not an ASCII
// letter.
func neighbour(r *rand.Rand, c rune) rune {
	lower := c
	upper := false
	if c >= 'A' && c <= 'Z' {
		lower, upper = c+'a'-'A', true
	}
	if lower < 'a' || lower > 'z' {
		return 0
	}
	ns := keyboard[byte(lower)]
	n := rune(ns[r.IntN(len(ns))])
	if upper {
		n -= 'a' - 'A'
	}
	return n
}

// nickname returns a familiar form of forename, or forename itself if it
// has none.
func nickname(r *rand.Rand, forename string) string {
	ns := nicknames[forename]
	if len(ns) == 0 {
		return forename
	}
	return ns[r.IntN(len(ns))]
}

// swapDayMonth returns d with day and month transposed, and whether that
// gives a different, real date.
func swapDayMonth(d date.Date) (date.Date, bool) {
	y, m, dd := d.Civil()
	if d.IsZero() || dd > 12 || dd == int(m) {
		return d, false
	}
	s, ok := date.Of(y, time.Month(dd), int(m))
	return s, ok
}

// dayTypo returns d with one digit of its day mistyped, staying in the same
// month; it reports false if no such date exists.
func dayTypo(r *rand.Rand, d date.Date) (date.Date, bool) {
	if d.IsZero() {
		return d, false
	}
	y, m, dd := d.Civil()
	cands := []int{dd + 1, dd - 1, dd + 10, dd - 10}
	if dd%10 != 0 {
		cands = append(cands, dd/10*10+(dd%10+3)%10)
	}
	start := r.IntN(len(cands))
	for k := range cands {
		c := cands[(start+k)%len(cands)]
		if e, ok := date.Of(y, m, c); ok && c != dd {
			return e, true
		}
	}
	return d, false
}

// latin1Byte corrupts a name the way a Latin-1 export does: the first e
// becomes the single byte 0xE9 (é in ISO 8859-1), or the first a becomes
// 0xE1, which is not valid UTF-8. It reports false if the name has neither.
func latin1Byte(s string) (string, bool) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return s[:i] + "\xe9" + s[i+1:], true
	}
	if i := strings.IndexAny(s, "aA"); i >= 0 {
		return s[:i] + "\xe1" + s[i+1:], true
	}
	if len(s) > 0 {
		return s + "\xe9", true
	}
	return s, false
}

// reformatStyle perturbs an address style as a different clerk or system
// would write the same address.
func reformatStyle(r *rand.Rand, st addrStyle) addrStyle {
	switch r.IntN(4) {
	case 0:
		st.abbrev = !st.abbrev
	case 1:
		st.flatForm = (st.flatForm + 1 + r.IntN(3)) % 4
	case 2:
		st.locality = !st.locality
	default:
		st.upper = !st.upper
	}
	return st
}
