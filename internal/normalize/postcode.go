package normalize

import "unicode/utf8"

// Postcode returns the canonical form of a postcode and whether it has the
// format of a UK postcode.
//
// The value is upper-cased (ASCII letters only) and its white space (ASCII
// white space and the Unicode spaces U+00A0, U+2000–U+200A, U+202F and
// U+3000) removed.
// For the UK test, hyphens, dots and commas are removed too. It is a UK
// postcode if what is left is an outward code of one of the forms A9, A99,
// AA9, AA99, A9A or AA9A followed by an inward code 9AA, or is GIR 0AA, under
// the Royal Mail letter rules: Q, V and X are not used in the first
// position, I, J and Z not in the second, only A B C D E F G H J K P S T U W
// in the third position of A9A, only A B E H M N P R V W X Y in the fourth
// position of AA9A, and C I K M O V not in the inward code. A UK postcode is
// returned as outward code, one space, inward code ("SK1 3NQ") with
// uk == true.
//
// The digit of the inward code is repaired when a letter O was typed for 0
// or a letter I for 1 and the repaired value, unlike the value as written,
// is a UK postcode (SK1 3NQ is never changed; "SW1A OAA" becomes SW1A 0AA).
// The repair is unambiguous because the inward code is always the last three
// characters and its first character must be a digit; letters elsewhere are
// never changed.
//
// Any other value is returned upper-cased with its white space removed, and
// any byte that is not UTF-8 replaced by U+FFFD, and uk == false ("4223",
// "SK13NQQ"). Postcode returns "" and false for a blank
// value, a placeholder (see IsPlaceholder) and the NHS pseudo-postcodes of
// the ZZ99 series, which stand for no fixed abode or an unknown address.
func Postcode(s string) (pc string, uk bool) {
	// The commonest value of all is already in the form returned.
	if canonicalUK(s) && !IsPlaceholder(s) {
		return s, true
	}
	return postcode(s)
}

// postcode is Postcode for any value.
func postcode(s string) (pc string, uk bool) {
	if IsPlaceholder(s) {
		return "", false
	}
	var cb, ob [16]byte
	compact := cb[:0]
	ukShape := true
	upper := ob[:0] // the upper-cased value without white space, if it differs from s
	changed := false
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == 0xa0 || r == 0x3000 || (r >= 0x2000 && r <= 0x200a) || r == 0x202f:
				changed = true
			case r == utf8.RuneError && size == 1:
				// Written as U+FFFD, so that bytes on either side of
				// a space that is removed cannot join into a rune.
				ukShape, changed = false, true
				upper = utf8.AppendRune(upper, utf8.RuneError)
			default:
				ukShape = false
				upper = append(upper, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			changed = true
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
			changed = true
		}
		upper = append(upper, c)
		switch {
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			if len(compact) < 8 {
				compact = append(compact, c)
			} else {
				ukShape = false
			}
		case c == '-' || c == '.' || c == ',':
		default:
			ukShape = false
		}
	}
	if len(upper) == 0 {
		return "", false
	}
	if ukShape {
		n := len(compact)
		if n >= 5 && n <= 7 && string(compact[:4]) == "ZZ99" {
			return "", false
		}
		ok := isUKPostcode(compact)
		if !ok && n >= 5 {
			switch compact[n-3] {
			case 'O':
				compact[n-3] = '0'
				ok = isUKPostcode(compact)
			case 'I':
				compact[n-3] = '1'
				ok = isUKPostcode(compact)
			}
		}
		if ok {
			if len(s) == n+1 && s[n-3] == ' ' && string(s[:n-3]) == string(compact[:n-3]) && s[n-2:] == string(compact[n-3:]) {
				return s, true
			}
			var b [8]byte
			out := append(b[:0], compact[:n-3]...)
			out = append(out, ' ')
			out = append(out, compact[n-3:]...)
			return string(out), true
		}
	}
	if !changed {
		return s, false
	}
	return string(upper), false
}

// isUKPostcode reports whether the upper-case, space-free b has the format
// of a UK postcode (see Postcode).
func isUKPostcode(b []byte) bool {
	n := len(b)
	if n < 5 || n > 7 {
		return false
	}
	if string(b) == "GIR0AA" {
		return true
	}
	in := b[n-3:]
	if !isDigit(in[0]) || !isInwardLetter(in[1]) || !isInwardLetter(in[2]) {
		return false
	}
	out := b[:n-3]
	if !isLetter(out[0]) || out[0] == 'Q' || out[0] == 'V' || out[0] == 'X' {
		return false
	}
	switch len(out) {
	case 2: // A9
		return isDigit(out[1])
	case 3:
		switch {
		case isDigit(out[1]) && isDigit(out[2]): // A99
			return true
		case isSecondLetter(out[1]) && isDigit(out[2]): // AA9
			return true
		case isDigit(out[1]) && isLetterIn(out[2], "ABCDEFGHJKPSTUW"): // A9A
			return true
		}
	case 4:
		if !isSecondLetter(out[1]) || !isDigit(out[2]) {
			return false
		}
		return isDigit(out[3]) || isLetterIn(out[3], "ABEHMNPRVWXY") // AA99, AA9A
	}
	return false
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' }

// isSecondLetter reports whether c may be the second character of an
// outward code when that is a letter.
func isSecondLetter(c byte) bool {
	return isLetter(c) && c != 'I' && c != 'J' && c != 'Z'
}

// isInwardLetter reports whether c may be a letter of an inward code.
func isInwardLetter(c byte) bool {
	return isLetter(c) && !isLetterIn(c, "CIKMOV")
}

func isLetterIn(c byte, set string) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

// canonicalUK reports whether pc is a canonical UK postcode as Postcode
// returns it.
func canonicalUK(pc string) bool {
	n := len(pc)
	if n < 6 || n > 8 || pc[n-4] != ' ' {
		return false
	}
	var b [7]byte
	m := copy(b[:], pc[:n-4])
	m += copy(b[m:], pc[n-3:])
	return isUKPostcode(b[:m])
}

// PostcodeOutward returns the outward code of a canonical UK postcode, as
// Postcode returns it ("SK1" of "SK1 3NQ"), and "" for anything else.
func PostcodeOutward(pc string) string {
	if !canonicalUK(pc) {
		return ""
	}
	return pc[:len(pc)-4]
}

// PostcodeSector returns the postcode sector of a canonical UK postcode, as
// Postcode returns it ("SK1 3" of "SK1 3NQ"), and "" for anything else.
func PostcodeSector(pc string) string {
	if !canonicalUK(pc) {
		return ""
	}
	return pc[:len(pc)-2]
}
