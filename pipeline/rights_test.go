package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/retention"
	"github.com/datamatch/datamatch/internal/review"
)

// writeRunRecord writes a minimal run.json for runID into root/runID.
func writeRunRecord(t *testing.T, root, runID string, purposes []map[string]any, outputs []map[string]any) string {
	t.Helper()
	dir := filepath.Join(root, runID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"schema": 1, "run_id": runID, "purposes": purposes, "outputs": outputs})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "run.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func day(t *testing.T, s string) date.Date {
	t.Helper()
	d, err := date.Parse(date.ISO, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRunRecordOutputs(t *testing.T) {
	root := t.TempDir()
	p := writeRunRecord(t, root, "R1",
		[]map[string]any{{"name": "fraud", "retention_until": "2028-11-01"}, {"name": "stats"}},
		[]map[string]any{
			{"path": "/abs/cases.csv", "purpose": "fraud"},
			{"path": "stats.csv", "purpose": "stats"},
			{"path": "other.csv", "purpose": "not_in_record"},
		})
	got, err := RunRecordOutputs(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []retention.Output{
		{Path: "/abs/cases.csv", RunID: "R1", Purpose: "fraud", RetentionUntil: day(t, "2028-11-01")},
		{Path: "stats.csv", RunID: "R1", Purpose: "stats"},
		{Path: "other.csv", RunID: "R1", Purpose: "not_in_record"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d outputs, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("output %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := RunRecordOutputs(filepath.Join(root, "missing.json")); err == nil {
		t.Error("a missing run record was read")
	}
}

func TestVaultOutputsHeldUntilEverySignificantPurposeEnds(t *testing.T) {
	dir := t.TempDir()
	outRoot, vaultDir := filepath.Join(dir, "out"), filepath.Join(dir, "vaults")
	if err := os.MkdirAll(vaultDir, 0o700); err != nil {
		t.Fatal(err)
	}
	purposes := []map[string]any{
		{"name": "fraud", "retention_until": "2028-11-01", "significant_effect": true},
		{"name": "arrears", "retention_until": "2027-05-01", "significant_effect": true},
		{"name": "stats", "retention_until": "2026-12-01", "significant_effect": false},
	}
	writeRunRecord(t, outRoot, "R1", purposes, nil)
	writeRunRecord(t, outRoot, "R2", purposes, nil) // no vault: nothing was queued
	if err := os.WriteFile(filepath.Join(vaultDir, "R1.age"), []byte("vault"), 0o600); err != nil {
		t.Fatal(err)
	}
	outs, byRun, err := vaultOutputs(context.Background(), outRoot, vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || len(byRun["R1"]) != 2 || len(byRun["R2"]) != 0 {
		t.Fatalf("vault listings %+v, purposes %v; want R1 under its two significant purposes", outs, byRun)
	}
	tests := []struct {
		today string
		due   bool
	}{
		{"2026-12-01", false},
		{"2027-05-01", false},
		{"2028-10-31", false},
		{"2028-11-01", true},
	}
	for _, tt := range tests {
		due := retention.Due(outs, day(t, tt.today))
		if (len(due) > 0) != tt.due {
			t.Errorf("on %s: due %+v, want due %v", tt.today, due, tt.due)
		}
	}
}

// fixedEncoder encodes everything to the same surname token.
type fixedEncoder struct{ surname pseudo.Token }

func (f fixedEncoder) Encode(dst *pseudo.Record, src *person.Record) {
	*dst = pseudo.Record{RecordID: src.RecordID, Surname: f.surname}
}

func TestEncodedDataset(t *testing.T) {
	d := &encodedDataset{
		enc:  fixedEncoder{surname: 7},
		byID: map[string]*pseudo.Record{"r1": {RecordID: "r1", Surname: 42}},
		ids:  []string{"r1"},
	}
	recs, err := d.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0] != (person.Record{RecordID: "r1"}) {
		t.Fatalf("placeholders %+v, want one carrying the record id only", recs)
	}
	tests := []struct {
		name string
		src  person.Record
		want pseudo.Token
	}{
		{"stored row", person.Record{RecordID: "r1"}, 42},
		{"unknown id", person.Record{RecordID: "r2", Surname: "X"}, 7},
		{"the subject", person.Record{Surname: "X"}, 7},
	}
	for _, tt := range tests {
		var got pseudo.Record
		d.Encode(&got, &tt.src)
		if got.Surname != tt.want {
			t.Errorf("%s: surname token %d, want %d", tt.name, got.Surname, tt.want)
		}
	}
}

func TestReviewStore(t *testing.T) {
	ctx := context.Background()
	queue := filepath.Join(t.TempDir(), "queue.jsonl")
	s := ReviewStore{QueuePath: queue}
	if _, err := s.Cases(ctx); err == nil {
		t.Error("a missing queue was read")
	}
	c := review.Case{
		RunID: "R1", Purpose: "fraud", Rule: "dual_tenancy",
		Left:             review.RecordRef{Dataset: "tenancies", Ref: "0123456789abcdef0123456789abcdef"},
		Right:            review.RecordRef{Dataset: "other_landlord", Ref: "fedcba9876543210fedcba9876543210"},
		MatchProbability: 0.99, MatchWeight: 9, Queued: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	}
	if _, err := review.Merge(ctx, queue, []review.Case{c}); err != nil {
		t.Fatal(err)
	}
	cases, err := review.ReadQueue(queue)
	if err != nil {
		t.Fatal(err)
	}
	d, err := review.Decide(ctx, review.DecisionsPath(queue), cases, review.Decision{CaseID: cases[0].ID, Outcome: "confirmed", Reason: "checked", Reviewer: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != cases[0].ID || got[0].RunID != "R1" || len(got[0].Refs) != 2 ||
		got[0].Refs[0].Ref != c.Left.Ref || got[0].Refs[1].Dataset != "other_landlord" {
		t.Errorf("cases %+v", got)
	}
	ds, err := s.Decisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].ID != d.DecisionID || ds[0].CaseID != cases[0].ID || ds[0].Outcome != "confirmed" || ds[0].Reason != "checked" {
		t.Errorf("decisions %+v", ds)
	}
}
