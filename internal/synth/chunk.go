package synth

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/datamatch/datamatch/internal/date"
)

// Datasets, in the order they are generated and listed in the manifest.
const (
	dsTenancies = iota
	dsOther
	dsDeceased
	dsUtility
	dsCouncilTax
	numDatasets
)

// Dataset names, as in Manifest.Datasets and the truth files.
const (
	DatasetTenancies     = "tenancies"
	DatasetOtherLandlord = "other_landlord"
	DatasetDeceased      = "deceased"
	DatasetUtility       = "utility_closed"
	DatasetCouncilTax    = "council_tax"
)

var datasetNames = [numDatasets]string{DatasetTenancies, DatasetOtherLandlord, DatasetDeceased, DatasetUtility, DatasetCouncilTax}

// sizeRatios are each dataset's rows per row of the landlord's export.
var sizeRatios = [numDatasets]float64{1, 0.6, 0.15, 0.4, 1.0}

// dirtyKind is a deliberately invalid value that the validator must catch.
type dirtyKind int

const (
	dirtyNIPlaceholder dirtyKind = iota // TN temporary number or AA000000A
	dirtyDOB1900                        // date of birth 01/01/1900
	dirtyUnknownName                    // "UNKNOWN" for a name
	dirtyMissingID                      // no record id
	dirtyDuplicateID                    // the record id of another row
	dirtyNonUTF8                        // a Latin-1 byte in a name (partner files only)
	dirtyFutureDOB                      // date of birth after the as-at date
	numDirty
)

// Dirty value kinds, as keys of Dataset.Dirty.
const (
	DirtyNIPlaceholder = "ni_placeholder"
	DirtyDOB1900       = "dob_1900"
	DirtyUnknownName   = "unknown_name"
	DirtyMissingID     = "missing_id"
	DirtyDuplicateID   = "duplicate_id"
	DirtyNonUTF8       = "non_utf8"
	DirtyFutureDOB     = "future_dob"
)

var dirtyNames = [numDirty]string{DirtyNIPlaceholder, DirtyDOB1900, DirtyUnknownName, DirtyMissingID, DirtyDuplicateID, DirtyNonUTF8, DirtyFutureDOB}

// dirtyEvery is the number of rows per dirty value of each kind; every
// chunk of a dataset gets at least one of each kind that applies.
const dirtyEvery = 2500

// gen is the state of one run. Generation is sequential, so counters for
// ids need no locking and the output depends on the seed alone.
type gen struct {
	cfg   Config
	noise Noise
	t     *nameTables
	z     *gazetteer
	stock *stock
	ni    niAllocator
	today date.Date
	r     *rand.Rand
	// compound draws what concerns compound surnames (see family), from
	// a stream of its own, so that adding them left every other value of
	// a seed's data as it was.
	compound *rand.Rand
	// docs draws what concerns passports (see recordedPassport), from a
	// stream of its own for the same reason.
	docs      *rand.Rand
	passports passportAllocator
	relet     []*tenancy // recent current tenancies whose homes former tenancies may have left

	nextPID        int64
	nextGroup      int64
	nextPersonRef  int64
	nextTenancyRef int64
	nextOLCustomer int64
	nextOLTenancy  int64
	nextDeceased   int64
	nextUtility    int64
	nextCTAccount  int64
	nextCase       int64
	rows           [numDatasets]int64
	dirty          [numDatasets][numDirty]int
	cases          map[string]int
}

func (g *gen) newGroup() int64 {
	g.nextGroup++
	return g.nextGroup
}

// truthRow is a row of the truth file.
type truthRow struct {
	caseID, kind     string
	leftDS, leftID   string
	rightDS, rightID string
}

// peopleRow is a row of the people truth file.
type peopleRow struct {
	ds  int
	row int64
	id  string
	pid int64
}

// chunk is one slice of the output: a run of rows of the landlord's export
// and the partner rows generated with them.
type chunk struct {
	index     int
	tenancies []*tenancy
	recs      [numDatasets][]record
	cases     []plantedCase
	truth     []truthRow
	people    []peopleRow
}

// buildChunk generates chunk k, holding rows rows of the landlord's export.
func (g *gen) buildChunk(k, rows int) *chunk {
	g.r = rand.New(rand.NewPCG(uint64(g.cfg.Seed), uint64(k)*0x9e3779b97f4a7c15+0x5eed))
	g.compound = rand.New(rand.NewPCG(uint64(g.cfg.Seed)^0xc0de, uint64(k)*0x9e3779b97f4a7c15+0xd0b1e))
	g.docs = rand.New(rand.NewPCG(uint64(g.cfg.Seed)^0xd0c5, uint64(k)*0x9e3779b97f4a7c15+0xd0c5))
	r := g.r
	c := &chunk{index: k}
	n := 0
	for n < rows {
		t := g.newTenancy(r.Float64() < formerShare, rows-n)
		before := len(c.tenancies)
		c.tenancies = append(c.tenancies, t)
		n += len(t.members)
		g.plant(c, t, rows-n)
		for _, x := range c.tenancies[before+1:] {
			n += len(x.members)
		}
		if t.current() && r.Float64() < councilTaxOverlap {
			g.councilTaxForTenancy(c, t)
		}
	}
	g.fillOtherLandlord(c, int(math.Round(sizeRatios[dsOther]*float64(rows))))
	g.fillDeceased(c, int(math.Round(sizeRatios[dsDeceased]*float64(rows))))
	g.fillUtility(c, int(math.Round(sizeRatios[dsUtility]*float64(rows))))
	g.fillCouncilTax(c, int(math.Round(sizeRatios[dsCouncilTax]*float64(rows))))
	g.finish(c)
	return c
}

// finish orders the chunk's rows, assigns record ids, plants dirty values
// and resolves the truth.
func (g *gen) finish(c *chunk) {
	r := g.r
	// The landlord's export lists tenancies in reference order; references
	// are given in a shuffled order so that planted pairs are not adjacent.
	r.Shuffle(len(c.tenancies), func(i, j int) { c.tenancies[i], c.tenancies[j] = c.tenancies[j], c.tenancies[i] })
	for _, t := range c.tenancies {
		g.nextTenancyRef++
		t.ref = "T/" + zeroPad(g.nextTenancyRef, 6)
		for _, m := range t.members {
			g.nextPersonRef++
			m.ref = "P" + zeroPad(1000+g.nextPersonRef, 7)
			c.recs[dsTenancies] = append(c.recs[dsTenancies], newTenancyRec(t, m))
		}
	}
	for ds := dsOther; ds < numDatasets; ds++ {
		c.recs[ds] = shuffleGroups(r, c.recs[ds])
		g.assignIDs(ds, c.recs[ds])
	}
	for ds := range numDatasets {
		g.plantDirty(ds, c.recs[ds])
		for i, rec := range c.recs[ds] {
			rec.seal()
			b := rec.base()
			c.people = append(c.people, peopleRow{ds: ds, row: g.rows[ds] + int64(i), id: b.id, pid: b.pid})
		}
		g.rows[ds] += int64(len(c.recs[ds]))
	}
	for _, pc := range c.cases {
		g.nextCase++
		c.truth = append(c.truth, truthRow{
			caseID: "C" + zeroPad(g.nextCase, 6), kind: pc.kind,
			leftDS: datasetNames[pc.leftDS], leftID: *pc.left,
			rightDS: datasetNames[pc.rightDS], rightID: *pc.right,
		})
		g.cases[pc.kind]++
	}
	c.tenancies = nil
}

func zeroPad(v int64, width int) string {
	s := strconv.FormatInt(v, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// shuffleGroups shuffles runs of records of one group, keeping each run
// together and in order (a tenancy's joint tenants, an account's parties).
func shuffleGroups(r *rand.Rand, recs []record) []record {
	var runs [][]record
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].base().group == recs[i].base().group {
			j++
		}
		runs = append(runs, recs[i:j])
		i = j
	}
	r.Shuffle(len(runs), func(i, j int) { runs[i], runs[j] = runs[j], runs[i] })
	out := make([]record, 0, len(recs))
	for _, run := range runs {
		out = append(out, run...)
	}
	return out
}

// assignIDs gives the records of a partner dataset their ids in file order.
func (g *gen) assignIDs(ds int, recs []record) {
	var groupRef string
	for _, rec := range recs {
		b := rec.base()
		switch x := rec.(type) {
		case *otherLandlordRec:
			g.nextOLCustomer++
			b.id = "OL-" + strconv.Itoa(b.year) + "-" + zeroPad(g.nextOLCustomer, 6)
			if b.party == 1 {
				g.nextOLTenancy++
				groupRef = otherLandlordTenancyNo(g.nextOLTenancy)
			}
			x.row.TenancyNo = ptr(groupRef)
		case *deceasedRec:
			g.nextDeceased++
			b.id = "DR" + strconv.Itoa(b.year) + "/" + zeroPad(g.nextDeceased, 6)
		case *utilityRec:
			g.nextUtility++
			b.id = "UCA" + strconv.FormatInt(100_000_000+g.nextUtility, 10)
		case *councilTaxRec:
			if b.party == 1 {
				g.nextCTAccount++
				groupRef = councilTaxAccountRef(g.nextCTAccount)
			}
			x.row.AccountRef = ptr(groupRef)
			b.id = groupRef + "-" + strconv.Itoa(b.party)
		}
	}
}

// dirtyApplies says which dirty kinds each dataset can carry: no NI column
// in three partner files, and Latin-1 bytes only from the independent
// Parquet writer's producers.
func dirtyApplies(ds int, k dirtyKind) bool {
	switch k {
	case dirtyNIPlaceholder:
		return ds == dsTenancies || ds == dsOther
	case dirtyNonUTF8:
		return ds != dsTenancies
	}
	return true
}

// plantDirty makes a few rows that are not in the truth file dirty, each
// row with at most one dirty value.
func (g *gen) plantDirty(ds int, recs []record) {
	r := g.r
	var cands []int
	for i, rec := range recs {
		if !rec.base().truth {
			cands = append(cands, i)
		}
	}
	if len(cands) < 2 {
		return
	}
	per := max(1, (len(recs)+dirtyEvery-1)/dirtyEvery)
	next := 0
	take := func() (record, bool) {
		if next >= len(cands) {
			return nil, false
		}
		j := next + r.IntN(len(cands)-next)
		cands[next], cands[j] = cands[j], cands[next]
		next++
		return recs[cands[next-1]], true
	}
	for k := range numDirty {
		if !dirtyApplies(ds, k) {
			continue
		}
		for range per {
			rec, ok := take()
			if !ok {
				return
			}
			b := rec.base()
			switch k {
			case dirtyMissingID:
				b.id = ""
			case dirtyDuplicateID:
				// Copy the id of a row that is not in the truth file and has
				// not been made dirty.
				src, ok := take()
				if !ok || src.base().id == "" {
					return
				}
				b.id = src.base().id
			default:
				if !rec.dirty(g, k) {
					continue
				}
			}
			g.dirty[ds][k]++
		}
	}
}
