package pseudo

import (
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
)

// Half-widths, in days, of the date-of-birth windows (Record.DOBMonth and
// Record.DOBWithinYear). Each date of birth is keyed with its windows of
// 2h days on two grids, the second moved h days from the first. Two dates
// at most h days apart share a window, and two that share a window are
// less than 2h days apart, so that a pseudonym can say "about a month
// apart" or "about a year apart", across a month's or a year's end too,
// without revealing the dates.
const (
	WindowMonth = 31
	WindowYear  = 366
)

// GenderCode is a keyed code of a gender: 1, 2 or 3, or 0 for none.
type GenderCode uint8

// Token is a keyed pseudonym of one normalised value. The zero Token is null
// (the value was missing or invalid).
type Token uint64

// Sizes of the similarity encodings, in bits.
const (
	NameBits    = 512
	AddressBits = 1024
)

// NameFilter is a keyed Bloom-filter encoding of a name's q-grams.
type NameFilter [NameBits / 64]uint64

// AddressFilter is a keyed Bloom-filter encoding of an address's q-grams
// and tokens.
type AddressFilter [AddressBits / 64]uint64

// Record is one pseudonymised person.
//
// Its only pointers, the three strings, come first: the garbage collector
// then stops reading each record after them, which matters when millions
// of records are live.
type Record struct {
	// RecordID is the dataset's own reference for the row. It is not a
	// personal identifier and is kept so that results can be traced back.
	RecordID string
	// TenancyRef and TenancyRole are carried as evidence for detections.
	TenancyRef  string
	TenancyRole string

	// Exact pseudonyms of names and their derived values.
	Forename         Token
	MiddleNames      Token
	Surname          Token
	ForenamePhonetic Token // Double Metaphone, primary code
	ForenamePhonAlt  Token // Double Metaphone, alternate code
	SurnamePhonetic  Token
	SurnamePhonAlt   Token
	ForenameGroup    Token // nickname group (Robert, Bob, Rob ...)
	ForenameInitial  Token // the forename's first letter
	// MiddleSurname is the last middle name keyed in the name domain, so
	// that it equals the Surname of a record of the same person under a
	// former or maiden name kept as a middle name, and the Forename of a
	// record of a person known by that middle name.
	MiddleSurname Token
	// SurnameParts are the parts of a compound surname keyed in the name
	// domain (see normalize.SurnameParts), so that a record under one part
	// of it, or under its parts in the other order, can be recognised:
	// Smith-Jones as Jones. Both are null for a surname of one word.
	SurnameParts [2]Token

	// Date of birth and its parts.
	DOB          Token
	DOBYear      Token
	DOBMonthDay  Token
	DOBSwapped   Token // the date with day and month exchanged, when that is a date
	DOBYearMonth Token
	DOBYearDay   Token
	// DOBMonth and DOBWithinYear are the date's windows on each of the
	// two grids, of half-width WindowMonth and WindowYear.
	DOBMonth      [2]Token
	DOBWithinYear [2]Token

	NINumber Token // core of the NI number, without the suffix letter
	Passport Token // a passport or other travel document's number

	Postcode        Token
	PostcodeOutward Token
	PostcodeSector  Token
	HouseNumber     Token // first house-number token of the address
	UPRN            Token
	Phone           Token
	Email           Token

	// Similarity encodings. A zero count means null.
	ForenameBF    NameFilter
	SurnameBF     NameFilter
	AddressBF     AddressFilter
	ForenameCount uint16 // bits set in ForenameBF
	SurnameCount  uint16
	AddressCount  uint16
	// ForenameIsInitial reports that the forename is only an initial
	// ("J"). It sits here, in the counts' padding, to keep Record small.
	ForenameIsInitial bool
	// Gender is the keyed code of the gender (F, M or X as
	// normalize.Gender reads it): 1, 2 or 3, in an order the key chooses
	// (see Encoder), or 0 for none. It sits in the counts' padding too: a
	// gender has three values, and a token of eight bytes would add them
	// to every record.
	Gender GenderCode
	// One-edit neighbourhoods of the forename's first word and of the
	// joined surname (see Edits).
	ForenameEdits Edits
	SurnameEdits  Edits
	// NIEdits is the one-edit neighbourhood of the NI number's core, so
	// that a number with one digit mistyped is recognised as such.
	NIEdits Edits

	// Further attributes carried as evidence for detections.
	TenancyStart date.Date
	TenancyEnd   date.Date
	DateOfDeath  date.Date
	Balance      money.Pence
}
