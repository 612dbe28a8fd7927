package compare

import (
	"math/bits"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// Dice returns the Dice coefficient 2|a∩b| / (|a|+|b|) of two Bloom
// filters given as words, where ca and cb are the numbers of bits set in a
// and b. It is 0 when both are empty. a and b must have the same length.
func Dice(a, b []uint64, ca, cb uint16) float64 {
	if ca == 0 && cb == 0 {
		return 0
	}
	b = b[:len(a)]
	n := 0
	for i, w := range a {
		n += bits.OnesCount64(w & b[i])
	}
	return 2 * float64(n) / float64(int(ca)+int(cb))
}

// nameDice is Dice for name filters, unrolled for the fixed size.
func nameDice(a, b *pseudo.NameFilter, ca, cb uint16) float64 {
	if ca == 0 && cb == 0 {
		return 0
	}
	n := bits.OnesCount64(a[0]&b[0]) + bits.OnesCount64(a[1]&b[1]) +
		bits.OnesCount64(a[2]&b[2]) + bits.OnesCount64(a[3]&b[3]) +
		bits.OnesCount64(a[4]&b[4]) + bits.OnesCount64(a[5]&b[5]) +
		bits.OnesCount64(a[6]&b[6]) + bits.OnesCount64(a[7]&b[7])
	return 2 * float64(n) / float64(int(ca)+int(cb))
}

// addressDice is Dice for address filters.
func addressDice(a, b *pseudo.AddressFilter, ca, cb uint16) float64 {
	if ca == 0 && cb == 0 {
		return 0
	}
	n := 0
	for i := range a {
		n += bits.OnesCount64(a[i] & b[i])
	}
	return 2 * float64(n) / float64(int(ca)+int(cb))
}
