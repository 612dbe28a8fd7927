package synth

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
)

// tenancyRec is one row of the landlord's export.
type tenancyRec struct {
	recBase
	h                                    *human
	tenancyRef, role, title              string
	first, middle, last                  string
	dob                                  date.Date
	ni, passport                         string
	line1, line2, town, postcode, uprn   string
	tel, email                           string
	start, end                           date.Date
	balance                              money.Pence
	hasBalance                           bool
	ethnicity, disability, religion, asb string
}

func newTenancyRec(t *tenancy, m *member) *tenancyRec {
	h := m.h
	l1, l2, town := t.addr.landlordLines()
	rec := &tenancyRec{
		recBase:    recBase{id: m.ref, pid: h.pid, truth: m.truth},
		h:          h,
		tenancyRef: t.ref, role: m.role, title: h.title,
		first: h.forename, middle: h.middle, last: h.surname,
		dob: h.dob, ni: h.ni,
		line1: l1, line2: l2, town: town, postcode: t.addr.postcode, uprn: t.addr.uprn,
		tel: h.phone, email: h.email,
		start: t.start, end: t.end,
		balance: t.balance, hasBalance: m.isTenant(),
		ethnicity: h.ethnicity, disability: h.disability, religion: h.religion, asb: m.asb,
	}
	if m.isTenant() {
		rec.passport = h.passport // identity checks are of tenants
	}
	return rec
}

func (t *tenancyRec) seal() {}

func (t *tenancyRec) dirty(g *gen, k dirtyKind) bool {
	switch k {
	case dirtyNIPlaceholder:
		t.ni = g.placeholderNI(t.h)
	case dirtyDOB1900:
		t.dob = placeholderDOB
	case dirtyFutureDOB:
		t.dob = g.futureDOB()
	case dirtyUnknownName:
		if g.r.IntN(2) == 0 {
			t.first = "UNKNOWN"
		} else {
			t.last = "UNKNOWN"
		}
	default:
		return false
	}
	return true
}

// Columns of the landlord's export, in file order.
const (
	tenPersonRef  = "person_ref"
	tenTenancyRef = "tenancy_ref"
	tenRole       = "role"
	tenTitle      = "title"
	tenFirst      = "first_name"
	tenMiddle     = "middle_name"
	tenLast       = "last_name"
	tenDOB        = "date_of_birth"
	tenNI         = "ni_no"
	tenLine1      = "address_line_1"
	tenLine2      = "address_line_2"
	tenTown       = "town"
	tenPostcode   = "post_code"
	tenUPRN       = "uprn"
	tenTel        = "tel"
	tenEmail      = "email"
	tenStart      = "tenancy_start"
	tenEnd        = "tenancy_end"
	tenBalance    = "rent_balance"
	tenEthnicity  = "ethnicity"
	tenDisability = "disability"
	tenReligion   = "religion"
	tenASB        = "asb_conviction_flag"
	tenPassport   = "passport_no"
)

// balanceType is the landlord's rent balance column type: pounds and pence
// as DECIMAL(12,2).
var balanceType = &arrow.Decimal128Type{Precision: 12, Scale: 2}

var tenancySchema = func() *arrow.Schema {
	str := func(name string) arrow.Field {
		return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	day := func(name string) arrow.Field {
		return arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Date32, Nullable: true}
	}
	return arrow.NewSchema([]arrow.Field{
		str(tenPersonRef), str(tenTenancyRef), str(tenRole), str(tenTitle),
		str(tenFirst), str(tenMiddle), str(tenLast), day(tenDOB), str(tenNI),
		str(tenLine1), str(tenLine2), str(tenTown), str(tenPostcode), str(tenUPRN),
		str(tenTel), str(tenEmail), day(tenStart), day(tenEnd),
		{Name: tenBalance, Type: balanceType, Nullable: true},
		str(tenEthnicity), str(tenDisability), str(tenReligion), str(tenASB),
		str(tenPassport),
	}, nil)
}()

// tenancyDictColumns are the low-cardinality columns written with
// dictionary encoding; the rest are plain, so that no column chunk falls
// back from dictionary to plain part-way (which makes footers vary).
var tenancyDictColumns = []string{tenRole, tenTitle, tenTown, tenEthnicity, tenDisability, tenReligion, tenASB}

// tenancyRecord builds the Arrow record of a chunk's export rows.
func tenancyRecord(mem memory.Allocator, recs []record) arrow.Record {
	b := array.NewRecordBuilder(mem, tenancySchema)
	defer b.Release()
	str := func(i int, s string) {
		f := b.Field(i).(*array.StringBuilder)
		if s == "" {
			f.AppendNull()
		} else {
			f.Append(s)
		}
	}
	day := func(i int, d date.Date) {
		f := b.Field(i).(*array.Date32Builder)
		if d.IsZero() {
			f.AppendNull()
		} else {
			f.Append(arrow.Date32(d.Days()))
		}
	}
	for _, rec := range recs {
		t := rec.(*tenancyRec)
		str(0, t.id)
		str(1, t.tenancyRef)
		str(2, t.role)
		str(3, t.title)
		str(4, t.first)
		str(5, t.middle)
		str(6, t.last)
		day(7, t.dob)
		str(8, t.ni)
		str(9, t.line1)
		str(10, t.line2)
		str(11, t.town)
		str(12, t.postcode)
		str(13, t.uprn)
		str(14, t.tel)
		str(15, t.email)
		day(16, t.start)
		day(17, t.end)
		bal := b.Field(18).(*array.Decimal128Builder)
		if t.hasBalance {
			bal.Append(decimal128.FromI64(int64(t.balance)))
		} else {
			bal.AppendNull()
		}
		str(19, t.ethnicity)
		str(20, t.disability)
		str(21, t.religion)
		str(22, t.asb)
		str(23, t.passport)
	}
	return b.NewRecord()
}
