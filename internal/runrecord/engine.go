package runrecord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/datamatch/datamatch/internal/score"
	"github.com/datamatch/datamatch/internal/texttable"
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

// Scoring is one linkage's entry in Record.Scoring, keyed by the
// linkage's name: its threshold, counts and the fitted model, as
// internal/score saves it. The pipeline writes it and Render reads it.
type Scoring struct {
	Threshold float64 `json:"threshold"`
	Compared  int64   `json:"pairs_compared"`
	Kept      int64   `json:"pairs_kept"`
	// Left and Right name the linkage's datasets (one for a
	// deduplication); UnlinkableLeft and UnlinkableRight count their
	// records too poor to be linked (see linkage.Result.Unlinkable). All
	// are absent from older records, and the counts when nothing was
	// scored.
	Left            string       `json:"left,omitempty"`
	Right           string       `json:"right,omitempty"`
	UnlinkableLeft  *int64       `json:"unlinkable_left,omitempty"`
	UnlinkableRight *int64       `json:"unlinkable_right,omitempty"`
	Model           *score.Model `json:"model"`
}

// eachLinkage decodes raw as an object of linkages, each of type T, and
// calls render for each in name order, a blank line between two. It
// reports false, writing nothing, when raw is not of that shape or valid
// says an entry is not.
func eachLinkage[T any](b *bytes.Buffer, raw json.RawMessage, valid func(*T) bool, render func(name string, v *T)) bool {
	var m map[string]*T
	if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
		return false
	}
	names := make([]string, 0, len(m))
	for name, v := range m {
		if v == nil || !valid(v) {
			return false
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		render(name, m[name])
	}
	return true
}

// renderBlocking writes each linkage's blocking rules as a table: the pairs
// each rule generated, those it was first to generate, and the blocks it
// left out as too large. It reports false, writing nothing, when raw is not
// of the pipeline's shape.
func renderBlocking(b *bytes.Buffer, raw json.RawMessage) bool {
	return eachLinkage(b, raw, func(s *blockingStats) bool { return len(s.Rules) > 0 }, func(name string, s *blockingStats) {
		fmt.Fprintf(b, "  %s: %s candidate pairs of %s (reduction ratio %s)\n", name,
			texttable.Thousands(s.Candidates), texttable.Count(s.ComparisonSpace), strconv.FormatFloat(s.ReductionRatio, 'f', 6, 64))
		rows := [][]string{{"RULE", "GENERATED", "NEW", "SKIPPED BLOCKS", "SKIPPED PAIRS"}}
		for _, r := range s.Rules {
			rows = append(rows, []string{r.Name, texttable.Thousands(r.Generated), texttable.Thousands(r.New), texttable.Thousands(r.SkippedBlocks), texttable.Thousands(r.SkippedPairs)})
		}
		table(b, "    ", rows, 1, 2, 3, 4)
	})
}

// renderScoring writes each linkage's threshold and counts, then its
// model's priors, EM run and table of match weights (see
// score.Model.WriteWeights). It reports false, writing nothing, when raw
// is not of the pipeline's shape.
func renderScoring(b *bytes.Buffer, raw json.RawMessage) bool {
	return eachLinkage(b, raw, func(s *Scoring) bool { return s.Model != nil && len(s.Model.Fields) > 0 }, func(name string, s *Scoring) {
		fmt.Fprintf(b, "  %s: threshold %s, %s pairs compared, %s kept\n", name,
			strconv.FormatFloat(s.Threshold, 'g', -1, 64), texttable.Thousands(s.Compared), texttable.Thousands(s.Kept))
		if s.UnlinkableLeft != nil && s.UnlinkableRight != nil && s.Left != "" {
			fmt.Fprintf(b, "    Unlinkable     %s records of %s", texttable.Thousands(*s.UnlinkableLeft), s.Left)
			if s.Right != s.Left {
				fmt.Fprintf(b, ", %s of %s", texttable.Thousands(*s.UnlinkableRight), s.Right)
			}
			b.WriteString(": too little to reach the threshold even against an identical record\n")
		}
		s.Model.WriteWeights(b, "    ") // a bytes.Buffer does not fail
	})
}
