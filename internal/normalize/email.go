package normalize

import "strings"

// Email returns an e-mail address trimmed of white space, with its ASCII
// letters lower-cased, and whether it is well formed: exactly one '@', a
// non-empty local part, and a domain of two or more non-empty labels
// separated by dots, with no white space anywhere.
//
// No provider-specific rewriting is done (dots and +tags in the local part
// are kept). Email returns "" and false for a blank value and a placeholder
// (see IsPlaceholder).
func Email(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || IsPlaceholder(s) {
		return "", false
	}
	out := lowerASCII(s)
	return out, wellFormedEmail(out)
}

// EmailStatus reports what Email would: whether s holds an address at all
// (Email's result is not "") and whether it is well formed, without
// making the lower-cased copy.
func EmailStatus(s string) (present, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || IsPlaceholder(s) {
		return false, false
	}
	return true, wellFormedEmail(s)
}

// wellFormedEmail reports whether the trimmed address out is well formed;
// letter case does not matter.
func wellFormedEmail(out string) bool {
	at := -1
	dot := false // a dot in the domain
	for i := 0; i < len(out); i++ {
		switch out[i] {
		case '@':
			if at >= 0 {
				return false
			}
			at = i
		case ' ', '\t', '\n', '\r', '\v', '\f':
			return false
		case '.':
			if at >= 0 {
				if i == at+1 || out[i-1] == '.' {
					return false // the domain starts with a dot, or has two in a row
				}
				dot = true
			}
		}
	}
	return at > 0 && dot && out[len(out)-1] != '.'
}

// lowerASCII returns s with its ASCII letters lower-cased, without
// allocating when there is nothing to change.
func lowerASCII(s string) string {
	i := 0
	for i < len(s) && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}
