package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/datamatch/datamatch/internal/date"
)

// niPrefixes are the two-letter National Insurance number prefixes HMRC can
// allocate: D, F, I, Q, U and V are never used, O is never second, and BG,
// GB, KN, NK, NT, TN and ZZ are not allocated.
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
			p := string([]byte{a, b})
			switch p {
			case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
				continue
			}
			out = append(out, p)
		}
	}
	return out
}()

// niDigits is the number of six-digit serials per prefix; 000000 is never
// issued, so that AA000000A stays recognisably a placeholder.
const niDigits = 999_999

// niAllocator gives every person a distinct, valid National Insurance
// number by permuting person ids over the whole number space.
type niAllocator struct {
	a, b, n uint64
}

func newNIAllocator(seed uint64) niAllocator {
	n := uint64(len(niPrefixes)) * niDigits
	a, b := affine(n, mix64(seed, 0x4e49))
	return niAllocator{a, b, n}
}

// passportAllocator gives every person who holds a passport distinct nine-digit
// numbers, one for each issue (a passport renewed, or reissued in a new
// name, gets a new number), by permuting (person, issue) over the numbers
// 100000000 to 999999999. Who holds a passport at all is a function of the
// person id too, so that every record of a person agrees on it.
type passportAllocator struct {
	a, b, n, salt uint64
}

// passportShare is the share of adults who hold a passport.
const passportShare = 0.75

func newPassportAllocator(seed uint64) passportAllocator {
	const n = 900_000_000
	a, b := affine(n, mix64(seed, 0x7061))
	return passportAllocator{a, b, n, mix64(seed, 0x7062)}
}

// holds reports whether person pid holds a passport. Under the zero
// allocator nobody does.
func (x passportAllocator) holds(pid int64) bool {
	return x.n != 0 && mix64(uint64(pid), x.salt)%1000 < passportShare*1000
}

// number returns the number of issue (0 or 1) of person pid's passport.
func (x passportAllocator) number(pid int64, issue int) string {
	i := (x.a*(2*uint64(pid)+uint64(issue&1)) + x.b) % x.n
	return strconv.FormatUint(100_000_000+i, 10)
}

// number returns the NI number of person pid, "AB123456C".
func (x niAllocator) number(pid int64) string {
	i := (x.a*uint64(pid) + x.b) % x.n
	var buf [9]byte
	copy(buf[:2], niPrefixes[i/niDigits])
	serial := i%niDigits + 1
	for k := 7; k >= 2; k-- {
		buf[k] = byte('0' + serial%10)
		serial /= 10
	}
	buf[8] = "ABCD"[mix64(uint64(pid), 0x5f)%4]
	return string(buf[:])
}

// spacedNI writes an NI number the way it is printed on cards: "AB 12 34 56 C".
func spacedNI(ni string) string {
	if len(ni) != 9 {
		return ni
	}
	return ni[0:2] + " " + ni[2:4] + " " + ni[4:6] + " " + ni[6:8] + " " + ni[8:9]
}

// temporaryNI is the old temporary reference number form, TN followed by
// the date of birth and M or F, which councils and landlords recorded when
// the real number was not known. It is not a valid NI number.
func temporaryNI(dob date.Date, sex byte) string {
	y, m, d := dob.Civil()
	if dob.IsZero() {
		y, m, d = 1970, 1, 1
	}
	return "TN" + pad2(d) + pad2(int(m)) + pad2(y%100) + string(sex)
}

func pad2(v int) string {
	if v < 10 {
		return "0" + strconv.Itoa(v)
	}
	return strconv.Itoa(v)
}

// phoneNumber returns a mobile number in Ofcom's range reserved for drama,
// 07700 900000 to 07700 900999, in the landlord's form "07700 900123".
// There are only a thousand such numbers, so unrelated people share them.
func phoneNumber(r *rand.Rand) string {
	n := r.IntN(1000)
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return "07700 900" + s
}

// phoneCompact writes a phone number without spaces: "07700900123".
func phoneCompact(p string) string { return strings.ReplaceAll(p, " ", "") }

// phoneIntl writes a phone number in international form: "+44 7700 900123".
func phoneIntl(p string) string {
	c := phoneCompact(p)
	if len(c) != 11 || c[0] != '0' {
		return p
	}
	return "+44 " + c[1:5] + " " + c[5:]
}

// emailDomains are reserved for documentation (RFC 2606), so no generated
// address can reach a real mailbox.
var emailDomains = []string{"example.com", "example.org", "example.net", "mail.example.com", "example.co.uk"}

// emailAddress makes an email address from a person's names and year of
// birth, in one of the forms people choose.
func emailAddress(r *rand.Rand, pid int64, forename, surname string, year int) string {
	f := emailPart(forename)
	s := emailPart(surname)
	if f == "" {
		f = "user"
	}
	if s == "" {
		s = "mail"
	}
	var local string
	switch r.IntN(6) {
	case 0:
		local = f + "." + s
	case 1:
		local = f[:1] + s
	case 2:
		local = f + s + pad2(year%100)
	case 3:
		local = s + "." + f[:1]
	case 4:
		local = f + "_" + s + strconv.Itoa(r.IntN(99)+1)
	default:
		local = f + "." + s + strconv.Itoa(r.IntN(999)+1)
	}
	// A mailbox belongs to one person: providers refuse a name that is
	// taken, which is why people with common names carry numbers. The
	// person's id, in base 36, makes every address in the population
	// unique, so that an email never joins two different people.
	return local + strconv.FormatInt(pid, 36) + "@" + emailDomains[r.IntN(len(emailDomains))]
}

// emailPart lower-cases a name and keeps only ASCII letters and digits.
func emailPart(name string) string {
	var b strings.Builder
	for _, c := range foldAccents(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			b.WriteRune(c + 'a' - 'A')
		}
	}
	return b.String()
}

// foldAccents removes diacritics the way systems limited to ASCII write
// names: Wiśniewska becomes Wisniewska and Łukasz becomes Lukasz.
func foldAccents(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, c := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, c):
			continue
		case c == 'ł':
			c = 'l'
		case c == 'Ł':
			c = 'L'
		case c == 'ß':
			b.WriteString("ss")
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
