package load

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestIdSet(t *testing.T) {
	type claim struct {
		id   string
		h    uint64 // 0: the set's own hash
		want bool
	}
	long := strings.Repeat("x", idBlock+10)
	tests := []struct {
		name   string
		claims []claim
	}{
		{"first claim wins", []claim{{"R1", 0, true}, {"R2", 0, true}, {"R1", 0, false}, {"R2", 0, false}, {"R3", 0, true}}},
		{"equal hashes, different ids", []claim{{"a", 42, true}, {"b", 42, true}, {"a", 42, false}, {"b", 42, false}, {"c", 42, true}}},
		{"equal upper halves, different slots", []claim{{"a", 7<<32 | 1, true}, {"b", 7<<32 | 2, true}, {"b", 7<<32 | 2, false}}},
		{"empty and long ids", []claim{{"", 0, true}, {long, 0, true}, {"", 0, false}, {long, 0, false}, {long[1:], 0, true}}},
		{"an id that prefixes another", []claim{{"R1", 9, true}, {"R10", 9, true}, {"R1", 9, false}, {"R10", 9, false}}},
	}
	for _, tt := range tests {
		// Once with the run, which takes ids in increasing order, and once
		// with every id in the table, under the hashes given.
		for _, ordered := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/ordered=%v", tt.name, ordered), func(t *testing.T) {
				s := newIdSet(4)
				if !ordered {
					s.disorder()
				}
				for i, c := range tt.claims {
					if got := s.claim(c.id, c.h); got != c.want {
						t.Fatalf("claim %d (%.10q) = %v, want %v", i, c.id, got, c.want)
					}
				}
			})
		}
	}
}

// TestIdSetGivesUpRun checks that the run takes sorted ids without the
// table, and is moved into the table, keeping every id, once too many ids
// come out of order.
func TestIdSetGivesUpRun(t *testing.T) {
	s := newIdSet(1000)
	for i := range 1000 {
		if !s.claim(fmt.Sprintf("P%06d", i), 0) {
			t.Fatalf("P%06d claimed twice", i)
		}
	}
	if !s.ordered || s.inTable != 0 || len(s.run) != 1000 {
		t.Fatalf("sorted ids: ordered %v, %d in the table, %d in the run", s.ordered, s.inTable, len(s.run))
	}
	// A repeat is found in the run; then enough repeats give the run up.
	for i := 0; s.ordered; i++ {
		if i == 1000 {
			t.Fatal("the run was kept through 1000 ids out of order")
		}
		if s.claim(fmt.Sprintf("P%06d", i), 0) {
			t.Fatalf("repeat of P%06d claimed", i)
		}
	}
	if s.inTable != 1000 || len(s.run) != 0 || len(s.slots) < 2*s.inTable {
		t.Fatalf("after the run: %d in %d slots, %d in the run", s.inTable, len(s.slots), len(s.run))
	}
	for i := range 1000 {
		if s.claim(fmt.Sprintf("P%06d", i), 0) {
			t.Fatalf("P%06d claimed again after the run was given up", i)
		}
	}
}

// TestIdSetAgainstMap claims ids in several orders, under hashes with few
// distinct values (so that slots and upper halves collide all the time),
// from a set sized far too small (so that it grows several times), and
// checks every answer against a map.
func TestIdSetAgainstMap(t *testing.T) {
	orders := map[string]func(rng *rand.Rand, i, distinct int) int{
		"random":             func(rng *rand.Rand, i, distinct int) int { return rng.IntN(distinct) },
		"sorted, some again": func(rng *rand.Rand, i, distinct int) int { return max(0, i/4-rng.IntN(40)/39*rng.IntN(i/4+1)) },
		"two sorted sequences interleaved": func(rng *rand.Rand, i, distinct int) int {
			return i/2 + i%2*distinct/2
		},
		"descending":                  func(rng *rand.Rand, i, distinct int) int { return distinct - 1 - i/4 },
		"sorted, then random repeats": func(rng *rand.Rand, i, distinct int) int { return min(i, rng.IntN(distinct)) },
	}
	for name, order := range orders {
		for _, tt := range []struct {
			mask     uint64
			distinct int
		}{{^uint64(0), 3_000}, {0xF000_0000_0000_000F, 3_000}, {0x3, 400}} {
			mask := tt.mask
			s := newIdSet(10)
			s.mask = mask
			seen := map[string]bool{}
			rng := rand.New(rand.NewPCG(1, mask))
			for i := range 4 * tt.distinct {
				id := fmt.Sprintf("ID%05d", order(rng, i, tt.distinct))
				var h uint64 // half the time, the set hashes the id itself
				if i%2 == 0 {
					h = s.hash(id)
				}
				want := !seen[id]
				seen[id] = true
				if got := s.claim(id, h); got != want {
					t.Fatalf("%s, mask %#x: claim %d (%s) = %v, want %v", name, mask, i, id, got, want)
				}
			}
			if len(s.refs) != len(seen) || s.inTable+len(s.run) != len(seen) || len(s.slots) < 2*s.inTable {
				t.Fatalf("%s, mask %#x: %d ids kept, %d in %d slots and %d in the run, for %d distinct ids",
					name, mask, len(s.refs), s.inTable, len(s.slots), len(s.run), len(seen))
			}
		}
	}
}

// BenchmarkIdSet claims a million distinct ids, in batches as Stream does,
// in increasing order and shuffled.
func BenchmarkIdSet(b *testing.B) {
	const n, batch = 1_000_000, 8 << 10
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("T%d", 1_000_000+i)
	}
	b.Run("sorted", func(b *testing.B) { benchmarkIdSet(b, ids, batch) })
	shuffled := append([]string(nil), ids...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b.Run("shuffled", func(b *testing.B) { benchmarkIdSet(b, shuffled, batch) })
}

func benchmarkIdSet(b *testing.B, ids []string, batch int) {
	n := len(ids)
	hashes := make([]uint64, batch)
	for range b.N {
		s := newIdSet(int64(n))
		for lo := 0; lo < n; lo += batch {
			part := ids[lo:min(lo+batch, n)]
			if s.ordered {
				clear(hashes)
			} else {
				for i, id := range part {
					hashes[i] = s.hash(id)
				}
				s.warm(hashes[:len(part)])
			}
			for i, id := range part {
				if !s.claim(id, hashes[i]) {
					b.Fatal("a distinct id was claimed before")
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/id")
}
