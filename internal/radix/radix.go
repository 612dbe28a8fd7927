// Package radix sorts the packed 64-bit keys the matching engine builds
// (a 32-bit key fingerprint in the high half, a record index in the low
// half) in linear time.
package radix

import "slices"

// SortHigh sorts a by its high 32 bits, keeping the order of elements
// whose high halves are equal (so that indexes in the low bits stay
// ascending if they were). It is a two-pass LSD radix sort on 16-bit
// digits; scratch must be at least as long as a. Short slices are sorted by
// comparison, which also orders the low halves. It returns a.
func SortHigh(a, scratch []uint64) []uint64 {
	if len(a) < 1<<12 {
		slices.Sort(a)
		return a
	}
	var c0, c1 [1 << 16]uint32
	for _, x := range a {
		c0[(x>>32)&0xffff]++
		c1[x>>48]++
	}
	var s0, s1 uint32
	for i := range c0 {
		n0, n1 := c0[i], c1[i]
		c0[i], c1[i] = s0, s1
		s0 += n0
		s1 += n1
	}
	b := scratch[:len(a)]
	for _, x := range a {
		d := (x >> 32) & 0xffff
		b[c0[d]] = x
		c0[d]++
	}
	for _, x := range b {
		d := x >> 48
		a[c1[d]] = x
		c1[d]++
	}
	return a
}
