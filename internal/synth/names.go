package synth

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/forenames.txt data/surnames.txt data/stems.txt
var dataFS embed.FS

// group is a cultural naming tradition. It decides which forename and
// surname tables a household draws from, and so makes names consistent
// within a family (the children of a Khan are not Kevin and Tracey).
type group uint8

const (
	groupGB group = iota // White British, Irish, Caribbean and mixed heritage
	groupSA              // Pakistani and Bangladeshi
	groupIN              // Indian (Hindu and Sikh)
	groupAF              // Black African
	groupEE              // Eastern European
	groupCN              // Chinese
	numGroups
)

var groupCodes = [numGroups]string{"gb", "sa", "in", "af", "ee", "cn"}

// groupShare is the share of households of each group, as in social housing
// in Stockport and its neighbours.
var groupShare = [numGroups]float64{0.80, 0.08, 0.015, 0.05, 0.045, 0.01}

// Birth years are bucketed by five years from firstBucketYear for the
// forename tables.
const (
	firstBucketYear = 1900
	bucketYears     = 5
	numBuckets      = 27 // 1900-2034
)

// sampler draws an index with probability proportional to its weight.
type sampler struct {
	cum []float64 // cumulative weights, strictly increasing
}

func newSampler(weights []float64) sampler {
	s := sampler{cum: make([]float64, 0, len(weights))}
	total := 0.0
	for _, w := range weights {
		if w <= 0 {
			w = 1e-9 // keep cum strictly increasing so every index stays reachable
		}
		total += w
		s.cum = append(s.cum, total)
	}
	return s
}

func (s sampler) pick(r *rand.Rand) int {
	x := r.Float64() * s.cum[len(s.cum)-1]
	return sort.Search(len(s.cum), func(i int) bool { return s.cum[i] > x })
}

// surname is a family name in its male and female forms, which differ only
// for languages whose surnames agree with sex (Kowalski, Kowalska).
type surname struct {
	male, female string
}

func (s surname) forSex(sex byte) string {
	if sex == 'F' {
		return s.female
	}
	return s.male
}

// nameTables holds the shipped name tables, parsed.
type nameTables struct {
	forenames [numGroups][2][numBuckets]struct {
		names []string
		s     sampler
	}
	family     [numGroups][]surname
	familyS    [numGroups]sampler
	femaleOnly [numGroups][]string // surnames held only by women (Begum, Kaur)
	femaleS    [numGroups]sampler
	stems      []string
	// common lists, per group and sex, the forename and surname pairs that
	// are frequent enough that two unrelated people share them.
	common [numGroups][2][][2]string
}

var loadTables = sync.OnceValues(func() (*nameTables, error) {
	t := new(nameTables)
	if err := t.loadForenames(); err != nil {
		return nil, err
	}
	if err := t.loadSurnames(); err != nil {
		return nil, err
	}
	if err := t.loadStems(); err != nil {
		return nil, err
	}
	t.buildCommon()
	return t, nil
})

func sexIndex(sex byte) int {
	if sex == 'F' {
		return 1
	}
	return 0
}

func parseGroup(s string) (group, bool) {
	for g, c := range groupCodes {
		if c == s {
			return group(g), true
		}
	}
	return 0, false
}

// dataLines returns the non-blank, non-comment lines of an embedded table.
func dataLines(name string) ([][]string, error) {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Fields(line))
	}
	return out, sc.Err()
}

func (t *nameTables) loadForenames() error {
	const file = "data/forenames.txt"
	rows, err := dataLines(file)
	if err != nil {
		return err
	}
	type entry struct {
		name               string
		weight, peak, sprd float64
	}
	var entries [numGroups][2][]entry
	for i, f := range rows {
		if len(f) != 6 {
			return fmt.Errorf("%s: data line %d: want 6 fields, have %d", file, i+1, len(f))
		}
		g, ok := parseGroup(f[0])
		if !ok || (f[1] != "M" && f[1] != "F") {
			return fmt.Errorf("%s: data line %d: bad group or sex", file, i+1)
		}
		var nums [3]float64
		for j := range nums {
			if nums[j], err = strconv.ParseFloat(f[3+j], 64); err != nil {
				return fmt.Errorf("%s: data line %d: %w", file, i+1, err)
			}
		}
		s := sexIndex(f[1][0])
		entries[g][s] = append(entries[g][s], entry{f[2], nums[0], nums[1], nums[2]})
	}
	for g := range entries {
		for s := range entries[g] {
			if len(entries[g][s]) == 0 {
				return fmt.Errorf("%s: no names for group %s sex %d", file, groupCodes[g], s)
			}
			for b := 0; b < numBuckets; b++ {
				year := float64(firstBucketYear + b*bucketYears + bucketYears/2)
				var names []string
				var weights []float64
				index := map[string]int{}
				for _, e := range entries[g][s] {
					w := e.weight
					if e.peak > 0 {
						z := (year - e.peak) / e.sprd
						w *= math.Exp(-0.5 * z * z)
					}
					if k, ok := index[e.name]; ok {
						weights[k] += w
						continue
					}
					index[e.name] = len(names)
					names = append(names, e.name)
					weights = append(weights, w)
				}
				// A floor keeps every name possible in every era, as some
				// parents always choose an old-fashioned name.
				for k := range weights {
					weights[k] += 0.002
				}
				t.forenames[g][s][b].names = names
				t.forenames[g][s][b].s = newSampler(weights)
			}
		}
	}
	return nil
}

func (t *nameTables) loadSurnames() error {
	const file = "data/surnames.txt"
	rows, err := dataLines(file)
	if err != nil {
		return err
	}
	var fw, ow [numGroups][]float64
	for i, f := range rows {
		if len(f) != 4 {
			return fmt.Errorf("%s: data line %d: want 4 fields, have %d", file, i+1, len(f))
		}
		g, ok := parseGroup(f[0])
		if !ok {
			return fmt.Errorf("%s: data line %d: bad group", file, i+1)
		}
		w, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			return fmt.Errorf("%s: data line %d: %w", file, i+1, err)
		}
		switch f[1] {
		case "U":
			m, fem, ok := strings.Cut(f[2], "/")
			if !ok {
				fem = m
			}
			t.family[g] = append(t.family[g], surname{m, fem})
			fw[g] = append(fw[g], w)
		case "F":
			t.femaleOnly[g] = append(t.femaleOnly[g], f[2])
			ow[g] = append(ow[g], w)
		default:
			return fmt.Errorf("%s: data line %d: bad sex", file, i+1)
		}
	}
	for g := range t.family {
		if len(t.family[g]) == 0 {
			return fmt.Errorf("%s: no surnames for group %s", file, groupCodes[g])
		}
		t.familyS[g] = newSampler(fw[g])
		if len(ow[g]) > 0 {
			t.femaleS[g] = newSampler(ow[g])
		}
	}
	return nil
}

func (t *nameTables) loadStems() error {
	const file = "data/stems.txt"
	rows, err := dataLines(file)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range rows {
		for _, s := range f {
			s = strings.ReplaceAll(s, "_", " ")
			if seen[s] {
				return fmt.Errorf("%s: duplicate stem", file)
			}
			seen[s] = true
			t.stems = append(t.stems, s)
		}
	}
	if len(t.stems) < minStems {
		return fmt.Errorf("%s: %d stems, need at least %d", file, len(t.stems), minStems)
	}
	return nil
}

// buildCommon fills the list of very frequent name pairs (John Smith,
// Mohammed Khan) that planted namesakes are given.
func (t *nameTables) buildCommon() {
	t.common[groupGB][0] = [][2]string{{"John", "Smith"}, {"David", "Jones"}, {"Michael", "Brown"}, {"Paul", "Taylor"}, {"David", "Smith"}, {"John", "Williams"}}
	t.common[groupGB][1] = [][2]string{{"Susan", "Smith"}, {"Margaret", "Jones"}, {"Karen", "Taylor"}, {"Sarah", "Smith"}, {"Julie", "Brown"}}
	t.common[groupSA][0] = [][2]string{{"Mohammed", "Khan"}, {"Mohammed", "Hussain"}, {"Muhammad", "Ali"}, {"Mohammed", "Ahmed"}}
	t.common[groupSA][1] = [][2]string{{"Fatima", "Begum"}, {"Ayesha", "Khan"}, {"Shazia", "Akhtar"}}
	t.common[groupIN][0] = [][2]string{{"Rajesh", "Patel"}, {"Sanjay", "Patel"}, {"Gurpreet", "Singh"}}
	t.common[groupIN][1] = [][2]string{{"Priya", "Patel"}, {"Harjit", "Kaur"}}
	t.common[groupAF][0] = [][2]string{{"Mohamed", "Abdi"}, {"Samuel", "Mensah"}, {"Abdi", "Mohamed"}}
	t.common[groupAF][1] = [][2]string{{"Grace", "Mensah"}, {"Amina", "Mohamed"}}
	t.common[groupEE][0] = [][2]string{{"Piotr", "Nowak"}, {"Tomasz", "Kowalski"}}
	t.common[groupEE][1] = [][2]string{{"Anna", "Nowak"}, {"Katarzyna", "Kowalska"}}
	t.common[groupCN][0] = [][2]string{{"Wei", "Wang"}, {"Wei", "Chen"}}
	t.common[groupCN][1] = [][2]string{{"Mei", "Li"}, {"Jing", "Wang"}}
}

func bucketOf(year int) int {
	b := (year - firstBucketYear) / bucketYears
	return max(0, min(numBuckets-1, b))
}

// forename draws a forename for someone of group g and sex born in year.
func (t *nameTables) forename(r *rand.Rand, g group, sex byte, year int) string {
	tb := &t.forenames[g][sexIndex(sex)][bucketOf(year)]
	return tb.names[tb.s.pick(r)]
}

// familyName draws a family surname of group g.
func (t *nameTables) familyName(r *rand.Rand, g group) surname {
	return t.family[g][t.familyS[g].pick(r)]
}

// womansName draws one of the surnames held only by women in group g, and
// reports false if the group has none.
func (t *nameTables) womansName(r *rand.Rand, g group) (string, bool) {
	if len(t.femaleOnly[g]) == 0 {
		return "", false
	}
	return t.femaleOnly[g][t.femaleS[g].pick(r)], true
}

// nicknames maps a formal forename to the familiar forms people use for it
// on forms and accounts. Anglicised forms of Polish and Nigerian names are
// included, as partner records often hold them.
var nicknames = map[string][]string{
	"Robert":      {"Bob", "Rob", "Bobby"},
	"William":     {"Bill", "Will", "Billy"},
	"Richard":     {"Rick", "Rich", "Dick"},
	"James":       {"Jim", "Jimmy", "Jamie"},
	"John":        {"Jack", "Johnny"},
	"Michael":     {"Mike", "Mick", "Mikey"},
	"David":       {"Dave", "Davy"},
	"Stephen":     {"Steve"},
	"Steven":      {"Steve"},
	"Anthony":     {"Tony", "Ant"},
	"Andrew":      {"Andy", "Drew"},
	"Christopher": {"Chris", "Kit"},
	"Thomas":      {"Tom", "Tommy"},
	"Joseph":      {"Joe", "Joey"},
	"Daniel":      {"Dan", "Danny"},
	"Matthew":     {"Matt"},
	"Peter":       {"Pete"},
	"Edward":      {"Ed", "Eddie", "Ted"},
	"Charles":     {"Charlie", "Chas"},
	"Kenneth":     {"Ken", "Kenny"},
	"Frederick":   {"Fred", "Freddie"},
	"Alexander":   {"Alex", "Sandy"},
	"Benjamin":    {"Ben"},
	"Samuel":      {"Sam"},
	"Jonathan":    {"Jon", "Johnny"},
	"Nicholas":    {"Nick", "Nicky"},
	"Gerald":      {"Gerry"},
	"Terence":     {"Terry"},
	"Raymond":     {"Ray"},
	"Ronald":      {"Ron", "Ronnie"},
	"Donald":      {"Don"},
	"Leonard":     {"Len", "Lenny"},
	"Alfred":      {"Alf", "Alfie"},
	"Albert":      {"Bert", "Albie"},
	"Harold":      {"Harry"},
	"Henry":       {"Harry", "Hal"},
	"Patrick":     {"Pat", "Paddy"},
	"Philip":      {"Phil"},
	"Lawrence":    {"Larry", "Laurie"},
	"Timothy":     {"Tim"},
	"Gregory":     {"Greg"},
	"Douglas":     {"Doug"},
	"Joshua":      {"Josh"},
	"Zachary":     {"Zach"},
	"Mohammed":    {"Mo"},
	"Muhammad":    {"Mo"},
	"Krzysztof":   {"Chris"},
	"Piotr":       {"Peter"},
	"Paweł":       {"Paul"},
	"Tomasz":      {"Tom"},
	"Jakub":       {"Kuba", "Jacob"},
	"Oluwaseun":   {"Seun"},
	"Babatunde":   {"Tunde"},
	"Chukwuemeka": {"Emeka"},
	"Elizabeth":   {"Liz", "Beth", "Lizzie", "Betty"},
	"Margaret":    {"Maggie", "Peggy", "Meg"},
	"Catherine":   {"Cath", "Kate", "Cathy"},
	"Kathleen":    {"Kath", "Kathy"},
	"Kathryn":     {"Kate", "Kathy"},
	"Patricia":    {"Pat", "Trish"},
	"Susan":       {"Sue", "Susie"},
	"Deborah":     {"Debbie", "Debs"},
	"Jacqueline":  {"Jackie"},
	"Christine":   {"Chris", "Chrissie"},
	"Jennifer":    {"Jenny", "Jen"},
	"Rebecca":     {"Becky", "Becca"},
	"Victoria":    {"Vicky", "Tori"},
	"Samantha":    {"Sam", "Sammy"},
	"Jessica":     {"Jess"},
	"Natalie":     {"Nat"},
	"Nicola":      {"Nicky"},
	"Joanne":      {"Jo"},
	"Josephine":   {"Jo", "Josie"},
	"Dorothy":     {"Dot", "Dottie"},
	"Barbara":     {"Barb", "Babs"},
	"Gillian":     {"Gill"},
	"Pamela":      {"Pam"},
	"Abigail":     {"Abbie", "Abby"},
	"Charlotte":   {"Lottie", "Charlie"},
	"Eleanor":     {"Ellie", "Nell"},
	"Amanda":      {"Mandy"},
	"Sandra":      {"Sandy"},
	"Valerie":     {"Val"},
	"Frances":     {"Fran"},
	"Jacob":       {"Jake"},
	"Katarzyna":   {"Kasia", "Kate"},
	"Małgorzata":  {"Gosia"},
	"Aleksandra":  {"Ola", "Alex"},
	"Magdalena":   {"Magda"},
	"Funmilayo":   {"Funmi"},
}
