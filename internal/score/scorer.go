package score

import (
	"fmt"
	"math"
	"slices"

	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/radix"
)

// Scorer computes match weights from comparison vectors under a model. It
// is safe for concurrent use.
type Scorer struct {
	model      *Model
	prior      float64
	n          int
	weight     [compare.MaxComparisons][compare.MaxLevels]float64
	homeWeight [compare.MaxComparisons][compare.MaxLevels]float64 // for pairs sharing a home
	home       int                                                // home comparison, or -1
	homeMask   uint16
	terms      []TermAdjustment

	// The related class: log2(r/u) per level, with the home u for
	// pairs sharing a home, and the prior log2 odds of related against
	// non-match; rel is false without a related class.
	rel                      bool
	relPrior                 float64
	relWeight, relHomeWeight [compare.MaxComparisons][compare.MaxLevels]float64

	deps []scorerDependence
}

// scorerDependence is a model Dependence ready to apply.
type scorerDependence struct {
	a, b         int
	elseA, elseB uint8
	weight       float64
}

// dependenceWeight is the correction of v for the model's dependent
// fields (see Dependence): 0 unless a pair of them is at both else levels.
func (s *Scorer) dependenceWeight(v compare.Vector) float64 {
	var w float64
	for _, d := range s.deps {
		if v.Level(d.a) == d.elseA && v.Level(d.b) == d.elseB {
			w += d.weight
		}
	}
	return w
}

// RelatedField is the name of the contribution Explain adds, for a model
// with a related class, for the weight the relation fields lose because
// related people agree on them too (see Scorer.Weight).
const RelatedField = "related"

// TermAdjustment holds, for one comparison, the weight to add to a pair
// whose left record matched at the term level on its value: log2(u/p),
// where u is the model's u for the level and p the value's frequency.
type TermAdjustment struct {
	Field int       // comparison index
	Level uint8     // the adjusted level
	Left  []float32 // adjustment per left record index; 0 for a null value
}

// NewScorer returns a Scorer for m, with optional term-frequency
// adjustments (see TermCounts.Adjustments).
func NewScorer(m *Model, terms ...TermAdjustment) (*Scorer, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	s := &Scorer{model: m, n: len(m.Fields), home: -1}
	for _, d := range m.Dependence {
		a, b := d.Fields[0], d.Fields[1]
		s.deps = append(s.deps, scorerDependence{a: a, b: b,
			elseA: uint8(len(m.Fields[a].Levels) - 2), elseB: uint8(len(m.Fields[b].Levels) - 2), weight: d.Weight})
	}
	s.setPriors(m.Lambda, 0)
	if m.Home != nil {
		s.home, s.homeMask = m.Home.Field, m.Home.mask()
	}
	if m.Related != nil {
		s.rel = true
		s.setPriors(m.Lambda, m.Related.Prior)
	}
	for f, fm := range m.Fields {
		for l, lv := range fm.Levels[:len(fm.Levels)-1] {
			s.weight[f][l] = math.Log2(lv.M / lv.U)
			s.homeWeight[f][l] = s.weight[f][l]
			if len(fm.HomeU) > 0 {
				s.homeWeight[f][l] = math.Log2(lv.M / fm.HomeU[l])
			}
			if fm.Related {
				s.relWeight[f][l] = math.Log2(lv.R / lv.U)
				s.relHomeWeight[f][l] = s.relWeight[f][l]
				if len(fm.HomeU) > 0 {
					s.relHomeWeight[f][l] = math.Log2(lv.R / fm.HomeU[l])
				}
			}
		}
	}
	for _, t := range terms {
		if t.Field < 0 || t.Field >= s.n || int(t.Level) >= len(m.Fields[t.Field].Levels)-2 {
			return nil, fmt.Errorf("score: term adjustment for field %d level %d does not fit the model", t.Field, t.Level)
		}
	}
	s.terms = slices.Clone(terms)
	return s, nil
}

// WithLambda returns a scorer for the same model with prior λ in place
// of the model's, sharing everything else; the model is copied with the
// new prior and expected matches.
func (s *Scorer) WithLambda(lambda float64) *Scorer {
	rho := 0.0
	if s.model.Related != nil {
		rho = s.model.Related.Prior
	}
	return s.WithPriors(lambda, rho)
}

// WithPriors returns a scorer for the same model with match prior λ and,
// for a model with a related class, related prior ρ in place of the
// model's (ρ is ignored without one).
func (s *Scorer) WithPriors(lambda, rho float64) *Scorer {
	m := *s.model
	m.Lambda = clampLambda(lambda)
	m.ExpectedMatches = m.Lambda * m.ComparisonSpace
	if m.Related != nil {
		r := *m.Related
		r.Prior = min(clampLambda(rho), 0.5*(1-m.Lambda))
		r.Expected = r.Prior * m.ComparisonSpace
		m.Related = &r
	}
	t := *s
	t.model = &m
	t.setPriors(m.Lambda, 0)
	if m.Related != nil {
		t.setPriors(m.Lambda, m.Related.Prior)
	}
	return &t
}

// setPriors sets the prior log2 odds of a match, and of a related pair,
// against a non-match.
func (s *Scorer) setPriors(lambda, rho float64) {
	rest := 1 - lambda - rho
	s.prior = math.Log2(lambda / rest)
	s.relPrior = math.Log2(rho / rest)
}

// Ratios returns the log2 likelihood ratios of the pair (left, v) for a
// match and for a related pair, each against a non-match, without the
// priors; related is -Inf for a model without a related class. Combine
// them with given priors by WeightOfRatios.
func (s *Scorer) Ratios(left int32, v compare.Vector) (match, related float64) {
	t, rt := s.tables(v)
	var term float64
	if t == &s.weight {
		term = s.termWeight(left, v)
	}
	for f := range s.n {
		match += t[f][v.Level(f)]
	}
	match += s.dependenceWeight(v)
	if !s.rel {
		return match + term, math.Inf(-1)
	}
	for f := range s.n {
		related += rt[f][v.Level(f)]
	}
	return match + term, related + term
}

// WeightOfRatios returns the match weight of a pair whose log2 likelihood
// ratios (see Scorer.Ratios) are match and related, under match prior λ
// and related prior ρ (0 without a related class):
//
//	log2(λ/(1-λ-ρ)) + match - log2(1 + ρ/(1-λ-ρ)·2^related)
func WeightOfRatios(lambda, rho, match, related float64) float64 {
	rest := 1 - lambda - rho
	w := math.Log2(lambda/rest) + match
	if rho > 0 && !math.IsInf(related, -1) {
		w -= log2OnePlusExp2(math.Log2(rho/rest) + related)
	}
	return w
}

// log2OnePlusExp2 returns log2(1 + 2^x) without overflow.
func log2OnePlusExp2(x float64) float64 {
	if x > 50 {
		return x
	}
	return math.Log2(1 + math.Exp2(x))
}

// relatedCorrection returns the weight a pair loses to the related class:
// -log2(1 + ρ/(1-λ-ρ)·2^related), or 0 without a related class.
func (s *Scorer) relatedCorrection(related float64) float64 {
	if !s.rel {
		return 0
	}
	return -log2OnePlusExp2(s.relPrior + related)
}

// Model returns the scorer's model.
func (s *Scorer) Model() *Model { return s.model }

// Prior returns the prior log2 odds of a match.
func (s *Scorer) Prior() float64 { return s.prior }

// RelatedPrior returns the prior log2 odds of a related pair against a
// non-match, or -Inf for a model without a related class.
func (s *Scorer) RelatedPrior() float64 {
	if !s.rel {
		return math.Inf(-1)
	}
	return s.relPrior
}

// table returns the weights that apply to v: the home weights when v
// says the pair shares a home.
func (s *Scorer) table(v compare.Vector) *[compare.MaxComparisons][compare.MaxLevels]float64 {
	t, _ := s.tables(v)
	return t
}

// tables returns the match and related weights that apply to v.
func (s *Scorer) tables(v compare.Vector) (t, rt *[compare.MaxComparisons][compare.MaxLevels]float64) {
	if s.home >= 0 && s.homeMask&(1<<v.Level(s.home)) != 0 {
		return &s.homeWeight, &s.relHomeWeight
	}
	return &s.weight, &s.relWeight
}

// Weight returns the match weight of a pair whose left record has index
// left and whose comparison vector is v: the log2 odds of a match against
// the other classes. Without a related class it is the prior plus each
// field's log2(m/u). With one, the pair's likelihood is weighed against
// non-matches and related pairs together, which subtracts
// log2(1 + ρ/(1-λ-ρ)·Π r/u) (see WeightOfRatios): agreement on relation
// fields that related people share counts for little unless the personal
// fields agree too.
func (s *Scorer) Weight(left int32, v compare.Vector) float64 {
	a, b := s.Ratios(left, v)
	return s.prior + a + s.relatedCorrection(b)
}

// termWeight is the term-frequency adjustment of the pair (left, v). It
// does not apply to pairs that share a home: a household shares its
// surname whether the surname is rare or common.
func (s *Scorer) termWeight(left int32, v compare.Vector) float64 {
	var w float64
	for i := range s.terms {
		t := &s.terms[i]
		if v.Level(t.Field) == t.Level {
			w += float64(t.Left[left])
		}
	}
	return w
}

// PatternWeight returns the weight of v without term-frequency
// adjustment.
func (s *Scorer) PatternWeight(v compare.Vector) float64 {
	t, rt := s.tables(v)
	return s.tableWeight(t, rt, v)
}

// tableWeight is the weight of v under the match and related weights t
// and rt, without term-frequency adjustment.
func (s *Scorer) tableWeight(t, rt *[compare.MaxComparisons][compare.MaxLevels]float64, v compare.Vector) float64 {
	w := s.prior
	var b float64
	for f := range s.n {
		w += t[f][v.Level(f)]
		b += rt[f][v.Level(f)]
	}
	return w + s.dependenceWeight(v) + s.relatedCorrection(b)
}

// ApartWeight returns the weight of v without term-frequency adjustment,
// as for two records that do not share a home, whatever v's address
// level: the weight a record's self-comparison vector gets, to ask
// whether the record could be linked to an identical copy of itself
// elsewhere (see linkage.Result.Unlinkable).
func (s *Scorer) ApartWeight(v compare.Vector) float64 {
	return s.tableWeight(&s.weight, &s.relWeight, v)
}

// Explain returns every field's contribution to the weight of the pair
// (left, v), in model order, followed, for a model with a related class,
// by one named RelatedField (level "related") holding the weight lost to
// that class. The prior is not a field and is not listed; Weight is the
// prior plus the contributions' sum.
func (s *Scorer) Explain(left int32, v compare.Vector) []pair.Contribution {
	return s.AppendExplanation(make([]pair.Contribution, 0, s.ExplanationLen()), left, v)
}

// ExplanationLen returns the number of contributions Explain lists.
func (s *Scorer) ExplanationLen() int {
	if s.rel {
		return s.n + 1
	}
	return s.n
}

// AppendExplanation appends to dst the contributions Explain returns and
// returns the extended slice, so that the explanations of many pairs can
// share one allocation.
func (s *Scorer) AppendExplanation(dst []pair.Contribution, left int32, v compare.Vector) []pair.Contribution {
	dst = slices.Grow(dst, s.ExplanationLen())
	out := dst[len(dst) : len(dst)+s.n]
	t := s.table(v)
	for f := range s.n {
		l := v.Level(f)
		out[f] = pair.Contribution{Field: s.model.Fields[f].Name, Level: s.model.Fields[f].Levels[l].Name, Weight: t[f][l]}
	}
	if t == &s.weight {
		for i := range s.terms {
			t := &s.terms[i]
			if v.Level(t.Field) == t.Level {
				out[t.Field].Weight += float64(t.Left[left])
			}
		}
	}
	// A dependent pair's correction is shared by its two fields.
	for _, d := range s.deps {
		if v.Level(d.a) == d.elseA && v.Level(d.b) == d.elseB {
			out[d.a].Weight += d.weight / 2
			out[d.b].Weight += d.weight / 2
		}
	}
	dst = dst[:len(dst)+s.n]
	if s.rel {
		_, b := s.Ratios(left, v)
		dst = append(dst, pair.Contribution{Field: RelatedField, Level: "related", Weight: s.relatedCorrection(b)})
	}
	return dst
}

// Probability returns the match probability 2^w/(1+2^w) of weight w.
func Probability(w float64) float64 {
	if w >= 0 {
		return 1 / (1 + math.Exp2(-w))
	}
	z := math.Exp2(w)
	return z / (1 + z)
}

// WeightOf returns the weight whose probability is p, in (0, 1).
func WeightOf(p float64) float64 { return math.Log2(p / (1 - p)) }

// TermCounts holds how frequent each left record's value of one
// comparison's term is, counted over left and right together (see
// CountTerms). It needs no model, so it can be counted while the model is
// being estimated; Adjustments then gives the term-frequency adjustment: a
// value's frequency p is its share of the non-null values, and an exact
// match on it weighs log2(m/p) instead of log2(m/u).
type TermCounts struct {
	// Comparison names the comparison counted.
	Comparison string
	// Log2 is, per left record, log2 of its value's share of the non-null
	// values; NaN when the record has no value.
	Log2 []float32
	// Values is the number of non-null values counted.
	Values int
}

// CountTerms counts the values of c's term (c.Term must not be nil) over
// left and right (nil for deduplication).
func CountTerms(c compare.Comparison, left, right []pseudo.Record) *TermCounts {
	n := len(left) + len(right)
	keys := make([]uint64, 0, n)
	for i := range left {
		if t := c.Term(&left[i]); t != 0 {
			keys = append(keys, uint64(fold(t))<<32|uint64(i))
		}
	}
	const rightFlag = 1 << 31
	for i := range right {
		if t := c.Term(&right[i]); t != 0 {
			keys = append(keys, uint64(fold(t))<<32|uint64(i)|rightFlag)
		}
	}
	total := float64(len(keys))
	keys = radix.SortHigh(keys, make([]uint64, len(keys)))
	logs := make([]float32, len(left))
	nan := float32(math.NaN())
	for i := range logs {
		logs[i] = nan
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j]>>32 == keys[i]>>32 {
			j++
		}
		lp := float32(math.Log2(float64(j-i) / total))
		for _, k := range keys[i:j] {
			if k&rightFlag == 0 {
				logs[uint32(k)] = lp
			}
		}
		i = j
	}
	return &TermCounts{Comparison: c.Name, Log2: logs, Values: len(keys)}
}

// Adjustments returns the term-frequency adjustment of comparison field
// (index f in m) from the counts: log2(u) - log2(p) for a left record whose
// value has frequency p, 0 for one without a value.
//
// A value that only two records hold (the two of a pair that agrees on
// it) gets no negative adjustment: a count cannot put a value's frequency
// below 2/n, the pair's own share, so when the level's u is smaller still
// (an identifier no two people share, or a date of birth among a few
// thousand records) the count says only that the value is no commoner
// than u, and u stands. Without this, every agreement on a unique NI
// number weighed log2(n/2) instead of log2(1/u): 5 bits less among
// 60,000 people.
func (tc *TermCounts) Adjustments(m *Model, f int, c compare.Comparison) (TermAdjustment, error) {
	if f < 0 || f >= len(m.Fields) || m.Fields[f].Name != c.Name || c.Term == nil || tc.Comparison != c.Name {
		return TermAdjustment{}, fmt.Errorf("score: no term frequencies for comparison %q", c.Name)
	}
	lv := m.Fields[f].Levels[c.TermLevel]
	if !(lv.U > 0) {
		return TermAdjustment{}, fmt.Errorf("score: comparison %q level %q has no u", c.Name, lv.Name)
	}
	logU := float32(math.Log2(lv.U))
	// log2 of the share of a value held by two records, with room for
	// rounding.
	pair := float32(math.Log2(2.5 / float64(max(tc.Values, 1))))
	adj := make([]float32, len(tc.Log2))
	for i, lp := range tc.Log2 {
		if lp == lp { // not NaN: the record has a value
			adj[i] = logU - lp
			if lp < pair {
				adj[i] = max(adj[i], 0)
			}
		}
	}
	return TermAdjustment{Field: f, Level: c.TermLevel, Left: adj}, nil
}

// fold reduces a token to 32 bits for counting. Two values that share the
// folded token have their counts pooled, which changes a weight by a
// fraction of a bit on the rare occasions it happens.
func fold(t pseudo.Token) uint32 { return uint32(t>>32) ^ uint32(t) }
