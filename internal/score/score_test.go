package score

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// synthetic describes a known model over three comparisons with levels
// exact, close, else, null.
type synthetic struct {
	m, u [3][3]float64 // non-null levels
	null float64       // share of null on each field, for both classes
}

var truth = synthetic{
	m:    [3][3]float64{{0.85, 0.10, 0.05}, {0.90, 0.07, 0.03}, {0.75, 0.20, 0.05}},
	u:    [3][3]float64{{0.01, 0.04, 0.95}, {0.002, 0.02, 0.978}, {0.05, 0.15, 0.80}},
	null: 0.1,
}

func comps() []compare.Comparison {
	levels := []string{"exact", "close", "else", "null"}
	var cs []compare.Comparison
	for _, n := range []string{"a", "b", "c"} {
		cs = append(cs, compare.Comparison{Name: n, Levels: levels, Compare: func(a, b *pseudo.Record) uint8 { return 3 }})
	}
	return cs
}

func draw(rng *rand.Rand, p [3]float64, null float64) uint8 {
	if rng.Float64() < null {
		return 3
	}
	x := rng.Float64()
	for l, q := range p {
		if x < q {
			return uint8(l)
		}
		x -= q
	}
	return 2
}

func (s synthetic) pair(rng *rand.Rand, match bool) compare.Vector {
	var v compare.Vector
	for f := range 3 {
		p := s.u[f]
		if match {
			p = s.m[f]
		}
		v = v.With(f, draw(rng, p, s.null))
	}
	return v
}

// simulate draws the whole comparison space (space pairs, matches of them
// matching), keeps as candidates those keep accepts, and draws random
// pairs from the space to count levels.
func simulate(seed uint64, space, matches, random int, keep func(compare.Vector) bool) (Patterns, *LevelCounts) {
	rng := rand.New(rand.NewPCG(seed, 0))
	pats := Patterns{}
	for i := range space {
		v := truth.pair(rng, i < matches)
		if keep(v) {
			pats[v]++
		}
	}
	counts := new(LevelCounts)
	for range random {
		counts.Add(truth.pair(rng, rng.IntN(space) < matches), 3)
	}
	return pats, counts
}

func TestEstimateRecoversKnownModel(t *testing.T) {
	const space, matches = 400_000, 2_000
	tests := []struct {
		name string
		keep func(compare.Vector) bool
	}{
		{"no blocking", func(compare.Vector) bool { return true }},
		// Blocking on field a or b agreeing: candidates are a small,
		// match-rich share of the space, yet λ must still refer to the
		// whole space.
		{"blocked", func(v compare.Vector) bool { return v.Level(0) <= 1 || v.Level(1) <= 1 }},
	}
	for _, tt := range tests {
		pats, random := simulate(7, space, matches, 200_000, tt.keep)
		m, err := Estimate(comps(), Data{Patterns: pats, Random: random, Space: space}, EMOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !m.Converged {
			t.Errorf("%s: did not converge in %d iterations", tt.name, m.Iterations)
		}
		wantMatches := float64(matches)
		if tt.name == "blocked" {
			// Matches disagreeing on both a and b are lost to blocking.
			lost := (truth.null + (1-truth.null)*truth.m[0][2]) * (truth.null + (1-truth.null)*truth.m[1][2])
			wantMatches *= 1 - lost
		}
		if rel := math.Abs(m.ExpectedMatches-wantMatches) / wantMatches; rel > 0.1 {
			t.Errorf("%s: expected matches %.0f, want %.0f", tt.name, m.ExpectedMatches, wantMatches)
		}
		for f := range 3 {
			for l := range 3 {
				if got, want := m.Fields[f].Levels[l].M, truth.m[f][l]; math.Abs(got-want) > 0.04 {
					t.Errorf("%s: m[%d][%d] = %.3f, want %.3f", tt.name, f, l, got, want)
				}
				if got, want := m.Fields[f].Levels[l].U, truth.u[f][l]; math.Abs(got-want) > 0.1*want+0.001 {
					t.Errorf("%s: u[%d][%d] = %.4f, want %.4f", tt.name, f, l, got, want)
				}
			}
		}
	}
}

func TestEstimatePriorRescales(t *testing.T) {
	const space = 400_000
	pats, random := simulate(9, space, 2000, 200_000, func(compare.Vector) bool { return true })
	m, err := Estimate(comps(), Data{Patterns: pats, Random: random, Space: space}, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The same population with four times the matches.
	pats4, _ := simulate(10, space, 8000, 0, func(compare.Vector) bool { return true })
	m4, err := EstimatePrior(m, comps(), pats4, space, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := m4.ExpectedMatches / 8000; r < 0.9 || r > 1.1 {
		t.Errorf("re-estimated matches %.0f, want about 8000", m4.ExpectedMatches)
	}
	for f := range m.Fields {
		for l := range m.Fields[f].Levels {
			if m.Fields[f].Levels[l] != m4.Fields[f].Levels[l] {
				t.Errorf("EstimatePrior changed level %s/%s", m.Fields[f].Name, m.Fields[f].Levels[l].Name)
			}
		}
	}
}

func TestEstimateNoMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	pats := Patterns{}
	random := new(LevelCounts)
	for range 20000 {
		v := truth.pair(rng, false)
		pats[v]++
		random.Add(v, 3)
	}
	// Non-matches only, and they disagree on everything: nothing to fit.
	only := Patterns{}
	for v, n := range pats {
		if v.Level(0) == 2 && v.Level(1) == 2 {
			only[v] = n
		}
	}
	_, err := Estimate(comps(), Data{Patterns: only, Random: random, Space: 1e9}, EMOptions{})
	if !errors.Is(err, ErrNoMatches) {
		t.Errorf("got %v, want ErrNoMatches", err)
	}
}

func TestMaxMatchesCapsPrior(t *testing.T) {
	pats, random := simulate(11, 100_000, 3000, 100_000, func(compare.Vector) bool { return true })
	m, err := Estimate(comps(), Data{Patterns: pats, Random: random, Space: 100_000}, EMOptions{MaxMatches: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if m.ExpectedMatches > 1000+1e-6 {
		t.Errorf("expected matches %.1f above the cap", m.ExpectedMatches)
	}
}

func testModel() *Model {
	return &Model{
		Version: ModelVersion, Lambda: 0.001, ComparisonSpace: 1e6, ExpectedMatches: 1000,
		Fields: []Field{
			{Name: "a", Levels: []Level{{Name: "exact", M: 0.9, U: 0.01}, {Name: "close", M: 0.08, U: 0.04}, {Name: "else", M: 0.02, U: 0.95}, {Name: "null", M: 0, U: 0}}, TermFrequency: true},
			{Name: "b", Levels: []Level{{Name: "exact", M: 0.8, U: 0.1}, {Name: "else", M: 0.2, U: 0.9}, {Name: "null", M: 0, U: 0}}},
		},
	}
}

func TestScorerWeights(t *testing.T) {
	m := testModel()
	s, err := NewScorer(m)
	if err != nil {
		t.Fatal(err)
	}
	prior := math.Log2(0.001 / 0.999)
	tests := []struct {
		a, b uint8
		want float64
	}{
		{0, 0, prior + math.Log2(0.9/0.01) + math.Log2(0.8/0.1)},
		{1, 1, prior + math.Log2(0.08/0.04) + math.Log2(0.2/0.9)},
		{3, 2, prior},
		{2, 2, prior + math.Log2(0.02/0.95)},
	}
	for _, tt := range tests {
		v := compare.Vector(0).With(0, tt.a).With(1, tt.b)
		if got := s.Weight(0, v); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("levels %d,%d: weight %v, want %v", tt.a, tt.b, got, tt.want)
		}
		ex := s.Explain(0, v)
		sum := s.Prior()
		for _, c := range ex {
			sum += c.Weight
		}
		if math.Abs(sum-tt.want) > 1e-12 {
			t.Errorf("levels %d,%d: explanation sums to %v, want %v", tt.a, tt.b, sum, tt.want)
		}
		if ex[0].Field != "a" || ex[0].Level != m.Fields[0].Levels[tt.a].Name {
			t.Errorf("explanation %+v", ex[0])
		}
	}
}

func TestProbability(t *testing.T) {
	tests := []struct{ w, p float64 }{{0, 0.5}, {1, 2.0 / 3}, {-1, 1.0 / 3}, {10, 1024.0 / 1025}, {-2000, 0}, {2000, 1}}
	for _, tt := range tests {
		if got := Probability(tt.w); math.Abs(got-tt.p) > 1e-12 {
			t.Errorf("Probability(%v) = %v, want %v", tt.w, got, tt.p)
		}
	}
	for _, p := range []float64{0.01, 0.5, 0.9, 0.999} {
		if got := Probability(WeightOf(p)); math.Abs(got-p) > 1e-12 {
			t.Errorf("Probability(WeightOf(%v)) = %v", p, got)
		}
	}
}

func TestTermAdjustments(t *testing.T) {
	m := testModel()
	c := compare.Comparison{Name: "a", Levels: []string{"exact", "close", "else", "null"},
		Term: func(r *pseudo.Record) pseudo.Token { return r.Surname }}
	// Value 5 four times out of eight non-null, value 6 once, value 7
	// three times; one null.
	left := []pseudo.Record{{Surname: 5}, {Surname: 5}, {Surname: 6}, {Surname: 0}, {Surname: 7}}
	right := []pseudo.Record{{Surname: 5}, {Surname: 5}, {Surname: 7}, {Surname: 7}}
	tc := CountTerms(c, left, right)
	adj, err := tc.Adjustments(m, 0, c)
	if err != nil {
		t.Fatal(err)
	}
	u := 0.01
	// Value 6 is held by one record only: no negative adjustment (see
	// TestTermAdjustmentsPairValue).
	want := []float64{math.Log2(u / (4.0 / 8)), math.Log2(u / (4.0 / 8)), 0, 0, math.Log2(u / (3.0 / 8))}
	for i, w := range want {
		if math.Abs(float64(adj.Left[i])-w) > 1e-5 {
			t.Errorf("record %d: adjustment %v, want %v", i, adj.Left[i], w)
		}
	}
	s, err := NewScorer(m, adj)
	if err != nil {
		t.Fatal(err)
	}
	exact := compare.Vector(0).With(1, 2)
	// With the adjustment, an exact match weighs log2(m/p).
	if got, want := s.Weight(4, exact)-s.Prior(), math.Log2(0.9/(3.0/8)); math.Abs(got-want) > 1e-5 {
		t.Errorf("adjusted exact weight %v, want %v", got, want)
	}
	// Other levels are not adjusted.
	close := exact.With(0, 1)
	if s.Weight(4, close) != s.PatternWeight(close) {
		t.Error("a non-exact level was adjusted")
	}
	if _, err := tc.Adjustments(m, 1, c); err == nil {
		t.Error("adjustments for a mismatched field accepted")
	}
	// Counts are refused for another comparison.
	other := c
	other.Name = "b"
	if _, err := tc.Adjustments(m, 0, other); err == nil {
		t.Error("counts of comparison a accepted for comparison b")
	}
}

// TestTermAdjustmentsPairValue checks the adjustment of values that only
// the two records of a pair hold. For a name-like field (u above 2/n) a
// rare value weighs more, as for any value; for an identifier-like field
// (u below 2/n, no two people sharing a value) the count cannot tell the
// value rarer than the pair's own share, and the model's u stands, while
// a value three records hold is still weighed down.
func TestTermAdjustmentsPairValue(t *testing.T) {
	left := make([]pseudo.Record, 1000)
	for i := range left {
		left[i].Surname = pseudo.Token(i + 1)
	}
	left[1].Surname = left[0].Surname // value 1: two records
	left[3].Surname = left[2].Surname // value 3: three records
	left[4].Surname = left[2].Surname
	c := compare.Comparison{Name: "a", Levels: []string{"exact", "close", "else", "null"},
		Term: func(r *pseudo.Record) pseudo.Token { return r.Surname }}
	tc := CountTerms(c, left, nil)
	for _, tt := range []struct {
		name       string
		u          float64
		two, three float64 // adjustments of values held by two and three records
	}{
		{"name-like", 0.01, math.Log2(0.01 / (2.0 / 1000)), math.Log2(0.01 / (3.0 / 1000))},
		{"identifier-like", 1e-6, 0, math.Log2(1e-6 / (3.0 / 1000))},
	} {
		m := testModel()
		m.Fields[0].Levels[0].U = tt.u
		adj, err := tc.Adjustments(m, 0, c)
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(adj.Left[0]); math.Abs(got-tt.two) > 1e-4 {
			t.Errorf("%s: value held by two records: %v, want %v", tt.name, got, tt.two)
		}
		if got := float64(adj.Left[2]); math.Abs(got-tt.three) > 1e-4 {
			t.Errorf("%s: value held by three records: %v, want %v", tt.name, got, tt.three)
		}
	}
}

func TestTermAdjustmentsLarge(t *testing.T) {
	// Enough values to take the radix path; every value's count is known.
	left := make([]pseudo.Record, 6000)
	for i := range left {
		left[i].Surname = pseudo.Token(i%100 + 1) // each value 60 times
	}
	c := compare.Comparison{Name: "a", Levels: []string{"exact", "close", "else", "null"},
		Term: func(r *pseudo.Record) pseudo.Token { return r.Surname }}
	adj, err := CountTerms(c, left, nil).Adjustments(testModel(), 0, c)
	if err != nil {
		t.Fatal(err)
	}
	want := float32(math.Log2(0.01 / (60.0 / 6000)))
	for i, a := range adj.Left {
		if math.Abs(float64(a-want)) > 1e-4 {
			t.Fatalf("record %d: %v, want %v", i, a, want)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	m := testModel()
	m.Notes = []string{"a note"}
	path := filepath.Join(t.TempDir(), "model.json")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(m)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("round trip changed the model:\n%s\n%s", a, b)
	}
	if err := got.Check(comps()[:2]); err == nil {
		t.Error("Check accepted comparisons with other levels")
	}
	bad := []string{
		`{}`,
		`{"version":1,"lambda":0.5,"fields":[{"name":"a","levels":[{"name":"x","m":0,"u":0.5},{"name":"null"}]}]}`,
		`{"version":1,"lambda":1.5,"fields":[{"name":"a","levels":[{"name":"x","m":1,"u":1},{"name":"null"}]}]}`,
		`{"version":2,"lambda":0.5,"fields":[{"name":"a","levels":[{"name":"x","m":1,"u":1},{"name":"null"}]}]}`,
		`not json`,
	}
	for _, s := range bad {
		p := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); err == nil {
			t.Errorf("Load accepted %s", s)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not name the file", err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := json.Marshal(testModel())
	f.Add(b)
	f.Add([]byte(`{"version":1,"lambda":0.5,"fields":[{"name":"a","levels":[{"name":"x","m":1,"u":1},{"name":"null"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err != nil {
			return
		}
		// A model that decodes must score without NaN or panics.
		s, err := NewScorer(m)
		if err != nil {
			t.Fatalf("decoded model rejected by NewScorer: %v", err)
		}
		var v compare.Vector
		for f, fm := range m.Fields {
			v = v.With(f, uint8(len(fm.Levels)-2))
		}
		if w := s.Weight(0, v); math.IsNaN(w) {
			t.Fatal("NaN weight")
		}
	})
}

// TestEstimateHouseholds checks the shared-home mixture: candidates hold
// true matches and, in greater number, different people of one household
// (same home, mostly same surname, different forename and birth date).
// Without the home model their shared surname and home outweigh the rest;
// with it the household pairs are recognised and the prior is right.
func TestEstimateHouseholds(t *testing.T) {
	levels := []string{"exact", "else", "null"}
	cs := []compare.Comparison{
		{Name: "surname", Levels: levels, Household: true},
		{Name: "forename", Levels: levels},
		{Name: "dob", Levels: levels},
		{Name: "home", Levels: levels, Home: []uint8{0}},
	}
	for i := range cs {
		cs[i].Compare = func(a, b *pseudo.Record) uint8 { return 2 }
	}
	m := [4][2]float64{{0.95, 0.05}, {0.9, 0.1}, {0.93, 0.07}, {0.85, 0.15}}
	// The home field's u agrees with the number of households: 3000 same-home
	// non-matching pairs in a space of 1e8.
	u := [4][2]float64{{0.005, 0.995}, {0.01, 0.99}, {0.0001, 0.9999}, {0.00003, 0.99997}}
	household := [4][2]float64{{0.8, 0.2}, {0.02, 0.98}, {0.01, 0.99}, {1, 0}}
	rng := rand.New(rand.NewPCG(5, 5))
	vec := func(p [4][2]float64) compare.Vector {
		var v compare.Vector
		for f := range 4 {
			l := uint8(1)
			if rng.Float64() < p[f][0] {
				l = 0
			}
			v = v.With(f, l)
		}
		return v
	}
	const matches, households, space = 2000, 3000, 1e8
	pats := Patterns{}
	for range matches {
		pats[vec(m)]++
	}
	for range households {
		pats[vec(household)]++
	}
	home := Patterns{}
	for range 6000 {
		home[vec(household)]++
	}
	random := new(LevelCounts)
	for range 500_000 {
		if rng.Float64() < matches/space {
			random.Add(vec(m), 4)
		} else {
			random.Add(vec(u), 4)
		}
	}
	withHome, err := Estimate(cs, Data{Patterns: pats, Random: random, Space: space, Home: home, HomeNonMatches: true}, EMOptions{MaxMatches: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	if r := withHome.ExpectedMatches / matches; r < 0.95 || r > 1.05 {
		t.Errorf("with the home model: expected matches %.0f, want about %d", withHome.ExpectedMatches, matches)
	}
	if got := withHome.Fields[0].HomeU[0]; math.Abs(got-0.8) > 0.05 {
		t.Errorf("home u of surname exact %.3f, want about 0.8", got)
	}
	s, err := NewScorer(withHome)
	if err != nil {
		t.Fatal(err)
	}
	// A household pair: same home and surname, different forename and
	// date of birth.
	hh := compare.Vector(0).With(1, 1).With(2, 1)
	if p := Probability(s.PatternWeight(hh)); p > 0.01 {
		t.Errorf("a household pair scores %.3f", p)
	}
	// A true match in the same home still scores as one.
	if p := Probability(s.PatternWeight(0)); p < 0.99 {
		t.Errorf("a match sharing a home scores %.3f", p)
	}
	// ApartWeight scores any vector as two records apart: the household
	// pair's agreement counts against random pairs, and a vector that
	// shares no home scores as PatternWeight does.
	if a, p := s.ApartWeight(hh), s.PatternWeight(hh); a <= p {
		t.Errorf("a household pattern scores %.2f apart, %.2f at home; want more apart", a, p)
	}
	if apart := compare.Vector(0).With(3, 1); s.ApartWeight(apart) != s.PatternWeight(apart) {
		t.Errorf("a pattern apart: ApartWeight %.4f, PatternWeight %.4f", s.ApartWeight(apart), s.PatternWeight(apart))
	}

	// Without the home model the households pass for matches: the test
	// is a real one.
	without, err := Estimate(cs, Data{Patterns: pats, Random: random, Space: space}, EMOptions{MaxMatches: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	if without.ExpectedMatches < 1.2*matches {
		t.Errorf("without the home model: expected matches %.0f; the households did not mislead it", without.ExpectedMatches)
	}

	// Deduplication: the same-home pairs also hold duplicates, and the
	// mixture must tell them from the households.
	dedupeHome := Patterns{}
	for v, n := range home {
		dedupeHome[v] = n
	}
	for range 1500 {
		dedupeHome[vec(m).With(3, 0)]++
	}
	mixed, err := Estimate(cs, Data{Patterns: pats, Random: random, Space: space, Home: dedupeHome}, EMOptions{MaxMatches: 1e5})
	if err != nil {
		t.Fatal(err)
	}
	if d := mixed.Home.Duplicates; math.Abs(d-0.2) > 0.05 {
		t.Errorf("mixture: duplicates share %.3f of same-home pairs, want about 0.2", d)
	}
	if got := mixed.Fields[0].HomeU[0]; math.Abs(got-0.8) > 0.08 {
		t.Errorf("mixture: home u of surname exact %.3f, want about 0.8", got)
	}
	for f, fm := range mixed.Fields {
		if (len(fm.HomeU) == 0) != (f == 3) {
			t.Errorf("mixture: field %s has %d home u, want them on every field but the home one", fm.Name, len(fm.HomeU))
		}
	}
}

// TestEstimateRelatedClass reproduces a deduplication dominated by
// relatives: the true duplicates (one person on two tenancies) are few and
// live apart, while many more pairs of different people agree on surname,
// phone and email — households, and namesakes with a name-built email
// address — and disagree on date of birth. With two classes EM takes those
// for the matches; with the related class, defined by the identifier
// (date of birth) on which relatives agree only by chance, the matches and
// their m are recovered.
func TestEstimateRelatedClass(t *testing.T) {
	levels := []string{"exact", "else", "null"}
	mk := func(identifier bool) []compare.Comparison {
		cs := []compare.Comparison{
			{Name: "forename", Levels: levels},
			{Name: "surname", Levels: levels, Household: true},
			{Name: "dob", Levels: levels, Identifier: identifier},
			{Name: "phone", Levels: levels, Household: true},
			{Name: "email", Levels: levels, Household: true},
		}
		for i := range cs {
			cs[i].Compare = func(a, b *pseudo.Record) uint8 { return 2 }
		}
		return cs
	}
	const nf = 5
	m := [nf]float64{0.9, 0.92, 0.95, 0.5, 0.6}
	u := [nf]float64{0.01, 0.005, 0.0001, 0.0005, 0.0002}
	rel := [nf]float64{0.3, 0.95, 0.0001, 0.9, 0.9} // relatives: same surname and contacts, own birth date
	rng := rand.New(rand.NewPCG(7, 7))
	vec := func(p [nf]float64) compare.Vector {
		var v compare.Vector
		for f := range nf {
			l := uint8(1)
			if rng.Float64() < p[f] {
				l = 0
			}
			v = v.With(f, l)
		}
		return v
	}
	const matches, relatives, space = 300, 3000, 1e9
	pats := Patterns{}
	for range matches {
		pats[vec(m)]++
	}
	for range relatives {
		pats[vec(rel)]++
	}
	for range 2000 { // candidates that are strangers
		pats[vec(u).With(1, 0)]++
	}
	random := new(LevelCounts)
	for range 500_000 {
		random.Add(vec(u), nf)
	}
	d := Data{Patterns: pats, Random: random, Space: space}

	two, err := Estimate(mk(false), d, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if two.Related != nil {
		t.Fatal("a related class without an identifier")
	}
	if two.ExpectedMatches < 2*matches {
		t.Errorf("two classes: expected matches %.0f; the relatives did not mislead it, the test is void", two.ExpectedMatches)
	}

	three, err := Estimate(mk(true), d, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if three.Related == nil {
		t.Fatal("no related class")
	}
	// The related class takes most of the relatives from the match class.
	// Relatives agreeing on every relation field are not all told from
	// matches by the identifier alone, so no closer bound is asserted.
	if three.ExpectedMatches > 0.5*two.ExpectedMatches {
		t.Errorf("three classes: expected matches %.0f, two classes %.0f", three.ExpectedMatches, two.ExpectedMatches)
	}
	s, err := NewScorer(three)
	if err != nil {
		t.Fatal(err)
	}
	relative := compare.Vector(0).With(0, 1).With(2, 1) // all but forename and dob agree
	if p := Probability(s.PatternWeight(relative)); p > 0.01 {
		t.Errorf("a relative scores %.3f", p)
	}
	if p := Probability(s.PatternWeight(0)); p < 0.99 {
		t.Errorf("a match agreeing on everything scores %.3f", p)
	}
	// The explanation accounts for the weight, the related class included.
	ex := s.Explain(0, relative)
	w := three.PriorWeight()
	for _, c := range ex {
		w += c.Weight
	}
	if len(ex) != nf+1 || ex[nf].Field != RelatedField || math.Abs(w-s.Weight(0, relative)) > 1e-9 {
		t.Errorf("explanation %+v does not sum to the weight %.3f", ex, s.Weight(0, relative))
	}
	// A saved model loads with its related class.
	path := filepath.Join(t.TempDir(), "model.json")
	if err := three.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Related == nil || back.Related.Prior != three.Related.Prior || back.Fields[1].Levels[0].R != three.Fields[1].Levels[0].R {
		t.Error("the related class did not survive Save and Load")
	}
	again, err := EstimatePrior(back, mk(true), pats, space, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := again.ExpectedMatches / three.ExpectedMatches; r < 0.95 || r > 1.05 {
		t.Errorf("re-estimated prior expects %.0f matches, the fit %.0f", again.ExpectedMatches, three.ExpectedMatches)
	}
}

// TestEstimateWithoutIdentifiers fits links whose data hold no
// identifier: the date-of-birth comparison exists but is null in every
// pair, as when a partner's file has no dates of birth or NI numbers.
// Nothing then anchors the related class. Where the candidates hold
// namesakes in excess of chance besides the matches (sharing a name and
// nothing else), the class must keep them from the matches; where they
// hold only matches and strangers, the class must not take the matches.
func TestEstimateWithoutIdentifiers(t *testing.T) {
	levels := []string{"exact", "else", "null"}
	cs := []compare.Comparison{
		{Name: "forename", Levels: levels},
		{Name: "surname", Levels: levels, Household: true},
		{Name: "dob", Levels: levels, Identifier: true},
		{Name: "address", Levels: levels, Home: []uint8{0}},
		{Name: "phone", Levels: levels, Household: true, Contact: true},
	}
	for i := range cs {
		cs[i].Compare = func(a, b *pseudo.Record) uint8 { return 2 }
	}
	const nf = 5
	m := [nf]float64{0.9, 0.92, 0, 0.8, 0.7}
	u := [nf]float64{0.01, 0.005, 0, 0.001, 0.0005}
	namesake := [nf]float64{0.95, 0.95, 0, 0.001, 0.0005} // the same name, nothing else
	tests := []struct {
		name      string
		namesakes int
		related   bool    // the related class is kept
		least     float64 // the least share of the matches expected
	}{
		// Matches that agree on their names alone look like namesakes,
		// and some go to the related class: recall is given up for
		// precision.
		{"namesakes", 4000, true, 0.4},
		{"matches and strangers", 0, false, 0.7},
	}
	for _, tt := range tests {
		rng := rand.New(rand.NewPCG(8, 8))
		vec := func(p [nf]float64) compare.Vector {
			var v compare.Vector
			for f := range nf {
				l := uint8(1)
				switch {
				case f == 2:
					l = 2 // no date of birth anywhere
				case rng.Float64() < p[f]:
					l = 0
				}
				v = v.With(f, l)
			}
			return v
		}
		const matches, space = 500, 1e7
		pats := Patterns{}
		for range matches {
			pats[vec(m)]++
		}
		for range tt.namesakes {
			pats[vec(namesake)]++
		}
		for range 3000 { // candidates that are strangers sharing a surname
			pats[vec(u).With(1, 0)]++
		}
		random := new(LevelCounts)
		for range 500_000 {
			random.Add(vec(u), nf)
		}
		model, err := Estimate(cs, Data{Patterns: pats, Random: random, Space: space}, EMOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if (model.Related != nil) != tt.related {
			t.Errorf("%s: related class %+v, want one: %v (notes %q)", tt.name, model.Related, tt.related, model.Notes)
		}
		if r := model.ExpectedMatches / matches; r < tt.least || r > 1.3 {
			t.Errorf("%s: expected matches %.0f, want about %d", tt.name, model.ExpectedMatches, matches)
		}
		if !strings.Contains(strings.Join(model.Notes, "; "), "identifiers known on both sides of 0 of") {
			t.Errorf("%s: notes %q do not say that no pair has an identifier", tt.name, model.Notes)
		}
		s, err := NewScorer(model)
		if err != nil {
			t.Fatal(err)
		}
		if p := Probability(s.PatternWeight(compare.Vector(0).With(2, 2).With(3, 1).With(4, 1))); tt.related && p > 0.1 {
			t.Errorf("%s: a namesake scores %.3f", tt.name, p)
		}
		if p := Probability(s.PatternWeight(compare.Vector(0).With(2, 2))); p < 0.9 {
			t.Errorf("%s: a match agreeing on every field it has scores %.3f", tt.name, p)
		}
	}
}

// TestEstimateCountedLevel checks that a level blocking enumerates whole
// (Data.Counted) takes its u from the candidates: field a's exact level is
// reached by one non-match pair in five thousand, so the few thousand
// random pairs meet it a handful of times, and the sampled u is off by
// 45-70% (measured on these seeds); counted, it is within 3% of the truth
// whatever the sample.
func TestEstimateCountedLevel(t *testing.T) {
	s := synthetic{
		m:    [3][3]float64{{0.60, 0.30, 0.10}, {0.90, 0.07, 0.03}, {0.75, 0.20, 0.05}},
		u:    [3][3]float64{{0.0002, 0.05, 0.9498}, {0.002, 0.02, 0.978}, {0.05, 0.15, 0.80}},
		null: 0.1,
	}
	const space, matches, random = 1_000_000, 400, 5_000
	keep := func(v compare.Vector) bool { return v.Level(0) == 0 || v.Level(1) <= 1 }
	var counted [compare.MaxComparisons]uint16
	counted[0] = 1 << 0
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 1))
		pats := Patterns{}
		for i := range space {
			if v := s.pair(rng, i < matches); keep(v) {
				pats[v]++
			}
		}
		sample := new(LevelCounts)
		for range random {
			sample.Add(s.pair(rng, rng.IntN(space) < matches), 3)
		}
		d := Data{Patterns: pats, Random: sample, Space: space}
		sampled, err := Estimate(comps(), d, EMOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d.Counted = counted
		m, err := Estimate(comps(), d, EMOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := s.u[0][0]
		got, was := m.Fields[0].Levels[0].U, sampled.Fields[0].Levels[0].U
		t.Logf("seed %d: u of a's exact level counted %.6f, sampled %.6f, true %.6f", seed, got, was, want)
		if math.Abs(got-want) > 0.1*want {
			t.Errorf("seed %d: counted u %.6f, want %.6f within 10%%", seed, got, want)
		}
	}
}

// TestEstimateTinySpace fits a model to a comparison space of one, two or
// three pairs, one of which agrees on everything: a link of one record to
// one. The priors of the match and related classes are each clamped below
// one, but together they could pass it, which made every parameter NaN
// and the link fail with "level exact has no u". The fit must stay finite.
func TestEstimateTinySpace(t *testing.T) {
	levels := []string{"exact", "else", "null"}
	cs := []compare.Comparison{
		{Name: "forename", Levels: levels},
		{Name: "surname", Levels: levels, Household: true},
		{Name: "dob", Levels: levels, Identifier: true},
		{Name: "email", Levels: levels, Contact: true},
	}
	for i := range cs {
		cs[i].Compare = func(a, b *pseudo.Record) uint8 { return 2 }
	}
	var same compare.Vector // every field exact
	for _, space := range []float64{1, 2, 3} {
		random := new(LevelCounts)
		random.Add(same, len(cs))
		m, err := Estimate(cs, Data{Patterns: Patterns{same: 1}, Random: random, Space: space}, EMOptions{})
		if err != nil && !errors.Is(err, ErrNoMatches) {
			t.Fatalf("space %g: %v", space, err)
		}
		finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
		if !finite(m.Lambda) || m.Lambda <= 0 || m.Lambda >= 1 {
			t.Errorf("space %g: λ = %v", space, m.Lambda)
		}
		if m.Related != nil && (!finite(m.Related.Prior) || m.Lambda+m.Related.Prior >= 1) {
			t.Errorf("space %g: λ %v + ρ %v", space, m.Lambda, m.Related.Prior)
		}
		for _, f := range m.Fields {
			for _, lv := range f.Levels[:len(f.Levels)-1] {
				if !finite(lv.M) || !finite(lv.U) || !finite(lv.R) || !(lv.U > 0) {
					t.Errorf("space %g: %s %s: m %v u %v r %v", space, f.Name, lv.Name, lv.M, lv.U, lv.R)
				}
			}
		}
	}
}

// TestUnreachedLevelsWeighNothing fits a model to data in which field c's
// "close" level is reached by no pair at all: its weight must be zero, not
// the ten bits or so that smoothing alone would give it, while every
// level the data reach keeps its fitted weight.
func TestUnreachedLevelsWeighNothing(t *testing.T) {
	const space, matches = 400_000, 2_000
	pats, random := simulate(7, space, matches, 200_000, func(v compare.Vector) bool { return v.Level(0) <= 1 || v.Level(1) <= 1 })
	move := func(v compare.Vector) compare.Vector {
		if v.Level(2) == 1 {
			return v.With(2, 0) // no pair reaches c's close level
		}
		return v
	}
	moved := Patterns{}
	for v, c := range pats {
		moved[move(v)] += c
	}
	random[2][0] += random[2][1]
	random[2][1] = 0
	m, err := Estimate(comps(), Data{Patterns: moved, Random: random, Space: space}, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lv := m.Fields[2].Levels[1]; lv.M != lv.U {
		t.Errorf("c close, reached by no pair: m %g, u %g (weight %.1f bits), want m = u", lv.M, lv.U, math.Log2(lv.M/lv.U))
	}
	for f := range 3 {
		for l := range 3 {
			if f == 2 && l == 1 {
				continue
			}
			if lv := m.Fields[f].Levels[l]; lv.M == lv.U {
				t.Errorf("level %d of field %d, which pairs reach, lost its weight", l, f)
			}
		}
	}
	if !strings.Contains(strings.Join(m.Notes, "; "), "1 level reached by no candidate pair") {
		t.Errorf("notes %q do not count the level", m.Notes)
	}
}

// TestEstimateDependence simulates two contact fields that matches change
// together (a move: a new phone and a new e-mail address at once) and
// checks that EM measures how often both differ, where independence
// would multiply the two shares, and weighs a pair differing on both by
// it; with changes made one field at a time the correction vanishes.
func TestEstimateDependence(t *testing.T) {
	levels := []string{"exact", "else", "null"}
	cs := []compare.Comparison{
		{Name: "surname", Levels: levels},
		{Name: "dob", Levels: levels, Identifier: true},
		{Name: "phone", Levels: levels, Contact: true},
		{Name: "email", Levels: levels, Contact: true},
	}
	for i := range cs {
		cs[i].Compare = func(a, b *pseudo.Record) uint8 { return 2 }
	}
	const space, matches, nonMatches = 1e8, 3000, 30000
	for _, tt := range []struct {
		name     string
		together bool
		want     float64 // share of matches differing on both
	}{
		{"changed together", true, 0.3},
		{"changed apart", false, 0.3 * 0.3},
	} {
		rng := rand.New(rand.NewPCG(11, 11))
		bit := func(p float64) uint8 {
			if rng.Float64() < p {
				return 0
			}
			return 1
		}
		pats := Patterns{}
		for range matches {
			v := compare.Vector(0).With(0, bit(0.95)).With(1, bit(0.97))
			if tt.together {
				moved := bit(0.7) // 1 with probability 0.3
				v = v.With(2, moved).With(3, moved)
			} else {
				v = v.With(2, bit(0.7)).With(3, bit(0.7))
			}
			pats[v]++
		}
		for range nonMatches {
			pats[compare.Vector(0).With(0, bit(0.3)).With(1, bit(0.001)).With(2, bit(0.001)).With(3, bit(0.0005))]++
		}
		random := new(LevelCounts)
		for range 200_000 {
			random.Add(compare.Vector(0).With(0, bit(0.01)).With(1, bit(0.0001)).With(2, bit(0.00001)).With(3, bit(0.00001)), 4)
		}
		m, err := Estimate(cs, Data{Patterns: pats, Random: random, Space: space}, EMOptions{MaxMatches: 1e5})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: m else %.3f %.3f, expected matches %.0f, related %v", tt.name, m.Fields[2].Levels[1].M, m.Fields[3].Levels[1].M, m.ExpectedMatches, m.Related)
		if len(m.Dependence) != 1 || m.Dependence[0].Fields != [2]int{2, 3} {
			t.Fatalf("%s: dependence %+v, want one between phone and email", tt.name, m.Dependence)
		}
		d := m.Dependence[0]
		alone := m.Fields[2].Levels[1].M * m.Fields[3].Levels[1].M
		if math.Abs(d.Both-tt.want) > 0.03 || math.Abs(d.Weight-math.Log2(d.Both/alone)) > 1e-9 {
			t.Errorf("%s: both differ in %.3f of matches (weight %+.2f, independent %.3f), want %.3f", tt.name, d.Both, d.Weight, alone, tt.want)
		}
		if !tt.together && math.Abs(d.Weight) > 0.2 {
			t.Errorf("%s: weight %+.2f bits, want about none", tt.name, d.Weight)
		}

		// The scorer adds the weight when both differ, shares it between
		// the two fields in the explanation, and the model survives a
		// save and load.
		s, err := NewScorer(m)
		if err != nil {
			t.Fatal(err)
		}
		both, one, other := compare.Vector(0).With(2, 1).With(3, 1), compare.Vector(0).With(2, 1), compare.Vector(0).With(3, 1)
		ratio := func(v compare.Vector) float64 { r, _ := s.Ratios(0, v); return r }
		if got := ratio(both) - ratio(one) - (ratio(other) - ratio(0)); math.Abs(got-d.Weight) > 1e-9 {
			t.Errorf("%s: both differing adds %+.3f bits beyond the two alone, want %+.3f", tt.name, got, d.Weight)
		}
		ex := s.Explain(0, both)
		sum := m.PriorWeight()
		for _, c := range ex {
			sum += c.Weight
		}
		if math.Abs(sum-s.Weight(0, both)) > 1e-9 {
			t.Errorf("%s: explanation sums to %.4f, weight %.4f", tt.name, sum, s.Weight(0, both))
		}
		path := filepath.Join(t.TempDir(), "model.json")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		back, err := Load(path)
		if err != nil || len(back.Dependence) != 1 || back.Dependence[0] != d {
			t.Errorf("%s: loaded dependence %+v (%v), saved %+v", tt.name, back.Dependence, err, d)
		}
		// A saved model reused on new data keeps it.
		reused, err := EstimatePrior(back, cs, pats, space, EMOptions{MaxMatches: 1e5})
		if err != nil || len(reused.Dependence) != 1 || math.Abs(reused.Dependence[0].Weight-d.Weight) > 1e-9 {
			t.Errorf("%s: reused model's dependence %+v (%v), want %+v", tt.name, reused.Dependence, err, d)
		}
	}
}
