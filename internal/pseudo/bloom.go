package pseudo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"math/bits"
)

// Encoding parameters of the similarity filters, chosen by measurement on
// FEBRL4 (see the package documentation).
const (
	qgram    = 2  // q-gram length
	nameK    = 30 // bit positions per q-gram in a NameFilter
	addressK = 10 // bit positions per q-gram in an AddressFilter

	// scheme names the pseudonymisation scheme: the normalisation rules,
	// the derived values, the sub-key purposes, the token truncation and
	// the q-gram features. A change to any of them must change scheme.
	scheme = "datamatch-pseudo-2"
)

// Params identify an encoding scheme. Records can be compared only with
// records encoded under the same key and equal Params.
type Params struct {
	Scheme      string // version of the rules, e.g. "datamatch-pseudo-1"
	QGram       int    // q-gram length of the filters
	NameBits    int    // length of ForenameBF and SurnameBF
	NameK       int    // bit positions set per q-gram in a name filter
	AddressBits int    // length of AddressBF
	AddressK    int    // bit positions set per q-gram in an address filter
}

// CurrentParams returns the parameters this version of the package encodes
// with.
func CurrentParams() Params {
	return Params{
		Scheme:      scheme,
		QGram:       qgram,
		NameBits:    NameBits,
		NameK:       nameK,
		AddressBits: AddressBits,
		AddressK:    addressK,
	}
}

// String formats p as in a file's metadata.
func (p Params) String() string {
	return fmt.Sprintf("%s q=%d name=%d/%d address=%d/%d", p.Scheme, p.QGram, p.NameBits, p.NameK, p.AddressBits, p.AddressK)
}

// filterKind is the field a similarity filter encodes.
type filterKind uint8

const (
	filterForename filterKind = iota
	filterSurname
	filterAddress
	numFilters
)

// filterPurpose names each filter's sub-key: Derive("bloom/" + purpose).
var filterPurpose = [numFilters]string{"forename", "surname", "address"}

type shape struct{ bits, k int }

var filterShape = [numFilters]shape{
	filterForename: {NameBits, nameK},
	filterSurname:  {NameBits, nameK},
	filterAddress:  {AddressBits, addressK},
}

// padByte pads a word at both ends before it is cut into q-grams. The
// normalisers never output it.
const padByte = '_'

// alphabet is the set of bytes whose q-grams are precomputed: the pad, and
// every byte normalised names and addresses consist of (spaces separate
// words and are never part of a q-gram).
const alphabet = "_abcdefghijklmnopqrstuvwxyz0123456789"

// symbol maps a byte to its index in alphabet, or -1.
var symbol = func() (s [256]int8) {
	for i := range s {
		s[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		s[alphabet[i]] = int8(i)
	}
	return s
}()

// filterTable holds the bit positions of every q-gram of alphabet for one
// filter field. It is immutable once built.
type filterTable struct {
	key  []byte
	bits int
	k    int
	pos  []uint16 // positions of q-gram (a, b) at (symbol[a]*len(alphabet)+symbol[b])*k
}

func newFilterTable(key []byte, sh shape) filterTable {
	const n = len(alphabet)
	t := filterTable{key: key, bits: sh.bits, k: sh.k, pos: make([]uint16, n*n*sh.k)}
	m := hmac.New(sha256.New, key)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			t.positions(m, alphabet[i], alphabet[j], t.pos[(i*n+j)*t.k:][:t.k])
		}
	}
	return t
}

// positions computes the bit positions of the q-gram ab: the output blocks
// HMAC-SHA256(sub-key, a || b || i), i = 0, 1, ..., are read as big-endian
// 16-bit numbers, each reduced modulo the filter length (a power of two, so
// without bias), until k positions are taken. A position may repeat.
func (t *filterTable) positions(m hash.Hash, a, b byte, dst []uint16) {
	var sum [sha256.Size]byte
	in := [3]byte{a, b, 0}
	mask := uint16(t.bits - 1)
	n := 0
	for block := byte(0); n < len(dst); block++ {
		m.Reset()
		in[2] = block
		m.Write(in[:])
		s := m.Sum(sum[:0])
		for i := 0; i+2 <= len(s) && n < len(dst); i += 2 {
			dst[n] = binary.BigEndian.Uint16(s[i:]) & mask
			n++
		}
	}
}

// set sets the bits of q-gram ab in f, computing its positions: for a
// q-gram with a byte outside alphabet, which no normaliser outputs.
func (t *filterTable) set(f []uint64, a, b byte) {
	p := make([]uint16, t.k)
	t.positions(hmac.New(sha256.New, t.key), a, b, p)
	for _, x := range p {
		f[x>>6] |= 1 << (x & 63)
	}
}

// word sets the bits of the padded bigrams of w: "smith" gives _s sm mi it
// th h_.
func (t *filterTable) word(f []uint64, w string) {
	const n = len(alphabet)
	k, pos := t.k, t.pos
	prev, prevByte := 0, byte(padByte) // symbol and byte of the previous character
	for i := 0; i <= len(w); i++ {
		cur, c := 0, byte(padByte)
		if i < len(w) {
			c = w[i]
			cur = int(symbol[c])
		}
		if cur < 0 || prev < 0 {
			t.set(f, prevByte, c)
		} else {
			base := (prev*n + cur) * k
			for _, x := range pos[base : base+k] {
				f[x>>6] |= 1 << (x & 63)
			}
		}
		prev, prevByte = cur, c
	}
}

// addWord encodes w into f and returns the number of bits set in f. An
// empty w leaves f empty.
func (t *filterTable) addWord(f []uint64, w string) uint16 {
	if w != "" {
		t.word(f, w)
	}
	return popcount(f)
}

// addTokens encodes each space-separated word of s into f, and returns the
// number of bits set in f.
func (t *filterTable) addTokens(f []uint64, s string) uint16 {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				t.word(f, s[start:i])
			}
			start = i + 1
		}
	}
	return popcount(f)
}

func popcount(f []uint64) uint16 {
	n := 0
	for _, w := range f {
		n += bits.OnesCount64(w)
	}
	return uint16(n)
}
