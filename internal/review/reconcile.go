package review

import (
	"encoding/json"
	"fmt"

	"github.com/datamatch/datamatch/internal/ledger"
)

// Discrepancy is a disagreement between the decisions log and the audit
// ledger about one decision.
type Discrepancy struct {
	DecisionID string
	Problem    string // what disagrees; never a decision's reason
	// Unentered marks a decision that is in the log and in no entry of
	// the ledger: its entry failed after it was recorded, and
	// EnterMissing can enter it.
	Unentered bool
}

func (d Discrepancy) String() string { return d.DecisionID + ": " + d.Problem }

// Reconcile checks the decisions log against the decision entries of the
// audit ledger, whose hash chain ledger.Verify checks: every decision in
// the log must have been entered in the ledger (see Decision.LedgerEntry)
// with the same case, outcome, reviewer and superseded decision, and every
// decision the ledger holds must still be in the log. The log is a plain
// file; this is what makes an outcome changed or a decision removed there
// evident. A reason is not in the ledger and is not compared, so a reason
// replaced by RedactReasons is no discrepancy.
//
// Reconcile returns the discrepancies in the log's order, then those of
// decisions missing from it in the ledger's order; none means the two
// agree.
func Reconcile(decisions []Decision, entries []ledger.Entry) []Discrepancy {
	type entered struct {
		caseID, outcome, supersedes, actor string
	}
	inLedger := map[string]entered{}
	var order []string
	var out []Discrepancy
	for _, e := range entries {
		if e.Kind != ledger.KindDecision {
			continue
		}
		var data struct {
			DecisionID string `json:"decision_id"`
			CaseID     string `json:"case_id"`
			Outcome    string `json:"outcome"`
			Supersedes string `json:"supersedes"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil || data.DecisionID == "" {
			out = append(out, Discrepancy{DecisionID: fmt.Sprintf("ledger seq %d", e.Seq), Problem: "a decision entry without a decision id"})
			continue
		}
		if _, dup := inLedger[data.DecisionID]; dup {
			out = append(out, Discrepancy{DecisionID: data.DecisionID, Problem: fmt.Sprintf("entered in the ledger twice (again at seq %d)", e.Seq)})
			continue
		}
		inLedger[data.DecisionID] = entered{data.CaseID, data.Outcome, data.Supersedes, e.Actor}
		order = append(order, data.DecisionID)
	}

	inLog := make(map[string]bool, len(decisions))
	for _, d := range decisions {
		if inLog[d.DecisionID] {
			out = append(out, Discrepancy{DecisionID: d.DecisionID, Problem: "in the decisions log twice"})
			continue
		}
		inLog[d.DecisionID] = true
		e, ok := inLedger[d.DecisionID]
		if !ok {
			out = append(out, Discrepancy{DecisionID: d.DecisionID, Problem: "in the decisions log but never entered in the ledger", Unentered: true})
			continue
		}
		for _, f := range []struct{ name, log, ledger string }{
			{"case", d.CaseID, e.caseID},
			{"outcome", d.Outcome, e.outcome},
			{"reviewer", d.Reviewer, e.actor},
			{"superseded decision", d.Supersedes, e.supersedes},
		} {
			if f.log != f.ledger {
				out = append(out, Discrepancy{DecisionID: d.DecisionID,
					Problem: fmt.Sprintf("%s is %q in the decisions log, %q in the ledger", f.name, f.log, f.ledger)})
			}
		}
	}
	for _, id := range order {
		if !inLog[id] {
			out = append(out, Discrepancy{DecisionID: id, Problem: "entered in the ledger but missing from the decisions log"})
		}
	}
	return out
}
