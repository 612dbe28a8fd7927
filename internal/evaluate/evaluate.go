// Package evaluate measures the results of a link or a deduplication
// against ground truth, as an analyst does before trusting a threshold on
// new data: the precision, recall and F1 of the scored pairs at a range of
// thresholds (what Splink calls a truth-space table) and, for a
// deduplication, of the clusters of people.
//
// Ground truth is either a list of true pairs (ReadPairs) or a label per
// record, records with one label being one person (ReadLabels), as
// benchmark data and clerically reviewed samples come.
package evaluate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/pqscan"
)

// Truth says which pairs of records are one person. Records are named by
// record id: the left dataset's and, for a link, the right dataset's.
type Truth struct {
	dedupe bool
	// pairs holds the true pairs of ReadPairs; for a deduplication, each
	// with its lesser id first.
	pairs map[[2]string]struct{}
	// left and right hold the labels of ReadLabels; right is left for a
	// deduplication.
	left, right map[string]string
	total       int64
}

// ReadPairs reads ground truth from a Parquet file of true pairs, with
// the columns left_record_id and right_record_id (as FEBRL4's truth is
// published). For a deduplication (dedupe) a pair is unordered. A pair
// listed twice counts once.
func ReadPairs(ctx context.Context, path string, dedupe bool) (*Truth, error) {
	t := &Truth{dedupe: dedupe, pairs: map[[2]string]struct{}{}}
	row := 0
	_, err := pqscan.Scan(ctx, path, []string{"left_record_id", "right_record_id"}, func(r *pqscan.Row) error {
		row++
		l, lok := r.Text(0)
		rt, rok := r.Text(1)
		if !lok || !rok {
			return fmt.Errorf("%s: row %d: a record id is missing", path, row)
		}
		if dedupe && l == rt {
			return fmt.Errorf("%s: row %d: a record paired with itself", path, row)
		}
		t.pairs[t.key(l, rt)] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	t.total = int64(len(t.pairs))
	return t, nil
}

// ReadLabels reads ground truth as labels: the Parquet file left holds a
// record_id column and the column named column, and records with the same
// label are one person. For a link, right is the right dataset's file of
// labels (it may be left itself, if its record ids name records of both
// datasets); for a deduplication right is "". A record without a label is
// one person alone. A record listed twice is refused.
func ReadLabels(ctx context.Context, column, left, right string) (*Truth, error) {
	if column == "" {
		return nil, errors.New("truth: no label column")
	}
	t := &Truth{dedupe: right == ""}
	var err error
	if t.left, err = readLabels(ctx, left, column); err != nil {
		return nil, err
	}
	t.right = t.left
	if !t.dedupe && right != left {
		if t.right, err = readLabels(ctx, right, column); err != nil {
			return nil, err
		}
	}
	count := func(m map[string]string) map[string]int64 {
		n := map[string]int64{}
		for _, l := range m {
			n[l]++
		}
		return n
	}
	nl := count(t.left)
	if t.dedupe {
		for _, n := range nl {
			t.total += n * (n - 1) / 2
		}
		return t, nil
	}
	nr := count(t.right)
	for l, n := range nl {
		t.total += n * nr[l]
	}
	return t, nil
}

func readLabels(ctx context.Context, path, column string) (map[string]string, error) {
	labels, err := pqscan.Map(ctx, path, "record_id", column)
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	return labels, nil
}

// key is the map key of a pair: for a deduplication, the lesser id first.
func (t *Truth) key(l, r string) [2]string {
	if t.dedupe && r < l {
		l, r = r, l
	}
	return [2]string{l, r}
}

// Dedupe reports whether t is the truth of a deduplication.
func (t *Truth) Dedupe() bool { return t.dedupe }

// Total returns the number of true pairs.
func (t *Truth) Total() int64 { return t.total }

// Match reports whether the records l (left) and r (right) are one
// person.
func (t *Truth) Match(l, r string) bool {
	if t.pairs != nil {
		_, ok := t.pairs[t.key(l, r)]
		return ok
	}
	a, ok := t.left[l]
	if !ok {
		return false
	}
	b, ok := t.right[r]
	return ok && a == b && !(t.dedupe && l == r)
}

// Quality is the result of comparing pairs with the truth.
type Quality struct {
	// Threshold is the match probability at or above which pairs were
	// counted; 0 for clusters.
	Threshold float64
	// Pairs is the number of pairs found, True how many of them are true
	// pairs, and Total the number of true pairs.
	Pairs, True, Total int64
}

// Precision returns the share of pairs found that are true: 1 if none
// were found.
func (q Quality) Precision() float64 {
	if q.Pairs == 0 {
		return 1
	}
	return float64(q.True) / float64(q.Pairs)
}

// Recall returns the share of true pairs found: 1 if there are none.
func (q Quality) Recall() float64 {
	if q.Total == 0 {
		return 1
	}
	return float64(q.True) / float64(q.Total)
}

// F1 returns the harmonic mean of precision and recall.
func (q Quality) F1() float64 {
	p, r := q.Precision(), q.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// DefaultThresholds are the thresholds of a sweep.
var DefaultThresholds = []float64{0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999}

// Thresholds returns the thresholds worth sweeping in a pairs file whose
// pairs were kept at floor and above: floor, then those of
// DefaultThresholds above it. Below floor the file does not hold every
// pair, and a sweep there would understate recall.
func Thresholds(floor float64) []float64 {
	ts := []float64{floor}
	for _, t := range DefaultThresholds {
		if t > floor {
			ts = append(ts, t)
		}
	}
	return ts
}

// Floor returns the lowest threshold at which a pairs file surely holds
// every pair: the threshold the file says its pairs were kept at, or, for
// a file that does not say (kept 0), its least match probability.
func Floor(pairs []pair.Scored, kept float64) float64 {
	if kept > 0 {
		return kept
	}
	floor := 1.0
	for _, p := range pairs {
		floor = min(floor, p.Probability)
	}
	return floor
}

// Best returns the quality of qs with the highest F1, the first of equals;
// the zero Quality if qs is empty.
func Best(qs []Quality) Quality {
	var best Quality
	for i, q := range qs {
		if i == 0 || q.F1() > best.F1() {
			best = q
		}
	}
	return best
}

// People returns the number of people a clustering finds: its distinct
// cluster ids.
func People(of map[string]string) int {
	ids := map[string]struct{}{}
	for _, c := range of {
		ids[c] = struct{}{}
	}
	return len(ids)
}

// Sweep measures pairs against t at each threshold of thresholds: a pair
// is counted at a threshold if its match probability is at least that.
// A pair listed twice, in either order for a deduplication, counts once.
func Sweep(pairs []pair.Scored, t *Truth, thresholds []float64) []Quality {
	type scored struct {
		p    float64
		true bool
	}
	seen := make(map[[2]string]struct{}, len(pairs))
	ss := make([]scored, 0, len(pairs))
	for _, p := range pairs {
		k := t.key(p.Left, p.Right)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		ss = append(ss, scored{p.Probability, t.Match(p.Left, p.Right)})
	}
	slices.SortFunc(ss, func(a, b scored) int { return cmp.Compare(b.p, a.p) })
	qs := make([]Quality, len(thresholds))
	for i, th := range thresholds {
		q := Quality{Threshold: th, Total: t.total}
		for _, s := range ss {
			if s.p < th {
				break
			}
			q.Pairs++
			if s.true {
				q.True++
			}
		}
		qs[i] = q
	}
	return qs
}

// Clusters measures a deduplication's clusters against t, which must be
// a deduplication's: the pairs found are every pair of records in one
// cluster. of maps each record id to its cluster id, as cluster.ReadFile
// returns it; a record that is not in it is a cluster of its own.
func Clusters(of map[string]string, t *Truth) (Quality, error) {
	if !t.dedupe {
		return Quality{}, errors.New("evaluate: clusters are a deduplication's, and the truth is a link's")
	}
	q := Quality{Total: t.total}
	size := map[string]int64{}
	for _, c := range of {
		size[c]++
	}
	for _, n := range size {
		q.Pairs += n * (n - 1) / 2
	}
	if t.pairs != nil {
		for p := range t.pairs {
			a, aok := of[p[0]]
			b, bok := of[p[1]]
			if aok && bok && a == b {
				q.True++
			}
		}
		return q, nil
	}
	// Labels: the true pairs found are those within one cluster and one
	// label.
	both := map[[2]string]int64{}
	for id, c := range of {
		if l, ok := t.left[id]; ok {
			both[[2]string{c, l}]++
		}
	}
	for _, n := range both {
		q.True += n * (n - 1) / 2
	}
	return q, nil
}
