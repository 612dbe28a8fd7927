package block

import (
	"context"
	"fmt"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/radix"
)

// Pair is a candidate pair, by record index: Left indexes the left
// records and Right the right ones (in deduplication both index the one
// record slice, and Left < Right).
type Pair struct {
	Left, Right int32
}

// Defaults of Options.
const (
	DefaultMaxBlockPairs = 1 << 17
	DefaultChunkSize     = 1 << 16
)

// Options tunes blocking.
type Options struct {
	// MaxBlockPairs is the largest block, in pairs, that is enumerated;
	// larger blocks (a very common key) are skipped and counted. Zero
	// means DefaultMaxBlockPairs; negative means no limit.
	MaxBlockPairs int64
	// ChunkSize is the number of pairs handed to emit at a time. Zero
	// means DefaultChunkSize.
	ChunkSize int
	// Workers bounds the goroutines that compute keys and sort them.
	// Zero means GOMAXPROCS.
	Workers int
	// Truth, when set, tells whether a pair is a true match, so that
	// Stats can report pair completeness; TrueCount is then the number of
	// true pairs. They are for evaluation only.
	Truth     func(left, right int32) bool
	TrueCount int64
}

func (o *Options) defaults() {
	if o.MaxBlockPairs == 0 {
		o.MaxBlockPairs = DefaultMaxBlockPairs
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
}

// RuleStats reports what one rule contributed.
type RuleStats struct {
	Name string `json:"name"`
	// Generated counts the pairs in the rule's blocks, including those an
	// earlier rule had already generated.
	Generated int64 `json:"generated"`
	// New counts the pairs this rule was first to generate.
	New int64 `json:"new"`
	// ReductionRatio is 1 - Generated/ComparisonSpace: the share of all
	// pairs the rule alone rules out.
	ReductionRatio float64 `json:"reduction_ratio"`
	// SkippedBlocks and SkippedPairs count blocks over MaxBlockPairs.
	SkippedBlocks int64 `json:"skipped_blocks"`
	SkippedPairs  int64 `json:"skipped_pairs"`
	// TrueNew counts the true pairs among New, and Completeness is the
	// pair completeness (share of true pairs found) of this rule and all
	// before it; both are zero without Options.Truth.
	TrueNew      int64   `json:"true_new,omitempty"`
	Completeness float64 `json:"completeness,omitempty"`
}

// Stats reports a blocking run.
type Stats struct {
	Rules []RuleStats `json:"rules"`
	// ComparisonSpace is the number of pairs without blocking: left×right
	// for linkage, n(n-1)/2 for deduplication.
	ComparisonSpace float64 `json:"comparison_space"`
	// Candidates is the number of distinct pairs emitted.
	Candidates int64 `json:"candidates"`
	// ReductionRatio is 1 - Candidates/ComparisonSpace.
	ReductionRatio float64 `json:"reduction_ratio"`
	// TrueFound and Completeness are filled when Options.Truth is set.
	TrueFound    int64   `json:"true_found,omitempty"`
	Completeness float64 `json:"completeness,omitempty"`
}

// Link emits the candidate pairs between left and right under rules. emit
// is called from one goroutine at a time with chunks of at most
// Options.ChunkSize pairs, and owns each chunk it is given. An error from
// emit, or the end of ctx, stops blocking and is returned.
func Link(ctx context.Context, left, right []pseudo.Record, rules []Rule, opts Options, emit func([]Pair) error) (*Stats, error) {
	return run(ctx, left, right, false, rules, opts, emit)
}

// Dedupe emits the candidate pairs within recs under rules, each pair once
// with Left < Right. See Link for emit.
func Dedupe(ctx context.Context, recs []pseudo.Record, rules []Rule, opts Options, emit func([]Pair) error) (*Stats, error) {
	return run(ctx, recs, recs, true, rules, opts, emit)
}

// keyTable holds every record's key fingerprints, one row of cols per
// record.
type keyTable struct {
	cols int
	fp   []uint32
}

func (t *keyTable) row(i int32) []uint32 {
	return t.fp[int(i)*t.cols : int(i)*t.cols+t.cols]
}

// keys computes the key table of recs in parallel.
func keys(ctx context.Context, recs []pseudo.Record, rules []Rule, cols, workers int) (*keyTable, error) {
	t := &keyTable{cols: cols, fp: make([]uint32, len(recs)*cols)}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	const span = 4096
	for lo := 0; lo < len(recs); lo += span {
		hi := min(lo+span, len(recs))
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			buf := make([]uint64, cols)
			for i := lo; i < hi; i++ {
				c := 0
				for _, r := range rules {
					r.Key(&recs[i], buf[c:c+r.Keys])
					c += r.Keys
				}
				row := t.fp[i*cols : i*cols+cols]
				for j, k := range buf {
					row[j] = fingerprint(k)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return t, nil
}

// columns fills dst[j] with the records that have a key in column c0+j,
// as fingerprint<<32 | index, for j < len(dst), in one pass over the
// table (the table is row-major: reading one column at a time would read
// every row once per column).
func (t *keyTable) columns(c0 int, dst [][]uint64) {
	for j := range dst {
		dst[j] = dst[j][:0]
	}
	for i, row := 0, 0; i < len(t.fp); i, row = i+t.cols, row+1 {
		r := t.fp[i+c0 : i+c0+len(dst)]
		for j, f := range r {
			if f != 0 {
				dst[j] = append(dst[j], uint64(f)<<32|uint64(row))
			}
		}
	}
}

// state is one blocking run.
type state struct {
	opts      Options
	dedupe    bool
	lt, rt    *keyTable
	oversized []map[uint32]bool // per column: fingerprints of skipped blocks
	chunk     []Pair
	emit      func([]Pair) error
	stats     *RuleStats
	trueFound int64
}

func run(ctx context.Context, left, right []pseudo.Record, dedupe bool, rules []Rule, opts Options, emit func([]Pair) error) (*Stats, error) {
	opts.defaults()
	cols, err := validate(rules)
	if err != nil {
		return nil, err
	}
	if len(left) >= 1<<31-1 || len(right) >= 1<<31-1 {
		return nil, fmt.Errorf("block: too many records for int32 indexes")
	}
	st := &state{opts: opts, dedupe: dedupe, emit: emit, oversized: make([]map[uint32]bool, cols)}
	st.lt, err = keys(ctx, left, rules, cols, opts.Workers)
	if err != nil {
		return nil, fmt.Errorf("block: keys: %w", err)
	}
	st.rt = st.lt
	if !dedupe {
		if st.rt, err = keys(ctx, right, rules, cols, opts.Workers); err != nil {
			return nil, fmt.Errorf("block: keys: %w", err)
		}
	}

	stats := &Stats{Rules: make([]RuleStats, len(rules))}
	if dedupe {
		n := float64(len(left))
		stats.ComparisonSpace = n * (n - 1) / 2
	} else {
		stats.ComparisonSpace = float64(len(left)) * float64(len(right))
	}
	// Columns are extracted columnGroup at a time, sorted, and joined in
	// order.
	colRule := make([]int, 0, cols)
	for ri, r := range rules {
		for range r.Keys {
			colRule = append(colRule, ri)
		}
	}
	group := min(columnGroup, cols)
	lcols, rcols := make([][]uint64, group), make([][]uint64, group)
	for j := range group {
		lcols[j] = make([]uint64, 0, len(left))
		if !dedupe {
			rcols[j] = make([]uint64, 0, len(right))
		}
	}
	lscr := make([]uint64, len(left))
	var rscr []uint64
	if !dedupe {
		rscr = make([]uint64, len(right))
	}
	st.chunk = make([]Pair, 0, opts.ChunkSize)
	for c0 := 0; c0 < cols; c0 += group {
		n := min(group, cols-c0)
		g := errgroup.Group{}
		g.Go(func() error { st.lt.columns(c0, lcols[:n]); return nil })
		if !dedupe {
			st.rt.columns(c0, rcols[:n])
		}
		g.Wait()
		for j := range n {
			c := c0 + j
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			ri := colRule[c]
			st.stats = &stats.Rules[ri]
			st.stats.Name = rules[ri].Name
			var ls, rs []uint64
			if dedupe {
				ls = radix.SortHigh(lcols[j], lscr)
			} else {
				g := errgroup.Group{}
				g.Go(func() error { ls = radix.SortHigh(lcols[j], lscr); return nil })
				rs = radix.SortHigh(rcols[j], rscr)
				g.Wait()
			}
			if err := st.join(ctx, c, ls, rs); err != nil {
				return nil, err
			}
			if c+1 == cols || colRule[c+1] != ri {
				st.finishRule(stats, ri)
			}
		}
	}
	if len(st.chunk) > 0 {
		if err := emit(st.chunk); err != nil {
			return nil, err
		}
	}
	stats.ReductionRatio = reduction(float64(stats.Candidates), stats.ComparisonSpace)
	if opts.Truth != nil && opts.TrueCount > 0 {
		stats.TrueFound = st.trueFound
		stats.Completeness = float64(st.trueFound) / float64(opts.TrueCount)
	}
	return stats, nil
}

// columnGroup is the number of key columns extracted in one pass.
const columnGroup = 8

// finishRule completes the statistics of rule ri once its last column is
// joined.
func (st *state) finishRule(stats *Stats, ri int) {
	rs := &stats.Rules[ri]
	stats.Candidates += rs.New
	rs.ReductionRatio = reduction(float64(rs.Generated), stats.ComparisonSpace)
	if st.opts.Truth != nil && st.opts.TrueCount > 0 {
		st.trueFound += rs.TrueNew
		rs.Completeness = float64(st.trueFound) / float64(st.opts.TrueCount)
	}
}

func reduction(n, space float64) float64 {
	if space <= 0 {
		return 0
	}
	return 1 - n/space
}

// join enumerates the blocks of column c: runs of equal fingerprint in ls
// and rs (link), or in ls alone (deduplication).
func (st *state) join(ctx context.Context, c int, ls, rs []uint64) error {
	if st.dedupe {
		for i := 0; i < len(ls); {
			j := run32(ls, i)
			if j-i > 1 {
				if err := st.block(ctx, c, ls[i:j], nil); err != nil {
					return err
				}
			}
			i = j
		}
		return nil
	}
	i, j := 0, 0
	for i < len(ls) && j < len(rs) {
		a, b := ls[i]>>32, rs[j]>>32
		switch {
		case a < b:
			i = run32(ls, i)
		case a > b:
			j = run32(rs, j)
		default:
			ie, je := run32(ls, i), run32(rs, j)
			if err := st.block(ctx, c, ls[i:ie], rs[j:je]); err != nil {
				return err
			}
			i, j = ie, je
		}
	}
	return nil
}

// run32 returns the end of the run of equal fingerprints starting at i.
func run32(a []uint64, i int) int {
	f := a[i] >> 32
	j := i + 1
	for j < len(a) && a[j]>>32 == f {
		j++
	}
	return j
}

// block enumerates one block of column c: l × r, or the pairs within l
// when r is nil.
func (st *state) block(ctx context.Context, c int, l, r []uint64) error {
	var size int64
	if r == nil {
		n := int64(len(l))
		size = n * (n - 1) / 2
	} else {
		size = int64(len(l)) * int64(len(r))
	}
	if st.opts.MaxBlockPairs > 0 && size > st.opts.MaxBlockPairs {
		if st.oversized[c] == nil {
			st.oversized[c] = make(map[uint32]bool)
		}
		st.oversized[c][uint32(l[0]>>32)] = true
		st.stats.SkippedBlocks++
		st.stats.SkippedPairs += size
		return nil
	}
	st.stats.Generated += size
	for a, x := range l {
		li := int32(uint32(x))
		lrow := st.lt.row(li)
		others := r
		if r == nil {
			others = l[a+1:]
		}
		for _, y := range others {
			ri := int32(uint32(y))
			if st.seen(c, lrow, st.rt.row(ri)) {
				continue
			}
			if st.opts.Truth != nil && st.opts.Truth(li, ri) {
				st.stats.TrueNew++
			}
			st.stats.New++
			st.chunk = append(st.chunk, Pair{li, ri})
			if len(st.chunk) == cap(st.chunk) {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := st.emit(st.chunk); err != nil {
					return err
				}
				st.chunk = make([]Pair, 0, st.opts.ChunkSize)
			}
		}
	}
	return nil
}

// seen reports whether a column before c already joined the records whose
// key rows are a and b, in a block that was not skipped.
func (st *state) seen(c int, a, b []uint32) bool {
	a, b = a[:c], b[:c]
	for k, f := range a {
		if f != 0 && f == b[k] && !st.oversized[k][f] {
			return true
		}
	}
	return false
}
