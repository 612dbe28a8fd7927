// Package linkage runs the matching engine on pseudonymised records:
// blocking, comparison, estimation of the Fellegi–Sunter model without
// labels, scoring, and the optional one-to-one assignment or clustering
// that turns scored pairs into people.
//
// Link matches two datasets; Dedupe finds the people held more than once
// in one. Both stream candidate pairs from blocking to a pool of comparers
// and keep per pair only its two record indexes and its comparison vector
// (16 bytes), which the model is then fitted on (as counts of distinct
// vectors) and scored from; records are never copied. The stages that
// read the records only — blocking and comparison, the random pairs that
// give u, the pairs that share a home — run at the same time.
package linkage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/cluster"
	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/score"
)

// Defaults of Config.
const (
	// DefaultThreshold is the match probability at or above which a pair
	// is kept. The model's probabilities are calibrated (see
	// score.Estimate), so 0.5 means "more likely a match than not" on any
	// data set.
	DefaultThreshold = 0.5
	// DefaultRandomPairs is the number of random pairs compared to
	// estimate u.
	DefaultRandomPairs = 1_000_000
	// DefaultChainSlack is how far below the threshold, in bits of
	// weight, a pair inside a cluster may score (see Config.Cluster).
	DefaultChainSlack = 10
)

// Config configures a run. The zero Config uses every default.
type Config struct {
	// Rules are the blocking rules; nil means block.DefaultRules().
	Rules []block.Rule
	// Blocking tunes blocking; its Truth, if set, makes the blocking
	// statistics report pair completeness.
	Blocking block.Options
	// Comparisons are the comparisons; nil means compare.Default().
	Comparisons []compare.Comparison
	// Model, when set, is used instead of estimating one: its m and u
	// are kept and only its prior λ is re-estimated for the size of the
	// data at hand (a cheap EM over the candidates' vectors).
	Model *score.Model
	// Threshold is the match probability at or above which a pair is
	// kept; zero means DefaultThreshold.
	Threshold float64
	// OneToOne keeps, in a link, at most one match per record on each
	// side (cluster.OneToOne). Use it when each dataset holds a person at
	// most once.
	OneToOne bool
	// Cluster, when set, clusters the kept pairs of a deduplication (see
	// cluster.Components); pairs whose merge the chaining guard refuses
	// are dropped. If Cluster.Score is nil the model's weight is used,
	// with MinWeight DefaultChainSlack bits below the threshold's weight
	// when MinWeight is zero.
	Cluster *cluster.Options
	// RandomPairs is the number of random pairs compared to estimate u;
	// zero means DefaultRandomPairs. When the comparison space is no
	// larger, every pair is compared instead.
	RandomPairs int
	// Seed seeds the random pairs.
	Seed uint64
	// Workers bounds the goroutines; zero means GOMAXPROCS.
	Workers int
	// EM tunes the estimation. MaxMatches defaults, in a link, to the
	// smaller side's size.
	EM score.EMOptions
	// Logger receives progress at Info level and problems at Warn; nil
	// discards.
	Logger *slog.Logger
}

// Timing is the wall time of one stage. Stages that read the records only
// (blocking and comparison, the u sample, the same-home pairs) run at the
// same time, each reporting its own wall time, so their times overlap.
type Timing struct {
	Stage    string        `json:"stage"`
	Duration time.Duration `json:"duration_ns"`
}

// Result is the outcome of a run.
type Result struct {
	// Matches are the kept pairs, ordered by left then right index, each
	// with its explanation.
	Matches []pair.Match
	// Clusters are the clusters of a deduplication run with
	// Config.Cluster, as sorted record indexes.
	Clusters [][]int32
	// Model is the model used, estimated or given.
	Model *score.Model
	// Blocking reports the blocking rules.
	Blocking *block.Stats
	// Timings lists the stages in order (see Timing).
	Timings []Timing
	// Compared is the number of candidate pairs compared, and Sampled
	// the number of random pairs compared to estimate u.
	Compared, Sampled int64
	// Patterns is the number of distinct comparison vectors.
	Patterns int
	// Unlinkable counts the records of each side (left, right; left only
	// for a deduplication) that carry too little to be linked: compared
	// with an identical copy of themselves, the model would not reach the
	// threshold. A name alone is often so. Splink reports them as
	// "unlinkables"; a partner whose file holds many should be asked for
	// more. Nil when nothing was scored (the candidates showed no
	// matches).
	Unlinkable *[2]int
}

// Link matches left against right.
func Link(ctx context.Context, left, right []pseudo.Record, cfg Config) (*Result, error) {
	return run(ctx, left, right, false, cfg)
}

// Dedupe finds the pairs of records in recs that are the same person.
// Matches hold Left < Right, both indexing recs.
func Dedupe(ctx context.Context, recs []pseudo.Record, cfg Config) (*Result, error) {
	return run(ctx, recs, recs, true, cfg)
}

// batch is one chunk of compared candidates.
type batch struct {
	pairs []block.Pair
	vecs  []compare.Vector
}

type runner struct {
	cfg         Config
	log         *slog.Logger
	left, right []pseudo.Record
	dedupe      bool
	cmp         *compare.Comparer
	res         *Result
	stage       time.Time
	// terms holds the term counts of each comparison that has a term
	// (see countTerms).
	terms []*score.TermCounts
	// warmed keeps what warm read, so that its reads are kept.
	warmed atomic.Uint64
}

func (r *runner) done(stage string) {
	now := time.Now()
	d := now.Sub(r.stage)
	r.res.Timings = append(r.res.Timings, Timing{stage, d})
	r.log.Info("linkage stage done", "stage", stage, "duration", d)
	r.stage = now
}

func run(ctx context.Context, left, right []pseudo.Record, dedupe bool, cfg Config) (*Result, error) {
	if cfg.Rules == nil {
		cfg.Rules = block.DefaultRules()
	}
	if cfg.Comparisons == nil {
		cfg.Comparisons = compare.Default()
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = DefaultThreshold
	}
	if !(cfg.Threshold > 0 && cfg.Threshold < 1) {
		return nil, fmt.Errorf("linkage: threshold %g is not a probability in (0, 1)", cfg.Threshold)
	}
	if cfg.RandomPairs <= 0 {
		cfg.RandomPairs = DefaultRandomPairs
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Blocking.Workers == 0 {
		cfg.Blocking.Workers = cfg.Workers
	}
	if !dedupe && cfg.EM.MaxMatches == 0 {
		cfg.EM.MaxMatches = float64(min(len(left), len(right)))
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c, err := compare.New(cfg.Comparisons)
	if err != nil {
		return nil, fmt.Errorf("linkage: %w", err)
	}
	if cfg.Model != nil {
		if err := cfg.Model.Check(cfg.Comparisons); err != nil {
			return nil, fmt.Errorf("linkage: given model: %w", err)
		}
	}
	r := &runner{cfg: cfg, log: log, left: left, right: right, dedupe: dedupe, cmp: c, res: &Result{}, stage: time.Now()}
	// Given key tables are large: only the runner holds them, and only
	// until blocking is done.
	cfg.Blocking.LeftKeys, cfg.Blocking.RightKeys = nil, nil
	if len(left) == 0 || (!dedupe && len(right) == 0) || (dedupe && len(left) < 2) {
		return r.res, nil
	}

	// In a link, pairs within one dataset are different people.
	d := score.Data{Space: r.space(), HomeNonMatches: !dedupe}
	var batches []batch
	if err := r.concurrently(ctx,
		stage{"block+compare", true, func(ctx context.Context) (err error) {
			batches, d.Patterns, err = r.candidates(ctx)
			return err
		}},
		stage{"sample-u", cfg.Model == nil, func(ctx context.Context) (err error) {
			d.Random, err = r.sample(ctx, d.Space)
			return err
		}},
		stage{"same-home", cfg.Model == nil, func(ctx context.Context) (err error) {
			d.Home, err = r.homes(ctx)
			return err
		}},
		stage{"term-counts", true, func(ctx context.Context) (err error) {
			r.terms, err = r.countTerms(ctx)
			return err
		}},
	); err != nil {
		return nil, err
	}

	space := d.Space
	d.Counted = countedLevels(cfg.Comparisons, cfg.Rules, r.res.Blocking)
	var model *score.Model
	if cfg.Model != nil {
		model, err = score.EstimatePrior(cfg.Model, cfg.Comparisons, d.Patterns, space, cfg.EM)
	} else {
		model, err = score.Estimate(cfg.Comparisons, d, cfg.EM)
	}
	if errors.Is(err, score.ErrNoMatches) {
		log.Warn("linkage: the candidates show no matches", "candidates", r.res.Compared)
		r.res.Model = model
		return r.res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("linkage: estimate: %w", err)
	}
	// The notes are designed corrections (a level that would weigh the
	// wrong way is set to no evidence), kept in the model and the run
	// record: information, not a warning an operator must act on.
	for _, n := range model.Notes {
		log.Info("linkage: model", "note", n)
	}
	r.res.Model = model
	r.done("estimate")

	scorer, err := r.scorer(ctx, model)
	if err != nil {
		return nil, err
	}
	r.done("term-adjustments")
	calibrated, ratios, err := r.calibrate(ctx, scorer, batches, space)
	if err != nil {
		return nil, err
	}
	r.res.Model = calibrated.Model()
	r.done("calibrate")

	matches, err := r.score(ctx, calibrated, batches, scorer, ratios)
	if err != nil {
		return nil, err
	}
	scorer = calibrated
	r.done("score")
	r.res.Unlinkable = &[2]int{r.unlinkable(scorer, r.left)}
	if !dedupe {
		r.res.Unlinkable[1] = r.unlinkable(scorer, r.right)
	}
	r.done("unlinkable")

	switch {
	case !dedupe && cfg.OneToOne:
		matches = cluster.OneToOne(matches)
		r.done("one-to-one")
	case dedupe && cfg.Cluster != nil:
		matches = r.cluster(scorer, matches)
		r.done("cluster")
	}
	r.res.Matches = matches
	return r.res, nil
}

// unlinkable counts the records of recs whose comparison with themselves
// scores below the threshold, as two records apart (score.ApartWeight):
// sharing a home would weigh the agreement as a household's.
func (r *runner) unlinkable(s *score.Scorer, recs []pseudo.Record) int {
	minW := score.WeightOf(r.cfg.Threshold)
	workers := min(runtime.GOMAXPROCS(0), 1+len(recs)/4096)
	counts := make([]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(recs)/workers, (w+1)*len(recs)/workers
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if s.ApartWeight(r.cmp.Compare(&recs[i], &recs[i])) < minW {
					counts[w]++
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// countedBy names levels of the standard comparisons that the standard
// blocking rules enumerate whole: the level compares the very tokens the
// rule keys, so every pair reaching it is a candidate, unless the rule
// left its block out. Their u is counted, not sampled (see
// score.Data.Counted). Only a shared address is listed: households and
// successive tenants make most of its pairs non-matches, where an NI
// number's, e-mail address's or phone's are mostly matches.
var countedBy = []struct{ comparison, level, rule string }{
	{"address", "postcode+number", "postcode+house-number"},
}

// countedLevels returns the levels of cs that are counted: those of
// countedBy whose rule is among rules, is no probe rule, and left none of
// its blocks out in the blocking run st.
func countedLevels(cs []compare.Comparison, rules []block.Rule, st *block.Stats) (out [compare.MaxComparisons]uint16) {
	if st == nil {
		return out
	}
	for _, c := range countedBy {
		ci := slices.IndexFunc(cs, func(x compare.Comparison) bool { return x.Name == c.comparison })
		ri := slices.IndexFunc(rules, func(x block.Rule) bool { return x.Name == c.rule })
		si := slices.IndexFunc(st.Rules, func(x block.RuleStats) bool { return x.Name == c.rule })
		if ci < 0 || ri < 0 || si < 0 || rules[ri].Probe != nil || st.Rules[si].SkippedBlocks > 0 {
			continue
		}
		if li := slices.Index(cs[ci].Levels, c.level); li >= 0 {
			out[ci] |= 1 << li
		}
	}
	return out
}

// countTerms counts the values of every comparison that has a term, one
// comparison per worker, for the term-frequency adjustments: the counts
// need no model, so they are made while it is being estimated. The
// result is indexed by comparison, nil where there is no term.
func (r *runner) countTerms(ctx context.Context) ([]*score.TermCounts, error) {
	var right []pseudo.Record
	if !r.dedupe {
		right = r.right
	}
	out := make([]*score.TermCounts, len(r.cfg.Comparisons))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	for f, c := range r.cfg.Comparisons {
		if c.Term == nil {
			continue
		}
		g.Go(func() error {
			if gctx.Err() == nil {
				out[f] = score.CountTerms(c, r.left, right)
			}
			return nil
		})
	}
	g.Wait()
	return out, ctx.Err()
}

// space returns the number of pairs in the comparison space.
func (r *runner) space() float64 {
	if r.dedupe {
		n := float64(len(r.left))
		return n * (n - 1) / 2
	}
	return float64(len(r.left)) * float64(len(r.right))
}

// stage is one of the stages run by concurrently.
type stage struct {
	name string
	run  bool // false skips the stage
	fn   func(ctx context.Context) error
}

// concurrently runs the stages at once, each with every worker: stages
// that read the records only keep the cores busy where one of them alone
// would leave some idle (blocking hands pairs to the comparers in bursts).
// It records each stage's own wall time, in the order given, and returns
// the first error, which stops the others.
func (r *runner) concurrently(ctx context.Context, stages ...stage) error {
	took := make([]time.Duration, len(stages))
	g, gctx := errgroup.WithContext(ctx)
	for i, st := range stages {
		if !st.run {
			continue
		}
		g.Go(func() error {
			t0 := time.Now()
			if err := st.fn(gctx); err != nil {
				return err
			}
			took[i] = time.Since(t0)
			r.log.Info("linkage stage done", "stage", st.name, "duration", took[i])
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, st := range stages {
		if st.run {
			r.res.Timings = append(r.res.Timings, Timing{st.name, took[i]})
		}
	}
	r.stage = time.Now()
	return nil
}

// candidates runs blocking, comparing the candidates as they come, and
// returns them with the counts of their vectors.
func (r *runner) candidates(ctx context.Context) ([]batch, score.Patterns, error) {
	g, ctx := errgroup.WithContext(ctx)
	ch := make(chan []block.Pair, r.cfg.Workers)
	var (
		mu       sync.Mutex
		batches  []batch
		patterns = score.Patterns{}
	)
	for range r.cfg.Workers {
		g.Go(func() error {
			local := make(map[compare.Vector]int64)
			var warmed uint64
			defer func() { r.warmed.Add(warmed) }()
			for pairs := range ch {
				vecs := make([]compare.Vector, len(pairs))
				for i, p := range pairs {
					if i%warmPairs == 0 {
						warmed += warm(r.left, r.right, pairs[i:min(i+warmPairs, len(pairs))])
					}
					v := r.cmp.Compare(&r.left[p.Left], &r.right[p.Right])
					vecs[i] = v
					local[v]++
				}
				mu.Lock()
				batches = append(batches, batch{pairs, vecs})
				mu.Unlock()
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			mu.Lock()
			score.Patterns(patterns).Merge(local)
			mu.Unlock()
			return nil
		})
	}
	g.Go(func() error {
		defer close(ch)
		emit := func(p []block.Pair) error {
			select {
			case ch <- p:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		var err error
		if r.dedupe {
			r.res.Blocking, err = block.Dedupe(ctx, r.left, r.cfg.Rules, r.cfg.Blocking, emit)
		} else {
			r.res.Blocking, err = block.Link(ctx, r.left, r.right, r.cfg.Rules, r.cfg.Blocking, emit)
		}
		r.cfg.Blocking.LeftKeys, r.cfg.Blocking.RightKeys = nil, nil
		if err != nil {
			return fmt.Errorf("linkage: block: %w", err)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	// Workers finish in any order: sort the batches so that everything
	// downstream is reproducible.
	slices.SortFunc(batches, func(a, b batch) int {
		if c := cmp.Compare(a.pairs[0].Left, b.pairs[0].Left); c != 0 {
			return c
		}
		return cmp.Compare(a.pairs[0].Right, b.pairs[0].Right)
	})
	for _, b := range batches {
		r.res.Compared += int64(len(b.pairs))
	}
	r.res.Patterns = len(patterns)
	r.log.Info("linkage: candidates compared", "pairs", r.res.Compared, "patterns", len(patterns))
	return batches, patterns, nil
}

// sampleShards is the number of independent random streams the u sample
// is drawn in; fixed, so that the sample does not depend on the number of
// workers.
const sampleShards = 16

// sampleTile is the side of a tile of the u sample: the pairs of
// sampleTile left records by sampleTile right ones (see runner.sample).
// 32 records of each side fit in a core's first-level cache.
const sampleTile = 32

// sample compares random pairs from the comparison space (or every pair,
// when there are no more than Config.RandomPairs) and counts their levels.
func (r *runner) sample(ctx context.Context, space float64) (*score.LevelCounts, error) {
	nc := len(r.cfg.Comparisons)
	total := new(score.LevelCounts)
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	nl, nr := len(r.left), len(r.right)
	exhaustive := space <= float64(r.cfg.RandomPairs)
	for shard := range sampleShards {
		g.Go(func() error {
			counts := new(score.LevelCounts)
			var n int64
			count := func(i, j int) {
				counts.Add(r.cmp.Compare(&r.left[i], &r.right[j]), nc)
				n++
			}
			if exhaustive {
				for i := shard; i < nl; i += sampleShards {
					if err := ctx.Err(); err != nil {
						return err
					}
					if r.dedupe {
						for j := i + 1; j < nl; j++ {
							count(i, j)
						}
					} else {
						for j := range nr {
							count(i, j)
						}
					}
				}
			} else {
				rng := rand.New(rand.NewPCG(r.cfg.Seed, uint64(shard)+1))
				per := r.cfg.RandomPairs / sampleShards
				if shard == 0 {
					per += r.cfg.RandomPairs % sampleShards
				}
				// The pairs are drawn in tiles: every pair of sampleTile
				// random left records and sampleTile random right ones.
				// Each pair of a tile is a uniform random pair, so the
				// counts estimate the same u probabilities as
				// independent pairs would, and a tile's records, read
				// from memory once, stay in cache for all its pairs:
				// comparing random records one pair at a time spends
				// most of its time waiting for memory.
				var li, ri [sampleTile]int
				for n < int64(per) {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					for k := range sampleTile {
						// In a dedupe the right records are the left ones.
						li[k], ri[k] = rng.IntN(nl), rng.IntN(nr)
					}
					for _, i := range li {
						for _, j := range ri {
							if n == int64(per) {
								break
							}
							if r.dedupe && i == j {
								continue
							}
							count(i, j)
						}
					}
				}
			}
			mu.Lock()
			total.Merge(counts)
			r.res.Sampled += n
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return total, nil
}

// homeRules find the pairs within one dataset that share a home.
var homeRules = []block.Rule{
	block.TokenRule("uprn", func(r *pseudo.Record) pseudo.Token { return r.UPRN }),
	block.TokenRule("postcode+house-number",
		func(r *pseudo.Record) pseudo.Token { return r.Postcode },
		func(r *pseudo.Record) pseudo.Token { return r.HouseNumber }),
}

// homes counts the vectors of pairs within each dataset whose comparison
// says they share a home, for score.Data.Home; nil if no comparison
// defines a home. The pairs are found by blocking each dataset on its own
// and compared by every worker.
func (r *runner) homes(ctx context.Context) (score.Patterns, error) {
	if r.cmp.Home() < 0 {
		return nil, nil
	}
	type chunk struct {
		recs  []pseudo.Record
		pairs []block.Pair
	}
	sides := [][]pseudo.Record{r.left}
	if !r.dedupe {
		sides = append(sides, r.right)
	}
	out := score.Patterns{}
	var mu sync.Mutex
	ch := make(chan chunk, r.cfg.Workers)
	g, gctx := errgroup.WithContext(ctx)
	for range r.cfg.Workers {
		g.Go(func() error {
			local := score.Patterns{}
			var warmed uint64
			defer func() { r.warmed.Add(warmed) }()
			for c := range ch {
				for i, p := range c.pairs {
					if i%warmPairs == 0 {
						warmed += warm(c.recs, c.recs, c.pairs[i:min(i+warmPairs, len(c.pairs))])
					}
					if v := r.cmp.Compare(&c.recs[p.Left], &c.recs[p.Right]); r.cmp.SharesHome(v) {
						local[v]++
					}
				}
			}
			mu.Lock()
			out.Merge(local)
			mu.Unlock()
			return gctx.Err()
		})
	}
	g.Go(func() error {
		defer close(ch)
		opts := block.Options{MaxBlockPairs: r.cfg.Blocking.MaxBlockPairs, Workers: r.cfg.Workers}
		for _, recs := range sides {
			_, err := block.Dedupe(gctx, recs, homeRules, opts, func(ps []block.Pair) error {
				select {
				case ch <- chunk{recs, ps}:
					return nil
				case <-gctx.Done():
					return gctx.Err()
				}
			})
			if err != nil {
				return fmt.Errorf("linkage: same-home pairs: %w", err)
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// scorer builds the scorer, with term-frequency adjustments for every
// comparison that asks for them.
func (r *runner) scorer(ctx context.Context, m *score.Model) (*score.Scorer, error) {
	var terms []score.TermAdjustment
	for f, c := range r.cfg.Comparisons {
		if c.Term == nil || !m.Fields[f].TermFrequency {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if f >= len(r.terms) || r.terms[f] == nil {
			return nil, fmt.Errorf("linkage: comparison %q: values not counted", c.Name)
		}
		t, err := r.terms[f].Adjustments(m, f, c)
		if err != nil {
			return nil, fmt.Errorf("linkage: term frequencies: %w", err)
		}
		terms = append(terms, t)
	}
	s, err := score.NewScorer(m, terms...)
	if err != nil {
		return nil, fmt.Errorf("linkage: %w", err)
	}
	return s, nil
}

// calibrate re-estimates the prior λ with the weights the scorer gives
// each candidate, term frequencies included. EM fits λ on comparison
// vectors, where a match on SMITH and one on a rare name look alike; the
// scorer then weighs them apart, and without this step the prior would
// belong to a slightly different model than the one the probabilities
// come from. m and u are kept; λ is the fixed point of
// λ = Σ P(match | pair) / space, capped as in EM.
//
// It returns the calibrated scorer and, per batch, each candidate's
// weight under s less s's prior, rounded to float32.
func (r *runner) calibrate(ctx context.Context, s *score.Scorer, batches []batch, space float64) (*score.Scorer, [][]float32, error) {
	limit := space
	if r.cfg.EM.MaxMatches > 0 {
		limit = min(limit, r.cfg.EM.MaxMatches)
	}
	// Each candidate's log2 likelihood ratio, without the prior.
	ratios := make([][]float32, len(batches))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	for bi, b := range batches {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			out := make([]float32, len(b.pairs))
			for i, p := range b.pairs {
				out[i] = float32(s.Weight(p.Left, b.vecs[i]) - s.Prior())
			}
			ratios[bi] = out
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	// Each iteration sums the batches' probabilities in parallel, then
	// the batches' sums in order, so that λ does not depend on the
	// number of workers.
	sums := make([]float64, len(ratios))
	lambda := s.Model().Lambda
	for range 200 {
		prior := math.Log2(lambda / (1 - lambda))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(r.cfg.Workers)
		for bi, rs := range ratios {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				var sum float64
				for _, x := range rs {
					sum += score.Probability(prior + float64(x))
				}
				sums[bi] = sum
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, nil, err
		}
		var matches float64
		for _, x := range sums {
			matches += x
		}
		next := min(matches, limit) / space
		if next <= 0 {
			break
		}
		done := math.Abs(next-lambda) <= 1e-6*lambda
		lambda = next
		if done {
			break
		}
	}
	return s.WithLambda(lambda), ratios, nil
}

// score weighs every candidate and keeps those at or above the threshold.
// The explanations of a batch's kept pairs share one allocation.
//
// ratios, if not nil, holds each candidate's weight under the scorer from
// less its prior, rounded to float32 (see calibrate). s differs from
// from only by its priors, so a candidate's weight under s is its ratio
// plus s's prior, give or take the float32 rounding and the change of
// the related class's prior (the related correction moves by less than
// its prior does); a candidate short of the threshold by more than that
// is not weighed again. Exactly the same pairs are kept, with exactly the
// same weights, as when every candidate is weighed.
func (r *runner) score(ctx context.Context, s *score.Scorer, batches []batch, from *score.Scorer, ratios [][]float32) ([]pair.Match, error) {
	minW := score.WeightOf(r.cfg.Threshold)
	shift := math.Inf(1)
	if a, b := from.RelatedPrior(), s.RelatedPrior(); a == b {
		shift = 0 // both -Inf without a related class
	} else if d := math.Abs(b - a); !math.IsNaN(d) {
		shift = d
	}
	// short reports whether a candidate of ratio x cannot reach minW.
	short := func(x float32) bool {
		y := float64(x)
		return s.Prior()+y+shift+math.Abs(y)*0x1p-20+0x1p-20 < minW
	}
	kept := make([][]pair.Match, len(batches))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Workers)
	for bi, b := range batches {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var (
				out []pair.Match
				at  []int // index in the batch of each kept pair
			)
			var rs []float32
			if ratios != nil {
				rs = ratios[bi]
			}
			for i, p := range b.pairs {
				if rs != nil && short(rs[i]) {
					continue
				}
				if w := s.Weight(p.Left, b.vecs[i]); w >= minW {
					out = append(out, pair.Match{Left: p.Left, Right: p.Right, Weight: w, Probability: score.Probability(w)})
					at = append(at, i)
				}
			}
			slab := make([]pair.Contribution, 0, len(out)*s.ExplanationLen())
			for k, i := range at {
				lo := len(slab)
				slab = s.AppendExplanation(slab, out[k].Left, b.vecs[i])
				out[k].Explanation = slab[lo:len(slab):len(slab)]
			}
			kept[bi] = out
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	total := 0
	for _, k := range kept {
		total += len(k)
	}
	matches := make([]pair.Match, 0, total)
	for _, k := range kept {
		matches = append(matches, k...)
	}
	slices.SortFunc(matches, func(a, b pair.Match) int {
		if c := cmp.Compare(a.Left, b.Left); c != 0 {
			return c
		}
		return cmp.Compare(a.Right, b.Right)
	})
	return matches, nil
}

// cluster clusters the kept pairs of a deduplication and drops those whose
// merge the chaining guard refused.
func (r *runner) cluster(s *score.Scorer, matches []pair.Match) []pair.Match {
	o := *r.cfg.Cluster
	if o.Score == nil {
		o.Score = func(a, b int32) float64 {
			return s.Weight(a, r.cmp.Compare(&r.left[a], &r.left[b]))
		}
		if o.MinWeight == 0 {
			o.MinWeight = score.WeightOf(r.cfg.Threshold) - DefaultChainSlack
		}
	}
	edges := make([]cluster.Edge, len(matches))
	for i, m := range matches {
		edges[i] = cluster.Edge{A: m.Left, B: m.Right, Weight: m.Weight}
	}
	res := cluster.Components(len(r.left), edges, o)
	r.res.Clusters = res.Clusters
	if len(res.Refused) > 0 {
		r.log.Info("linkage: chaining guard refused merges", "pairs", len(res.Refused))
	}
	refused := make(map[[2]int32]bool, len(res.Refused))
	for _, e := range res.Refused {
		refused[[2]int32{e.A, e.B}] = true
	}
	out := matches[:0]
	for _, m := range matches {
		if !refused[[2]int32{m.Left, m.Right}] {
			out = append(out, m)
		}
	}
	return out
}

// warmPairs is how many candidate pairs warm reads ahead of comparing them.
const warmPairs = 16

// warm reads every cache line of the records pairs name in left and
// right, and returns a sum of what it read, so that the reads are not
// optimised away. Candidate pairs name records all over arrays of hundreds
// of megabytes, and comparing a pair first waits for its two records to
// come from memory: at a million records a side that wait was most of the
// comparing. Reading the records of several pairs first lets their loads
// overlap.
func warm(left, right []pseudo.Record, pairs []block.Pair) uint64 {
	var x uint64
	for _, p := range pairs {
		x += touch(&left[p.Left]) + touch(&right[p.Right])
	}
	return x
}

// touch reads one word of each cache line of rec.
func touch(rec *pseudo.Record) uint64 {
	const line = 64
	p := unsafe.Pointer(rec)
	var x uint64
	for off := uintptr(0); off+8 <= unsafe.Sizeof(*rec); off += line {
		x += *(*uint64)(unsafe.Add(p, off))
	}
	return x + *(*uint64)(unsafe.Add(p, unsafe.Sizeof(*rec)-8))
}
