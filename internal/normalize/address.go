package normalize

// addressWords maps the abbreviations Address expands, wherever they stand,
// to their one spelling.
var addressWords = map[string]string{
	"rd":    "road",
	"ave":   "avenue",
	"av":    "avenue",
	"ln":    "lane",
	"cres":  "crescent",
	"ct":    "court",
	"crt":   "court",
	"pl":    "place",
	"sq":    "square",
	"gdns":  "gardens",
	"gro":   "grove",
	"cl":    "close",
	"tce":   "terrace",
	"terr":  "terrace",
	"pde":   "parade",
	"hts":   "heights",
	"mws":   "mews",
	"wk":    "walk",
	"est":   "estate",
	"ho":    "house",
	"hse":   "house",
	"bldgs": "buildings",
	"flr":   "floor",

	"flat":      "flat",
	"flt":       "flat",
	"apartment": "flat",
	"apt":       "flat",
	"unit":      "flat",
}

// addrToken is a word of a folded address.
type addrToken struct {
	start, end int
	segStart   bool // first word after a comma, semicolon or line break
}

// Address returns the canonical form of an address line (without its
// postcode): lower-case ASCII words and numbers separated by single spaces.
//
// The characters of s are reduced as described in the package documentation,
// with digits kept, so punctuation separates words and apostrophes are
// removed (St Mary's → saint marys). Then, word by word:
//
//   - "no" is removed before a word that starts with a digit ("No. 5" → 5);
//   - a number followed by a single letter is joined to it ("12 a" → 12a,
//     like "12A");
//   - flat, flt, apartment, apt and unit become flat;
//   - st becomes street after a word of the same part of the address (the
//     parts are separated by commas, semicolons and line breaks), saint when
//     it starts a part or follows a number and is followed by a word of the
//     same part ("12 St Marys Road" → 12 saint marys road, "High St, St
//     Albans" → high street saint albans), and street otherwise;
//   - dr becomes drive after a word of the same part, doctor when it starts
//     a part or follows a number and is followed by a word of the same part,
//     and drive otherwise;
//   - gr becomes ground before floor or flr, and grove otherwise;
//   - rd → road, ave and av → avenue, ln → lane, cres → crescent, ct and
//     crt → court, pl → place, sq → square, gdns → gardens, gro → grove, cl →
//     close, tce and terr → terrace, pde → parade, hts → heights, mws → mews,
//     wk → walk, est → estate, ho and hse → house, bldgs → buildings, flr →
//     floor.
//
// A "word" here starts with a letter and a "number" with a digit. Tokens
// that look like postcodes are kept. The rules never produce a word they
// rewrite, so Address(Address(s)) == Address(s). Address returns "" for a
// blank value and for a value whose canonical form is a placeholder (see
// IsPlaceholder), such as NFA, "No Fixed Abode" or "0".
func Address(s string) string {
	var ob [128]byte
	out := appendAddress(ob[:0], s)
	if string(out) == s {
		return s
	}
	return string(out)
}

// appendAddress appends the canonical form of the address s to dst.
func appendAddress(dst []byte, s string) []byte {
	var fb [128]byte
	var tb [32]addrToken
	folded := fold(fb[:0], s, true, true)
	toks := tb[:0]
	for i := 0; ; {
		st, en := nextToken(folded, i)
		if st == en {
			break
		}
		toks = append(toks, addrToken{st, en, st == 0 || folded[st-1] == sepSegment})
		i = en
	}
	tokIs := func(k int, w string) bool {
		return k < len(toks) && string(folded[toks[k].start:toks[k].end]) == w
	}
	isWord := func(k int) bool { return k >= 0 && k < len(toks) && !isDigit(folded[toks[k].start]) }
	sameSeg := func(k int) bool { return k < len(toks) && !toks[k].segStart }

	start := len(dst)
	prevWord := false // the previous written token was a word of the same part
	for k := 0; k < len(toks); k++ {
		t := folded[toks[k].start:toks[k].end]
		if toks[k].segStart {
			prevWord = false
		}
		if string(t) == "no" {
			j := k + 1
			for tokIs(j, "no") {
				j++
			}
			if j < len(toks) && !isWord(j) {
				k = j - 1
				continue
			}
		}
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		switch {
		case !isWord(k):
			dst = append(dst, t...)
			if allDigits(t) && k+1 < len(toks) && toks[k+1].end-toks[k+1].start == 1 && isWord(k+1) {
				dst = append(dst, folded[toks[k+1].start])
				k++
			}
			prevWord = false
			continue
		case string(t) == "st":
			switch {
			case prevWord:
				dst = append(dst, "street"...)
			case isWord(k+1) && sameSeg(k+1):
				dst = append(dst, "saint"...)
			default:
				dst = append(dst, "street"...)
			}
		case string(t) == "dr":
			switch {
			case prevWord:
				dst = append(dst, "drive"...)
			case isWord(k+1) && sameSeg(k+1):
				dst = append(dst, "doctor"...)
			default:
				dst = append(dst, "drive"...)
			}
		case string(t) == "gr":
			if tokIs(k+1, "floor") || tokIs(k+1, "flr") {
				dst = append(dst, "ground"...)
			} else {
				dst = append(dst, "grove"...)
			}
		default:
			if w, ok := addressWords[string(t)]; ok {
				dst = append(dst, w...)
			} else {
				dst = append(dst, t...)
			}
		}
		prevWord = true
	}
	if isPlaceholder(dst[start:]) {
		return dst[:start]
	}
	return dst
}

// flatDescriptors are the words that, before "flat", describe a flat that
// has no number of its own ("ground floor flat 12 ..." is at number 12).
var flatDescriptors = map[string]bool{
	"floor": true, "basement": true, "ground": true, "garden": true,
	"top": true, "upper": true, "lower": true, "middle": true, "rear": true,
	"front": true, "attic": true, "first": true, "second": true, "third": true,
}

// HouseNumber returns the house (building) number of an address: the first
// number of Address(addr) that is not the number of a flat and not an
// ordinal, or "" if there is none.
//
// A number is the number of a flat when it directly follows the word flat
// (or flt, apartment, apt, unit), unless that word follows floor, basement,
// ground, garden, top, upper, lower, middle, rear, front, attic, first,
// second or third, which describe a flat without a number. An ordinal is a
// number ending st, nd, rd or th (1st floor). So "Flat 3, 12 High St" gives
// 12, "Ground Floor Flat 12 High St" gives 12, "12a High St" gives 12a, and
// "3 Rose Court, 7 Mill Lane" gives 3, the number of the building named
// first. HouseNumber reads only the words of Address(addr), so
// HouseNumber(Address(addr)) == HouseNumber(addr).
func HouseNumber(addr string) string {
	var ob [128]byte
	a := appendAddress(ob[:0], addr)
	flatNumber := false    // the next token would be a flat's number
	prevSt, prevEn := 0, 0 // the previous token
	for i := 0; ; {
		st, en := nextToken(a, i)
		if st == en {
			return ""
		}
		i = en
		t := a[st:en]
		if isDigit(t[0]) {
			if !flatNumber && !isOrdinal(t) {
				return string(t)
			}
			flatNumber = false
			prevSt, prevEn = st, en
			continue
		}
		flatNumber = string(t) == "flat" && (prevEn == 0 || !flatDescriptors[string(a[prevSt:prevEn])])
		prevSt, prevEn = st, en
	}
}

// isOrdinal reports whether t is a number followed by st, nd, rd or th.
func isOrdinal(t []byte) bool {
	n := len(t)
	if n < 3 || !isDigit(t[n-3]) {
		return false
	}
	switch string(t[n-2:]) {
	case "st", "nd", "rd", "th":
		return allDigits(t[:n-2])
	}
	return false
}
