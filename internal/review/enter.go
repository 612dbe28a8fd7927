package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/lockfile"
)

// ErrNotEntered is wrapped by the error of Record when its decisions are
// in the decisions log but not all of them reached the audit ledger.
// EnterMissing enters the rest.
var ErrNotEntered = errors.New("recorded in the decisions log, but not entered in the audit ledger")

// ErrDisagrees refuses EnterMissing when the decisions log and the ledger
// disagree other than by decisions never entered: an outcome changed in
// the log, say, which a person must look into.
var ErrDisagrees = errors.New("the decisions log and the audit ledger disagree")

// Record records ds in the decisions log at logPath as DecideAll does,
// then enters each in the audit ledger at ledgerPath, under the run that
// queued its case (Decision.LedgerEntry), before it releases the log's
// lock. It returns the decisions as recorded and the last entry.
//
// Once the decisions are in the log they stay there: if an entry fails,
// Record returns them with an error wrapping ErrNotEntered, and
// EnterMissing enters the ones missing. Holding the lock throughout means
// EnterMissing never takes a decision being recorded for one whose entry
// failed.
func Record(ctx context.Context, logPath, ledgerPath string, queue []Case, ds []Decision) ([]Decision, ledger.Entry, error) {
	runs := runsOf(queue)
	var last ledger.Entry
	recorded, err := decideAll(ctx, logPath, queue, ds, func(ds []Decision) error {
		for _, d := range ds {
			e, err := ledger.Append(ctx, ledgerPath, d.LedgerEntry(runs[d.CaseID]))
			if err != nil {
				return fmt.Errorf("decision %s: %w: %w", d.DecisionID, ErrNotEntered, err)
			}
			last = e
		}
		return nil
	})
	return recorded, last, err
}

// EnterMissing enters in the audit ledger at ledgerPath, in the log's
// order, each decision of the log at logPath that no decision entry of the
// ledger holds (one whose entry failed after it was recorded), and
// returns them; with dryRun it only returns them.
//
// It first verifies the ledger's chain, and refuses, entering nothing, a
// broken chain and a log that disagrees with the ledger in any other way
// (Reconcile; the error wraps ErrDisagrees): those need a person, not a
// repair. Each entry is timed when it is entered, as every ledger entry
// is, and carries the time the decision was recorded as "decided". It
// holds the log's lock, as Record does.
func EnterMissing(ctx context.Context, logPath, ledgerPath string, queue []Case, dryRun bool) ([]Decision, error) {
	if !dryRun {
		if err := ledger.CheckWritable(ledgerPath); err != nil {
			return nil, err
		}
	}
	unlock, err := lockfile.Lock(ctx, logPath+".lock")
	if err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	defer unlock()
	decisions, err := ReadDecisions(logPath)
	if err != nil || len(decisions) == 0 {
		return nil, err
	}
	// A missing ledger is no reason to enter decisions afresh: the run
	// that queued their cases entered itself in it.
	entries, err := ledger.ReadAll(ledgerPath)
	if err != nil {
		return nil, err
	}
	missing := map[string]bool{}
	var others []Discrepancy
	for _, p := range Reconcile(decisions, entries) {
		if p.Unentered {
			missing[p.DecisionID] = true
		} else {
			others = append(others, p)
		}
	}
	if len(others) > 0 {
		return nil, fmt.Errorf("decisions log %s: %w on %d decisions, first %s; nothing entered", logPath, ErrDisagrees, len(others), others[0])
	}
	var out []Decision
	for _, d := range decisions {
		if missing[d.DecisionID] {
			out = append(out, d)
		}
	}
	if dryRun {
		return out, nil
	}
	runs := runsOf(queue)
	for i, d := range out {
		if _, err := ledger.Append(ctx, ledgerPath, d.lateEntry(runs[d.CaseID])); err != nil {
			return out[:i], fmt.Errorf("decision %s: %w: %w", d.DecisionID, ErrNotEntered, err)
		}
	}
	return out, nil
}

// lateEntry is d's ledger entry made after its first append failed: timed
// when it is entered, with the decision's own time as "decided".
func (d Decision) lateEntry(runID string) ledger.Entry {
	data, _ := json.Marshal(map[string]string{
		"decision_id": d.DecisionID, "case_id": d.CaseID, "outcome": d.Outcome, "supersedes": d.Supersedes,
		"decided": d.Time.UTC().Format(time.RFC3339),
	})
	return ledger.Entry{Kind: ledger.KindDecision, RunID: runID, Actor: d.Reviewer, Data: data}
}

// runsOf maps each case of queue to the run that queued it.
func runsOf(queue []Case) map[string]string {
	runs := make(map[string]string, len(queue))
	for _, c := range queue {
		runs[c.ID] = c.RunID
	}
	return runs
}
