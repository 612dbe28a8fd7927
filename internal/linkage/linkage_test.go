package linkage

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/cluster"
	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/score"
)

// testRandomPairs keeps the u sample small enough for the race detector.
const testRandomPairs = 300_000

func pairsOf(ms []pair.Match) [][2]int32 {
	out := make([][2]int32, len(ms))
	for i, m := range ms {
		out[i] = [2]int32{m.Left, m.Right}
	}
	return out
}

func TestLinkFixture(t *testing.T) {
	left, right, truth := linkData(1, 3000, 0.6)
	isTrue := func(l, r int32) bool { return truth[[2]int32{l, r}] }
	cfg := Config{RandomPairs: testRandomPairs, Blocking: block.Options{Truth: isTrue, TrueCount: int64(len(truth))}}
	res, err := Link(context.Background(), left, right, cfg)
	if err != nil {
		t.Fatal(err)
	}
	q := measure(pairsOf(res.Matches), truth)
	t.Logf("link: P %.4f R %.4f F1 %.4f, completeness %.4f, candidates %d, expected matches %.0f (true %d)",
		q.precision, q.rec, q.f1, res.Blocking.Completeness, res.Compared, res.Model.ExpectedMatches, len(truth))
	if res.Blocking.Completeness < 0.99 {
		t.Errorf("pair completeness %.4f", res.Blocking.Completeness)
	}
	if q.f1 < 0.97 {
		t.Errorf("F1 %.4f at the default threshold", q.f1)
	}
	// The prior must count the matches there are, within a few percent.
	if r := res.Model.ExpectedMatches / float64(len(truth)); r < 0.93 || r > 1.07 {
		t.Errorf("model expects %.0f matches, there are %d", res.Model.ExpectedMatches, len(truth))
	}
	// Calibration: among kept pairs, the mean probability is the
	// expected precision.
	var sum float64
	for _, m := range res.Matches {
		sum += m.Probability
		want := len(res.Model.Fields)
		if res.Model.Related != nil {
			want++
			if last := m.Explanation[len(m.Explanation)-1]; last.Field != score.RelatedField || last.Weight > 0 {
				t.Fatalf("last contribution %+v, want the related class's, at most 0", last)
			}
		}
		if len(m.Explanation) != want {
			t.Fatalf("explanation has %d entries, want %d", len(m.Explanation), want)
		}
		w := res.Model.PriorWeight()
		for _, c := range m.Explanation {
			w += c.Weight
		}
		if math.Abs(w-m.Weight) > 1e-9 {
			t.Fatalf("explanation sums to %v, weight %v", w, m.Weight)
		}
		if m.Probability < DefaultThreshold {
			t.Fatalf("kept a pair of probability %v", m.Probability)
		}
	}
	if mean := sum / float64(len(res.Matches)); math.Abs(mean-q.precision) > 0.02 {
		t.Errorf("mean probability of kept pairs %.4f, precision %.4f", mean, q.precision)
	}
	if len(res.Timings) == 0 || res.Sampled == 0 || res.Patterns == 0 {
		t.Errorf("timings %v, sampled %d, patterns %d", res.Timings, res.Sampled, res.Patterns)
	}

	// One-to-one never lowers precision here: each side holds a person
	// once.
	cfg.OneToOne = true
	res1, err := Link(context.Background(), left, right, cfg)
	if err != nil {
		t.Fatal(err)
	}
	q1 := measure(pairsOf(res1.Matches), truth)
	t.Logf("link one-to-one: P %.4f R %.4f F1 %.4f", q1.precision, q1.rec, q1.f1)
	if q1.precision < q.precision {
		t.Errorf("one-to-one precision %.4f below %.4f", q1.precision, q.precision)
	}
	seenL, seenR := map[int32]bool{}, map[int32]bool{}
	for _, m := range res1.Matches {
		if seenL[m.Left] || seenR[m.Right] {
			t.Fatalf("record used twice under one-to-one: %d-%d", m.Left, m.Right)
		}
		seenL[m.Left], seenR[m.Right] = true, true
	}

	// A saved model reused on the same data gives the same matches.
	cfg.OneToOne = false
	cfg.Model = res.Model
	res2, err := Link(context.Background(), left, right, cfg)
	if err != nil {
		t.Fatal(err)
	}
	q2 := measure(pairsOf(res2.Matches), truth)
	if math.Abs(q2.f1-q.f1) > 0.002 {
		t.Errorf("reused model F1 %.4f, estimated %.4f", q2.f1, q.f1)
	}
	if res2.Sampled != 0 {
		t.Errorf("reused model still sampled %d pairs", res2.Sampled)
	}
}

func TestLinkPriorFollowsMatchRate(t *testing.T) {
	// The same kind of data with few matches: the prior, and so the
	// threshold, must follow.
	left, right, truth := linkData(2, 3000, 0.05)
	res, err := Link(context.Background(), left, right, Config{RandomPairs: testRandomPairs})
	if err != nil {
		t.Fatal(err)
	}
	q := measure(pairsOf(res.Matches), truth)
	t.Logf("5%% overlap: P %.4f R %.4f F1 %.4f, expected matches %.0f (true %d)", q.precision, q.rec, q.f1, res.Model.ExpectedMatches, len(truth))
	if r := res.Model.ExpectedMatches / float64(len(truth)); r < 0.85 || r > 1.15 {
		t.Errorf("model expects %.0f matches, there are %d", res.Model.ExpectedMatches, len(truth))
	}
	if q.f1 < 0.95 {
		t.Errorf("F1 %.4f", q.f1)
	}
}

func TestDedupeFixture(t *testing.T) {
	recs, truth := dedupeData(3, 3000, 0.3)
	cfg := Config{RandomPairs: testRandomPairs, Cluster: &cluster.Options{}}
	res, err := Dedupe(context.Background(), recs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	q := measure(pairsOf(res.Matches), truth)
	t.Logf("dedupe: P %.4f R %.4f F1 %.4f, clusters %d, expected matches %.0f (true %d)", q.precision, q.rec, q.f1, len(res.Clusters), res.Model.ExpectedMatches, len(truth))
	if q.f1 < 0.97 {
		t.Errorf("F1 %.4f", q.f1)
	}
	for _, m := range res.Matches {
		if m.Left >= m.Right {
			t.Fatalf("pair %d-%d not ordered", m.Left, m.Right)
		}
	}
	if len(res.Clusters) == 0 {
		t.Error("no clusters")
	}
}

func TestConfigErrors(t *testing.T) {
	left, right, _ := linkData(4, 50, 0.5)
	if _, err := Link(context.Background(), left, right, Config{Threshold: 1.5}); err == nil {
		t.Error("threshold 1.5 accepted")
	}
	bad := &score.Model{Version: score.ModelVersion, Lambda: 0.1, Fields: []score.Field{{Name: "other"}}}
	if _, err := Link(context.Background(), left, right, Config{Model: bad}); err == nil {
		t.Error("a model for other comparisons accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Link(ctx, left, right, Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
	res, err := Link(context.Background(), nil, right, Config{})
	if err != nil || len(res.Matches) != 0 {
		t.Errorf("empty left: %v, %d matches", err, len(res.Matches))
	}
}

// TestCountedLevels checks which levels have their u counted: the shared
// address, when its rule ran whole, and not when the rule left a block
// out, is missing, or is narrowed to probes.
func TestCountedLevels(t *testing.T) {
	cs := compare.Default()
	addr := slices.IndexFunc(cs, func(c compare.Comparison) bool { return c.Name == "address" })
	level := slices.Index(cs[addr].Levels, "postcode+number")
	if addr < 0 || level < 0 {
		t.Fatal("no address comparison with a postcode+number level")
	}
	rules := block.DefaultRules()
	stats := func(skipped int64) *block.Stats {
		st := &block.Stats{}
		for _, r := range rules {
			st.Rules = append(st.Rules, block.RuleStats{Name: r.Name, SkippedBlocks: skipped})
		}
		return st
	}
	probed := slices.Clone(rules)
	for i := range probed {
		if probed[i].Name == "postcode+house-number" {
			probed[i].Probe = func(*pseudo.Record) bool { return true }
		}
	}
	tests := []struct {
		name  string
		rules []block.Rule
		st    *block.Stats
		want  uint16
	}{
		{"the rule ran whole", rules, stats(0), 1 << level},
		{"the rule left blocks out", rules, stats(1), 0},
		{"no blocking run", rules, nil, 0},
		{"the rule is missing", rules[:1], stats(0), 0},
		{"the rule is a probe rule", probed, stats(0), 0},
	}
	for _, tt := range tests {
		got := countedLevels(cs, tt.rules, tt.st)
		for f := range cs {
			want := uint16(0)
			if f == addr {
				want = tt.want
			}
			if got[f] != want {
				t.Errorf("%s: comparison %s: levels %b, want %b", tt.name, cs[f].Name, got[f], want)
			}
		}
	}
}

// TestUnlinkable counts the records that carry too little to be linked:
// none of the fixture's full records, and every record left with a
// surname alone.
func TestUnlinkable(t *testing.T) {
	left, right, _ := linkData(1, 3000, 0.6)
	cfg := Config{RandomPairs: testRandomPairs}
	res, err := Link(context.Background(), left, right, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unlinkable == nil {
		t.Fatal("nothing counted as unlinkable")
	}
	t.Logf("unlinkable: %v of %d and %d", *res.Unlinkable, len(left), len(right))
	if res.Unlinkable[0] > len(left)/100 || res.Unlinkable[1] > len(right)/100 {
		t.Errorf("unlinkable %v of full records", res.Unlinkable)
	}
	const poor = 100
	for i := range poor {
		left[i] = pseudo.Record{RecordID: left[i].RecordID, Surname: left[i].Surname}
	}
	res, err = Link(context.Background(), left, right, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unlinkable == nil || res.Unlinkable[0] < poor || res.Unlinkable[0] > poor+len(left)/100 {
		t.Errorf("unlinkable %v with %d left records of a surname alone", res.Unlinkable, poor)
	}
	// One file holding both: records of one person twice.
	d, err := Dedupe(context.Background(), append(left[:len(left):len(left)], right...), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d.Unlinkable == nil || d.Unlinkable[0] < poor || d.Unlinkable[1] != 0 {
		t.Errorf("deduplication: unlinkable %v, want at least %d and nothing on the right", d.Unlinkable, poor)
	}
}
