package review

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Columns of a file of decisions that ParseImport reads.
const (
	ImportCaseID     = "case_id"
	ImportOutcome    = "outcome"
	ImportReason     = "reason"
	ImportSupersedes = "latest_decision"
)

// ParseImport reads decisions from a CSV file, as a reviewer fills in an
// export in a spreadsheet (see ExportCSV). Its header names case_id,
// outcome and reason, and may name latest_decision, the case's latest
// decision when the file was exported, which the new decision supersedes;
// other columns are ignored, and so is a leading byte-order mark. A row
// with no outcome is skipped: the reviewer has not decided it. reviewer
// is recorded as the reviewer of every decision, since the person who
// imports the file answers for it.
//
// Outcomes are read without regard to case or surrounding space. A row
// with an outcome needs a reason. Every problem is reported at once, by
// name, line and column, and never quotes a cell other than a case id: a
// reason may hold personal details. Whether each case exists and is
// still as the reviewer saw it is checked when the decisions are recorded
// (see DecideAll).
func ParseImport(r io.Reader, name, reviewer string) ([]Decision, error) {
	if strings.TrimSpace(reviewer) == "" {
		return nil, fmt.Errorf("%s: %w", name, ErrNoReviewer)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file: want a header naming %s, %s and %s", name, ImportCaseID, ImportOutcome, ImportReason)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, csvProblem(err))
	}
	col := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; dup && h != "" {
			return nil, fmt.Errorf("%s: line 1: column %q appears twice", name, h)
		}
		col[h] = i
	}
	for _, need := range []string{ImportCaseID, ImportOutcome, ImportReason} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: line 1: no %s column", name, need)
		}
	}
	cell := func(rec []string, c string) string {
		i, ok := col[c]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}

	var out []Decision
	var problems []error
	rows := map[string]int{} // case id → line first deciding it
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", name, csvProblem(err)))
			break
		}
		line, _ := cr.FieldPos(0)
		outcome := strings.ToLower(cell(rec, ImportOutcome))
		if outcome == "" {
			continue
		}
		id := unguard(cell(rec, ImportCaseID))
		switch {
		case id == "":
			problems = append(problems, fmt.Errorf("%s: line %d: column %s is empty", name, line, ImportCaseID))
			continue
		case !idPattern(id, "C-", false):
			problems = append(problems, fmt.Errorf("%s: line %d: column %s is not a case id", name, line, ImportCaseID))
			continue
		case !ValidOutcome(outcome):
			problems = append(problems, fmt.Errorf("%s: line %d: column %s: %w", name, line, ImportOutcome, ErrOutcome))
			continue
		case cell(rec, ImportReason) == "":
			problems = append(problems, fmt.Errorf("%s: line %d: case %s: column %s: %w", name, line, id, ImportReason, ErrNoReason))
			continue
		case !idPattern(unguard(cell(rec, ImportSupersedes)), "D-", true):
			problems = append(problems, fmt.Errorf("%s: line %d: case %s: column %s is not a decision id", name, line, id, ImportSupersedes))
			continue
		}
		if first, dup := rows[id]; dup {
			problems = append(problems, fmt.Errorf("%s: line %d: case %s is decided on line %d too", name, line, id, first))
			continue
		}
		rows[id] = line
		out = append(out, Decision{
			CaseID: id, Outcome: outcome, Reason: cell(rec, ImportReason), Reviewer: strings.TrimSpace(reviewer),
			Supersedes: unguard(cell(rec, ImportSupersedes)),
		})
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return out, nil
}

// unguard undoes SafeCell: an id never starts with a quote.
func unguard(s string) string { return strings.TrimPrefix(s, "'") }

// idPattern reports whether s has the form of a case or decision id:
// prefix ("C-", "D-") and 12 lower-case hex digits. empty says whether ""
// passes.
func idPattern(s, prefix string, empty bool) bool {
	if s == "" {
		return empty
	}
	if len(s) != 14 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// csvProblem returns err without the text of the record it was reading:
// encoding/csv's errors give a position, never a cell, but a *csv.ParseError
// is rebuilt here so that this stays true.
func csvProblem(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, column %d: %w", pe.Line, pe.Column, pe.Err)
	}
	return err
}
