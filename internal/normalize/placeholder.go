package normalize

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/date"
)

// placeholderKeys are the placeholder values after reduction to their
// lower-case ASCII letters and digits (see IsPlaceholder).
var placeholderKeys = map[string]struct{}{
	"unknown": {}, "unk": {}, "unkn": {}, "unknwn": {},
	"na": {}, "nk": {}, "none": {}, "nil": {}, "null": {}, "nul": {},
	"notknown": {}, "notgiven": {}, "notstated": {}, "notapplicable": {},
	"notprovided": {}, "notrecorded": {}, "notavailable": {}, "unavailable": {},
	"unspecified": {}, "nonegiven": {}, "nodata": {}, "missing": {},
	"tbc": {}, "tba": {}, "tbd": {},
	"refused": {}, "declined": {}, "withheld": {}, "anonymous": {},
	"noname": {}, "nofirstname": {}, "noforename": {}, "nosurname": {},
	"nfa": {}, "nofixedabode": {}, "noaddress": {},
	"nophone": {}, "nonumber": {}, "noemail": {},
}

// maxPlaceholderKey bounds the length of a placeholder key.
const maxPlaceholderKey = 16

// IsPlaceholder reports whether s is a placeholder that stands for a missing
// value rather than a value.
//
// s is reduced to its ASCII letters and digits, lower-cased, with white
// space and punctuation removed (so "N/A", "n.a." and " NA " are alike). It
// is a placeholder if
//
//   - it has punctuation but no letters or digits ("-", "?", "..."),
//   - it is one of unknown, unk, unkn, unknwn, na, nk (not known), none, nil,
//     null, nul, not known, not given, not stated, not applicable,
//     not provided, not recorded, not available, unavailable, unspecified,
//     none given, no data, missing, tbc, tba, tbd, refused, declined,
//     withheld, anonymous, no name, no first name, no forename, no surname,
//     nfa and no fixed abode (the housing term for no address), no address,
//     no phone, no number, no email,
//   - it is two or more x's (XX, XXX), three or more z's, or only zeros.
//
// A value with a non-ASCII character other than a space or dash is never a
// placeholder. Empty and all-blank strings are not placeholders: they are
// simply empty.
func IsPlaceholder(s string) bool { return isPlaceholder(s) }

// isPlaceholder is IsPlaceholder for strings and byte slices.
func isPlaceholder[T string | []byte](s T) bool {
	if !mayBePlaceholder(s) {
		return false
	}
	return placeholderKey(s)
}

// placeholderStart marks the lower-case letters and digits that a
// placeholder's key can start with: the first letters of placeholderKeys,
// and x, z and 0 for the patterns. init checks it against the keys.
var placeholderStart = func() (t [256]bool) {
	for _, c := range "admnrtuwxz0" {
		t[c] = true
		if 'a' <= c && c <= 'z' {
			t[c-'a'+'A'] = true
		}
	}
	return t
}()

func init() {
	for k := range placeholderKeys {
		if !placeholderStart[k[0]] {
			panic("normalize: placeholderStart misses the key " + k)
		}
		if strings.ContainsAny(k, "0123456789") {
			panic("normalize: placeholderKey turns away the key " + k)
		}
	}
}

// mayBePlaceholder is a quick test that most values fail: false means s is
// surely not a placeholder, because the first ASCII letter or digit of s,
// met before any other non-ASCII character, cannot start one.
func mayBePlaceholder[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return true // decided by the full rule
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			return placeholderStart[c]
		}
	}
	return true
}

// placeholderKey is IsPlaceholder's full rule.
func placeholderKey[T string | []byte](s T) bool {
	var key [maxPlaceholderKey]byte
	n := 0
	punct := false
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(string(s[i:]))
			if !isSpaceOrDash(r) {
				return false
			}
			punct = true
			i += size
			continue
		}
		i++
		switch {
		case '0' <= c && c <= '9':
			// No key holds a digit, and the only pattern that does is
			// all zeros: a key that would mix a digit with anything
			// else is none (phone numbers and postcodes end here).
			if c != '0' || n > 0 && key[0] != '0' {
				return false
			}
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			if n > 0 && key[0] == '0' {
				return false
			}
			c |= 'a' - 'A'
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			continue
		default:
			punct = true
			continue
		}
		if n == len(key) {
			return false
		}
		key[n] = c
		n++
	}
	if n == 0 {
		return punct
	}
	k := key[:n]
	switch {
	case allByte(k, 'x') && n >= 2, allByte(k, 'z') && n >= 3, allByte(k, '0'):
		return true
	}
	_, ok := placeholderKeys[string(k)]
	return ok
}

// allByte reports whether every byte of b is c.
func allByte(b []byte, c byte) bool {
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}

// placeholderDates are the placeholder dates of IsPlaceholderDate, as days
// since 1970-01-01.
var placeholderDates = [...]int32{
	date.MustOf(1900, time.January, 1).Days(),
	date.MustOf(1899, time.December, 30).Days(),
	date.MustOf(1899, time.December, 31).Days(),
	date.MustOf(1753, time.January, 1).Days(),
	date.MustOf(1800, time.January, 1).Days(),
	date.MustOf(1, time.January, 1).Days(),
	date.MustOf(9999, time.December, 31).Days(),
	date.MustOf(1901, time.January, 1).Days(),
	date.MustOf(1970, time.January, 1).Days(),
}

// IsPlaceholderDate reports whether d is one of the default dates that
// housing, benefits and partner systems fill in when a date is not known:
//
//   - 1900-01-01: the minimum or empty date of many databases and day 1 of
//     Excel's 1900 date system; the commonest default date of birth;
//   - 1899-12-30: day 0 of OLE Automation dates (Visual Basic, Access,
//     Delphi, COM), an empty date field read through those layers;
//   - 1899-12-31: day 0 of Excel's 1900 date system ("1900-01-00"), which
//     some exports write as the day before 1900-01-01;
//   - 1753-01-01: the earliest date of SQL Server's datetime type;
//   - 1800-01-01: a round "unknown" default of several case-management
//     systems;
//   - 0001-01-01: the minimum of .NET's DateTime and Go's time.Time, an
//     uninitialised date;
//   - 9999-12-31: the maximum date of most systems, written for
//     "open-ended" (no end date yet) rather than as a real date;
//   - 1901-01-01: "01/01/01" typed as a default and read with a 19xx
//     century, and the start of the year in which 32-bit signed Unix time
//     begins (1901-12-13), used as a floor by systems built on it;
//   - 1970-01-01: the Unix epoch, a null or zero timestamp converted to a
//     date. Real births on that day are treated as placeholders too; that
//     loss is accepted.
//
// The null date is not a placeholder.
func IsPlaceholderDate(d date.Date) bool {
	if d.IsZero() {
		return false
	}
	days := d.Days()
	for _, p := range placeholderDates {
		if days == p {
			return true
		}
	}
	return false
}
