package block

import (
	"fmt"
	"math/bits"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// Source selects the Bloom-filter bits an LSH rule hashes.
type Source int

// Sources of LSH bits.
const (
	// Names hashes the forename and surname filters as one set.
	Names Source = iota
	// Address hashes the address filter.
	Address
)

// LSH configures locality-sensitive hashing of Bloom filters.
//
// The source bits (1024 of them) are cut into Bands×Rows bins of equal
// width (the largest power of two that fits, at most 64 bits), and each
// bin's value is the position of its lowest set bit: a MinHash signature
// by one-permutation hashing, the bits' positions being keyed hashes and
// so already in random order (an empty bin borrows its value from the
// next non-empty one). Each band of Rows values is one key. Two records share a band's key with probability
// about J^Rows, where J is the Jaccard similarity of their bits, so a pair
// is found by some band with probability about 1-(1-J^Rows)^Bands: near
// certain for names or addresses with a typing error, and rare for
// unrelated ones.
//
// Encoded filters are dense (a third of the bits set is usual), so
// unrelated values have J around 0.2–0.3, and values sharing one of two
// names about 0.6: Rows must be large enough to push their collisions
// down.
type LSH struct {
	Source Source
	Bands  int // keys per partition; at least 1
	Rows   int // signature values per key; Bands×Rows is at most 128
	// Seed is mixed into every key.
	Seed uint64
	// Partitions, when set, are mixed into the keys: each band gives one
	// key per partition, and only records that agree on a partition's
	// token (a date of birth, a postcode) can meet through it. A record
	// whose partition token is null has no key there. Partitioning keeps
	// the candidates from common names in check on large datasets; the
	// signature is computed once for all partitions.
	Partitions []func(r *pseudo.Record) pseudo.Token
}

// maxBins bounds the signature: the 1024 source bits in bins of 8.
const maxBins = 128

// sourceWords is the size of an LSH source in words.
const sourceWords = 16

// FilterLSH returns a rule with o.Bands keys per partition (o.Bands keys
// when there are no partitions) from the MinHash signature of the
// record's source filters. Records whose source filters are empty have no
// key.
func FilterLSH(name string, o LSH) Rule {
	k := o.Bands * o.Rows
	if o.Bands < 1 || o.Rows < 1 || k > maxBins {
		panic(fmt.Sprintf("block: LSH %s: %d bands of %d rows", name, o.Bands, o.Rows))
	}
	if o.Source != Names && o.Source != Address {
		panic(fmt.Sprintf("block: LSH %s: unknown source %d", name, o.Source))
	}
	parts := max(len(o.Partitions), 1)
	width := 64
	for width*k > sourceWords*64 {
		width /= 2
	}
	// Each band's hash starts from the seed mixed with the band.
	seeds := make([]uint64, o.Bands)
	for b := range seeds {
		seeds[b] = Mix(o.Seed, uint64(b)+1)
	}
	return Rule{Name: name, Keys: o.Bands * parts, Key: func(r *pseudo.Record, keys []uint64) {
		var sig [maxBins]uint8
		if !signature(r, o.Source, width, sig[:k]) {
			clear(keys)
			return
		}
		var bandHash [maxBins]uint64
		for b := range o.Bands {
			h := seeds[b]
			row := sig[b*o.Rows : (b+1)*o.Rows]
			for i := 0; i < len(row); i += 8 {
				var w uint64
				for j := i; j < i+8 && j < len(row); j++ {
					w = w<<8 | uint64(row[j])
				}
				h = Mix(h, w)
			}
			bandHash[b] = h
		}
		if len(o.Partitions) == 0 {
			for b := range o.Bands {
				keys[b] = nonzero(bandHash[b])
			}
			return
		}
		for p, part := range o.Partitions {
			out := keys[p*o.Bands : (p+1)*o.Bands]
			t := uint64(part(r))
			if t == 0 {
				clear(out)
				continue
			}
			for b := range o.Bands {
				out[b] = nonzero(Mix(bandHash[b], t+uint64(p)))
			}
		}
	}}
}

// signature writes r's MinHash signature into sig, one value per bin of
// width bits, and reports false if r has no source bits.
func signature(r *pseudo.Record, src Source, width int, sig []uint8) bool {
	var words *[sourceWords]uint64
	var names [sourceWords]uint64
	if src == Names {
		if r.ForenameCount == 0 && r.SurnameCount == 0 {
			return false
		}
		copy(names[:], r.ForenameBF[:])
		copy(names[len(r.ForenameBF):], r.SurnameBF[:])
		words = &names
	} else {
		if r.AddressCount == 0 {
			return false
		}
		words = (*[sourceWords]uint64)(&r.AddressBF)
	}
	per := 64 / width // bins per word, a power of two
	mask := uint64(1)<<width - 1
	if width == 64 {
		mask = ^uint64(0)
	}
	any := false
	for w, i := 0, 0; i < len(sig); w++ {
		x := words[w]
		for range min(per, len(sig)-i) {
			if v := x & mask; v != 0 {
				sig[i] = uint8(bits.TrailingZeros64(v))
				any = true
			} else {
				sig[i] = empty
			}
			x >>= width % 64
			i++
		}
	}
	if !any {
		return false
	}
	densify(sig)
	return true
}

// empty marks a bin of a signature that no set bit fell into.
const empty = 64

// densify fills the empty bins of sig: an empty bin takes the value of the
// next non-empty bin, marked with the distance so that it differs from
// that bin's value. sig must have a non-empty bin.
func densify(sig []uint8) {
	k := len(sig)
	for i := range sig {
		if sig[i] != empty {
			continue
		}
		for t := 1; t < k; t++ {
			if v := sig[(i+t)%k]; v < empty {
				sig[i] = v | uint8(min(t, 3))<<6
				break
			}
		}
	}
}
