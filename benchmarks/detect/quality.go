package detectbench

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/synth"
)

// Judge says how one detection's cases are judged against the truth.
type Judge struct {
	Rule exercise.Rule
	// Kind is the planted kind the detection should find.
	Kind string
	// Forbidden are planted kinds that must never be cases of the rule:
	// lawful situations (succession, a tenancy ended in time, a move
	// without arrears, a transfer, a later tenancy) and different people
	// who look alike (namesakes, twins, parent and child).
	Forbidden []string
}

// Judges lists the detections of the demo exercise and how each is judged.
var Judges = []Judge{
	{exercise.DualTenancy, synth.KindDualTenancy, []string{synth.KindNamesake, synth.KindSequentialTenancy}},
	{exercise.TenancyAfterDeath, synth.KindTenancyAfterDeath, []string{synth.KindSuccession, synth.KindDeathTenancyEnded}},
	{exercise.DuplicateIdentity, synth.KindDuplicateIdentity, []string{synth.KindTwins, synth.KindParentChild, synth.KindTransfer}},
	{exercise.ArrearsTracing, synth.KindArrearsMoved, []string{synth.KindMovedNoArrears}},
}

// Quality is how one detection did against the truth.
type Quality struct {
	Rule exercise.Rule
	Kind string
	// Planted counts the planted cases of Kind, and Found those the
	// detection raised.
	Planted, Found int
	// Cases counts the distinct pairs the detection raised; PlantedCases
	// those that are planted cases of Kind; SamePerson those whose two
	// records are one true person; Forbidden those that are planted cases
	// of a forbidden kind.
	Cases, PlantedCases, SamePerson, Forbidden int
	// Missed are the planted pairs not raised; False the raised pairs that
	// are different people or of a forbidden kind.
	Missed, False []Pair
}

// Recall is the share of planted cases found (1 when none were planted).
func (q *Quality) Recall() float64 { return ratio(q.Found, q.Planted) }

// Precision is the share of cases that are true: the two records are one
// person, and the pair is not a planted case of a forbidden kind (1 when
// there are no cases). A same-person pair the generator did not plant is
// true: the rule's conditions hold on the records' own dates and amounts.
func (q *Quality) Precision() float64 { return ratio(q.Cases-len(q.False), q.Cases) }

// FalseRate is 1 − Precision.
func (q *Quality) FalseRate() float64 { return 1 - q.Precision() }

// PlantedShare is the share of cases that are planted cases of Kind.
func (q *Quality) PlantedShare() float64 { return ratio(q.PlantedCases, q.Cases) }

func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

// Case is a raised case as the truth judges it: the rule and the pair of
// records.
type Case struct {
	Rule exercise.Rule
	Pair Pair
}

// CasesOf returns the cases of results.
func CasesOf(results []detect.Result) []Case {
	var out []Case
	for i := range results {
		for _, c := range results[i].Cases() {
			out = append(out, Case{Rule: c.Rule, Pair: NewPair(c.Subject.Ref, c.Partner.Ref)})
		}
	}
	return out
}

// Reviewed returns the judged cases of results as reviewers who knew the
// truth would leave them: confirmed when Measure judges the pair true,
// rejected when false. A pair raised by several purposes counts once, at
// its highest probability; a rule no judge covers is left out.
// review.Summarise of them sets the engine's match probabilities beside
// the share of cases that are true, band by band: its calibration.
func Reviewed(t *Truth, results []detect.Result) []review.CaseStatus {
	judged := map[exercise.Rule]bool{}
	for _, j := range Judges {
		judged[j.Rule] = true
	}
	wrong := map[Case]bool{}
	for _, q := range Measure(t, CasesOf(results)) {
		for _, p := range q.False {
			wrong[Case{q.Rule, p}] = true
		}
	}
	index := map[Case]int{}
	var out []review.CaseStatus
	for i := range results {
		for _, c := range results[i].Cases() {
			k := Case{c.Rule, NewPair(c.Subject.Ref, c.Partner.Ref)}
			if !judged[k.Rule] {
				continue
			}
			if j, ok := index[k]; ok {
				out[j].Case.MatchProbability = max(out[j].Case.MatchProbability, c.Probability)
				continue
			}
			status := review.OutcomeConfirmed
			if wrong[k] {
				status = review.OutcomeRejected
			}
			index[k] = len(out)
			out = append(out, review.CaseStatus{
				Case:   review.Case{Purpose: results[i].Purpose, Rule: string(c.Rule), MatchProbability: c.Probability},
				Status: status,
			})
		}
	}
	return out
}

// Measure judges cases against t, one Quality per judge in the order of
// Judges. A pair raised by several purposes counts once.
func Measure(t *Truth, cases []Case) []Quality {
	byRule := map[exercise.Rule]map[Pair]bool{}
	for _, c := range cases {
		if byRule[c.Rule] == nil {
			byRule[c.Rule] = map[Pair]bool{}
		}
		byRule[c.Rule][c.Pair] = true
	}
	var out []Quality
	for _, j := range Judges {
		q := Quality{Rule: j.Rule, Kind: j.Kind}
		cases := byRule[j.Rule]
		for _, p := range t.Planted {
			if p.Kind != j.Kind {
				continue
			}
			q.Planted++
			if cases[p.Pair] {
				q.Found++
			} else {
				q.Missed = append(q.Missed, p.Pair)
			}
		}
		for p := range cases {
			q.Cases++
			kinds := t.kinds[p]
			forbidden := false
			for _, k := range kinds {
				if k == j.Kind {
					q.PlantedCases++
				}
				for _, f := range j.Forbidden {
					if k == f {
						forbidden = true
					}
				}
			}
			same := t.SamePerson(p[0], p[1])
			if same {
				q.SamePerson++
			}
			if forbidden {
				q.Forbidden++
			}
			if !same || forbidden {
				q.False = append(q.False, p)
			}
		}
		sortPairs(q.Missed)
		sortPairs(q.False)
		out = append(out, q)
	}
	return out
}

func sortPairs(ps []Pair) {
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		for k := range 2 {
			if a[k].Dataset != b[k].Dataset {
				return a[k].Dataset < b[k].Dataset
			}
			if a[k].RecordID != b[k].RecordID {
				return a[k].RecordID < b[k].RecordID
			}
		}
		return false
	})
}

// WriteTable writes qs as an aligned table: per detection the planted and
// found counts, recall, cases, the share of same-person cases, the share
// of planted cases, forbidden cases and precision.
func WriteTable(w io.Writer, qs []Quality) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "detection\tplanted\tfound\trecall\tcases\tsame person\tplanted share\tforbidden\tprecision\t\n")
	for i := range qs {
		q := &qs[i]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%d\t%d\t%.3f\t%d\t%.3f\t\n",
			q.Rule, q.Planted, q.Found, q.Recall(), q.Cases, q.SamePerson, q.PlantedShare(), q.Forbidden, q.Precision())
	}
	return tw.Flush()
}
