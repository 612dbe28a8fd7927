package compare

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/datamatch/datamatch/internal/pseudo"
)

func TestVectorRoundTrip(t *testing.T) {
	tests := []struct {
		levels []uint8
	}{
		{[]uint8{0}},
		{[]uint8{15, 0, 15}},
		{[]uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0}},
	}
	for _, tt := range tests {
		var v Vector
		for i, l := range tt.levels {
			v = v.With(i, l)
		}
		// Overwrite a level and set it back: With must clear the old bits.
		v = v.With(0, 15).With(0, tt.levels[0])
		for i, l := range tt.levels {
			if got := v.Level(i); got != l {
				t.Errorf("levels %v: Level(%d) = %d", tt.levels, i, got)
			}
		}
	}
}

// filter sets the given bits in a name filter and returns it with its count.
func filter(bitsSet ...int) (pseudo.NameFilter, uint16) {
	var f pseudo.NameFilter
	for _, b := range bitsSet {
		f[b/64] |= 1 << (b % 64)
	}
	return f, uint16(len(bitsSet))
}

func TestDice(t *testing.T) {
	tests := []struct {
		a, b []int
		want float64
	}{
		{[]int{1, 2, 3, 4}, []int{1, 2, 3, 4}, 1},
		{[]int{1, 2, 3, 4}, []int{3, 4}, 4.0 / 6},
		{[]int{1, 70, 200, 511}, []int{2, 71, 201, 510}, 0},
		{[]int{0, 64, 128, 511}, []int{0, 65, 128, 300, 511}, 6.0 / 9},
		{nil, nil, 0},
		{[]int{5}, nil, 0},
	}
	for _, tt := range tests {
		a, ca := filter(tt.a...)
		b, cb := filter(tt.b...)
		if got := Dice(a[:], b[:], ca, cb); got != tt.want {
			t.Errorf("Dice(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := nameDice(&a, &b, ca, cb); got != tt.want {
			t.Errorf("nameDice(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAddressDiceMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		var a, b pseudo.AddressFilter
		var ca, cb uint16
		for range 40 {
			p := rng.IntN(pseudo.AddressBits)
			if a[p/64]&(1<<(p%64)) == 0 {
				a[p/64] |= 1 << (p % 64)
				ca++
			}
			q := rng.IntN(pseudo.AddressBits)
			if b[q/64]&(1<<(q%64)) == 0 {
				b[q/64] |= 1 << (q % 64)
				cb++
			}
		}
		if x, y := addressDice(&a, &b, ca, cb), Dice(a[:], b[:], ca, cb); x != y {
			t.Fatalf("addressDice = %v, Dice = %v", x, y)
		}
	}
}

// level returns the index of the level called name in c, failing the test
// if there is none.
func level(t *testing.T, c Comparison, name string) uint8 {
	t.Helper()
	i := slices.Index(c.Levels, name)
	if i < 0 {
		t.Fatalf("%s has no level %q (levels %v)", c.Name, name, c.Levels)
	}
	return uint8(i)
}

// nameFilter gives a name filter whose similarity to base is controlled:
// it shares the first keep bits of base's 20 and adds 20-keep others.
func nameFilter(base, keep int) (pseudo.NameFilter, uint16) {
	var bs []int
	for i := range keep {
		bs = append(bs, base+i)
	}
	for i := keep; i < 20; i++ {
		bs = append(bs, 300+base+i)
	}
	return filter(bs...)
}

func person(fore, sur pseudo.Token) pseudo.Record {
	var r pseudo.Record
	r.Forename, r.Surname = fore, sur
	r.ForenameBF, r.ForenameCount = nameFilter(0, 20)
	r.SurnameBF, r.SurnameCount = nameFilter(100, 20)
	return r
}

func TestForename(t *testing.T) {
	c := Forename(DefaultNameDice)
	base := person(1, 2)
	tests := []struct {
		name   string
		edit   func(r *pseudo.Record)
		expect string
	}{
		{"same", func(r *pseudo.Record) {}, LevelExact},
		{"swapped", func(r *pseudo.Record) { r.Forename, r.Surname = 2, 1 }, LevelSwapped},
		{"nickname", func(r *pseudo.Record) { r.Forename = 9; r.ForenameGroup = 50 }, LevelNickname},
		{"one edit", func(r *pseudo.Record) { r.Forename = 9; r.ForenameEdits = pseudo.Edits{3, 40, 90} }, LevelOneEdit},
		{"phonetic alt", func(r *pseudo.Record) { r.Forename = 9; r.ForenamePhonetic = 77; r.ForenamePhonAlt = 60 }, LevelPhonetic},
		{"surname given as forename, no surname", func(r *pseudo.Record) { r.Forename, r.Surname = 2, 0; r.SurnameCount = 0 }, LevelOther},
		{"surname given as forename, surname known by its filter only", func(r *pseudo.Record) {
			r.Forename, r.Surname = 2, 0
			r.ForenameBF, r.ForenameCount = nameFilter(0, 11)
		}, LevelElse},
		{"surname given as forename, other surname", func(r *pseudo.Record) {
			r.Forename, r.Surname = 2, 9
			r.ForenameBF, r.ForenameCount = nameFilter(0, 11)
		}, LevelElse},
		{"known by the middle name", func(r *pseudo.Record) { r.Forename, r.MiddleSurname = 9, 1 }, LevelMiddle},
		{"initial", func(r *pseudo.Record) {
			r.Forename = 9
			r.ForenameIsInitial = true
			r.ForenameBF, r.ForenameCount = nameFilter(0, 2)
		}, LevelInitial},
		{"initial of another", func(r *pseudo.Record) {
			r.Forename = 9
			r.ForenameIsInitial, r.ForenameInitial = true, 31
			r.ForenameBF, r.ForenameCount = nameFilter(0, 2)
		}, LevelElse},
		{"dice 0.9", func(r *pseudo.Record) { r.Forename = 9; r.ForenameBF, r.ForenameCount = nameFilter(0, 18) }, DiceLevel(0.9)},
		{"dice 0.75", func(r *pseudo.Record) { r.Forename = 9; r.ForenameBF, r.ForenameCount = nameFilter(0, 16) }, DiceLevel(0.75)},
		{"dice 0.6", func(r *pseudo.Record) { r.Forename = 9; r.ForenameBF, r.ForenameCount = nameFilter(0, 12) }, DiceLevel(0.6)},
		{"different", func(r *pseudo.Record) { r.Forename = 9; r.ForenameBF, r.ForenameCount = nameFilter(0, 11) }, LevelElse},
		{"missing", func(r *pseudo.Record) { r.Forename = 0; r.ForenameBF, r.ForenameCount = pseudo.NameFilter{}, 0 }, LevelNull},
	}
	for _, tt := range tests {
		a := base
		a.ForenameGroup, a.ForenamePhonetic, a.ForenamePhonAlt = 50, 60, 61
		a.ForenameInitial, a.ForenameEdits = 30, pseudo.Edits{5, 40, 70}
		b := base
		b.ForenameInitial = 30
		tt.edit(&b)
		if tt.name != "nickname" {
			b.ForenameGroup = 0
		}
		if got, want := c.Compare(&a, &b), level(t, c, tt.expect); got != want {
			t.Errorf("%s: level %q, want %q", tt.name, c.Levels[got], tt.expect)
		}
		if x, y := c.Compare(&a, &b), c.Compare(&b, &a); x != y {
			t.Errorf("%s: not symmetric: %d, %d", tt.name, x, y)
		}
	}
}

func TestSurname(t *testing.T) {
	c := Surname([]float64{0.8})
	if want := []string{LevelExact, LevelMiddle, LevelOneEdit, LevelPhonetic, LevelPart, LevelOther, "dice>=0.80", LevelElse, LevelNull}; !slices.Equal(c.Levels, want) {
		t.Fatalf("levels %v, want %v", c.Levels, want)
	}
	a := person(1, 2)
	a.SurnamePhonetic = 70
	a.SurnameEdits = pseudo.Edits{2, 50, 60}
	tests := []struct {
		name   string
		edit   func(r *pseudo.Record)
		expect string
	}{
		{"same", func(r *pseudo.Record) {}, LevelExact},
		{"maiden name kept as a middle name", func(r *pseudo.Record) {
			r.Surname = 8
			r.MiddleSurname = 2
		}, LevelMiddle},
		{"one edit", func(r *pseudo.Record) {
			r.Surname = 8
			r.SurnameEdits = pseudo.Edits{1, 2, 3}
			r.SurnameBF, r.SurnameCount = nameFilter(100, 5)
		}, LevelOneEdit},
		{"phonetic", func(r *pseudo.Record) {
			r.Surname = 8
			r.SurnamePhonAlt = 70
			r.SurnameBF, r.SurnameCount = nameFilter(100, 5)
		}, LevelPhonetic},
		{"recorded under a compound surname one part of which is the other's", func(r *pseudo.Record) {
			r.Surname, r.SurnameParts = 8, [2]pseudo.Token{9, 2}
			r.SurnameBF, r.SurnameCount = nameFilter(100, 5)
		}, LevelPart},
		{"a compound surname with no part in common", func(r *pseudo.Record) {
			r.Surname, r.SurnameParts = 8, [2]pseudo.Token{9, 10}
			r.SurnameBF, r.SurnameCount = nameFilter(100, 5)
		}, LevelElse},
		{"forename given as surname", func(r *pseudo.Record) {
			r.Forename, r.Surname = 0, 1
			r.SurnameBF, r.SurnameCount = nameFilter(0, 5)
		}, LevelOther},
		{"surname given as forename", func(r *pseudo.Record) {
			r.Forename, r.Surname = 2, 8
			r.SurnameBF, r.SurnameCount = nameFilter(100, 5)
		}, LevelOther},
		{"dice", func(r *pseudo.Record) { r.Surname = 8; r.SurnameBF, r.SurnameCount = nameFilter(100, 17) }, "dice>=0.80"},
		{"else", func(r *pseudo.Record) { r.Surname = 8; r.SurnameBF, r.SurnameCount = nameFilter(100, 15) }, LevelElse},
		{"names exchanged: weighed by the forename comparison alone", func(r *pseudo.Record) { r.Forename, r.Surname = 2, 1 }, LevelNull},
		{"null token but filter", func(r *pseudo.Record) { r.Surname = 0 }, "dice>=0.80"},
		{"null", func(r *pseudo.Record) { r.Surname = 0; r.SurnameCount = 0 }, LevelNull},
	}
	for _, tt := range tests {
		b := a
		b.SurnamePhonetic = 0
		b.SurnameEdits = pseudo.Edits{}
		tt.edit(&b)
		if got, want := c.Compare(&a, &b), level(t, c, tt.expect); got != want {
			t.Errorf("%s: level %q, want %q", tt.name, c.Levels[got], tt.expect)
		}
		if x, y := c.Compare(&a, &b), c.Compare(&b, &a); x != y {
			t.Errorf("%s: not symmetric: %d, %d", tt.name, x, y)
		}
	}
}

// TestSurnameParts compares compound surnames with each other: Smith-Jones
// (tokens: joined 20, parts 21 and 22) against the same parts in the other
// order, against one part, and against another compound surname.
func TestSurnameParts(t *testing.T) {
	c := Surname(DefaultNameDice)
	a := person(1, 20)
	a.SurnameParts = [2]pseudo.Token{21, 22}
	tests := []struct {
		name    string
		surname pseudo.Token
		parts   [2]pseudo.Token
		want    string
	}{
		{"same", 20, [2]pseudo.Token{21, 22}, LevelExact},
		{"parts in the other order", 23, [2]pseudo.Token{22, 21}, LevelPart},
		{"first part alone", 21, [2]pseudo.Token{}, LevelPart},
		{"last part alone", 22, [2]pseudo.Token{}, LevelPart},
		{"one part shared with another compound", 24, [2]pseudo.Token{25, 22}, LevelPart},
		{"another compound", 24, [2]pseudo.Token{25, 26}, LevelElse},
		{"another single name", 27, [2]pseudo.Token{}, LevelElse},
	}
	for _, tt := range tests {
		b := person(1, tt.surname)
		b.SurnameParts = tt.parts
		b.SurnameBF, b.SurnameCount = nameFilter(0, 20) // unlike a's
		if got, want := c.Compare(&a, &b), level(t, c, tt.want); got != want {
			t.Errorf("%s: level %q, want %q", tt.name, c.Levels[got], tt.want)
		}
		if x, y := c.Compare(&a, &b), c.Compare(&b, &a); x != y {
			t.Errorf("%s: not symmetric: %d, %d", tt.name, x, y)
		}
	}
}

func TestDOB(t *testing.T) {
	c := DOB()
	a := pseudo.Record{DOB: 10, DOBSwapped: 11, DOBYearMonth: 12, DOBYearDay: 13, DOBMonthDay: 14, DOBYear: 15,
		DOBMonth: [2]pseudo.Token{16, 17}, DOBWithinYear: [2]pseudo.Token{18, 19}}
	tests := []struct {
		name string
		b    pseudo.Record
		want string
	}{
		{"exact", pseudo.Record{DOB: 10}, LevelExact},
		{"swapped", pseudo.Record{DOB: 11}, "day-month-swapped"},
		{"swapped other way", pseudo.Record{DOB: 20, DOBSwapped: 10}, "day-month-swapped"},
		{"day typo", pseudo.Record{DOB: 20, DOBYearMonth: 12}, "year-and-month-or-day"},
		{"month typo", pseudo.Record{DOB: 20, DOBYearDay: 13}, "year-and-month-or-day"},
		{"year typo", pseudo.Record{DOB: 20, DOBMonthDay: 14}, "month-day"},
		{"weeks apart, grid 0", pseudo.Record{DOB: 20, DOBMonth: [2]pseudo.Token{16, 25}, DOBWithinYear: [2]pseudo.Token{18, 19}}, "month"},
		{"weeks apart, grid 1", pseudo.Record{DOB: 20, DOBMonth: [2]pseudo.Token{25, 17}}, "month"},
		{"windows crossed", pseudo.Record{DOB: 20, DOBMonth: [2]pseudo.Token{17, 16}, DOBWithinYear: [2]pseudo.Token{19, 18}}, LevelElse},
		{"months apart", pseudo.Record{DOB: 20, DOBMonth: [2]pseudo.Token{25, 26}, DOBWithinYear: [2]pseudo.Token{27, 19}}, "year"},
		{"same year only", pseudo.Record{DOB: 20, DOBYear: 15}, LevelElse},
		{"different", pseudo.Record{DOB: 20, DOBYearMonth: 21, DOBYearDay: 22, DOBMonthDay: 23, DOBYear: 24, DOBMonth: [2]pseudo.Token{25, 26}, DOBWithinYear: [2]pseudo.Token{27, 28}}, LevelElse},
		{"null", pseudo.Record{DOBYearMonth: 12}, LevelNull},
	}
	for _, tt := range tests {
		if got, want := c.Compare(&a, &tt.b), level(t, c, tt.want); got != want {
			t.Errorf("%s: level %q, want %q", tt.name, c.Levels[got], tt.want)
		}
		if x, y := c.Compare(&a, &tt.b), c.Compare(&tt.b, &a); x != y {
			t.Errorf("%s: not symmetric", tt.name)
		}
	}
}

func TestNINumber(t *testing.T) {
	c := NINumber()
	if !slices.Equal(c.Levels, []string{LevelExact, LevelOneEdit, LevelElse, LevelNull}) {
		t.Fatalf("levels %v", c.Levels)
	}
	a := pseudo.Record{NINumber: 10, NIEdits: pseudo.Edits{3, 40, 90}}
	tests := []struct {
		name string
		b    pseudo.Record
		want string
	}{
		{"exact", pseudo.Record{NINumber: 10}, LevelExact},
		{"one digit mistyped", pseudo.Record{NINumber: 11, NIEdits: pseudo.Edits{5, 40, 70}}, LevelOneEdit},
		{"different", pseudo.Record{NINumber: 11, NIEdits: pseudo.Edits{5, 41, 70}}, LevelElse},
		{"edits without a number", pseudo.Record{NIEdits: pseudo.Edits{3, 40, 90}}, LevelNull},
	}
	for _, tt := range tests {
		if got, want := c.Compare(&a, &tt.b), level(t, c, tt.want); got != want {
			t.Errorf("%s: level %q, want %q", tt.name, c.Levels[got], tt.want)
		}
		if x, y := c.Compare(&a, &tt.b), c.Compare(&tt.b, &a); x != y {
			t.Errorf("%s: not symmetric", tt.name)
		}
	}
}

func TestAddress(t *testing.T) {
	c := Address(DefaultAddressDice)
	var full pseudo.AddressFilter
	for i := range 40 {
		full[i/64] |= 1 << (i % 64)
	}
	half := full
	for i := 20; i < 40; i++ {
		half[i/64] &^= 1 << (i % 64)
	}
	a := pseudo.Record{UPRN: 1, Postcode: 2, HouseNumber: 3, PostcodeSector: 4, PostcodeOutward: 5, AddressBF: full, AddressCount: 40}
	tests := []struct {
		name string
		b    pseudo.Record
		want string
	}{
		{"uprn", pseudo.Record{UPRN: 1}, "uprn"},
		{"postcode and number", pseudo.Record{UPRN: 9, Postcode: 2, HouseNumber: 3}, "postcode+number"},
		{"same line other postcode", pseudo.Record{Postcode: 9, AddressBF: full, AddressCount: 40}, DiceLevel(0.85)},
		{"postcode", pseudo.Record{Postcode: 2, HouseNumber: 8}, "postcode"},
		{"similar line", pseudo.Record{AddressBF: half, AddressCount: 20}, DiceLevel(0.6)},
		{"sector", pseudo.Record{Postcode: 9, PostcodeSector: 4}, "sector"},
		{"outward", pseudo.Record{Postcode: 9, PostcodeOutward: 5}, "outward"},
		{"else", pseudo.Record{Postcode: 9}, LevelElse},
		{"null", pseudo.Record{HouseNumber: 3}, LevelNull},
	}
	for _, tt := range tests {
		if got, want := c.Compare(&a, &tt.b), level(t, c, tt.want); got != want {
			t.Errorf("%s: level %q, want %q", tt.name, c.Levels[got], tt.want)
		}
	}
}

func TestExact(t *testing.T) {
	c := Exact("ni", func(r *pseudo.Record) pseudo.Token { return r.NINumber })
	tests := []struct {
		a, b pseudo.Token
		want string
	}{{5, 5, LevelExact}, {5, 6, LevelElse}, {0, 6, LevelNull}, {5, 0, LevelNull}, {0, 0, LevelNull}}
	for _, tt := range tests {
		a, b := pseudo.Record{NINumber: tt.a}, pseudo.Record{NINumber: tt.b}
		if got := c.Levels[c.Compare(&a, &b)]; got != tt.want {
			t.Errorf("%d vs %d: %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestGender(t *testing.T) {
	c := Gender()
	const f, m = 11, 12
	base := pseudo.Record{Forename: 1, ForenameGroup: 50, Gender: f, ForenameEdits: pseudo.Edits{7}, ForenamePhonetic: 90}
	tests := []struct {
		name string
		edit func(r *pseudo.Record)
		want string
	}{
		// One forename says the gender already: namesakes agree on it too.
		{"same forename", func(r *pseudo.Record) {}, LevelNull},
		{"same forename, other gender", func(r *pseudo.Record) { r.Gender = m }, LevelNull},
		{"nicknames of one forename", func(r *pseudo.Record) { r.Forename = 2 }, LevelNull},
		// Where the forenames leave it open, gender weighs.
		{"one letter apart (Louis, Louise)", func(r *pseudo.Record) {
			r.Forename, r.ForenameGroup, r.Gender, r.ForenameEdits = 3, 51, m, pseudo.Edits{7}
		}, LevelElse},
		{"one letter apart, same gender (Jon, John)", func(r *pseudo.Record) { r.Forename, r.ForenameGroup, r.ForenameEdits = 3, 51, pseudo.Edits{7} }, LevelNull},
		{"one sound apart, same gender", func(r *pseudo.Record) { r.Forename, r.ForenameGroup, r.ForenamePhonetic = 3, 51, 90 }, LevelNull},
		{"other forename, other gender", func(r *pseudo.Record) {
			r.Forename, r.ForenameGroup, r.ForenameEdits, r.ForenamePhonetic, r.Gender = 3, 51, pseudo.Edits{8}, 91, m
		}, LevelElse},
		{"other forename, same gender", func(r *pseudo.Record) {
			r.Forename, r.ForenameGroup, r.ForenameEdits, r.ForenamePhonetic = 3, 51, pseudo.Edits{8}, 91
		}, LevelExact},
		{"an initial only", func(r *pseudo.Record) { r.ForenameIsInitial, r.Gender = true, m }, LevelElse},
		{"no forename", func(r *pseudo.Record) { r.Forename, r.ForenameGroup = 0, 0 }, LevelExact},
		{"no gender", func(r *pseudo.Record) { r.Forename, r.ForenameGroup, r.Gender = 3, 51, 0 }, LevelNull},
	}
	for _, tt := range tests {
		b := base
		tt.edit(&b)
		a := base
		if got := c.Levels[c.Compare(&a, &b)]; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if got := c.Levels[c.Compare(&b, &a)]; got != tt.want {
			t.Errorf("%s, reversed: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNewRejects(t *testing.T) {
	good := Exact("x", func(r *pseudo.Record) pseudo.Token { return r.Phone })
	tests := []struct {
		name string
		cs   []Comparison
	}{
		{"none", nil},
		{"unnamed", []Comparison{{Levels: good.Levels, Compare: good.Compare}}},
		{"duplicate", []Comparison{good, good}},
		{"one level", []Comparison{{Name: "y", Levels: []string{"null"}, Compare: good.Compare}}},
		{"no function", []Comparison{{Name: "y", Levels: good.Levels}}},
		{"term on else", []Comparison{{Name: "y", Levels: good.Levels, Compare: good.Compare, Term: good.Term, TermLevel: 1}}},
		{"too many", slices.Repeat([]Comparison{good}, MaxComparisons+1)},
	}
	for _, tt := range tests {
		if _, err := New(tt.cs); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	c, err := New(Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Comparisons()) != len(Default()) {
		t.Errorf("Comparisons() has %d, want %d", len(c.Comparisons()), len(Default()))
	}
}

func TestThresholdsPanicOnDisorder(t *testing.T) {
	for _, ts := range [][]float64{{0.6, 0.9}, {1.5}, {0}, {0.9, 0.9}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Forename(%v) did not panic", ts)
				}
			}()
			Forename(ts)
		}()
	}
}

// randomRecord fills the fields the comparisons read from a small range
// of values, so that agreements are frequent.
func randomRecord(rng *rand.Rand) pseudo.Record {
	tok := func() pseudo.Token { return pseudo.Token(rng.IntN(4)) }
	var r pseudo.Record
	r.Forename, r.MiddleNames, r.Surname = tok(), tok(), tok()
	r.ForenamePhonetic, r.ForenamePhonAlt, r.SurnamePhonetic, r.SurnamePhonAlt, r.ForenameGroup = tok(), tok(), tok(), tok(), tok()
	r.DOB, r.DOBSwapped, r.DOBYearMonth, r.DOBYearDay, r.DOBMonthDay = tok(), tok(), tok(), tok(), tok()
	r.NINumber, r.Postcode, r.PostcodeSector, r.PostcodeOutward, r.HouseNumber, r.UPRN, r.Phone, r.Email = tok(), tok(), tok(), tok(), tok(), tok(), tok(), tok()
	r.DOBYear, r.MiddleSurname = tok(), tok()
	r.DOBMonth, r.DOBWithinYear = [2]pseudo.Token{tok(), tok()}, [2]pseudo.Token{tok(), tok()}
	r.ForenameEdits, r.SurnameEdits, r.NIEdits = randomEdits(rng), randomEdits(rng), randomEdits(rng)
	for i := range r.ForenameBF {
		r.ForenameBF[i] = rng.Uint64() & rng.Uint64() & rng.Uint64()
		r.SurnameBF[i] = rng.Uint64() & rng.Uint64() & rng.Uint64()
	}
	for i := range r.AddressBF {
		r.AddressBF[i] = rng.Uint64() & rng.Uint64() & rng.Uint64()
	}
	r.ForenameCount = uint16(popcount(r.ForenameBF[:]))
	r.SurnameCount = uint16(popcount(r.SurnameBF[:]))
	r.AddressCount = uint16(popcount(r.AddressBF[:]))
	return r
}

// randomEdits returns valid Edits (distinct values, ascending, zeros
// last) of up to three values from a small range, so that two records'
// often share one.
func randomEdits(rng *rand.Rand) pseudo.Edits {
	var e pseudo.Edits
	n := 0
	for v := uint32(1); v <= 8 && n < 3; v++ {
		if rng.IntN(3) == 0 {
			e[n] = v
			n++
		}
	}
	return e
}

func popcount(ws []uint64) int {
	n := 0
	for _, w := range ws {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// FuzzCompareSymmetric checks that every standard comparison is symmetric
// and returns a level it declares.
func FuzzCompareSymmetric(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(7), uint64(7))
	c, err := New(Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		rng := rand.New(rand.NewPCG(s1, s2))
		a, b := randomRecord(rng), randomRecord(rng)
		if rng.IntN(2) == 0 {
			b.ForenameBF, b.ForenameCount = a.ForenameBF, a.ForenameCount
		}
		v, w := c.Compare(&a, &b), c.Compare(&b, &a)
		if v != w {
			t.Fatalf("Compare(a,b) = %x, Compare(b,a) = %x", v, w)
		}
		for i, cmp := range c.Comparisons() {
			if int(v.Level(i)) >= len(cmp.Levels) {
				t.Fatalf("%s: level %d of %d", cmp.Name, v.Level(i), len(cmp.Levels))
			}
		}
		if self := c.Compare(&a, &a); reachesElse(c, self) {
			t.Fatalf("a record compared with itself reached %v", c.Levels(self))
		}
	})
}

// reachesElse reports whether some comparison of v is at its else level,
// which a record compared with itself must never reach.
func reachesElse(c *Comparer, v Vector) bool {
	for i, cmp := range c.Comparisons() {
		if v.Level(i) == cmp.Else() {
			return true
		}
	}
	return false
}

func BenchmarkCompare(b *testing.B) {
	c, err := New(Default())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	recs := make([]pseudo.Record, 1024)
	for i := range recs {
		recs[i] = randomRecord(rng)
	}
	b.ResetTimer()
	var sink Vector
	for i := 0; b.Loop(); i++ {
		sink ^= c.Compare(&recs[i&1023], &recs[(i*7+3)&1023])
	}
	_ = sink
}

func TestHome(t *testing.T) {
	c, err := New(Default())
	if err != nil {
		t.Fatal(err)
	}
	h := c.Home()
	if h < 0 || c.Comparisons()[h].Name != "address" {
		t.Fatalf("home comparison %d", h)
	}
	addr := c.Comparisons()[h]
	for l := range addr.Levels {
		v := Vector(0).With(h, uint8(l))
		want := slices.Contains(addr.Home, uint8(l))
		if got := c.SharesHome(v); got != want {
			t.Errorf("level %s: SharesHome %v", addr.Levels[l], got)
		}
	}
	two := []Comparison{Address(DefaultAddressDice), Address(DefaultAddressDice)}
	two[1].Name = "other"
	if _, err := New(two); err == nil {
		t.Error("two home comparisons accepted")
	}
	bad := Address(DefaultAddressDice)
	bad.Home = []uint8{bad.Else()}
	if _, err := New([]Comparison{bad}); err == nil {
		t.Error("the else level accepted as a shared home")
	}
}

// TestHomeNeedsOneDwelling checks that two addresses alike only by their
// Bloom filters (flats of one building, which have no house number and
// differ by a flat number) are not taken as a shared home, while a shared
// UPRN or postcode and house number is.
func TestHomeNeedsOneDwelling(t *testing.T) {
	c, err := New(Default())
	if err != nil {
		t.Fatal(err)
	}
	addr := c.Comparisons()[c.Home()]
	var a, b pseudo.Record
	for i := range a.AddressBF {
		a.AddressBF[i] = 0x0f0f0f0f0f0f0f0f
	}
	b.AddressBF = a.AddressBF
	a.AddressCount, b.AddressCount = 256, 256
	a.Postcode, b.Postcode = 7, 7
	v := c.Compare(&a, &b)
	if got := addr.Levels[v.Level(c.Home())]; got != DiceLevel(DefaultAddressDice[0]) {
		t.Fatalf("same building, no house number: level %s, want %s", got, DiceLevel(DefaultAddressDice[0]))
	}
	if c.SharesHome(v) {
		t.Errorf("same building, no house number: SharesHome true, want false")
	}
	a.HouseNumber, b.HouseNumber = 9, 9
	if v := c.Compare(&a, &b); !c.SharesHome(v) {
		t.Errorf("same postcode and house number: SharesHome false, want true")
	}
	a.HouseNumber, b.UPRN, a.UPRN = 0, 5, 5
	if v := c.Compare(&a, &b); !c.SharesHome(v) {
		t.Errorf("same UPRN: SharesHome false, want true")
	}
}
