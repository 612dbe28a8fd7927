package compare

import (
	"fmt"
	"slices"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// Level names shared by the standard comparisons.
const (
	LevelExact    = "exact"
	LevelSwapped  = "swapped"
	LevelNickname = "nickname"
	LevelPhonetic = "phonetic"
	LevelOneEdit  = "one-edit"
	LevelInitial  = "initial"
	LevelMiddle   = "middle-name"
	LevelOther    = "other-field"
	LevelPart     = "part"
	LevelElse     = "else"
	LevelNull     = "null"
)

// DefaultNameDice are the Dice thresholds of the name comparisons' fuzzy
// levels, highest first.
var DefaultNameDice = []float64{0.9, 0.75, 0.6}

// DefaultAddressDice are the Dice thresholds of the address comparison:
// the first ranks above a postcode match, the second below it.
var DefaultAddressDice = [2]float64{0.85, 0.6}

// Default returns the standard comparisons: forename, middle names,
// surname, date of birth, NI number, passport number, address (with
// postcode and UPRN), phone, email and gender. Every exact level of a
// single token but gender's is adjusted by term frequency, so that an agreement on a common or
// placeholder value counts for less than one on a rare value. Surname,
// phone and email are household fields (see Comparison.Household), phone
// and email contacts (see Comparison.Contact); date of birth, NI number
// and passport number are identifiers (see Comparison.Identifier). Gender
// is compared where the forenames leave it open (see Gender).
func Default() []Comparison {
	return []Comparison{
		Forename(DefaultNameDice),
		Middle(),
		Surname(DefaultNameDice),
		DOB(),
		identifier(NINumber()),
		identifier(Passport()),
		Address(DefaultAddressDice),
		contact(household(Exact("phone", func(r *pseudo.Record) pseudo.Token { return r.Phone }))),
		contact(household(Exact("email", func(r *pseudo.Record) pseudo.Token { return r.Email }))),
		Gender(),
	}
}

// identifier marks c as a personal identifier.
func identifier(c Comparison) Comparison {
	c.Identifier = true
	return c
}

// contact marks c as a way of reaching a person.
func contact(c Comparison) Comparison {
	c.Contact = true
	return c
}

// household marks c as a field people who share a home often share.
func household(c Comparison) Comparison {
	c.Household = true
	return c
}

// DiceLevel names the level reached by a Dice coefficient of at least t.
func DiceLevel(t float64) string { return fmt.Sprintf("dice>=%.2f", t) }

// thresholds validates and copies Dice thresholds.
func thresholds(ts []float64) []float64 {
	ts = slices.Clone(ts)
	for i, t := range ts {
		if !(t > 0 && t <= 1) || (i > 0 && t >= ts[i-1]) {
			panic(fmt.Sprintf("compare: Dice thresholds %v are not decreasing in (0, 1]", ts))
		}
	}
	return ts
}

// Exact compares one token: "exact", "else" or "null". Its exact level is
// adjusted by the token's frequency.
func Exact(name string, token func(r *pseudo.Record) pseudo.Token) Comparison {
	return Comparison{
		Name:   name,
		Levels: []string{LevelExact, LevelElse, LevelNull},
		Compare: func(a, b *pseudo.Record) uint8 {
			x, y := token(a), token(b)
			switch {
			case x == 0 || y == 0:
				return 2
			case x == y:
				return 0
			}
			return 1
		},
		Term: token,
	}
}

// Gender compares genders where the forenames leave them open. Levels:
// "exact", "else", "null". A forename tells a gender: two records with
// one forename, or nicknames of one, agree on gender as surely when they
// are namesakes as when they are one person, and weighing that agreement
// again would count the forename twice. Gender is then not compared
// (null). Forenames one letter or one sound apart are mostly one name
// mistyped, and agree on gender for that reason; but Louis and Louise are
// two names, and twins. For them only a disagreement counts ("else"). Where
// the forenames differ, are missing or are only initials ("J Smith" and
// "Jane Smith"), gender weighs either way. Two values share nearly every
// record, so agreement is not adjusted by term frequency.
func Gender() Comparison {
	return Comparison{
		Name:   "gender",
		Levels: []string{LevelExact, LevelElse, LevelNull},
		Compare: func(a, b *pseudo.Record) uint8 {
			x, y := a.Gender, b.Gender
			switch {
			case x == 0 || y == 0 || sameForename(a, b):
				return 2
			case x != y:
				return 1
			case nearForename(a, b):
				return 2
			}
			return 0
		},
	}
}

// sameForename reports whether a and b have one forename, written alike
// or in one nickname group, that is more than an initial.
func sameForename(a, b *pseudo.Record) bool {
	if a.ForenameIsInitial || b.ForenameIsInitial {
		return false
	}
	return a.Forename != 0 && a.Forename == b.Forename || a.ForenameGroup != 0 && a.ForenameGroup == b.ForenameGroup
}

// nearForename reports whether the forenames of a and b, neither an
// initial, are one edit or one sound apart.
func nearForename(a, b *pseudo.Record) bool {
	if a.ForenameIsInitial || b.ForenameIsInitial || a.Forename == 0 || b.Forename == 0 {
		return false
	}
	return a.ForenameEdits.Share(&b.ForenameEdits) || phonetic(a.ForenamePhonetic, a.ForenamePhonAlt, b.ForenamePhonetic, b.ForenamePhonAlt)
}

// Forename compares forenames. Levels, first that applies: "exact";
// "swapped" (forename and surname exchanged between the records: the
// surname comparison is then null, so that one exchange of two names is
// weighed once, against how rarely two random people's names cross both
// ways);
// "nickname" (same nickname group: Robert, Bob, Rob); "one-edit" (one
// character mistyped, missing, added, or two exchanged: see pseudo.Edits);
// "phonetic" (a Double Metaphone code in common); "other-field" (one
// record's forename is the other's surname, and a surname is missing, so
// that the surname comparison cannot weigh it); "middle-name" (one
// record's forename is the other's last middle name: a person known by
// a middle name, "Mary Elizabeth" as Elizabeth); "initial" (one forename
// is only the other's initial: J, Jade); one "dice>=t" level per
// threshold in dice (Dice coefficient of the q-gram Bloom filters);
// "else"; "null". dice must be decreasing and within (0, 1].
func Forename(dice []float64) Comparison {
	ts := thresholds(dice)
	levels := []string{LevelExact, LevelSwapped, LevelNickname, LevelOneEdit, LevelPhonetic, LevelOther, LevelMiddle, LevelInitial}
	for _, t := range ts {
		levels = append(levels, DiceLevel(t))
	}
	levels = append(levels, LevelElse, LevelNull)
	null := uint8(len(levels) - 1)
	return Comparison{
		Name:   "forename",
		Levels: levels,
		Compare: func(a, b *pseudo.Record) uint8 {
			if (a.Forename == 0 && a.ForenameCount == 0) || (b.Forename == 0 && b.ForenameCount == 0) {
				return null
			}
			switch {
			case a.Forename != 0 && a.Forename == b.Forename:
				return 0
			case swapped(a, b):
				return 1
			case a.ForenameGroup != 0 && a.ForenameGroup == b.ForenameGroup:
				return 2
			case a.ForenameEdits.Share(&b.ForenameEdits):
				return 3
			case phonetic(a.ForenamePhonetic, a.ForenamePhonAlt, b.ForenamePhonetic, b.ForenamePhonAlt):
				return 4
			case (noSurname(a) || noSurname(b)) && crossed(a, b):
				return 5
			case eq(a.Forename, b.MiddleSurname) || eq(b.Forename, a.MiddleSurname):
				return 6
			case (a.ForenameIsInitial || b.ForenameIsInitial) && eq(a.ForenameInitial, b.ForenameInitial):
				return 7
			}
			d := nameDice(&a.ForenameBF, &b.ForenameBF, a.ForenameCount, b.ForenameCount)
			return 8 + diceBand(d, ts)
		},
		Term: func(r *pseudo.Record) pseudo.Token { return r.Forename },
	}
}

// Surname compares surnames. Levels: "exact"; "middle-name" (one
// record's surname is the other's last middle name: a maiden or former
// surname kept as a middle name); "one-edit"; "phonetic"; "part" (the
// surnames share a part of a compound surname: Smith-Jones and Jones,
// Smith-Jones and Jones-Smith; see pseudo.Record.SurnameParts); "other-field"
// (one record's surname is the other's forename: names entered in the
// wrong fields, one of them then lost or mistyped); one "dice>=t" level
// per threshold; "else"; "null" (a surname missing, or forename and
// surname exchanged, which the forename comparison weighs: counted here
// as well, the one event would weigh twice).
func Surname(dice []float64) Comparison {
	ts := thresholds(dice)
	levels := []string{LevelExact, LevelMiddle, LevelOneEdit, LevelPhonetic, LevelPart, LevelOther}
	for _, t := range ts {
		levels = append(levels, DiceLevel(t))
	}
	levels = append(levels, LevelElse, LevelNull)
	null := uint8(len(levels) - 1)
	return Comparison{
		Name:   "surname",
		Levels: levels,
		Compare: func(a, b *pseudo.Record) uint8 {
			if noSurname(a) || noSurname(b) || swapped(a, b) {
				return null
			}
			switch {
			case a.Surname != 0 && a.Surname == b.Surname:
				return 0
			case eq(a.Surname, b.MiddleSurname) || eq(b.Surname, a.MiddleSurname):
				return 1
			case a.SurnameEdits.Share(&b.SurnameEdits):
				return 2
			case phonetic(a.SurnamePhonetic, a.SurnamePhonAlt, b.SurnamePhonetic, b.SurnamePhonAlt):
				return 3
			case sharePart(a, b):
				return 4
			case crossed(a, b):
				return 5
			}
			d := nameDice(&a.SurnameBF, &b.SurnameBF, a.SurnameCount, b.SurnameCount)
			return 6 + diceBand(d, ts)
		},
		Term:      func(r *pseudo.Record) pseudo.Token { return r.Surname },
		Household: true,
	}
}

// NINumber compares National Insurance numbers, without their suffix
// letters. Levels: "exact"; "one-edit" (one character mistyped, missing,
// added, or two adjacent ones exchanged: see pseudo.Edits); "else";
// "null". The exact level is adjusted by the number's frequency, so that
// a number many records share (a placeholder that validation let
// through) counts for little.
func NINumber() Comparison {
	return Comparison{
		Name:   "ni",
		Levels: []string{LevelExact, LevelOneEdit, LevelElse, LevelNull},
		Compare: func(a, b *pseudo.Record) uint8 {
			switch {
			case a.NINumber == 0 || b.NINumber == 0:
				return 3
			case a.NINumber == b.NINumber:
				return 0
			case a.NIEdits.Share(&b.NIEdits):
				return 1
			}
			return 2
		},
		Term: func(r *pseudo.Record) pseudo.Token { return r.NINumber },
	}
}

// Passport compares passport (or other travel document) numbers:
// "exact", "else" or "null". A person's number changes when the passport
// is renewed, so "else" is common among matches too, and weighs little;
// an agreement is strong evidence.
func Passport() Comparison {
	return Exact("passport", func(r *pseudo.Record) pseudo.Token { return r.Passport })
}

// Middle compares middle names: "exact", "else" or "null".
func Middle() Comparison {
	return Exact("middle_names", func(r *pseudo.Record) pseudo.Token { return r.MiddleNames })
}

// DOB compares dates of birth. Levels: "exact"; "day-month-swapped";
// "year-and-month-or-day" (the year and one of month or day agree);
// "month-day" (only the year differs); "month" (about a month apart: a
// date-of-birth window of half-width pseudo.WindowMonth in common, so
// always within 31 days, never 62 or more); "year" (about a year apart:
// a window of half-width pseudo.WindowYear in common, so always within
// 366 days, never 732 or more: a date misremembered, or estimated);
// "else"; "null". The last two work across a month's or a year's end,
// as a difference of dates does: 31 December and 2 January are a month
// apart.
func DOB() Comparison {
	return Comparison{
		Name:   "dob",
		Levels: []string{LevelExact, "day-month-swapped", "year-and-month-or-day", "month-day", "month", "year", LevelElse, LevelNull},
		Compare: func(a, b *pseudo.Record) uint8 {
			switch {
			case a.DOB == 0 || b.DOB == 0:
				return 7
			case a.DOB == b.DOB:
				return 0
			case (a.DOBSwapped != 0 && a.DOBSwapped == b.DOB) || (b.DOBSwapped != 0 && b.DOBSwapped == a.DOB):
				return 1
			case eq(a.DOBYearMonth, b.DOBYearMonth) || eq(a.DOBYearDay, b.DOBYearDay):
				return 2
			case eq(a.DOBMonthDay, b.DOBMonthDay):
				return 3
			case eq(a.DOBMonth[0], b.DOBMonth[0]) || eq(a.DOBMonth[1], b.DOBMonth[1]):
				return 4
			case eq(a.DOBWithinYear[0], b.DOBWithinYear[0]) || eq(a.DOBWithinYear[1], b.DOBWithinYear[1]):
				return 5
			}
			return 6
		},
		Term:       func(r *pseudo.Record) pseudo.Token { return r.DOB },
		Identifier: true,
	}
}

// Address compares where two people live, the address line, postcode and
// UPRN together: they describe one fact, and scoring them as independent
// fields would count a shared home several times. Levels: "uprn" (same
// property reference); "postcode+number" (same postcode and house
// number); "dice>=hi" (address Bloom filters); "postcode"; "dice>=lo";
// "sector" (same postcode sector); "outward" (same outward code); "else";
// "null" (no address, postcode or UPRN on one side). The first two
// levels mean a shared home (see Comparison.Home): they name one
// dwelling. A high Dice coefficient does not: the addresses of two flats
// of one building differ by a flat number only, so neighbours reach it
// too, and neighbours share surnames and phones no more often than
// strangers do.
func Address(dice [2]float64) Comparison {
	hi, lo := dice[0], dice[1]
	thresholds([]float64{hi, lo})
	return Comparison{
		Name: "address",
		Levels: []string{"uprn", "postcode+number", DiceLevel(hi), "postcode", DiceLevel(lo),
			"sector", "outward", LevelElse, LevelNull},
		Compare: func(a, b *pseudo.Record) uint8 {
			if (a.AddressCount == 0 && a.Postcode == 0 && a.UPRN == 0) || (b.AddressCount == 0 && b.Postcode == 0 && b.UPRN == 0) {
				return 8
			}
			if eq(a.UPRN, b.UPRN) {
				return 0
			}
			pc := eq(a.Postcode, b.Postcode)
			if pc && eq(a.HouseNumber, b.HouseNumber) {
				return 1
			}
			d := 0.0
			if a.AddressCount != 0 && b.AddressCount != 0 {
				d = addressDice(&a.AddressBF, &b.AddressBF, a.AddressCount, b.AddressCount)
			}
			switch {
			case d >= hi:
				return 2
			case pc:
				return 3
			case d >= lo:
				return 4
			case eq(a.PostcodeSector, b.PostcodeSector):
				return 5
			case eq(a.PostcodeOutward, b.PostcodeOutward):
				return 6
			}
			return 7
		},
		Home: []uint8{0, 1},
	}
}

// eq reports whether two tokens are present and equal.
func eq(a, b pseudo.Token) bool { return a != 0 && a == b }

// swapped reports whether a's forename is b's surname and a's surname b's
// forename.
func swapped(a, b *pseudo.Record) bool {
	return eq(a.Forename, b.Surname) && eq(a.Surname, b.Forename)
}

// noSurname reports whether r has no surname: no token and no filter. The
// surname comparison is then null, and the forename comparison weighs a
// name in the other field instead.
func noSurname(r *pseudo.Record) bool { return r.Surname == 0 && r.SurnameCount == 0 }

// crossed reports whether a's forename is b's surname or a's surname b's
// forename. The two name fields share one pseudonym domain, so that such
// tokens compare equal.
func crossed(a, b *pseudo.Record) bool {
	return eq(a.Forename, b.Surname) || eq(a.Surname, b.Forename)
}

// sharePart reports whether a's surname or one of its parts is b's
// surname or one of its parts: one compound surname recorded in part, or
// its parts in the other order. Surnames of one word have no parts, so
// that for them it is plain equality.
func sharePart(a, b *pseudo.Record) bool {
	as := [3]pseudo.Token{a.Surname, a.SurnameParts[0], a.SurnameParts[1]}
	bs := [3]pseudo.Token{b.Surname, b.SurnameParts[0], b.SurnameParts[1]}
	for _, x := range as {
		if x != 0 && (x == bs[0] || x == bs[1] || x == bs[2]) {
			return true
		}
	}
	return false
}

// phonetic reports whether two names share a Double Metaphone code.
func phonetic(a1, a2, b1, b2 pseudo.Token) bool {
	return eq(a1, b1) || eq(a1, b2) || eq(a2, b1) || eq(a2, b2)
}

// diceBand returns the index of the first threshold d reaches, or
// len(ts) (the else level that follows the bands) if none.
func diceBand(d float64, ts []float64) uint8 {
	for i, t := range ts {
		if d >= t {
			return uint8(i)
		}
	}
	return uint8(len(ts))
}
