package load

import (
	"encoding/binary"
	"hash/maphash"
)

// idSet is the set of record_ids claimed so far in a stream, for the
// duplicate rule: an open-addressing hash table of 64-bit hashes, with a
// copy of every id to compare against when the hashes match, so that
// membership is exact whatever the hashes.
//
// Hashes are computed with hash, which is safe for concurrent use, by the
// goroutines that map batches; claim, which is not, only probes the table.
// A slot is eight bytes, the upper half of the hash and the number of the
// id in refs, so that the table, which every claim visits at random, is as
// small as it can be. The table holds no pointers, and the ids are kept in
// a few large byte slices, so the garbage collector has almost nothing to
// scan.
type idSet struct {
	seed  maphash.Seed
	slots []uint64 // a power of two in length; 0 marks an empty slot
	refs  []idRef  // where each id is kept, in the order claimed
	sink  uint64   // what warm reads, so that its reads are not optimised away
	store [][]byte // ids, each preceded by its length as a uvarint, in blocks of idBlock bytes
}

// idRef locates one id in the store, and holds the lower half of its
// hash, which its slot does not.
type idRef struct {
	block, off uint32
	lo         uint32
}

// idBlock is the size of the blocks ids are copied into; a longer id gets
// a block of its own.
const idBlock = 1 << 20

// newIdSet returns an empty set sized for about n ids.
func newIdSet(n int64) *idSet {
	n = min(n, 1<<24) // beyond that, grow as needed
	size := 1 << 10
	for int64(size) < 2*n {
		size *= 2
	}
	return &idSet{seed: maphash.MakeSeed(), slots: make([]uint64, size), refs: make([]idRef, 0, n)}
}

// hash returns the hash of id that claim takes.
func (s *idSet) hash(id string) uint64 {
	return maphash.String(s.seed, id)
}

// claim adds id, whose hash is h, and reports whether it was absent.
func (s *idSet) claim(id string, h uint64) bool {
	mask := uint64(len(s.slots) - 1)
	tag := h >> 32 << 32
	for i := h & mask; ; i = (i + 1) & mask {
		e := s.slots[i]
		switch {
		case e == 0:
			ref := s.keep(id)
			ref.lo = uint32(h)
			s.refs = append(s.refs, ref)
			s.slots[i] = tag | uint64(len(s.refs))
			if 2*len(s.refs) > len(s.slots) {
				s.grow()
			}
			return true
		case e>>32<<32 == tag:
			if s.holds(s.refs[uint32(e)-1], id) {
				return false
			}
		}
	}
}

// warm reads the first slot each of hashes probes, so that the memory
// loads of a batch's claims overlap rather than follow one another: claim
// then mostly finds its slot in the cache.
func (s *idSet) warm(hashes []uint64) {
	mask := uint64(len(s.slots) - 1)
	var x uint64
	for _, h := range hashes {
		x += s.slots[h&mask]
	}
	s.sink += x
}

// keep copies id into the store and returns where.
func (s *idSet) keep(id string) idRef {
	need := binary.MaxVarintLen64 + len(id)
	last := len(s.store) - 1
	if last < 0 || len(s.store[last])+need > cap(s.store[last]) {
		s.store = append(s.store, make([]byte, 0, max(idBlock, need)))
		last++
	}
	b := s.store[last]
	ref := idRef{block: uint32(last), off: uint32(len(b))}
	b = binary.AppendUvarint(b, uint64(len(id)))
	s.store[last] = append(b, id...)
	return ref
}

// holds reports whether ref locates id in the store.
func (s *idSet) holds(ref idRef, id string) bool {
	b := s.store[ref.block][ref.off:]
	n, k := binary.Uvarint(b)
	return n == uint64(len(id)) && string(b[k:k+len(id)]) == id
}

// grow doubles the table, putting each id back in the slot its hash (the
// upper half from its old slot, the lower from its ref) leads to.
func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	mask := uint64(len(s.slots) - 1)
	for _, e := range old {
		if e == 0 {
			continue
		}
		h := e>>32<<32 | uint64(s.refs[uint32(e)-1].lo)
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = e
	}
}
