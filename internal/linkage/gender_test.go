package linkage

import (
	"cmp"
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
)

// TestGenderTellsInitialsApart links FEBRL4 with a gender given to every
// person, and a case gender is for: for 300 true pairs the right record
// holds only the forename's initial, no date of birth and no NI number,
// and beside it the right file holds the person's spouse, who shares the
// surname, the address and the initial (John and Jane Smith) and differs
// in gender. The same link is run with the genders left out. With them,
// the spouses must not be taken for the person; without, nothing tells
// the two apart, which shows the test can fail.
func TestGenderTellsInitialsApart(t *testing.T) {
	left, right, truth := readFEBRL4(t)
	rng := rand.New(rand.NewPCG(5, 11))
	genders := [2]string{"Female", "Male"}
	// One gender a person, the same on both sides.
	for _, k := range slices.SortedFunc(maps.Keys(truth), func(a, b [2]int32) int { return cmp.Compare(a[0], b[0]) }) {
		g := genders[rng.IntN(2)]
		left[k[0]].Gender, right[k[1]].Gender = g, g
	}
	var decoys []int32 // indexes in right of the spouses
	var targeted [][2]int32
	for _, k := range slices.SortedFunc(maps.Keys(truth), func(a, b [2]int32) int { return cmp.Compare(a[0], b[0]) }) {
		if len(targeted) == 300 {
			break
		}
		r := &right[k[1]]
		if len(r.Forename) < 2 || r.Surname == "" || r.Address == "" || rng.IntN(4) != 0 {
			continue
		}
		r.Forename, r.MiddleNames = r.Forename[:1], ""
		r.DOB, r.NINumber = date.Date{}, ""
		spouse := *r
		spouse.RecordID = "spouse-" + r.RecordID
		spouse.Gender = genders[0]
		if r.Gender == genders[0] {
			spouse.Gender = genders[1]
		}
		decoys = append(decoys, int32(len(right)))
		right = append(right, spouse)
		targeted = append(targeted, k)
	}
	run := func(withGender bool) (found, spouses int) {
		t.Helper()
		l, r := slices.Clone(left), slices.Clone(right)
		if !withGender {
			for _, side := range [][]person.Record{l, r} {
				for i := range side {
					side[i].Gender = ""
				}
			}
		}
		enc := newEncoder(t)
		res, err := Link(context.Background(), encode(t, enc, l), encode(t, enc, r), Config{
			Threshold: DefaultThreshold, RandomPairs: febrlRandomPairs,
		})
		if err != nil {
			t.Fatal(err)
		}
		matched := map[[2]int32]bool{}
		for _, m := range res.Matches {
			matched[[2]int32{m.Left, m.Right}] = true
		}
		for i, k := range targeted {
			if matched[k] {
				found++
			}
			if matched[[2]int32{k[0], decoys[i]}] {
				spouses++
			}
		}
		return found, spouses
	}
	found, spouses := run(true)
	foundWithout, spousesWithout := run(false)
	t.Logf("%d people known by an initial beside a spouse: with genders %d found, %d spouses taken for them; without genders %d found, %d spouses",
		len(targeted), found, spouses, foundWithout, spousesWithout)
	// An initial, a surname and an address, without a date of birth, are
	// not always enough: some 1 in 9 of these people stay unlinked either
	// way, and a fresh key moves the count by a few. Gender must not lower
	// it by more.
	// Under most keys EM learns that one person's records disagree on
	// gender about once in 600 (8 bits against) and no spouse is matched;
	// under some 1 key in 30 it settles with a few spouses in the match
	// class, learns once in 65 (6 bits), and matches some 16 of them.
	if spouses > len(targeted)/10 || found < len(targeted)*85/100 || found < foundWithout-len(targeted)/50 {
		t.Errorf("with genders: %d of %d found (%d without), %d spouses matched; want 85%% found, at most 2%% fewer than without, at most 10%% spouses",
			found, len(targeted), foundWithout, spouses)
	}
	if spousesWithout < len(targeted)/2 {
		t.Errorf("without genders only %d of %d spouses matched: the data do not test what gender adds", spousesWithout, len(targeted))
	}
}
