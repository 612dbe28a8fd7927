package radix

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortHigh(t *testing.T) {
	for _, n := range []int{0, 1, 10, 5000, 70000} {
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		a := make([]uint64, n)
		for i := range a {
			// Few distinct high halves, so that stability matters.
			a[i] = uint64(rng.Uint32N(1000)*4_000_037)<<32 | uint64(i)
		}
		want := slices.Clone(a)
		slices.SortStableFunc(want, func(x, y uint64) int {
			switch {
			case x>>32 < y>>32:
				return -1
			case x>>32 > y>>32:
				return 1
			}
			return 0
		})
		got := SortHigh(a, make([]uint64, n))
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: SortHigh differs from a stable sort", n)
		}
	}
}

func FuzzSortHigh(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var a []uint64
		for len(b) >= 8 {
			var x uint64
			for _, c := range b[:8] {
				x = x<<8 | uint64(c)
			}
			a = append(a, x&^0xffffffff|uint64(len(a)))
			b = b[8:]
		}
		// Repeat to cross the radix threshold.
		for n := len(a); n > 0 && len(a) < 5000; {
			a = append(a, a[len(a)%n]&^0xffffffff|uint64(len(a)))
		}
		got := SortHigh(slices.Clone(a), make([]uint64, len(a)))
		for i := 1; i < len(got); i++ {
			if got[i-1]>>32 > got[i]>>32 || (got[i-1]>>32 == got[i]>>32 && uint32(got[i-1]) > uint32(got[i])) {
				t.Fatalf("not sorted stably at %d", i)
			}
		}
		slices.Sort(a)
		s := slices.Clone(got)
		slices.Sort(s)
		if !slices.Equal(a, s) {
			t.Fatal("SortHigh lost or invented elements")
		}
	})
}

func benchmarkSortHigh(b *testing.B, n int) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := make([]uint64, n)
	for i := range a {
		a[i] = uint64(rng.Uint32())<<32 | uint64(i)
	}
	w := make([]uint64, n)
	s := make([]uint64, n)
	b.SetBytes(int64(8 * n))
	for b.Loop() {
		copy(w, a)
		SortHigh(w, s)
	}
}

func BenchmarkSortHigh100k(b *testing.B) { benchmarkSortHigh(b, 100_000) }
func BenchmarkSortHigh1M(b *testing.B)   { benchmarkSortHigh(b, 1_000_000) }
