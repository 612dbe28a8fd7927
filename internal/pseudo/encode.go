package pseudo

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/nickname"
	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/phonetic"
)

// field is the domain of an exact pseudonym. Each has its own sub-key, so
// equal values of different fields get unrelated tokens, except the
// forename and the surname: they share the domain "name", so that names
// exchanged between the two fields, or a former surname kept among the
// middle names, can be recognised.
type field uint8

const (
	fForename field = iota
	fMiddleNames
	fSurname
	fForenamePhonetic
	fSurnamePhonetic
	fForenameGroup
	fDOB
	fDOBYear
	fDOBMonthDay
	fDOBYearMonth
	fDOBYearDay
	fNINumber
	fPostcode
	fPostcodeOutward
	fPostcodeSector
	fHouseNumber
	fUPRN
	fPhone
	fEmail
	fForenameInitial
	fDOBWindow
	fPassport
	fGender
	numFields
)

// fieldPurpose names each field's sub-key: the key is Derive("token/" +
// purpose).
var fieldPurpose = [numFields]string{
	fForename:         "name",
	fMiddleNames:      "middle_names",
	fSurname:          "name",
	fForenamePhonetic: "forename.phonetic",
	fSurnamePhonetic:  "surname.phonetic",
	fForenameGroup:    "forename.group",
	fDOB:              "dob",
	fDOBYear:          "dob.year",
	fDOBMonthDay:      "dob.month_day",
	fDOBYearMonth:     "dob.year_month",
	fDOBYearDay:       "dob.year_day",
	fNINumber:         "ni_number",
	fPostcode:         "postcode",
	fPostcodeOutward:  "postcode.outward",
	fPostcodeSector:   "postcode.sector",
	fHouseNumber:      "house_number",
	fUPRN:             "uprn",
	fPhone:            "phone",
	fEmail:            "email",
	fForenameInitial:  "forename.initial",
	fDOBWindow:        "dob.window",
	fPassport:         "passport_number",
	fGender:           "gender",
}

// editPurpose names the sub-keys of the Edits: Derive("edits/" + purpose).
var editPurpose = [3]string{"forename", "surname", "ni_number"}

// cacheLimit bounds each per-worker cache. A full cache is emptied and
// refilled, which keeps memory bounded and the frequent values cached.
const cacheLimit = 1 << 16

// Encoder pseudonymises clear person records under one exercise key. It is
// safe for concurrent use. Its results depend only on the key and the input:
// caches affect speed, never output.
type Encoder struct {
	keyID     string
	tokenKeys [numFields][]byte
	filters   [numFilters]filterTable
	edits     [3]editKeyer // forename, surname, NI number
	// free holds idle worker states (HMAC instances and caches), so that
	// caches outlive one call without being shared between goroutines.
	free chan *state
	// dobs is shared by the workers.
	dobs dobTable
	// genders are the codes of F, M and X (see Encoder.genderCodes).
	genders [3]GenderCode
}

// NewEncoder returns an encoder for key k. It derives the sub-keys and
// precomputes the bit positions of every q-gram of the filters' alphabet
// (some 4,300 HMACs, a few milliseconds). NewEncoder panics on the zero Key.
func NewEncoder(k key.Key) *Encoder {
	e := &Encoder{
		keyID: k.ID(),
		free:  make(chan *state, 2*runtime.GOMAXPROCS(0)),
	}
	for f := range numFields {
		e.tokenKeys[f] = k.Derive("token/" + fieldPurpose[f])
	}
	for f := range numFilters {
		e.filters[f] = newFilterTable(k.Derive("bloom/"+filterPurpose[f]), filterShape[f])
	}
	for i, p := range editPurpose {
		e.edits[i] = newEditKeyer(k.Derive("edits/" + p))
	}
	e.genders = e.genderCodes()
	return e
}

// genders are the canonical genders, in the order of Encoder.genders.
var genders = [3]string{normalize.GenderFemale, normalize.GenderMale, normalize.GenderOther}

// genderCodes gives each of genders its code: its rank, from 1, among the
// three genders' tokens. The codes are distinct and the key alone decides
// which gender has which, as it decides tokens; a record stores one byte
// rather than eight.
func (e *Encoder) genderCodes() [3]GenderCode {
	st := newState()
	var ts [3]Token
	for i, g := range genders {
		ts[i] = e.token(st, fGender, g)
	}
	var codes [3]GenderCode
	for i := range ts {
		codes[i] = 1
		for j := range ts {
			if ts[j] < ts[i] || ts[j] == ts[i] && j < i {
				codes[i]++
			}
		}
	}
	return codes
}

// genderCode returns the code of the canonical gender g, or 0.
func (e *Encoder) genderCode(g string) GenderCode {
	for i, x := range genders {
		if g == x {
			return e.genders[i]
		}
	}
	return 0
}

// genderCacheLimit bounds a worker's cache of gender codes by recorded
// value: a column holds a handful of spellings, so the cache is full only
// of free text.
const genderCacheLimit = 256

// cachedGenderCode returns the code of the recorded gender v, through the
// worker's cache.
func (e *Encoder) cachedGenderCode(st *state, v string) GenderCode {
	if c, ok := st.genders[v]; ok {
		return c
	}
	g, _ := normalize.Gender(v)
	c := e.genderCode(g)
	if st.genders == nil || len(st.genders) >= genderCacheLimit {
		st.genders = make(map[string]GenderCode)
	}
	st.genders[strings.Clone(v)] = c
	return c
}

// KeyID returns the ID of the encoder's key.
func (e *Encoder) KeyID() string { return e.keyID }

// Params returns the encoding parameters the encoder uses, those of this
// version of the package.
func (e *Encoder) Params() Params { return CurrentParams() }

// Compatible returns an error if records described by m cannot be compared
// with records made by e: they were encoded under another key (the error
// wraps ErrKeyMismatch) or with other parameters.
func (e *Encoder) Compatible(m FileMeta) error {
	if m.KeyID != e.keyID {
		return fmt.Errorf("%w: file key %s, exercise key %s", ErrKeyMismatch, m.KeyID, e.keyID)
	}
	if m.Params != CurrentParams() {
		return fmt.Errorf("pseudo: file encoded with parameters %v, this version uses %v", m.Params, CurrentParams())
	}
	return nil
}

// Encode fills every field of dst from the clear record src, overwriting
// what dst held. dst's RecordID, TenancyRef and TenancyRole are src's
// strings; the Encoder keeps no reference to src.
func (e *Encoder) Encode(dst *Record, src *person.Record) {
	st := e.get()
	e.encode(st, dst, src)
	e.put(st)
}

// EncodeBatch encodes src[i] into dst[i] for every i. It is Encode for many
// records with one worker state, and so faster. It panics if dst is shorter
// than src.
func (e *Encoder) EncodeBatch(dst []Record, src []person.Record) {
	if len(dst) < len(src) {
		panic("pseudo: EncodeBatch: dst shorter than src")
	}
	st := e.get()
	for i := range src {
		e.encode(st, &dst[i], &src[i])
	}
	e.put(st)
}

// EncodeAll encodes src into dst like EncodeBatch, in chunks spread over
// workers goroutines (GOMAXPROCS if workers <= 0). It stops early with the
// context's error if ctx is cancelled.
func (e *Encoder) EncodeAll(ctx context.Context, dst []Record, src []person.Record, workers int) error {
	if len(dst) < len(src) {
		panic("pseudo: EncodeAll: dst shorter than src")
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const chunk = 4096
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	next := 0
	for ; next < len(src) && gctx.Err() == nil; next += chunk {
		lo, hi := next, min(next+chunk, len(src))
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			e.EncodeBatch(dst[lo:hi], src[lo:hi])
			return nil
		})
	}
	err := g.Wait()
	if err == nil && next < len(src) {
		// Stopped before starting every chunk.
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return nil
}

// state is one worker's scratch space and caches. It is used by one
// goroutine at a time.
type state struct {
	macs   [numFields]hash.Hash
	buf    []byte
	sum    []byte
	blocks *cipherBlocks // for the Edits

	forenames  memo[forenameInfo]
	surnames   memo[surnameInfo]
	postcodes  memo[postcodeInfo]
	middles    memo[middleInfo] // by normalised value
	rawMiddles memo[middleInfo] // by raw value, for forenames of one word
	houses     memo[Token]
	genders    map[string]GenderCode // by recorded value; see cachedGenderCode
	outwards   memo[Token]
	sectors    memo[Token]
}

// dobTable holds the date-of-birth pseudonyms of every day of the years
// dobFirstYear to dobLastYear once a worker has derived them, shared by an
// encoder's workers without a lock: the first worker to derive a day's
// entry claims it, writes it, and then publishes it. Dates of birth
// repeat across a dataset (a hundred thousand people have about 25,000
// of them), so each is derived about once, whichever worker meets it.
type dobTable struct {
	once  sync.Once
	first int32           // day number of the first day
	state []atomic.Uint32 // per day: dobEmpty, dobWriting or dobReady
	info  []dobInfo
}

// Years of the days a dobTable holds; dates of birth outside them are
// derived every time.
const (
	dobFirstYear = 1880
	dobLastYear  = 2040
)

const (
	dobEmpty uint32 = iota
	dobWriting
	dobReady
)

// get returns the pseudonyms of d, deriving them with derive on the day's
// first use.
func (t *dobTable) get(d date.Date, derive func(date.Date) dobInfo) dobInfo {
	t.once.Do(func() {
		first, _ := date.Of(dobFirstYear, time.January, 1)
		end, _ := date.Of(dobLastYear+1, time.January, 1)
		n := end.Days() - first.Days()
		t.first, t.state, t.info = first.Days(), make([]atomic.Uint32, n), make([]dobInfo, n)
	})
	i := int(d.Days() - t.first)
	if i < 0 || i >= len(t.info) {
		return derive(d)
	}
	if t.state[i].Load() == dobReady {
		return t.info[i]
	}
	di := derive(d)
	if t.state[i].CompareAndSwap(dobEmpty, dobWriting) {
		t.info[i] = di
		t.state[i].Store(dobReady)
	}
	return di
}

func (e *Encoder) get() *state {
	select {
	case st := <-e.free:
		return st
	default:
		return newState()
	}
}

func newState() *state {
	st := &state{buf: make([]byte, 0, 128), sum: make([]byte, 0, sha256.Size), blocks: new(cipherBlocks)}
	st.forenames.fold, st.surnames.fold, st.rawMiddles.fold, st.postcodes.fold = true, true, true, true
	return st
}

func (e *Encoder) put(st *state) {
	select {
	case e.free <- st:
	default:
	}
}

// shortKey holds a string of at most maxShort bytes inline, so that a
// cache lookup hashes and compares one small array rather than chasing a
// pointer, and cache keys give the garbage collector nothing to scan.
type shortKey struct {
	b [maxShort]byte
	n uint8
}

const maxShort = 23

// makeKey returns s as a key. With fold, ASCII letters are lower-cased and
// leading and trailing spaces dropped, for caches of raw values whose
// normaliser ignores both (names, postcodes), so that "SMITH", "Smith" and
// " smith" share an entry.
func makeKey(s string, fold bool) (k shortKey, ok bool) {
	if fold {
		for len(s) > 0 && s[0] == ' ' {
			s = s[1:]
		}
		for len(s) > 0 && s[len(s)-1] == ' ' {
			s = s[:len(s)-1]
		}
	}
	if len(s) > maxShort {
		return k, false
	}
	copy(k.b[:], s)
	if fold {
		for i := range len(s) {
			if c := k.b[i]; 'A' <= c && c <= 'Z' {
				k.b[i] = c + 'a' - 'A'
			}
		}
	}
	k.n = uint8(len(s))
	return k, true
}

// memo is a bounded cache keyed by short clear strings; longer strings are
// not cached (names and postcodes almost never are). It keeps two
// generations: when the current one is full, it becomes the old one and the
// previous old one is dropped; a hit in the old generation moves the entry
// back into the current one. Frequent values so stay cached however long
// the tail of rare ones, and memory stays within 2 × cacheLimit entries.
//
// A generation's map holds indexes into chunks of values, which keeps the
// map small and the values of the most frequent keys, inserted first, close
// together in memory. Values are stored in fixed-size chunks rather than
// one growing slice, so that a growing generation never copies its values
// into fresh memory (which, for a cache of large values, costs page faults
// as well as copying), and a dropped generation's chunks are reused.
type memo[V any] struct {
	cur, old gen[V]
	fold     bool // see makeKey
}

type gen[V any] struct {
	idx    map[shortKey]int32
	chunks [][]V // each genChunk values
	n      int   // values stored
}

// genChunk is the number of values in a chunk of a generation.
const genChunk = 1024

func (g *gen[V]) get(k shortKey) (V, bool) {
	if i, ok := g.idx[k]; ok {
		return g.chunks[i/genChunk][i%genChunk], true
	}
	var zero V
	return zero, false
}

func (g *gen[V]) add(k shortKey, v V) {
	c := g.n / genChunk
	if c == len(g.chunks) {
		g.chunks = append(g.chunks, make([]V, genChunk))
	}
	g.chunks[c][g.n%genChunk] = v
	g.idx[k] = int32(g.n)
	g.n++
}

// reset empties g, keeping its map's and chunks' memory for reuse.
func (g *gen[V]) reset() {
	clear(g.idx)
	for _, c := range g.chunks {
		clear(c) // drop what the values point to
	}
	g.n = 0
}

func (c *memo[V]) get(s string) (V, bool) {
	k, ok := makeKey(s, c.fold)
	if !ok {
		var zero V
		return zero, false
	}
	if v, ok := c.cur.get(k); ok {
		return v, true
	}
	v, ok := c.old.get(k)
	if ok {
		c.putKey(k, v)
	}
	return v, ok
}

func (c *memo[V]) put(s string, v V) {
	if k, ok := makeKey(s, c.fold); ok {
		c.putKey(k, v)
	}
}

func (c *memo[V]) putKey(k shortKey, v V) {
	switch {
	case c.cur.idx == nil:
		c.cur.idx = make(map[shortKey]int32, 256)
	case c.cur.n < cacheLimit:
	case c.old.idx == nil:
		// The first generation is full: the cache is busy, so make the
		// second one's map full-sized at once rather than let it grow.
		c.old = c.cur
		c.cur = gen[V]{idx: make(map[shortKey]int32, cacheLimit)}
	default:
		c.old.reset()
		c.cur, c.old = c.old, c.cur
	}
	c.cur.add(k, v)
}

// token returns the exact pseudonym of the normalised value v in field f:
// the first 8 bytes, big-endian, of HMAC-SHA256(sub-key of f, v), with 0
// (null) replaced by 1. It returns 0 for "".
func (e *Encoder) token(st *state, f field, v string) Token {
	if v == "" {
		return 0
	}
	m := st.macs[f]
	if m == nil {
		m = hmac.New(sha256.New, e.tokenKeys[f])
		st.macs[f] = m
	} else {
		m.Reset()
	}
	st.buf = append(st.buf[:0], v...)
	m.Write(st.buf)
	st.sum = m.Sum(st.sum[:0])
	t := Token(binary.BigEndian.Uint64(st.sum))
	if t == 0 {
		t = 1
	}
	return t
}

// cachedToken is token through a cache, for fields whose values repeat.
func (e *Encoder) cachedToken(st *state, c *memo[Token], f field, v string) Token {
	if v == "" {
		return 0
	}
	if t, ok := c.get(v); ok {
		return t
	}
	t := e.token(st, f, v)
	c.put(v, t)
	return t
}

func (e *Encoder) encode(st *state, dst *Record, src *person.Record) {
	*dst = Record{
		RecordID:     src.RecordID,
		TenancyRef:   src.TenancyRef,
		TenancyRole:  src.TenancyRole,
		TenancyStart: src.TenancyStart,
		TenancyEnd:   src.TenancyEnd,
		DateOfDeath:  src.DateOfDeath,
		Balance:      src.Balance,
	}
	e.encodeNames(st, dst, src)
	e.encodeDOB(st, dst, src.DOB)

	if core, s := normalize.NINumber(src.NINumber); s == normalize.NIValid || s == normalize.NIFormat {
		dst.NINumber = e.token(st, fNINumber, core)
		dst.NIEdits = e.edits[2].edits(st.blocks, core)
	}
	if src.Passport != "" {
		if doc, _ := normalize.Passport(src.Passport); doc != "" {
			dst.Passport = e.token(st, fPassport, doc)
		}
	}
	if src.Gender != "" {
		dst.Gender = e.cachedGenderCode(st, src.Gender)
	}
	if src.Postcode != "" {
		pc, ok := st.postcodes.get(src.Postcode)
		if !ok {
			pc = e.postcode(st, src.Postcode)
			st.postcodes.put(src.Postcode, pc)
		}
		dst.Postcode, dst.PostcodeOutward, dst.PostcodeSector = pc.full, pc.outward, pc.sector
	}
	if src.Address != "" {
		a := normalize.Address(src.Address)
		dst.AddressCount = e.filters[filterAddress].addTokens(dst.AddressBF[:], a)
		dst.HouseNumber = e.cachedToken(st, &st.houses, fHouseNumber, houseNumber(a))
	}
	if src.UPRN != "" {
		dst.UPRN = e.token(st, fUPRN, normUPRN(src.UPRN))
	}
	if src.Phone != "" {
		p, _ := normalize.Phone(src.Phone)
		dst.Phone = e.token(st, fPhone, p)
	}
	if src.Email != "" {
		m, _ := normalize.Email(src.Email)
		dst.Email = e.token(st, fEmail, m)
	}
}

// houseNumber returns normalize.HouseNumber of the canonical address a. An
// address that starts with a number of digits and at most one letter
// ("12", "12a") has that number as its house number under normalize's
// rule (the first number that is not a flat's, which follows the word
// flat, nor an ordinal, which ends in st, nd, rd or th); that common case
// is read here without normalising the address a second time.
func houseNumber(a string) string {
	i := 0
	for i < len(a) && '0' <= a[i] && a[i] <= '9' {
		i++
	}
	if i > 0 {
		switch {
		case i == len(a) || a[i] == ' ':
			return a[:i]
		case 'a' <= a[i] && a[i] <= 'z' && (i+1 == len(a) || a[i+1] == ' '):
			return a[:i+1]
		}
	}
	return normalize.HouseNumber(a)
}

// forenameInfo is everything derived from one raw forename value.
type forenameInfo struct {
	tok, phon, phonAlt, group, initial Token
	isInitial                          bool
	filter                             NameFilter
	count                              uint16
	edits                              Edits
	rest                               string // normalised words after the first
}

// surnameInfo is everything derived from one raw surname value.
type surnameInfo struct {
	tok, phon, phonAlt Token
	parts              [2]Token
	filter             NameFilter
	count              uint16
	edits              Edits
}

// middleInfo is everything derived from a value of the middle names.
type middleInfo struct {
	tok     Token // all the middle names
	surname Token // the last one, keyed as a surname
}

type postcodeInfo struct{ full, outward, sector Token }

type dobInfo struct {
	dob, year, monthDay, swapped, yearMonth, yearDay Token
	month, within                                    [2]Token
}

func (e *Encoder) encodeNames(st *state, dst *Record, src *person.Record) {
	var fn forenameInfo
	if src.Forename != "" {
		var ok bool
		if fn, ok = st.forenames.get(src.Forename); !ok {
			fn = e.forename(st, src.Forename)
			st.forenames.put(src.Forename, fn)
		}
	}
	dst.Forename, dst.ForenamePhonetic, dst.ForenamePhonAlt, dst.ForenameGroup = fn.tok, fn.phon, fn.phonAlt, fn.group
	dst.ForenameInitial, dst.ForenameIsInitial = fn.initial, fn.isInitial
	dst.ForenameBF, dst.ForenameCount, dst.ForenameEdits = fn.filter, fn.count, fn.edits

	var mi middleInfo
	switch {
	case fn.rest == "" && src.MiddleNames == "":
	case fn.rest == "":
		// The usual case: middle names in their own column, cached by
		// their raw value.
		var ok bool
		if mi, ok = st.rawMiddles.get(src.MiddleNames); !ok {
			mi = e.middle(st, normalize.Name(src.MiddleNames))
			st.rawMiddles.put(src.MiddleNames, mi)
		}
	default:
		middle := fn.rest
		if m := normalize.Name(src.MiddleNames); m != "" {
			middle += " " + m
		}
		mi = e.middle(st, middle)
	}
	dst.MiddleNames, dst.MiddleSurname = mi.tok, mi.surname

	if src.Surname != "" {
		sn, ok := st.surnames.get(src.Surname)
		if !ok {
			sn = e.surname(st, src.Surname)
			st.surnames.put(src.Surname, sn)
		}
		dst.Surname, dst.SurnamePhonetic, dst.SurnamePhonAlt = sn.tok, sn.phon, sn.phonAlt
		dst.SurnameParts = sn.parts
		dst.SurnameBF, dst.SurnameCount, dst.SurnameEdits = sn.filter, sn.count, sn.edits
	}
}

// middle derives the middle-name pseudonyms from the normalised middle
// names m, through the cache of normalised values.
func (e *Encoder) middle(st *state, m string) middleInfo {
	if m == "" {
		return middleInfo{}
	}
	if mi, ok := st.middles.get(m); ok {
		return mi
	}
	last := m[strings.LastIndexByte(m, ' ')+1:]
	mi := middleInfo{tok: e.token(st, fMiddleNames, m), surname: e.token(st, fSurname, last)}
	st.middles.put(m, mi)
	return mi
}

// forename derives the forename pseudonyms from the first word of the
// normalised forename.
func (e *Encoder) forename(st *state, raw string) forenameInfo {
	n := normalize.Name(raw)
	first, rest, _ := strings.Cut(n, " ")
	if first == "" {
		return forenameInfo{}
	}
	var fi forenameInfo
	fi.tok = e.token(st, fForename, first)
	fi.phon, fi.phonAlt = e.phonetic(st, fForenamePhonetic, first)
	fi.group = e.token(st, fForenameGroup, nickname.Group(first))
	fi.count = e.filters[filterForename].addWord(fi.filter[:], first)
	_, size := utf8.DecodeRuneInString(first)
	fi.initial = e.token(st, fForenameInitial, first[:size])
	fi.isInitial = size == len(first)
	fi.edits = e.edits[0].edits(st.blocks, first)
	fi.rest = strings.Clone(rest) // cached: must not share the caller's memory
	return fi
}

// surname derives the surname pseudonyms from the words of the normalised
// surname joined without spaces ("Smith-Jones" and "smith jones" are both
// smithjones).
func (e *Encoder) surname(st *state, raw string) surnameInfo {
	n := normalize.Name(raw)
	joined := strings.ReplaceAll(n, " ", "")
	if joined == "" {
		return surnameInfo{}
	}
	var si surnameInfo
	si.tok = e.token(st, fSurname, joined)
	first, last := normalize.SurnameParts(n)
	if first != "" {
		si.parts[0] = e.token(st, fSurname, first)
	}
	if last != "" {
		si.parts[1] = e.token(st, fSurname, last)
	}
	si.phon, si.phonAlt = e.phonetic(st, fSurnamePhonetic, joined)
	si.count = e.filters[filterSurname].addWord(si.filter[:], joined)
	si.edits = e.edits[1].edits(st.blocks, joined)
	return si
}

// phonetic returns the tokens of the Double Metaphone codes of w. Both
// codes are keyed in the same domain, so that one record's alternate code
// can equal another's primary; the alternate is null when it equals the
// primary.
func (e *Encoder) phonetic(st *state, f field, w string) (primary, alternate Token) {
	p, a := phonetic.DoubleMetaphone(w)
	primary = e.token(st, f, p)
	if a != p {
		alternate = e.token(st, f, a)
	}
	return primary, alternate
}

func (e *Encoder) postcode(st *state, raw string) postcodeInfo {
	pc, uk := normalize.Postcode(raw)
	if pc == "" {
		return postcodeInfo{}
	}
	p := postcodeInfo{full: e.token(st, fPostcode, pc)}
	if uk {
		p.outward = e.cachedToken(st, &st.outwards, fPostcodeOutward, normalize.PostcodeOutward(pc))
		p.sector = e.cachedToken(st, &st.sectors, fPostcodeSector, normalize.PostcodeSector(pc))
	}
	return p
}

func (e *Encoder) encodeDOB(st *state, dst *Record, d date.Date) {
	if d.IsZero() || normalize.IsPlaceholderDate(d) {
		return
	}
	di := e.dobs.get(d, func(d date.Date) dobInfo { return e.dob(st, d) })
	dst.DOB, dst.DOBYear, dst.DOBMonthDay, dst.DOBSwapped = di.dob, di.year, di.monthDay, di.swapped
	dst.DOBYearMonth, dst.DOBYearDay = di.yearMonth, di.yearDay
	dst.DOBMonth, dst.DOBWithinYear = di.month, di.within
}

// dob derives the date-of-birth pseudonyms. The values keyed are
// "YYYY-MM-DD", "YYYY", "MM-DD", "YYYY-MM" and "YYYY-DD", each in its own
// domain, except the swapped date, which is keyed in the DOB domain so that
// it equals the DOB token of a record whose day and month were exchanged;
// and the date's month and year windows (see window).
func (e *Encoder) dob(st *state, d date.Date) dobInfo {
	y, m, dd := d.Civil()
	ys, ms, ds := pad(y, 4), pad(int(m), 2), pad(dd, 2)
	iso, year, monthDay := ys+"-"+ms+"-"+ds, ys, ms+"-"+ds
	yearMonth, yearDay := ys+"-"+ms, ys+"-"+ds
	di := dobInfo{
		dob:       e.token(st, fDOB, iso),
		year:      e.token(st, fDOBYear, year),
		monthDay:  e.token(st, fDOBMonthDay, monthDay),
		yearMonth: e.token(st, fDOBYearMonth, yearMonth),
		yearDay:   e.token(st, fDOBYearDay, yearDay),
	}
	di.month = e.window(st, d, WindowMonth)
	di.within = e.window(st, d, WindowYear)
	if dd != int(m) && dd <= 12 {
		if sw, ok := date.Of(y, time.Month(dd), int(m)); ok {
			di.swapped = e.token(st, fDOB, sw.String())
		}
	}
	return di
}

// window returns the tokens of the date's two windows of half-width h
// days (see windows). The value keyed is "h/g/i": window i of grid g.
func (e *Encoder) window(st *state, d date.Date, h int32) [2]Token {
	var w [2]Token
	for g, i := range windows(d.Days(), h) {
		w[g] = e.token(st, fDOBWindow, strconv.Itoa(int(h))+"/"+strconv.Itoa(g)+"/"+strconv.Itoa(int(i)))
	}
	return w
}

// windows returns the windows of 2h days that hold day n (days since
// 1970-01-01): its window on a grid of 2h days starting at day 0, and
// its window on that grid moved h days earlier. Two days at most h days
// apart share at least one of the two windows (no two grid boundaries
// lie within h days of each other), and two days that share a window are
// less than 2h days apart. h must be positive.
func windows(n, h int32) [2]int32 {
	return [2]int32{floorDiv(n, 2*h), floorDiv(n+h, 2*h)}
}

// floorDiv returns a/b rounded down, for b > 0.
func floorDiv(a, b int32) int32 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// pad formats v in decimal with at least width digits.
func pad(v, width int) string {
	s := strconv.Itoa(v)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// normUPRN returns the canonical form of a Unique Property Reference
// Number, as it is keyed: spaces removed and letters upper-cased; then, if
// what is left is digits (optionally followed by a ".0" that a spreadsheet
// may add), the number without leading zeros. Anything else is kept as it
// is, so that a malformed reference still matches itself. Placeholders,
// blanks and zero give "".
func normUPRN(s string) string {
	if normalize.IsPlaceholder(s) {
		return ""
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	num := string(b)
	if i := strings.IndexByte(num, '.'); i > 0 && allDigits(num[:i]) && strings.Trim(num[i+1:], "0") == "" {
		num = num[:i]
	}
	if allDigits(num) {
		return strings.TrimLeft(num, "0")
	}
	return num
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ErrKeyMismatch is wrapped by the errors that report records encoded under
// a different exercise key than expected.
var ErrKeyMismatch = errors.New("pseudo: records encoded under a different exercise key")
