package review

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ExportColumns are the columns of ExportCSV, in order.
var ExportColumns = []string{"case_id", "purpose", "rule", "match_probability", "status", "latest_outcome", "latest_decision", "reviewer", "decided_at"}

// ExportCSV writes one row per case of cases (as List gives them), for
// people who work in spreadsheets. latest_decision is the id of the case's
// latest decision: a reviewer who decides cases in the spreadsheet adds
// outcome and reason columns, and ParseImport reads the file back, each
// decision superseding the decision the reviewer saw. The columns are
// minimised to ExportColumns: no record refs and no clear identifiers.
// Every cell is made safe from formula injection (see SafeCell).
func ExportCSV(w io.Writer, cases []CaseStatus) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return fmt.Errorf("export review cases: %w", err)
	}
	for _, s := range cases {
		var outcome, decision, reviewer, at string
		if s.Latest != nil {
			outcome, decision, reviewer, at = s.Latest.Outcome, s.Latest.DecisionID, s.Latest.Reviewer, s.Latest.Time.UTC().Format(time.RFC3339)
		}
		row := []string{s.Case.ID, s.Case.Purpose, s.Case.Rule, strconv.FormatFloat(s.Case.MatchProbability, 'f', 4, 64),
			s.Status, outcome, decision, reviewer, at}
		for i := range row {
			row[i] = SafeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("export review cases: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export review cases: %w", err)
	}
	return nil
}

// SafeCell returns s made safe to open in a spreadsheet: a cell that
// starts with =, +, -, @, a tab or a carriage return, which a spreadsheet
// could run as a formula, gets a leading single quote.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
