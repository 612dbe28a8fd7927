package validate

import (
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/charmap"
)

// textResult says what Clean did to a value.
type textResult uint8

const (
	textStripped textResult = 1 << iota // control characters removed
	textRepaired                        // decoded as Windows-1252
	textInvalid                         // not UTF-8 and not repairable
)

// Clean returns s with surrounding spaces trimmed, control and invisible
// format characters removed (tabs and line breaks become spaces), and
// invalid UTF-8 repaired by decoding the offending bytes as Windows-1252.
//
// The repair is made only when every offending byte decodes to a letter or
// to punctuation common in names and addresses (’ ‘ “ ” – — … £ € ´ · °,
// no-break space) and the result contains a letter; otherwise ok is false
// and the value should be treated as null. stripped and repaired report
// what was changed.
func Clean(s string) (out string, stripped, repaired, ok bool) {
	out, res := clean(s)
	return out, res&textStripped != 0, res&textRepaired != 0, res&textInvalid == 0
}

func clean(s string) (string, textResult) {
	// Fast path: printable ASCII, which is almost every value.
	if printableASCII(s) {
		return trimSpaces(s), 0
	}
	return cleanSlow(s)
}

// printableASCII reports whether every byte of s is printable ASCII
// (0x20 to 0x7e), testing eight bytes at a time: the last eight bytes of
// a value of eight or more are tested in one overlapping word, and four
// to seven bytes in two overlapping halves, so that no value ends in a
// loop over its last bytes.
func printableASCII(s string) bool {
	n := len(s)
	b := unsafe.Slice(unsafe.StringData(s), n) // read only
	switch {
	case n >= 8:
		for i := 0; i+8 <= n; i += 8 {
			if !printable8(binary.LittleEndian.Uint64(b[i:])) {
				return false
			}
		}
		return printable8(binary.LittleEndian.Uint64(b[n-8:]))
	case n >= 4:
		return printable8(uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32)
	}
	for i := 0; i < n; i++ {
		if b[i] < 0x20 || b[i] >= 0x7f {
			return false
		}
	}
	return true
}

// printable8 reports whether every byte of w is printable ASCII. A byte
// below 0x20 sets its high bit in (w - 0x20…) &^ w, a byte above 0x7e in
// (w + 0x01…) | w; neither test misses one (see "Bit Twiddling Hacks",
// hasless and hasmore).
func printable8(w uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	return ((w-0x20*ones)&^w|(w+ones)|w)&highs == 0
}

func trimSpaces(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

func cleanSlow(s string) (string, textResult) {
	var res textResult
	var b strings.Builder
	b.Grow(len(s))
	letters := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			d := charmap.Windows1252.DecodeByte(s[i])
			if !repairable(d) {
				return "", textInvalid
			}
			res |= textRepaired
			r = d
		} else if drop, space := isControl(r); drop {
			res |= textStripped
			if space {
				b.WriteByte(' ')
			}
			i += size
			continue
		}
		if !letters && unicode.IsLetter(r) {
			letters = true
		}
		b.WriteRune(r)
		i += size
	}
	if res&textRepaired != 0 && !letters {
		return "", textInvalid
	}
	return strings.TrimSpace(b.String()), res
}

// isControl reports whether r is a control or invisible format character to
// remove, and whether it stands for a space.
func isControl(r rune) (drop, space bool) {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x85, 0x2028, 0x2029:
		return true, true
	case 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060, 0x00AD:
		return true, false
	}
	return unicode.IsControl(r), false
}

func repairable(r rune) bool {
	if unicode.IsLetter(r) {
		return true
	}
	switch r {
	case '’', '‘', '“', '”', '–', '—', '…', '£', '€', '´', '·', '°', '\u00a0':
		return true
	}
	return false
}

// runeCountOver reports whether s has more than n characters, counting
// bytes first so that the common case costs nothing.
func runeCountOver(s string, n int) bool {
	return len(s) > n && utf8.RuneCountInString(s) > n
}
