package score

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/datamatch/datamatch/internal/compare"
)

// Patterns counts the candidate pairs that reached each comparison vector.
// EM works on the distinct vectors, not on the pairs.
type Patterns map[compare.Vector]int64

// Merge adds the counts of q to p.
func (p Patterns) Merge(q Patterns) {
	for v, n := range q {
		p[v] += n
	}
}

// LevelCounts counts how often each level of each comparison was reached,
// indexed by comparison and level.
type LevelCounts [compare.MaxComparisons][compare.MaxLevels]int64

// Add counts the levels of v over the first n comparisons.
func (c *LevelCounts) Add(v compare.Vector, n int) {
	for i := range n {
		c[i][v.Level(i)]++
	}
}

// Merge adds the counts of d to c.
func (c *LevelCounts) Merge(d *LevelCounts) {
	for i := range c {
		for j := range c[i] {
			c[i][j] += d[i][j]
		}
	}
}

// EMOptions tunes Estimate.
type EMOptions struct {
	// MaxIterations bounds the EM iterations; zero means 1000.
	MaxIterations int
	// Tolerance is the largest change of any m, and of λ relative to
	// itself, at which EM has converged; zero means 1e-7.
	Tolerance float64
	// MaxMatches, when positive, bounds the number of matching pairs in
	// the comparison space. In a link where each side holds a person at
	// most once it is min(left, right).
	MaxMatches float64
	// Smoothing is the pseudo-count added to every level when m and u are
	// estimated, so that no level has probability zero; zero means 0.5.
	Smoothing float64
}

func (o *EMOptions) defaults() {
	if o.MaxIterations <= 0 {
		o.MaxIterations = 1000
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 1e-7
	}
	if o.Smoothing <= 0 {
		o.Smoothing = 0.5
	}
}

// Data is what Estimate fits a model to.
type Data struct {
	// Patterns counts the candidate pairs' vectors.
	Patterns Patterns
	// Random counts the levels reached by pairs drawn uniformly from the
	// comparison space; it gives u.
	Random *LevelCounts
	// Space is the number of pairs in the comparison space.
	Space float64
	// Home counts the vectors of pairs of records within one dataset
	// that share a home (see compare.Comparison.Home): mostly different
	// people of one household, from which the scorer learns how often
	// such people agree on each field. Nil when there is no home
	// comparison.
	Home Patterns
	// HomeNonMatches says that no pair in Home is a match: in a link
	// whose datasets each hold a person at most once, pairs within one
	// dataset are different people. u is then measured on them for every
	// field, not only household fields, and no mixture is needed.
	HomeNonMatches bool
	// Counted marks, for each comparison, the levels (bit l for level l)
	// that no pair of the comparison space reaches without being a
	// candidate: a blocking rule keys exactly what they compare and left
	// none of its blocks out. Their share of the space is then counted
	// among the candidates instead of taken from Random, where a level
	// that one pair in a million reaches (two records at one address) is
	// met once, twice or not at all, and its weight moves by a bit or
	// more from one sample to the next. Count only levels that mostly
	// non-matches reach, such as a shared address: where nearly every
	// pair is a match (one NI number), u is what is left after the
	// matches, a difference of two large numbers too unsure to rest on.
	Counted [compare.MaxComparisons]uint16
}

// ErrNoMatches is returned by Estimate when the candidate pairs show no
// matching pairs to estimate m from.
var ErrNoMatches = errors.New("score: the candidate pairs contain no matches")

// Estimate fits a model for the comparisons cs by expectation–maximisation
// over the candidate pairs' comparison vectors, without labels.
//
// d.Random counts the levels reached by pairs drawn uniformly from the
// comparison space, which has d.Space pairs in all; it gives u. Because
// random pairs include the few matches, u is corrected at every iteration:
// the observed share of a level is λm + (1-λ)u.
//
// The E-step gives each vector the posterior of a pair from the whole
// comparison space, with the global prior λ, not the share of matches
// among candidates. Blocking selects pairs by the very fields compared, so
// a pair's posterior given its vector does not change by its being a
// candidate; and every match is a candidate (blocking recall is near 1),
// so the M-step sets λ to the expected number of matches among the
// candidates divided by d.Space. A model fitted this way gives calibrated
// probabilities on candidate pairs whatever the blocking, which is what
// lets one default threshold serve every data set.
//
// Pairs that share a home are scored with, for every household field
// (compare.Comparison.Household: surname, phone, email), u measured on
// d.Home: pairs within one dataset that share a home. Those are different
// people of one household and, in a deduplication, duplicates; a second
// mixture fitted alongside, with the same m, separates the two by the
// fields that are not household fields (forename, date of birth), so that
// a household's shared surname and landline are not mistaken for evidence
// of one person. Without it EM readily explains whole households as
// matches.
//
// A third latent class, of related people, stands beside matches and
// non-matches (after Winkler's three-class model for census households).
// Records of relatives, of people who share a home, of namesakes, or of
// people whose email address is built from a shared name agree on names,
// address, phone and email far more often than random pairs do, and
// agreement on several of them at once is not the product of their
// separate chances: the conditional independence two classes rest on
// fails for them. Without the class, EM takes whichever such group
// outnumbers the true matches for the match class (whole households in a
// deduplication; namesakes sharing a name-built email address in a link),
// and the fitted m then says that matches disagree on date of birth half
// the time. The related class has free parameters r on every field but
// the identifiers (compare.Comparison.Identifier: date of birth, NI
// number), where r is held equal to u: related people share those no more
// than strangers do. That constraint is what identifies the classes — the
// match class is the one in which identifiers agree, the standard guard
// against label switching — and a group agreeing on everything but the
// identifiers is explained as related, not matched. Its prior ρ is
// estimated with λ; scoring weighs a match against both other classes
// (see Scorer.Weight). Without an identifier among the comparisons there
// is no related class. Where identifiers are among the comparisons but
// missing from nearly every candidate pair (see minIdentified), nothing
// anchors the class, and EM gives it whichever of two groups of agreeing
// pairs it meets first: namesakes or relatives, as it should, or the
// matches themselves. The class is then kept only if the match class
// looks more like one person's records than it does (see personLike);
// otherwise two classes are fitted. The model's notes say which.
//
// Guards against degenerate solutions: λ is capped by MaxMatches; every
// probability is smoothed away from 0; and a field whose exact level ends
// up weighing against a match, or whose else level for it, is neutralised
// at that level (recorded in Model.Notes).
func Estimate(cs []compare.Comparison, d Data, o EMOptions) (*Model, error) {
	o.defaults()
	if len(cs) == 0 || len(cs) > compare.MaxComparisons {
		return nil, fmt.Errorf("score: %d comparisons", len(cs))
	}
	space := d.Space
	if !(space >= 1) {
		return nil, fmt.Errorf("score: comparison space of %g pairs", space)
	}
	if d.Random == nil {
		return nil, errors.New("score: no random pairs to estimate u from")
	}
	fit := func(related bool) *Model {
		e := newEM(cs, d.Patterns, o)
		e.setObservedU(d.Random)
		e.setCountedU(d.Counted, d.Patterns, d.Random, space)
		e.initM()
		e.setHome(d.Home, d.HomeNonMatches)
		// Initial prior: half of the largest number of matches, or a
		// tenth of the candidates.
		matches := 0.1 * e.total
		if o.MaxMatches > 0 {
			matches = min(matches, 0.5*o.MaxMatches)
		}
		e.lambda = clampLambda(min(max(matches, 1)/space, 0.5*e.lambdaBound()))
		e.space = space
		if related {
			e.initRelated()
		}
		e.initDependence()
		e.keepNonMatches()
		e.correctU()
		it, converged := e.run(true)
		m := e.model()
		m.Iterations, m.Converged = it, converged
		return m
	}
	m := fit(true)
	if n, total := identified(cs, d.Patterns); m.Related != nil && n < minIdentified*total {
		// Nothing anchors the related class: it is whichever of two
		// groups of agreeing pairs EM gave it. Keep it only if the match
		// class is the group that looks like one person (see
		// personLike); otherwise it holds the matches, and two classes
		// are fitted instead.
		if m.ExpectedMatches >= 0.5 && personLike(cs, m, false) > personLike(cs, m, true) {
			m.Notes = append(m.Notes, fmt.Sprintf("identifiers known on both sides of %.0f of %.0f candidate pairs: relatives and namesakes told from matches by names and contacts", n, total))
		} else {
			m = fit(false)
			m.Notes = append(m.Notes, fmt.Sprintf("identifiers known on both sides of %.0f of %.0f candidate pairs: no related class", n, total))
		}
	}
	neutralUnreached(m, d)
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("score: the fit is unusable: %w", err)
	}
	if m.ExpectedMatches < 0.5 {
		return m, ErrNoMatches
	}
	return m, nil
}

// neutralUnreached gives no weight to the levels that no candidate pair
// and no random pair reached: their m is set to their u, and so is r.
// Smoothing leaves such a level an m of half a match over the expected
// matches and a u of half a pair over the random pairs, a weight of some
// ten bits that says nothing about the level. No pair of the data the
// model was fitted on scores at such a level, so this changes none of its
// scores; it keeps a saved model from weighing a level it never saw when
// it is reused on other data. A note counts the levels.
func neutralUnreached(m *Model, d Data) {
	var reached [compare.MaxComparisons]uint16
	for v, c := range d.Patterns {
		if c > 0 {
			for f := range m.Fields {
				reached[f] |= 1 << v.Level(f)
			}
		}
	}
	n := 0
	for f := range m.Fields {
		levels := m.Fields[f].Levels
		for l := range levels[:len(levels)-1] { // not the null level
			if reached[f]&(1<<l) != 0 || (d.Random != nil && d.Random[f][l] > 0) {
				continue
			}
			lv := &levels[l]
			if lv.M != lv.U {
				n++
			}
			lv.M = lv.U
			if m.Fields[f].Related {
				lv.R = lv.U
			}
		}
	}
	switch {
	case n == 1:
		m.Notes = append(m.Notes, "1 level reached by no candidate pair and no random pair weighs nothing (m = u)")
	case n > 1:
		m.Notes = append(m.Notes, fmt.Sprintf("%d levels reached by no candidate pair and no random pair weigh nothing (m = u)", n))
	}
}

// identified returns the number of candidate pairs in which at least one
// identifier comparison is not null, and the number of candidate pairs.
func identified(cs []compare.Comparison, patterns Patterns) (n, total float64) {
	for v, c := range patterns {
		total += float64(c)
		for f := range cs {
			if cs[f].Identifier && v.Level(f) != cs[f].Null() {
				n += float64(c)
				break
			}
		}
	}
	return n, total
}

// personLike returns how much the pairs of the match class of m (or,
// with related, of its related class) look like one person's records
// rather than relatives' or namesakes': the smaller of two agreement
// lifts (a class's chance of agreeing on a field over a random pair's).
// One is the best lift on a personal name, a comparison that is neither
// an identifier, a household field nor the home: relatives share a
// surname, a home and a phone but seldom a forename. The other is the
// best lift on the home or a contact (compare.Comparison.Contact):
// namesakes share a name and nothing else. One person's records agree on
// both.
func personLike(cs []compare.Comparison, m *Model, related bool) float64 {
	var name, reach float64
	for f, fm := range m.Fields {
		if related && !fm.Related {
			continue // r is u there: no lift
		}
		c := &cs[f]
		els := c.Else()
		p, u := fm.Levels[els].M, fm.Levels[els].U
		if related {
			p = fm.Levels[els].R
		}
		if u >= 1 {
			continue
		}
		lift := (1 - p) / (1 - u)
		switch {
		case !c.Identifier && !c.Household && len(c.Home) == 0:
			name = max(name, lift)
		case len(c.Home) > 0 || c.Contact:
			reach = max(reach, lift)
		}
	}
	return min(name, reach)
}

// EstimatePrior re-estimates only λ of m, keeping m and u, for candidate
// pairs from a comparison space of space pairs: the way a saved model is
// reused on new data of another size. It returns a new model.
func EstimatePrior(m *Model, cs []compare.Comparison, patterns Patterns, space float64, o EMOptions) (*Model, error) {
	o.defaults()
	if err := m.Check(cs); err != nil {
		return nil, err
	}
	if !(space >= 1) {
		return nil, fmt.Errorf("score: comparison space of %g pairs", space)
	}
	e := newEM(cs, patterns, o)
	for f, fm := range m.Fields {
		for l, lv := range fm.Levels[:len(fm.Levels)-1] {
			e.m[f][l], e.u[f][l], e.uHome[f][l] = lv.M, lv.U, lv.U
			if len(fm.HomeU) > 0 {
				e.uHome[f][l] = fm.HomeU[l]
			}
		}
	}
	if m.Home != nil {
		e.home = m.Home.Field
		e.homeMask = m.Home.mask()
		e.homePairs, e.homeDup = m.Home.Pairs, m.Home.Duplicates
		e.homeAll = true // score with the model's home u as they are
	}
	if m.Related != nil {
		e.rel = true
		e.rho = clampLambda(m.Related.Prior)
		for f, fm := range m.Fields {
			e.free[f] = fm.Related
			for l, lv := range fm.Levels[:len(fm.Levels)-1] {
				e.r[f][l] = lv.U
				if fm.Related {
					e.r[f][l] = lv.R
				}
			}
		}
	}
	for _, d := range m.Dependence {
		e.deps = append(e.deps, dependence{a: d.Fields[0], b: d.Fields[1], both: d.Both, w: d.Weight * math.Ln2})
	}
	e.space = space
	e.lambda = clampLambda(m.Lambda)
	e.keepNonMatches()
	it, converged := e.run(false)
	out := e.model()
	out.Iterations, out.Converged = it, converged
	out.Notes = append(slices.Clone(m.Notes), out.Notes...)
	if out.ExpectedMatches < 0.5 {
		return out, ErrNoMatches
	}
	return out, nil
}

// em is the state of one EM run.
type em struct {
	cs     []compare.Comparison
	o      EMOptions
	vs     []compare.Vector
	ns     []float64
	total  float64 // candidate pairs
	space  float64
	lambda float64
	m, u   [compare.MaxComparisons][compare.MaxLevels]float64
	uObs   [compare.MaxComparisons][compare.MaxLevels]float64
	uHigh  [compare.MaxComparisons][compare.MaxLevels]float64 // upper confidence bound of uObs
	uFloor [compare.MaxComparisons]float64
	notes  []string

	// The shared-home mixture.
	home      int    // index of the home comparison, or -1
	homeMask  uint16 // its levels that mean a shared home
	hvs       []compare.Vector
	hns       []float64
	homePairs float64
	homeDup   float64 // share of duplicates among same-home pairs
	homeAll   bool    // the home pairs are all non-matches
	uHome     [compare.MaxComparisons][compare.MaxLevels]float64

	// The related class. free marks the relation fields, where r has
	// parameters of its own; on the others r is u.
	rel  bool
	rho  float64
	r    [compare.MaxComparisons][compare.MaxLevels]float64
	free [compare.MaxComparisons]bool

	// The pairs of contact fields whose disagreement among matches is
	// estimated jointly (see Dependence).
	deps []dependence
}

// dependence is the state of one Dependence during EM.
type dependence struct {
	a, b int
	both float64 // m of both else, among matches with both known
	w    float64 // log(both / (m_a(else) · m_b(else))), natural log
}

// initDependence pairs the contact comparisons (compare.Comparison.Contact)
// and starts each pair as independent.
func (e *em) initDependence() {
	var contacts []int
	for f, c := range e.cs {
		if c.Contact && e.levels(f) >= 2 {
			contacts = append(contacts, f)
		}
	}
	for i, a := range contacts {
		for _, b := range contacts[i+1:] {
			d := dependence{a: a, b: b}
			d.both = e.m[a][e.levels(a)-1] * e.m[b][e.levels(b)-1]
			e.deps = append(e.deps, d)
		}
	}
}

// dependenceWeight is the correction of the vector v: the sum of w over
// the pairs of fields both at their else level.
func (e *em) dependenceWeight(v compare.Vector) float64 {
	var w float64
	for _, d := range e.deps {
		if int(v.Level(d.a)) == e.levels(d.a)-1 && int(v.Level(d.b)) == e.levels(d.b)-1 {
			w += d.w
		}
	}
	return w
}

// minIdentified is the smallest share of the candidate pairs that must
// have an identifier on both sides for the identifiers to anchor the
// related class (see Estimate).
const minIdentified = 0.01

// initRelated starts the related class when the comparisons have both
// identifiers and relation fields: r is u on the identifiers and favours
// agreement on the relation fields as m does; ρ starts at half the
// candidates.
func (e *em) initRelated() {
	var rel, personal bool
	for f := range e.cs {
		if e.cs[f].Identifier {
			personal = personal || e.levels(f) > 1
		} else {
			rel = true
		}
	}
	if !rel || !personal {
		return
	}
	e.rel = true
	e.rho = min(0.5*e.total/e.space, 0.25)
	for f := range e.cs {
		e.free[f] = !e.cs[f].Identifier
		if e.free[f] {
			e.r[f] = e.m[f]
		} else {
			e.r[f] = e.u[f]
		}
	}
}

// homeStrength is the weight, in pairs, of the global u as a prior on the
// home u: with few same-home pairs the home u stays near the global one.
const homeStrength = 20

func newEM(cs []compare.Comparison, patterns Patterns, o EMOptions) *em {
	e := &em{cs: cs, o: o, home: -1}
	e.vs = make([]compare.Vector, 0, len(patterns))
	for v := range patterns {
		e.vs = append(e.vs, v)
	}
	slices.Sort(e.vs) // a fixed order makes the sums reproducible
	e.ns = make([]float64, len(e.vs))
	for i, v := range e.vs {
		e.ns[i] = float64(patterns[v])
		e.total += e.ns[i]
	}
	return e
}

// setHome prepares the shared-home mixture from the same-home pairs; or,
// when they are all non-matches, measures the home u on them at once.
func (e *em) setHome(home Patterns, nonMatches bool) {
	for f, c := range e.cs {
		if len(c.Home) > 0 {
			e.home, e.homeMask = f, c.HomeMask()
		}
	}
	if e.home < 0 {
		return
	}
	for v := range home {
		e.hvs = append(e.hvs, v)
	}
	slices.Sort(e.hvs)
	e.hns = make([]float64, len(e.hvs))
	for i, v := range e.hvs {
		e.hns[i] = float64(home[v])
		e.homePairs += e.hns[i]
	}
	e.uHome = e.u
	e.homeDup = 0.01
	if nonMatches {
		e.homeAll, e.homeDup = true, 0
		e.homeU(func(int) float64 { return 1 })
	}
}

// homeU re-estimates the home u of every household field from the
// same-home pairs, each weighted by its probability of being a
// non-match, smoothed towards the global u.
func (e *em) homeU(nonMatch func(i int) float64) {
	var uc [compare.MaxComparisons][compare.MaxLevels]float64
	for i, v := range e.hvs {
		w := e.hns[i] * nonMatch(i)
		for f := range e.cs {
			uc[f][v.Level(f)] += w
		}
	}
	for f := range e.cs {
		if !e.household(f) {
			continue
		}
		k := e.levels(f)
		var s float64
		for l := range k {
			s += uc[f][l]
		}
		for l := range k {
			e.uHome[f][l] = (uc[f][l] + homeStrength*e.u[f][l]) / (s + homeStrength)
		}
	}
}

// sharesHome reports whether v is a same-home pattern.
func (e *em) sharesHome(v compare.Vector) bool {
	return e.home >= 0 && e.homeMask&(1<<v.Level(e.home)) != 0
}

// homeStep is one EM step of the shared-home mixture, with m fixed: it
// re-estimates the home u and the share of duplicates.
func (e *em) homeStep() {
	if e.home < 0 || e.homeAll {
		return
	}
	var logw [compare.MaxComparisons][compare.MaxLevels]float64
	for f := range e.cs {
		for l := range e.levels(f) {
			u := e.u[f][l]
			if e.household(f) {
				u = e.uHome[f][l]
			}
			logw[f][l] = math.Log(e.m[f][l] / u)
		}
	}
	prior := math.Log(e.homeDup / (1 - e.homeDup))
	r := make([]float64, len(e.hvs))
	var dup float64
	for i, v := range e.hvs {
		s := prior
		for f := range e.cs {
			if f != e.home {
				s += logw[f][v.Level(f)]
			}
		}
		r[i] = sigmoid(s)
		dup += e.hns[i] * r[i]
	}
	if e.homePairs > 0 {
		e.homeDup = min(max(dup/e.homePairs, 1e-6), 0.99)
	}
	e.homeU(func(i int) float64 { return 1 - r[i] })
}

// household reports whether field f is weighed against the home u in
// same-home pairs: every field but the home one. People of one household
// share more than surname and contacts (twins a birth date, a father and
// son a forename), so every field's agreement among same-home pairs is
// measured on them.
func (e *em) household(f int) bool {
	return e.home >= 0 && f != e.home
}

// levels returns the number of non-null levels of comparison f.
func (e *em) levels(f int) int { return len(e.cs[f].Levels) - 1 }

// setObservedU sets the observed level shares of random pairs, smoothed.
func (e *em) setObservedU(random *LevelCounts) {
	for f := range e.cs {
		k := e.levels(f)
		var n float64
		for l := range k {
			n += float64(random[f][l])
		}
		d := n + e.o.Smoothing*float64(k)
		for l := range k {
			c := float64(random[f][l])
			e.uObs[f][l] = (c + e.o.Smoothing) / d
			e.uHigh[f][l] = (c + 3*math.Sqrt(c) + 3) / d
		}
		e.uFloor[f] = e.o.Smoothing / d
		e.u[f] = e.uObs[f]
	}
}

// setCountedU replaces the sampled shares of the counted levels (see
// Data.Counted) by their counts among the candidates over the number of
// pairs in the space whose comparison is not null (the random pairs give
// that share), and scales the other levels' shares to fill the rest.
func (e *em) setCountedU(counted [compare.MaxComparisons]uint16, patterns Patterns, random *LevelCounts, space float64) {
	if random == nil {
		return
	}
	var n [compare.MaxComparisons][compare.MaxLevels]float64
	for v, c := range patterns {
		for f := range e.cs {
			if counted[f] != 0 {
				n[f][v.Level(f)] += float64(c)
			}
		}
	}
	for f := range e.cs {
		k := e.levels(f)
		if counted[f] == 0 || counted[f]>>k != 0 {
			continue // nothing counted, or the null level
		}
		var sampled, all float64
		for l := range k + 1 {
			all += float64(random[f][l])
			if l < k {
				sampled += float64(random[f][l])
			}
		}
		if sampled == 0 {
			continue // the field is null in every random pair
		}
		pairs := space * sampled / all // pairs whose comparison is not null
		var share, rest float64
		for l := range k {
			if counted[f]&(1<<l) != 0 {
				share += n[f][l] / pairs
			} else {
				rest += e.uObs[f][l]
			}
		}
		if share >= 1 || rest <= 0 {
			continue
		}
		for l := range k {
			if c := n[f][l]; counted[f]&(1<<l) != 0 {
				e.uObs[f][l] = max(c, e.o.Smoothing) / pairs
				e.uHigh[f][l] = (c + 3*math.Sqrt(c) + 3) / pairs
			} else {
				e.uObs[f][l] *= (1 - share) / rest
				e.uHigh[f][l] *= (1 - share) / rest
			}
		}
		e.u[f] = e.uObs[f]
	}
}

// initM starts m favouring the first levels: the else level gets 0.05
// and the rest share 0.95 in geometrically falling parts.
func (e *em) initM() {
	for f := range e.cs {
		k := e.levels(f)
		if k == 1 {
			e.m[f][0] = 1
			continue
		}
		var s float64
		for l := range k - 1 {
			s += math.Pow(0.5, float64(l))
		}
		for l := range k - 1 {
			e.m[f][l] = 0.95 * math.Pow(0.5, float64(l)) / s
		}
		e.m[f][k-1] = 0.05
	}
}

// lambdaBound is the largest prior the random pairs allow: matches are a
// share λ of them, so a level's observed share among random pairs is at
// least λm, and λ ≤ uObs/m for every level (uObs taken at its upper
// confidence bound). Without the bound, EM could explain every agreement
// as a match, drive the corrected u to zero and inflate λ without end.
// It is +Inf when nothing was sampled (a reused model).
func (e *em) lambdaBound() float64 {
	b := math.Inf(1)
	for f := range e.cs {
		for l := range e.levels(f) {
			if e.uHigh[f][l] > 0 && e.m[f][l] > 0 {
				b = min(b, e.uHigh[f][l]/e.m[f][l])
			}
		}
	}
	return b
}

// correctU removes the expected matches from the observed random-pair
// shares: u = (uObs - λm) / (1 - λ), floored and renormalised.
func (e *em) correctU() {
	for f := range e.cs {
		k := e.levels(f)
		var s float64
		for l := range k {
			v := max(e.uObs[f][l]-e.lambda*e.m[f][l]-e.rho*e.r[f][l], e.uFloor[f])
			e.u[f][l] = v
			s += v
		}
		for l := range k {
			e.u[f][l] /= s
		}
		if e.rel && !e.free[f] {
			e.r[f] = e.u[f]
		}
	}
}

// run iterates EM; with full it updates m (and u's correction), otherwise
// only λ.
func (e *em) run(full bool) (int, bool) {
	var mc, rc [compare.MaxComparisons][compare.MaxLevels]float64
	var logw, logwHome, logr, logrHome [compare.MaxComparisons][compare.MaxLevels]float64
	post := make([][2]float64, len(e.vs))
	for it := 1; it <= e.o.MaxIterations; it++ {
		for f := range e.cs {
			for l := range e.levels(f) {
				logw[f][l] = math.Log(e.m[f][l] / e.u[f][l])
				logwHome[f][l] = logw[f][l]
				if e.household(f) {
					logwHome[f][l] = math.Log(e.m[f][l] / e.uHome[f][l])
				}
				if e.rel && e.free[f] {
					logr[f][l] = math.Log(e.r[f][l] / e.u[f][l])
					logrHome[f][l] = logr[f][l]
					if e.household(f) {
						logrHome[f][l] = math.Log(e.r[f][l] / e.uHome[f][l])
					}
				}
			}
			logw[f][e.levels(f)] = 0 // null
			logwHome[f][e.levels(f)] = 0
		}
		rest := 1 - e.lambda - e.rho
		prior := math.Log(e.lambda / rest)
		relPrior := math.Inf(-1)
		if e.rel {
			relPrior = math.Log(e.rho / rest)
		}
		mc = [compare.MaxComparisons][compare.MaxLevels]float64{}
		rc = [compare.MaxComparisons][compare.MaxLevels]float64{}
		// Each vector's expected matches and relatives, in parallel;
		// then their sums, in vector order, so that the model does not
		// depend on how the work was shared.
		each(len(e.vs), func(lo, hi int) {
			for i, v := range e.vs[lo:hi] {
				i += lo
				a, b := prior, relPrior
				lw, lr := &logw, &logr
				if e.sharesHome(v) {
					lw, lr = &logwHome, &logrHome
				}
				for f := range e.cs {
					a += lw[f][v.Level(f)]
					if e.rel {
						b += lr[f][v.Level(f)]
					}
				}
				a += e.dependenceWeight(v)
				pm, pr := posteriors(a, b)
				post[i] = [2]float64{e.ns[i] * pm, e.ns[i] * pr}
			}
		})
		var matches, relatives float64
		var both, known [compare.MaxComparisons * compare.MaxComparisons]float64
		for i, v := range e.vs {
			r, q := post[i][0], post[i][1]
			matches += r
			relatives += q
			if full {
				for f := range e.cs {
					mc[f][v.Level(f)] += r
					rc[f][v.Level(f)] += q
				}
				for j, d := range e.deps {
					la, lb := int(v.Level(d.a)), int(v.Level(d.b))
					if la == e.levels(d.a) || lb == e.levels(d.b) {
						continue // a null: not known on both sides
					}
					known[j] += r
					if la == e.levels(d.a)-1 && lb == e.levels(d.b)-1 {
						both[j] += r
					}
				}
			}
		}
		if e.o.MaxMatches > 0 {
			matches = min(matches, e.o.MaxMatches)
		}
		newLambda := clampLambda(min(matches/e.space, e.lambdaBound()))
		delta := math.Abs(newLambda-e.lambda) / e.lambda
		if e.rel {
			newRho := clampLambda(min(relatives/e.space, 0.5))
			delta = max(delta, math.Abs(newRho-e.rho)/e.rho)
			e.rho = newRho
		}
		e.lambda = newLambda
		e.keepNonMatches()
		if full {
			for f := range e.cs {
				k := e.levels(f)
				delta = max(delta, smoothed(&e.m[f], &mc[f], k, e.o.Smoothing))
				if e.rel && e.free[f] {
					delta = max(delta, smoothed(&e.r[f], &rc[f], k, e.o.Smoothing))
				}
			}
			for j := range e.deps {
				delta = max(delta, e.dependenceStep(j, both[j], known[j]))
			}
			e.correctU()
			e.homeStep()
		}
		if delta < e.o.Tolerance {
			if full {
				e.guard()
			}
			return it, true
		}
	}
	if full {
		e.guard()
	}
	return e.o.MaxIterations, false
}

// dependenceStep re-estimates dependence j from the expected matches at
// both else levels and with both fields known, smoothed as m is, and
// bounded by what the fields' own m allow. The joint m is held at least
// at the product of the two: a stale phone number does not make a stale
// e-mail address less likely, and a lower estimate is EM's own bias, which
// loses first the matches that differ on most fields. It returns the
// change in the joint m.
func (e *em) dependenceStep(j int, both, known float64) float64 {
	d := &e.deps[j]
	ma, mb := e.m[d.a][e.levels(d.a)-1], e.m[d.b][e.levels(d.b)-1]
	p := (both + e.o.Smoothing) / (known + 2*e.o.Smoothing)
	p = min(max(p, ma*mb), ma, mb)
	delta := math.Abs(p - d.both)
	d.both, d.w = p, math.Log(p/(ma*mb))
	return delta
}

// parallelVectors is the number of vectors below which each runs on the
// calling goroutine alone: for fewer, starting goroutines at every
// iteration costs more than it saves.
const parallelVectors = 1024

// each calls fn over consecutive ranges of [0, n) that together cover
// it, from up to GOMAXPROCS goroutines at once, and returns when all
// calls have.
func each(n int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/parallelVectors)
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		if p == parts-1 {
			fn(lo, hi)
			break
		}
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// guard neutralises levels whose weight points the wrong way: an exact
// level that counts against a match, or an else level that counts for it.
func (e *em) guard() {
	for f, c := range e.cs {
		k := e.levels(f)
		if k < 2 {
			continue
		}
		if e.m[f][0] < e.u[f][0] {
			e.notes = append(e.notes, fmt.Sprintf("field %s: level %s weighed against a match; set to no evidence", c.Name, c.Levels[0]))
			e.m[f][0] = e.u[f][0]
		}
		if e.m[f][k-1] > e.u[f][k-1] {
			e.notes = append(e.notes, fmt.Sprintf("field %s: level %s weighed for a match; set to no evidence", c.Name, c.Levels[k-1]))
			e.m[f][k-1] = e.u[f][k-1]
		}
	}
}

// model returns the fitted parameters as a Model.
func (e *em) model() *Model {
	m := &Model{
		Version:         ModelVersion,
		Lambda:          e.lambda,
		ComparisonSpace: e.space,
		ExpectedMatches: e.lambda * e.space,
		Notes:           e.notes,
	}
	for f, c := range e.cs {
		fm := Field{Name: c.Name, TermFrequency: c.Term != nil, TermLevel: c.TermLevel}
		for l, name := range c.Levels {
			lv := Level{Name: name}
			if l < e.levels(f) {
				lv.M, lv.U = e.m[f][l], e.u[f][l]
			}
			fm.Levels = append(fm.Levels, lv)
		}
		if e.household(f) {
			fm.HomeU = make([]float64, len(c.Levels))
			copy(fm.HomeU, e.uHome[f][:e.levels(f)])
		}
		if e.rel && e.free[f] {
			fm.Related = true
			for l := range e.levels(f) {
				fm.Levels[l].R = e.r[f][l]
			}
		}
		m.Fields = append(m.Fields, fm)
	}
	if e.rel {
		m.Related = &Related{Prior: e.rho, Expected: e.rho * e.space}
	}
	for _, d := range e.deps {
		// With the final m, which guard may have changed.
		ma, mb := e.m[d.a][e.levels(d.a)-1], e.m[d.b][e.levels(d.b)-1]
		both := min(max(d.both, ma*mb), ma, mb)
		m.Dependence = append(m.Dependence, Dependence{Fields: [2]int{d.a, d.b}, Both: both, Weight: math.Log2(both / (ma * mb))})
	}
	if e.home >= 0 {
		m.Home = &Home{Field: e.home, Pairs: e.homePairs, Duplicates: e.homeDup}
		for l := range e.cs[e.home].Levels {
			if e.homeMask&(1<<l) != 0 {
				m.Home.Levels = append(m.Home.Levels, uint8(l))
			}
		}
	}
	return m
}

// posteriors returns the probabilities of the match and related classes
// of a pair whose log odds against the non-match class are a and b.
func posteriors(a, b float64) (float64, float64) {
	if math.IsInf(b, -1) {
		return sigmoid(a), 0
	}
	hi := max(a, b, 0)
	// One of the three is e^0 = 1, which needs no call.
	ea, eb, e0 := 1.0, 1.0, 1.0
	if a != hi {
		ea = math.Exp(a - hi)
	}
	if b != hi {
		eb = math.Exp(b - hi)
	}
	if hi != 0 {
		e0 = math.Exp(-hi)
	}
	t := ea + eb + e0
	return ea / t, eb / t
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	z := math.Exp(x)
	return z / (1 + z)
}

// clampLambda keeps a prior strictly inside (0, 1).
func clampLambda(l float64) float64 {
	return min(max(l, 1e-15), 1-1e-9)
}

// keepNonMatches scales the priors of the match and related classes down,
// in proportion, so that the non-matches keep a share of at least 1e-9.
// Each is clamped below 1 on its own, but in a comparison space of a few
// pairs (a link of one record to one) both can approach it, and a
// non-match prior of zero or less made every parameter NaN.
func (e *em) keepNonMatches() {
	const most = 1 - 1e-9
	if s := e.lambda + e.rho; s > most {
		e.lambda *= most / s
		e.rho *= most / s
	}
}

// smoothed sets the first k levels of p to the counts c normalised with
// additive smoothing, and returns the largest change it made to any level.
func smoothed(p, c *[compare.MaxLevels]float64, k int, smoothing float64) (delta float64) {
	var s float64
	for l := range k {
		s += c[l]
	}
	d := s + smoothing*float64(k)
	for l := range k {
		v := (c[l] + smoothing) / d
		delta = max(delta, math.Abs(v-p[l]))
		p[l] = v
	}
	return delta
}
