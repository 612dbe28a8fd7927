package runrecord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/datamatch/datamatch/internal/score"
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
	Threshold float64      `json:"threshold"`
	Compared  int64        `json:"pairs_compared"`
	Kept      int64        `json:"pairs_kept"`
	Model     *score.Model `json:"model"`
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

// renderScoring writes each linkage's threshold and counts, then its
// model's priors, EM run and table of match weights (see
// score.Model.WriteWeights). It reports false, writing nothing, when raw
// is not of the pipeline's shape.
func renderScoring(b *bytes.Buffer, raw json.RawMessage) bool {
	m, names, ok := byLinkage(raw, func(s *scoring) bool { return s.Model != nil && len(s.Model.Fields) > 0 })
	if !ok {
		return false
	}
	for i, name := range names {
		s := m[name]
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(b, "  %s: threshold %s, %s pairs compared, %s kept\n", name,
			strconv.FormatFloat(s.Threshold, 'g', -1, 64), thousands(s.Compared), thousands(s.Kept))
		s.Model.WriteWeights(b, "    ") // a bytes.Buffer does not fail
	}
	return true
}

// bigCount formats a count held as a float (a comparison space can pass
// what an int64 holds only in theory) with thousands separators.
func bigCount(x float64) string {
	if math.IsNaN(x) || x < 0 || x >= math.MaxInt64 {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	return thousands(int64(math.Round(x)))
}
