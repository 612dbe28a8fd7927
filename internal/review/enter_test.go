package review

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/ledger"
)

// TestRecordAndEnterMissing records decisions whose ledger entry fails,
// and enters them afterwards, once each.
func TestRecordAndEnterMissing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	logPath, ledgerPath := filepath.Join(dir, "decisions.jsonl"), filepath.Join(dir, "ledger.jsonl")
	if _, err := ledger.Append(ctx, ledgerPath, ledger.Entry{Kind: ledger.KindRun, RunID: "R1", Actor: "ops", Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	q := cases(3)
	for i := range q {
		q[i].RunID = "R1"
	}
	readLedger := func() []ledger.Entry {
		t.Helper()
		es, err := ledger.ReadAll(ledgerPath)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}

	// Recorded and entered.
	ds, last, err := Record(ctx, logPath, ledgerPath, q, []Decision{{CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "same NI", Reviewer: "amy"}})
	if err != nil || len(ds) != 1 || last.Seq != 2 || last.Kind != ledger.KindDecision || last.RunID != "R1" {
		t.Fatalf("Record = %v, entry %+v, %v", ds, last, err)
	}
	// Recorded, but the ledger cannot take the entries (a folder is no
	// ledger): the decisions stay in the log.
	failing, _, err := Record(ctx, logPath, dir, q, []Decision{
		{CaseID: q[1].ID, Outcome: OutcomeRejected, Reason: "twins", Reviewer: "bob"},
		{CaseID: q[2].ID, Outcome: OutcomeMoreInfo, Reason: "ask housing", Reviewer: "bob"},
	})
	if !errors.Is(err, ErrNotEntered) || len(failing) != 2 {
		t.Fatalf("Record into no ledger = %v, %v; want the decisions and ErrNotEntered", failing, err)
	}
	if strings.Contains(err.Error(), "twins") {
		t.Errorf("the error quotes a reason: %v", err)
	}
	logged, err := ReadDecisions(logPath)
	if err != nil || len(logged) != 3 {
		t.Fatalf("log holds %d decisions (%v), want 3", len(logged), err)
	}

	dry, err := EnterMissing(ctx, logPath, ledgerPath, q, true)
	if err != nil || !slices.EqualFunc(dry, failing, func(a, b Decision) bool { return a.DecisionID == b.DecisionID }) {
		t.Fatalf("EnterMissing dry run = %v, %v; want %v", dry, err, failing)
	}
	if n := len(readLedger()); n != 2 {
		t.Fatalf("the dry run entered something: %d entries", n)
	}
	entered, err := EnterMissing(ctx, logPath, ledgerPath, q, false)
	if err != nil || len(entered) != 2 {
		t.Fatalf("EnterMissing = %v, %v", entered, err)
	}
	entries := readLedger()
	if p := Reconcile(logged, entries); len(p) != 0 {
		t.Errorf("after EnterMissing the log and ledger disagree: %v", p)
	}
	var data map[string]string
	if err := json.Unmarshal(entries[len(entries)-1].Data, &data); err != nil || data["decision_id"] != failing[1].DecisionID || data["decided"] == "" {
		t.Errorf("late entry %s (%v): want the decision and when it was decided", entries[len(entries)-1].Data, err)
	}
	if again, err := EnterMissing(ctx, logPath, ledgerPath, q, false); err != nil || len(again) != 0 || len(readLedger()) != len(entries) {
		t.Errorf("second EnterMissing = %v, %v; want nothing entered", again, err)
	}

	// A log changed by hand is not repaired: nothing is entered.
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), `"outcome":"rejected"`, `"outcome":"confirmed"`, 1)
	if changed == string(b) {
		t.Fatal("no rejected outcome to change in the log")
	}
	if err := os.WriteFile(logPath, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Record(ctx, logPath, dir, q, []Decision{{CaseID: q[1].ID, Outcome: OutcomeRejected, Reason: "twins", Reviewer: "cy", Supersedes: failing[0].DecisionID}}); !errors.Is(err, ErrNotEntered) {
		t.Fatalf("Record into no ledger = %v", err)
	}
	if got, err := EnterMissing(ctx, logPath, ledgerPath, q, false); !errors.Is(err, ErrDisagrees) || len(got) != 0 || len(readLedger()) != len(entries) {
		t.Errorf("EnterMissing over a changed log = %v, %v; want ErrDisagrees and nothing entered", got, err)
	}

	// No ledger at all: nothing to enter decisions into afresh.
	if _, err := EnterMissing(ctx, logPath, filepath.Join(dir, "none.jsonl"), q, false); err == nil {
		t.Error("EnterMissing without a ledger succeeded")
	}
}
