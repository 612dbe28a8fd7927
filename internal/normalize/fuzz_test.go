package normalize

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// seeds are inputs shared by the fuzz targets.
var seeds = []string{
	"", " ", "John Smith", "Mr J. O'Brien-Smith Jnr", "Zoë Łukasz Ørsted", "Siobhán",
	"UNKNOWN", "N/A", "-", "\xff", "a\xc3", "Иван", "ß", "SK1 3NQ", "sk13nq", "SW1A OAA",
	"GIR 0AA", "ZZ99 3VZ", "4223", "JG 10 37 59 A", "TN010283M", "QQ123456C", "7421835",
	"+44 (0)7700 900123", "0044 20 7946 0018", "07700 900123 ext 4", "+1 202 555 0143",
	"Jane.Doe@Example.org", "a@b@c", "Flat 3, 12 High St", "12 a St Marys Rd", "no no 5",
	"Church St, St Albans", "Dr Johnsons Ho", "Gr Flr Flat, 1 Oak Gr", "1st Floor Flat 2",
	"\u00a0\u2013\u2019", "12\u00a0345", "Ol·la", "x", "XX", "000",
	"van der Berg", "de la Cruz-Garcia", "Smith-Smith",
}

func FuzzName(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Name(s)
		for i := 0; i < len(n); i++ {
			if c := n[i]; !('a' <= c && c <= 'z' || c == ' ') {
				t.Fatalf("Name(%q) = %q has byte %q", s, n, c)
			}
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Name(%q) = %q is not trimmed and collapsed", s, n)
		}
		if n2 := Name(n); n2 != n {
			t.Fatalf("Name(Name(%q)) = %q, want %q", s, n2, n)
		}
		if got := strings.Join(NameTokens(s), " "); got != n {
			t.Fatalf("NameTokens(%q) joined = %q, want %q", s, got, n)
		}
		if HasName(s) != (n != "") {
			t.Fatalf("HasName(%q) = %v, Name = %q", s, HasName(s), n)
		}
		checkSurnameParts(t, n)
	})
}

// checkSurnameParts checks SurnameParts' promises on a canonical name n:
// each part is one of n's words and no particle, the two differ, there is
// a last part only if there is a first, and a name of one word has none.
func checkSurnameParts(t *testing.T, n string) {
	t.Helper()
	first, last := SurnameParts(n)
	words := strings.Fields(n)
	for _, p := range []string{first, last} {
		if p != "" && (!slices.Contains(words, p) || len(p) < 2 || surnameParticles[p]) {
			t.Fatalf("SurnameParts(%q) = %q, %q: %q is not a part", n, first, last, p)
		}
	}
	if (first == "" && last != "") || (first != "" && first == last) || (len(words) < 2 && first != "") {
		t.Fatalf("SurnameParts(%q) = %q, %q", n, first, last)
	}
}

func FuzzAddress(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Address(s)
		for i := 0; i < len(a); i++ {
			if c := a[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == ' ') {
				t.Fatalf("Address(%q) = %q has byte %q", s, a, c)
			}
		}
		if strings.HasPrefix(a, " ") || strings.HasSuffix(a, " ") || strings.Contains(a, "  ") {
			t.Fatalf("Address(%q) = %q is not trimmed and collapsed", s, a)
		}
		if a2 := Address(a); a2 != a {
			t.Fatalf("Address(Address(%q)) = %q, want %q", s, a2, a)
		}
		h := HouseNumber(s)
		if h2 := HouseNumber(a); h2 != h {
			t.Fatalf("HouseNumber(Address(%q)) = %q, HouseNumber = %q", s, h2, h)
		}
		if h != "" && (!isDigit(h[0]) || !strings.Contains(" "+a+" ", " "+h+" ")) {
			t.Fatalf("HouseNumber(%q) = %q is not a number of %q", s, h, a)
		}
	})
}

func FuzzPostcode(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pc, uk := Postcode(s)
		if slow, slowUK := postcode(s); pc != slow || uk != slowUK {
			t.Fatalf("Postcode(%q) = %q, %v; without the fast path %q, %v", s, pc, uk, slow, slowUK)
		}
		pc2, uk2 := Postcode(pc)
		if pc != "" && (pc2 != pc || uk2 != uk) {
			t.Fatalf("Postcode(%q) = %q, %v; again = %q, %v", s, pc, uk, pc2, uk2)
		}
		out, sector := PostcodeOutward(pc), PostcodeSector(pc)
		if uk {
			if out == "" || !strings.HasPrefix(pc, out+" ") || sector != pc[:len(pc)-2] {
				t.Fatalf("Postcode(%q) = %q: outward %q, sector %q", s, pc, out, sector)
			}
			if len(pc) < 6 || len(pc) > 8 || strings.Count(pc, " ") != 1 {
				t.Fatalf("Postcode(%q) = %q is not canonical", s, pc)
			}
		} else if out != "" || sector != "" {
			t.Fatalf("non-UK Postcode(%q) = %q has outward %q, sector %q", s, pc, out, sector)
		}
		if strings.ContainsAny(pc, "abcdefghijklmnopqrstuvwxyz\t\n") || (!uk && strings.Contains(pc, " ")) {
			t.Fatalf("Postcode(%q) = %q is not upper case without spaces", s, pc)
		}
	})
}

func FuzzNINumber(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		core, st := NINumber(s)
		switch st {
		case NIValid:
			if len(core) != 8 {
				t.Fatalf("NINumber(%q) = %q, valid, is not 8 characters", s, core)
			}
		case NIFormat:
			if core == "" {
				t.Fatalf("NINumber(%q) = \"\", format", s)
			}
		case NIPlaceholder, NIEmpty:
			if core != "" {
				t.Fatalf("NINumber(%q) = %q, %v, want empty core", s, core, st)
			}
			return
		default:
			t.Fatalf("NINumber(%q) status %d", s, st)
		}
		if core2, _ := NINumber(core); core2 != core {
			t.Fatalf("NINumber(%q) = %q; NINumber(core) = %q", s, core, core2)
		}
		if strings.ContainsAny(core, " -abcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("NINumber(%q) = %q is not cleaned", s, core)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := Phone(s)
		if p == "" {
			if ok {
				t.Fatalf("Phone(%q) = \"\", true", s)
			}
			return
		}
		digits := strings.TrimPrefix(p, "+")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("Phone(%q) = %q is not + and digits", s, p)
		}
		if ok && (p[0] != '+' || len(digits) < 8 || len(digits) > 15) {
			t.Fatalf("Phone(%q) = %q, true is not E.164", s, p)
		}
		if p2, ok2 := Phone(p); p2 != p || ok2 != ok {
			t.Fatalf("Phone(%q) = %q, %v; again = %q, %v", s, p, ok, p2, ok2)
		}
	})
}

// FuzzPhoneStatus checks that PhoneStatus says what Phone does.
func FuzzPhoneStatus(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add("+44 7700 900123 0000000000000000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := Phone(s)
		if present, ok2 := PhoneStatus(s); present != (p != "") || ok2 != ok {
			t.Fatalf("PhoneStatus(%q) = %v, %v; Phone = %q, %v", s, present, ok2, p, ok)
		}
	})
}

// FuzzEmailStatus checks that EmailStatus says what Email does.
func FuzzEmailStatus(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(" Mary.Smith@Example.ORG ")
	for _, s := range []string{"a@b.c", "a@.b.c", "a@b..c", "a@b.c.", "@b.c", "a@b", "a.@b.c", "a@b@c.d", "a b@c.d", "a@b.c\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := Email(s)
		if present, ok2 := EmailStatus(s); present != (e != "") || ok2 != ok {
			t.Fatalf("EmailStatus(%q) = %v, %v; Email = %q, %v", s, present, ok2, e, ok)
		}
		if got, want := wellFormedEmail(s), wellFormedEmailByRule(s); got != want {
			t.Fatalf("wellFormedEmail(%q) = %v, want %v", s, got, want)
		}
	})
}

// wellFormedEmailByRule is wellFormedEmail as its rule reads, one test at
// a time: one @ with something before it, and a domain with a dot, not at
// either end nor doubled, and no white space anywhere.
func wellFormedEmailByRule(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || strings.Count(s, "@") > 1 {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.Contains(domain, "..") && !strings.ContainsAny(s, " \t\n\r\v\f")
}

func FuzzEmail(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := Email(s)
		if e2, ok2 := Email(e); e2 != e || (e != "" && ok2 != ok) {
			t.Fatalf("Email(%q) = %q, %v; again = %q, %v", s, e, ok, e2, ok2)
		}
		if ok && (strings.Count(e, "@") != 1 || strings.ContainsAny(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
			t.Fatalf("Email(%q) = %q, true", s, e)
		}
	})
}

// FuzzMayBePlaceholder checks that the quick test never turns away a
// placeholder.
func FuzzMayBePlaceholder(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	for k := range placeholderKeys {
		f.Add(" " + strings.ToUpper(k[:1]) + "." + k[1:])
	}
	f.Fuzz(func(t *testing.T, s string) {
		if placeholderKey(s) && !mayBePlaceholder(s) {
			t.Fatalf("%q is a placeholder, but the quick test turns it away", s)
		}
	})
}

func FuzzIsPlaceholder(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := IsPlaceholder(s)
		if up := strings.ToUpper(s); utf8.ValidString(s) && isASCII(s) && IsPlaceholder(up) != p {
			t.Fatalf("IsPlaceholder(%q) = %v but IsPlaceholder(%q) = %v", s, p, up, !p)
		}
		if p && Name(s) != "" {
			t.Fatalf("IsPlaceholder(%q) but Name = %q", s, Name(s))
		}
		if want := placeholderByRule(s); p != want {
			t.Fatalf("IsPlaceholder(%q) = %v, the documented rule says %v", s, p, want)
		}
	})
}

// placeholderByRule is IsPlaceholder as its documentation states it, done
// the slow way: the value reduced to its lower-case ASCII letters and
// digits, then compared with the keys and patterns.
func placeholderByRule(s string) bool {
	var key strings.Builder
	punct := false
	for _, r := range s {
		switch {
		case r >= utf8.RuneSelf && !isSpaceOrDash(r), r == utf8.RuneError:
			return false
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			key.WriteRune(r)
		case 'A' <= r && r <= 'Z':
			key.WriteRune(r + 'a' - 'A')
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
		default:
			punct = true
		}
	}
	k := key.String()
	switch {
	case k == "":
		return punct
	case len(k) > maxPlaceholderKey:
		return false
	case strings.Trim(k, "x") == "" && len(k) >= 2, strings.Trim(k, "z") == "" && len(k) >= 3, strings.Trim(k, "0") == "":
		return true
	}
	_, ok := placeholderKeys[k]
	return ok
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// FuzzPassport checks Passport's promises: a cleaned value of upper-case
// letters and digits with a digit, of the well-formed length when ok, that
// Passport gives back unchanged; and PassportStatus saying the same.
func FuzzPassport(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	for _, s := range []string{"PA1234567", "541 236 987", "123456789", "ON FILE", "x-1", "GBR5412369870000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := Passport(s)
		if present, ok2 := PassportStatus(s); present != (d != "") || ok2 != ok {
			t.Fatalf("PassportStatus(%q) = %v, %v; Passport = %q, %v", s, present, ok2, d, ok)
		}
		if d == "" {
			if ok {
				t.Fatalf("Passport(%q) = \"\", ok", s)
			}
			return
		}
		digit := false
		for i := 0; i < len(d); i++ {
			c := d[i]
			switch {
			case '0' <= c && c <= '9':
				digit = true
			case 'A' <= c && c <= 'Z':
			default:
				t.Fatalf("Passport(%q) = %q holds %q", s, d, c)
			}
		}
		if !digit {
			t.Fatalf("Passport(%q) = %q has no digit", s, d)
		}
		if ok && (len(d) < minPassportLen || len(d) > maxPassportLen) {
			t.Fatalf("Passport(%q) = %q, ok, of length %d", s, d, len(d))
		}
		if d2, ok2 := Passport(d); d2 != d || (ok && !ok2) {
			t.Fatalf("Passport(%q) = %q, %v; Passport of that = %q, %v", s, d, ok, d2, ok2)
		}
	})
}
