package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/golden"
)

// outcomeCases returns cases of two rules with decisions: for dual
// tenancy, three confirmed, one rejected, one reopened for more
// information and one pending; for arrears tracing, one pending.
func outcomeCases() ([]Case, []Decision) {
	queued := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	mk := func(n int, purpose, rule string, p float64, q time.Time) Case {
		l, r := RecordRef{Dataset: "tenancies", Ref: fmt.Sprintf("l%d", n)}, RecordRef{Dataset: "partner", Ref: fmt.Sprintf("r%d", n)}
		return Case{ID: CaseID(purpose, rule, l, r), Purpose: purpose, Rule: rule, Left: l, Right: r, MatchProbability: p, Queued: q, Status: StatusPending}
	}
	cases := []Case{
		mk(1, "tenancy_fraud", "dual_tenancy", 0.999, queued),
		mk(2, "tenancy_fraud", "dual_tenancy", 0.995, queued),
		mk(3, "tenancy_fraud", "dual_tenancy", 0.97, queued),
		mk(4, "tenancy_fraud", "dual_tenancy", 0.62, queued),
		mk(5, "tenancy_fraud", "dual_tenancy", 0.85, queued.AddDate(0, 0, 2)),
		mk(6, "tenancy_fraud", "dual_tenancy", 1, queued.AddDate(0, 0, 5)),
		mk(7, "arrears_trace", "forwarding_trace", 0.5, queued.AddDate(0, 0, -3)),
	}
	at := func(days int) time.Time { return queued.AddDate(0, 0, days) }
	decisions := []Decision{
		{CaseID: cases[0].ID, Outcome: OutcomeConfirmed, Time: at(1)},
		{CaseID: cases[1].ID, Outcome: OutcomeMoreInfo, Time: at(1)},
		{CaseID: cases[1].ID, Outcome: OutcomeConfirmed, Time: at(9)},
		{CaseID: cases[2].ID, Outcome: OutcomeConfirmed, Time: at(4)},
		{CaseID: cases[3].ID, Outcome: OutcomeRejected, Time: at(2)},
		{CaseID: cases[4].ID, Outcome: OutcomeConfirmed, Time: at(3)},
		{CaseID: cases[4].ID, Outcome: OutcomeMoreInfo, Time: at(6)},
	}
	return cases, decisions
}

func TestSummarise(t *testing.T) {
	cases, decisions := outcomeCases()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	o := Summarise(List(cases, decisions, Filter{}), now)

	if got, want := o.Total, (Tally{Cases: 7, Pending: 2, MoreInfo: 1, Confirmed: 3, Rejected: 1}); !sameCounts(got, want) {
		t.Errorf("total = %+v, want the counts of %+v", got, want)
	}
	// The arrears case, queued three days before the others and pending,
	// has waited longest: 24 whole days and 23 hours.
	if o.OldestOpen != cases[6].ID || o.OldestOpenDays != 24 {
		t.Errorf("oldest open = %s waiting %d days, want %s waiting 24", o.OldestOpen, o.OldestOpenDays, cases[6].ID)
	}
	if len(o.Rules) != 2 || o.Rules[0].Rule != "forwarding_trace" || o.Rules[1].Rule != "dual_tenancy" {
		t.Fatalf("rules = %+v, want arrears_trace's then tenancy_fraud's", o.Rules)
	}
	arrears, dual := o.Rules[0], o.Rules[1]
	if arrears.ConfirmedShare != nil || arrears.MedianDaysToDecide != nil {
		t.Errorf("a rule with no decided case has a share or a median: %+v", arrears)
	}
	if !sameCounts(dual.Tally, Tally{Cases: 6, Pending: 1, MoreInfo: 1, Confirmed: 3, Rejected: 1}) {
		t.Errorf("dual tenancy = %+v", dual.Tally)
	}
	if *dual.ConfirmedShare != 0.75 {
		t.Errorf("confirmed share = %v, want 0.75", *dual.ConfirmedShare)
	}
	if want := (0.999 + 0.995 + 0.97 + 0.62) / 4; math.Abs(*dual.MeanProbability-want) > 1e-12 {
		t.Errorf("mean probability = %v, want %v", *dual.MeanProbability, want)
	}
	// Days to the closing decision: 1, 9 (after a request for more
	// information), 4 and 2; the lower median of four is 2.
	if dual.MedianDaysToDecide == nil || *dual.MedianDaysToDecide != 2 {
		t.Errorf("median days to decide = %v, want 2", dual.MedianDaysToDecide)
	}

	type band struct {
		low, high float64
		cases     int
		decided   int
	}
	var got []band
	for _, b := range dual.Bands {
		got = append(got, band{b.Low, b.High, b.Cases, b.Decided()})
	}
	want := []band{{0.5, 0.8, 1, 1}, {0.8, 0.9, 1, 0}, {0.95, 0.99, 1, 1}, {0.99, 1, 3, 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bands = %v, want %v", got, want)
	}
	if b := dual.Bands[0]; b.ConfirmedShare == nil || *b.ConfirmedShare != 0 || b.Interval[0] != 0 {
		t.Errorf("band [0.5, 0.8): %+v, want a share of 0 from 0", b.Tally)
	}

	var buf bytes.Buffer
	if err := RenderOutcomes(&buf, o); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "outcomes.golden", buf.Bytes())

	js, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var back Outcomes
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if !sameCounts(back.Total, o.Total) || *back.Rules[1].Interval != *dual.Interval {
		t.Errorf("outcomes do not survive JSON: %s", js)
	}
}

func sameCounts(a, b Tally) bool {
	return a.Cases == b.Cases && a.Pending == b.Pending && a.MoreInfo == b.MoreInfo &&
		a.Confirmed == b.Confirmed && a.Rejected == b.Rejected
}

func TestSummariseEmpty(t *testing.T) {
	o := Summarise(nil, time.Now())
	if o.Total.Cases != 0 || len(o.Rules) != 0 || o.OldestOpen != "" || o.Total.ConfirmedShare != nil {
		t.Errorf("Summarise(nil) = %+v", o)
	}
	var buf bytes.Buffer
	if err := RenderOutcomes(&buf, o); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "Review outcomes: 0 cases, 0 open, 0 closed\n"; got != want {
		t.Errorf("render = %q, want %q", got, want)
	}
}

func TestWilson(t *testing.T) {
	// Reference values from the formula as published (Wilson 1927;
	// Newcombe 1998, method 3), to three decimals.
	tests := []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 10, 0, 0.278},
		{8, 10, 0.490, 0.943},
		{10, 10, 0.722, 1},
		{81, 263, 0.255, 0.366},
		{1, 1, 0.207, 1},
	}
	for _, tt := range tests {
		lo, hi := wilson(tt.k, tt.n)
		if math.Abs(lo-tt.lo) > 5e-4 || math.Abs(hi-tt.hi) > 5e-4 {
			t.Errorf("wilson(%d, %d) = %.4f–%.4f, want %.3f–%.3f", tt.k, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
	// Every interval lies in [0, 1], holds the observed share and
	// narrows as the count grows at the same share.
	for n := 1; n <= 200; n++ {
		for k := 0; k <= n; k++ {
			lo, hi := wilson(k, n)
			p := float64(k) / float64(n)
			if lo < 0 || hi > 1 || lo > p+1e-12 || hi < p-1e-12 {
				t.Fatalf("wilson(%d, %d) = %v–%v, share %v", k, n, lo, hi, p)
			}
			if n%2 == 0 && k%2 == 0 && n > 2 {
				l2, h2 := wilson(k/2, n/2)
				if hi-lo > h2-l2+1e-12 {
					t.Fatalf("wilson(%d, %d) is wider than wilson(%d, %d)", k, n, k/2, n/2)
				}
			}
		}
	}
}
