// Package radix sorts the packed 64-bit keys the matching engine builds
// (a 32-bit key fingerprint in the high half, a record index in the low
// half) in linear time.
package radix

import "slices"

// digitBits is the width of one radix digit: three passes of 11, 11 and
// 10 bits cover the 32-bit high half. Digits of 11 bits keep the 2,048
// counters and write positions of a pass in the first-level cache, which
// makes three passes faster than two passes of 16 bits, whose 65,536
// scattered write positions miss the cache on every element.
const digitBits = 11

// SortHigh sorts a by its high 32 bits, keeping the order of elements
// whose high halves are equal (so that indexes in the low bits stay
// ascending if they were). It is a three-pass LSD radix sort on 11-bit
// digits; scratch must be at least as long as a. Short slices are sorted
// by comparison, which also orders the low halves. It returns a.
func SortHigh(a, scratch []uint64) []uint64 {
	if len(a) < 1<<12 {
		slices.Sort(a)
		return a
	}
	const (
		mask = 1<<digitBits - 1
		s0   = 32
		s1   = 32 + digitBits
		s2   = 32 + 2*digitBits
	)
	var c0, c1, c2 [1 << digitBits]uint32
	for _, x := range a {
		c0[x>>s0&mask]++
		c1[x>>s1&mask]++
		c2[x>>s2]++
	}
	var t0, t1, t2 uint32
	for i := range c0 {
		n0, n1, n2 := c0[i], c1[i], c2[i]
		c0[i], c1[i], c2[i] = t0, t1, t2
		t0 += n0
		t1 += n1
		t2 += n2
	}
	b := scratch[:len(a)]
	for _, x := range a {
		d := x >> s0 & mask
		b[c0[d]] = x
		c0[d]++
	}
	for _, x := range b {
		d := x >> s1 & mask
		a[c1[d]] = x
		c1[d]++
	}
	for _, x := range a {
		d := x >> s2
		b[c2[d]] = x
		c2[d]++
	}
	copy(a, b)
	return a
}
