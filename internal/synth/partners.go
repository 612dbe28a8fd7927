package synth

import (
	"strconv"
	"strings"

	"github.com/xitongsys/parquet-go/types"

	"github.com/datamatch/datamatch/internal/date"
)

// recBase is what every generated row carries besides its columns.
type recBase struct {
	id    string // record id; "" writes a null
	pid   int64  // the true person
	truth bool   // named in the truth file, so never made dirty
	year  int    // the year some id styles carry
	group int64  // rows of one tenancy or account share a group and stay together
	party int    // position in the group, from 1
}

func (b *recBase) base() *recBase { return b }

// record is a row of one of the datasets while its chunk is being built.
type record interface {
	base() *recBase
	// dirty applies a deliberately invalid value of kind k and reports
	// whether the dataset has a column it applies to. Missing and duplicate
	// ids are handled for every dataset by the chunk.
	dirty(g *gen, k dirtyKind) bool
	// seal copies the record id into the row to be written.
	seal()
}

// ptr returns a pointer to s, or nil for "" (written as null).
func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Date formats of the partner datasets.

func fmtUKSlash(d date.Date) string {
	y, m, dd := d.Civil()
	return pad2(dd) + "/" + pad2(int(m)) + "/" + strconv.Itoa(y)
}

func fmtUKDash(d date.Date) string {
	y, m, dd := d.Civil()
	return pad2(dd) + "-" + pad2(int(m)) + "-" + strconv.Itoa(y)
}

func fmtCompact(d date.Date) string {
	y, m, dd := d.Civil()
	return strconv.Itoa(y) + pad2(int(m)) + pad2(dd)
}

func fmtDayMonth(d date.Date) string {
	y, m, dd := d.Civil()
	return strconv.Itoa(dd) + " " + monthName(m) + " " + strconv.Itoa(y)
}

// optDate formats d with f, or returns nil for the null date.
func optDate(d date.Date, f func(date.Date) string) *string {
	if d.IsZero() {
		return nil
	}
	s := f(d)
	return &s
}

// int96 encodes midnight UTC at the start of d as a Parquet INT96
// timestamp.
func int96(d date.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := types.TimeToINT96(d.Time())
	return &s
}

// millis encodes midnight UTC at the start of d as milliseconds since the
// epoch.
func millis(d date.Date) *int64 {
	if d.IsZero() {
		return nil
	}
	v := int64(d.Days()) * 86_400_000
	return &v
}

func fullName(h *human) string {
	return strings.TrimSpace(h.forename + " " + h.middle)
}

func sexWord(sex byte) string {
	if sex == 'F' {
		return "Female"
	}
	return "Male"
}

// Dates used for deliberately invalid values.
var (
	placeholderDOB = date.MustOf(1900, 1, 1)
	councilTaxFrom = date.MustOf(1993, 4, 1)
)

// otherLandlordRow is a row of the other landlord's tenancy extract.
type otherLandlordRow struct {
	CustomerID       *string `parquet:"name=CustomerId, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	TenancyNo        *string `parquet:"name=TenancyNo, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	TenantType       *string `parquet:"name=TenantType, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	FullName         *string `parquet:"name=FullName, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Gender           *string `parquet:"name=Gender, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	DOB              *string `parquet:"name=DOB, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	NINO             *string `parquet:"name=NINO, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	PassportNo       *string `parquet:"name=PassportNo, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Address          *string `parquet:"name=Address, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Postcode         *string `parquet:"name=Postcode, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Telephone        *string `parquet:"name=Telephone, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Email            *string `parquet:"name=Email, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	TenancyStartDate *string `parquet:"name=TenancyStartDate, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	TenancyEndDate   *string `parquet:"name=TenancyEndDate, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Balance          *string `parquet:"name=Balance, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
}

type otherLandlordRec struct {
	recBase
	h   *human
	row otherLandlordRow
}

func (o *otherLandlordRec) seal() { o.row.CustomerID = ptr(o.id) }

// otherLandlordTenancyNo formats the other landlord's tenancy number.
func otherLandlordTenancyNo(n int64) string {
	return "4" + strconv.FormatInt(1_000_000+n, 10)[1:]
}

func olName(surname, given string) string {
	if given == "" {
		return strings.ToUpper(surname)
	}
	return strings.ToUpper(surname) + ", " + given
}

func (o *otherLandlordRec) dirty(g *gen, k dirtyKind) bool {
	switch k {
	case dirtyNIPlaceholder:
		o.row.NINO = ptr(g.placeholderNI(o.h))
	case dirtyDOB1900:
		o.row.DOB = ptr(fmtUKSlash(placeholderDOB))
	case dirtyFutureDOB:
		o.row.DOB = ptr(fmtUKSlash(g.futureDOB()))
	case dirtyUnknownName:
		o.row.FullName = ptr(olName("UNKNOWN", fullName(o.h)))
	case dirtyNonUTF8:
		s, _ := latin1Byte(olName(o.h.surname, fullName(o.h)))
		o.row.FullName = &s
	default:
		return false
	}
	return true
}

// addOtherLandlord adds a row for h holding a tenancy at the other
// landlord. joint is the row of the tenancy's lead tenant for a joint
// tenant, nil for a new tenancy.
func (g *gen) addOtherLandlord(c *chunk, h *human, hm home, start, end date.Date, role string, joint *otherLandlordRec, truth bool) *otherLandlordRec {
	r := g.r
	a := g.z.address(hm)
	rec := &otherLandlordRec{recBase: recBase{pid: h.pid, truth: truth, year: start.Year()}, h: h}
	if joint != nil {
		rec.group, rec.party = joint.group, joint.party+1
	} else {
		rec.group, rec.party = g.newGroup(), 1
	}
	st := addrStyle{flatForm: 1, locality: true, town: true}
	if r.Float64() < 0.3 {
		st.abbrev = true
	}
	pc := strings.ToLower(strings.ReplaceAll(a.postcode, " ", ""))
	bal := g.balance(!end.IsZero())
	rec.row = otherLandlordRow{
		TenantType:       ptr(role),
		FullName:         ptr(olName(h.surname, fullName(h))),
		Gender:           ptr(sexWord(h.sex)),
		DOB:              optDate(h.dob, fmtUKSlash),
		NINO:             ptr(spacedNI(h.ni)),
		PassportNo:       ptr(h.passport),
		Address:          ptr(a.line(st)),
		Postcode:         ptr(pc),
		Telephone:        ptr(phoneIntl(h.phone)),
		Email:            ptr(h.email),
		TenancyStartDate: optDate(start, date.Date.String),
		TenancyEndDate:   optDate(end, date.Date.String),
		Balance:          ptr(bal.Pounds()),
	}
	c.recs[dsOther] = append(c.recs[dsOther], rec)
	return rec
}

// deceasedRow is a row of the deceased-persons register.
type deceasedRow struct {
	RegisterID   *string `parquet:"name=register_id, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Surname      *string `parquet:"name=surname, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Forenames    *string `parquet:"name=forenames, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Sex          *string `parquet:"name=sex, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	DateOfBirth  *string `parquet:"name=date_of_birth, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	DateOfDeath  *string `parquet:"name=date_of_death, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	AgeAtDeath   *int32  `parquet:"name=age_at_death, type=INT32, repetitiontype=OPTIONAL"`
	LastAddress  *string `parquet:"name=last_address, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	LastPostcode *string `parquet:"name=last_postcode, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
}

type deceasedRec struct {
	recBase
	h   *human
	row deceasedRow
}

func (d *deceasedRec) seal() { d.row.RegisterID = ptr(d.id) }

func (d *deceasedRec) dirty(g *gen, k dirtyKind) bool {
	switch k {
	case dirtyDOB1900:
		d.row.DateOfBirth = ptr(fmtCompact(placeholderDOB))
	case dirtyFutureDOB:
		d.row.DateOfBirth = ptr(fmtCompact(g.futureDOB()))
	case dirtyUnknownName:
		d.row.Surname = ptr("UNKNOWN")
	case dirtyNonUTF8:
		s, _ := latin1Byte(fullName(d.h))
		d.row.Forenames = &s
	default:
		return false
	}
	return true
}

// addDeceased adds a register entry for h, who died on dod and last lived
// at a. A planted entry may give another last address (Noise.Moved).
func (g *gen) addDeceased(c *chunk, h *human, dod date.Date, a address, truth bool) *deceasedRec {
	r := g.r
	st := addrStyle{upper: true, locality: true, town: true, flatForm: 1}
	if truth {
		if r.Float64() < g.noise.Moved {
			a = g.z.address(g.z.randomHome(r, ownerPrivate))
		}
		if r.Float64() < g.noise.AddressReformat {
			st = reformatStyle(r, st)
		}
	}
	rec := &deceasedRec{recBase: recBase{pid: h.pid, truth: truth, year: dod.AddDays(3 + r.IntN(10)).Year(), group: g.newGroup(), party: 1}, h: h}
	var age *int32
	if !h.dob.IsZero() {
		v := int32(ageAt(h.dob, dod))
		age = &v
	}
	rec.row = deceasedRow{
		Surname:      ptr(strings.ToUpper(h.surname)),
		Forenames:    ptr(fullName(h)),
		Sex:          ptr(string(h.sex)),
		DateOfBirth:  optDate(h.dob, fmtCompact),
		DateOfDeath:  optDate(dod, fmtDayMonth),
		AgeAtDeath:   age,
		LastAddress:  ptr(a.line(st)),
		LastPostcode: ptr(a.postcode),
	}
	c.recs[dsDeceased] = append(c.recs[dsDeceased], rec)
	return rec
}

// utilityRow is a row of the utility provider's closed accounts.
type utilityRow struct {
	AccountNumber      *string `parquet:"name=account_number, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Title              *string `parquet:"name=title, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	CustomerName       *string `parquet:"name=customer_name, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	DateOfBirth        *string `parquet:"name=date_of_birth, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	SupplyAddress      *string `parquet:"name=supply_address, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	SupplyPostcode     *string `parquet:"name=supply_postcode, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	AccountClosed      *string `parquet:"name=account_closed, type=INT96, repetitiontype=OPTIONAL"`
	ForwardingAddress  *string `parquet:"name=forwarding_address, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	ForwardingPostcode *string `parquet:"name=forwarding_postcode, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Phone              *string `parquet:"name=phone, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Email              *string `parquet:"name=email, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
}

type utilityRec struct {
	recBase
	h   *human
	row utilityRow
}

func (u *utilityRec) seal() { u.row.AccountNumber = ptr(u.id) }

func (u *utilityRec) dirty(g *gen, k dirtyKind) bool {
	switch k {
	case dirtyDOB1900:
		u.row.DateOfBirth = ptr(fmtUKDash(placeholderDOB))
	case dirtyFutureDOB:
		u.row.DateOfBirth = ptr(fmtUKDash(g.futureDOB()))
	case dirtyUnknownName:
		u.row.CustomerName = ptr("UNKNOWN")
	case dirtyNonUTF8:
		s, _ := latin1Byte(u.h.forename + " " + u.h.surname)
		u.row.CustomerName = &s
	default:
		return false
	}
	return true
}

// addUtility adds a closed account for h at supply address a, closed on
// closed, with a forwarding address if fwd is not nil.
func (g *gen) addUtility(c *chunk, h *human, a address, closed date.Date, fwd *address, truth bool) *utilityRec {
	r := g.r
	var name string
	switch u := r.Float64(); {
	case u < 0.20:
		name = h.forename[:1] + " " + h.surname
	case u < 0.30 && h.middle != "":
		name = h.forename + " " + h.middle[:1] + " " + h.surname
	case u < 0.45:
		name = strings.ToUpper(h.forename + " " + h.surname)
	default:
		name = h.forename + " " + h.surname
	}
	st := addrStyle{abbrev: true, flatForm: 1, town: true}
	if truth && r.Float64() < g.noise.AddressReformat {
		st = reformatStyle(r, st)
	}
	pc := a.postcode
	if r.Float64() < 0.6 {
		pc = strings.ReplaceAll(pc, " ", "")
	}
	dob := date.Date{}
	if r.Float64() < 0.15 {
		dob = h.dob
	}
	rec := &utilityRec{recBase: recBase{pid: h.pid, truth: truth, group: g.newGroup(), party: 1}, h: h}
	rec.row = utilityRow{
		Title:          ptr(h.title),
		CustomerName:   ptr(name),
		DateOfBirth:    optDate(dob, fmtUKDash),
		SupplyAddress:  ptr(a.line(st)),
		SupplyPostcode: ptr(pc),
		AccountClosed:  int96(closed),
		Phone:          ptr(phoneCompact(h.phone)),
		Email:          ptr(h.email),
	}
	if fwd != nil {
		rec.row.ForwardingAddress = ptr(fwd.line(addrStyle{locality: true, town: true}))
		rec.row.ForwardingPostcode = ptr(fwd.postcode)
	}
	c.recs[dsUtility] = append(c.recs[dsUtility], rec)
	return rec
}

// councilTaxRow is one liable party on a council-tax account.
type councilTaxRow struct {
	LiablePartyID  *string `parquet:"name=liable_party_id, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	AccountRef     *string `parquet:"name=account_ref, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Title          *string `parquet:"name=title, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	FirstName      *string `parquet:"name=first_name, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	LastName       *string `parquet:"name=last_name, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	DateOfBirth    *int32  `parquet:"name=date_of_birth, type=INT32, convertedtype=DATE, repetitiontype=OPTIONAL"`
	PropertyAddr1  *string `parquet:"name=property_addr1, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	PropertyAddr2  *string `parquet:"name=property_addr2, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	PropertyAddr3  *string `parquet:"name=property_addr3, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	Postcode       *string `parquet:"name=postcode, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	UPRN           *string `parquet:"name=uprn, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
	LiabilityStart *int64  `parquet:"name=liability_start, type=INT64, convertedtype=TIMESTAMP_MILLIS, isadjustedtoutc=true, repetitiontype=OPTIONAL"`
	LiabilityEnd   *int64  `parquet:"name=liability_end, type=INT64, convertedtype=TIMESTAMP_MILLIS, isadjustedtoutc=true, repetitiontype=OPTIONAL"`
	SPDFlag        *string `parquet:"name=single_person_discount, type=BYTE_ARRAY, convertedtype=UTF8, repetitiontype=OPTIONAL"`
}

type councilTaxRec struct {
	recBase
	h   *human
	row councilTaxRow
}

func (ct *councilTaxRec) seal() { ct.row.LiablePartyID = ptr(ct.id) }

func dateDays(d date.Date) *int32 {
	if d.IsZero() {
		return nil
	}
	v := d.Days()
	return &v
}

func (ct *councilTaxRec) dirty(g *gen, k dirtyKind) bool {
	switch k {
	case dirtyDOB1900:
		ct.row.DateOfBirth = dateDays(placeholderDOB)
	case dirtyFutureDOB:
		ct.row.DateOfBirth = dateDays(g.futureDOB())
	case dirtyUnknownName:
		ct.row.LastName = ptr("UNKNOWN")
	case dirtyNonUTF8:
		s, _ := latin1Byte(ct.h.surname)
		ct.row.LastName = &s
	default:
		return false
	}
	return true
}

// addCouncilTax adds an account at a with one row per liable party. The
// account reference and the parties' ids are set when the chunk is
// finished.
func (g *gen) addCouncilTax(c *chunk, parties []*human, a address, start, end date.Date, spd bool, truth bool) []*councilTaxRec {
	r := g.r
	st := addrStyle{locality: true, town: true}
	if truth && r.Float64() < g.noise.AddressReformat {
		st = reformatStyle(r, st)
	}
	parts := a.parts(st)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	addr3 := strings.Join(parts[2:], ", ")
	uprn := ""
	if r.Float64() < 0.9 {
		uprn = a.uprn
	}
	start = later(start, councilTaxFrom)
	flag := "N"
	if spd {
		flag = "Y"
	}
	group := g.newGroup()
	var out []*councilTaxRec
	for i, h := range parties {
		dob := date.Date{}
		if r.Float64() < 0.3 {
			dob = h.dob
		}
		rec := &councilTaxRec{recBase: recBase{pid: h.pid, truth: truth, group: group, party: i + 1}, h: h}
		rec.row = councilTaxRow{
			Title:          ptr(h.title),
			FirstName:      ptr(h.forename),
			LastName:       ptr(h.surname),
			DateOfBirth:    dateDays(dob),
			PropertyAddr1:  ptr(parts[0]),
			PropertyAddr2:  ptr(parts[1]),
			PropertyAddr3:  ptr(addr3),
			Postcode:       ptr(a.postcode),
			UPRN:           ptr(uprn),
			LiabilityStart: millis(start),
			LiabilityEnd:   millis(end),
			SPDFlag:        ptr(flag),
		}
		c.recs[dsCouncilTax] = append(c.recs[dsCouncilTax], rec)
		out = append(out, rec)
	}
	return out
}

// councilTaxAccountRef formats an account number: nine digits from 6.
func councilTaxAccountRef(n int64) string {
	return "6" + strconv.FormatInt(100_000_000+n, 10)[1:]
}

// Fillers: people who are not the landlord's, so that partner datasets are
// mostly strangers as real ones are.

func (g *gen) fillOtherLandlord(c *chunk, target int) {
	r := g.r
	for len(c.recs[dsOther]) < target {
		lead := g.stranger(18, 90)
		hm := g.z.randomHome(r, ownerOther)
		start := g.startBefore(g.today.AddDays(-16), addYears(lead.dob, 18), 7)
		end := date.Date{}
		if lo, hi := start.AddDays(180), g.today.AddDays(-30); r.Float64() < 0.12 && hi.After(lo) {
			end = between(r, lo, hi)
		}
		lead.passport = g.recordedPassport(lead, otherPassportShare, 0, false)
		rec := g.addOtherLandlord(c, lead, hm, start, end, "Lead Tenant", nil, false)
		if len(c.recs[dsOther]) < target && r.Float64() < 0.35 {
			if p := g.partnerOf(lead, start); p != nil {
				p.passport = g.recordedPassport(p, otherPassportShare, 0, false)
				g.addOtherLandlord(c, p, hm, start, end, "Joint Tenant", rec, false)
			}
		}
	}
}

// partnerOf makes a stranger of lead's group and about lead's age who was
// an adult on since, often sharing lead's family name; it returns nil if
// no such age fits.
func (g *gen) partnerOf(lead *human, since date.Date) *human {
	la := ageAt(lead.dob, g.today)
	lo := max(18, la-6, ageAt(since, g.today)+19)
	hi := min(95, la+6)
	if lo > hi {
		return nil
	}
	p := g.strangerOf(lead.grp, lo, hi)
	if g.r.Float64() < 0.6 {
		if fam, ok := sameFamily(g.t, lead); ok {
			p.surname = fam.forSex(p.sex)
		}
	}
	return p
}

func (g *gen) fillDeceased(c *chunk, target int) {
	r := g.r
	for len(c.recs[dsDeceased]) < target {
		dod := between(r, g.today.AddDays(-8*365), g.today.AddDays(-7))
		age := 60 + r.IntN(40)
		if r.Float64() < 0.15 {
			age = 20 + r.IntN(40)
		}
		grp := group(groupSampler.pick(r))
		sex := byte('M')
		if r.IntN(2) == 0 {
			sex = 'F'
		}
		dob := addYears(dod, -age).AddDays(-r.IntN(365))
		h := g.newHuman(grp, sex, dob, g.family(grp).forSex(sex))
		o := ownerPrivate
		if r.Float64() < 0.3 {
			o = ownerOther
		}
		g.addDeceased(c, h, dod, g.z.address(g.z.randomHome(r, o)), false)
	}
}

func (g *gen) fillUtility(c *chunk, target int) {
	r := g.r
	for len(c.recs[dsUtility]) < target {
		h := g.stranger(18, 90)
		closed := between(r, g.today.AddDays(-3*365), g.today.AddDays(-1))
		var fwd *address
		if r.Float64() < 0.8 {
			a := g.z.address(g.z.randomHome(r, ownerPrivate))
			fwd = &a
		}
		g.addUtility(c, h, g.z.address(g.z.randomHome(r, ownerPrivate)), closed, fwd, false)
	}
}

func (g *gen) fillCouncilTax(c *chunk, target int) {
	r := g.r
	for len(c.recs[dsCouncilTax]) < target {
		lead := g.stranger(18, 95)
		// No liability starts before council tax began, nor ends before
		// it: an end drawn after an earlier start could.
		start := later(g.startBefore(g.today, addYears(lead.dob, 18), 8), councilTaxFrom)
		parties := []*human{lead}
		if len(c.recs[dsCouncilTax])+1 < target && r.Float64() < 0.45 {
			if p := g.partnerOf(lead, start); p != nil {
				parties = append(parties, p)
			}
		}
		o := ownerPrivate
		if r.Float64() < 0.2 {
			o = ownerOther
		}
		end := date.Date{}
		if lo, hi := start.AddDays(90), g.today.AddDays(-1); r.Float64() < 0.08 && hi.After(lo) {
			end = between(r, lo, hi)
		}
		spd := len(parties) == 1 && r.Float64() < 0.6
		g.addCouncilTax(c, parties, g.z.address(g.z.randomHome(r, o)), start, end, spd, false)
	}
}

// councilTaxForTenancy puts a current tenancy's tenants on the council-tax
// extract at its address.
func (g *gen) councilTaxForTenancy(c *chunk, t *tenancy) {
	r := g.r
	var parties []*human
	for _, m := range t.members {
		if m.isTenant() && ageAt(m.h.dob, g.today) >= 18 {
			cp := g.noisyCopy(m.h, copyCouncilTax)
			cp.middle = ""
			parties = append(parties, cp)
		}
	}
	if len(parties) == 0 {
		return
	}
	adults := 0
	for _, m := range t.members {
		if ageAt(m.h.dob, g.today) >= 18 {
			adults++
		}
	}
	spd := len(parties) == 1 && (adults == 1 || r.Float64() < 0.08)
	start := t.start.AddDays(r.IntN(15))
	g.addCouncilTax(c, parties, t.addr, start, date.Date{}, spd, false)
}

// placeholderNI returns one of the placeholder NI numbers clerks type when
// the real one is unknown: the temporary TN form, or AA000000A.
func (g *gen) placeholderNI(h *human) string {
	if g.r.IntN(2) == 0 {
		return "AA000000A"
	}
	return temporaryNI(h.dob, h.sex)
}

// futureDOB returns a date of birth after the as-at date.
func (g *gen) futureDOB() date.Date { return g.today.AddDays(1 + g.r.IntN(3650)) }
