package rights

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// Columns of a restrictions file.
const (
	ColKind      = "kind"
	ColForename  = person.ColForename
	ColSurname   = person.ColSurname
	ColDOB       = person.ColDOB
	ColNINumber  = person.ColNINumber
	ColPassport  = person.ColPassport
	ColPostcode  = person.ColPostcode
	ColReference = "reference"
	ColReceived  = "received"
)

// ListColumns lists the columns a restrictions file's header must name.
var ListColumns = []string{ColKind, ColForename, ColSurname, ColDOB, ColNINumber, ColPostcode, ColReference, ColReceived}

// OptionalListColumns lists the columns a restrictions file's header may
// name as well.
var OptionalListColumns = []string{ColPassport}

// maxProblems bounds how many problems one error lists.
const maxProblems = 50

// LoadList reads the restrictions file at path and pseudonymises it with
// enc, which must be the exercise's encoder (a *pseudo.Encoder built from
// the exercise key) so that its pseudonyms are comparable with the input
// records'. The file format is described in the package documentation.
func LoadList(path string, enc Encoder) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("restrictions: %w", err)
	}
	defer f.Close()
	return ReadList(f, path, enc)
}

// ReadList is LoadList over a reader; name is used in errors.
func ReadList(r io.Reader, name string, enc Encoder) (*List, error) {
	rows, err := parseList(r, name)
	if err != nil {
		return nil, err
	}
	l := &List{name: name, entries: make([]entry, 0, len(rows)), idx: newIndex()}
	var problems []error
	var p pseudo.Record
	for i := range rows {
		row := &rows[i]
		p = pseudo.Record{}
		enc.Encode(&p, &row.rec)
		row.rec = person.Record{}
		if !keyable(&p) {
			problems = append(problems, fmt.Errorf("restrictions %s: line %d: not enough identifiers to recognise anyone (need %s or %s; or %s and %s with %s or %s; or %s, %s and %s)",
				name, row.line, ColNINumber, ColPassport, ColSurname, ColDOB, ColForename, ColPostcode, ColForename, ColDOB, ColPostcode))
			continue
		}
		e := int32(len(l.entries))
		l.entries = append(l.entries, entry{kind: row.kind, line: row.line, reference: row.reference, received: row.received})
		l.idx.add(e, &p)
	}
	if len(problems) > 0 {
		return nil, joinProblems(problems)
	}
	return l, nil
}

// listRow is one parsed row, in clear.
type listRow struct {
	kind      int8
	line      int
	rec       person.Record
	reference string
	received  date.Date
}

// parseList reads and checks a restrictions CSV. It reports every problem
// it finds by line and column, never by value.
func parseList(r io.Reader, name string) ([]listRow, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("restrictions %s: empty file: the header (%s) is missing", name, strings.Join(ListColumns, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("restrictions %s: %w", name, err)
	}
	col := make(map[string]int, len(ListColumns))
	var problems []error
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if !contains(ListColumns, h) && !contains(OptionalListColumns, h) {
			problems = append(problems, fmt.Errorf("restrictions %s: header: column %d is not one of %s (or %s)", name, i+1, strings.Join(ListColumns, ","), strings.Join(OptionalListColumns, ",")))
			continue
		}
		if _, dup := col[h]; dup {
			problems = append(problems, fmt.Errorf("restrictions %s: header: column %s appears twice", name, h))
			continue
		}
		col[h] = i
	}
	for _, c := range ListColumns {
		if _, ok := col[c]; !ok {
			problems = append(problems, fmt.Errorf("restrictions %s: header: column %s is missing", name, c))
		}
	}
	if len(problems) > 0 {
		return nil, joinProblems(problems)
	}

	var rows []listRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("restrictions %s: %w", name, err))
			return nil, joinProblems(problems)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		get := func(c string) string {
			i, ok := col[c]
			if !ok {
				return "" // an optional column the file does not have
			}
			return strings.TrimSpace(rec[i])
		}
		bad := func(c, why string) {
			problems = append(problems, fmt.Errorf("restrictions %s: line %d: column %s: %s", name, line, c, why))
		}
		row := listRow{line: line, reference: get(ColReference)}
		k, ok := ParseKind(get(ColKind))
		if !ok {
			bad(ColKind, "not one of "+strings.Join(Kinds, ", "))
		}
		row.kind = int8(kindIndex(k))
		row.rec.Forename = get(ColForename)
		row.rec.Surname = get(ColSurname)
		row.rec.NINumber = get(ColNINumber)
		row.rec.Passport = get(ColPassport)
		row.rec.Postcode = get(ColPostcode)
		if s := get(ColDOB); s != "" {
			d, err := date.Parse(date.ISO, s)
			if err != nil {
				bad(ColDOB, "not an ISO 8601 date (YYYY-MM-DD)")
			}
			row.rec.DOB = d
		}
		if s := get(ColReceived); s != "" {
			d, err := date.Parse(date.ISO, s)
			if err != nil {
				bad(ColReceived, "not an ISO 8601 date (YYYY-MM-DD)")
			}
			row.received = d
		}
		row.rec.RecordID = row.reference
		rows = append(rows, row)
	}
	if len(problems) > 0 {
		return nil, joinProblems(problems)
	}
	return rows, nil
}

// ParseKind reads a kind of request: one of Kinds, ignoring case and
// surrounding spaces, with "-" or " " allowed for "_".
func ParseKind(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return '_'
		}
		return r
	}, s)
	if kindIndex(s) < 0 {
		return "", false
	}
	return s, true
}

func kindIndex(k string) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return -1
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// joinProblems joins problems into one error, one per line, listing at
// most maxProblems of them.
func joinProblems(problems []error) error {
	if len(problems) > maxProblems {
		n := len(problems) - maxProblems
		problems = append(problems[:maxProblems:maxProblems], fmt.Errorf("... and %d more problems", n))
	}
	return errors.Join(problems...)
}
