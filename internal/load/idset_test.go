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
		t.Run(tt.name, func(t *testing.T) {
			s := newIdSet(4)
			for i, c := range tt.claims {
				h := c.h
				if h == 0 {
					h = s.hash(c.id)
				}
				if got := s.claim(c.id, h); got != c.want {
					t.Fatalf("claim %d (%.10q) = %v, want %v", i, c.id, got, c.want)
				}
			}
		})
	}
}

// TestIdSetAgainstMap claims random ids, many repeated, under hashes with
// few distinct values (so that slots and upper halves collide all the
// time), from a set sized far too small (so that it grows several times),
// and checks every answer against a map.
func TestIdSetAgainstMap(t *testing.T) {
	for _, tt := range []struct {
		mask     uint64
		distinct int
	}{{^uint64(0), 3_000}, {0xF000_0000_0000_000F, 3_000}, {0x3, 400}} {
		mask := tt.mask
		s := newIdSet(10)
		seen := map[string]bool{}
		rng := rand.New(rand.NewPCG(1, mask))
		for i := range 4 * tt.distinct {
			id := fmt.Sprintf("ID%d", rng.IntN(tt.distinct))
			h := s.hash(id) & mask
			want := !seen[id]
			seen[id] = true
			if got := s.claim(id, h); got != want {
				t.Fatalf("mask %#x: claim %d (%s) = %v, want %v", mask, i, id, got, want)
			}
		}
		if len(s.refs) != len(seen) || len(s.slots) < 2*len(seen) {
			t.Fatalf("mask %#x: %d ids kept in %d slots for %d distinct ids", mask, len(s.refs), len(s.slots), len(seen))
		}
	}
}

// BenchmarkIdSet claims a million distinct ids, hashing them as mappers
// do and probing in batches as Stream does.
func BenchmarkIdSet(b *testing.B) {
	const n, batch = 1_000_000, 8 << 10
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("T%d", 1_000_000+i)
	}
	hashes := make([]uint64, batch)
	for range b.N {
		s := newIdSet(n)
		for lo := 0; lo < n; lo += batch {
			part := ids[lo:min(lo+batch, n)]
			for i, id := range part {
				hashes[i] = s.hash(id)
			}
			s.warm(hashes[:len(part)])
			for i, id := range part {
				if !s.claim(id, hashes[i]) {
					b.Fatal("a distinct id was claimed before")
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/id")
}
