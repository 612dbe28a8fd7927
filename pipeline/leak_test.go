package pipeline_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	detectbench "github.com/datamatch/datamatch/benchmarks/detect"
	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/internal/synth"
	"github.com/datamatch/datamatch/internal/vault"
	"github.com/datamatch/datamatch/pipeline"
)

// The leak test is the acceptance test of pseudonymisation: no clear
// personal identifier of any input may appear in anything a run writes or
// logs, except inside the encrypted vault and in output columns that the
// recipient's field list names.
//
// Matching rules, chosen so that a leak is found and nothing else is:
//
//   - Every value is compared case-insensitively, with runs of white space
//     taken as one space, punctuation trimmed from its ends and the "T" of
//     a timestamp (1965-12-14T00:00:00Z) taken as a space, and only if it
//     is at least 4 characters long.
//   - A cell (a CSV field, a Parquet value, a JSON string, number or key,
//     a log attribute) that equals a clear value is a leak, whatever the
//     value.
//   - NI numbers, postcodes, phone numbers, emails, UPRNs, dates of birth,
//     full names and address lines are also searched for inside cells, at
//     word boundaries (the characters either side of a match are not
//     letters or digits), so that "SK4 5HA" is found in "moved to SK4 5HA"
//     but "19651214" is not found inside a hexadecimal digest.
//   - A single name is searched for as a word only inside free text (cells
//     with spaces, such as messages), and a name that is a word of the
//     run's own vocabulary is not searched for at all: the column names,
//     JSON keys, comparison and level names, output field names and the
//     words of the exercise config. Such a word in an output is the
//     program speaking, not a person's name: "Grace" the forename and
//     grace_days the threshold are indistinguishable in text. (On the
//     test's population that is the only name left out.)
//   - A date of birth written in ISO form (1965-12-14) is not searched for
//     when the same date is also a tenancy start or end or a date of death
//     in the inputs: outputs legitimately show those dates, in ISO form.
//     Dates of birth are still searched for in every other form.
//   - Encrypted vault files (*.age) must be age files and are searched as
//     raw bytes, for values of at least cipherSpan bytes: random
//     ciphertext spells a shorter value, a postcode say, often enough to
//     make the test fail by chance. Parquet files (whose pages may hold
//     text) and files of any other kind are searched as raw bytes for
//     values of every length.

// origin says where a clear value comes from, for reports: the kind of
// value and the record that holds it, never the value itself.
type origin struct {
	kind     string
	dataset  string
	recordID string
}

// clearIndex holds the clear values of a set of input datasets.
type clearIndex struct {
	// whole holds every value: a cell equal to one is a leak.
	whole map[string]origin
	// spans holds the values searched for inside every cell.
	spans map[string]origin
	// words holds names, searched for inside free-text cells only.
	words map[string]origin
	// maxSpan is the longest key of spans and words, in bytes.
	maxSpan int
	// vocabulary holds the run's own words (see the comment at the top of
	// this file); attributeDates the dates that outputs may show.
	vocabulary, attributeDates map[string]bool
	// skipped counts values left out, by reason.
	skipped map[string]int
}

func newClearIndex(vocabulary, attributeDates map[string]bool) *clearIndex {
	return &clearIndex{
		whole: map[string]origin{}, spans: map[string]origin{}, words: map[string]origin{},
		vocabulary: vocabulary, attributeDates: attributeDates, skipped: map[string]int{},
	}
}

// fold lower-cases s, takes runs of white space as one space, trims
// everything but letters and digits from its ends, and takes a "t" between
// two digits, which separates a date from a time, as a space.
func fold(s string) string {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	s = strings.TrimFunc(s, func(r rune) bool { return !isWordRune(r) })
	if !strings.Contains(s, "t") {
		return s
	}
	b := []byte(s)
	for i := 1; i+1 < len(b); i++ {
		if b[i] == 't' && isDigit(b[i-1]) && isDigit(b[i+1]) {
			b[i] = ' '
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// How a value is searched for.
const (
	asSpan = iota // inside any cell, at word boundaries
	asName        // whole cells, and words of free text
)

func (ix *clearIndex) add(how int, kind, value string, o origin) {
	v := fold(value)
	if utf8.RuneCountInString(v) < 4 {
		return
	}
	o.kind = kind
	if how == asName && ix.vocabulary[v] {
		ix.skipped["name that is a vocabulary word"]++
		return
	}
	ix.whole[v] = o
	if how == asName {
		ix.words[v] = o
	} else {
		ix.spans[v] = o
	}
	ix.maxSpan = max(ix.maxSpan, len(v))
}

// dateForms writes d in the layouts datasets use.
func dateForms(d date.Date) map[date.Layout]string {
	y, m, day := d.Civil()
	return map[date.Layout]string{
		date.ISO:      fmt.Sprintf("%04d-%02d-%02d", y, m, day),
		date.Compact:  fmt.Sprintf("%04d%02d%02d", y, m, day),
		date.UKSlash:  fmt.Sprintf("%02d/%02d/%04d", day, m, y),
		date.UKDash:   fmt.Sprintf("%02d-%02d-%04d", day, m, y),
		date.UKDot:    fmt.Sprintf("%02d.%02d.%04d", day, m, y),
		date.DayMonth: fmt.Sprintf("%d %s %04d", day, m.String()[:3], y),
	}
}

// addRecord adds the clear identifiers of one input record.
func (ix *clearIndex) addRecord(dataset string, p *person.Record) {
	o := origin{dataset: dataset, recordID: p.RecordID}
	for _, n := range []struct{ col, v string }{{"forename", p.Forename}, {"middle_names", p.MiddleNames}, {"surname", p.Surname}} {
		ix.add(asName, n.col, n.v, o)
		if words := strings.Fields(n.v); len(words) > 1 {
			for _, w := range words {
				ix.add(asName, n.col, w, o)
			}
		}
	}
	if p.Forename != "" && p.Surname != "" {
		ix.add(asSpan, "full name", p.Forename+" "+p.Surname, o)
		ix.add(asSpan, "full name", p.Surname+", "+p.Forename, o)
		if p.MiddleNames != "" {
			ix.add(asSpan, "full name", p.Forename+" "+p.MiddleNames+" "+p.Surname, o)
		}
	}
	if !p.DOB.IsZero() {
		for layout, s := range dateForms(p.DOB) {
			if layout == date.ISO && ix.attributeDates[s] {
				ix.skipped["ISO date of birth that is also a tenancy or death date"]++
				continue
			}
			ix.add(asSpan, "dob "+string(layout), s, o)
		}
	}
	if ni := p.NINumber; ni != "" {
		compact := strings.ReplaceAll(ni, " ", "")
		ix.add(asSpan, "ni_number", ni, o)
		ix.add(asSpan, "ni_number", compact, o)
		if len(compact) == 9 {
			ix.add(asSpan, "ni_number", compact[0:2]+" "+compact[2:4]+" "+compact[4:6]+" "+compact[6:8]+" "+compact[8:], o)
			ix.add(asSpan, "ni_number", compact[:8], o)
		}
	}
	ix.add(asSpan, "passport_number", p.Passport, o)
	for _, a := range []struct{ col, v string }{{"address", p.Address}, {"forwarding_address", p.ForwardingAddress}} {
		ix.addAddress(a.col, a.v, o)
	}
	for _, pc := range []struct{ col, v string }{{"postcode", p.Postcode}, {"forwarding_postcode", p.ForwardingPostcode}} {
		if pc.v == "" {
			continue
		}
		compact := strings.ReplaceAll(pc.v, " ", "")
		ix.add(asSpan, pc.col, pc.v, o)
		ix.add(asSpan, pc.col, compact, o)
		if n := len(compact); n >= 5 {
			ix.add(asSpan, pc.col, compact[:n-3]+" "+compact[n-3:], o)
		}
	}
	ix.add(asSpan, "uprn", p.UPRN, o)
	if p.Phone != "" {
		ix.add(asSpan, "phone", p.Phone, o)
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, p.Phone)
		ix.add(asSpan, "phone", digits, o)
		if strings.HasPrefix(digits, "44") {
			ix.add(asSpan, "phone", "0"+digits[2:], o)
		}
	}
	ix.add(asSpan, "email", p.Email, o)
}

// addAddress adds an address, its comma-separated parts that hold a
// number ("Flat 5", "12 High Street") and, for an address that starts
// with a house number, the number and the two words after it.
func (ix *clearIndex) addAddress(col, a string, o origin) {
	if a == "" {
		return
	}
	ix.add(asSpan, col, a, o)
	for _, part := range strings.Split(a, ",") {
		if strings.IndexFunc(part, unicode.IsDigit) >= 0 && len(strings.TrimSpace(part)) >= 6 {
			ix.add(asSpan, col, part, o)
		}
	}
	f := strings.Fields(strings.ReplaceAll(a, ",", " "))
	if len(f) >= 3 {
		if _, err := strconv.Atoi(f[0]); err == nil {
			ix.add(asSpan, col, strings.Join(f[:3], " "), o)
		}
	}
}

// buildClearIndex reads every dataset of data's manifest with the loader,
// as the exercise reads it, and indexes the clear identifiers of every
// accepted row. vocabulary is the run's own words.
func buildClearIndex(t testing.TB, data *detectbench.Data, vocabulary map[string]bool) *clearIndex {
	t.Helper()
	ctx := context.Background()
	var all [][]person.Record
	var names []string
	dates := map[string]bool{}
	for _, ds := range data.Manifest.Datasets {
		src := load.Source{Name: ds.Name, Path: filepath.Join(data.Dir, ds.File), Role: ds.Role, Mapping: ds.Mapping}
		recs, _, err := load.ReadAll(ctx, src, load.Options{Today: data.Manifest.Today})
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			for _, d := range []date.Date{recs[i].TenancyStart, recs[i].TenancyEnd, recs[i].DateOfDeath} {
				if !d.IsZero() {
					dates[dateForms(d)[date.ISO]] = true
				}
			}
		}
		all = append(all, recs)
		names = append(names, ds.Name)
	}
	ix := newClearIndex(vocabulary, dates)
	for i, recs := range all {
		for j := range recs {
			ix.addRecord(names[i], &recs[j])
		}
	}
	return ix
}

// vocabularyWords returns the words of the program's own vocabulary: the
// canonical column names, the output field names, the comparison and level
// names, run and review statuses, and the words of the exercise config.
// Words of structure found in the scanned files (keys, headers) are added
// by the scanner.
func vocabularyWords(config []byte) map[string]bool {
	v := map[string]bool{}
	add := func(s string) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) }) {
			v[w] = true
		}
	}
	add(string(config))
	for _, c := range person.Columns {
		add(c.Name)
	}
	for _, f := range exercise.OutputFields {
		add(f.Name)
	}
	for _, c := range compare.Default() {
		add(c.Name)
		for _, l := range c.Levels {
			add(l)
		}
	}
	add(runrecord.StatusSucceeded + " " + runrecord.StatusFailed + " pending confirmed rejected none")
	return v
}

// leak is one clear value found where it must not be. It names the place
// and the value's origin, never the value.
type leak struct {
	file, where, column string
	origin
}

func (l leak) String() string {
	return fmt.Sprintf("%s %s column %q: %s of %s record %s", l.file, l.where, l.column, l.kind, l.dataset, l.recordID)
}

// scanner searches files for the values of an index.
type scanner struct {
	ix *clearIndex
	// allowed maps an output file to the columns that may show clear
	// values because its recipient's field list names them.
	allowed map[string]map[string]bool
	leaks   []leak
	// exempt counts the cells of allowed columns that hold a clear value,
	// which are not leaks.
	exempt int
}

// exemptCell counts value if it holds a clear value.
func (s *scanner) exemptCell(value string) {
	t := &scanner{ix: s.ix}
	t.cell("", "", "", value)
	if len(t.leaks) > 0 {
		s.exempt++
	}
}

// cell searches one value of a structured file.
func (s *scanner) cell(file, where, column, value string) {
	s.search(file, where, column, value, true, 0)
}

// search looks for the index's values in value: with names, for whole
// cells and free text; without, for the span values only, and of those
// only the ones of at least least bytes.
func (s *scanner) search(file, where, column, value string, names bool, least int) {
	v := fold(value)
	if v == "" {
		return
	}
	report := func(o origin) {
		s.leaks = append(s.leaks, leak{file: file, where: where, column: column, origin: o})
	}
	if o, ok := s.ix.whole[v]; ok && names {
		report(o)
		return
	}
	freeText := names && strings.Contains(v, " ")
	// Token boundaries: starts and ends of runs of letters and digits.
	var starts, ends []int
	in := false
	for i, r := range v {
		w := isWordRune(r)
		if w && !in {
			starts = append(starts, i)
		}
		if !w && in {
			ends = append(ends, i)
		}
		in = w
	}
	if in {
		ends = append(ends, len(v))
	}
	for a, start := range starts {
		for _, end := range ends[a:] {
			if end-start > s.ix.maxSpan {
				break
			}
			sub := v[start:end]
			if len(sub) < least {
				continue
			}
			if o, ok := s.ix.spans[sub]; ok {
				report(o)
				return
			}
			if freeText {
				if o, ok := s.ix.words[sub]; ok {
					report(o)
					return
				}
			}
		}
	}
}

// cipherSpan is the shortest value searched for in ciphertext. Random
// bytes match a given 8-byte value, letters in either case, with a
// chance of about 1 in 10^16 at each position.
const cipherSpan = 8

// raw searches a file's bytes for the span values (not single names,
// which short runs of binary data can spell by chance) of at least least
// bytes.
func (s *scanner) raw(file string, b []byte, least int) {
	text := strings.ToLower(string(b))
	// Split at bytes that no value contains, and search each piece.
	pieces := strings.FieldsFunc(text, func(r rune) bool { return r == 0 || r == '\n' || r == utf8.RuneError || unicode.IsControl(r) })
	for i, p := range pieces {
		if len(p) < 4 {
			continue
		}
		before := len(s.leaks)
		s.search(file, fmt.Sprintf("bytes (piece %d)", i+1), "", p, false, least)
		if len(s.leaks) > before+20 {
			return
		}
	}
}

// ageHeader starts every age file.
const ageHeader = "age-encryption.org/v1\n"

// scanFile searches one file by its kind.
func (s *scanner) scanFile(t testing.TB, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	allowed := s.allowed[filepath.Clean(path)]
	switch ext := filepath.Ext(path); ext {
	case ".parquet":
		s.parquet(t, path, allowed)
		if len(allowed) == 0 {
			s.raw(path, b, 0)
		}
	case ".csv":
		s.csv(t, path, b, allowed)
	case ".json":
		s.json(t, path, "", b)
	case ".jsonl":
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 64<<20)
		for n := 1; sc.Scan(); n++ {
			s.json(t, path, fmt.Sprintf("line %d", n), sc.Bytes())
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	case ".age":
		if !bytes.HasPrefix(b, []byte(ageHeader)) {
			s.leaks = append(s.leaks, leak{file: path, where: "start", origin: origin{kind: "vault file that is not age ciphertext"}})
		}
		s.raw(path, b, cipherSpan)
	default:
		s.raw(path, b, 0)
	}
}

func (s *scanner) csv(t testing.TB, path string, b []byte, allowed map[string]bool) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, h := range header {
		s.cell(path, "header", strconv.Itoa(i+1), h)
	}
	for n := 2; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for i, v := range rec {
			col := strconv.Itoa(i + 1)
			if i < len(header) {
				col = header[i]
			}
			if allowed[col] {
				s.exemptCell(v)
			} else {
				s.cell(path, fmt.Sprintf("line %d", n), col, v)
			}
		}
	}
}

// json searches every key, string and number of a JSON document.
func (s *scanner) json(t testing.TB, path, where string, b []byte) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s %s: not JSON: %v", path, where, err)
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				s.cell(path, where, at+"{key}", k)
				walk(at+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", at, i), e)
			}
		case string:
			s.cell(path, where, at, x)
		case json.Number:
			s.cell(path, where, at, x.String())
		}
	}
	walk("$", v)
}

// parquet searches every value of every column, nested values included.
func (s *scanner) parquet(t testing.TB, path string, allowed map[string]bool) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer pf.Close()
	for _, kv := range pf.MetaData().KeyValueMetadata().Keys() {
		s.cell(path, "footer", "key", kv)
	}
	for _, v := range pf.MetaData().KeyValueMetadata().Values() {
		s.cell(path, "footer", "value", v)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer tbl.Release()
	for i, f := range tbl.Schema().Fields() {
		row := 0
		for _, ch := range tbl.Column(i).Data().Chunks() {
			for j := 0; j < ch.Len(); j++ {
				if allowed[f.Name] {
					if !ch.IsNull(j) {
						s.exemptCell(ch.ValueStr(j))
					}
				} else {
					s.leaves(path, fmt.Sprintf("row %d", row+1), f.Name, ch, j)
				}
				row++
			}
		}
	}
}

// leaves searches value j of a, descending into lists and structs.
func (s *scanner) leaves(path, where, column string, a arrow.Array, j int) {
	if a.IsNull(j) {
		return
	}
	switch x := a.(type) {
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		for k := 0; k < x.NumField(); k++ {
			s.leaves(path, where, column+"."+st.Field(k).Name, x.Field(k), j)
		}
	case array.ListLike:
		lo, hi := x.ValueOffsets(j)
		for k := lo; k < hi; k++ {
			s.leaves(path, where, column+"[]", x.ListValues(), int(k))
		}
	default:
		s.cell(path, where, column, a.ValueStr(j))
	}
}

// scanTree searches every file under root.
func (s *scanner) scanTree(t testing.TB, root string) (files int) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		files++
		s.scanFile(t, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// structureWords returns the keys, headers and column names of the JSON,
// CSV and Parquet files under roots, which are part of the run's own
// vocabulary.
func structureWords(t testing.TB, roots ...string) map[string]bool {
	t.Helper()
	words := map[string]bool{}
	add := func(s string) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) }) {
			words[w] = true
		}
	}
	var keys func(v any)
	keys = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				add(k)
				keys(e)
			}
		case []any:
			for _, e := range x {
				keys(e)
			}
		}
	}
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			switch filepath.Ext(p) {
			case ".json", ".jsonl":
				b, _ := os.ReadFile(p)
				d := json.NewDecoder(bytes.NewReader(b))
				for {
					var v any
					if d.Decode(&v) != nil {
						break
					}
					keys(v)
				}
			case ".csv":
				f, err := os.Open(p)
				if err == nil {
					h, _ := csv.NewReader(f).Read()
					f.Close()
					for _, c := range h {
						add(c)
					}
				}
			case ".parquet":
				if r, err := file.OpenParquetFile(p, false); err == nil {
					for i := 0; i < r.MetaData().Schema.NumColumns(); i++ {
						add(r.MetaData().Schema.Column(i).Path())
					}
					r.Close()
				}
			}
			return nil
		})
	}
	return words
}

// allowedColumns returns, for each output of res, the columns its
// recipient's field list names that show clear values.
func allowedColumns(results ...*pipeline.RunResult) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, res := range results {
		for _, o := range res.Outputs {
			for _, f := range o.Fields {
				if of, ok := exercise.LookupOutputField(f); ok && of.Clear() {
					p := filepath.Clean(o.Path)
					if out[p] == nil {
						out[p] = map[string]bool{}
					}
					out[p][f] = true
				}
			}
		}
	}
	return out
}

// leakFixture is the index and scanner over the shared demo runs.
type leakFixture struct {
	d       *demoRun
	ix      *clearIndex
	allowed map[string]map[string]bool
	roots   []string
}

func newLeakFixture(t testing.TB) *leakFixture {
	t.Helper()
	d := demo(t)
	ex := d.first.Exercise
	roots := []string{ex.Path(ex.OutputDir), ex.Path(ex.StateDir)}
	cfg, err := os.ReadFile(d.ex.Config())
	if err != nil {
		t.Fatal(err)
	}
	vocab := vocabularyWords(cfg)
	for w := range structureWords(t, roots...) {
		vocab[w] = true
	}
	return &leakFixture{
		d:       d,
		ix:      buildClearIndex(t, d.ex.Data, vocab),
		allowed: allowedColumns(d.first, d.second),
		roots:   roots,
	}
}

func (f *leakFixture) scanner() *scanner { return &scanner{ix: f.ix, allowed: f.allowed} }

// TestNoClearValueLeaks runs the demo exercise twice (see demo) and
// searches everything the runs wrote under output_dir and state_dir, and
// everything they logged at debug level, for the clear identifiers of the
// inputs.
func TestNoClearValueLeaks(t *testing.T) {
	f := newLeakFixture(t)
	t.Logf("%d clear values indexed (%d searched inside cells, %d as words of free text); left out: %v",
		len(f.ix.whole), len(f.ix.spans), len(f.ix.words), f.ix.skipped)
	s := f.scanner()
	files := 0
	for _, root := range f.roots {
		files += s.scanTree(t, root)
	}
	sc := bufio.NewScanner(bytes.NewReader(f.d.logs.Bytes()))
	sc.Buffer(nil, 16<<20)
	lines := 0
	for sc.Scan() {
		lines++
		s.json(t, "log", fmt.Sprintf("line %d", lines), sc.Bytes())
	}
	t.Logf("searched %d files and %d log lines", files, lines)
	if lines == 0 {
		t.Error("the runs logged nothing at debug level; the log capture is not working")
	}
	for i, l := range s.leaks {
		if i == 25 {
			t.Errorf("... and %d more", len(s.leaks)-i)
			break
		}
		t.Errorf("clear value leaked: %v", l)
	}

	// The vault holds the clear records of the queued cases, encrypted to
	// the reviewer.
	for _, res := range []*pipeline.RunResult{f.d.first, f.d.second} {
		if res.Queued == 0 {
			continue
		}
		v, err := vault.Open(res.VaultFile, f.d.ex.Identity())
		if err != nil {
			t.Fatalf("open vault of run %s: %v", res.Record.RunID, err)
		}
		if v.Len() == 0 {
			t.Errorf("vault of run %s is empty, but it queued %d cases", res.Record.RunID, res.Queued)
		}
	}
	// The columns that recipients may receive do hold clear values, and
	// the index knows them: the search is not blind to what the outputs
	// hold.
	t.Logf("%d cells of allowed columns hold clear values", s.exempt)
	if len(f.allowed) == 0 || s.exempt == 0 {
		t.Errorf("%d outputs name a clear field, %d of their cells hold a known clear value; want both above 0", len(f.allowed), s.exempt)
	}
}

// TestLeakDetectorFindsPlanted plants clear values of one input record in
// copies of the run's files and checks that the detector finds each one,
// and that it leaves alone a clear value in a column the recipient may
// receive.
func TestLeakDetectorFindsPlanted(t *testing.T) {
	f := newLeakFixture(t)
	res := f.d.first
	// A tenant with every identifier present.
	p, ok := plantable(t, f)
	if !ok {
		t.Fatal("no tenancy record with every identifier to plant")
	}
	var arrears, runJSON, queue string
	for _, o := range res.Outputs {
		if filepath.Base(o.Path) == "arrears-tracing.csv" {
			arrears = o.Path
		}
	}
	runJSON = filepath.Join(res.RunDir, runrecord.FileName)
	queue = res.QueueFile
	if arrears == "" {
		t.Fatal("the demo run wrote no arrears-tracing.csv")
	}
	dob := dateForms(p.DOB)
	tests := []struct {
		name  string
		file  string // a copy of this file is edited
		edit  func(t *testing.T, b []byte) []byte
		leaks bool
	}{
		{"NI number in a reference column", arrears, csvCell(2, "subject_ref", strings.ReplaceAll(p.NINumber, " ", "")), true},
		{"forwarding address in its own column", arrears, csvCell(2, "forwarding_address", p.Address), false},
		{"postcode in a reference column", arrears, csvCell(2, "subject_ref", p.Postcode), true},
		{"passport number in a reference column", arrears, csvCell(2, "subject_ref", p.Passport), true},
		{"surname as the operator", runJSON, jsonReplace(`"operator": "`+testOperator+`"`, `"operator": "`+p.Surname+`"`), true},
		{"forename in an error message", runJSON, jsonReplace(`"operator": "`+testOperator+`"`, `"operator": "row 7: `+strings.ToUpper(p.Forename)+` is not valid"`), true},
		{"date of birth in a message", runJSON, jsonReplace(`"operator": "`+testOperator+`"`, `"operator": "born `+dob[date.UKSlash]+`"`), true},
		{"date of birth as a timestamp", queue, jsonReplace(`"status":"pending"`, `"status":"`+dob[date.ISO]+`T00:00:00Z"`), true},
		{"compact date of birth in a queue line", queue, jsonReplace(`"status":"pending"`, `"status":"`+dob[date.Compact]+`"`), true},
		{"email in a queue line", queue, jsonReplace(`"status":"pending"`, `"status":"contact `+p.Email+` now"`), true},
		{"phone in a plain file", "", func(*testing.T, []byte) []byte { return []byte("note: call " + p.Phone + "\n") }, true},
		{"untouched copy", arrears, func(_ *testing.T, b []byte) []byte { return b }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var b []byte
			name := "note.txt"
			if tt.file != "" {
				var err error
				if b, err = os.ReadFile(tt.file); err != nil {
					t.Fatal(err)
				}
				name = filepath.Base(tt.file)
			}
			dst := filepath.Join(dir, name)
			if err := os.WriteFile(dst, tt.edit(t, b), 0o600); err != nil {
				t.Fatal(err)
			}
			s := f.scanner()
			if tt.file != "" && f.allowed[filepath.Clean(tt.file)] != nil {
				s.allowed = map[string]map[string]bool{dst: f.allowed[filepath.Clean(tt.file)]}
			}
			s.scanFile(t, dst)
			if got := len(s.leaks) > 0; got != tt.leaks {
				t.Errorf("leaks found: %v, want %v (%v)", got, tt.leaks, s.leaks)
			}
		})
	}

	t.Run("parquet value", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "x.parquet")
		writeStrings(t, dst, "note", []string{"nothing here", "lives at " + p.Address})
		s := f.scanner()
		s.scanFile(t, dst)
		if len(s.leaks) == 0 {
			t.Error("an address in a Parquet value was not found")
		}
	})
	t.Run("vault that is not encrypted", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "x.age")
		if err := os.WriteFile(dst, []byte(`{"ni":"`+p.NINumber+`"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		s := f.scanner()
		s.scanFile(t, dst)
		kinds := map[string]bool{}
		for _, l := range s.leaks {
			kinds[l.kind] = true
		}
		if !kinds["vault file that is not age ciphertext"] || !kinds["ni_number"] {
			t.Errorf("plain-text vault holding an NI number: found %v, want the missing age header and the NI number", s.leaks)
		}
	})
}

// plantable returns a tenancy record whose names, date of birth (in ISO
// form too), NI and passport numbers, postcode, phone and email are all
// indexed.
func plantable(t testing.TB, f *leakFixture) (person.Record, bool) {
	t.Helper()
	src := sourceOf(t, f.d.ex.Data, synth.DatasetTenancies)
	recs, _, err := load.ReadAll(context.Background(), src, load.Options{Today: f.d.ex.Data.Manifest.Today})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].RecordID < recs[j].RecordID })
	for _, p := range recs {
		if p.DOB.IsZero() || p.NINumber == "" || p.Passport == "" || p.Phone == "" || p.Email == "" || p.Postcode == "" {
			continue
		}
		if _, ok := f.ix.whole[fold(p.Surname)]; !ok {
			continue
		}
		if _, ok := f.ix.words[fold(p.Forename)]; !ok {
			continue
		}
		if _, ok := f.ix.spans[dateForms(p.DOB)[date.ISO]]; !ok {
			continue
		}
		return p, true
	}
	return person.Record{}, false
}

// csvCell returns an edit that sets column col of CSV line (1-based,
// header included) to v.
func csvCell(line int, col, v string) func(t *testing.T, b []byte) []byte {
	return func(t *testing.T, b []byte) []byte {
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < line {
			t.Fatalf("CSV has %d lines, want at least %d", len(recs), line)
		}
		i := -1
		for j, h := range recs[0] {
			if h == col {
				i = j
			}
		}
		if i < 0 {
			t.Fatalf("CSV has no column %s", col)
		}
		recs[line-1][i] = v
		var out bytes.Buffer
		w := csv.NewWriter(&out)
		w.WriteAll(recs)
		return out.Bytes()
	}
}

// jsonReplace returns an edit that replaces the first old by new.
func jsonReplace(old, new string) func(t *testing.T, b []byte) []byte {
	return func(t *testing.T, b []byte) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("file has no %s", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
}

// writeStrings writes a Parquet file with one string column.
func writeStrings(t testing.TB, path, col string, vals []string) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{{Name: col, Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, nil)
	a := b.NewArray()
	defer a.Release()
	rec := array.NewRecord(sc, []arrow.Array{a}, int64(len(vals)))
	defer rec.Release()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sc, out, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// FuzzFold checks that folding is idempotent and leaves no white space or
// punctuation at the ends and no double space.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "  SMITH, John ", "1965-12-14T00:00:00Z", "t1t2t3", "Ünïcödé\tname", "--x--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := fold(s)
		if fold(v) != v {
			t.Errorf("fold(%q) = %q, fold of that = %q", s, v, fold(v))
		}
		if strings.Contains(v, "  ") {
			t.Errorf("fold(%q) = %q has a double space", s, v)
		}
		if v != "" {
			first, _ := utf8.DecodeRuneInString(v)
			last, _ := utf8.DecodeLastRuneInString(v)
			if !isWordRune(first) || !isWordRune(last) {
				t.Errorf("fold(%q) = %q does not start and end with a letter or digit", s, v)
			}
		}
	})
}

// FuzzSearch checks that a value searched for inside cells is found as a
// whole cell and amid other words, and a name only where it should be.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"SK4 5HA", "AB123456C", "john.smith7@example.com", "1965-12-14", "Flat 5, Elm Court"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		v := fold(value)
		if utf8.RuneCountInString(v) < 4 {
			return
		}
		ix := newClearIndex(nil, nil)
		ix.add(asSpan, "value", value, origin{})
		ix.add(asName, "name", "Quenby", origin{})
		for _, cell := range []string{value, "x " + value + " y", "(" + value + ")", "moved to " + strings.ToUpper(value)} {
			s := &scanner{ix: ix}
			s.cell("f", "", "c", cell)
			if len(s.leaks) != 1 {
				t.Errorf("value %q in cell %q: %d leaks, want 1", value, cell, len(s.leaks))
			}
		}
		// A name is found as a whole cell and as a word of free text,
		// not inside another word or in raw bytes.
		for cell, want := range map[string]int{"Quenby": 1, "by Quenby now": 1, "Quenbys": 0} {
			s := &scanner{ix: ix}
			s.cell("f", "", "c", cell)
			if len(s.leaks) != want {
				t.Errorf("name in cell %q: %d leaks, want %d", cell, len(s.leaks), want)
			}
		}
		s := &scanner{ix: ix}
		s.raw("f", []byte("by Quenby now"), 0)
		if len(s.leaks) != 0 {
			t.Errorf("a name was searched for in raw bytes")
		}
	})
}
