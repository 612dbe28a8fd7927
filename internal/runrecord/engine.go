package runrecord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// The shapes below are how a run of the pipeline records its engine's
// parameters in Record.Blocking and Record.Scoring: one entry for each
// linkage, by name. Render reads them to print tables; a record of
// another shape (an older run, another engine) is printed as JSON.

// blockingStats is one linkage's blocking, as internal/block reports it.
type blockingStats struct {
	Rules []struct {
		Name          string `json:"name"`
		Generated     int64  `json:"generated"`
		New           int64  `json:"new"`
		SkippedBlocks int64  `json:"skipped_blocks"`
		SkippedPairs  int64  `json:"skipped_pairs"`
	} `json:"rules"`
	ComparisonSpace float64 `json:"comparison_space"`
	Candidates      int64   `json:"candidates"`
	ReductionRatio  float64 `json:"reduction_ratio"`
}

// scoring is one linkage's scoring: its threshold, counts and the fitted
// model, as internal/score saves it.
type scoring struct {
	Threshold float64 `json:"threshold"`
	Compared  int64   `json:"pairs_compared"`
	Kept      int64   `json:"pairs_kept"`
	Model     *struct {
		Fields []struct {
			Name   string `json:"name"`
			Levels []struct {
				Name string   `json:"name"`
				M    float64  `json:"m"`
				U    float64  `json:"u"`
				R    *float64 `json:"r"`
			} `json:"levels"`
			TermFrequency bool  `json:"term_frequency"`
			TermLevel     uint8 `json:"term_level"`
			Related       bool  `json:"related"`
		} `json:"fields"`
		Lambda          float64 `json:"lambda"`
		ComparisonSpace float64 `json:"comparison_space"`
		ExpectedMatches float64 `json:"expected_matches"`
		Iterations      int     `json:"iterations"`
		Converged       bool    `json:"converged"`
		Related         *struct {
			Prior    float64 `json:"prior"`
			Expected float64 `json:"expected"`
		} `json:"related"`
		Notes []string `json:"notes"`
	} `json:"model"`
}

// byLinkage decodes raw as an object of linkages, each of type T, and
// returns the linkages' names in order. ok is false when raw is not of
// that shape, or when valid says an entry is not.
func byLinkage[T any](raw json.RawMessage, valid func(*T) bool) (m map[string]*T, names []string, ok bool) {
	if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
		return nil, nil, false
	}
	for name, v := range m {
		if v == nil || !valid(v) {
			return nil, nil, false
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return m, names, true
}

// renderBlocking writes each linkage's blocking rules as a table: the pairs
// each rule generated, those it was first to generate, and the blocks it
// left out as too large. It reports false, writing nothing, when raw is not
// of the pipeline's shape.
func renderBlocking(b *bytes.Buffer, raw json.RawMessage) bool {
	m, names, ok := byLinkage(raw, func(s *blockingStats) bool { return len(s.Rules) > 0 })
	if !ok {
		return false
	}
	for i, name := range names {
		s := m[name]
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(b, "  %s: %s candidate pairs of %s (reduction ratio %s)\n", name,
			thousands(s.Candidates), bigCount(s.ComparisonSpace), strconv.FormatFloat(s.ReductionRatio, 'f', 6, 64))
		rows := [][]string{{"RULE", "GENERATED", "NEW", "SKIPPED BLOCKS", "SKIPPED PAIRS"}}
		for _, r := range s.Rules {
			rows = append(rows, []string{r.Name, thousands(r.Generated), thousands(r.New), thousands(r.SkippedBlocks), thousands(r.SkippedPairs)})
		}
		table(b, "    ", rows, 1, 2, 3, 4)
	}
	return true
}

// renderScoring writes each linkage's threshold and counts, the model's
// priors and EM run, and its parameters as a table of match weights: for
// every level of every field, m (its share among matches), u (among
// non-matches), r (among relatives and namesakes, where the model has
// that class) and the weight log2(m/u) that agreement at the level adds. It
// reports false, writing nothing, when raw is not of the pipeline's shape.
func renderScoring(b *bytes.Buffer, raw json.RawMessage) bool {
	m, names, ok := byLinkage(raw, func(s *scoring) bool { return s.Model != nil && len(s.Model.Fields) > 0 })
	if !ok {
		return false
	}
	for i, name := range names {
		s := m[name]
		md := s.Model
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(b, "  %s: threshold %s, %s pairs compared, %s kept\n", name,
			strconv.FormatFloat(s.Threshold, 'g', -1, 64), thousands(s.Compared), thousands(s.Kept))
		converged := "converged"
		if !md.Converged {
			converged = "did not converge"
		}
		kv := [][2]string{
			{"Match prior", fmt.Sprintf("%.4g (%s matches expected among %s pairs)", md.Lambda, bigCount(md.ExpectedMatches), bigCount(md.ComparisonSpace))},
		}
		if md.Related != nil {
			kv = append(kv, [2]string{"Related prior", fmt.Sprintf("%.4g (%s pairs of relatives or namesakes expected)", md.Related.Prior, bigCount(md.Related.Expected))})
		}
		kv = append(kv, [2]string{"EM", fmt.Sprintf("%d iterations, %s", md.Iterations, converged)})
		fields(b, "    ", kv)
		for _, n := range md.Notes {
			b.WriteString("    Note  ")
			b.WriteString(n)
			b.WriteByte('\n')
		}
		related := md.Related != nil
		head := []string{"FIELD", "LEVEL", "M", "U", "WEIGHT"}
		right := []int{2, 3, 4}
		if related {
			head = append(head, "R")
			right = append(right, 5)
		}
		rows := [][]string{head}
		for _, f := range md.Fields {
			for l, lv := range f.Levels[:max(len(f.Levels)-1, 0)] { // the last level is null: no evidence
				field, level := "", lv.Name
				if l == 0 {
					field = f.Name
				}
				if f.TermFrequency && int(f.TermLevel) == l {
					level += " (by value)"
				}
				row := []string{field, level, prob(lv.M), prob(lv.U), weight(lv.M, lv.U)}
				if related {
					r := "= u"
					if f.Related && lv.R != nil {
						r = prob(*lv.R)
					}
					row = append(row, r)
				}
				rows = append(rows, row)
			}
		}
		b.WriteByte('\n')
		table(b, "    ", rows, right...)
	}
	b.WriteString("\n  M: share of matching pairs at the level; U: of other pairs; WEIGHT: log2(M/U), the bits\n")
	b.WriteString("  of evidence agreement at the level adds. A level marked \"by value\" is weighed by how\n")
	b.WriteString("  common the value agreed on is; R: share of relatives and namesakes, weighed against.\n")
	return true
}

// prob formats a probability to four significant figures.
func prob(p float64) string { return strconv.FormatFloat(p, 'g', 4, 64) }

// weight formats log2(m/u) with a sign, or "-" when it is not a number.
func weight(m, u float64) string {
	w := math.Log2(m / u)
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return "-"
	}
	return fmt.Sprintf("%+.2f", w)
}

// bigCount formats a count held as a float (a comparison space can pass
// what an int64 holds only in theory) with thousands separators.
func bigCount(x float64) string {
	if math.IsNaN(x) || x < 0 || x >= math.MaxInt64 {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	return thousands(int64(math.Round(x)))
}
