package synth

import (
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
)

// Kinds of planted case in the truth file. Each truth row pairs a record in
// the landlord's export (left) with a record in the same or another dataset
// (right).
const (
	// KindDualTenancy: a current tenant also holds a current tenancy at the
	// other landlord, with overlapping dates. Fraud. Same person.
	KindDualTenancy = "dual_tenancy"
	// KindTenancyAfterDeath: the sole tenant of a current tenancy is on the
	// deceased register, died well before today, and the tenancy has not
	// been ended. Fraud. Same person.
	KindTenancyAfterDeath = "tenancy_after_death"
	// KindSuccession: one joint tenant, or a household member who was not a
	// tenant, has died; a tenant survives and the tenancy goes on lawfully.
	// Not fraud. Same person.
	KindSuccession = "succession_not_fraud"
	// KindDeathTenancyEnded: a sole tenant died and the tenancy was ended
	// within weeks of the death. Not fraud. Same person.
	KindDeathTenancyEnded = "death_tenancy_ended"
	// KindDuplicateIdentity: one person holds two current tenancies with
	// the landlord under two person references, the second with a typing
	// error, a nickname or a married name, and often without the NI number.
	// Fraud. Same person.
	KindDuplicateIdentity = "duplicate_identity"
	// KindTransfer: a current tenant's earlier tenancy with the landlord,
	// ended before the current one began (a transfer). Not fraud. Same
	// person.
	KindTransfer = "transfer_not_fraud"
	// KindArrearsMoved: a former tenant who left owing rent closed a
	// utility account at the tenancy's address and gave a forwarding
	// address. A tracing target. Same person.
	KindArrearsMoved = "arrears_moved"
	// KindMovedNoArrears: as KindArrearsMoved, but the tenant owed nothing.
	// Not a tracing target. Same person.
	KindMovedNoArrears = "moved_no_arrears"
	// KindSequentialTenancy: a former tenant took a tenancy at the other
	// landlord after this one ended. Not fraud. Same person.
	KindSequentialTenancy = "sequential_tenancy_not_fraud"
	// KindNamesake: a current tenant with a very common name, and a
	// different person of the same forename and surname (another date of
	// birth) holding a current tenancy at the other landlord. Not fraud.
	// Different people.
	KindNamesake = "namesake_not_same"
	// KindTwins: twins in one household: same surname, date of birth and
	// address, different forenames. Different people.
	KindTwins = "twins_not_same"
	// KindParentChild: a father and son of the same forename and surname at
	// one address, the son sometimes with "Jr" or "Jnr". Different people.
	KindParentChild = "parent_child_not_same"
)

// Kinds lists every case kind in the order cases are considered.
var Kinds = []string{
	KindDualTenancy, KindTenancyAfterDeath, KindSuccession, KindDeathTenancyEnded,
	KindDuplicateIdentity, KindTransfer, KindArrearsMoved, KindMovedNoArrears,
	KindSequentialTenancy, KindNamesake, KindTwins, KindParentChild,
}

// SamePerson reports whether the two records of a case of kind are the same
// person. Namesakes, twins and parent and child are different people.
func SamePerson(kind string) bool {
	switch kind {
	case KindNamesake, KindTwins, KindParentChild:
		return false
	}
	return true
}

// Fraud reports whether a case of kind is fraud that a detection should
// flag (dual tenancy, tenancy after death, duplicate identity).
func Fraud(kind string) bool {
	switch kind {
	case KindDualTenancy, KindTenancyAfterDeath, KindDuplicateIdentity:
		return true
	}
	return false
}

// caseRates are the chances that an eligible tenancy is given each case.
// A tenancy gets at most one case; eligibility is in plant.
var caseRates = map[string]float64{
	KindDualTenancy:       0.012, // of current tenancies
	KindTenancyAfterDeath: 0.030, // of current sole tenancies with a lead aged 55 or more
	KindSuccession:        0.040, // of current tenancies with a joint tenant or an adult member aged 40 or more
	KindDeathTenancyEnded: 0.060, // of former sole tenancies with a lead aged 50 or more
	KindDuplicateIdentity: 0.008, // of current tenancies
	KindTransfer:          0.010, // of current tenancies
	KindArrearsMoved:      0.100, // of former tenancies
	KindMovedNoArrears:    0.040, // of former tenancies
	KindSequentialTenancy: 0.060, // of former tenancies
	KindNamesake:          0.008, // of current tenancies
	KindTwins:             0.060, // of tenancies with two or more children
	KindParentChild:       0.080, // of tenancies with a father and a son aged 16 or more
}

// plantedCase is one truth row before record ids are assigned.
type plantedCase struct {
	kind            string
	leftDS, rightDS int
	left, right     *string // the record ids, read when the chunk is finished
}

// plant gives tenancy t at most one case. spare is the number of rows the
// chunk can still take, which cases that add a tenancy need.
func (g *gen) plant(c *chunk, t *tenancy, spare int) {
	r := g.r
	for _, kind := range Kinds {
		if r.Float64() >= caseRates[kind] {
			continue
		}
		var ok bool
		switch kind {
		case KindDualTenancy:
			ok = t.current() && g.dualTenancy(c, t)
		case KindTenancyAfterDeath:
			ok = t.current() && t.joint() == nil && ageAt(t.lead().h.dob, g.today) >= 55 && g.tenantDied(c, t)
		case KindSuccession:
			ok = t.current() && g.succession(c, t)
		case KindDeathTenancyEnded:
			ok = !t.current() && t.joint() == nil && ageAt(t.lead().h.dob, t.end) >= 50 && g.deathEnded(c, t)
		case KindDuplicateIdentity:
			ok = t.current() && spare >= 1 && g.duplicateIdentity(c, t)
		case KindTransfer:
			ok = t.current() && spare >= 1 && g.transfer(c, t)
		case KindArrearsMoved:
			ok = !t.current() && g.moved(c, t, true)
		case KindMovedNoArrears:
			ok = !t.current() && g.moved(c, t, false)
		case KindSequentialTenancy:
			ok = !t.current() && g.sequential(c, t)
		case KindNamesake:
			ok = t.current() && g.namesake(c, t)
		case KindTwins:
			ok = g.twins(c, t)
		case KindParentChild:
			ok = g.parentChild(c, t)
		}
		if ok {
			return
		}
	}
}

func (c *chunk) addCase(kind string, left *member, rightDS int, right *string) {
	left.truth = true
	c.cases = append(c.cases, plantedCase{kind: kind, leftDS: dsTenancies, rightDS: rightDS, left: &left.ref, right: right})
}

// tenants returns t's tenants aged at least minAge today.
func (g *gen) tenants(t *tenancy, minAge int) []*member {
	var out []*member
	for _, m := range t.members {
		if m.isTenant() && ageAt(m.h.dob, g.today) >= minAge {
			out = append(out, m)
		}
	}
	return out
}

func (g *gen) pickTenant(t *tenancy, minAge int) *member {
	ts := g.tenants(t, minAge)
	if len(ts) == 0 {
		return nil
	}
	return ts[g.r.IntN(len(ts))]
}

func (g *gen) dualTenancy(c *chunk, t *tenancy) bool {
	m := g.pickTenant(t, 18)
	if m == nil {
		return false
	}
	r := g.r
	var start date.Date
	if r.Float64() < 0.3 {
		// Held the other tenancy first and kept it.
		lo := later(t.start.AddDays(-5*365), addYears(m.h.dob, 18))
		start = between(r, lo, t.start.AddDays(-30))
		if !start.Before(t.start) {
			return false
		}
	} else {
		lo := later(t.start, g.today.AddDays(-6*365)).AddDays(30)
		hi := g.today.AddDays(-30)
		if hi.Before(lo) {
			return false
		}
		start = between(r, lo, hi)
	}
	rec := g.addOtherLandlord(c, g.noisyCopy(m.h, copyOtherLandlord), g.z.randomHome(r, ownerOther), start, date.Date{}, "Lead Tenant", nil, true)
	c.addCase(KindDualTenancy, m, dsOther, &rec.id)
	return true
}

func (g *gen) tenantDied(c *chunk, t *tenancy) bool {
	r := g.r
	lo := later(t.start.AddDays(60), g.today.AddDays(-3*365))
	// A tenancy still running more than four months after a death is a case
	// whatever grace period an exercise allows for ending it (a month's
	// notice and the estate's time: up to about 90 days); a death more
	// recent than that is not yet one, so none is planted there.
	hi := g.today.AddDays(-120)
	if hi.Before(lo) {
		return false
	}
	dod := between(r, lo, hi)
	m := t.lead()
	if r.Float64() < 0.6 {
		// Nobody pays the rent once the tenant has died.
		weeks := int(g.today.Days()-dod.Days()) / 7
		t.balance = max(t.balance, 0) + money.Pence(weeks)*lognormalPence(r, 95, 0.2, 200)/2
	}
	rec := g.addDeceased(c, g.noisyCopy(m.h, copyDeceased), dod, t.addr, true)
	c.addCase(KindTenancyAfterDeath, m, dsDeceased, &rec.id)
	return true
}

func (g *gen) succession(c *chunk, t *tenancy) bool {
	r := g.r
	var dead *member
	if j := t.joint(); j != nil {
		dead = t.lead()
		if r.IntN(2) == 0 {
			dead = j
		}
	} else {
		for _, m := range t.members[1:] {
			if ageAt(m.h.dob, g.today) >= 40 && (dead == nil || m.h.dob.Before(dead.h.dob)) {
				dead = m
			}
		}
	}
	if dead == nil {
		return false
	}
	lo := later(t.start.AddDays(60), later(g.today.AddDays(-4*365), addYears(dead.h.dob, 18)))
	hi := g.today.AddDays(-30)
	if hi.Before(lo) {
		return false
	}
	dod := between(r, lo, hi)
	rec := g.addDeceased(c, g.noisyCopy(dead.h, copyDeceased), dod, t.addr, true)
	c.addCase(KindSuccession, dead, dsDeceased, &rec.id)
	return true
}

func (g *gen) deathEnded(c *chunk, t *tenancy) bool {
	r := g.r
	dod := t.end.AddDays(-14 - r.IntN(77))
	if !dod.After(t.start.AddDays(30)) {
		return false
	}
	m := t.lead()
	rec := g.addDeceased(c, g.noisyCopy(m.h, copyDeceased), dod, t.addr, true)
	c.addCase(KindDeathTenancyEnded, m, dsDeceased, &rec.id)
	return true
}

func (g *gen) duplicateIdentity(c *chunk, t *tenancy) bool {
	r := g.r
	m := g.pickTenant(t, 21)
	if m == nil {
		return false
	}
	alias := g.noisyCopy(m.h, copyAlias)
	// The second identity always differs in the name somehow.
	if alias.forename == m.h.forename && alias.surname == m.h.surname {
		age := ageAt(m.h.dob, g.today)
		switch u := r.Float64(); {
		case m.h.sex == 'F' && age <= 60 && u < 0.4:
			g.marry(alias)
			if alias.passport != "" {
				alias.passport = g.passports.number(m.h.pid, 1) // reissued in the new name
			}
		case u < 0.55 && nicknames[m.h.forename] != nil:
			alias.forename = nickname(r, m.h.forename)
		case u < 0.75:
			alias.forename = typo(r, alias.forename)
		default:
			alias.surname = typo(r, alias.surname)
		}
	}
	if r.Float64() < 0.5 {
		alias.ni = ""
	}
	if r.Float64() < 0.5 {
		alias.phone, alias.email = "", ""
		g.setContact(alias, 0.6, 0.4)
	}
	t2 := &tenancy{home: g.stock.far()}
	t2.addr = g.z.address(t2.home)
	lo := later(t.start.AddDays(-3*365), addYears(m.h.dob, 18))
	t2.start = between(r, lo, g.today.AddDays(-30))
	t2.balance = g.balance(false)
	m2 := &member{h: alias, role: roleLead}
	t2.members = []*member{m2}
	c.tenancies = append(c.tenancies, t2)
	m2.truth = true
	c.addCase(KindDuplicateIdentity, m, dsTenancies, &m2.ref)
	return true
}

func (g *gen) transfer(c *chunk, t *tenancy) bool {
	r := g.r
	m := g.pickTenant(t, 24)
	// The export keeps former tenancies of the last eight years.
	if m == nil || t.start.Before(g.today.AddDays(-8*365)) {
		return false
	}
	end := t.start.AddDays(-r.IntN(31))
	start := later(end.AddDays(-int((1+r.Float64()*9)*365.25)), addYears(m.h.dob, 18))
	if end.Days()-start.Days() < 180 {
		return false
	}
	t0 := &tenancy{home: g.stock.far(), start: start, end: end}
	t0.addr = g.z.address(t0.home)
	t0.balance = 0
	m0 := &member{h: m.h, role: roleLead}
	t0.members = []*member{m0}
	c.tenancies = append(c.tenancies, t0)
	m0.truth = true
	c.addCase(KindTransfer, m, dsTenancies, &m0.ref)
	return true
}

func (g *gen) moved(c *chunk, t *tenancy, arrears bool) bool {
	r := g.r
	m := t.lead()
	if arrears {
		if t.balance <= 0 {
			t.balance = g.arrears()
		}
	} else if t.balance > 0 {
		t.balance = 0
	}
	closed := earlier(t.end.AddDays(-14+r.IntN(36)), g.today.AddDays(-1))
	fwd := g.z.address(g.z.randomHome(r, ownerPrivate))
	rec := g.addUtility(c, g.noisyCopy(m.h, copyUtility), t.addr, closed, &fwd, true)
	kind := KindMovedNoArrears
	if arrears {
		kind = KindArrearsMoved
	}
	c.addCase(kind, m, dsUtility, &rec.id)
	return true
}

func (g *gen) sequential(c *chunk, t *tenancy) bool {
	r := g.r
	m := g.pickTenant(t, 18)
	if m == nil {
		return false
	}
	hi := g.today.AddDays(-30)
	lo := t.end.AddDays(7)
	if hi.Before(lo) {
		return false
	}
	start := between(r, lo, earlier(hi, t.end.AddDays(365)))
	rec := g.addOtherLandlord(c, g.noisyCopy(m.h, copyOtherLandlord), g.z.randomHome(r, ownerOther), start, date.Date{}, "Lead Tenant", nil, true)
	c.addCase(KindSequentialTenancy, m, dsOther, &rec.id)
	return true
}

func (g *gen) namesake(c *chunk, t *tenancy) bool {
	r := g.r
	m := t.lead()
	h := m.h
	pairs := g.t.common[h.grp][sexIndex(h.sex)]
	if len(pairs) == 0 {
		return false
	}
	p := pairs[r.IntN(len(pairs))]
	// The family takes the common surname with the lead, where it is a
	// family name; a name held only by women (Begum) is the lead's alone.
	oldFam, okOld := sameFamily(g.t, h)
	newFam, okNew := sameFamily(g.t, &human{grp: h.grp, surname: p[1]})
	if okOld && okNew {
		for _, o := range t.members {
			if o.h.surname == oldFam.male || o.h.surname == oldFam.female {
				o.h.surname = newFam.forSex(o.h.sex)
			}
		}
	}
	h.forename = p[0]
	h.surname = p[1]
	if h.email != "" {
		h.email = emailAddress(r, h.pid, h.forename, h.surname, h.dob.Year())
	}
	// The namesake is a different person, born in another year.
	age := ageAt(h.dob, g.today)
	other := age + 1 + r.IntN(15)
	if r.IntN(2) == 0 && age-1-15 >= 18 {
		other = age - 1 - r.IntN(15)
	}
	s := g.newHuman(h.grp, h.sex, g.dobForAge(min(other, 95)), p[1])
	s.forename = p[0]
	if s.middle == s.forename {
		s.middle = ""
	}
	g.setTitle(s, h.sex == 'F')
	g.setContact(s, 0.7, 0.4)
	s.passport = g.recordedPassport(s, otherPassportShare, 0, false)
	start := g.startBefore(g.today.AddDays(-16), addYears(s.dob, 18), 6)
	rec := g.addOtherLandlord(c, s, g.z.randomHome(r, ownerOther), start, date.Date{}, "Lead Tenant", nil, true)
	c.addCase(KindNamesake, m, dsOther, &rec.id)
	return true
}

func (g *gen) twins(c *chunk, t *tenancy) bool {
	var kids []*member
	for _, m := range t.members[1:] {
		if m.role == roleMember && ageAt(m.h.dob, g.today) < 30 && m.h.dob.After(addYears(t.lead().h.dob, 16)) {
			kids = append(kids, m)
		}
	}
	if len(kids) < 2 {
		return false
	}
	// Children of one household already share a family name.
	a, b := kids[0], kids[1]
	b.h.dob = a.h.dob
	for range 10 {
		if b.h.forename != a.h.forename {
			break
		}
		b.h.forename = g.t.forename(g.r, b.h.grp, b.h.sex, b.h.dob.Year())
	}
	if b.h.forename == a.h.forename {
		return false
	}
	b.h.ni = ""
	if a.h.ni != "" {
		b.h.ni = g.ni.number(b.h.pid)
	}
	b.truth = true
	c.addCase(KindTwins, a, dsTenancies, &b.ref)
	return true
}

// sameFamily finds the family name h's surname is a form of.
func sameFamily(t *nameTables, h *human) (surname, bool) {
	for _, s := range t.family[h.grp] {
		if s.male == h.surname || s.female == h.surname {
			return s, true
		}
	}
	return surname{}, false
}

func (g *gen) parentChild(c *chunk, t *tenancy) bool {
	r := g.r
	var father, son *member
	for _, m := range t.members {
		if m.isTenant() && m.h.sex == 'M' && father == nil {
			father = m
		}
	}
	if father == nil {
		return false
	}
	for _, m := range t.members {
		if m.role == roleMember && m.h.sex == 'M' && m.h.surname == father.h.surname &&
			ageAt(m.h.dob, g.today) >= 16 && m.h.dob.After(addYears(father.h.dob, 16)) {
			son = m
			break
		}
	}
	if son == nil {
		return false
	}
	son.h.forename = father.h.forename
	if son.h.email != "" {
		son.h.email = emailAddress(r, son.h.pid, son.h.forename, son.h.surname, son.h.dob.Year())
	}
	if r.IntN(2) == 0 {
		son.h.middle = father.h.middle
	}
	switch r.IntN(4) {
	case 0:
		son.h.surname += " Jr"
	case 1:
		son.h.surname += " Jnr"
	}
	son.truth = true
	c.addCase(KindParentChild, father, dsTenancies, &son.ref)
	return true
}
