package pipeline_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/minimise"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/pipeline"
)

// readCSV reads a CSV file whole.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRelease runs the demo exercise, which holds the utility provider's
// request back until reviewers confirm its cases: the run writes it as a
// held file, a release writes the rows of confirmed cases alone, with
// exactly the provider's fields, once each, and records what it released.
func TestRelease(t *testing.T) {
	ex := exerciseOver(t, requestHeldAlone(t))
	ctx := context.Background()
	clock := fixedClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	run := func() *pipeline.RunResult {
		t.Helper()
		res, err := pipeline.Run(ctx, pipeline.RunOptions{Config: ex.Config(), Version: "test", Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := run()
	var held runrecord.Output
	for _, o := range first.Record.Outputs {
		if o.Recipient == "utility_provider" {
			held = o
		}
	}
	if !held.Held || filepath.Base(filepath.Dir(held.Path)) != minimise.HeldDir || !slices.Equal(held.ReleaseFields, []string{"forename", "surname", "tenancy_start"}) {
		t.Fatalf("the utility provider's output is not held: %+v", held)
	}
	heldRows := readCSV(t, held.Path)
	if !slices.Equal(heldRows[0], []string{"case_id", "forename", "surname", "tenancy_start"}) || len(heldRows) < 4 {
		t.Fatalf("held file has %d rows, header %q", len(heldRows), heldRows[0])
	}

	release := func(dry bool) *pipeline.ReleaseResult {
		t.Helper()
		res, err := pipeline.Release(ctx, pipeline.ReleaseOptions{Config: ex.Config(), DryRun: dry, Version: "test", Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Held) != 1 {
			t.Fatalf("%d held outputs, want the run's one", len(res.Held))
		}
		return res
	}
	// Nothing decided: nothing goes.
	if res := release(false); res.Record != nil || res.Held[0].Awaiting != len(heldRows)-1 || res.Held[0].Released != 0 {
		t.Fatalf("release before any decision: %+v", res.Held)
	}

	// Two cases confirmed, one rejected.
	queue, err := review.ReadQueue(first.QueueFile)
	if err != nil {
		t.Fatal(err)
	}
	decide := func(id, outcome string) {
		t.Helper()
		if _, err := review.Decide(ctx, review.DecisionsPath(first.QueueFile), queue, review.Decision{CaseID: id, Outcome: outcome, Reason: "checked", Reviewer: "amy"}); err != nil {
			t.Fatal(err)
		}
	}
	decide(heldRows[3][0], review.OutcomeConfirmed)
	decide(heldRows[1][0], review.OutcomeConfirmed)
	decide(heldRows[2][0], review.OutcomeRejected)

	dry := release(true)
	if h := dry.Held[0]; dry.Record != nil || h.Released != 2 || h.Rejected != 1 || h.Awaiting != len(heldRows)-4 || h.Path != "" {
		t.Errorf("dry run: %+v, record %v", h, dry.Record)
	}
	res := release(false)
	h := res.Held[0]
	if res.Record == nil || h.Released != 2 || h.Path == "" {
		t.Fatalf("release: %+v", h)
	}
	// The held file's order, the provider's fields, nothing else.
	want := [][]string{{"forename", "surname", "tenancy_start"}, heldRows[1][1:], heldRows[3][1:]}
	if got := readCSV(t, h.Path); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("released %q, want %q", got, want)
	}
	rec, err := runrecord.Read(filepath.Join(res.Dir, runrecord.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Validate(); err != nil {
		t.Error(err)
	}
	if o := rec.Outputs[0]; rec.Kind != runrecord.KindRelease || o.Released == nil || !slices.Equal(o.Released.Cases, []string{heldRows[1][0], heldRows[3][0]}) || o.Released.RunID != first.Record.RunID {
		t.Errorf("release record %+v, output %+v", rec, o)
	}
	entries, err := ledger.ReadAll(first.LedgerFile)
	if err != nil {
		t.Fatal(err)
	}
	if last := entries[len(entries)-1]; last.Kind != ledger.KindRelease || last.RunID != rec.RunID {
		t.Errorf("last ledger entry %s %s, want the release", last.Kind, last.RunID)
	}
	// The retention of what was released is its run's.
	outs, err := pipeline.RunRecordOutputs(filepath.Join(res.Dir, runrecord.FileName))
	if err != nil {
		t.Fatal(err)
	}
	until := map[string]bool{}
	for _, p := range first.Record.Purposes {
		until[p.RetentionUntil.String()] = true
	}
	if len(outs) != 1 || !until[outs[0].RetentionUntil.String()] {
		t.Errorf("released outputs for retention: %+v", outs)
	}

	// A reviewer reconsiders a case already sent: the next release says
	// the recipient must be told, and records that it said so.
	withdrawnCase := heldRows[3][0]
	redecide := func(outcome, reason string) {
		t.Helper()
		latest, _ := review.Latest(withdrawnCase, mustDecisions(t, first.QueueFile))
		if _, err := review.Decide(ctx, review.DecisionsPath(first.QueueFile), queue, review.Decision{CaseID: withdrawnCase, Outcome: outcome,
			Reason: reason, Reviewer: "bob", Supersedes: latest.DecisionID}); err != nil {
			t.Fatal(err)
		}
	}
	redecide(review.OutcomeRejected, "second look: another person")
	withdrawal := release(false)
	if h := withdrawal.Held[0]; withdrawal.Record == nil || !slices.Equal(h.Withdrawn, []string{withdrawnCase}) || h.Earlier != 2 || h.Released != 0 {
		t.Fatalf("release after a released case was rejected: %+v", h)
	}
	wrec, err := runrecord.Read(filepath.Join(withdrawal.Dir, runrecord.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := wrec.Validate(); err != nil {
		t.Error(err)
	}
	if len(wrec.Outputs) != 0 || len(wrec.Withdrawals) != 1 || !slices.Equal(wrec.Withdrawals[0].Cases, []string{withdrawnCase}) ||
		wrec.Withdrawals[0].Recipient != "utility_provider" || wrec.Withdrawals[0].File != filepath.Base(held.Path) {
		t.Errorf("withdrawal record: outputs %+v, withdrawals %+v", wrec.Outputs, wrec.Withdrawals)
	}
	// Told once: the next release neither lists it nor sends it.
	if h := release(false); h.Record != nil || len(h.Held[0].Withdrawn) != 0 || h.Held[0].Earlier != 1 || h.Held[0].Rejected != 2 {
		t.Errorf("release after the withdrawal was recorded: %+v", h.Held[0])
	}

	// Released once: not again, neither from this run's held file nor from
	// the next run's, which holds the same cases.
	run()
	again, err := pipeline.Release(ctx, pipeline.ReleaseOptions{Config: ex.Config(), Version: "test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if again.Record != nil || len(again.Held) != 2 {
		t.Fatalf("second release: %+v", again.Held)
	}
	for _, h := range again.Held {
		if h.Released != 0 || h.Earlier != 1 || len(h.Withdrawn) != 0 {
			t.Errorf("second release of %s: %+v", h.Held, h)
		}
	}

	// Confirmed again after its withdrawal, the case goes again, once.
	redecide(review.OutcomeConfirmed, "third look: the same person after all")
	resent, err := pipeline.Release(ctx, pipeline.ReleaseOptions{Config: ex.Config(), Version: "test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if n := resent.Held[0].Released + resent.Held[1].Released; resent.Record == nil || n != 1 {
		t.Fatalf("release after the case was confirmed again: %d rows, %+v", n, resent.Held)
	}
	if o := resent.Record.Outputs[0]; !slices.Equal(o.Released.Cases, []string{withdrawnCase}) {
		t.Errorf("sent again: %v, want %s", o.Released.Cases, withdrawnCase)
	}
}

// requestHeldAlone edits the demo config so that the utility provider's
// request is its one held output: the recovery team's file, held too in
// the demo, is written on run. One held output a run keeps the counts of
// these tests plain; cmd/datamatch's TestRelease releases both.
func requestHeldAlone(t *testing.T) func([]byte) []byte {
	return replace(t, "forwarding_address, forwarding_postcode]\n        release: on_confirmation\n", "forwarding_address, forwarding_postcode]\n")
}

// mustDecisions reads the decisions log of the queue at queuePath.
func mustDecisions(t *testing.T, queuePath string) []review.Decision {
	t.Helper()
	ds, err := review.ReadDecisions(review.DecisionsPath(queuePath))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestReleaseStopsPartWay releases from two runs' held files, the second
// of which cannot be read: what the first gave is written and recorded, in
// a record of a failed release, so that a later release does not send it
// again.
func TestReleaseStopsPartWay(t *testing.T) {
	ex := exerciseOver(t, requestHeldAlone(t))
	ctx := context.Background()
	clock := fixedClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	var helds []string
	var first *pipeline.RunResult
	for range 2 {
		res, err := pipeline.Run(ctx, pipeline.RunOptions{Config: ex.Config(), Version: "test", Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
		}
		for _, o := range res.Record.Outputs {
			if o.Held {
				helds = append(helds, o.Path)
			}
		}
	}
	if len(helds) != 2 {
		t.Fatalf("held files %q, want one per run", helds)
	}
	rows := readCSV(t, helds[0])
	queue, err := review.ReadQueue(first.QueueFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := review.Decide(ctx, review.DecisionsPath(first.QueueFile), queue, review.Decision{CaseID: rows[1][0], Outcome: review.OutcomeConfirmed, Reason: "checked", Reviewer: "amy"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(helds[1], []byte("not,a,held,file\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	res, err := pipeline.Release(ctx, pipeline.ReleaseOptions{Config: ex.Config(), Version: "test", Now: clock})
	if err == nil || res == nil || res.Record == nil {
		t.Fatalf("release over a broken held file = %v, %+v", err, res)
	}
	if res.Record.Status != runrecord.StatusFailed || len(res.Record.Outputs) != 1 || res.Record.Outputs[0].Rows != 1 {
		t.Errorf("record of the failed release: status %s, outputs %+v", res.Record.Status, res.Record.Outputs)
	}
	if err := os.Remove(helds[1]); err != nil {
		t.Fatal(err)
	}
	again, err := pipeline.Release(ctx, pipeline.ReleaseOptions{Config: ex.Config(), Version: "test", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if again.Record != nil || len(again.Held) != 1 || again.Held[0].Earlier != 1 {
		t.Errorf("release after the failed one: %+v", again.Held)
	}
}
