package pseudo

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"slices"
)

// MaxEditLen is the length, in bytes of its normalised form, of the longest
// name whose one-edit neighbourhood is encoded. Longer names have empty
// Edits: one typing error changes a long name's q-grams little, so the
// similarity filters already rank it close.
const MaxEditLen = 11

// Edits is a keyed encoding of a name's one-edit neighbourhood: a 32-bit
// pseudonym of the normalised name and of every string made by deleting
// one of its bytes, distinct values sorted in ascending order, zero slots
// last. It is empty (all zero) for a missing name and for a name longer
// than MaxEditLen.
//
// Two names' Edits share a value exactly when deleting at most one byte
// from each makes them equal (up to a 2⁻³² chance per pair of values):
// when one character was mistyped, left out or added, or two adjacent
// characters were exchanged (Karen, Kraen; Alan, Alsn; Hunt, Humt;
// Richardson, Rchardson). Splink's "Damerau–Levenshtein ≤ 1" level is the
// clear-text analogue.
//
// Edits reveal a name's length (the number of values), as the filters'
// bit counts already do, and nothing else without the key.
type Edits [MaxEditLen + 1]uint32

// editsBytes is the size of Edits in a file: each value four bytes,
// little-endian.
const editsBytes = 4 * (MaxEditLen + 1)

// validEdits reports whether e is as Edits are made: distinct values in
// ascending order, then zeros. Share relies on it.
func validEdits(e *Edits) bool {
	n := e.Len()
	for i := 1; i < n; i++ {
		if e[i] <= e[i-1] {
			return false
		}
	}
	for _, v := range e[n:] {
		if v != 0 {
			return false
		}
	}
	return true
}

// Len returns the number of values in e.
func (e *Edits) Len() int {
	n := 0
	for n < len(e) && e[n] != 0 {
		n++
	}
	return n
}

// Share reports whether e and f hold a value in common. Empty Edits share
// nothing.
//
// It merges the two sorted lists without a data-dependent branch on which
// list to advance: most pairs compared share nothing, and a mispredicted
// branch per step cost more than the comparisons themselves.
func (e *Edits) Share(f *Edits) bool {
	i, j := 0, 0
	for i < len(e) && j < len(f) {
		a, b := e[i], f[j]
		if a == b {
			return a != 0
		}
		if a == 0 || b == 0 {
			return false
		}
		lt := 0
		if a < b {
			lt = 1
		}
		i += lt
		j += 1 - lt
	}
	return false
}

// editKeyer computes the values of Edits under one sub-key. Each value is
// the first four bytes of AES-256 under the sub-key of one 16-byte block:
// the string, zero padding, and the string's length in the last byte.
// Blocks of distinct strings differ, and AES is a pseudorandom
// permutation, so values are independent pseudorandom numbers.
type editKeyer struct{ block cipher.Block }

func newEditKeyer(subkey []byte) editKeyer {
	b, err := aes.NewCipher(subkey)
	if err != nil {
		panic("pseudo: edit sub-key: " + err.Error())
	}
	return editKeyer{b}
}

// value returns the pseudonym of s, which is at most MaxEditLen bytes,
// using b as the cipher's input and output blocks.
func (k editKeyer) value(b *cipherBlocks, s []byte) uint32 {
	in, out := b[:aes.BlockSize], b[aes.BlockSize:]
	clear(in)
	copy(in, s)
	in[aes.BlockSize-1] = byte(len(s))
	k.block.Encrypt(out, in)
	v := binary.BigEndian.Uint32(out)
	if v == 0 {
		v = 1
	}
	return v
}

// cipherBlocks are the cipher's input and output blocks. They go through
// the cipher.Block interface, so they live on the heap: an encoder's
// worker keeps one (state.blocks) rather than allocating them for every
// value, or for every word.
type cipherBlocks [2 * aes.BlockSize]byte

// edits returns the Edits of the normalised name w, using b for the
// cipher's blocks.
func (k editKeyer) edits(b *cipherBlocks, w string) Edits {
	var e Edits
	if w == "" || len(w) > MaxEditLen {
		return e
	}
	var buf [MaxEditLen]byte
	n := copy(buf[:], w)
	e[0] = k.value(b, buf[:n])
	for i := range len(w) {
		n := copy(buf[:], w[:i])
		n += copy(buf[n:], w[i+1:])
		e[i+1] = k.value(b, buf[:n])
	}
	vals := e[:len(w)+1]
	slices.Sort(vals) // in place: no allocation
	vals = slices.Compact(vals)
	var out Edits
	copy(out[:], vals)
	return out
}
