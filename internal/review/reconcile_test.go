package review

import (
	"slices"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/ledger"
)

func TestReconcile(t *testing.T) {
	q := cases(3)
	logged := []Decision{
		{DecisionID: "D-000000000001", CaseID: q[0].ID, Outcome: OutcomeMoreInfo, Reason: "ask", Reviewer: "amy", Time: t0},
		{DecisionID: "D-000000000002", CaseID: q[1].ID, Outcome: OutcomeRejected, Reason: "no", Reviewer: "amy", Time: t0},
		{DecisionID: "D-000000000003", CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "yes", Reviewer: "bob", Time: t0, Supersedes: "D-000000000001"},
	}
	var entries []ledger.Entry
	for i, d := range logged {
		e := d.LedgerEntry("R1")
		e.Seq = int64(i + 2)
		entries = append(entries, e)
	}
	// A run entry among them is not a decision.
	entries = append([]ledger.Entry{{Seq: 1, Kind: ledger.KindRun, Data: []byte(`{}`)}}, entries...)

	edit := func(f func(ds []Decision) []Decision) []Decision { return f(slices.Clone(logged)) }
	tests := []struct {
		name      string
		decisions []Decision
		entries   []ledger.Entry
		want      []string // "id: problem fragment"
	}{
		{"agree", logged, entries, nil},
		{"reason redacted", edit(func(ds []Decision) []Decision {
			ds[1].Reason = "[reason erased on request ER-1, 2026-11-23]"
			return ds
		}), entries, nil},
		{"outcome changed in the log", edit(func(ds []Decision) []Decision { ds[2].Outcome = OutcomeRejected; return ds }), entries,
			[]string{`D-000000000003: outcome is "rejected" in the decisions log, "confirmed" in the ledger`}},
		{"reviewer changed", edit(func(ds []Decision) []Decision { ds[0].Reviewer = "cy"; return ds }), entries,
			[]string{`D-000000000001: reviewer is "cy"`}},
		{"case changed", edit(func(ds []Decision) []Decision { ds[1].CaseID = q[2].ID; return ds }), entries,
			[]string{"D-000000000002: case is"}},
		{"supersedes changed", edit(func(ds []Decision) []Decision { ds[2].Supersedes = ""; return ds }), entries,
			[]string{"D-000000000003: superseded decision is"}},
		{"removed from the log", edit(func(ds []Decision) []Decision { return slices.Delete(ds, 1, 2) }), entries,
			[]string{"D-000000000002: entered in the ledger but missing from the decisions log"}},
		{"added to the log", append(slices.Clone(logged), Decision{DecisionID: "D-000000000009", CaseID: q[2].ID, Outcome: OutcomeConfirmed, Reviewer: "eve"}), entries,
			[]string{"D-000000000009: in the decisions log but never entered in the ledger"}},
		{"twice in the log", append(slices.Clone(logged), logged[0]), entries,
			[]string{"D-000000000001: in the decisions log twice"}},
		{"twice in the ledger", logged, append(slices.Clone(entries), entries[1]),
			[]string{"D-000000000001: entered in the ledger twice"}},
		{"a decision entry without an id", logged, append(slices.Clone(entries), ledger.Entry{Seq: 9, Kind: ledger.KindDecision, Data: []byte(`{}`)}),
			[]string{"ledger seq 9: a decision entry without a decision id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Reconcile(tt.decisions, tt.entries)
			if len(got) != len(tt.want) {
				t.Fatalf("Reconcile = %v, want %d discrepancies %q", got, len(tt.want), tt.want)
			}
			for i, d := range got {
				if !strings.HasPrefix(d.String(), tt.want[i]) {
					t.Errorf("discrepancy %d = %q, want %q…", i, d, tt.want[i])
				}
				if strings.Contains(d.Problem, "ask") || strings.Contains(d.Problem, "yes") {
					t.Errorf("a discrepancy quotes a reason: %q", d)
				}
			}
		})
	}
}
