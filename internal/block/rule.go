// Package block finds the candidate pairs worth comparing, so that linking
// two datasets of a million records does not mean comparing every pair.
//
// A Rule gives each record one or more keys; records that share a key
// under a rule form a block and every pair across (link) or within
// (deduplication) a block is a candidate. The candidates of all rules are
// united without duplicates: a pair is emitted by the first key that
// generates it, and a later key skips any pair that an earlier key also
// joins. Exact rules combine pseudonym tokens (NI number; date of birth and
// surname sound; postcode and house number ...); a locality-sensitive
// hashing rule over the names' Bloom filters finds pairs whose every exact
// key is broken by typing errors. A probe rule (Rule.Probe) joins only
// the pairs with a probe in them, such as a record with no date of birth,
// sought by a full name that would be far too common a key for everyone.
//
// Blocks whose pairs exceed a limit (a placeholder phone number shared by
// thousands of records) are skipped and counted. Keys are joined by
// radix-sorting 32-bit key fingerprints with int32 record indexes, and
// candidates are streamed to the caller in chunks, never all held at once.
package block

import (
	"fmt"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// Rule is one blocking rule.
type Rule struct {
	// Name names the rule in reports ("dob+surname-phonetic").
	Name string
	// Keys is how many keys the rule gives each record: 1 for most
	// rules, one per band for locality-sensitive hashing.
	Keys int
	// Key writes a record's Keys keys into keys, which has length Keys.
	// A zero key means the record has no key there. Key must be safe for
	// concurrent use.
	Key func(r *pseudo.Record, keys []uint64)
	// Probe, when set, narrows the rule to the records that the other
	// rules cannot reach: its blocks join only the pairs of which at
	// least one record is a probe (Probe reports true for it). A key that
	// would join every pair of a large population, such as a full name,
	// is affordable when it is used only for the few records that lack
	// what the narrower keys need, such as a date of birth. Probe must be
	// safe for concurrent use.
	Probe func(r *pseudo.Record) bool
	// MaxBlockPairs, when positive, is the largest block of this rule,
	// in pairs, that is enumerated, if it is below
	// Options.MaxBlockPairs. A key whose blocks are only worth comparing
	// while they are small (a name that is common is weak evidence) says
	// so here.
	MaxBlockPairs int64
}

// KeyRule returns a rule with one key per record, given by key; records
// for which key reports false are in no block of the rule.
func KeyRule(name string, key func(r *pseudo.Record) (uint64, bool)) Rule {
	return Rule{Name: name, Keys: 1, Key: func(r *pseudo.Record, keys []uint64) {
		k, ok := key(r)
		if !ok {
			keys[0] = 0
			return
		}
		keys[0] = nonzero(k)
	}}
}

// TokenRule returns a rule whose key combines the given tokens of a
// record. A record with any of them null has no key.
func TokenRule(name string, tokens ...func(r *pseudo.Record) pseudo.Token) Rule {
	if len(tokens) == 0 {
		panic("block: TokenRule " + name + " without tokens")
	}
	return KeyRule(name, func(r *pseudo.Record) (uint64, bool) {
		h := uint64(len(tokens))
		for _, t := range tokens {
			v := t(r)
			if v == 0 {
				return 0, false
			}
			h = Mix(h, uint64(v))
		}
		return h, true
	})
}

// ProbeRule returns a TokenRule narrowed by probe (see Rule.Probe): its
// blocks join only the pairs in which at least one record is a probe.
func ProbeRule(name string, probe func(r *pseudo.Record) bool, tokens ...func(r *pseudo.Record) pseudo.Token) Rule {
	r := TokenRule(name, tokens...)
	r.Probe = probe
	return r
}

// Mix combines a running hash h with a value v. It is a strong 64-bit
// mixer (not cryptographic: the values it mixes are keyed pseudonyms).
func Mix(h, v uint64) uint64 {
	h ^= v + 0x9e3779b97f4a7c15 + h<<6 + h>>2
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// nonzero maps the key 0, which means "no key", to 1.
func nonzero(k uint64) uint64 {
	if k == 0 {
		return 1
	}
	return k
}

// probeFingerprint marks the fingerprint f of a probe rule's key: its
// lowest bit tells whether the record is a probe, and the other bits are
// the block. 0 stays "no key".
func probeFingerprint(f uint32, probe bool) uint32 {
	if f == 0 {
		return 0
	}
	f &^= 1
	if f == 0 {
		f = 2
	}
	if probe {
		f |= 1
	}
	return f
}

// fingerprint folds a 64-bit key into the 32-bit value that blocks are
// joined on; 0 stays "no key". Distinct keys that share a fingerprint only
// add a few needless candidates.
func fingerprint(k uint64) uint32 {
	if k == 0 {
		return 0
	}
	f := uint32(k>>32) ^ uint32(k)
	if f == 0 {
		f = 1
	}
	return f
}

// Token accessors for the standard rules.
func ni(r *pseudo.Record) pseudo.Token               { return r.NINumber }
func passport(r *pseudo.Record) pseudo.Token         { return r.Passport }
func dob(r *pseudo.Record) pseudo.Token              { return r.DOB }
func dobYear(r *pseudo.Record) pseudo.Token          { return r.DOBYear }
func dobYearMonth(r *pseudo.Record) pseudo.Token     { return r.DOBYearMonth }
func dobMonthDay(r *pseudo.Record) pseudo.Token      { return r.DOBMonthDay }
func surname(r *pseudo.Record) pseudo.Token          { return r.Surname }
func forename(r *pseudo.Record) pseudo.Token         { return r.Forename }
func forenameInitial(r *pseudo.Record) pseudo.Token  { return r.ForenameInitial }
func surnamePhonetic(r *pseudo.Record) pseudo.Token  { return r.SurnamePhonetic }
func forenamePhonetic(r *pseudo.Record) pseudo.Token { return r.ForenamePhonetic }
func postcode(r *pseudo.Record) pseudo.Token         { return r.Postcode }
func houseNumber(r *pseudo.Record) pseudo.Token      { return r.HouseNumber }
func sector(r *pseudo.Record) pseudo.Token           { return r.PostcodeSector }
func email(r *pseudo.Record) pseudo.Token            { return r.Email }
func phone(r *pseudo.Record) pseudo.Token            { return r.Phone }
func uprn(r *pseudo.Record) pseudo.Token             { return r.UPRN }

// noDOB reports whether a record has no date of birth, which every rule
// but the NI number, postcode and contact ones needs.
func noDOB(r *pseudo.Record) bool { return r.DOB == 0 }

// forenameGroup is the nickname group, or the forename itself when the
// name is in no group.
func forenameGroup(r *pseudo.Record) pseudo.Token {
	if r.ForenameGroup != 0 {
		return r.ForenameGroup
	}
	return r.Forename
}

// swappedDOB keys the unordered pair {date of birth, date with day and
// month exchanged} with the surname sound, so that a record whose day and
// month were entered the wrong way round meets its pair.
func swappedDOB(r *pseudo.Record) (uint64, bool) {
	if r.DOB == 0 || r.DOBSwapped == 0 || r.DOBSwapped == r.DOB || r.SurnamePhonetic == 0 {
		return 0, false
	}
	lo, hi := uint64(min(r.DOB, r.DOBSwapped)), uint64(max(r.DOB, r.DOBSwapped))
	return Mix(Mix(Mix(7, lo), hi), uint64(r.SurnamePhonetic)), true
}

// namesInWindow gives a record two keys: the unordered pair {forename,
// surname} with each of the two within-a-year windows of its date of
// birth (see pseudo.WindowYear). Records of one person meet on it when
// their full names agree, in their fields or exchanged between them (the
// two fields are keyed in one domain), and their dates of birth are at
// most a year apart, across a new year too; never when 732 days or more
// apart. The whole name keeps the blocks narrow.
func namesInWindow(r *pseudo.Record, keys []uint64) {
	keys[0], keys[1] = 0, 0
	if r.Forename == 0 || r.Surname == 0 {
		return
	}
	lo, hi := uint64(min(r.Forename, r.Surname)), uint64(max(r.Forename, r.Surname))
	for g, w := range r.DOBWithinYear {
		if w != 0 {
			keys[g] = nonzero(Mix(Mix(Mix(11, uint64(w)), lo), hi))
		}
	}
}

// soundsInMonth gives a record two keys: its forename's and surname's
// sounds (Double Metaphone) with each of the two within-a-month windows
// of its date of birth (see pseudo.WindowMonth). Records of one person
// meet on it when a typing error kept their names' sounds (Allen and
// Alan, Henderson and Henderseon) and moved the date of birth by up to a
// month: names+birth-window needs the names as spelled, and names-lsh the
// date as entered (or a postcode). Within-a-year windows found a few more
// such pairs on Splink's data, but at a million records a side they added
// 0.9M candidate pairs to a link, against 0.23M for these.
func soundsInMonth(r *pseudo.Record, keys []uint64) {
	keys[0], keys[1] = 0, 0
	if r.ForenamePhonetic == 0 || r.SurnamePhonetic == 0 {
		return
	}
	for g, w := range r.DOBMonth {
		if w != 0 {
			keys[g] = nonzero(Mix(Mix(Mix(13, uint64(w)), uint64(r.ForenamePhonetic)), uint64(r.SurnamePhonetic)))
		}
	}
}

// oneNameInMonth returns a probe rule for the records that lack one of
// their names (probe): it keys every record's other name (name) with each
// of the two within-a-month windows of its date of birth (see
// pseudo.WindowMonth), and joins only pairs in which one record is a
// probe. Such a record meets no pair on a full-name key,
// nor, its names' filters holding one name where its pair's hold two, on
// names-lsh; with this rule it meets the records that share its one name
// and were born within about a month of it. Blocks of more than
// probeBlockPairs pairs are left out, as for withoutDOB. Like every probe
// rule it costs nothing on data whose records all have both names.
func oneNameInMonth(ruleName string, probe func(*pseudo.Record) bool, name func(*pseudo.Record) pseudo.Token, seed uint64) Rule {
	return Rule{Name: ruleName, Keys: 2, Probe: probe, MaxBlockPairs: probeBlockPairs, Key: func(r *pseudo.Record, keys []uint64) {
		keys[0], keys[1] = 0, 0
		n := name(r)
		if n == 0 {
			return
		}
		for g, w := range r.DOBMonth {
			if w != 0 {
				keys[g] = nonzero(Mix(Mix(seed, uint64(w)), uint64(n)))
			}
		}
	}}
}

func noSurname(r *pseudo.Record) bool  { return r.Surname == 0 }
func noForename(r *pseudo.Record) bool { return r.Forename == 0 }

// Partitions of the standard LSH rules. Names with typing errors that
// break their sound codes are sought among people born on the same day or
// living at the same postcode; addresses with typing errors (and so
// people whose names were swapped or changed) among people born on the
// same day. Coarser partitions (a birth year, a postcode area, a
// forename) let the pairs that merely share a common name, or a street,
// swamp the candidates on large datasets.
var (
	partitionsNames   = []func(*pseudo.Record) pseudo.Token{dob, postcode}
	partitionsAddress = []func(*pseudo.Record) pseudo.Token{dob}
)

// withoutDOB seeks records with no date of birth by their full name. A
// name whose block holds more pairs than probeBlockPairs is too common to
// be evidence with no date of birth beside it, and is left out.
var withoutDOB = func() Rule {
	r := ProbeRule("surname+forename-group-without-dob", noDOB, surname, forenameGroup)
	r.MaxBlockPairs = probeBlockPairs
	return r
}()

// Rules for a compound surname recorded in part (Smith-Jones as Jones),
// or with its parts in the other order, where one record of the pair has
// no date of birth (withoutDOB's case; with dates of birth, the rules that
// key them find such pairs). Each keys the parts with the forename group
// (see partKeys). Between them they join every pair of a record with a
// compound surname and a record sharing a part of it and the forename
// group, one of the two lacking a date of birth, and no pair of two
// records of one-word surnames, which withoutDOB joins already: joining
// those again in further columns made blocking a fifth slower on a link
// of a million records a side with no dates of birth on one side.
var (
	// partsWithoutDOB: a record with a compound surname and no date of
	// birth (the probe) meets any record sharing a part.
	partsWithoutDOB = Rule{
		Name: "surname-parts-without-dob", Keys: 2, MaxBlockPairs: probeBlockPairs,
		Probe: func(r *pseudo.Record) bool { return compound(r) && r.DOB == 0 },
		Key:   partKeys,
	}
	// partsOfDated: a record with a compound surname and a date of birth
	// (the probe) meets the records of one-word surnames with no date of
	// birth whose surname is a part of it. No other record has a key.
	partsOfDated = Rule{
		Name: "surname-parts-to-undated", Keys: 2, MaxBlockPairs: probeBlockPairs,
		Probe: compound,
		Key: func(r *pseudo.Record, keys []uint64) {
			if compound(r) == (r.DOB == 0) {
				keys[0], keys[1] = 0, 0
				return
			}
			partKeys(r, keys)
		},
	}
)

// compound reports whether r's surname has parts (see
// pseudo.Record.SurnameParts).
func compound(r *pseudo.Record) bool { return r.SurnameParts[0] != 0 }

// partKeys gives a record two keys, each its forename group with one of
// the parts of its surname: the part with the lower token, then the
// higher, so that parts meet whatever order they were written in. A
// surname of one word is its own part in both places, so that it meets a
// compound surname whichever place its part is in; a compound surname
// with one part standing alone (van der Berg) has that part in both.
func partKeys(r *pseudo.Record, keys []uint64) {
	keys[0], keys[1] = 0, 0
	g := forenameGroup(r)
	if g == 0 || r.Surname == 0 {
		return
	}
	lo, hi := r.SurnameParts[0], r.SurnameParts[1]
	switch {
	case lo == 0:
		lo, hi = r.Surname, r.Surname
	case hi == 0:
		hi = lo
	case hi < lo:
		lo, hi = hi, lo
	}
	for i, s := range [2]pseudo.Token{lo, hi} {
		keys[i] = nonzero(Mix(Mix(17, uint64(s)), uint64(g)))
	}
}

// namesLSHWithoutDOB seeks records with no date of birth by their names'
// Bloom filters, with no partition: names-lsh needs a date of birth or a
// postcode in common, so a dataset with neither (names and an address
// line) would otherwise be sought by exact full names alone. Blocks of
// more than probeBlockPairs pairs are left out, as for withoutDOB.
var namesLSHWithoutDOB = func() Rule {
	r := FilterLSH("names-lsh-without-dob", LSH{Source: Names, Bands: 6, Rows: 8, Seed: 3})
	r.Probe = noDOB
	r.MaxBlockPairs = probeBlockPairs
	return r
}()

// probeBlockPairs is the largest block of the withoutDOB rule: a name
// that about 2,000 pairs share. In a synthetic link of a million records
// a side where no right-hand record had a date of birth, the rule then
// added 7.6M candidate pairs rather than 34M, and the link found more
// true pairs with it (recall 0.972) than with no limit (0.971) or
// without the rule (0.966).
const probeBlockPairs = 1 << 11

// DefaultRules returns the standard blocking rules, in the order their
// candidates are counted: exact keys first, from the most to the least
// specific, then locality-sensitive hashing of the names' and the
// address's Bloom filters (see partitionsNames and partitionsAddress).
//
// Every rule is narrow enough for a million records a side: a full name
// alone, or a postcode sector and forename alone, would join every James
// Smith with every other (tens of millions of pairs at that size), so
// such keys carry part of the date of birth as well; the part that a
// wrong digit or a missing record most often spares. A record with no
// date of birth at all is still sought by its full name, and by its
// names' filters, but only for such records (probe rules, see
// Rule.Probe): one who moved and left no NI number or contact behind
// would otherwise never be compared. A dataset that holds no dates of
// birth at all is all probes, and so is joined on full names and similar
// names, as it must be to be matched by name at all, in blocks of at
// most probeBlockPairs pairs; a part of a compound surname stands for the
// surname there (partsWithoutDOB, partsOfDated). Likewise a record that lacks its forename
// or its surname is sought by the name it has, with a month's window of
// its date of birth (oneNameInMonth).
func DefaultRules() []Rule {
	return []Rule{
		TokenRule("ni", ni),
		TokenRule("passport", passport),
		TokenRule("dob+surname-phonetic", dob, surnamePhonetic),
		TokenRule("dob+forename-phonetic", dob, forenamePhonetic),
		KeyRule("dob-swapped+surname-phonetic", swappedDOB),
		TokenRule("postcode+house-number", postcode, houseNumber),
		TokenRule("sector+forename-group+birth-year", sector, forenameGroup, dobYear),
		{Name: "names+birth-window", Keys: 2, Key: namesInWindow},
		{Name: "sounds+birth-month", Keys: 2, Key: soundsInMonth},
		TokenRule("surname+forename+birth-day", surname, forename, dobMonthDay),
		TokenRule("surname+initial+birth-month", surname, forenameInitial, dobYearMonth),
		TokenRule("email", email),
		TokenRule("phone", phone),
		TokenRule("uprn+forename-group", uprn, forenameGroup),
		withoutDOB,
		partsWithoutDOB,
		partsOfDated,
		oneNameInMonth("forename-group+birth-month-without-surname", noSurname, forenameGroup, 17),
		oneNameInMonth("surname+birth-month-without-forename", noForename, surname, 19),
		FilterLSH("names-lsh", LSH{Source: Names, Bands: 6, Rows: 8, Seed: 1, Partitions: partitionsNames}),
		FilterLSH("address-lsh", LSH{Source: Address, Bands: 6, Rows: 8, Seed: 2, Partitions: partitionsAddress}),
		namesLSHWithoutDOB,
	}
}

// validate checks a rule set and returns the total number of key columns.
func validate(rules []Rule) (int, error) {
	if len(rules) == 0 {
		return 0, fmt.Errorf("block: no rules")
	}
	cols := 0
	for i, r := range rules {
		if r.Name == "" || r.Key == nil || r.Keys < 1 {
			return 0, fmt.Errorf("block: rule %d (%q) is incomplete", i, r.Name)
		}
		cols += r.Keys
	}
	if cols > 1<<10 {
		return 0, fmt.Errorf("block: %d keys per record is too many", cols)
	}
	return cols, nil
}
