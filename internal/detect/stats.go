package detect

import (
	"strconv"

	"github.com/datamatch/datamatch/internal/exercise"
)

// Band is a range of match probability in a statistics table: a case is in
// the band when Low ≤ probability < High. The last band includes 1.
type Band struct {
	Label     string
	Low, High float64
}

// Bands are the probability bands of a statistics table, in order.
var Bands = []Band{
	{"0.00-0.50", 0, 0.5},
	{"0.50-0.80", 0.5, 0.8},
	{"0.80-0.95", 0.8, 0.95},
	{"0.95-0.99", 0.95, 0.99},
	{"0.99-1.00", 0.99, 1},
}

// BandTotal is the band label of a rule's total row.
const BandTotal = "total"

// Rows of a statistics table besides the rules' own.
const (
	RowSuccession     = "succession_recognised"  // tenancy_after_death: deaths followed by survivorship or succession
	RowHouseholdDeath = "household_member_death" // tenancy_after_death: deaths of household members
)

// Suppression of small numbers.
const (
	// SmallCell is the smallest count published: a count below it is
	// published as Suppressed.
	SmallCell = 5
	// Suppressed replaces a count below SmallCell.
	Suppressed = "<5"
	// SecondarySuppressed replaces a count of SmallCell or more that is
	// withheld so that a suppressed count cannot be worked out from the
	// total.
	SecondarySuppressed = "[c]"
)

// Cell is one published cell of a statistics table. It holds the published
// value only, never a count below SmallCell.
type Cell struct {
	Rule  string // a rule name, RowSuccession or RowHouseholdDeath
	Band  string // a Band's label or BandTotal
	Value string // the count, Suppressed or SecondarySuppressed
}

// Table is a statistics table ready to publish.
type Table struct {
	Cells []Cell
}

func bandOf(p float64) int {
	for i := len(Bands) - 1; i > 0; i-- {
		if p >= Bands[i].Low {
			return i
		}
	}
	return 0
}

// Tabulate counts the cases of findings by rule and probability band, with
// a total for each rule, and for tenancy_after_death the successions and
// household members' deaths recognised. Rules appear in the order of
// exercise.Rules, each only if findings hold it.
//
// Any count below SmallCell (zero included) is published as Suppressed.
// Where a rule's row would then have exactly one suppressed cell, so that
// its total gave it away, the smallest other band count is withheld too, as
// SecondarySuppressed.
func Tabulate(findings []Findings) Table {
	counts := map[exercise.Rule][]int{}
	var successions, household int
	ranDeath := false
	for _, f := range findings {
		c, ok := counts[f.Rule]
		if !ok {
			c = make([]int, len(Bands))
			counts[f.Rule] = c
		}
		for _, cs := range f.Cases {
			c[bandOf(cs.Probability)]++
		}
		if f.Rule == exercise.TenancyAfterDeath {
			ranDeath = true
			successions += f.Successions
			household += f.HouseholdDeaths
		}
	}
	var t Table
	for _, rule := range exercise.Rules {
		c, ok := counts[rule]
		if !ok {
			continue
		}
		t.Cells = append(t.Cells, suppressRow(string(rule), c)...)
	}
	if ranDeath {
		t.Cells = append(t.Cells,
			Cell{RowSuccession, BandTotal, publish(successions)},
			Cell{RowHouseholdDeath, BandTotal, publish(household)})
	}
	return t
}

func publish(n int) string {
	if n < SmallCell {
		return Suppressed
	}
	return strconv.Itoa(n)
}

// suppressRow publishes one rule's band counts and their total.
func suppressRow(rule string, bands []int) []Cell {
	total := 0
	for _, n := range bands {
		total += n
	}
	values := make([]string, len(bands)+1)
	suppressed := 0
	for i, n := range append(append([]int(nil), bands...), total) {
		values[i] = publish(n)
		if n < SmallCell {
			suppressed++
		}
	}
	if suppressed == 1 {
		// Withhold the smallest published band so that the total does not
		// give the suppressed cell away.
		pick := -1
		for i, n := range bands {
			if n >= SmallCell && (pick < 0 || n < bands[pick]) {
				pick = i
			}
		}
		if pick >= 0 {
			values[pick] = SecondarySuppressed
		}
	}
	cells := make([]Cell, 0, len(values))
	for i, b := range Bands {
		cells = append(cells, Cell{rule, b.Label, values[i]})
	}
	return append(cells, Cell{rule, BandTotal, values[len(bands)]})
}
