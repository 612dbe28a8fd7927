package pseudo

import (
	"context"
	"crypto/aes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/person"
)

func newKey(t testing.TB) key.Key {
	t.Helper()
	k, err := key.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// refToken computes a token independently of the encoder, as the package
// documentation defines it.
func refToken(k key.Key, purpose, value string) Token {
	m := hmac.New(sha256.New, k.Derive("token/"+purpose))
	m.Write([]byte(value))
	t := Token(binary.BigEndian.Uint64(m.Sum(nil)))
	if t == 0 {
		t = 1
	}
	return t
}

// refGenderCode computes a gender's code independently: its rank, from 1,
// among the tokens of F, M and X.
func refGenderCode(k key.Key, g string) GenderCode {
	t := refToken(k, "gender", g)
	code := GenderCode(1)
	for _, o := range []string{"F", "M", "X"} {
		if refToken(k, "gender", o) < t {
			code++
		}
	}
	return code
}

// TestGenderCodes checks that the three genders get the three codes, in an
// order that differs from key to key.
func TestGenderCodes(t *testing.T) {
	orders := map[[3]GenderCode]bool{}
	for range 40 {
		e := NewEncoder(newKey(t))
		var codes [3]GenderCode
		for i, g := range []string{"Female", "Male", "Non-binary"} {
			var r Record
			e.Encode(&r, &person.Record{RecordID: "x", Gender: g})
			codes[i] = r.Gender
		}
		if got := codes; got[0]+got[1]+got[2] != 6 || got[0]*got[1]*got[2] != 6 {
			t.Fatalf("codes %v are not 1, 2 and 3", got)
		}
		orders[codes] = true
	}
	if len(orders) < 2 {
		t.Errorf("40 keys gave the genders one order, %v", orders)
	}
}

// refEdits computes Edits independently: the AES-256 value of the name and
// of each of its one-byte deletions, distinct, ascending.
func refEdits(k key.Key, purpose, w string) Edits {
	var e Edits
	if len(w) > MaxEditLen {
		return e
	}
	b, err := aes.NewCipher(k.Derive("edits/" + purpose))
	if err != nil {
		panic(err)
	}
	seen := map[uint32]bool{}
	var vals []uint32
	for i := -1; i < len(w); i++ {
		v := w
		if i >= 0 {
			v = w[:i] + w[i+1:]
		}
		var in, out [16]byte
		copy(in[:], v)
		in[15] = byte(len(v))
		b.Encrypt(out[:], in[:])
		x := binary.BigEndian.Uint32(out[:])
		if x == 0 {
			x = 1
		}
		if !seen[x] {
			seen[x] = true
			vals = append(vals, x)
		}
	}
	slices.Sort(vals)
	copy(e[:], vals)
	return e
}

// refFilter computes a filter independently: padded bigrams of each word,
// k positions per bigram from HMAC-SHA256(sub-key, bigram || block).
func refFilter(k key.Key, purpose string, nbits, nk int, s string) []uint64 {
	f := make([]uint64, nbits/64)
	sub := k.Derive("bloom/" + purpose)
	for _, w := range strings.Fields(s) {
		p := "_" + w + "_"
		for i := 0; i+2 <= len(p); i++ {
			n := 0
			for block := byte(0); n < nk; block++ {
				m := hmac.New(sha256.New, sub)
				m.Write([]byte{p[i], p[i+1], block})
				sum := m.Sum(nil)
				for j := 0; j < len(sum) && n < nk; j += 2 {
					x := int(binary.BigEndian.Uint16(sum[j:])) % nbits
					f[x/64] |= 1 << (x % 64)
					n++
				}
			}
		}
	}
	return f
}

func dice(a, b []uint64) float64 {
	var na, nb, both int
	for i := range a {
		na += bits.OnesCount64(a[i])
		nb += bits.OnesCount64(b[i])
		both += bits.OnesCount64(a[i] & b[i])
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(both) / float64(na+nb)
}

func fullRecord() person.Record {
	return person.Record{
		RecordID:     "R1",
		Forename:     " Mary-Jane ",
		MiddleNames:  "Anne",
		Surname:      "O'Brien-Smith",
		DOB:          date.MustOf(1980, time.March, 5),
		NINumber:     "hn 58 31 92 b",
		Passport:     "pa 123-4567",
		Gender:       "Female",
		Address:      "Flat 3, 12 High St, Stockport",
		Postcode:     "sk13nq",
		UPRN:         "000100012345678",
		Phone:        "07700 900123",
		Email:        " Mary.OBrien@Example.ORG ",
		TenancyRef:   "TEN-9",
		TenancyRole:  "joint",
		TenancyStart: date.MustOf(2015, time.May, 1),
		TenancyEnd:   date.MustOf(2024, time.January, 31),
		DateOfDeath:  date.MustOf(2024, time.January, 2),
		Balance:      money.Pence(-1234),
		Ethnicity:    "not carried",
	}
}

// TestDerivations checks every field of an encoded record against an
// independent computation from the documented derivations.
func TestDerivations(t *testing.T) {
	k := newKey(t)
	e := NewEncoder(k)
	src := fullRecord()
	var got Record
	e.Encode(&got, &src)

	want := Record{
		RecordID:         "R1",
		Forename:         refToken(k, "name", "mary"),
		MiddleNames:      refToken(k, "middle_names", "jane anne"),
		Surname:          refToken(k, "name", "obriensmith"),
		ForenameInitial:  refToken(k, "forename.initial", "m"),
		MiddleSurname:    refToken(k, "name", "anne"),
		SurnameParts:     [2]Token{refToken(k, "name", "obrien"), refToken(k, "name", "smith")},
		ForenameEdits:    refEdits(k, "forename", "mary"),
		SurnameEdits:     refEdits(k, "surname", "obriensmith"),
		NIEdits:          refEdits(k, "ni_number", "HN583192"),
		ForenamePhonetic: refToken(k, "forename.phonetic", "MR"),
		SurnamePhonetic:  refToken(k, "surname.phonetic", "APRN"),
		ForenameGroup:    refToken(k, "forename.group", "mary"),
		DOB:              refToken(k, "dob", "1980-03-05"),
		DOBYear:          refToken(k, "dob.year", "1980"),
		DOBMonthDay:      refToken(k, "dob.month_day", "03-05"),
		DOBSwapped:       refToken(k, "dob", "1980-05-03"),
		DOBYearMonth:     refToken(k, "dob.year_month", "1980-03"),
		DOBYearDay:       refToken(k, "dob.year_day", "1980-05"),
		// 1980-03-05 is day 3716: 3716/62 = 59, 3747/62 = 60,
		// 3716/732 = 5, 4082/732 = 5.
		DOBMonth:        [2]Token{refToken(k, "dob.window", "31/0/59"), refToken(k, "dob.window", "31/1/60")},
		DOBWithinYear:   [2]Token{refToken(k, "dob.window", "366/0/5"), refToken(k, "dob.window", "366/1/5")},
		NINumber:        refToken(k, "ni_number", "HN583192"),
		Passport:        refToken(k, "passport_number", "PA1234567"),
		Gender:          refGenderCode(k, "F"),
		Postcode:        refToken(k, "postcode", "SK1 3NQ"),
		PostcodeOutward: refToken(k, "postcode.outward", "SK1"),
		PostcodeSector:  refToken(k, "postcode.sector", "SK1 3"),
		HouseNumber:     refToken(k, "house_number", "12"),
		UPRN:            refToken(k, "uprn", "100012345678"),
		Phone:           refToken(k, "phone", "+447700900123"),
		Email:           refToken(k, "email", "mary.obrien@example.org"),
		TenancyRef:      "TEN-9",
		TenancyRole:     "joint",
		TenancyStart:    src.TenancyStart,
		TenancyEnd:      src.TenancyEnd,
		DateOfDeath:     src.DateOfDeath,
		Balance:         -1234,
	}
	// Double Metaphone of OBRIENSMITH: primary APRN, alternate APRN
	// (no second pronunciation), so the alternate is null.
	copy(want.ForenameBF[:], refFilter(k, "forename", NameBits, nameK, "mary"))
	copy(want.SurnameBF[:], refFilter(k, "surname", NameBits, nameK, "obriensmith"))
	copy(want.AddressBF[:], refFilter(k, "address", AddressBits, addressK, "flat 3 12 high street stockport"))
	want.ForenameCount = popcount(want.ForenameBF[:])
	want.SurnameCount = popcount(want.SurnameBF[:])
	want.AddressCount = popcount(want.AddressBF[:])

	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s = %v, want %v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

// TestWindows checks the promise of the date-of-birth windows on every
// pair of days up to 3h apart around 1970 and around today, for both
// half-widths: days at most h apart share a window of one grid, and days
// that share one are less than 2h apart.
func TestWindows(t *testing.T) {
	for _, h := range []int32{WindowMonth, WindowYear} {
		for _, start := range []int32{-4 * h, 20_000} {
			for a := start; a < start+4*h; a++ {
				wa := windows(a, h)
				for b := a; b <= a+3*h; b++ {
					wb := windows(b, h)
					share := wa[0] == wb[0] || wa[1] == wb[1]
					if b-a <= h && !share {
						t.Fatalf("h=%d: days %d and %d share no window (%v, %v)", h, a, b, wa, wb)
					}
					if share && b-a >= 2*h {
						t.Fatalf("h=%d: days %d and %d share a window (%v, %v)", h, a, b, wa, wb)
					}
				}
			}
		}
	}
}

func TestPhoneticAlternate(t *testing.T) {
	k := newKey(t)
	e := NewEncoder(k)
	// Smith: SM0 / XMT. Schmidt: XMT / SMT. The alternate code of one is
	// keyed in the same domain as the primary of the other.
	var a, b Record
	e.Encode(&a, &person.Record{Surname: "Smith"})
	e.Encode(&b, &person.Record{Surname: "Schmidt"})
	if a.SurnamePhonetic != refToken(k, "surname.phonetic", "SM0") || a.SurnamePhonAlt != refToken(k, "surname.phonetic", "XMT") {
		t.Errorf("Smith phonetic tokens are not of SM0 / XMT")
	}
	if a.SurnamePhonAlt != b.SurnamePhonetic {
		t.Error("alternate of Smith differs from primary of Schmidt")
	}
	var c Record
	e.Encode(&c, &person.Record{Forename: "Xavier"})
	if c.ForenamePhonetic != refToken(k, "forename.phonetic", "SF") || c.ForenamePhonAlt != refToken(k, "forename.phonetic", "SFR") {
		t.Error("Xavier phonetic tokens are not of SF / SFR")
	}
}

func TestNicknameGroup(t *testing.T) {
	e := NewEncoder(newKey(t))
	var bob, robert, rob, alice Record
	e.Encode(&bob, &person.Record{Forename: "Bob"})
	e.Encode(&robert, &person.Record{Forename: "ROBERT"})
	e.Encode(&rob, &person.Record{Forename: "rob"})
	e.Encode(&alice, &person.Record{Forename: "Alice"})
	if bob.ForenameGroup == 0 || bob.ForenameGroup != robert.ForenameGroup || rob.ForenameGroup != robert.ForenameGroup {
		t.Error("Bob, Rob and Robert are not in one group")
	}
	if bob.Forename == robert.Forename {
		t.Error("Bob and Robert have the same forename token")
	}
	if alice.ForenameGroup == robert.ForenameGroup {
		t.Error("Alice is in Robert's group")
	}
}

func TestDOB(t *testing.T) {
	k := newKey(t)
	e := NewEncoder(k)
	enc := func(y int, m time.Month, d int) Record {
		var r Record
		e.Encode(&r, &person.Record{DOB: date.MustOf(y, m, d)})
		return r
	}
	tests := []struct {
		name        string
		y           int
		m           time.Month
		d           int
		wantSwapped string // "" for null
	}{
		{"swappable", 1980, time.March, 5, "1980-05-03"},
		{"day equals month", 1980, time.March, 3, ""},
		{"day over 12", 1980, time.March, 15, ""},
		{"4 March", 1980, time.March, 4, "1980-04-03"},
		{"31 December", 1990, time.December, 31, ""},
		{"29 February", 2000, time.February, 29, ""},
		{"12 January", 1975, time.January, 12, "1975-12-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := enc(tt.y, tt.m, tt.d)
			iso := fmt.Sprintf("%04d-%02d-%02d", tt.y, tt.m, tt.d)
			if r.DOB != refToken(k, "dob", iso) {
				t.Errorf("DOB token is not of %s", iso)
			}
			if r.DOBYear != refToken(k, "dob.year", iso[:4]) || r.DOBMonthDay != refToken(k, "dob.month_day", iso[5:]) ||
				r.DOBYearMonth != refToken(k, "dob.year_month", iso[:7]) || r.DOBYearDay != refToken(k, "dob.year_day", iso[:5]+iso[8:]) {
				t.Error("DOB part tokens wrong")
			}
			want := Token(0)
			if tt.wantSwapped != "" {
				want = refToken(k, "dob", tt.wantSwapped)
			}
			if r.DOBSwapped != want {
				t.Errorf("DOBSwapped = %v, want token of %q", r.DOBSwapped, tt.wantSwapped)
			}
		})
	}
	// A record whose day and month were exchanged matches on DOBSwapped.
	a, b := enc(1980, time.March, 5), enc(1980, time.May, 3)
	if a.DOBSwapped != b.DOB || b.DOBSwapped != a.DOB {
		t.Error("swapped dates do not cross-match")
	}
	if a.DOBYear != b.DOBYear || a.DOBYearMonth == b.DOBYearMonth {
		t.Error("year parts wrong across swapped dates")
	}
}

func TestNulls(t *testing.T) {
	e := NewEncoder(newKey(t))
	isNull := func(r Record) []string {
		var set []string
		v := reflect.ValueOf(r)
		for i := 0; i < v.NumField(); i++ {
			if tok, ok := v.Field(i).Interface().(Token); ok && tok != 0 {
				set = append(set, v.Type().Field(i).Name)
			}
		}
		if r.ForenameCount+r.SurnameCount+r.AddressCount != 0 || r.ForenameBF != (NameFilter{}) ||
			r.SurnameBF != (NameFilter{}) || r.AddressBF != (AddressFilter{}) {
			set = append(set, "filters")
		}
		return set
	}
	tests := []struct {
		name string
		rec  person.Record
	}{
		{"empty", person.Record{RecordID: "x"}},
		{"placeholders", person.Record{
			Forename: "UNKNOWN", MiddleNames: "N/A", Surname: "Not Known", NINumber: "TN 01 01 80 F",
			Address: "No Fixed Abode", Postcode: "N/A", UPRN: "null", Phone: "N/A", Email: "none", Passport: "on file", Gender: "Not known",
			DOB: date.MustOf(1900, time.January, 1),
		}},
		{"dummy NI and blanks", person.Record{NINumber: "AA000000A", Forename: "  ", Surname: "-", UPRN: "0000", Address: " , ", Passport: "123456789", Gender: "Dr"}},
		{"punctuation", person.Record{Forename: "'''", Surname: "..", MiddleNames: "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Record
			r.Surname, r.AddressCount = 99, 7 // Encode must overwrite
			e.Encode(&r, &tt.rec)
			if set := isNull(r); len(set) != 0 {
				t.Errorf("fields set from null input: %v", set)
			}
			if r.RecordID != tt.rec.RecordID {
				t.Errorf("RecordID = %q", r.RecordID)
			}
		})
	}
	// A foreign identity number is kept (FEBRL's seven digits).
	var r Record
	e.Encode(&r, &person.Record{NINumber: "5304218", Postcode: "4223"})
	if r.NINumber == 0 || r.Postcode == 0 {
		t.Error("non-UK NI number or postcode was nulled")
	}
	if r.PostcodeOutward != 0 || r.PostcodeSector != 0 {
		t.Error("non-UK postcode has UK outward code or sector")
	}
}

// TestNormalisationEquality checks that inputs that normalise alike
// pseudonymise alike.
func TestNormalisationEquality(t *testing.T) {
	e := NewEncoder(newKey(t))
	pairs := [][2]person.Record{
		{{Forename: "José", Surname: "García-Márquez"}, {Forename: "JOSE", Surname: "garcia marquez"}},
		{{Surname: "O'Brien"}, {Surname: "OBRIEN"}},
		{{Surname: "Smith Jones"}, {Surname: "Smith-Jones"}},
		{{Forename: "Mary Jane"}, {Forename: "Mary", MiddleNames: "Jane"}},
		{{Postcode: "sk1 3nq"}, {Postcode: "SK13NQ"}},
		{{Address: "12 High St"}, {Address: "12 high street"}},
		{{Phone: "+44 (0)7700 900123"}, {Phone: "07700900123"}},
		{{NINumber: "HN 58 31 92 B"}, {NINumber: "hn583192"}},
		{{Passport: "pa 123 4567"}, {Passport: "PA1234567"}},
		{{Gender: "Female"}, {Gender: "Mrs"}},
		{{UPRN: "00012345"}, {UPRN: "12345.0"}},
		{{Email: "A@B.COM"}, {Email: " a@b.com"}},
	}
	for _, p := range pairs {
		var a, b Record
		e.Encode(&a, &p[0])
		e.Encode(&b, &p[1])
		if a != b {
			t.Errorf("%+v and %+v encode differently", p[0], p[1])
		}
		if a == (Record{}) {
			t.Errorf("%+v encodes to nothing", p[0])
		}
	}
}

// population makes n varied clear records with repeated and unique values.
func population(n int, seed uint64) []person.Record {
	r := rand.New(rand.NewPCG(seed, 1))
	fns := []string{"Mary", "John", "Robert", "Bob", "Siobhán", "Zoë", "Mohammed", "Aisha", "Piotr", "Jean-Paul"}
	sns := []string{"Smith", "Jones", "O'Brien", "Patel", "Nowak", "Smith-Jones", "MacDonald", "Nguyen"}
	out := make([]person.Record, n)
	for i := range out {
		out[i] = person.Record{
			RecordID:    fmt.Sprint("R", i),
			Forename:    fns[r.IntN(len(fns))],
			Surname:     sns[r.IntN(len(sns))] + strings.Repeat("e", r.IntN(3)),
			MiddleNames: []string{"", "", "Anne", "James"}[r.IntN(4)],
			DOB:         date.FromDays(int32(-10000 + r.IntN(20000))),
			NINumber:    fmt.Sprintf("HN%06dC", r.IntN(1000000)),
			Address:     fmt.Sprintf("%d %s Road", 1+r.IntN(200), []string{"Mill", "Church", "Station"}[r.IntN(3)]),
			Postcode:    fmt.Sprintf("SK%d %dNQ", 1+r.IntN(9), r.IntN(10)),
			UPRN:        fmt.Sprint(100000000000 + i),
			Phone:       fmt.Sprintf("07700 9%05d", r.IntN(100000)),
			Email:       fmt.Sprintf("p%d@example.org", i),
			Balance:     money.Pence(r.IntN(10000)),
		}
		if i%3 != 0 {
			out[i].Passport = fmt.Sprintf("%09d", 500000000+7*i)
		}
	}
	return out
}

func TestDeterministic(t *testing.T) {
	k := newKey(t)
	src := population(3000, 1)
	one := make([]Record, len(src))
	NewEncoder(k).EncodeBatch(one, src)

	e2 := NewEncoder(k)
	two := make([]Record, len(src))
	if err := e2.EncodeAll(context.Background(), two, src, 3); err != nil {
		t.Fatal(err)
	}
	// Encode record by record on a warm encoder, in reverse order.
	three := make([]Record, len(src))
	for i := len(src) - 1; i >= 0; i-- {
		e2.Encode(&three[i], &src[i])
	}
	for i := range src {
		if one[i] != two[i] || one[i] != three[i] {
			t.Fatalf("record %d encodes differently across encoders, batches or order", i)
		}
	}
}

func TestDifferentKeys(t *testing.T) {
	src := population(3000, 2)
	a := make([]Record, len(src))
	b := make([]Record, len(src))
	NewEncoder(newKey(t)).EncodeBatch(a, src)
	NewEncoder(newKey(t)).EncodeBatch(b, src)

	tokens := func(rs []Record) map[Token]bool {
		m := map[Token]bool{}
		for _, r := range rs {
			v := reflect.ValueOf(r)
			for i := 0; i < v.NumField(); i++ {
				if tok, ok := v.Field(i).Interface().(Token); ok && tok != 0 {
					m[tok] = true
				}
			}
		}
		return m
	}
	ta, tb := tokens(a), tokens(b)
	if len(ta) < 10000 {
		t.Fatalf("only %d distinct tokens", len(ta))
	}
	for tok := range ta {
		if tb[tok] {
			t.Fatalf("token %x appears under both keys", uint64(tok))
		}
	}
	// The same value's filters under two keys overlap no more than two
	// unrelated values' filters under one key.
	var same, unrelated float64
	for i := range a {
		same += dice(a[i].SurnameBF[:], b[i].SurnameBF[:])
		unrelated += dice(a[i].SurnameBF[:], a[(i+1)%len(a)].SurnameBF[:])
	}
	same /= float64(len(a))
	unrelated /= float64(len(a))
	fill := 0.0
	for _, r := range a {
		fill += float64(r.SurnameCount) / NameBits
	}
	fill /= float64(len(a))
	t.Logf("mean Dice: same value across keys %.3f, unrelated values %.3f, fill %.3f", same, unrelated, fill)
	if same > fill+0.05 {
		t.Errorf("mean Dice of one value across keys %.3f exceeds the chance overlap %.3f", same, fill)
	}
}

// TestOneEditDice checks that a one-character change lowers Dice
// modestly, and unrelated names score low.
func TestOneEditDice(t *testing.T) {
	e := NewEncoder(newKey(t))
	r := rand.New(rand.NewPCG(3, 4))
	names := []string{"smith", "jones", "williams", "taylor", "brown", "davies", "evans", "thomas", "johnson",
		"roberts", "robinson", "thompson", "wright", "walker", "edwards", "hughes", "green", "harris", "clarke",
		"patel", "jackson", "cooper", "morris", "richardson", "wilkinson", "fletcher", "macdonald", "kowalski"}
	enc := func(s string) NameFilter {
		var rec Record
		e.Encode(&rec, &person.Record{Surname: s})
		return rec.SurnameBF
	}
	for _, n := range names {
		for range 5 {
			i := r.IntN(len(n))
			c := byte('a' + r.IntN(26))
			if c == n[i] {
				continue
			}
			m := n[:i] + string(c) + n[i+1:]
			a, b := enc(n), enc(m)
			d := dice(a[:], b[:])
			// A substitution changes at most 2 of the len+1 bigrams.
			lo := 1 - 2.0/float64(len(n)+1) - 0.15
			if d >= 1 || d < lo {
				t.Errorf("Dice(%s, %s) = %.3f, want in [%.2f, 1)", n, m, d, lo)
			}
		}
	}
	// Different names score lower on average than one-edit variants.
	sum, pairs := 0.0, 0
	for i, n := range names {
		for _, o := range names[i+1:] {
			a, b := enc(n), enc(o)
			sum += dice(a[:], b[:])
			pairs++
		}
	}
	if mean := sum / float64(pairs); mean > 0.45 {
		t.Errorf("mean Dice between different names %.3f, want <= 0.45", mean)
	}
}

func TestKeyMismatch(t *testing.T) {
	k := newKey(t)
	e := NewEncoder(k)
	ok := FileMeta{KeyID: k.ID(), Dataset: "d", Role: person.RolePeople, Params: CurrentParams()}
	if err := e.Compatible(ok); err != nil {
		t.Errorf("Compatible(own meta): %v", err)
	}
	other := ok
	other.KeyID = newKey(t).ID()
	if err := e.Compatible(other); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("Compatible(other key) = %v, want ErrKeyMismatch", err)
	}
	p := ok
	p.Params.NameK++
	if err := e.Compatible(p); err == nil || errors.Is(err, ErrKeyMismatch) {
		t.Errorf("Compatible(other params) = %v", err)
	}
	if e.KeyID() != k.ID() || e.Params() != CurrentParams() {
		t.Error("KeyID or Params wrong")
	}
}

func TestMemoGenerations(t *testing.T) {
	var c memo[int]
	n := 3*cacheLimit + 17
	for i := range n {
		c.put(fmt.Sprint(i), i)
		// A hot key stays cached across generations.
		if v, ok := c.get("0"); !ok || v != 0 {
			t.Fatalf("hot key lost after %d puts", i)
		}
	}
	if len(c.cur.idx) > cacheLimit || len(c.old.idx) > cacheLimit || c.cur.n != len(c.cur.idx) {
		t.Fatalf("cache grew to %d + %d entries", len(c.cur.idx), len(c.old.idx))
	}
	for i := n - cacheLimit/2; i < n; i++ {
		if v, ok := c.get(fmt.Sprint(i)); !ok || v != i {
			t.Fatalf("recent key %d lost", i)
		}
	}
	if _, ok := c.get(fmt.Sprint(5)); ok {
		t.Error("an old, cold key survived two generations")
	}
	// Keys are copied: changing the caller's bytes does not change them.
	b := []byte("mutable")
	var d memo[int]
	d.put(unsafe.String(&b[0], len(b)), 1)
	b[0] = 'X'
	if _, ok := d.get("mutable"); !ok {
		t.Error("key not copied")
	}
	// Keys longer than maxShort are not cached, and do not collide with
	// their prefixes.
	long := strings.Repeat("a", maxShort+1)
	d.put(long, 2)
	if _, ok := d.get(long); ok {
		t.Error("a long key was cached")
	}
	d.put(long[:maxShort], 3)
	if v, ok := d.get(long[:maxShort]); !ok || v != 3 {
		t.Error("a key of maxShort bytes was not cached")
	}
	if _, ok := d.get(long[:maxShort-1]); ok {
		t.Error("a prefix of a cached key hits")
	}
	d.put("", 4)
	if v, ok := d.get(""); !ok || v != 4 {
		t.Error("the empty key was not cached")
	}
	f := memo[int]{fold: true}
	f.put(" Smith ", 5)
	for _, s := range []string{"smith", "SMITH", "  sMiTh"} {
		if v, ok := f.get(s); !ok || v != 5 {
			t.Errorf("folding cache misses %q", s)
		}
	}
	if _, ok := f.get("smyth"); ok {
		t.Error("folding cache hits a different name")
	}
	if _, ok := d.get("MUTABLE"); ok {
		t.Error("a non-folding cache folds case")
	}
}

func TestUPRN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"100012345678", "100012345678"},
		{" 000100012345678 ", "100012345678"},
		{"100012345678.0", "100012345678"},
		{"1000 1234 5678", "100012345678"},
		{"0", ""},
		{"", ""},
		{"N/A", ""},
		{"unknown", ""},
		{"abc 12", "ABC12"},
		{"1.5", "1.5"},
	}
	for _, tt := range tests {
		if got := normUPRN(tt.in); got != tt.want {
			t.Errorf("normUPRN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzUPRN(f *testing.F) {
	for _, s := range []string{"100012345678", "0001.00", "abc", " 1 2 ", ".0", "1..0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := normUPRN(s)
		if normUPRN(n) != n {
			t.Fatalf("normUPRN not idempotent: %q → %q → %q", s, n, normUPRN(n))
		}
		if strings.ContainsAny(n, " \t\r\n") {
			t.Fatalf("normUPRN(%q) = %q keeps spaces", s, n)
		}
	})
}

func TestEncodeBatchPanicsOnShortDst(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	NewEncoder(newKey(t)).EncodeBatch(make([]Record, 1), make([]person.Record, 2))
}

func TestEncodeAllCancelled(t *testing.T) {
	e := NewEncoder(newKey(t))
	src := population(10000, 5)
	dst := make([]Record, len(src))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.EncodeAll(ctx, dst, src, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("EncodeAll with a cancelled context: %v", err)
	}
}

// FuzzEncode encodes arbitrary strings in every field: no panic, counts
// match the filters, and the normalised form of an input encodes like the
// input.
func FuzzEncode(f *testing.F) {
	k, err := key.Generate()
	if err != nil {
		f.Fatal(err)
	}
	e := NewEncoder(k)
	f.Add("Mary-Jane", "O'Brien", "Flat 3, 12 High St", "sk1 3nq", "AB123456C", "07700900123", "a@b.org", "0012", "Anne")
	f.Add("", "", "", "", "", "", "", "", "")
	f.Add("\xff\xfe", "Zoë Łukasz", "12a St Mary's Rd", "GIR0AA", "TN010180F", "+1 555", "@@", "x", "mr")
	f.Fuzz(func(t *testing.T, fn, sn, addr, pc, ni, phone, email, uprn, middle string) {
		src := person.Record{Forename: fn, Surname: sn, Address: addr, Postcode: pc, NINumber: ni,
			Phone: phone, Email: email, UPRN: uprn, MiddleNames: middle}
		var r Record
		e.Encode(&r, &src)
		if r.ForenameCount != popcount(r.ForenameBF[:]) || r.SurnameCount != popcount(r.SurnameBF[:]) ||
			r.AddressCount != popcount(r.AddressBF[:]) {
			t.Fatal("counts do not match filters")
		}
		// Encoding is a function of the normalised values: encoding
		// already-normalised names and UPRN gives the same tokens.
		norm := src
		norm.Forename = normalize.Name(fn)
		norm.Surname = normalize.Name(sn)
		norm.MiddleNames = normalize.Name(middle)
		norm.UPRN = normUPRN(uprn)
		var n Record
		e.Encode(&n, &norm)
		if n != r {
			t.Fatalf("normalised input encodes differently")
		}
		var again Record
		e.Encode(&again, &src)
		if again != r {
			t.Fatal("encoding is not deterministic")
		}
		// The caches fold case and outer spaces in their keys: that is
		// right only if the normalisers ignore both. Empty caches
		// compare the values computed from each form.
		folded := src
		folded.Forename = " " + asciiCase(fn, true)
		folded.Surname = asciiCase(sn, false) + " "
		folded.MiddleNames = asciiCase(middle, true)
		folded.Postcode = " " + asciiCase(pc, false) + " "
		var x, y Record
		e.encode(newState(), &x, &src)
		e.encode(newState(), &y, &folded)
		if x != y {
			t.Fatalf("case or outer spaces change the encoding")
		}
	})
}

// asciiCase changes the case of ASCII letters only, leaving every other
// byte as it is (strings.ToUpper would replace invalid UTF-8).
func asciiCase(s string, upper bool) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestHouseNumber(t *testing.T) {
	for _, raw := range []string{
		"12 High Street", "12a High St", "12 A High St", "Flat 3, 12 High St", "3 Rose Court, 7 Mill Lane",
		"1st Floor Flat, 9 Mill Lane", "Ground Floor Flat 12 High St", "No. 5 The Green", "5", "5b", "5bc Road",
		"21st Century House, 4 Mill Lane", "Rose Cottage", "", "12-14 High St", "12/3 Church Rd", "0 Main St",
		"123456 Long Number Rd", "7 St Marys Road", "Unit 4, 22 Trade Park",
	} {
		a := normalize.Address(raw)
		if got, want := houseNumber(a), normalize.HouseNumber(a); got != want {
			t.Errorf("houseNumber(%q) = %q, normalize.HouseNumber = %q", a, got, want)
		}
	}
}

func FuzzHouseNumber(f *testing.F) {
	for _, s := range []string{"12 high street", "12a", "flat 3 12 high street", "1st floor 4", "9z 8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		a := normalize.Address(raw)
		if got, want := houseNumber(a), normalize.HouseNumber(a); got != want {
			t.Fatalf("houseNumber(%q) = %q, normalize.HouseNumber = %q", a, got, want)
		}
	})
}

// TestDOBTable checks that the date-of-birth pseudonyms the workers share
// are those derived afresh, inside the table's years and outside them,
// when many workers fill the table at once.
func TestDOBTable(t *testing.T) {
	e := NewEncoder(newKey(t))
	days := []date.Date{
		date.MustOf(dobFirstYear, time.January, 1), date.MustOf(dobLastYear, time.December, 31),
		date.MustOf(dobFirstYear-1, time.December, 31), date.MustOf(dobLastYear+1, time.January, 1),
		date.MustOf(1970, time.January, 1), date.MustOf(1984, time.July, 3), date.MustOf(2000, time.February, 29),
	}
	for range 300 {
		days = append(days, date.FromDays(int32(-20000+len(days)*97%40000)))
	}
	want := make([]dobInfo, len(days))
	for i, d := range days {
		want[i] = e.dob(newState(), d)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := newState()
			for k := range 3 * len(days) {
				i := (k*7 + w) % len(days)
				if got := e.dobs.get(days[i], func(d date.Date) dobInfo { return e.dob(st, d) }); got != want[i] {
					t.Errorf("date %s: shared pseudonyms differ from derived ones", days[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	ready := 0
	for i := range e.dobs.state {
		if e.dobs.state[i].Load() == dobReady {
			ready++
		}
	}
	if ready == 0 || ready > len(days) {
		t.Errorf("%d days ready in the table after %d distinct dates", ready, len(days))
	}
}
