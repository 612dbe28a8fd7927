package normalize

import "strings"

// Kinds of the words Name drops.
const (
	wordHonorific = 1 + iota // always dropped
	wordRank                 // dropped unless the name has nothing else
	wordSuffix               // dropped unless it is the first word
)

// nameWords classifies the titles and suffixes that Name drops.
var nameWords = map[string]uint8{
	"mr": wordHonorific, "mrs": wordHonorific, "ms": wordHonorific,
	"miss": wordHonorific, "mx": wordHonorific, "dr": wordHonorific,
	"rev": wordHonorific, "prof": wordHonorific,

	"sir": wordRank, "dame": wordRank, "lady": wordRank, "lord": wordRank,

	"jr": wordSuffix, "jnr": wordSuffix, "sr": wordSuffix, "snr": wordSuffix,
	"ii": wordSuffix, "iii": wordSuffix, "iv": wordSuffix, "esq": wordSuffix,
}

// Name returns the canonical form of a personal name (a forename, middle
// names or a surname): lower-case ASCII words separated by single spaces.
//
// The characters of s are reduced as described in the package documentation,
// with digits removed: diacritics are folded (Zoë → zoe, Łukasz → lukasz),
// apostrophes are removed (O'Brien → obrien), and hyphens, dots, commas and
// other punctuation separate words (Smith-Jones → smith jones). Prefixes such
// as Mc and Mac are kept as written (McDonald → mcdonald, Mac Donald → mac
// donald).
//
// Titles and suffixes are then dropped:
//
//   - the honorifics mr, mrs, ms, miss, mx, dr, rev and prof wherever they
//     are;
//   - the titles sir, dame, lady and lord wherever they are, unless the name
//     has no other word than titles and suffixes, since Lord and Lady are
//     also surnames (Lord → lord, Lord Smith → smith);
//   - the suffixes jr, jnr, sr, snr, ii, iii, iv and esq, unless a suffix is
//     the first word left (Smith Jnr → smith).
//
// Name returns "" for a name with no letters, a name of only honorifics, and
// a name whose canonical form is a placeholder (see IsPlaceholder), such as
// "N/A" (n a) or "Mr Unknown".
func Name(s string) string {
	var buf [64]byte
	out := name(&buf, s)
	if len(out) == 0 {
		return ""
	}
	if string(out) == s {
		return s
	}
	return string(out)
}

// HasName reports whether Name(s) is not empty, without making it.
func HasName(s string) bool {
	var buf [64]byte
	return len(name(&buf, s)) > 0
}

// name returns the canonical form of s (see Name), built in buf when it
// fits, or nothing when it is empty.
func name(buf *[64]byte, s string) []byte {
	var fb [64]byte
	folded := fold(fb[:0], s, false, false)

	// Is there a word that is not a title or suffix?
	plain := false
	for i := 0; ; {
		st, en := nextToken(folded, i)
		if st == en {
			break
		}
		if nameWords[string(folded[st:en])] == 0 {
			plain = true
			break
		}
		i = en
	}

	out := buf[:0]
	for i := 0; ; {
		st, en := nextToken(folded, i)
		if st == en {
			break
		}
		i = en
		switch nameWords[string(folded[st:en])] {
		case wordHonorific:
			continue
		case wordRank:
			if plain {
				continue
			}
		case wordSuffix:
			if len(out) > 0 {
				continue
			}
		}
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, folded[st:en]...)
	}
	if isPlaceholder(out) {
		return nil
	}
	return out
}

// NameTokens returns the words of Name(s), or nil if it is empty.
func NameTokens(s string) []string {
	n := Name(s)
	if n == "" {
		return nil
	}
	return strings.Split(n, " ")
}

// surnameParticles are the words of a compound surname that do not stand
// alone as a surname: nobiliary and patronymic particles and detached
// prefixes (van der Berg, de la Cruz, Mac Donald, ap Rhys).
var surnameParticles = map[string]bool{
	"ab": true, "al": true, "ap": true, "bin": true, "da": true, "das": true,
	"de": true, "del": true, "della": true, "den": true, "der": true, "des": true,
	"di": true, "do": true, "dos": true, "du": true, "el": true, "la": true,
	"le": true, "mac": true, "mc": true, "ni": true, "nic": true, "san": true,
	"st": true, "te": true, "ten": true, "ter": true, "van": true, "von": true,
}

// SurnameParts returns the parts of a compound surname: of the words of
// the canonical surname n (a value of Name) that can stand alone as a
// surname, that is, words of two letters or more that are not particles
// (van, de, la, Mac, ap and the like), the first, and the last that
// differs from it. People with a
// double-barrelled or compound surname are often recorded under one part
// of it, or under its parts in the other order: Smith-Jones as Jones, van
// der Berg as Berg.
//
// SurnameParts returns nothing ("", "") for a surname of one word, and
// ("berg", "") when one word of several stands alone. It returns first ==
// "" only when last is "" too.
func SurnameParts(n string) (first, last string) {
	if strings.IndexByte(n, ' ') < 0 {
		return "", ""
	}
	for w := range strings.SplitSeq(n, " ") {
		if len(w) < 2 || surnameParticles[w] {
			continue
		}
		if first == "" {
			first = w
		} else if w != first {
			last = w
		}
	}
	return first, last
}
