package rights

import (
	"sort"
	"sync"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// Kinds of request a restrictions file lists.
const (
	Restriction        = "restriction"         // Article 18: processing restricted
	Objection          = "objection"           // Article 21: objection to processing
	ObjectionAutomated = "objection_automated" // Article 22: objection to automated decision-making
)

// Kinds lists the kinds of request in order of precedence: when a record
// matches listed people of several kinds, the first of them in Kinds is the
// one reported.
var Kinds = []string{Restriction, Objection, ObjectionAutomated}

// List is a pseudonymised restrictions list: the people an exercise must
// leave out of matching. It holds keyed pseudonyms only. A List is immutable
// once loaded and safe for concurrent use. A nil *List excludes nothing.
type List struct {
	name    string
	entries []entry
	idx     *index
}

// entry is one listed person, without their identifiers.
type entry struct {
	kind      int8 // index into Kinds
	line      int  // line of the row in the file
	reference string
	received  date.Date
}

// Len returns the number of people listed.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.entries)
}

// Listed returns the number of people listed under each kind. Every kind is
// present, with zero when none is listed.
func (l *List) Listed() map[string]int {
	m := zeroCounts()
	if l != nil {
		for _, e := range l.entries {
			m[Kinds[e.kind]]++
		}
	}
	return m
}

// Excludes reports whether r must be left out of matching, and the kind of
// request that excludes it. It looks up at most six hash keys and does not
// allocate.
func (l *List) Excludes(r *pseudo.Record) (kind string, ok bool) {
	if l == nil || len(l.entries) == 0 {
		return "", false
	}
	best := int8(len(Kinds))
	l.idx.each(r, func(_ Rule, es []int32) bool {
		for _, e := range es {
			best = min(best, l.entries[e].kind)
		}
		return best != 0
	})
	if int(best) == len(Kinds) {
		return "", false
	}
	return Kinds[best], true
}

// Hit says why a record is excluded.
type Hit struct {
	Kind       string   // the first kind in Kinds among the people matched
	Rule       Rule     // the first rule that matched
	References []string // the requests' references, one per matched person, in file order
	entries    []int32
}

// Match is Excludes with the reasons: the rule that matched and every listed
// person the record matches under any rule. It allocates only on a match.
func (l *List) Match(r *pseudo.Record) (Hit, bool) {
	if l == nil || len(l.entries) == 0 {
		return Hit{}, false
	}
	var h Hit
	l.idx.each(r, func(rule Rule, es []int32) bool {
		if h.Rule == 0 {
			h.Rule = rule
		}
		for _, e := range es {
			if !containsEntry(h.entries, e) {
				h.entries = append(h.entries, e)
			}
		}
		return true
	})
	if h.Rule == 0 {
		return Hit{}, false
	}
	sort.Slice(h.entries, func(i, j int) bool { return h.entries[i] < h.entries[j] })
	best := int8(len(Kinds))
	for _, e := range h.entries {
		best = min(best, l.entries[e].kind)
		h.References = append(h.References, l.entries[e].reference)
	}
	h.Kind = Kinds[best]
	return h, true
}

func containsEntry(es []int32, e int32) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

// Exclusion is one record of a dataset that the list excludes.
type Exclusion struct {
	Index int // the record's index in the screened slice
	Hit   Hit
}

// Screen matches every record of one dataset against the list and returns
// those to exclude, in ascending order of index, adding each to t (t may be
// nil). The records are not modified, so the caller can drop the same rows
// from any slice that runs parallel to recs; per-dataset counts by kind are
// read from the Hits.
func (l *List) Screen(recs []pseudo.Record, t *Tally) []Exclusion {
	var out []Exclusion
	for i := range recs {
		if _, ok := l.Excludes(&recs[i]); !ok {
			continue
		}
		h, _ := l.Match(&recs[i])
		out = append(out, Exclusion{Index: i, Hit: h})
		if t != nil {
			t.Add(h)
		}
	}
	return out
}

// Counts are the exclusions of a run, for the run record.
type Counts struct {
	// Records is the number of input records excluded, by the kind that
	// excluded them. Every kind is present.
	Records map[string]int `json:"records"`
	// People is the number of listed people matched by at least one input
	// record ("objections honoured"), by kind. Every kind is present.
	People map[string]int `json:"people"`
}

// Tally adds up exclusions over a run. It is safe for concurrent use.
type Tally struct {
	mu      sync.Mutex
	list    *List
	records map[string]int
	matched []bool // by entry
}

// NewTally returns an empty Tally for hits of l.
func (l *List) NewTally() *Tally {
	return &Tally{list: l, records: zeroCounts(), matched: make([]bool, l.Len())}
}

// Add counts one excluded record. A zero Hit is ignored.
func (t *Tally) Add(h Hit) {
	if h.Rule == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.records[h.Kind]++
	for _, e := range h.entries {
		if int(e) < len(t.matched) {
			t.matched[e] = true
		}
	}
}

// Counts returns the totals so far.
func (t *Tally) Counts() Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := Counts{Records: zeroCounts(), People: zeroCounts()}
	for k, n := range t.records {
		c.Records[k] = n
	}
	for e, ok := range t.matched {
		if ok {
			c.People[Kinds[t.list.entries[e].kind]]++
		}
	}
	return c
}

func zeroCounts() map[string]int {
	m := make(map[string]int, len(Kinds))
	for _, k := range Kinds {
		m[k] = 0
	}
	return m
}
