package block

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// testRules block on NI, on phone and on surname+forename.
func testRules() []Rule {
	return []Rule{
		TokenRule("ni", ni),
		TokenRule("phone", phone),
		TokenRule("surname+forename", surname, forename),
	}
}

func randomRecords(rng *rand.Rand, n int) []pseudo.Record {
	recs := make([]pseudo.Record, n)
	for i := range recs {
		r := &recs[i]
		r.NINumber = pseudo.Token(rng.IntN(n)) // 0 is null
		r.Phone = pseudo.Token(rng.IntN(8))
		r.Surname = pseudo.Token(rng.IntN(5))
		r.Forename = pseudo.Token(rng.IntN(5))
	}
	return recs
}

// probeTestRules are testRules with a probe rule between them: records
// with no phone are also sought by forename alone, in blocks of up to 40
// pairs.
func probeTestRules() []Rule {
	probe := ProbeRule("forename-without-phone", func(r *pseudo.Record) bool { return r.Phone == 0 }, forename)
	probe.MaxBlockPairs = 40
	return []Rule{
		TokenRule("ni", ni),
		probe,
		TokenRule("phone", phone),
		TokenRule("surname+forename", surname, forename),
	}
}

// brute returns the expected candidates: pairs that share a key under some
// rule whose block for that key is within the limit, with a probe among
// them for a probe rule.
func brute(left, right []pseudo.Record, dedupe bool, rules []Rule, maxPairs int64) map[Pair]bool {
	cols, _ := validate(rules)
	var probeCol []bool
	var limit []int64
	for _, ru := range rules {
		for range ru.Keys {
			probeCol = append(probeCol, ru.Probe != nil)
			limit = append(limit, maxPairs)
			if ru.MaxBlockPairs > 0 && ru.MaxBlockPairs < maxPairs {
				limit[len(limit)-1] = ru.MaxBlockPairs
			}
		}
	}
	type key struct {
		k     uint64
		probe bool
	}
	keyOf := func(r *pseudo.Record) []key {
		out := make([]key, 0, cols)
		for _, ru := range rules {
			k := make([]uint64, ru.Keys)
			ru.Key(r, k)
			for _, x := range k {
				out = append(out, key{x, ru.Probe != nil && ru.Probe(r)})
			}
		}
		return out
	}
	lk := make([][]key, len(left))
	for i := range left {
		lk[i] = keyOf(&left[i])
	}
	rk := make([][]key, len(right))
	for i := range right {
		rk[i] = keyOf(&right[i])
	}
	// count[c][k] counts the records of key k in column c: left and
	// right, not probes and probes.
	size := make([]map[uint64]int64, cols)
	for c := range cols {
		count := map[uint64]*[2][2]int64{}
		add := func(side int, k key) {
			n := count[k.k]
			if n == nil {
				n = new([2][2]int64)
				count[k.k] = n
			}
			p := 0
			if k.probe {
				p = 1
			}
			n[side][p]++
		}
		for i := range lk {
			add(0, lk[i][c])
		}
		for i := range rk {
			add(1, rk[i][c])
		}
		size[c] = map[uint64]int64{}
		for k, n := range count {
			l0, l1, r0, r1 := n[0][0], n[0][1], n[1][0], n[1][1]
			switch {
			case probeCol[c] && dedupe:
				size[c][k] = l1*(l1-1)/2 + l0*l1
			case probeCol[c]:
				size[c][k] = l1*(r0+r1) + l0*r1
			case dedupe:
				size[c][k] = (l0 + l1) * (l0 + l1 - 1) / 2
			default:
				size[c][k] = (l0 + l1) * (r0 + r1)
			}
		}
	}
	out := map[Pair]bool{}
	for i := range left {
		for j := range right {
			if dedupe && j <= i {
				continue
			}
			for c := range cols {
				a, b := lk[i][c], rk[j][c]
				if a.k != 0 && a.k == b.k && (!probeCol[c] || a.probe || b.probe) && size[c][a.k] <= limit[c] {
					out[Pair{int32(i), int32(j)}] = true
					break
				}
			}
		}
	}
	return out
}

func collect(t *testing.T, run func(emit func([]Pair) error) (*Stats, error)) (map[Pair]bool, *Stats) {
	t.Helper()
	got := map[Pair]bool{}
	stats, err := run(func(ps []Pair) error {
		for _, p := range ps {
			if got[p] {
				t.Errorf("pair %v emitted twice", p)
			}
			got[p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, stats
}

func TestLinkMatchesBruteForce(t *testing.T) {
	tests := []struct {
		name     string
		nl, nr   int
		maxPairs int64
	}{
		{"small", 40, 30, 1 << 20},
		{"limited blocks", 300, 200, 60},
		{"radix path", 4500, 300, 500},
	}
	for _, tt := range tests {
		for _, rules := range [][]Rule{testRules(), probeTestRules()} {
			testLinkMatchesBruteForce(t, tt.name, tt.nl, tt.nr, tt.maxPairs, rules)
		}
	}
}

func testLinkMatchesBruteForce(t *testing.T, name string, nl, nr int, maxPairs int64, rules []Rule) {
	t.Helper()
	tt := struct {
		name     string
		nl, nr   int
		maxPairs int64
	}{fmt.Sprintf("%s, %d rules", name, len(rules)), nl, nr, maxPairs}
	{
		rng := rand.New(rand.NewPCG(uint64(tt.nl), 1))
		left, right := randomRecords(rng, tt.nl), randomRecords(rng, tt.nr)
		want := brute(left, right, false, rules, tt.maxPairs)
		isTrue := func(l, r int32) bool { return left[l].NINumber != 0 && left[l].NINumber == right[r].NINumber }
		var trueCount int64
		for p := range want {
			if isTrue(p.Left, p.Right) {
				trueCount++
			}
		}
		opts := Options{MaxBlockPairs: tt.maxPairs, ChunkSize: 100, Truth: isTrue, TrueCount: trueCount}
		got, stats := collect(t, func(emit func([]Pair) error) (*Stats, error) {
			return Link(context.Background(), left, right, rules, opts, emit)
		})
		if len(got) != len(want) {
			t.Errorf("%s: %d candidates, want %d", tt.name, len(got), len(want))
		}
		for p := range want {
			if !got[p] {
				t.Errorf("%s: missing %v", tt.name, p)
				break
			}
		}
		if stats.Candidates != int64(len(got)) {
			t.Errorf("%s: stats count %d candidates, emitted %d", tt.name, stats.Candidates, len(got))
		}
		var sum int64
		for _, r := range stats.Rules {
			sum += r.New
			if r.New > r.Generated {
				t.Errorf("%s: rule %s has %d new of %d generated", tt.name, r.Name, r.New, r.Generated)
			}
		}
		if sum != stats.Candidates {
			t.Errorf("%s: rules' new pairs sum to %d, candidates %d", tt.name, sum, stats.Candidates)
		}
		if stats.ComparisonSpace != float64(tt.nl*tt.nr) {
			t.Errorf("%s: comparison space %g", tt.name, stats.ComparisonSpace)
		}
		if trueCount > 0 && stats.Completeness != 1 {
			t.Errorf("%s: completeness %g, want 1", tt.name, stats.Completeness)
		}
	}
}

func TestDedupeMatchesBruteForce(t *testing.T) {
	for _, n := range []int{50, 4200} {
		for _, rules := range [][]Rule{testRules(), probeTestRules()} {
			rng := rand.New(rand.NewPCG(uint64(n), 2))
			recs := randomRecords(rng, n)
			want := brute(recs, recs, true, rules, 400)
			got, stats := collect(t, func(emit func([]Pair) error) (*Stats, error) {
				return Dedupe(context.Background(), recs, rules, Options{MaxBlockPairs: 400}, emit)
			})
			if len(got) != len(want) {
				t.Errorf("n=%d: %d candidates, want %d", n, len(got), len(want))
			}
			for p := range got {
				if p.Left >= p.Right {
					t.Errorf("n=%d: pair %v not ordered", n, p)
				}
				if !want[p] {
					t.Errorf("n=%d: unexpected %v", n, p)
					break
				}
			}
			if stats.ComparisonSpace != float64(n*(n-1)/2) {
				t.Errorf("n=%d: comparison space %g", n, stats.ComparisonSpace)
			}
		}
	}
}

func TestOversizedBlockSkippedAndCounted(t *testing.T) {
	recs := make([]pseudo.Record, 30)
	for i := range recs {
		recs[i].Phone = 7 // a placeholder every record shares
		recs[i].NINumber = pseudo.Token(i/2 + 1)
	}
	rules := []Rule{TokenRule("phone", phone), TokenRule("ni", ni)}
	got, stats := collect(t, func(emit func([]Pair) error) (*Stats, error) {
		return Dedupe(context.Background(), recs, rules, Options{MaxBlockPairs: 100}, emit)
	})
	if stats.Rules[0].SkippedBlocks != 1 || stats.Rules[0].SkippedPairs != 30*29/2 {
		t.Errorf("phone rule skipped %d blocks, %d pairs", stats.Rules[0].SkippedBlocks, stats.Rules[0].SkippedPairs)
	}
	// The NI pairs must still come, from the second rule, although the
	// first rule's skipped block also joined them.
	if len(got) != 15 || stats.Rules[1].New != 15 {
		t.Errorf("%d candidates, NI rule new %d; want 15", len(got), stats.Rules[1].New)
	}
}

func TestEmitErrorAndCancel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	recs := randomRecords(rng, 2000)
	boom := errors.New("boom")
	_, err := Dedupe(context.Background(), recs, testRules(), Options{ChunkSize: 10}, func([]Pair) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("emit error: got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Link(ctx, recs, recs, testRules(), Options{}, func([]Pair) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

func TestValidate(t *testing.T) {
	bad := [][]Rule{
		nil,
		{{Name: "x", Keys: 1}},
		{{Name: "", Keys: 1, Key: func(*pseudo.Record, []uint64) {}}},
		{{Name: "x", Keys: 0, Key: func(*pseudo.Record, []uint64) {}}},
	}
	for i, rules := range bad {
		if _, err := Dedupe(context.Background(), make([]pseudo.Record, 3), rules, Options{}, func([]Pair) error { return nil }); err == nil {
			t.Errorf("rule set %d accepted", i)
		}
	}
}

func TestSwappedDOBKey(t *testing.T) {
	a := pseudo.Record{DOB: 100, DOBSwapped: 200, SurnamePhonetic: 5}
	b := pseudo.Record{DOB: 200, DOBSwapped: 100, SurnamePhonetic: 5}
	c := pseudo.Record{DOB: 200, DOBSwapped: 100, SurnamePhonetic: 6}
	d := pseudo.Record{DOB: 100, SurnamePhonetic: 5}
	ka, oka := swappedDOB(&a)
	kb, okb := swappedDOB(&b)
	kc, _ := swappedDOB(&c)
	_, okd := swappedDOB(&d)
	if !oka || !okb || ka != kb {
		t.Error("a date and its swap do not share a key")
	}
	if ka == kc {
		t.Error("different surname sounds share a key")
	}
	if okd {
		t.Error("a date that cannot be swapped has a key")
	}
}

// windowCase is a record compared with a reference record under a rule
// that gives every record two keys, one per grid of date-of-birth windows.
type windowCase struct {
	name string
	b    pseudo.Record
	want [2]bool // shares the reference's key on grid 0, grid 1
}

// checkWindowKeys checks that key gives a and each case's record a key on
// both grids, shared as the case says, and gives none to the records of
// keyless.
func checkWindowKeys(t *testing.T, key func(*pseudo.Record, []uint64), a pseudo.Record, tests []windowCase, keyless []pseudo.Record) {
	t.Helper()
	keys := func(r pseudo.Record) [2]uint64 {
		var k [2]uint64
		key(&r, k[:])
		return k
	}
	ka := keys(a)
	for _, tt := range tests {
		kb := keys(tt.b)
		for g := range 2 {
			if kb[g] == 0 {
				t.Errorf("%s: no key on grid %d", tt.name, g)
			}
			if (ka[g] == kb[g]) != tt.want[g] {
				t.Errorf("%s: grid %d shares the key: %v, want %v", tt.name, g, ka[g] == kb[g], tt.want[g])
			}
		}
	}
	for _, r := range keyless {
		if k := keys(r); k != [2]uint64{} {
			t.Errorf("%+v has keys %v", r, k)
		}
	}
}

func TestNamesInWindow(t *testing.T) {
	checkWindowKeys(t, namesInWindow, pseudo.Record{Forename: 7, Surname: 9, DOBWithinYear: [2]pseudo.Token{10, 20}}, []windowCase{
		{"same", pseudo.Record{Forename: 7, Surname: 9, DOBWithinYear: [2]pseudo.Token{10, 20}}, [2]bool{true, true}},
		{"names exchanged", pseudo.Record{Forename: 9, Surname: 7, DOBWithinYear: [2]pseudo.Token{10, 20}}, [2]bool{true, true}},
		{"grid 1 only", pseudo.Record{Forename: 7, Surname: 9, DOBWithinYear: [2]pseudo.Token{11, 20}}, [2]bool{false, true}},
		{"no window in common", pseudo.Record{Forename: 7, Surname: 9, DOBWithinYear: [2]pseudo.Token{11, 21}}, [2]bool{false, false}},
		{"another surname", pseudo.Record{Forename: 7, Surname: 8, DOBWithinYear: [2]pseudo.Token{10, 20}}, [2]bool{false, false}},
		{"one name twice", pseudo.Record{Forename: 7, Surname: 7, DOBWithinYear: [2]pseudo.Token{10, 20}}, [2]bool{false, false}},
	}, []pseudo.Record{
		{Surname: 9, DOBWithinYear: [2]pseudo.Token{10, 20}},
		{Forename: 7, DOBWithinYear: [2]pseudo.Token{10, 20}},
		{Forename: 7, Surname: 9},
	})
}

func TestDefaultRulesRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	recs := make([]pseudo.Record, 200)
	for i := range recs {
		r := &recs[i]
		r.NINumber = pseudo.Token(rng.Uint64())
		r.DOB, r.DOBYear = pseudo.Token(rng.IntN(50)+1), pseudo.Token(rng.IntN(5)+1)
		r.SurnamePhonetic, r.Postcode = pseudo.Token(rng.IntN(20)+1), pseudo.Token(rng.IntN(20)+1)
		r.ForenameBF, r.ForenameCount = randomName(rng)
		r.SurnameBF, r.SurnameCount = randomName(rng)
	}
	// Records 0 and 1 are one person: similar names and nothing else in
	// common but the date of birth, and no name tokens (so no sound
	// codes): only the LSH rule can find them.
	recs[1] = pseudo.Record{DOB: recs[0].DOB, ForenameBF: recs[0].ForenameBF, ForenameCount: recs[0].ForenameCount,
		SurnameBF: recs[0].SurnameBF, SurnameCount: recs[0].SurnameCount}
	got, stats := collect(t, func(emit func([]Pair) error) (*Stats, error) {
		return Dedupe(context.Background(), recs, DefaultRules(), Options{}, emit)
	})
	if !got[Pair{0, 1}] {
		t.Error("the names-only pair was not found")
	}
	if len(stats.Rules) != len(DefaultRules()) {
		t.Errorf("%d rule stats", len(stats.Rules))
	}
}

func randomName(rng *rand.Rand) (pseudo.NameFilter, uint16) {
	var f pseudo.NameFilter
	n := uint16(0)
	for n < 30 {
		p := rng.IntN(pseudo.NameBits)
		if f[p/64]&(1<<(p%64)) == 0 {
			f[p/64] |= 1 << (p % 64)
			n++
		}
	}
	return f, n
}

// TestDefaultRulesSeekRecordsWithoutDOB checks that a record with no date
// of birth, sharing nothing but its full name with its pair, is a
// candidate, while two records born on different days that share only a
// full name are not.
func TestDefaultRulesSeekRecordsWithoutDOB(t *testing.T) {
	const (
		smith = pseudo.Token(11)
		john  = pseudo.Token(12)
	)
	left := []pseudo.Record{
		{Surname: smith, Forename: john, DOB: 101, DOBYear: 1, Postcode: 1},
		{Surname: smith, Forename: john, Postcode: 2}, // no date of birth
	}
	right := []pseudo.Record{
		{Surname: smith, Forename: john, DOB: 202, DOBYear: 2, Postcode: 3},
		{Surname: smith, Forename: john, Postcode: 4}, // no date of birth
	}
	got, stats := collect(t, func(emit func([]Pair) error) (*Stats, error) {
		return Link(context.Background(), left, right, DefaultRules(), Options{}, emit)
	})
	want := map[Pair]bool{{0, 1}: true, {1, 0}: true, {1, 1}: true}
	for p := range want {
		if !got[p] {
			t.Errorf("pair %v with a record without a date of birth not found", p)
		}
	}
	if got[Pair{0, 0}] {
		t.Error("pair of records born on different days joined on the full name alone")
	}
	for _, r := range stats.Rules {
		if r.Name == "surname+forename-group-without-dob" && r.New != int64(len(want)) {
			t.Errorf("rule %s found %d new pairs, want %d", r.Name, r.New, len(want))
		}
	}
}

// TestWithoutDOBSurnameParts checks the rules for compound surnames: a
// record with no date of birth under a compound surname (Smith-Jones)
// meets a record of the same forename under either part of it, or under
// its parts in the other order; a record with no date of birth under one
// part meets a record under the compound surname; records that share no
// part or not the forename do not meet, nor do records of one-word
// surnames that both have a date of birth.
func TestWithoutDOBSurnameParts(t *testing.T) {
	const (
		john       = pseudo.Token(1)
		smithJones = pseudo.Token(10)
		jonesSmith = pseudo.Token(11)
		smith      = pseudo.Token(12)
		jones      = pseudo.Token(13)
		brown      = pseudo.Token(14)
	)
	parts := [2]pseudo.Token{smith, jones}
	left := []pseudo.Record{
		{Forename: john, Surname: smithJones, SurnameParts: parts},         // 0: no date of birth
		{Forename: john, Surname: smithJones, SurnameParts: parts, DOB: 3}, // 1
		{Forename: john, Surname: jones, DOB: 4},                           // 2
	}
	right := []pseudo.Record{
		{Forename: john, Surname: jones, DOB: 5},                                                   // 0
		{Forename: john, Surname: smith, DOB: 6},                                                   // 1
		{Forename: john, Surname: jonesSmith, SurnameParts: [2]pseudo.Token{jones, smith}, DOB: 7}, // 2
		{Forename: john, Surname: brown, DOB: 8},                                                   // 3
		{Forename: 2, Surname: jones, DOB: 9},                                                      // 4
		{Forename: john, Surname: smith},                                                           // 5: no date of birth
	}
	rules := []Rule{withoutDOB, partsWithoutDOB, partsOfDated}
	got, _ := collect(t, func(emit func([]Pair) error) (*Stats, error) {
		return Link(context.Background(), left, right, rules, Options{}, emit)
	})
	want := map[Pair]bool{
		{0, 0}: true, {0, 1}: true, {0, 2}: true, {0, 5}: true, // the compound without a date of birth
		{1, 5}: true, // the compound with one, and a part without
		// Two compound surnames with dates of birth sharing a part meet
		// too: both are probes of partsOfDated. Such pairs are few.
		{1, 2}: true,
	}
	for p := range want {
		if !got[p] {
			t.Errorf("pair %v not found (found %v)", p, got)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("pair %v found", p)
		}
	}
	// Records of one-word surnames meet on the full name alone: the rules
	// for parts add no pair of two such records.
	_, st := collect(t, func(emit func([]Pair) error) (*Stats, error) {
		return Link(context.Background(), left[2:], right[5:], rules, Options{}, emit)
	})
	for _, r := range st.Rules {
		if r.Name != withoutDOB.Name && r.Generated != 0 {
			t.Errorf("rule %s generated %d pairs of one-word surnames", r.Name, r.Generated)
		}
	}
}

// TestNamesLSHWithoutDOB checks that a record with no date of birth and
// no postcode meets a record with similar names (the same filters,
// different name tokens, as after a typing error) through the
// unpartitioned LSH rule, while two records that both have a date of
// birth do not meet through it.
func TestNamesLSHWithoutDOB(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	fa, na := randomName(rng)
	fb, nb := randomName(rng)
	named := func(fore, sur pseudo.Token, dob pseudo.Token) pseudo.Record {
		return pseudo.Record{Forename: fore, Surname: sur, DOB: dob, ForenameBF: fa, ForenameCount: na, SurnameBF: fb, SurnameCount: nb}
	}
	left := []pseudo.Record{
		named(1, 2, 0),   // no date of birth, no postcode
		named(5, 6, 100), // born on day 100
	}
	right := []pseudo.Record{
		named(3, 4, 300), // the first one's pair, its names mistyped
		named(7, 8, 200), // born on another day than the second
	}
	got, stats := collect(t, func(emit func([]Pair) error) (*Stats, error) {
		return Link(context.Background(), left, right, DefaultRules(), Options{}, emit)
	})
	if !got[Pair{0, 0}] || !got[Pair{0, 1}] {
		t.Errorf("the record without a date of birth did not meet its namesakes: %v", got)
	}
	if got[Pair{1, 1}] {
		t.Error("two records with dates of birth met on their names alone")
	}
	for _, r := range stats.Rules {
		if r.Name == "names-lsh-without-dob" && r.New != 2 {
			t.Errorf("rule %s found %d new pairs, want 2", r.Name, r.New)
		}
	}
}

func TestSoundsInMonth(t *testing.T) {
	checkWindowKeys(t, soundsInMonth, pseudo.Record{ForenamePhonetic: 7, SurnamePhonetic: 9, DOBMonth: [2]pseudo.Token{10, 20}}, []windowCase{
		{"same", pseudo.Record{ForenamePhonetic: 7, SurnamePhonetic: 9, DOBMonth: [2]pseudo.Token{10, 20}}, [2]bool{true, true}},
		{"grid 1 only", pseudo.Record{ForenamePhonetic: 7, SurnamePhonetic: 9, DOBMonth: [2]pseudo.Token{11, 20}}, [2]bool{false, true}},
		{"no window in common", pseudo.Record{ForenamePhonetic: 7, SurnamePhonetic: 9, DOBMonth: [2]pseudo.Token{11, 21}}, [2]bool{false, false}},
		{"another surname sound", pseudo.Record{ForenamePhonetic: 7, SurnamePhonetic: 8, DOBMonth: [2]pseudo.Token{10, 20}}, [2]bool{false, false}},
		// The two sounds are keyed in their own fields' domains: an
		// exchange of names is names+birth-window's to find.
		{"sounds exchanged", pseudo.Record{ForenamePhonetic: 9, SurnamePhonetic: 7, DOBMonth: [2]pseudo.Token{10, 20}}, [2]bool{false, false}},
		// The within-a-year windows play no part.
		{"year windows differ", pseudo.Record{ForenamePhonetic: 7, SurnamePhonetic: 9, DOBMonth: [2]pseudo.Token{10, 20}, DOBWithinYear: [2]pseudo.Token{3, 4}}, [2]bool{true, true}},
	}, []pseudo.Record{
		{SurnamePhonetic: 9, DOBMonth: [2]pseudo.Token{10, 20}},
		{ForenamePhonetic: 7, DOBMonth: [2]pseudo.Token{10, 20}},
		{ForenamePhonetic: 7, SurnamePhonetic: 9, DOBWithinYear: [2]pseudo.Token{10, 20}},
	})
}

// TestOneNameInMonth checks the probe rules for records that lack a name:
// a record with no surname meets one with the same forename (or a name of
// its nickname group) born within a month, whatever that one's surname;
// records with both names never meet through them.
func TestOneNameInMonth(t *testing.T) {
	rules := DefaultRules()
	var noSn, noFn Rule
	for _, r := range rules {
		switch r.Name {
		case "forename-group+birth-month-without-surname":
			noSn = r
		case "surname+birth-month-without-forename":
			noFn = r
		}
	}
	if noSn.Key == nil || noFn.Key == nil {
		t.Fatal("DefaultRules lacks the rules for records without a surname or a forename")
	}
	month := [2]pseudo.Token{10, 20}
	recs := []pseudo.Record{
		0: {Forename: 7, ForenameGroup: 70, DOBMonth: month},                               // no surname
		1: {Forename: 8, ForenameGroup: 70, Surname: 9, DOBMonth: month},                   // a name of the same group, with a surname
		2: {Forename: 7, ForenameGroup: 70, Surname: 5, DOBMonth: [2]pseudo.Token{11, 21}}, // born too far from 0
		3: {Surname: 9, DOBMonth: [2]pseudo.Token{11, 20}},                                 // no forename: meets 1 on grid 1
		4: {Forename: 6, Surname: 9, DOBMonth: month},                                      // both names: meets 3, not 1
		5: {Forename: 8, ForenameGroup: 70, Surname: 1, DOBMonth: month},                   // meets 0, not 1
	}
	for _, tt := range []struct {
		rule Rule
		want []Pair
	}{
		{noSn, []Pair{{0, 1}, {0, 5}}},
		{noFn, []Pair{{1, 3}, {3, 4}}},
	} {
		got, _ := collect(t, func(emit func([]Pair) error) (*Stats, error) {
			return Dedupe(context.Background(), recs, []Rule{tt.rule}, Options{}, emit)
		})
		if len(got) != len(tt.want) {
			t.Errorf("%s: pairs %v, want %v", tt.rule.Name, got, tt.want)
			continue
		}
		for _, p := range tt.want {
			if !got[p] {
				t.Errorf("%s: pairs %v, want %v", tt.rule.Name, got, tt.want)
			}
		}
	}
}
