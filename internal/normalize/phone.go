package normalize

import "unicode/utf8"

// Phone returns a phone number in E.164 form and whether it is a plausible
// number.
//
// The digits of s are read up to the first letter, or non-ASCII character
// other than a space or dash, that follows a digit, so an extension ("x 12",
// "ext. 12") is cut off; a '+' before the first digit marks an international
// number. Then:
//
//   - A UK number becomes +44 and its national significant number (NSN),
//     with ok == true. UK numbers are those written +44…, 0044… or 44… (the
//     last only when 11 to 13 digits long), where a trunk 0 after the 44 is
//     dropped (+44 (0)20…; an NSN never starts with 0, so all leading zeros
//     after the 44 are dropped), and those written 0… with a valid NSN after
//     the 0. A valid NSN has ten digits starting 1, 2, 3, 5, 7, 8 or 9, or
//     nine digits starting 1 or 8.
//   - A number written +44 or 0044 whose NSN is not valid is returned as
//     +44 and its digits, with ok == false.
//   - Any other number written with + or 00 is returned as + and its digits
//     (the 00 dropped), with ok == true if it has 8 to 15 digits.
//   - Anything else is returned as its digits alone, with ok == false.
//
// Phone returns "" and false for a value with no digits, a placeholder (see
// IsPlaceholder), a number whose digits (after the country code and trunk 0
// are removed) are all one digit, and the dummy NSN 1234567890.
func Phone(s string) (e164 string, ok bool) {
	return phone(s, true)
}

// PhoneStatus reports what Phone would: whether s holds a number at all
// (Phone's result is not "") and whether it is plausible, without making
// the E.164 string.
func PhoneStatus(s string) (present, ok bool) {
	e, ok := phone(s, false)
	return e != "", ok
}

// phone is Phone; without build it returns "+" in place of any non-empty
// number, and allocates nothing.
func phone(s string, build bool) (e164 string, ok bool) {
	if IsPlaceholder(s) {
		return "", false
	}
	var db [24]byte
	digits := db[:0]
	plus := false
scan:
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if len(digits) > 0 && !isSpaceOrDash(r) {
				break
			}
			i += size
			continue
		}
		i++
		switch {
		case isDigit(c):
			if len(digits) == cap(digits) {
				if !build {
					return "+", false
				}
				return phoneOverlong(s)
			}
			digits = append(digits, c)
		case c == '+' && len(digits) == 0:
			plus = true
		case len(digits) > 0 && 'a' <= c|0x20 && c|0x20 <= 'z':
			break scan
		}
	}
	if len(digits) == 0 {
		return "", false
	}

	intl := plus
	if !intl && len(digits) > 2 && digits[0] == '0' && digits[1] == '0' {
		intl = true
		digits = digits[2:]
	}
	var out [24]byte
	str := func(b []byte) string {
		if !build {
			return "+"
		}
		return phoneString(s, b)
	}
	switch {
	case intl && hasPrefix44(digits):
		nsn := trunk(digits[2:])
		if isDummyNSN(nsn) {
			return "", false
		}
		return str(append(append(out[:0], "+44"...), nsn...)), validNSN(nsn)
	case intl:
		if isDummyNSN(digits) {
			return "", false
		}
		return str(append(append(out[:0], '+'), digits...)), len(digits) >= 8 && len(digits) <= 15
	case hasPrefix44(digits) && len(digits) >= 11 && len(digits) <= 13:
		if nsn := trunk(digits[2:]); validNSN(nsn) {
			if isDummyNSN(nsn) {
				return "", false
			}
			return str(append(append(out[:0], "+44"...), nsn...)), true
		}
	case digits[0] == '0' && validNSN(digits[1:]):
		if isDummyNSN(digits[1:]) {
			return "", false
		}
		return str(append(append(out[:0], "+44"...), digits[1:]...)), true
	}
	if isDummyNSN(trunk(digits)) {
		return "", false
	}
	return str(digits), false
}

// phoneOverlong handles a value with more digits than any phone number: its
// digits alone, not ok.
func phoneOverlong(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b), false
}

// phoneString returns b as a string, reusing s when they are equal.
func phoneString(s string, b []byte) string {
	if string(b) == s {
		return s
	}
	return string(b)
}

func hasPrefix44(d []byte) bool { return len(d) >= 2 && d[0] == '4' && d[1] == '4' }

// trunk drops the leading zeros (the trunk prefix) of d.
func trunk(d []byte) []byte {
	for len(d) > 0 && d[0] == '0' {
		d = d[1:]
	}
	return d
}

// validNSN reports whether d is a valid UK national significant number: ten
// digits starting 1, 2, 3, 5, 7, 8 or 9, or nine digits starting 1 or 8.
func validNSN(d []byte) bool {
	switch len(d) {
	case 10:
		switch d[0] {
		case '1', '2', '3', '5', '7', '8', '9':
			return true
		}
	case 9:
		return d[0] == '1' || d[0] == '8'
	}
	return false
}

// isDummyNSN reports whether the digits d are a dummy: one repeated digit
// or 1234567890.
func isDummyNSN(d []byte) bool {
	return len(d) == 0 || allByte(d, d[0]) || string(d) == "1234567890"
}
