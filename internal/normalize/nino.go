package normalize

import "unicode/utf8"

// NIStatus classifies a National Insurance number.
type NIStatus int

const (
	// NIValid is a number in the UK format with an allocated prefix.
	NIValid NIStatus = iota
	// NIFormat is a value kept for matching that is not a valid UK number:
	// an unallocated prefix, a bad suffix letter, or another identifier
	// altogether (a foreign or synthetic number).
	NIFormat
	// NIPlaceholder is a dummy, temporary or placeholder value, which must
	// be treated as missing.
	NIPlaceholder
	// NIEmpty is an empty or blank value.
	NIEmpty
)

// String returns the name of the status ("valid", "format", "placeholder",
// "empty").
func (s NIStatus) String() string {
	switch s {
	case NIValid:
		return "valid"
	case NIFormat:
		return "format"
	case NIPlaceholder:
		return "placeholder"
	case NIEmpty:
		return "empty"
	}
	return "unknown"
}

// NINumber returns the matching core of a National Insurance number and its
// status.
//
// The value is cleaned by removing white space and dashes (ASCII and
// Unicode) and upper-casing ASCII letters. A cleaned value of two letters,
// six digits and an optional letter has the UK shape; its core is the two
// prefix letters and six digits, without the suffix letter, which HMRC does
// not use to tell people apart. Such a value is
//
//   - NIPlaceholder if its prefix is TN (a temporary number, often made from
//     the date of birth) or QQ (the specimen prefix), if its six digits are
//     one repeated digit (000000, 111111), or if its prefix is AA or AB with
//     the digits 123456 or 654321 (the published examples AA123456A and
//     AB123456C);
//   - NIFormat if its suffix letter is not A, B, C or D, if its first letter
//     is D, F, I, Q, U or V, if its second letter is D, F, I, O, Q, U or V, or
//     if its prefix is BG, GB, KN, NK, NT or ZZ, which are not allocated;
//   - NIValid otherwise.
//
// Any other non-empty value is NIPlaceholder if it is a placeholder (see
// IsPlaceholder) or one character repeated, and NIFormat otherwise, with the
// whole cleaned value as its core, so that identifiers of other schemes (the
// 7-digit numbers of FEBRL data, for example) can still be matched.
//
// The core is "" for NIPlaceholder and NIEmpty. NINumber(core) returns core
// again.
func NINumber(s string) (core string, st NIStatus) {
	var cb [24]byte
	clean := cb[:0]
	changed := false
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case isSpaceOrDash(r):
				changed = true
			case r == utf8.RuneError && size == 1:
				// A byte that is not UTF-8 becomes U+FFFD: kept raw, it
				// could join the bytes around a dropped space into a new
				// character (a space, even), and cleaning the core again
				// would change it.
				clean = utf8.AppendRune(clean, utf8.RuneError)
				changed = true
			default:
				clean = append(clean, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
		if isSpaceOrDash(rune(c)) {
			changed = true
			continue
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
			changed = true
		}
		clean = append(clean, c)
	}
	if len(clean) == 0 {
		return "", NIEmpty
	}

	if n := len(clean); (n == 8 || n == 9) && isLetter(clean[0]) && isLetter(clean[1]) &&
		allDigits(clean[2:8]) && (n == 8 || isLetter(clean[8])) {
		st := niPrefixStatus(clean)
		if st == NIPlaceholder {
			return "", st
		}
		if !changed {
			return s[:8], st
		}
		return string(clean[:8]), st
	}

	if isPlaceholder(clean) || (len(clean) > 1 && allByte(clean, clean[0])) {
		return "", NIPlaceholder
	}
	if !changed {
		return s, NIFormat
	}
	return string(clean), NIFormat
}

// niPrefixStatus classifies a cleaned value of the UK shape (see NINumber).
func niPrefixStatus(b []byte) NIStatus {
	p := string(b[:2])
	digits := b[2:8]
	switch {
	case p == "TN", p == "QQ", allByte(digits, digits[0]):
		return NIPlaceholder
	case (p == "AA" || p == "AB") && (string(digits) == "123456" || string(digits) == "654321"):
		return NIPlaceholder
	}
	if len(b) == 9 && (b[8] < 'A' || b[8] > 'D') {
		return NIFormat
	}
	switch b[0] {
	case 'D', 'F', 'I', 'Q', 'U', 'V':
		return NIFormat
	}
	switch b[1] {
	case 'D', 'F', 'I', 'O', 'Q', 'U', 'V':
		return NIFormat
	}
	switch p {
	case "BG", "GB", "KN", "NK", "NT", "ZZ":
		return NIFormat
	}
	return NIValid
}

// allDigits reports whether b is all ASCII digits.
func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
