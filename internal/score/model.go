// Package score turns comparison vectors into Fellegi–Sunter match weights
// and probabilities, and estimates the model that does so from the data
// alone, without labelled pairs.
//
// For each comparison level the model holds m, the probability of the
// level among matching pairs, and u, its probability among non-matching
// pairs; and it holds λ, the probability that a pair drawn from the whole
// comparison space (every left record with every right record) is a match.
// A pair's match weight is
//
//	log2(λ/(1-λ)) + Σ log2(m/u)
//
// over its compared fields (a null level adds nothing), and its match
// probability is 2^w/(1+2^w). u comes from comparing random pairs;
// m and λ come from expectation–maximisation over the candidate pairs'
// comparison vectors (see Estimate). An exact match on a value is further
// weighted by the value's frequency in the data, so that a match on a
// common surname counts for less than one on a rare surname.
//
// Scoring is pure: vectors and parameters in, weights out.
package score

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/compare"
)

// ModelVersion is the version of the serialised Model.
const ModelVersion = 1

// Level holds the parameters of one comparison level.
type Level struct {
	Name string  `json:"name"`
	M    float64 `json:"m"` // probability of the level among matches, given the field is not null
	U    float64 `json:"u"` // probability of the level among non-matches, given the field is not null
	// R is the probability of the level among related pairs, given the
	// field is not null, for a field whose Related is set (see Related).
	R float64 `json:"r,omitempty"`
}

// Field holds the parameters of one comparison. Its last level is the
// null level, whose M and U are zero: a null field is no evidence.
type Field struct {
	Name   string  `json:"name"`
	Levels []Level `json:"levels"`
	// TermFrequency says that level TermLevel is weighted by the
	// frequency of the value matched on.
	TermFrequency bool  `json:"term_frequency,omitempty"`
	TermLevel     uint8 `json:"term_level,omitempty"`
	// HomeU, for every field but the home one of a model with a Home, holds for
	// each level its probability among non-matching pairs that share a
	// home (given the field is not null), used instead of U for such
	// pairs. It is empty for other fields.
	HomeU []float64 `json:"home_u,omitempty"`
	// Related says that the related class has its own parameters (the
	// levels' R) on this field; on other fields its parameters are u.
	Related bool `json:"related,omitempty"`
}

// Related describes the related class of a model: pairs of different
// people who agree on relation fields (household fields and the home
// comparison) more often, and more jointly, than random pairs do —
// relatives, people sharing a home, people whose email address is built
// from a shared name. A match is weighed against them as well as against
// non-matches (see Scorer.Weight).
type Related struct {
	// Prior is ρ, the probability that a pair drawn from the comparison
	// space is related, and Expected is ρ × the comparison space.
	Prior    float64 `json:"prior"`
	Expected float64 `json:"expected"`
}

// Home describes how pairs that share a home are scored: people who share
// a home agree on surname, phone and more far more often than random
// people, so those fields' agreement is weighed against HomeU.
type Home struct {
	Field  int     `json:"field"`  // index of the comparison whose levels say so
	Levels []uint8 `json:"levels"` // its levels that mean a shared home
	// Pairs is the number of same-home pairs within the datasets that
	// HomeU was measured on, and Duplicates the share of them judged to
	// be one person held twice.
	Pairs      float64 `json:"pairs"`
	Duplicates float64 `json:"duplicates"`
}

func (h *Home) mask() uint16 {
	var m uint16
	for _, l := range h.Levels {
		m |= 1 << l
	}
	return m
}

// Model is a fitted Fellegi–Sunter model.
type Model struct {
	Version int     `json:"version"`
	Fields  []Field `json:"fields"`
	// Lambda is the prior probability that a pair drawn from the
	// comparison space is a match.
	Lambda float64 `json:"lambda"`
	// ComparisonSpace is the number of pairs Lambda refers to, and
	// ExpectedMatches is Lambda × ComparisonSpace: the number of matching
	// pairs the model expects in the data it was fitted on.
	ComparisonSpace float64 `json:"comparison_space"`
	ExpectedMatches float64 `json:"expected_matches"`
	// Iterations and Converged describe the EM run.
	Iterations int  `json:"iterations"`
	Converged  bool `json:"converged"`
	// Home, when set, says how pairs sharing a home are scored.
	Home *Home `json:"home,omitempty"`
	// Related, when set, is the related class.
	Related *Related `json:"related,omitempty"`
	// Dependence lists the pairs of fields whose disagreement among
	// matches is not independent (see Dependence).
	Dependence []Dependence `json:"dependence,omitempty"`
	// Notes records what the estimation had to correct, for the run
	// record.
	Notes []string `json:"notes,omitempty"`
}

// Dependence corrects, for one pair of fields, the conditional
// independence Fellegi–Sunter assumes: among the matches, two ways of
// reaching a person (a phone number and an e-mail address) go stale
// together, so a match that differs on one usually differs on both, and
// multiplying their else levels' m counts one change twice. When a pair
// is at both fields' else levels, the scorer adds Weight =
// log2(Both / (m_a · m_b)), Both being the share of matches with both
// fields known that differ on both, and m_a, m_b the fields' else m. Both
// is at least m_a · m_b, so that Weight is never negative.
type Dependence struct {
	Fields [2]int  `json:"fields"` // comparison indexes
	Both   float64 `json:"m_both_else"`
	Weight float64 `json:"weight"`
}

// PriorWeight returns the prior log2 odds the scorer starts a pair's
// weight from: log2(λ/(1-λ-ρ)), with ρ the related prior (0 without a
// related class). A pair's weight is it plus its explanation's sum.
func (m *Model) PriorWeight() float64 {
	rho := 0.0
	if m.Related != nil {
		rho = m.Related.Prior
	}
	return math.Log2(m.Lambda / (1 - m.Lambda - rho))
}

// Check reports whether m fits the comparisons cs: the same comparisons,
// in the same order, with the same levels.
func (m *Model) Check(cs []compare.Comparison) error {
	if len(m.Fields) != len(cs) {
		return fmt.Errorf("score: model has %d fields, comparisons %d", len(m.Fields), len(cs))
	}
	for i, f := range m.Fields {
		c := cs[i]
		if f.Name != c.Name {
			return fmt.Errorf("score: model field %d is %q, comparison is %q", i, f.Name, c.Name)
		}
		if len(f.Levels) != len(c.Levels) {
			return fmt.Errorf("score: model field %q has %d levels, comparison %d", f.Name, len(f.Levels), len(c.Levels))
		}
		for j, l := range f.Levels {
			if l.Name != c.Levels[j] {
				return fmt.Errorf("score: model field %q level %d is %q, comparison has %q", f.Name, j, l.Name, c.Levels[j])
			}
		}
	}
	return nil
}

// validate checks that m's parameters are usable.
func (m *Model) validate() error {
	if m.Version != ModelVersion {
		return fmt.Errorf("score: model version %d, want %d", m.Version, ModelVersion)
	}
	if !(m.Lambda > 0 && m.Lambda < 1) {
		return errors.New("score: model prior is not a probability in (0, 1)")
	}
	if len(m.Fields) == 0 || len(m.Fields) > compare.MaxComparisons {
		return fmt.Errorf("score: model has %d fields", len(m.Fields))
	}
	for _, f := range m.Fields {
		if len(f.Levels) < 2 || len(f.Levels) > compare.MaxLevels {
			return fmt.Errorf("score: model field %q has %d levels", f.Name, len(f.Levels))
		}
		if f.TermFrequency && int(f.TermLevel) >= len(f.Levels)-2 {
			return fmt.Errorf("score: model field %q adjusts level %d by term frequency", f.Name, f.TermLevel)
		}
		for _, l := range f.Levels[:len(f.Levels)-1] {
			if !(l.M > 0 && l.M <= 1 && l.U > 0 && l.U <= 1) || math.IsNaN(l.M) || math.IsNaN(l.U) {
				return fmt.Errorf("score: model field %q level %q has m or u outside (0, 1]", f.Name, l.Name)
			}
		}
		if f.Related {
			if m.Related == nil {
				return fmt.Errorf("score: model field %q has related parameters without a related class", f.Name)
			}
			for _, l := range f.Levels[:len(f.Levels)-1] {
				if !(l.R > 0 && l.R <= 1) {
					return fmt.Errorf("score: model field %q level %q has r outside (0, 1]", f.Name, l.Name)
				}
			}
		}
		if len(f.HomeU) > 0 {
			if m.Home == nil || len(f.HomeU) != len(f.Levels) {
				return fmt.Errorf("score: model field %q has home u without a home", f.Name)
			}
			for _, u := range f.HomeU[:len(f.HomeU)-1] {
				if !(u > 0 && u <= 1) {
					return fmt.Errorf("score: model field %q has a home u outside (0, 1]", f.Name)
				}
			}
		}
	}
	for _, d := range m.Dependence {
		a, b := d.Fields[0], d.Fields[1]
		if a < 0 || b < 0 || a >= len(m.Fields) || b >= len(m.Fields) || a == b ||
			len(m.Fields[a].Levels) < 3 || len(m.Fields[b].Levels) < 3 {
			return errors.New("score: model dependence refers to no pair of fields")
		}
		if !(d.Both > 0 && d.Both <= 1) || math.IsNaN(d.Weight) || math.IsInf(d.Weight, 0) {
			return fmt.Errorf("score: model dependence of %q and %q is not a probability", m.Fields[a].Name, m.Fields[b].Name)
		}
	}
	if r := m.Related; r != nil && !(r.Prior > 0 && r.Prior+m.Lambda < 1) {
		return errors.New("score: model related prior is not a probability in (0, 1-λ)")
	}
	if h := m.Home; h != nil {
		if h.Field < 0 || h.Field >= len(m.Fields) || len(h.Levels) == 0 {
			return errors.New("score: model home refers to no field")
		}
		for _, l := range h.Levels {
			if int(l) >= len(m.Fields[h.Field].Levels)-2 {
				return fmt.Errorf("score: model home level %d is not a match level", l)
			}
		}
		if len(m.Fields[h.Field].HomeU) > 0 {
			return errors.New("score: model home field has home u")
		}
	}
	return nil
}

// Save writes m to path as JSON, atomically.
func (m *Model) Save(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("save model %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// Load reads a model saved by Save and checks its parameters.
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	m, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", path, err)
	}
	return m, nil
}

// decode parses and checks a serialised model.
func decode(b []byte) (*Model, error) {
	m := new(Model)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, err
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}
