package normalize

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Separators written by fold between words.
const (
	sepWord    = ' ' // an ordinary word break
	sepSegment = ',' // a break between parts of an address (comma, semicolon, new line)
)

// fold appends the ASCII reduction of s to dst, as described in the package
// documentation, with words separated by single spaces. If keepDigits is
// false, digits are removed. If segments is true, a run of separators that
// contains a comma, semicolon, vertical bar or line break is written as ','
// instead of ' '.
func fold(dst []byte, s string, keepDigits, segments bool) []byte {
	var pend byte // separator owed before the next letter
	start := len(dst)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case '0' <= c && c <= '9':
				if !keepDigits {
					continue
				}
			case c == '\'' || c == '`':
				continue
			case segments && (c == ',' || c == ';' || c == '|' || c == '\n' || c == '\r'):
				pend = sepSegment
				continue
			default:
				if pend == 0 {
					pend = sepWord
				}
				continue
			}
			if pend != 0 && len(dst) > start {
				dst = append(dst, pend)
			}
			pend = 0
			dst = append(dst, c)
			continue
		}

		r, size := utf8.DecodeRuneInString(s[i:])
		var rep string // replacement letters, if any
		switch r {
		case utf8.RuneError, '´', '‘', '’', 'ʼ', 'ʻ', '′', '·',
			'\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			i += size
			continue
		case 'ß', 'ẞ':
			rep = "ss"
		case 'æ', 'Æ':
			rep = "ae"
		case 'œ', 'Œ':
			rep = "oe"
		case 'ĳ', 'Ĳ':
			rep = "ij"
		case 'þ', 'Þ':
			rep = "th"
		case 'ø', 'Ø':
			rep = "o"
		case 'ł', 'Ł', 'ŀ', 'Ŀ':
			rep = "l"
		case 'đ', 'Đ', 'ð', 'Ð':
			rep = "d"
		case 'ħ', 'Ħ':
			rep = "h"
		case 'ı':
			rep = "i"
		default:
			if isSeparator(r) {
				i += size
				if pend == 0 {
					pend = sepWord
				}
				continue
			}
			d := norm.NFD.PropertiesString(s[i:]).Decomposition()
			i += size
			for _, b := range d {
				switch {
				case 'a' <= b && b <= 'z':
				case 'A' <= b && b <= 'Z':
					b += 'a' - 'A'
				default:
					continue
				}
				if pend != 0 && len(dst) > start {
					dst = append(dst, pend)
				}
				pend = 0
				dst = append(dst, b)
			}
			continue
		}
		i += size
		if pend != 0 && len(dst) > start {
			dst = append(dst, pend)
		}
		pend = 0
		dst = append(dst, rep...)
	}
	return dst
}

// isSeparator reports whether the non-ASCII rune r separates words: Latin-1
// punctuation, symbols and spaces, the multiplication and division signs,
// General Punctuation, the minus sign and the ideographic space.
func isSeparator(r rune) bool {
	switch {
	case r >= 0xa0 && r <= 0xbf, r == 0xd7, r == 0xf7:
		return true
	case r >= 0x2000 && r <= 0x206f:
		return true
	case r == 0x2212, r == 0x3000, r == 0x85:
		return true
	}
	return false
}

// isSpaceOrDash reports whether r is removed by the cleaning of identifiers
// (NI numbers): ASCII white space, the hyphen-minus, Unicode spaces and dashes.
func isSpaceOrDash(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', '-', 0x85, 0xa0, 0x2212, 0x3000, 0x202f, 0x205f, 0x1680:
		return true
	}
	return r >= 0x2000 && r <= 0x200a || r >= 0x2010 && r <= 0x2015
}

// nextToken returns the bounds of the first space- or comma-separated token
// of b at or after i; start == len(b) when there is none.
func nextToken(b []byte, i int) (start, end int) {
	for i < len(b) && (b[i] == sepWord || b[i] == sepSegment) {
		i++
	}
	start = i
	for i < len(b) && b[i] != sepWord && b[i] != sepSegment {
		i++
	}
	return start, i
}
