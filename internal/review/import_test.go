package review

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	idA = "C-0123456789ab"
	idB = "C-0123456789ac"
	dX  = "D-00000000000f"
)

func TestParseImport(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Decision
		problem []string // each must appear in the error
	}{
		{"an export filled in",
			"\uFEFFcase_id,purpose,status,latest_decision,outcome,reason,reviewer\n" +
				idA + ",fraud,pending,,Confirmed ,tenancy agreement seen,amy\n" +
				idB + ",fraud,needs-more-information," + dX + ",rejected,\"different people, checked\",bob\n" +
				"C-0123456789ad,fraud,pending,,,,\n",
			[]Decision{
				{CaseID: idA, Outcome: OutcomeConfirmed, Reason: "tenancy agreement seen", Reviewer: "Rev"},
				{CaseID: idB, Outcome: OutcomeRejected, Reason: "different people, checked", Reviewer: "Rev", Supersedes: dX},
			}, nil},
		{"columns in any order, guarded ids", "reason,outcome,case_id,latest_decision\nseen,needs-more-information,'" + idA + ",'" + dX + "\n",
			[]Decision{{CaseID: idA, Outcome: OutcomeMoreInfo, Reason: "seen", Reviewer: "Rev", Supersedes: dX}}, nil},
		{"nothing decided", "case_id,outcome,reason\n" + idA + ",,\n", nil, nil},
		{"no reason", "case_id,outcome,reason\n" + idA + ",confirmed,\n", nil, []string{"line 2: case " + idA + ": column reason: a reason is required"}},
		{"bad outcome, not quoted", "case_id,outcome,reason\n" + idA + ",Mrs Smith,r\n", nil, []string{"line 2: column outcome: outcome must be"}},
		{"every problem at once", "case_id,outcome,reason\nnot-an-id,confirmed,r\n" + idA + ",confirmed,r\n" + idA + ",rejected,r\n" + idB + ",confirmed,\n",
			nil, []string{"line 2: column case_id is not a case id", "line 4: case " + idA + " is decided on line 3 too", "line 5: case " + idB}},
		{"bad latest decision", "case_id,outcome,reason,latest_decision\n" + idA + ",confirmed,r,D-1\n", nil, []string{"column latest_decision is not a decision id"}},
		{"missing column", "case_id,outcome\n", nil, []string{"line 1: no reason column"}},
		{"column twice", "case_id,outcome,reason,Outcome\n", nil, []string{"column \"outcome\" appears twice"}},
		{"empty file", "", nil, []string{"empty file"}},
		{"broken quoting", "case_id,outcome,reason\n" + idA + ",confirmed,\"unterminated\n", nil, []string{"line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseImport(strings.NewReader(tt.in), "decisions.csv", " Rev ")
			if len(tt.problem) > 0 {
				if err == nil {
					t.Fatalf("ParseImport = %+v, want an error", got)
				}
				for _, p := range tt.problem {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("error %q lacks %q", err, p)
					}
				}
				for _, secret := range []string{"Mrs Smith", "unterminated"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error quotes a cell: %q", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("decision %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	if _, err := ParseImport(strings.NewReader("case_id,outcome,reason\n"), "d.csv", " "); !errors.Is(err, ErrNoReviewer) {
		t.Errorf("no reviewer: %v", err)
	}
}

// FuzzParseImport checks that any input either parses into decisions that
// DecideAll's checks accept in form, or fails without quoting a reason.
func FuzzParseImport(f *testing.F) {
	f.Add("case_id,outcome,reason\n" + idA + ",confirmed,seen\n")
	f.Add("\uFEFFreason,outcome,case_id,latest_decision\nx,rejected,'" + idA + "," + dX + "\n")
	f.Add("case_id,outcome,reason\n\"" + idA + "\",\"confirmed\",\"a \"\"b\"\"\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		ds, err := ParseImport(strings.NewReader(in), "f.csv", "rev")
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, d := range ds {
			if !ValidOutcome(d.Outcome) || d.Reason == "" || d.Reviewer != "rev" || !idPattern(d.CaseID, "C-", false) ||
				!idPattern(d.Supersedes, "D-", true) || seen[d.CaseID] {
				t.Fatalf("ParseImport accepted %+v", d)
			}
			seen[d.CaseID] = true
		}
	})
}

func TestDecideAll(t *testing.T) {
	ctx := context.Background()
	log := filepath.Join(t.TempDir(), "queue.decisions.jsonl")
	queue := []Case{{ID: idA}, {ID: idB}}
	first, err := Decide(ctx, log, queue, Decision{CaseID: idA, Outcome: OutcomeMoreInfo, Reason: "r", Reviewer: "amy"})
	if err != nil {
		t.Fatal(err)
	}

	// One refusal refuses the whole list, and names the decision.
	for _, tt := range []struct {
		name  string
		ds    []Decision
		index int
		want  error
	}{
		{"not superseding", []Decision{{CaseID: idB, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob"}, {CaseID: idA, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob"}}, 1, ErrNotLatest},
		{"twice", []Decision{{CaseID: idB, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob"}, {CaseID: idB, Outcome: OutcomeRejected, Reason: "r", Reviewer: "bob"}}, 1, ErrDecidedTwice},
		{"unknown", []Decision{{CaseID: "C-ffffffffffff", Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob"}}, 0, ErrUnknownCase},
	} {
		_, err := DecideAll(ctx, log, queue, tt.ds)
		var de *DecisionError
		if !errors.Is(err, tt.want) || !errors.As(err, &de) || de.Index != tt.index {
			t.Errorf("%s: %v, want %v at decision %d", tt.name, err, tt.want, tt.index)
		}
	}
	if ds, _ := ReadDecisions(log); len(ds) != 1 {
		t.Fatalf("refused lists changed the log: %d decisions", len(ds))
	}

	got, err := DecideAll(ctx, log, queue, []Decision{
		{CaseID: idB, Outcome: OutcomeRejected, Reason: "different people", Reviewer: "bob"},
		{CaseID: idA, Outcome: OutcomeConfirmed, Reason: "seen", Reviewer: "bob", Supersedes: first.DecisionID},
	})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ReadDecisions(log)
	if err != nil || len(ds) != 3 || ds[1] != got[0] || ds[2] != got[1] || got[0].DecisionID == got[1].DecisionID {
		t.Fatalf("log holds %+v (%v); recorded %+v", ds, err, got)
	}
	s := List(queue, ds, Filter{Status: StatusClosed})
	if len(s) != 2 || time.Since(got[0].Time) > time.Minute {
		t.Errorf("closed cases %+v", s)
	}
}
