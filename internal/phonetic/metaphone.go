package phonetic

// maxCode is the length to which Double Metaphone codes are cut.
const maxCode = 4

// pad is the number of spaces after the word in the working buffer; the
// rules look at most this far beyond the current letter.
const pad = 5

// DoubleMetaphone returns the primary and alternate Double Metaphone codes
// of s, each at most four characters long, as defined by Lawrence Philips,
// "The Double Metaphone Search Algorithm", C/C++ Users Journal 18(6), June
// 2000, with its full rule set (Germanic, Slavic, Romance, Greek and Chinese
// spellings included).
//
// The codes are written with A F H J K L M N P R S T X and 0: A stands for a
// leading vowel, X for the sounds sh and ch, and 0 (zero) for th. The
// alternate code equals the primary one when the word has no second
// pronunciation.
//
// Where published implementations differ, this one follows Philips'
// original C++ code: GH after a consonant gives one K; a W that starts a
// word before a vowel goes on to the -WICZ/-WITZ rule; a soft G before IER
// requires IER to end the word.
//
// s should be a name normalised by normalize.Name: lower-case ASCII letters
// and spaces. Letters are upper-cased; every other byte is read as a space.
// The whole of s is encoded as one word, as the original algorithm does
// ("san jose" is SNHS), so callers that want a code per word encode the
// words one by one. DoubleMetaphone returns "", "" for a string with no
// letters.
func DoubleMetaphone(s string) (primary, alternate string) {
	var stack [64 + pad]byte
	var w []byte
	if len(s)+pad <= len(stack) {
		w = stack[:len(s)+pad]
	} else {
		w = make([]byte, len(s)+pad)
	}
	letters := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
			letters = true
		case 'A' <= c && c <= 'Z':
			letters = true
		default:
			c = ' '
		}
		w[i] = c
	}
	if !letters {
		return "", ""
	}
	for i := len(s); i < len(w); i++ {
		w[i] = ' '
	}
	e := encoder{w: w, length: len(s), last: len(s) - 1}
	e.slavoGermanic = e.contains("W") || e.contains("K") || e.contains("CZ") || e.contains("WITZ")
	e.encode()

	// One allocation for both codes.
	p, a := e.primary.bytes(), e.alternate.bytes()
	var b [2 * maxCode]byte
	n := copy(b[:], p)
	n += copy(b[n:], a)
	both := string(b[:n])
	return both[:len(p)], both[len(p):]
}

// code is a phonetic code under construction.
type code struct {
	buf [maxCode + 4]byte // a step adds at most two letters to a code of at most maxCode+1
	n   int
}

func (c *code) add(s string) {
	if c.n < maxCode {
		c.n += copy(c.buf[c.n:], s)
	}
}

func (c *code) full() bool { return c.n >= maxCode }

func (c *code) bytes() []byte { return c.buf[:min(c.n, maxCode)] }

// encoder holds the state of one encoding. w is the upper-case word
// followed by pad spaces; length is the length of the word.
type encoder struct {
	w                  []byte
	length, last       int
	slavoGermanic      bool
	primary, alternate code
}

// at returns the letter at i, or 0 outside the buffer.
func (e *encoder) at(i int) byte {
	if i < 0 || i >= len(e.w) {
		return 0
	}
	return e.w[i]
}

// isVowel reports whether the letter at i, inside the word, is a vowel.
func (e *encoder) isVowel(i int) bool {
	if i < 0 || i >= e.length {
		return false
	}
	switch e.w[i] {
	case 'A', 'E', 'I', 'O', 'U', 'Y':
		return true
	}
	return false
}

// stringAt reports whether one of subs (all of the same length) starts at i.
func (e *encoder) stringAt(i int, subs ...string) bool {
	if i < 0 {
		return false
	}
	for _, sub := range subs {
		if i+len(sub) <= len(e.w) && string(e.w[i:i+len(sub)]) == sub {
			return true
		}
	}
	return false
}

// contains reports whether the word contains sub.
func (e *encoder) contains(sub string) bool {
	for i := 0; i+len(sub) <= e.length; i++ {
		if string(e.w[i:i+len(sub)]) == sub {
			return true
		}
	}
	return false
}

// add appends main to both codes.
func (e *encoder) add(main string) {
	e.primary.add(main)
	e.alternate.add(main)
}

// add2 appends main to the primary code and alt to the alternate code.
func (e *encoder) add2(main, alt string) {
	e.primary.add(main)
	e.alternate.add(alt)
}

// encode runs the rules over the word.
func (e *encoder) encode() {
	cur := 0
	// Skip these when at the start of a word.
	if e.stringAt(0, "GN", "KN", "PN", "WR", "PS") {
		cur++
	}
	// An initial X is pronounced Z, which maps to S (Xavier).
	if e.at(0) == 'X' {
		e.add("S")
		cur++
	}
	for cur < e.length && !(e.primary.full() && e.alternate.full()) {
		switch e.w[cur] {
		case 'A', 'E', 'I', 'O', 'U', 'Y':
			if cur == 0 {
				// All initial vowels map to A.
				e.add("A")
			}
			cur++
		case 'B':
			// "-mb", as in "dumb", is handled under M.
			e.add("P")
			cur += e.skipDouble(cur, 'B')
		case 'C':
			cur = e.encodeC(cur)
		case 'D':
			switch {
			case e.stringAt(cur, "DG"):
				if e.stringAt(cur+2, "I", "E", "Y") {
					// "edge"
					e.add("J")
					cur += 3
				} else {
					// "edgar"
					e.add("TK")
					cur += 2
				}
			case e.stringAt(cur, "DT", "DD"):
				e.add("T")
				cur += 2
			default:
				e.add("T")
				cur++
			}
		case 'F':
			e.add("F")
			cur += e.skipDouble(cur, 'F')
		case 'G':
			cur = e.encodeG(cur)
		case 'H':
			// Keep only when first and before a vowel, or between vowels.
			if (cur == 0 || e.isVowel(cur-1)) && e.isVowel(cur+1) {
				e.add("H")
				cur += 2
			} else {
				cur++
			}
		case 'J':
			cur = e.encodeJ(cur)
		case 'K':
			e.add("K")
			cur += e.skipDouble(cur, 'K')
		case 'L':
			if e.at(cur+1) == 'L' {
				// Spanish, as in "cabrillo", "gallegos".
				if (cur == e.length-3 && e.stringAt(cur-1, "ILLO", "ILLA", "ALLE")) ||
					((e.stringAt(e.last-1, "AS", "OS") || e.stringAt(e.last, "A", "O")) && e.stringAt(cur-1, "ALLE")) {
					e.add2("L", "")
					cur += 2
					continue
				}
				cur += 2
			} else {
				cur++
			}
			e.add("L")
		case 'M':
			if (e.stringAt(cur-1, "UMB") && (cur+1 == e.last || e.stringAt(cur+2, "ER"))) || e.at(cur+1) == 'M' {
				// "dumb", "thumb"
				cur += 2
			} else {
				cur++
			}
			e.add("M")
		case 'N':
			e.add("N")
			cur += e.skipDouble(cur, 'N')
		case 'P':
			if e.at(cur+1) == 'H' {
				e.add("F")
				cur += 2
				continue
			}
			// Also account for "campbell" and "raspberry".
			if e.stringAt(cur+1, "P", "B") {
				cur += 2
			} else {
				cur++
			}
			e.add("P")
		case 'Q':
			e.add("K")
			cur += e.skipDouble(cur, 'Q')
		case 'R':
			// French, as in "rogier", but not "hochmeier".
			if cur == e.last && !e.slavoGermanic && e.stringAt(cur-2, "IE") && !e.stringAt(cur-4, "ME", "MA") {
				e.add2("", "R")
			} else {
				e.add("R")
			}
			cur += e.skipDouble(cur, 'R')
		case 'S':
			cur = e.encodeS(cur)
		case 'T':
			cur = e.encodeT(cur)
		case 'V':
			e.add("F")
			cur += e.skipDouble(cur, 'V')
		case 'W':
			cur = e.encodeW(cur)
		case 'X':
			// French, as in "breaux".
			if !(cur == e.last && (e.stringAt(cur-3, "IAU", "EAU") || e.stringAt(cur-2, "AU", "OU"))) {
				e.add("KS")
			}
			if e.stringAt(cur+1, "C", "X") {
				cur += 2
			} else {
				cur++
			}
		case 'Z':
			if e.at(cur+1) == 'H' {
				// Chinese pinyin, as in "zhao".
				e.add("J")
				cur += 2
				continue
			}
			if e.stringAt(cur+1, "ZO", "ZI", "ZA") || (e.slavoGermanic && cur > 0 && e.at(cur-1) != 'T') {
				e.add2("S", "TS")
			} else {
				e.add("S")
			}
			cur += e.skipDouble(cur, 'Z')
		default:
			cur++
		}
	}
}

// skipDouble returns 2 if the letter after cur is c, and 1 otherwise.
func (e *encoder) skipDouble(cur int, c byte) int {
	if e.at(cur+1) == c {
		return 2
	}
	return 1
}

func (e *encoder) encodeC(cur int) int {
	// Various Germanic spellings.
	if cur > 1 && !e.isVowel(cur-2) && e.stringAt(cur-1, "ACH") &&
		e.at(cur+2) != 'I' && (e.at(cur+2) != 'E' || e.stringAt(cur-2, "BACHER", "MACHER")) {
		e.add("K")
		return cur + 2
	}
	// "caesar"
	if cur == 0 && e.stringAt(cur, "CAESAR") {
		e.add("S")
		return cur + 2
	}
	// Italian "chianti".
	if e.stringAt(cur, "CHIA") {
		e.add("K")
		return cur + 2
	}
	if e.stringAt(cur, "CH") {
		// "michael"
		if cur > 0 && e.stringAt(cur, "CHAE") {
			e.add2("K", "X")
			return cur + 2
		}
		// Greek roots, as in "chemistry", "chorus".
		if cur == 0 && (e.stringAt(cur+1, "HARAC", "HARIS") || e.stringAt(cur+1, "HOR", "HYM", "HIA", "HEM")) &&
			!e.stringAt(0, "CHORE") {
			e.add("K")
			return cur + 2
		}
		// Germanic, Greek, or otherwise CH for the KH sound.
		if e.stringAt(0, "VAN ", "VON ") || e.stringAt(0, "SCH") ||
			// "architect" but not "arch", "orchestra", "orchid"
			e.stringAt(cur-2, "ORCHES", "ARCHIT", "ORCHID") ||
			e.stringAt(cur+2, "T", "S") ||
			((e.stringAt(cur-1, "A", "O", "U", "E") || cur == 0) &&
				// "wachtler", "wechsler", but not "tichner"
				e.stringAt(cur+2, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ")) {
			e.add("K")
		} else if cur > 0 {
			if e.stringAt(0, "MC") {
				// "McHugh"
				e.add("K")
			} else {
				e.add2("X", "K")
			}
		} else {
			e.add("X")
		}
		return cur + 2
	}
	// "czerny"
	if e.stringAt(cur, "CZ") && !e.stringAt(cur-2, "WICZ") {
		e.add2("S", "X")
		return cur + 2
	}
	// "focaccia"
	if e.stringAt(cur+1, "CIA") {
		e.add("X")
		return cur + 3
	}
	// Double C, but not as in "McClellan".
	if e.stringAt(cur, "CC") && !(cur == 1 && e.at(0) == 'M') {
		// "bellocchio" but not "bacchus"
		if e.stringAt(cur+2, "I", "E", "H") && !e.stringAt(cur+2, "HU") {
			if (cur == 1 && e.at(cur-1) == 'A') || e.stringAt(cur-1, "UCCEE", "UCCES") {
				// "accident", "accede", "succeed"
				e.add("KS")
			} else {
				// "bacci", "bertucci" and other Italian
				e.add("X")
			}
			return cur + 3
		}
		// Pierce's rule.
		e.add("K")
		return cur + 2
	}
	if e.stringAt(cur, "CK", "CG", "CQ") {
		e.add("K")
		return cur + 2
	}
	if e.stringAt(cur, "CI", "CE", "CY") {
		// Italian or English.
		if e.stringAt(cur, "CIO", "CIE", "CIA") {
			e.add2("S", "X")
		} else {
			e.add("S")
		}
		return cur + 2
	}
	e.add("K")
	// Names such as "mac caffrey", "mac gregor".
	switch {
	case e.stringAt(cur+1, " C", " Q", " G"):
		return cur + 3
	case e.stringAt(cur+1, "C", "K", "Q") && !e.stringAt(cur+1, "CE", "CI"):
		return cur + 2
	}
	return cur + 1
}

func (e *encoder) encodeG(cur int) int {
	if e.at(cur+1) == 'H' {
		if cur > 0 && !e.isVowel(cur-1) {
			e.add("K")
			return cur + 2
		}
		// "ghislane", "ghiradelli"
		if cur == 0 {
			if e.at(cur+2) == 'I' {
				e.add("J")
			} else {
				e.add("K")
			}
			return cur + 2
		}
		// Parker's rule, with further refinements: "hugh", "bough",
		// "broughton".
		if (cur > 1 && e.stringAt(cur-2, "B", "H", "D")) ||
			(cur > 2 && e.stringAt(cur-3, "B", "H", "D")) ||
			(cur > 3 && e.stringAt(cur-4, "B", "H")) {
			return cur + 2
		}
		// "laugh", "McLaughlin", "cough", "gough", "rough", "tough"
		if cur > 2 && e.at(cur-1) == 'U' && e.stringAt(cur-3, "C", "G", "L", "R", "T") {
			e.add("F")
		} else if cur > 0 && e.at(cur-1) != 'I' {
			e.add("K")
		}
		return cur + 2
	}
	if e.at(cur+1) == 'N' {
		if cur == 1 && e.isVowel(0) && !e.slavoGermanic {
			e.add2("KN", "N")
		} else if !e.stringAt(cur+2, "EY") && e.at(cur+1) != 'Y' && !e.slavoGermanic {
			// Not as in "cagney".
			e.add2("N", "KN")
		} else {
			e.add("KN")
		}
		return cur + 2
	}
	// "tagliaro"
	if e.stringAt(cur+1, "LI") && !e.slavoGermanic {
		e.add2("KL", "L")
		return cur + 2
	}
	// -ges-, -gep-, -gel-, -gie- at the beginning.
	if cur == 0 && (e.at(cur+1) == 'Y' ||
		e.stringAt(cur+1, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")) {
		e.add2("K", "J")
		return cur + 2
	}
	// -ger-, -gy-
	if (e.stringAt(cur+1, "ER") || e.at(cur+1) == 'Y') && !e.stringAt(0, "DANGER", "RANGER", "MANGER") &&
		!e.stringAt(cur-1, "E", "I") && !e.stringAt(cur-1, "RGY", "OGY") {
		e.add2("K", "J")
		return cur + 2
	}
	// Italian, as in "biaggi".
	if e.stringAt(cur+1, "E", "I", "Y") || e.stringAt(cur-1, "AGGI", "OGGI") {
		switch {
		case e.stringAt(0, "VAN ", "VON ") || e.stringAt(0, "SCH") || e.stringAt(cur+1, "ET"):
			// Obviously Germanic.
			e.add("K")
		case e.stringAt(cur+1, "IER "):
			// Always soft with a French ending.
			e.add("J")
		default:
			e.add2("J", "K")
		}
		return cur + 2
	}
	e.add("K")
	return cur + e.skipDouble(cur, 'G')
}

func (e *encoder) encodeJ(cur int) int {
	// Obviously Spanish: "jose", "san jacinto".
	if e.stringAt(cur, "JOSE") || e.stringAt(0, "SAN ") {
		if (cur == 0 && e.at(cur+4) == ' ') || e.stringAt(0, "SAN ") {
			e.add("H")
		} else {
			e.add2("J", "H")
		}
		return cur + 1
	}
	if cur == 0 && !e.stringAt(cur, "JOSE") {
		// "Yankelovich", "Jankelowicz"
		e.add2("J", "A")
	} else if e.isVowel(cur-1) && !e.slavoGermanic && (e.at(cur+1) == 'A' || e.at(cur+1) == 'O') {
		// Spanish pronunciation of, for example, "bajador".
		e.add2("J", "H")
	} else if cur == e.last {
		e.add2("J", "")
	} else if !e.stringAt(cur+1, "L", "T", "K", "S", "N", "M", "B", "Z") && !e.stringAt(cur-1, "S", "K", "L") {
		e.add("J")
	}
	return cur + e.skipDouble(cur, 'J')
}

func (e *encoder) encodeS(cur int) int {
	// "island", "isle", "carlisle", "carlysle"
	if e.stringAt(cur-1, "ISL", "YSL") {
		return cur + 1
	}
	// "sugar-"
	if cur == 0 && e.stringAt(cur, "SUGAR") {
		e.add2("X", "S")
		return cur + 1
	}
	if e.stringAt(cur, "SH") {
		if e.stringAt(cur+1, "HEIM", "HOEK", "HOLM", "HOLZ") {
			// Germanic.
			e.add("S")
		} else {
			e.add("X")
		}
		return cur + 2
	}
	// Italian and Armenian.
	if e.stringAt(cur, "SIO", "SIA") || e.stringAt(cur, "SIAN") {
		if !e.slavoGermanic {
			e.add2("S", "X")
		} else {
			e.add("S")
		}
		return cur + 3
	}
	// German and anglicisations, as "smith" matches "schmidt" and "snider"
	// matches "schneider"; also -sz- in Slavic languages, although it is
	// pronounced S in Hungarian.
	if (cur == 0 && e.stringAt(cur+1, "M", "N", "L", "W")) || e.stringAt(cur+1, "Z") {
		e.add2("S", "X")
		return cur + e.skipDouble(cur, 'Z')
	}
	if e.stringAt(cur, "SC") {
		// Schlesinger's rule.
		if e.at(cur+2) == 'H' {
			// Dutch origin, as in "school", "schooner".
			if e.stringAt(cur+3, "OO", "ER", "EN", "UY", "ED", "EM") {
				// "schermerhorn", "schenker"
				if e.stringAt(cur+3, "ER", "EN") {
					e.add2("X", "SK")
				} else {
					e.add("SK")
				}
				return cur + 3
			}
			if cur == 0 && !e.isVowel(3) && e.at(3) != 'W' {
				e.add2("X", "S")
			} else {
				e.add("X")
			}
			return cur + 3
		}
		if e.stringAt(cur+2, "I", "E", "Y") {
			e.add("S")
			return cur + 3
		}
		e.add("SK")
		return cur + 3
	}
	// French, as in "resnais", "artois".
	if cur == e.last && e.stringAt(cur-2, "AI", "OI") {
		e.add2("", "S")
	} else {
		e.add("S")
	}
	if e.stringAt(cur+1, "S", "Z") {
		return cur + 2
	}
	return cur + 1
}

func (e *encoder) encodeT(cur int) int {
	if e.stringAt(cur, "TION") {
		e.add("X")
		return cur + 3
	}
	if e.stringAt(cur, "TIA", "TCH") {
		e.add("X")
		return cur + 3
	}
	if e.stringAt(cur, "TH") || e.stringAt(cur, "TTH") {
		// "thomas", "thames", or Germanic.
		if e.stringAt(cur+2, "OM", "AM") || e.stringAt(0, "VAN ", "VON ") || e.stringAt(0, "SCH") {
			e.add("T")
		} else {
			e.add2("0", "T")
		}
		return cur + 2
	}
	e.add("T")
	if e.stringAt(cur+1, "T", "D") {
		return cur + 2
	}
	return cur + 1
}

func (e *encoder) encodeW(cur int) int {
	// Can also be in the middle of a word.
	if e.stringAt(cur, "WR") {
		e.add("R")
		return cur + 2
	}
	if cur == 0 && (e.isVowel(cur+1) || e.stringAt(cur, "WH")) {
		if e.isVowel(cur + 1) {
			// "Wasserman" should match "Vasserman".
			e.add2("A", "F")
		} else {
			// "Uomo" should match "Womo".
			e.add("A")
		}
	}
	// "Arnow" should match "Arnoff".
	if (cur == e.last && e.isVowel(cur-1)) || e.stringAt(cur-1, "EWSKI", "EWSKY", "OWSKI", "OWSKY") ||
		e.stringAt(0, "SCH") {
		e.add2("", "F")
		return cur + 1
	}
	// Polish, as in "filipowicz".
	if e.stringAt(cur, "WICZ", "WITZ") {
		e.add2("TS", "FX")
		return cur + 4
	}
	return cur + 1
}
