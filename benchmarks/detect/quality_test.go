package detectbench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/synth"
)

func ref(ds, id string) detect.Ref { return detect.Ref{Dataset: ds, RecordID: id} }

// TestMeasure judges hand-made cases against a hand-made truth.
func TestMeasure(t *testing.T) {
	a, b := ref("tenancies", "A"), ref("other_landlord", "B") // planted dual tenancy
	c, d := ref("tenancies", "C"), ref("other_landlord", "D") // planted namesakes
	e, f := ref("tenancies", "E"), ref("other_landlord", "F") // same person, not planted
	g, h := ref("tenancies", "G"), ref("other_landlord", "H") // planted, not raised
	x, y := ref("tenancies", "X"), ref("other_landlord", "Y") // different people
	tr := &Truth{
		Planted: []Planted{
			{Kind: synth.KindDualTenancy, Pair: NewPair(a, b)},
			{Kind: synth.KindNamesake, Pair: NewPair(c, d)},
			{Kind: synth.KindDualTenancy, Pair: NewPair(g, h)},
		},
		kinds: map[Pair][]string{
			NewPair(a, b): {synth.KindDualTenancy},
			NewPair(c, d): {synth.KindNamesake},
			NewPair(g, h): {synth.KindDualTenancy},
		},
		person: map[detect.Ref][]string{
			a: {"1"}, b: {"1"}, c: {"2"}, d: {"3"}, e: {"4"}, f: {"4"}, g: {"5"}, h: {"5"}, x: {"6"}, y: {"7"},
		},
	}
	cases := []Case{
		{exercise.DualTenancy, NewPair(b, a)}, // either order
		{exercise.DualTenancy, NewPair(a, b)}, // raised twice, counted once
		{exercise.DualTenancy, NewPair(c, d)},
		{exercise.DualTenancy, NewPair(e, f)},
		{exercise.DualTenancy, NewPair(x, y)},
		{exercise.ArrearsTracing, NewPair(g, h)}, // another rule's case
	}
	qs := Measure(tr, cases)
	if len(qs) != len(Judges) || qs[0].Rule != exercise.DualTenancy {
		t.Fatalf("Measure returned %d qualities, first %q; want one per judge, dual_tenancy first", len(qs), qs[0].Rule)
	}
	q := qs[0]
	if q.Planted != 2 || q.Found != 1 || q.Cases != 4 || q.PlantedCases != 1 || q.SamePerson != 2 || q.Forbidden != 1 {
		t.Errorf("planted %d found %d cases %d planted cases %d same person %d forbidden %d; want 2 1 4 1 2 1",
			q.Planted, q.Found, q.Cases, q.PlantedCases, q.SamePerson, q.Forbidden)
	}
	if q.Recall() != 0.5 || q.Precision() != 0.5 || q.FalseRate() != 0.5 || q.PlantedShare() != 0.25 {
		t.Errorf("recall %v precision %v false rate %v planted share %v; want 0.5 0.5 0.5 0.25", q.Recall(), q.Precision(), q.FalseRate(), q.PlantedShare())
	}
	if len(q.Missed) != 1 || q.Missed[0] != NewPair(g, h) {
		t.Errorf("missed %v, want the G~H pair", q.Missed)
	}
	if len(q.False) != 2 || q.False[0] != NewPair(c, d) || q.False[1] != NewPair(x, y) {
		t.Errorf("false %v, want C~D and X~Y", q.False)
	}
	// A rule with no case and nothing planted is perfect, not undefined.
	for _, q := range qs[1:] {
		if q.Rule == exercise.ArrearsTracing {
			if q.Cases != 1 || q.SamePerson != 1 {
				t.Errorf("arrears_tracing: %d cases, %d same person; want 1, 1", q.Cases, q.SamePerson)
			}
			continue
		}
		if q.Recall() != 1 || q.Precision() != 1 {
			t.Errorf("%s: recall %v, precision %v with nothing planted or raised; want 1, 1", q.Rule, q.Recall(), q.Precision())
		}
	}
	var table strings.Builder
	if err := WriteTable(&table, qs); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(table.String(), "\n"); lines != len(Judges)+1 {
		t.Errorf("table has %d lines, want a header and one per judge:\n%s", lines, table.String())
	}
}

// TestTruthOfGeneratedData reads the truth of a small generated population
// and checks it against the generator's own account: the planted counts of
// the manifest, and which kinds pair one person.
func TestTruthOfGeneratedData(t *testing.T) {
	data, err := Generate(context.Background(), t.TempDir(), 3, 400)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ReadTruth(data.Dir)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for kind, n := range data.Manifest.Counts {
		if got := tr.Count(kind); got != n {
			t.Errorf("%s: truth file has %d cases, manifest %d", kind, got, n)
		}
		total += n
	}
	if total == 0 || len(tr.Planted) != total {
		t.Errorf("truth file has %d cases, manifest %d in all", len(tr.Planted), total)
	}
	for _, p := range tr.Planted {
		if got := tr.SamePerson(p.Pair[0], p.Pair[1]); got != synth.SamePerson(p.Kind) {
			t.Errorf("case %s (%s): same person %v, want %v", p.CaseID, p.Kind, got, synth.SamePerson(p.Kind))
		}
		if ks := tr.Kinds(p.Pair[1], p.Pair[0]); len(ks) == 0 {
			t.Errorf("case %s: Kinds does not find its pair the other way round", p.CaseID)
		}
	}

	// Share lays out a runnable exercise over the same files.
	ex, err := Share(data, t.TempDir(), func(b []byte) []byte { return append(b, "# edited\n"...) })
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(ex.Config())
	if err != nil || !strings.HasSuffix(string(cfg), "# edited\n") {
		t.Errorf("config not written through edit: %v", err)
	}
	for _, p := range []string{KeyFile, IdentityFile, DataDir + "/" + synth.TruthFile} {
		if _, err := os.Stat(ex.Path(p)); err != nil {
			t.Errorf("Share did not make %s: %v", p, err)
		}
	}
	if ex.Data.Dir != filepath.Join(ex.Dir, DataDir) {
		t.Errorf("exercise data in %s, want %s", ex.Data.Dir, filepath.Join(ex.Dir, DataDir))
	}
}

// TestReviewed checks that the judged cases become decided review cases:
// true pairs confirmed, false ones rejected, a pair raised twice counted
// once at its higher probability, and a rule no judge covers left out.
func TestReviewed(t *testing.T) {
	a, b := ref("tenancies", "A"), ref("other_landlord", "B") // one person
	x, y := ref("tenancies", "X"), ref("other_landlord", "Y") // two people
	tr := &Truth{person: map[detect.Ref][]string{a: {"1"}, b: {"1"}, x: {"2"}, y: {"3"}}}
	mk := func(rule exercise.Rule, l, r detect.Ref, p float64) detect.Case {
		return detect.Case{Rule: rule, Probability: p, Subject: detect.Party{Ref: l}, Partner: detect.Party{Ref: r}}
	}
	results := []detect.Result{
		{Purpose: "fraud", Findings: []detect.Findings{{Rule: exercise.DualTenancy, Cases: []detect.Case{
			mk(exercise.DualTenancy, a, b, 0.9), mk(exercise.DualTenancy, x, y, 0.6),
		}}}},
		{Purpose: "again", Findings: []detect.Findings{{Rule: exercise.DualTenancy, Cases: []detect.Case{
			mk(exercise.DualTenancy, b, a, 0.95),
		}}}},
		{Purpose: "other", Findings: []detect.Findings{{Rule: "unjudged", Cases: []detect.Case{mk("unjudged", x, y, 0.7)}}}},
	}
	got := Reviewed(tr, results)
	if len(got) != 2 {
		t.Fatalf("Reviewed gave %d cases, want 2: %+v", len(got), got)
	}
	if c := got[0]; c.Status != review.OutcomeConfirmed || c.Case.MatchProbability != 0.95 || c.Case.Purpose != "fraud" {
		t.Errorf("A~B = %s at %v for %s, want confirmed at 0.95 for fraud", c.Status, c.Case.MatchProbability, c.Case.Purpose)
	}
	if c := got[1]; c.Status != review.OutcomeRejected || c.Case.MatchProbability != 0.6 {
		t.Errorf("X~Y = %s at %v, want rejected at 0.6", c.Status, c.Case.MatchProbability)
	}
}
