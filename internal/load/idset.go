package load

import (
	"encoding/binary"
	"hash/maphash"
	"sort"
)

// idSet is the set of record_ids claimed so far in a stream, for the
// duplicate rule. Every id is copied into a store; membership is exact
// whatever the hashes.
//
// Files are often sorted by their id, and then each id is greater than
// every id before it and cannot have been claimed: such an id joins the
// run, the ids kept in increasing order, without being hashed or looked
// up. Every other id is looked up in the run by binary search and in an
// open-addressing hash table of 64-bit hashes. Once more than a sixteenth
// of the ids come out of order, the run is moved into the table and every
// later id goes there straight away, so an unsorted file costs no more
// than with no run.
//
// A slot of the table is eight bytes, the upper half of the hash and the
// number of the id in refs, so that the table, which every lookup visits
// at random, is as small as it can be. The table holds no pointers, and
// the ids are kept in a few large byte slices, so the garbage collector
// has almost nothing to scan.
type idSet struct {
	seed  maphash.Seed
	mask  uint64   // of every hash: all ones but in tests
	slots []uint64 // a power of two in length; 0 marks an empty slot
	refs  []idRef  // where each id is kept, in the order claimed
	sink  uint64   // what warm reads, so that its reads are not optimised away
	store [][]byte // ids, each preceded by its length as a uvarint, in blocks of idBlock bytes

	inTable int      // ids in the table
	want    int      // ids the table is sized for once the run is given up
	ordered bool     // whether the run still takes ids; once false, every id is in the table
	run     []uint32 // numbers in refs of the ids in the run, in increasing order of id
	top     []byte   // the greatest id claimed, the run's last, while ordered
	behind  int      // ids claimed while ordered that were not above top
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

// newIdSet returns an empty set for about n ids.
func newIdSet(n int64) *idSet {
	n = min(n, 1<<24) // beyond that, grow as needed
	return &idSet{seed: maphash.MakeSeed(), refs: make([]idRef, 0, n), want: int(n), ordered: true, mask: ^uint64(0)}
}

// hash returns the hash of id that claim takes.
func (s *idSet) hash(id string) uint64 {
	return maphash.String(s.seed, id) & s.mask
}

// claim adds id and reports whether it was absent. h is id's hash, or 0
// for claim to compute it when it needs it: an id above every id claimed
// before it needs none.
func (s *idSet) claim(id string, h uint64) bool {
	if !s.ordered {
		return s.claimHashed(id, h)
	}
	if len(s.run) == 0 || id > string(s.top) {
		ref := s.keep(id)
		s.refs = append(s.refs, ref)
		s.run = append(s.run, uint32(len(s.refs)-1))
		s.top = s.bytes(ref)
		return true
	}
	// Out of order: the id may be in the run, or in the table, which
	// holds the run too once noteBehind has given it up.
	s.noteBehind()
	if s.ordered && s.inRun(id) {
		return false
	}
	return s.claimHashed(id, h)
}

// inRun reports whether id is in the run.
func (s *idSet) inRun(id string) bool {
	i := sort.Search(len(s.run), func(i int) bool {
		return string(s.bytes(s.refs[s.run[i]])) >= id
	})
	return i < len(s.run) && string(s.bytes(s.refs[s.run[i]])) == id
}

// noteBehind counts an id claimed out of order, and gives up the run when
// such ids are too many for the run to be worth its lookups.
func (s *idSet) noteBehind() {
	s.behind++
	if s.behind >= 64 && 16*s.behind > len(s.refs) {
		s.disorder()
	}
}

// disorder moves the run into the table, so that every id is there, and
// stops the run from taking ids.
func (s *idSet) disorder() {
	if !s.ordered {
		return
	}
	s.ordered = false
	s.reserve(max(s.want, len(s.refs)))
	for _, k := range s.run {
		ref := &s.refs[k]
		h := s.hash(string(s.bytes(*ref)))
		ref.lo = uint32(h)
		s.place(h>>32<<32 | uint64(k+1))
	}
	s.inTable += len(s.run)
	s.run, s.top = nil, nil
}

// reserve makes the table large enough for n ids: at least twice as many
// slots, and a power of two.
func (s *idSet) reserve(n int) {
	size := max(len(s.slots), 1<<10)
	for size < 2*n {
		size *= 2
	}
	if size == len(s.slots) {
		return
	}
	old := s.slots
	s.slots = make([]uint64, size)
	for _, e := range old {
		if e != 0 {
			s.place(e)
		}
	}
}

// place puts slot entry e, for an id absent from the table, in the first
// free slot its hash leads to; the upper half of the hash is e's and the
// lower half its ref's.
func (s *idSet) place(e uint64) {
	mask := uint64(len(s.slots) - 1)
	h := e>>32<<32 | uint64(s.refs[uint32(e)-1].lo)
	i := h & mask
	for s.slots[i] != 0 {
		i = (i + 1) & mask
	}
	s.slots[i] = e
}

// claimHashed adds id to the table, as claim does, when it is not above
// every id claimed.
func (s *idSet) claimHashed(id string, h uint64) bool {
	if h == 0 {
		h = s.hash(id)
	}
	if s.slots == nil {
		s.reserve(1)
	}
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
			s.inTable++
			if 2*s.inTable > len(s.slots) {
				s.reserve(len(s.slots))
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
	if len(s.slots) == 0 {
		return
	}
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
	return string(s.bytes(ref)) == id
}

// bytes returns the id ref locates in the store.
func (s *idSet) bytes(ref idRef) []byte {
	b := s.store[ref.block][ref.off:]
	n, k := binary.Uvarint(b)
	return b[k : k+int(n)]
}
