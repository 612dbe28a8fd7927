package load

import (
	"strings"
	"unicode"
)

// SplitFullName splits a full name held in one column into forename,
// middle names and surname. Every part it returns is a substring of s with
// no surrounding spaces or commas, in its original case; spelling is left
// to the normalisers.
//
// Leading titles ("Mr", "Mrs", "Dr", …) and trailing generational suffixes
// ("Jr", "Snr", "III", …) are dropped. A comma always ends the surname:
// "SMITH, John Michael" is surname SMITH, forename John, middle names
// Michael, whatever the order. Without a comma, order decides:
//
//   - SurnameFirst: the leading run of upper-case words of two letters or
//     more is the surname ("VAN DER BERG Anna", "SMITH J"); when there is
//     no such run, or every word is in it, the first word is.
//   - ForenameFirst, and any other order: a trailing run of upper-case
//     words is the surname when some word before it is not upper case
//     ("Mary Jane DE LA CRUZ"); otherwise the last word is, together with
//     any surname particles before it ("Ludwig van Beethoven").
//
// A name of one word is taken as a surname.
func SplitFullName(s, order string) (forename, middle, surname string) {
	var given, sur []word
	if i := strings.IndexByte(s, ','); i >= 0 {
		sur = dropTitles(s, words(s, 0, i))
		given = dropSuffixes(s, dropTitles(s, words(s, i+1, len(s))))
		if len(sur) == 0 {
			given, sur = split(s, given, order)
		}
	} else {
		given, sur = split(s, dropSuffixes(s, dropTitles(s, words(s, 0, len(s)))), order)
	}
	if len(given) > 0 {
		forename = given[0].of(s)
		middle = span(s, given[1:])
	}
	return forename, middle, span(s, sur)
}

// word is one word of a string, by byte offsets.
type word struct{ start, end int }

func (w word) of(s string) string { return s[w.start:w.end] }

// words splits s[from:to] on spaces, tabs and commas.
func words(s string, from, to int) []word {
	var ws []word
	start := -1
	for i := from; i < to; i++ {
		sep := s[i] == ' ' || s[i] == '\t' || s[i] == ','
		switch {
		case sep && start >= 0:
			ws = append(ws, word{start, i})
			start = -1
		case !sep && start < 0:
			start = i
		}
	}
	if start >= 0 {
		ws = append(ws, word{start, to})
	}
	return ws
}

// span returns the part of s from the first to the last of ws.
func span(s string, ws []word) string {
	if len(ws) == 0 {
		return ""
	}
	return s[ws[0].start:ws[len(ws)-1].end]
}

// split divides the words of a name without a comma into given names and
// surname.
func split(s string, ws []word, order string) (given, sur []word) {
	n := len(ws)
	if n <= 1 {
		return nil, ws
	}
	if order == SurnameFirst {
		k := 0
		for k < n && upper(ws[k].of(s)) {
			k++
		}
		if k == 0 || k == n {
			k = 1
		}
		return ws[k:], ws[:k]
	}
	k := n
	for k > 0 && upper(ws[k-1].of(s)) {
		k--
	}
	if k > 0 && k < n {
		return ws[:k], ws[k:]
	}
	k = n - 1
	for k > 1 && in(particles, ws[k-1].of(s)) {
		k--
	}
	return ws[:k], ws[k:]
}

func dropTitles(s string, ws []word) []word {
	for len(ws) > 1 && in(titles, ws[0].of(s)) {
		ws = ws[1:]
	}
	return ws
}

func dropSuffixes(s string, ws []word) []word {
	for len(ws) > 1 && in(suffixes, ws[len(ws)-1].of(s)) {
		ws = ws[:len(ws)-1]
	}
	return ws
}

var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "master": true,
	"dr": true, "rev": true, "revd": true, "prof": true,
	"sir": true, "dame": true, "lady": true, "lord": true,
}

var suffixes = map[string]bool{"jr": true, "jnr": true, "sr": true, "snr": true, "ii": true, "iii": true}

var particles = map[string]bool{
	"van": true, "von": true, "de": true, "der": true, "den": true, "del": true, "della": true,
	"di": true, "da": true, "dos": true, "das": true, "du": true, "la": true, "le": true,
	"st": true, "ter": true, "ten": true, "bin": true, "ibn": true, "al": true, "el": true,
}

// in reports whether w, lower-cased and without a trailing full stop, is
// in set. Only short ASCII words are in these sets.
func in(set map[string]bool, w string) bool {
	w = strings.TrimSuffix(w, ".")
	if len(w) == 0 || len(w) > 6 {
		return false
	}
	var buf [6]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return set[string(buf[:len(w)])]
}

// upper reports whether w has at least two letters and no lower-case one.
func upper(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}
