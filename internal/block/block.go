package block

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/hugepage"
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
	// Workers bounds the goroutines that compute keys, sort them and
	// join them. Zero means GOMAXPROCS.
	Workers int
	// LeftKeys and RightKeys, when set, are the key tables of the left
	// and right records under the rules blocked on (see NewKeys), made
	// ahead of blocking by whoever produced the records; a nil table is
	// computed. Deduplication uses LeftKeys only.
	LeftKeys, RightKeys *Keys
	// Truth, when set, tells whether a pair is a true match, so that
	// Stats can report pair completeness; TrueCount is then the number of
	// true pairs. They are for evaluation only. Truth is called from
	// several goroutines at once.
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
	// SkippedBlocks and SkippedPairs count blocks over their limit
	// (Options.MaxBlockPairs, Rule.MaxBlockPairs).
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
// Options.ChunkSize pairs, and owns each chunk it is given. Chunks come
// in no particular order (the keys are joined by several goroutines), but
// the pairs of each chunk, and so the set of chunks, are the same from
// run to run. An error from emit, or the end of ctx, stops blocking and is
// returned.
func Link(ctx context.Context, left, right []pseudo.Record, rules []Rule, opts Options, emit func([]Pair) error) (*Stats, error) {
	return run(ctx, left, right, false, rules, opts, emit)
}

// Dedupe emits the candidate pairs within recs under rules, each pair once
// with Left < Right. See Link for emit.
func Dedupe(ctx context.Context, recs []pseudo.Record, rules []Rule, opts Options, emit func([]Pair) error) (*Stats, error) {
	return run(ctx, recs, recs, true, rules, opts, emit)
}

// maxRecords bounds the records of one side: indexes are int32.
const maxRecords = 1<<31 - 1

// Keys is the key table of a slice of records under a rule set: every
// record's key fingerprints, one row of columns per record (a rule gives
// Rule.Keys columns). Computing it reads every record once; a producer of
// records can fill it while the records are still in cache (Set) and
// hand it to blocking in Options.
type Keys struct {
	names []string // the rules' names, one per column, to check a table against its rules
	cols  int
	fp    []uint32
}

// NewKeys returns a key table for n records under rules, with every row
// empty (no keys) until Set fills it.
func NewKeys(rules []Rule, n int) (*Keys, error) {
	cols, err := validate(rules)
	if err != nil {
		return nil, err
	}
	if n < 0 || n >= maxRecords {
		return nil, fmt.Errorf("block: %d records do not fit int32 indexes", n)
	}
	k := &Keys{cols: cols, fp: make([]uint32, n*cols)}
	hugepage.Advise(k.fp)
	for _, r := range rules {
		for range r.Keys {
			k.names = append(k.names, r.Name)
		}
	}
	return k, nil
}

// Len returns the number of records in the table.
func (k *Keys) Len() int { return len(k.fp) / k.cols }

// Truncate keeps the first n rows of the table, for when fewer records
// were produced than it was made for. It panics if n exceeds Len.
func (k *Keys) Truncate(n int) {
	if n < 0 || n > k.Len() {
		panic(fmt.Sprintf("block: Truncate(%d) of a key table of %d records", n, k.Len()))
	}
	k.fp = k.fp[:n*k.cols]
}

// Set computes the keys of recs, records first to first+len(recs)-1, under
// rules, which must be the rules the table was made for. Calls for
// disjoint ranges may run concurrently.
func (k *Keys) Set(rules []Rule, first int, recs []pseudo.Record) {
	buf := make([]uint64, k.cols)
	rows := k.fp[first*k.cols : (first+len(recs))*k.cols]
	for i := range recs {
		row := rows[i*k.cols : i*k.cols+k.cols]
		c := 0
		for _, r := range rules {
			ks := buf[c : c+r.Keys]
			r.Key(&recs[i], ks)
			probe := r.Probe != nil && r.Probe(&recs[i])
			for j, key := range ks {
				f := fingerprint(key)
				if r.Probe != nil {
					f = probeFingerprint(f, probe)
				}
				row[c+j] = f
			}
			c += r.Keys
		}
	}
}

// fits reports why k is not the key table of n records under rules, or
// nil if it is.
func (k *Keys) fits(rules []Rule, cols, n int) error {
	if k.cols != cols || k.Len() != n {
		return fmt.Errorf("block: key table of %d records and %d keys given for %d records and %d keys", k.Len(), k.cols, n, cols)
	}
	c := 0
	for _, r := range rules {
		for range r.Keys {
			if k.names[c] != r.Name {
				return fmt.Errorf("block: key table made for rule %q given for rule %q", k.names[c], r.Name)
			}
			c++
		}
	}
	return nil
}

func (k *Keys) row(i int32) []uint32 {
	return k.fp[int(i)*k.cols : int(i)*k.cols+k.cols]
}

// keys computes the key table of recs in parallel.
func keys(ctx context.Context, recs []pseudo.Record, rules []Rule, workers int) (*Keys, error) {
	t, err := NewKeys(rules, len(recs))
	if err != nil {
		return nil, err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	const span = 4096
	for lo := 0; lo < len(recs); lo += span {
		hi := min(lo+span, len(recs))
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			t.Set(rules, lo, recs[lo:hi])
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return t, nil
}

// tableFor returns the key table of recs: given, after checking that it
// fits, or computed.
func tableFor(ctx context.Context, given *Keys, recs []pseudo.Record, rules []Rule, cols, workers int) (*Keys, error) {
	if given == nil {
		return keys(ctx, recs, rules, workers)
	}
	if err := given.fits(rules, cols, len(recs)); err != nil {
		return nil, err
	}
	return given, nil
}

// columns fills dst[j] with the records that have a key in column c0+j,
// as fingerprint<<32 | index, for j < len(dst), in one pass over the
// table (the table is row-major: reading one column at a time would read
// every row once per column).
// Each dst[j] must have room for every row.
func (k *Keys) columns(c0 int, dst [][]uint64) {
	var n [columnGroup]int
	out := make([][]uint64, len(dst))
	for j := range dst {
		out[j] = dst[j][:cap(dst[j])]
	}
	for i, row := 0, uint64(0); i < len(k.fp); i, row = i+k.cols, row+1 {
		r := k.fp[i+c0 : i+c0+len(dst)]
		for j, f := range r {
			if f != 0 {
				out[j][n[j]] = uint64(f)<<32 | row
				n[j]++
			}
		}
	}
	for j := range dst {
		dst[j] = out[j][:n[j]]
	}
}

// state is one blocking run.
type state struct {
	opts   Options
	dedupe bool
	lt, rt *Keys
	// oversized holds, per column, the fingerprints of its skipped
	// blocks. A column's set is complete before any later column is
	// joined, and is only read from then on.
	oversized []map[uint32]bool
	// probe marks the columns of probe rules (see Rule.Probe), whose
	// fingerprints carry the probe mark in their lowest bit and whose
	// blocks, and skipped blocks, are fingerprints without it.
	probe []bool
	// limit is each column's largest block, in pairs, that is enumerated
	// (Options.MaxBlockPairs, or its rule's Rule.MaxBlockPairs when
	// lower); 0 or less means no limit.
	limit []int64
	mu    sync.Mutex // serialises emit and the skipped-block counts
	emit  func([]Pair) error
}

// joiner joins one column: its pairs not yet checked, its pending chunk
// and what it counted.
type joiner struct {
	st        *state
	c         int
	pend      []Pair
	chunk     []Pair
	generated int64
	new       int64
	trueNew   int64
	touched   uint32 // the sum of the words check reads ahead, never used
}

func run(ctx context.Context, left, right []pseudo.Record, dedupe bool, rules []Rule, opts Options, emit func([]Pair) error) (*Stats, error) {
	opts.defaults()
	cols, err := validate(rules)
	if err != nil {
		return nil, err
	}
	if len(left) >= maxRecords || len(right) >= maxRecords {
		return nil, fmt.Errorf("block: too many records for int32 indexes")
	}
	st := &state{opts: opts, dedupe: dedupe, emit: emit, oversized: make([]map[uint32]bool, cols)}
	if dedupe {
		st.lt, err = tableFor(ctx, opts.LeftKeys, left, rules, cols, opts.Workers)
		st.rt = st.lt
	} else {
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() (err error) {
			st.lt, err = tableFor(gctx, opts.LeftKeys, left, rules, cols, opts.Workers)
			return err
		})
		g.Go(func() (err error) {
			st.rt, err = tableFor(gctx, opts.RightKeys, right, rules, cols, opts.Workers)
			return err
		})
		err = g.Wait()
	}
	if err != nil {
		return nil, fmt.Errorf("block: keys: %w", err)
	}

	stats := &Stats{Rules: make([]RuleStats, len(rules))}
	for ri, r := range rules {
		stats.Rules[ri].Name = r.Name
	}
	if dedupe {
		n := float64(len(left))
		stats.ComparisonSpace = n * (n - 1) / 2
	} else {
		stats.ComparisonSpace = float64(len(left)) * float64(len(right))
	}
	colRule := make([]int, 0, cols)
	st.probe = make([]bool, 0, cols)
	st.limit = make([]int64, 0, cols)
	for ri, r := range rules {
		limit := opts.MaxBlockPairs
		if r.MaxBlockPairs > 0 && (limit <= 0 || r.MaxBlockPairs < limit) {
			limit = r.MaxBlockPairs
		}
		for range r.Keys {
			colRule = append(colRule, ri)
			st.probe = append(st.probe, r.Probe != nil)
			st.limit = append(st.limit, limit)
		}
	}
	// Columns are taken columnGroup at a time: extracted from the key
	// tables, sorted, sized (which blocks are skipped), then joined, each
	// column by one goroutine. A column's joins read the skipped blocks
	// of the columns before it, so sizing comes first.
	group := min(columnGroup, cols)
	// The column and scratch buffers are large (8 MB a column for a
	// million records) and written once for each group: one backing array
	// each, advised into huge pages.
	lcols := columnBuffers(group, len(left))
	var rcols [][]uint64
	if dedupe {
		rcols = make([][]uint64, group)
	} else {
		rcols = columnBuffers(group, len(right))
	}
	scratch := make(chan []uint64, opts.Workers)
	for _, s := range columnBuffers(opts.Workers, max(len(left), len(right))) {
		scratch <- s[:cap(s)]
	}
	joiners := make([]*joiner, cols)
	for c0 := 0; c0 < cols; c0 += group {
		n := min(group, cols-c0)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error { st.lt.columns(c0, lcols[:n]); return nil })
		if !dedupe {
			g.Go(func() error { st.rt.columns(c0, rcols[:n]); return nil })
		}
		g.Wait()
		g, gctx = errgroup.WithContext(ctx)
		g.SetLimit(opts.Workers)
		sort := func(a []uint64) {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				s := <-scratch
				radix.SortHigh(a, s)
				scratch <- s
				return nil
			})
		}
		for j := range n {
			sort(lcols[j])
			if !dedupe {
				sort(rcols[j])
			}
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		g, gctx = errgroup.WithContext(ctx)
		g.SetLimit(opts.Workers)
		for j := range n {
			g.Go(func() error {
				st.size(c0+j, lcols[j], rcols[j], &stats.Rules[colRule[c0+j]])
				return nil
			})
		}
		g.Wait()
		g, gctx = errgroup.WithContext(ctx)
		g.SetLimit(opts.Workers)
		for j := range n {
			c := c0 + j
			jn := &joiner{st: st, c: c, pend: make([]Pair, 0, pendingPairs), chunk: make([]Pair, 0, opts.ChunkSize)}
			joiners[c] = jn
			g.Go(func() error {
				if err := jn.join(gctx, lcols[j], rcols[j]); err != nil {
					return err
				}
				return jn.flush(gctx)
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
	}
	var trueFound int64
	for c, jn := range joiners {
		rs := &stats.Rules[colRule[c]]
		rs.Generated += jn.generated
		rs.New += jn.new
		rs.TrueNew += jn.trueNew
		if c+1 < cols && colRule[c+1] == colRule[c] {
			continue
		}
		// The rule's last column: its counts are complete.
		stats.Candidates += rs.New
		rs.ReductionRatio = reduction(float64(rs.Generated), stats.ComparisonSpace)
		if opts.Truth != nil && opts.TrueCount > 0 {
			trueFound += rs.TrueNew
			rs.Completeness = float64(trueFound) / float64(opts.TrueCount)
		}
	}
	stats.ReductionRatio = reduction(float64(stats.Candidates), stats.ComparisonSpace)
	if opts.Truth != nil && opts.TrueCount > 0 {
		stats.TrueFound = trueFound
		stats.Completeness = float64(trueFound) / float64(opts.TrueCount)
	}
	return stats, nil
}

// columnBuffers returns k empty slices of capacity n each, cut from one
// backing array advised into huge pages.
func columnBuffers(k, n int) [][]uint64 {
	backing := make([]uint64, k*n)
	hugepage.Advise(backing)
	out := make([][]uint64, k)
	for j := range out {
		out[j] = backing[j*n : j*n : (j+1)*n]
	}
	return out
}

// columnGroup is the number of key columns extracted in one pass.
const columnGroup = 8

func reduction(n, space float64) float64 {
	if space <= 0 {
		return 0
	}
	return 1 - n/space
}

// blocks calls fn with every block of a sorted column: runs of equal
// fingerprint in ls and rs (link), or runs of more than one record in ls
// alone (deduplication, rs nil). Fingerprints are compared above bit
// shift of their elements: 32 compares whole fingerprints, 33 ignores a
// probe rule's probe mark.
func (st *state) blocks(ls, rs []uint64, shift uint, fn func(l, r []uint64) error) error {
	if st.dedupe {
		for i := 0; i < len(ls); {
			j := runBy(ls, i, shift)
			if j-i > 1 {
				if err := fn(ls[i:j], nil); err != nil {
					return err
				}
			}
			i = j
		}
		return nil
	}
	i, j := 0, 0
	for i < len(ls) && j < len(rs) {
		a, b := ls[i]>>shift, rs[j]>>shift
		switch {
		case a < b:
			i = runBy(ls, i, shift)
		case a > b:
			j = runBy(rs, j, shift)
		default:
			ie, je := runBy(ls, i, shift), runBy(rs, j, shift)
			if err := fn(ls[i:ie], rs[j:je]); err != nil {
				return err
			}
			i, j = ie, je
		}
	}
	return nil
}

// blockSize returns the number of pairs in the block l × r, or within l
// when r is nil.
func blockSize(l, r []uint64) int64 {
	if r == nil {
		n := int64(len(l))
		return n * (n - 1) / 2
	}
	return int64(len(l)) * int64(len(r))
}

// size records the blocks of column c that are over its limit
// in st.oversized, and counts them in stats, which other goroutines sizing
// columns of the same rule also update.
//
// A block of more than MaxBlockPairs pairs has more than root records on
// one side at least, root being the integer square root of the limit, so
// only such long runs of a column are looked at: they are found by
// probing every root-th element, and their block's other side by binary
// search, at a cost that does not grow with the column.
func (st *state) size(c int, ls, rs []uint64, stats *RuleStats) {
	limit := st.limit[c]
	if limit <= 0 {
		return
	}
	if st.probe[c] {
		st.sizeProbe(c, limit, ls, rs, stats)
		return
	}
	root := isqrt(uint64(limit))
	var blocks, pairs int64
	over := map[uint32]bool{}
	seen := map[uint32]bool{}
	check := func(f uint32) {
		if seen[f] {
			return
		}
		seen[f] = true
		l := runOf(ls, f)
		var r []uint64
		if !st.dedupe {
			if r = runOf(rs, f); len(r) == 0 {
				return
			}
		}
		if n := blockSize(l, r); n > limit {
			over[f] = true
			blocks++
			pairs += n
		}
	}
	longRuns(ls, root, check)
	if !st.dedupe {
		longRuns(rs, root, check)
	}
	st.skip(c, over, blocks, pairs, stats)
}

// skip records the oversized blocks of column c, over, and counts them
// (blocks of pairs pairs) in stats.
func (st *state) skip(c int, over map[uint32]bool, blocks, pairs int64, stats *RuleStats) {
	if len(over) > 0 {
		st.oversized[c] = over
	}
	st.mu.Lock()
	stats.SkippedBlocks += blocks
	stats.SkippedPairs += pairs
	st.mu.Unlock()
}

// sizeProbe is size for the column c of a probe rule. Its blocks are
// not the runs of equal fingerprints, so every block is sized, in one
// pass over the column.
func (st *state) sizeProbe(c int, limit int64, ls, rs []uint64, stats *RuleStats) {
	var blocks, pairs int64
	over := map[uint32]bool{}
	st.probeBlocks(ls, rs, func(b probeBlock) error {
		if n := b.size(st.dedupe); n > limit {
			over[b.key] = true
			blocks++
			pairs += n
		}
		return nil
	})
	st.skip(c, over, blocks, pairs, stats)
}

// probeBlock is one block of a probe rule's column: the records of each
// side that share the fingerprint key (the fingerprint without its probe
// mark), split into those that are not probes (l0, r0) and those that are
// (l1, r1). A deduplication's block has only the left side.
type probeBlock struct {
	key            uint32
	l0, l1, r0, r1 []uint64
}

// size returns the number of pairs b joins: each pair with a probe in it.
func (b probeBlock) size(dedupe bool) int64 {
	l0, l1 := int64(len(b.l0)), int64(len(b.l1))
	if dedupe {
		return l1*(l1-1)/2 + l0*l1
	}
	return l1*int64(len(b.r0)+len(b.r1)) + l0*int64(len(b.r1))
}

// probeBlocks calls fn with every block of a sorted probe column that
// joins at least one pair: records sharing a fingerprint but for its
// lowest bit. Sorting puts a block's records that are not probes (an
// even fingerprint) before those that are.
func (st *state) probeBlocks(ls, rs []uint64, fn func(probeBlock) error) error {
	split := func(a []uint64) (zero, one []uint64) {
		i := 0
		for i < len(a) && a[i]>>32&1 == 0 {
			i++
		}
		return a[:i], a[i:]
	}
	return st.blocks(ls, rs, 33, func(l, r []uint64) error {
		b := probeBlock{key: uint32(l[0] >> 33)}
		b.l0, b.l1 = split(l)
		b.r0, b.r1 = split(r)
		if len(b.l1) == 0 && len(b.r1) == 0 {
			return nil
		}
		return fn(b)
	})
}

// isqrt returns the largest r with r² ≤ n, at least 1.
func isqrt(n uint64) int {
	r := uint64(math.Sqrt(float64(n)))
	for r > 0 && r*r > n {
		r--
	}
	for r < 1<<32-1 && (r+1)*(r+1) <= n {
		r++
	}
	return int(max(r, 1))
}

// longRuns calls fn with the fingerprint of every run of more than root
// equal fingerprints in a, which is sorted by fingerprint, once. Every
// such run holds an element whose index is a multiple of root, and is
// found from the first of them.
func longRuns(a []uint64, root int, fn func(f uint32)) {
	for p := 0; p < len(a); p += root {
		f := a[p] >> 32
		lo := p
		for lo > 0 && p-lo <= root && a[lo-1]>>32 == f {
			lo--
		}
		if p-lo > root {
			continue // the run holds the element root before: reported then
		}
		if hi := run32(a, p); hi-lo > root {
			fn(uint32(f))
		}
	}
}

// runOf returns the run of fingerprint f in a, which is sorted by
// fingerprint; it is empty if f is not in a.
func runOf(a []uint64, f uint32) []uint64 {
	lo, _ := slices.BinarySearchFunc(a, f, func(x uint64, f uint32) int { return cmp.Compare(uint32(x>>32), f) })
	hi := lo
	if hi < len(a) && uint32(a[hi]>>32) == f {
		hi = run32(a, lo)
	}
	return a[lo:hi]
}

// run32 returns the end of the run of equal fingerprints starting at i.
func run32(a []uint64, i int) int { return runBy(a, i, 32) }

// runBy returns the end of the run starting at i of elements equal above
// bit shift.
func runBy(a []uint64, i int, shift uint) int {
	f := a[i] >> shift
	j := i + 1
	for j < len(a) && a[j]>>shift == f {
		j++
	}
	return j
}

// join enumerates the blocks of the joiner's column.
func (jn *joiner) join(ctx context.Context, ls, rs []uint64) error {
	st := jn.st
	if st.probe[jn.c] {
		return jn.joinProbe(ctx, ls, rs)
	}
	limit := st.limit[jn.c]
	err := st.blocks(ls, rs, 32, func(l, r []uint64) error {
		size := blockSize(l, r)
		if limit > 0 && size > limit {
			return nil
		}
		jn.generated += size
		return jn.block(ctx, l, r)
	})
	if err != nil {
		return err
	}
	return jn.check(ctx)
}

// joinProbe enumerates the blocks of the joiner's column, a probe
// rule's: in each, the pairs with a probe in them.
func (jn *joiner) joinProbe(ctx context.Context, ls, rs []uint64) error {
	st := jn.st
	limit := st.limit[jn.c]
	err := st.probeBlocks(ls, rs, func(b probeBlock) error {
		size := b.size(st.dedupe)
		if limit > 0 && size > limit {
			return nil
		}
		jn.generated += size
		if st.dedupe {
			if err := jn.block(ctx, b.l1, nil); err != nil {
				return err
			}
			if len(b.l0) == 0 {
				return nil
			}
			return jn.block(ctx, b.l0, b.l1)
		}
		for _, part := range [][2][]uint64{{b.l1, b.r0}, {b.l1, b.r1}, {b.l0, b.r1}} {
			if len(part[0]) == 0 || len(part[1]) == 0 {
				continue // an empty right side must not read as "within the left"
			}
			if err := jn.block(ctx, part[0], part[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return jn.check(ctx)
}

// block enumerates one block: l × r, or the pairs within l when r is nil.
// A deduplication's pairs across two parts of a block (r not nil) are
// put with the lower index on the left.
func (jn *joiner) block(ctx context.Context, l, r []uint64) error {
	order := r != nil && jn.st.dedupe
	for a, x := range l {
		li := int32(uint32(x))
		others := r
		if r == nil {
			others = l[a+1:]
		}
		for _, y := range others {
			p := Pair{li, int32(uint32(y))}
			if order && p.Right < p.Left {
				p.Left, p.Right = p.Right, p.Left
			}
			jn.pend = append(jn.pend, p)
			if len(jn.pend) == cap(jn.pend) {
				if err := jn.check(ctx); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// pendingPairs is the number of generated pairs gathered before their
// key rows are read. The rows are those of records anywhere in the
// tables, so nearly every one is a cache miss: read for many pairs in a
// row, with nothing waiting on each, they are fetched from memory in
// parallel instead of one after the other.
const pendingPairs = 64

// check adds to the chunk the pending pairs that no earlier column
// joined, and empties the pending pairs.
func (jn *joiner) check(ctx context.Context) error {
	st, c := jn.st, jn.c
	if c > 0 {
		// Fetch the rows' first and last words that seen reads.
		lf, rf, cols := st.lt.fp, st.rt.fp, st.lt.cols
		var t uint32
		for _, p := range jn.pend {
			i, j := int(p.Left)*cols, int(p.Right)*cols
			t += lf[i] + lf[i+c-1] + rf[j] + rf[j+c-1]
		}
		jn.touched += t
	}
	for _, p := range jn.pend {
		if c > 0 && st.seen(c, st.lt.row(p.Left), st.rt.row(p.Right)) {
			continue
		}
		if st.opts.Truth != nil && st.opts.Truth(p.Left, p.Right) {
			jn.trueNew++
		}
		jn.new++
		jn.chunk = append(jn.chunk, p)
		if len(jn.chunk) == cap(jn.chunk) {
			if err := jn.flush(ctx); err != nil {
				return err
			}
		}
	}
	jn.pend = jn.pend[:0]
	return nil
}

// flush hands the pending chunk, if any, to emit.
func (jn *joiner) flush(ctx context.Context) error {
	if len(jn.chunk) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	st := jn.st
	st.mu.Lock()
	err := st.emit(jn.chunk)
	st.mu.Unlock()
	if err != nil {
		return err
	}
	jn.chunk = make([]Pair, 0, st.opts.ChunkSize)
	return nil
}

// seen reports whether a column before c already joined the records whose
// key rows are a and b, in a block that was not skipped.
func (st *state) seen(c int, a, b []uint32) bool {
	a, b = a[:c], b[:c]
	for k, f := range a {
		if f == 0 {
			continue
		}
		if f == b[k] && !st.probe[k] && !st.oversized[k][f] {
			return true
		}
		if st.probe[k] && f>>1 == b[k]>>1 && (f|b[k])&1 != 0 && !st.oversized[k][f>>1] {
			return true
		}
	}
	return false
}
