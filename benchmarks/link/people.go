// Package link benchmarks the matching engine end to end, from clear
// person records through pseudonymisation, blocking, comparison,
// estimation and scoring, on a synthetic UK population at 10k, 100k and
// 1M records per side; and measures the quality of the matches against
// the population's known truth.
//
// The population is made of households (people sharing an address, a
// landline and mostly a surname; some twins), with UK names at realistic
// frequencies and a long tail of rare surnames. The right-hand dataset
// holds copies of some left-hand people, as another organisation would
// record them: typing errors, nicknames, married names, names swapped,
// dates of birth with day and month swapped or a wrong digit, missing NI
// numbers, people who moved, addresses written another way. See Task.
package link

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
)

// Task is a synthetic link task: N people on the left, N records on the
// right of which a share Overlap are noisy copies of left-hand people and
// the rest other people. Every record is a pure function of the task and
// its index, so records can be made in any order, in parallel, and
// without keeping them.
type Task struct {
	N       int
	Overlap float64
	Seed    uint64
}

// Matches returns the number of true pairs.
func (t Task) Matches() int { return int(t.Overlap * float64(t.N)) }

// Left returns left-hand record i.
func (t Task) Left(i int) person.Record {
	p, _ := t.person(int64(i))
	p.RecordID = "L" + strconv.Itoa(i)
	rng := t.rng(3, int64(i))
	if rng.Float64() < 0.08 {
		p.NINumber = ""
	}
	return p
}

// Right returns right-hand record k and the index of the left-hand
// record it copies, or -1.
func (t Task) Right(k int) (person.Record, int32) {
	var p person.Record
	left := int32(-1)
	if k < t.Matches() {
		left = int32(t.permute(int64(k)))
		p = t.noisy(int64(left), int64(k))
	} else {
		p, _ = t.person(int64(t.N + k))
	}
	p.RecordID = "R" + strconv.Itoa(k)
	return p, left
}

// permute maps [0, N) onto itself, pseudo-randomly and one to one.
func (t Task) permute(k int64) int64 {
	n := int64(t.N)
	a := int64(2_654_435_761) % n
	for gcd(a, n) != 1 {
		a++
	}
	return (a*k + int64(t.Seed%uint64(n))) % n
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// rng returns the random stream for purpose and id.
func (t Task) rng(purpose uint64, id int64) *rand.Rand {
	return rand.New(rand.NewPCG(t.Seed^purpose<<56, uint64(id)))
}

func pick(rng *rand.Rand, ws []weighted) string {
	var total float64
	for _, w := range ws {
		total += w.weight
	}
	x := rng.Float64() * total
	for _, w := range ws {
		if x < w.weight {
			return w.name
		}
		x -= w.weight
	}
	return ws[len(ws)-1].name
}

// surname draws a surname: a listed one, or a made-up rare one.
func surname(rng *rand.Rand) string {
	if rng.Float64() < 0.65 {
		return pick(rng, surnames)
	}
	s := onsets[rng.IntN(len(onsets))] + nuclei[rng.IntN(len(nuclei))] + codas[rng.IntN(len(codas))]
	if rng.IntN(2) == 0 {
		s += strings.ToLower(onsets[rng.IntN(len(onsets))]) + nuclei[rng.IntN(len(nuclei))]
	}
	return s + ends[rng.IntN(len(ends))]
}

// household is what the people of one household share.
type household struct {
	surname  string
	address  string
	postcode string
	uprn     string
	landline string
}

// household returns household h: about three people share one.
func (t Task) household(h int64) household {
	rng := t.rng(1, h)
	unit := h / 15 // households per postcode unit
	area := postcodeAreas[unit%int64(len(postcodeAreas))]
	sector := (unit / int64(len(postcodeAreas))) % 10
	letters := "ABDEFGHJLNPQRSTUWXYZ"
	u := unit / int64(len(postcodeAreas)) / 10
	pc := fmt.Sprintf("%s %d%c%c", area, sector, letters[u%20], letters[(u/20)%20])
	street := streets[(unit/4)%int64(len(streets))]
	st := streetTypes[(unit/4/int64(len(streets)))%int64(len(streetTypes))]
	num := h%15 + 1 + (unit%4)*15
	addr := fmt.Sprintf("%d %s %s, %s", num, street, st.full, towns[(unit/7)%int64(len(towns))])
	if rng.Float64() < 0.2 {
		addr = fmt.Sprintf("Flat %d, %s", rng.IntN(12)+1, addr)
	}
	hh := household{surname: surname(rng), address: addr, postcode: pc, uprn: strconv.FormatInt(100_000_000_000+h*7, 10)}
	if rng.Float64() < 0.3 {
		hh.landline = fmt.Sprintf("0161 %03d %04d", rng.IntN(1000), rng.IntN(10000))
	}
	return hh
}

// dob returns person pid's date of birth; a few are twins of the person
// before them in the household.
func (t Task) dob(pid int64) date.Date {
	rng := t.rng(2, pid)
	if pid%3 == 2 && rng.Float64() < 0.03 {
		return t.dob(pid - 1)
	}
	y := 1930 + rng.IntN(78)
	m := time.Month(1 + rng.IntN(12))
	d := 1 + rng.IntN(28)
	return date.MustOf(y, m, d)
}

var niPrefixes = func() []string {
	var out []string
	for a := byte('A'); a <= 'Z'; a++ {
		if strings.IndexByte("DFIQUV", a) >= 0 {
			continue
		}
		for b := byte('A'); b <= 'Z'; b++ {
			if strings.IndexByte("DFIOQUV", b) >= 0 {
				continue
			}
			switch p := string([]byte{a, b}); p {
			case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
			default:
				out = append(out, p)
			}
		}
	}
	return out
}()

// person returns person pid as their own organisation records them, and
// whether the person is a woman.
func (t Task) person(pid int64) (person.Record, bool) {
	rng := t.rng(0, pid)
	hh := t.household(pid / 3)
	var p person.Record
	female := rng.IntN(2) == 0
	if female {
		p.Forename = pick(rng, femaleForenames)
	} else {
		p.Forename = pick(rng, maleForenames)
	}
	if rng.Float64() < 0.45 {
		if rng.IntN(2) == 0 {
			p.MiddleNames = pick(rng, femaleForenames)
		} else {
			p.MiddleNames = pick(rng, maleForenames)
		}
	}
	p.Surname = hh.surname
	if rng.Float64() < 0.15 {
		p.Surname = surname(rng)
	}
	p.DOB = t.dob(pid)
	n := (pid*7919 + 104_729) % int64(len(niPrefixes)*1_000_000)
	p.NINumber = fmt.Sprintf("%s%06d%c", niPrefixes[n/1_000_000], n%1_000_000, 'A'+byte(pid%4))
	p.Address, p.Postcode, p.UPRN = hh.address, hh.postcode, hh.uprn
	switch {
	case rng.Float64() < 0.65:
		p.Phone = fmt.Sprintf("07%03d %06d", 700+rng.IntN(300), rng.IntN(1_000_000))
	case hh.landline != "":
		p.Phone = hh.landline
	}
	if rng.Float64() < 0.5 {
		p.Email = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(p.Forename), strings.ToLower(strings.ReplaceAll(p.Surname, "'", "")), rng.IntN(100), emailDomains[rng.IntN(len(emailDomains))])
	}
	return p, female
}

// keyboard lists each letter's neighbours on a UK keyboard.
var keyboard = map[byte]string{
	'q': "wa", 'w': "qes", 'e': "wrd", 'r': "etf", 't': "ryg", 'y': "tuh", 'u': "yij", 'i': "uok", 'o': "ipl", 'p': "ol",
	'a': "qsz", 's': "adwx", 'd': "sfex", 'f': "dgrc", 'g': "fhtv", 'h': "gjyb", 'j': "hkun", 'k': "jlim", 'l': "kop",
	'z': "xas", 'x': "zcsd", 'c': "xvdf", 'v': "cbfg", 'b': "vnhg", 'n': "bmhj", 'm': "njk",
}

// typo makes one typing error in s: a neighbouring key, a letter left
// out or doubled, or two letters transposed.
func typo(rng *rand.Rand, s string) string {
	if len(s) < 3 {
		return s
	}
	b := []byte(s)
	i := 1 + rng.IntN(len(b)-1)
	switch rng.IntN(4) {
	case 0:
		c := b[i] | 0x20
		if nb, ok := keyboard[c]; ok {
			r := nb[rng.IntN(len(nb))]
			if b[i] < 'a' {
				r &^= 0x20
			}
			b[i] = r
		}
	case 1:
		b = append(b[:i], b[i+1:]...)
	case 2:
		b = append(b[:i+1], b[i:]...)
	default:
		if i+1 < len(b) {
			b[i], b[i+1] = b[i+1], b[i]
		} else {
			b[i-1], b[i] = b[i], b[i-1]
		}
	}
	return string(b)
}

// noisy returns person pid as another organisation holds them (copy
// number k).
func (t Task) noisy(pid, k int64) person.Record {
	p, female := t.person(pid)
	rng := t.rng(4, k)
	q := func(x float64) bool { return rng.Float64() < x }
	if nn := nicknames[p.Forename]; len(nn) > 0 && q(0.10) {
		p.Forename = nn[rng.IntN(len(nn))]
	}
	if q(0.06) {
		p.Forename = typo(rng, p.Forename)
	}
	if female && q(0.05) {
		p.Surname = surname(rng) // married since
	}
	if q(0.06) {
		p.Surname = typo(rng, p.Surname)
	}
	if q(0.01) {
		p.Forename, p.Surname = p.Surname, p.Forename
	}
	if q(0.5) {
		p.MiddleNames = ""
	}
	y, m, d := p.DOB.Civil()
	switch {
	case q(0.04):
		p.DOB = date.Date{}
	case q(0.03) && d <= 12 && d != int(m):
		p.DOB = date.MustOf(y, time.Month(d), int(m))
	case q(0.03):
		dd := (d+1+rng.IntN(8))%28 + 1
		p.DOB = date.MustOf(y, m, dd)
	case q(0.01):
		p.DOB = date.MustOf(y+1+rng.IntN(9), m, d)
	}
	if q(0.35) {
		p.NINumber = ""
	} else if q(0.02) {
		b := []byte(p.NINumber)
		b[2+rng.IntN(6)] = byte('0' + rng.IntN(10))
		p.NINumber = string(b)
	}
	if q(0.15) {
		hh := t.household(rng.Int64N(int64(t.N) / 3))
		p.Address, p.Postcode, p.UPRN = hh.address, hh.postcode, hh.uprn
		if p.Phone != "" && strings.HasPrefix(p.Phone, "0161") {
			p.Phone = hh.landline
		}
	}
	if q(0.3) {
		for _, st := range streetTypes {
			p.Address = strings.Replace(p.Address, " "+st.full, " "+st.short, 1)
		}
		if i := strings.LastIndex(p.Address, ", "); i > 0 && q(0.5) {
			p.Address = p.Address[:i]
		}
		if q(0.3) {
			p.Address = strings.ToUpper(p.Address)
		}
	}
	if q(0.6) {
		p.UPRN = ""
	}
	switch {
	case q(0.3):
		p.Phone = ""
	case q(0.1):
		p.Phone = fmt.Sprintf("07%03d %06d", 700+rng.IntN(300), rng.IntN(1_000_000))
	}
	switch {
	case q(0.4):
		p.Email = ""
	case q(0.05):
		p.Email = fmt.Sprintf("%s%d@%s", strings.ToLower(p.Forename), rng.IntN(1000), emailDomains[rng.IntN(len(emailDomains))])
	}
	return p
}
