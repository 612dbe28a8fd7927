package validate

import "unsafe"

// Memo remembers what the text rules made of the values each column held
// in recent rows, so that a value that repeats from row to row (a common
// forename, a street's postcode, a tenancy role) is checked once rather
// than once per row. Remembering changes nothing about the outcome:
// RecordMemo gives with any Memo exactly what Record gives.
//
// A value is found again only when it is the very same bytes in memory,
// not merely equal bytes: that is what every row's value drawn from one
// dictionary of a Parquet column is, and it costs a pointer comparison
// rather than a hash of the text. The Memo keeps every value it remembers
// alive, so the memory of a remembered value cannot be reused for other
// text while it is remembered, and the same bytes in memory are the same
// value.
//
// Each column remembers up to memoSlots values, the latest one per slot. A
// column whose values seldom repeat (record ids, e-mail addresses) is soon
// noticed and left unremembered for a while, so that it costs little more
// than with no Memo.
//
// The zero Memo is ready to use. A Memo is not safe for concurrent use:
// give each goroutine its own.
type Memo struct {
	cols [maxColumns]memoColumn
}

// Tuning of a Memo.
const (
	memoBits   = 10
	memoSlots  = 1 << memoBits // values remembered per column
	memoWindow = 1 << 10       // lookups over which a column's hit rate is judged
	memoPause  = 1 << 14       // lookups a column then goes unremembered when too few hit
)

// memoColumn is what a Memo remembers of one column.
type memoColumn struct {
	slots  []memoSlot // nil until the column's first lookup
	looked int32      // lookups in the current window
	hits   int32      // of which found
	pause  int32      // lookups still to pass by unremembered
}

// memoSlot is one remembered value and what the rules made of it.
type memoSlot struct {
	in, out string
	ps      problems
}

// check returns what rule makes of the non-empty value s, and the
// problems it finds, from memory when s was seen lately.
func (m *Memo) check(rule *textRule, s string) (string, problems) {
	c := &m.cols[rule.col]
	if c.pause > 0 {
		c.pause--
		return rule.apply(s)
	}
	if c.slots == nil {
		c.slots = make([]memoSlot, memoSlots)
	}
	c.looked++
	if c.looked == memoWindow {
		if c.hits < memoWindow/4 {
			c.pause = memoPause
		}
		c.looked, c.hits = 0, 0
	}
	p := unsafe.StringData(s)
	e := &c.slots[uint64(uintptr(unsafe.Pointer(p)))*0x9e3779b97f4a7c15>>(64-memoBits)]
	if unsafe.StringData(e.in) == p && len(e.in) == len(s) {
		c.hits++
		return e.out, e.ps
	}
	out, ps := rule.apply(s)
	*e = memoSlot{in: s, out: out, ps: ps}
	return out, ps
}
