package normalize

import "strings"

// Canonical genders, as Gender returns them.
const (
	GenderFemale = "F"
	GenderMale   = "M"
	// GenderOther is a gender recorded as neither female nor male
	// ("non-binary", "X", "other").
	GenderOther = "X"
)

// Gender maps the sex or gender a dataset records for a person onto F, M
// or X. It reads the words exports use ("Female", "MALE", "f", "Woman",
// "Non-binary"), the codes of ISO/IEC 5218 (1 male, 2 female; 0 not known
// and 9 not applicable are no gender), and gendered titles ("Mrs", "Miss",
// "Ms", "Mr", "Master"), so that a title column can stand for a gender one.
//
// It returns "" and true for a value that states no gender: empty, "not
// known", "prefer not to say", a title that does not say ("Dr", "Rev",
// "Mx", which many people of either sex choose). It returns "" and false
// for a value it does not recognise.
func Gender(s string) (string, bool) {
	f := strings.Fields(strings.ToLower(genderPunct.Replace(s)))
	if len(f) == 0 {
		return "", true
	}
	key := strings.Join(f, " ")
	if g, ok := genders[key]; ok {
		return g, true
	}
	if unstated[key] {
		return "", true
	}
	return "", false
}

// genderPunct turns the punctuation of gender values into spaces.
var genderPunct = strings.NewReplacer("_", " ", "-", " ", ".", " ", "/", " ", "(", " ", ")", " ")

// genders maps a folded value onto its gender.
var genders = map[string]string{
	"f": GenderFemale, "female": GenderFemale, "woman": GenderFemale, "girl": GenderFemale, "2": GenderFemale,
	"mrs": GenderFemale, "miss": GenderFemale, "ms": GenderFemale, "madam": GenderFemale, "lady": GenderFemale, "dame": GenderFemale,
	"m": GenderMale, "male": GenderMale, "man": GenderMale, "boy": GenderMale, "1": GenderMale,
	"mr": GenderMale, "master": GenderMale, "sir": GenderMale, "lord": GenderMale,
	"x": GenderOther, "non binary": GenderOther, "nonbinary": GenderOther, "other": GenderOther,
	"intersex": GenderOther, "genderqueer": GenderOther, "agender": GenderOther,
}

// unstated lists folded values that state no gender.
var unstated = map[string]bool{
	"u": true, "unknown": true, "not known": true, "n k": true, "nk": true, "not stated": true, "not specified": true,
	"prefer not to say": true, "declined": true, "not recorded": true, "0": true, "9": true, "n a": true, "na": true,
	"mx": true, "dr": true, "prof": true, "professor": true, "rev": true, "revd": true, "reverend": true,
	"fr": true, "father": true, "sister": true, "captain": true, "capt": true, "cllr": true, "councillor": true,
}
