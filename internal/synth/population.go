package synth

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
)

// human is one true person. Every row of every dataset is about exactly one
// human; copies of a human in other rows share its pid.
type human struct {
	pid      int64
	sex      byte // 'M' or 'F'
	grp      group
	title    string
	forename string
	middle   string
	surname  string
	dob      date.Date
	ni       string // "" if none
	passport string // the passport number a record holds, "" if none
	phone    string // landlord form "07700 900123", "" if none
	email    string

	ethnicity, disability, religion string
}

// Tenancy roles as the landlord's export writes them.
const (
	roleLead   = "LEAD"
	roleJoint  = "JOINT"
	roleMember = "MEMBER"
)

// member is one person's row on a tenancy in the landlord's export.
type member struct {
	h     *human
	role  string
	asb   string // criminal-offence flag, "" when not set
	ref   string // person_ref, assigned when the chunk is finished
	truth bool   // named in the truth file, so never made dirty
}

func (m *member) isTenant() bool { return m.role == roleLead || m.role == roleJoint }

// tenancy is one of the landlord's tenancies with the people on it.
type tenancy struct {
	ref     string
	home    home
	addr    address
	start   date.Date
	end     date.Date // zero while current
	balance money.Pence
	members []*member
}

func (t *tenancy) current() bool { return t.end.IsZero() }

func (t *tenancy) lead() *member { return t.members[0] }

func (t *tenancy) joint() *member {
	for _, m := range t.members {
		if m.role == roleJoint {
			return m
		}
	}
	return nil
}

// choice draws one of a fixed list of strings by weight.
type choice struct {
	items []string
	s     sampler
}

func newChoice(items []string, weights []float64) choice {
	return choice{items, newSampler(weights)}
}

func (c choice) pick(r *rand.Rand) string { return c.items[c.s.pick(r)] }

// Code lists of the special-category columns, as UK public-sector systems
// record them (ethnicity codes are the Department for Education's).
var (
	ethnicityByGroup = [numGroups]choice{
		groupGB: newChoice([]string{"WBRI", "WIRI", "WOTH", "BCRB", "MWBC", "MOTH", "OOTH"}, []float64{86, 3, 2, 3, 3, 2, 1}),
		groupSA: newChoice([]string{"APKN", "ABAN", "AOTH"}, []float64{68, 27, 5}),
		groupIN: newChoice([]string{"AIND", "AOTH"}, []float64{95, 5}),
		groupAF: newChoice([]string{"BAFR", "BOTH", "OOTH"}, []float64{90, 5, 5}),
		groupEE: newChoice([]string{"WOTH", "WROM"}, []float64{95, 5}),
		groupCN: newChoice([]string{"ACHN", "AOTH"}, []float64{95, 5}),
	}
	religionByGroup = [numGroups]choice{
		groupGB: newChoice([]string{"Christian", "No religion", "Prefer not to say", "Jewish", "Other"}, []float64{48, 40, 8, 1, 3}),
		groupSA: newChoice([]string{"Muslim", "Prefer not to say", "No religion"}, []float64{93, 5, 2}),
		groupIN: newChoice([]string{"Hindu", "Sikh", "Prefer not to say", "No religion"}, []float64{55, 38, 4, 3}),
		groupAF: newChoice([]string{"Christian", "Muslim", "No religion", "Prefer not to say"}, []float64{55, 38, 4, 3}),
		groupEE: newChoice([]string{"Christian", "No religion", "Prefer not to say"}, []float64{72, 22, 6}),
		groupCN: newChoice([]string{"No religion", "Buddhist", "Christian", "Prefer not to say"}, []float64{50, 20, 22, 8}),
	}
	leadAgeBands   = [][2]int{{18, 25}, {25, 35}, {35, 45}, {45, 55}, {55, 65}, {65, 75}, {75, 85}, {85, 100}}
	leadAgeWeights = newSampler([]float64{6, 16, 18, 18, 17, 13, 9, 3})
	householdSizes = newSampler([]float64{45, 26, 13, 10, 4, 2}) // 1..6 people
	groupSampler   = newSampler(groupShare[:])
)

// Household composition and contact-detail rates.
const (
	formerShare     = 0.15 // tenancies in the export that have ended
	reletShare      = 0.5  // former tenancies whose home has been let again
	coupleShare     = 0.55 // households of two or more headed by a couple
	jointShare      = 0.70 // couples holding a joint tenancy
	relativeShare   = 0.08 // households of three or more with an adult relative
	sameSexShare    = 0.03
	sharedSurname   = 0.70 // couples sharing a surname
	compoundSurname = 0.02 // British families with a double-barrelled surname
	tenantNIShare   = 0.96 // adults in the export with an NI number
	// tenantPassportShare is the share of tenants holding a passport
	// whose number the landlord recorded (identity checks at sign-up),
	// and otherPassportShare the same at the other landlord.
	tenantPassportShare = 0.45
	otherPassportShare  = 0.35
	// renewedPassport is the chance that another record of a tenant (the
	// other landlord's, or a second identity's) holds the number of a
	// later issue of the passport than the landlord's own record.
	renewedPassport   = 0.2
	tenantPhoneShare  = 0.80
	memberPhoneShare  = 0.30
	tenantEmailShare  = 0.55
	memberEmailShare  = 0.20
	asbShare          = 0.006
	councilTaxOverlap = 0.35 // current tenancies whose tenants are on the council-tax extract
)

// addYears returns d moved by n calendar years (29 February becomes 28).
func addYears(d date.Date, n int) date.Date {
	if d.IsZero() {
		return d
	}
	y, m, dd := d.Civil()
	if e, ok := date.Of(y+n, m, dd); ok {
		return e
	}
	return date.MustOf(y+n, m, dd-1)
}

// ageAt returns the age in whole years on date at of someone born on dob.
func ageAt(dob, at date.Date) int {
	y1, m1, d1 := dob.Civil()
	y2, m2, d2 := at.Civil()
	a := y2 - y1
	if m2 < m1 || (m2 == m1 && d2 < d1) {
		a--
	}
	return a
}

// between returns a date drawn uniformly from [a, b], or a if b is before a.
func between(r *rand.Rand, a, b date.Date) date.Date {
	n := int(b.Days() - a.Days())
	if n <= 0 {
		return a
	}
	return a.AddDays(r.IntN(n + 1))
}

func later(a, b date.Date) date.Date {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b date.Date) date.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// lognormalPence draws an amount with the given median in pounds, capped.
func lognormalPence(r *rand.Rand, medianPounds, sigma, capPounds float64) money.Pence {
	v := math.Exp(math.Log(medianPounds) + sigma*r.NormFloat64())
	v = math.Min(v, capPounds)
	return money.Pence(math.Round(v * 100))
}

func (g *gen) dobForAge(age int) date.Date {
	return addYears(g.today, -age).AddDays(-1 - g.r.IntN(364))
}

// newHuman makes a person of group grp and sex born on dob, with a
// forename and middle names of their generation and, if aged 16 or more,
// an NI number.
func (g *gen) newHuman(grp group, sex byte, dob date.Date, surname string) *human {
	h := &human{pid: g.nextPID, sex: sex, grp: grp, dob: dob, surname: surname}
	g.nextPID++
	h.forename = g.t.forename(g.r, grp, sex, dob.Year())
	h.middle = g.middleName(h)
	if ageAt(dob, g.today) >= 16 {
		h.ni = g.ni.number(h.pid)
	}
	return h
}

// recordedPassport returns the passport number of h that a record made
// with the given chance of recording it holds: "" if h holds no passport
// or it was not recorded, and otherwise the first issue's number, or at
// the renewed rate the second's. A name changed on marriage is on a
// reissued passport. The draws come from g.docs.
func (g *gen) recordedPassport(h *human, share, renewed float64, married bool) string {
	if ageAt(h.dob, g.today) < 16 || !g.passports.holds(h.pid) || g.docs.Float64() >= share {
		return ""
	}
	if married || g.docs.Float64() < renewed {
		return g.passports.number(h.pid, 1)
	}
	return g.passports.number(h.pid, 0)
}

func (g *gen) middleName(h *human) string {
	r := g.r
	y := h.dob.Year()
	other := func(from group) string {
		for range 5 {
			if n := g.t.forename(r, from, h.sex, y); n != h.forename {
				return n
			}
		}
		return ""
	}
	switch h.grp {
	case groupGB:
		if r.Float64() < 0.45 {
			m := other(groupGB)
			if r.Float64() < 0.08 {
				if m2 := other(groupGB); m2 != m {
					m += " " + m2
				}
			}
			return m
		}
	case groupSA:
		p := 0.25
		if h.forename == "Mohammed" || h.forename == "Muhammad" || h.forename == "Mohammad" {
			p = 0.7
		}
		if r.Float64() < p {
			return other(groupSA)
		}
	case groupIN:
		if r.Float64() < 0.2 {
			return other(groupIN)
		}
	case groupAF:
		if r.Float64() < 0.5 {
			if r.IntN(2) == 0 {
				return other(groupGB)
			}
			return other(groupAF)
		}
	case groupEE:
		if r.Float64() < 0.1 {
			return other(groupEE)
		}
	case groupCN:
		if r.Float64() < 0.05 {
			return other(groupGB)
		}
	}
	return ""
}

// setTitle gives h the title a housing officer would record.
func (g *gen) setTitle(h *human, married bool) {
	r := g.r
	age := ageAt(h.dob, g.today)
	switch {
	case age < 16:
		h.title = ""
		if r.Float64() < 0.3 {
			h.title = map[byte]string{'M': "Master", 'F': "Miss"}[h.sex]
		}
	case h.sex == 'M':
		h.title = "Mr"
		if u := r.Float64(); u < 0.01 {
			h.title = "Dr"
		} else if u < 0.015 {
			h.title = "Mx"
		}
	default:
		u := r.Float64()
		switch {
		case u < 0.01:
			h.title = "Dr"
		case u < 0.015:
			h.title = "Mx"
		case married:
			h.title = "Mrs"
			if r.Float64() < 0.15 {
				h.title = "Ms"
			}
		case age < 30:
			h.title = "Miss"
			if r.Float64() < 0.4 {
				h.title = "Ms"
			}
		default:
			h.title = []string{"Ms", "Ms", "Miss", "Mrs"}[r.IntN(4)]
		}
	}
}

// setContact gives h a phone number and email address at the given rates.
func (g *gen) setContact(h *human, phone, email float64) {
	if ageAt(h.dob, g.today) < 16 {
		return
	}
	if g.r.Float64() < phone {
		h.phone = phoneNumber(g.r)
	}
	if g.r.Float64() < email {
		h.email = emailAddress(g.r, h.pid, h.forename, h.surname, h.dob.Year())
	}
}

// setSpecial records the special-category columns, more completely for
// tenants than for household members.
func (g *gen) setSpecial(h *human, tenant bool) {
	r := g.r
	pe, pr, pd := 0.5, 0.35, 0.45
	if tenant {
		pe, pr, pd = 0.87, 0.7, 0.85
	}
	if u := r.Float64(); u < pe {
		h.ethnicity = ethnicityByGroup[h.grp].pick(r)
		if u < 0.05 {
			h.ethnicity = "REFU"
		}
	}
	if r.Float64() < pr {
		h.religion = religionByGroup[h.grp].pick(r)
	}
	if r.Float64() < pd {
		yes := 0.10
		if tenant {
			yes = 0.22
		}
		if ageAt(h.dob, g.today) >= 65 {
			yes = 0.45
		}
		switch u := r.Float64(); {
		case u < yes:
			h.disability = "Y"
		case u < 0.96:
			h.disability = "N"
		default:
			h.disability = "Prefer not to say"
		}
	}
}

// family draws a family surname of group grp. A few British families have
// a double-barrelled surname, two family names joined by a hyphen
// (Smith-Jones), which other records often hold in part (see
// Noise.CompoundPart).
func (g *gen) family(grp group) surname {
	f := g.t.familyName(g.r, grp)
	if grp != groupGB || g.compound.Float64() >= compoundSurname {
		return f
	}
	o := g.t.familyName(g.compound, grp)
	if o.male == f.male || strings.Contains(f.male, "-") || strings.Contains(o.male, "-") {
		return f // the table holds a few compound names already
	}
	return surname{male: f.male + "-" + o.male, female: f.female + "-" + o.female}
}

// partnerSurname decides the surname of a woman marrying into family name
// fam, for group grp: her husband's name (in its female form), or for some
// South Asian women a name held only by women.
func (g *gen) partnerSurname(grp group, fam surname) string {
	if grp == groupSA && g.r.Float64() < 0.35 {
		if s, ok := g.t.womansName(g.r, grp); ok {
			return s
		}
	}
	return fam.female
}

// newTenancy makes one household on a new tenancy, current or ended, of at
// most maxSize people.
func (g *gen) newTenancy(former bool, maxSize int) *tenancy {
	r := g.r
	grp := group(groupSampler.pick(r))
	n := min(householdSizes.pick(r)+1, maxSize)
	band := leadAgeBands[leadAgeWeights.pick(r)]
	age := band[0] + r.IntN(band[1]-band[0])
	if former {
		age = max(age, 22)
	}
	t := &tenancy{}
	fam := g.family(grp)

	// The lead tenant and, for couples, the partner.
	couple := n >= 2 && r.Float64() < coupleShare
	leadSex := byte('F')
	switch {
	case couple:
		if r.Float64() < 0.55 {
			leadSex = 'M'
		}
	case n >= 2 && age < 60: // single parent
		if r.Float64() < 0.12 {
			leadSex = 'M'
		}
	default:
		if r.Float64() < 0.45 {
			leadSex = 'M'
		}
	}
	leadDOB := g.dobForAge(age)
	lead := g.newHuman(grp, leadSex, leadDOB, fam.forSex(leadSex))
	t.members = append(t.members, &member{h: lead, role: roleLead})

	var mother, father *human
	leadFam := fam
	var fatherFam, motherFam *surname
	if leadSex == 'F' {
		mother, motherFam = lead, &leadFam
	} else {
		father, fatherFam = lead, &leadFam
	}
	shared := false
	if couple {
		psex := byte('F')
		if leadSex == 'F' {
			psex = 'M'
		}
		if r.Float64() < sameSexShare {
			psex = leadSex
		}
		page := max(18, age+int(math.Round(r.NormFloat64()*4)))
		p := g.newHuman(grp, psex, g.dobForAge(page), "")
		shared = psex != leadSex && r.Float64() < sharedSurname
		pf := g.family(grp)
		switch {
		case shared && psex == 'F':
			p.surname = g.partnerSurname(grp, leadFam)
		case shared:
			// The lead took her partner's name.
			p.surname = pf.male
			lead.surname = g.partnerSurname(grp, pf)
			fatherFam = &pf
		default:
			p.surname = pf.forSex(psex)
			if psex == 'M' && leadSex == 'F' {
				fatherFam = &pf
			} else if psex == 'F' && leadSex == 'M' {
				motherFam = &pf
			}
		}
		role := roleMember
		if r.Float64() < jointShare {
			role = roleJoint
		}
		t.members = append(t.members, &member{h: p, role: role})
		if psex == 'F' && leadSex == 'M' {
			mother = p
		} else if psex == 'M' && leadSex == 'F' {
			father = p
		}
	}

	// Children take their father's name, or their mother's, or that of a
	// father who does not live with them.
	parent := lead
	if mother != nil {
		parent = mother
	}
	var childFam surname
	switch {
	case father != nil && (shared || mother == nil || r.IntN(2) == 0):
		childFam = *fatherFam
	case father == nil && mother != nil && r.Float64() < 0.4:
		childFam = g.family(grp)
	case motherFam != nil:
		childFam = *motherFam
	default:
		childFam = leadFam
	}
	for len(t.members) < n {
		if len(t.members) >= 2 && r.Float64() < relativeShare {
			// An elderly parent of the lead, or an adult sibling.
			rage := age + 20 + r.IntN(16)
			if rage > 98 {
				rage = max(18, age-5+r.IntN(10))
			}
			sex := byte('F')
			if r.IntN(3) == 0 {
				sex = 'M'
			}
			rel := g.newHuman(grp, sex, g.dobForAge(rage), leadFam.forSex(sex))
			t.members = append(t.members, &member{h: rel, role: roleMember})
			continue
		}
		pdob := parent.dob
		lo := later(addYears(pdob, 18), addYears(g.today, -24))
		hi := earlier(addYears(pdob, 44), g.today.AddDays(-30))
		if hi.Before(lo) {
			// A young parent, or an old one whose children are grown up.
			lo = earlier(addYears(pdob, 17), g.today.AddDays(-60))
			hi = earlier(addYears(pdob, 40), g.today.AddDays(-30))
		}
		cdob := between(r, lo, hi)
		sex := byte('M')
		if r.IntN(2) == 0 {
			sex = 'F'
		}
		c := g.newHuman(grp, sex, cdob, childFam.forSex(sex))
		t.members = append(t.members, &member{h: c, role: roleMember})
	}

	for _, m := range t.members {
		h := m.h
		married := h.sex == 'F' && shared && (m.role == roleLead || h == mother) && couple
		g.setTitle(h, married)
		if m.isTenant() {
			g.setContact(h, tenantPhoneShare, tenantEmailShare)
			if r.Float64() < asbShare {
				m.asb = "Y"
			}
		} else {
			g.setContact(h, memberPhoneShare, memberEmailShare)
		}
		if h.ni != "" && r.Float64() > tenantNIShare {
			h.ni = "" // not recorded by the landlord; partners may still hold it
		}
		if m.isTenant() {
			h.passport = g.recordedPassport(h, tenantPassportShare, 0, false)
		}
		g.setSpecial(h, m.isTenant())
	}

	g.setDates(t, former)
	if !former {
		t.home = g.stock.next()
	}
	t.addr = g.z.address(t.home)
	t.balance = g.balance(former)
	return t
}

// startBefore draws when something that is still going on at end began:
// exponentially distributed with the given mean in years, at least two weeks
// before end, and never before adult (the latest eighteenth birthday of the
// people involved). A draw that falls before adult is redrawn uniformly
// between adult and end, so young tenants' start ages are spread out rather
// than piled up at eighteen.
func (g *gen) startBefore(end, adult date.Date, meanYears float64) date.Date {
	r := g.r
	latest := end.AddDays(-14)
	span := int(latest.Days() - adult.Days())
	if span <= 0 {
		return latest
	}
	days := int(r.ExpFloat64() * meanYears * 365.25)
	if days > span {
		days = r.IntN(span + 1)
	}
	return latest.AddDays(-days)
}

// setDates sets the start and, for a former tenancy, the end of t. A former
// tenancy's home is either re-let (it is the home of a recent current
// tenancy, which started after this one ended) or another home. Joint
// tenants under 21 are recorded as household members instead, so that
// every tenant was an adult when the tenancy began.
func (g *gen) setDates(t *tenancy, former bool) {
	r := g.r
	adult := addYears(t.lead().h.dob, 18)
	for _, m := range t.members {
		if m.role == roleJoint && ageAt(m.h.dob, g.today) < 21 {
			m.role = roleMember
		}
		if m.isTenant() {
			adult = later(adult, addYears(m.h.dob, 18))
		}
	}
	if !former {
		t.start = g.startBefore(g.today, adult, 11)
		if len(g.relet) < 64 {
			g.relet = append(g.relet, t)
		} else {
			g.relet[r.IntN(len(g.relet))] = t
		}
		return
	}
	// The export keeps former tenancies of the last eight years.
	oldest := later(g.today.AddDays(-8*365), addYears(adult, 1))
	end := between(r, oldest, g.today.AddDays(-30))
	t.home = -1
	if len(g.relet) > 0 && r.Float64() < reletShare {
		i := r.IntN(len(g.relet))
		next := g.relet[i]
		if e := next.start.AddDays(-7 - r.IntN(84)); e.After(oldest) {
			end = e
			t.home = next.home
			// Each home is re-let once: drop it from the pool.
			g.relet[i] = g.relet[len(g.relet)-1]
			g.relet = g.relet[:len(g.relet)-1]
		}
	}
	if t.home < 0 {
		t.home = g.stock.next()
	}
	t.start = g.startBefore(end.AddDays(-76), adult, 6)
	t.end = end
}

// balance draws a rent balance: mostly clear or in credit, a quarter of
// current tenancies and two fifths of former ones in arrears.
func (g *gen) balance(former bool) money.Pence {
	r := g.r
	u := r.Float64()
	if former {
		switch {
		case u < 0.55:
			return 0
		case u < 0.60:
			return -lognormalPence(r, 40, 0.8, 500)
		}
		return lognormalPence(r, 450, 1.0, 12000)
	}
	switch {
	case u < 0.45:
		return 0
	case u < 0.70:
		return -lognormalPence(r, 60, 0.9, 800)
	}
	return lognormalPence(r, 180, 1.1, 8000)
}

// arrears draws a balance owed by a former tenant.
func (g *gen) arrears() money.Pence { return lognormalPence(g.r, 450, 1.0, 12000) + 500 }

// copyKind says where a copy of a person appears, which decides the noise
// that can apply.
type copyKind int

const (
	copyOtherLandlord copyKind = iota
	copyDeceased
	copyUtility
	copyCouncilTax
	copyAlias // a second row in the landlord's own export
)

// noisyCopy returns a copy of h as another record holds it, with the noise
// of g.noise applied. The copy keeps h's pid.
func (g *gen) noisyCopy(h *human, k copyKind) *human {
	r, n := g.r, g.noise
	c := *h
	if r.Float64() < n.Nickname {
		c.forename = nickname(r, c.forename)
	}
	if r.Float64() < n.Typo {
		c.forename = typo(r, c.forename)
	}
	if r.Float64() < n.Typo {
		c.surname = typo(r, c.surname)
	}
	if first, last, ok := strings.Cut(c.surname, "-"); ok && g.compound.Float64() < n.CompoundPart {
		c.surname = first
		if g.compound.IntN(2) == 0 {
			c.surname = last
		}
	}
	age := ageAt(h.dob, g.today)
	married := false
	if k != copyDeceased && c.sex == 'F' && age >= 18 && age <= 60 && r.Float64() < n.MarriedName {
		g.marry(&c)
		married = true
	} else if r.Float64() < n.DropMiddle {
		c.middle = ""
	}
	if r.Float64() < n.DOBSwap {
		if d, ok := swapDayMonth(c.dob); ok {
			c.dob = d
		}
	}
	if r.Float64() < n.DOBTypo {
		if d, ok := dayTypo(r, c.dob); ok {
			c.dob = d
		}
	}
	if r.Float64() < n.MissingDOB {
		c.dob = date.Date{}
	}
	if c.ni == "" && age >= 16 && k != copyAlias {
		c.ni = g.ni.number(h.pid) // partners may hold a number the landlord lacks
	}
	switch k {
	case copyOtherLandlord:
		c.passport = g.recordedPassport(h, otherPassportShare, renewedPassport, married)
	case copyAlias:
		// The second identity is the same person: a passport that was
		// recorded may be, unless the name changed with it.
		c.passport = g.recordedPassport(h, tenantPassportShare, renewedPassport, married)
	default:
		c.passport = "" // registers and utilities hold no passport numbers
	}
	if r.Float64() < n.MissingNI {
		c.ni = ""
	}
	if k != copyAlias && r.Float64() < n.FoldAccents {
		c.forename, c.middle, c.surname = foldAccents(c.forename), foldAccents(c.middle), foldAccents(c.surname)
	}
	return &c
}

// marry gives a woman's copy a married surname, keeping her maiden name as
// a middle name at the MaidenAsMiddle rate.
func (g *gen) marry(c *human) {
	maiden := c.surname
	for range 5 {
		if s := g.partnerSurname(c.grp, g.t.familyName(g.r, c.grp)); s != maiden {
			c.surname = s
			break
		}
	}
	if g.r.Float64() < g.noise.MaidenAsMiddle {
		c.middle = maiden
	} else if g.r.Float64() < g.noise.DropMiddle {
		c.middle = ""
	}
	if c.title == "Miss" {
		c.title = "Mrs"
	}
}

// stranger makes an adult who is not one of the landlord's people, for the
// partner datasets, aged between minAge and maxAge.
func (g *gen) stranger(minAge, maxAge int) *human {
	return g.strangerOf(group(groupSampler.pick(g.r)), minAge, maxAge)
}

// strangerOf is stranger for a given group.
func (g *gen) strangerOf(grp group, minAge, maxAge int) *human {
	r := g.r
	sex := byte('M')
	if r.IntN(2) == 0 {
		sex = 'F'
	}
	h := g.newHuman(grp, sex, g.dobForAge(minAge+r.IntN(maxAge-minAge+1)), "")
	if sex == 'F' && r.Float64() < 0.1 {
		if s, ok := g.t.womansName(r, grp); ok {
			h.surname = s
		}
	}
	if h.surname == "" {
		h.surname = g.family(grp).forSex(sex)
	}
	g.setTitle(h, sex == 'F' && r.IntN(2) == 0)
	g.setContact(h, 0.7, 0.5)
	return h
}

// monthName is the three-letter month of the "D MMM YYYY" layout.
func monthName(m time.Month) string { return m.String()[:3] }
