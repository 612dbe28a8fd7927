package linkage

import (
	"math"
	"math/rand/v2"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// The fixtures here are pseudonymised people built directly, without the
// encoder: every value is a random token, and a name's Bloom filter is a
// fixed random set of bits per name value. A typing error replaces the
// token and moves some of the filter's bits, as the encoder's q-grams
// would move.

type world struct {
	rng       *rand.Rand
	forenames []pseudo.NameFilter
	surnames  []pseudo.NameFilter
}

func newWorld(seed uint64) *world {
	w := &world{rng: rand.New(rand.NewPCG(seed, 77))}
	w.forenames = make([]pseudo.NameFilter, 300)
	w.surnames = make([]pseudo.NameFilter, 3000)
	for i := range w.forenames {
		w.forenames[i] = w.filter(22)
	}
	for i := range w.surnames {
		w.surnames[i] = w.filter(24)
	}
	return w
}

func (w *world) filter(n int) pseudo.NameFilter {
	var f pseudo.NameFilter
	for k := 0; k < n; {
		p := w.rng.IntN(pseudo.NameBits)
		if f[p/64]&(1<<(p%64)) == 0 {
			f[p/64] |= 1 << (p % 64)
			k++
		}
	}
	return f
}

// zipf draws an index in [0, n) with probability falling as 1/(i+1).
func (w *world) zipf(n int) int {
	x := w.rng.Float64() * math.Log(float64(n)+1)
	return min(int(math.Exp(x))-1, n-1)
}

func count(f *pseudo.NameFilter) uint16 {
	n := 0
	for _, x := range f {
		for ; x != 0; x &= x - 1 {
			n++
		}
	}
	return uint16(n)
}

func tok(kind, v uint64) pseudo.Token { return pseudo.Token(kind<<40 | v + 1) }

// person returns a fresh person with id pid.
func (w *world) person(pid int) pseudo.Record {
	var r pseudo.Record
	f, s := w.zipf(len(w.forenames)), w.zipf(len(w.surnames))
	r.Forename, r.ForenameGroup, r.ForenamePhonetic = tok(1, uint64(f)), tok(2, uint64(f/3)), tok(3, uint64(f/5))
	r.Surname, r.SurnamePhonetic = tok(4, uint64(s)), tok(5, uint64(s/4))
	r.ForenameBF, r.SurnameBF = w.forenames[f], w.surnames[s]
	r.ForenameCount, r.SurnameCount = count(&r.ForenameBF), count(&r.SurnameBF)
	y, m, d := 1930+w.rng.IntN(70), 1+w.rng.IntN(12), 1+w.rng.IntN(28)
	w.setDOB(&r, y, m, d)
	r.NINumber = tok(6, uint64(pid))
	pc := w.rng.IntN(2000)
	r.Postcode, r.PostcodeSector, r.PostcodeOutward = tok(7, uint64(pc)), tok(8, uint64(pc/20)), tok(9, uint64(pc/200))
	r.HouseNumber = tok(10, uint64(w.rng.IntN(80)))
	if w.rng.IntN(2) == 0 {
		r.Email = tok(11, uint64(pid))
	}
	if w.rng.IntN(3) == 0 {
		r.Phone = tok(12, uint64(pid))
	}
	return r
}

func (w *world) setDOB(r *pseudo.Record, y, m, d int) {
	r.DOB = tok(13, uint64(y*10000+m*100+d))
	r.DOBYear = tok(14, uint64(y))
	r.DOBYearMonth, r.DOBYearDay, r.DOBMonthDay = tok(15, uint64(y*100+m)), tok(16, uint64(y*100+d)), tok(17, uint64(m*100+d))
	r.DOBSwapped = 0
	if d <= 12 && d != m {
		r.DOBSwapped = tok(13, uint64(y*10000+d*100+m))
	}
}

// noisy returns a copy of r as another dataset might hold it: fields
// missing, typing errors in names, dates with a wrong digit or day and
// month swapped, a move of house.
func (w *world) noisy(r pseudo.Record) pseudo.Record {
	x := r
	p := func(q float64) bool { return w.rng.Float64() < q }
	typo := func(f *pseudo.NameFilter, t *pseudo.Token, c *uint16) {
		g := *f
		for range 5 {
			g[w.rng.IntN(8)] ^= 1 << w.rng.IntN(64)
		}
		*f, *t, *c = g, pseudo.Token(w.rng.Uint64()), count(&g)
	}
	if p(0.15) {
		typo(&x.ForenameBF, &x.Forename, &x.ForenameCount)
	}
	if p(0.15) {
		typo(&x.SurnameBF, &x.Surname, &x.SurnameCount)
	}
	if p(0.05) {
		x.Forename, x.ForenameBF, x.ForenameCount = 0, pseudo.NameFilter{}, 0
	}
	switch {
	case p(0.05):
		x.DOB, x.DOBYear, x.DOBYearMonth, x.DOBYearDay, x.DOBMonthDay, x.DOBSwapped = 0, 0, 0, 0, 0, 0
	case p(0.08):
		// A wrong day: the year and month survive.
		x.DOB, x.DOBYearDay, x.DOBMonthDay, x.DOBSwapped = pseudo.Token(w.rng.Uint64()), 0, 0, 0
	case p(0.05) && r.DOBSwapped != 0:
		x.DOB, x.DOBSwapped = r.DOBSwapped, r.DOB
		x.DOBYearMonth, x.DOBYearDay = r.DOBYearDay, r.DOBYearMonth
	}
	if p(0.3) {
		x.NINumber = 0
	}
	if p(0.2) {
		pc := w.rng.IntN(2000)
		x.Postcode, x.PostcodeSector, x.PostcodeOutward = tok(7, uint64(pc)), tok(8, uint64(pc/20)), tok(9, uint64(pc/200))
		x.HouseNumber = tok(10, uint64(w.rng.IntN(80)))
	}
	if p(0.3) {
		x.Email = 0
	}
	return x
}

// linkData builds a left dataset of n people and a right one holding a
// noisy copy of share of them (in shuffled order) plus as many new people
// as make it n. truth maps right index to left index.
func linkData(seed uint64, n int, share float64) (left, right []pseudo.Record, truth map[[2]int32]bool) {
	w := newWorld(seed)
	left = make([]pseudo.Record, n)
	for i := range left {
		left[i] = w.person(i)
	}
	truth = map[[2]int32]bool{}
	order := w.rng.Perm(n)
	for k := range n {
		if float64(k) < share*float64(n) {
			i := order[k]
			truth[[2]int32{int32(i), int32(len(right))}] = true
			right = append(right, w.noisy(left[i]))
		} else {
			right = append(right, w.person(n+k))
		}
	}
	return left, right, truth
}

// dedupeData builds n people of whom share have one noisy duplicate.
func dedupeData(seed uint64, n int, share float64) (recs []pseudo.Record, truth map[[2]int32]bool) {
	w := newWorld(seed)
	truth = map[[2]int32]bool{}
	for i := range n {
		p := w.person(i)
		recs = append(recs, p)
		if w.rng.Float64() < share {
			truth[[2]int32{int32(len(recs) - 1), int32(len(recs))}] = true
			recs = append(recs, w.noisy(p))
		}
	}
	return recs, truth
}

// quality is precision, recall and F1 of found pairs against truth.
type quality struct {
	tp, fp, fn     int
	precision, rec float64
	f1             float64
}

func measure(found [][2]int32, truth map[[2]int32]bool) quality {
	var q quality
	for _, p := range found {
		if truth[p] {
			q.tp++
		} else {
			q.fp++
		}
	}
	q.fn = len(truth) - q.tp
	if q.tp+q.fp > 0 {
		q.precision = float64(q.tp) / float64(q.tp+q.fp)
	}
	if len(truth) > 0 {
		q.rec = float64(q.tp) / float64(len(truth))
	}
	if q.precision+q.rec > 0 {
		q.f1 = 2 * q.precision * q.rec / (q.precision + q.rec)
	}
	return q
}
