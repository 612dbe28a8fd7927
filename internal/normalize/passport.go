package normalize

import "strings"

// Lengths of a well-formed travel document number. ICAO Doc 9303 allows
// nine characters in the machine-readable zone, a UK passport has nine
// digits, and some states issue shorter numbers; administrative data may
// add a country prefix.
const (
	minPassportLen = 6
	maxPassportLen = 12
)

// Passport returns the canonical form of a passport's (or another travel
// document's) number and whether it is well formed.
//
// The value is cleaned by removing ASCII white space, dashes, dots and
// slashes and upper-casing ASCII letters; any other character is dropped
// and makes the value malformed. A well-formed number is 6 to 12 letters
// and digits. Passport returns "" and false for a blank value, a
// placeholder (see IsPlaceholder), a value with no digit (ON FILE,
// PROVIDED), one character repeated (000000000) and a run of consecutive
// digits (123456789, 987654321); it returns the cleaned value and false
// for any other value that is not well formed, so that it can be flagged
// and still matched.
func Passport(s string) (doc string, ok bool) {
	var buf [maxPassportLen + 4]byte
	d, ok := passport(buf[:0], s)
	if len(d) == 0 {
		return "", false
	}
	if string(d) == s {
		return s, ok
	}
	return string(d), ok
}

// PassportStatus reports what Passport would: whether s holds a number at
// all (Passport's result is not "") and whether it is well formed, without
// making the string.
func PassportStatus(s string) (present, ok bool) {
	var buf [maxPassportLen + 4]byte
	d, ok := passport(buf[:0], s)
	return len(d) > 0, ok
}

// passport appends the cleaned number of s to dst, returning nothing for a
// placeholder, and reports whether it is well formed.
func passport(dst []byte, s string) ([]byte, bool) {
	if IsPlaceholder(strings.TrimSpace(s)) {
		return nil, false
	}
	ok := true
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
		case 'A' <= c && c <= 'Z':
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-' || c == '.' || c == '/':
			continue
		default:
			ok = false
			continue
		}
		dst = append(dst, c)
	}
	if digits == 0 || repeated(dst) || digitRun(dst) {
		return nil, false
	}
	if len(dst) < minPassportLen || len(dst) > maxPassportLen {
		ok = false
	}
	return dst, ok
}

// repeated reports whether d is one character repeated.
func repeated(d []byte) bool {
	for i := 1; i < len(d); i++ {
		if d[i] != d[0] {
			return false
		}
	}
	return true
}

// digitRun reports whether d is three or more digits each one more, or
// each one less, than the one before (modulo 10: 890123 is a run).
func digitRun(d []byte) bool {
	if len(d) < 3 {
		return false
	}
	for _, step := range []byte{1, 9} {
		run := true
		for i := range d {
			if d[i] < '0' || d[i] > '9' || (i > 0 && (d[i]-'0') != (d[i-1]-'0'+step)%10) {
				run = false
				break
			}
		}
		if run {
			return true
		}
	}
	return false
}
