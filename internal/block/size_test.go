package block

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sizeByBlocks is size walking every block: the reference size is
// checked against.
func sizeByBlocks(st *state, ls, rs []uint64) (map[uint32]bool, int64, int64) {
	over := map[uint32]bool{}
	var blocks, pairs int64
	st.blocks(ls, rs, 32, func(l, r []uint64) error {
		if n := blockSize(l, r); n > st.opts.MaxBlockPairs {
			over[uint32(l[0]>>32)] = true
			blocks++
			pairs += n
		}
		return nil
	})
	return over, blocks, pairs
}

// column returns n sorted entries whose fingerprints come from few
// values, so that runs of every length occur.
func column(rng *rand.Rand, n, values int) []uint64 {
	a := make([]uint64, n)
	for i := range a {
		// Squaring skews the draws: some fingerprints are very common.
		x := rng.Float64()
		a[i] = uint64(x*x*float64(values))<<32 | uint64(i)
	}
	slices.Sort(a)
	return a
}

func FuzzSize(f *testing.F) {
	f.Add(uint64(1), uint16(500), uint16(400), uint16(40), uint16(100), false)
	f.Add(uint64(2), uint16(3000), uint16(10), uint16(3), uint16(1), true)
	f.Add(uint64(3), uint16(0), uint16(50), uint16(2), uint16(9), false)
	f.Fuzz(func(t *testing.T, seed uint64, nl, nr, values, limit uint16, dedupe bool) {
		rng := rand.New(rand.NewPCG(seed, 1))
		v := int(values)%200 + 1
		ls := column(rng, int(nl)%4000, v)
		var rs []uint64
		if !dedupe {
			rs = column(rng, int(nr)%4000, v)
		}
		st := &state{opts: Options{MaxBlockPairs: int64(limit) + 1}, dedupe: dedupe, oversized: make([]map[uint32]bool, 1), probe: make([]bool, 1), limit: []int64{int64(limit) + 1}}
		var stats RuleStats
		st.size(0, ls, rs, &stats)
		want, blocks, pairs := sizeByBlocks(st, ls, rs)
		got := st.oversized[0]
		if len(got) != len(want) || stats.SkippedBlocks != blocks || stats.SkippedPairs != pairs {
			t.Fatalf("limit %d: %d oversized blocks (%d pairs), want %d (%d pairs)", limit+1, stats.SkippedBlocks, stats.SkippedPairs, blocks, pairs)
		}
		for f := range want {
			if !got[f] {
				t.Fatalf("limit %d: block %d not found oversized", limit+1, f)
			}
		}
	})
}

func TestIsqrt(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 4, 8, 9, 10, 131072, 1<<32 - 1, 1 << 32, 1<<62 + 12345, math.MaxInt64, math.MaxUint64} {
		r := uint64(isqrt(n))
		if n > 0 && (r*r > n || (r < 1<<32-1 && (r+1)*(r+1) <= n)) {
			t.Errorf("isqrt(%d) = %d", n, r)
		}
		if r < 1 {
			t.Errorf("isqrt(%d) = %d, want at least 1", n, r)
		}
	}
}
